"""The stack graph: builders declare what they need from other stacks, the graph writes the plumbing.

A builder calls `ctx.ref("network", "PrivateSubnetIds")` and gets a `Ref` to a child Parameter. The
producer offers values with `ctx.export(...)`. When the graph is resolved it adds the Parameter to the
consumer, the Output to the producer (only for values someone consumes), and in the root the
`Fn::GetAtt [NetworkStack, Outputs.PrivateSubnetIds]` that passes one to the other. Tunables
(`ctx.tunable`) become root Parameters with the env's value as default, up to a budget; past it they
stay as the child's own Parameter defaults (the manifest says which is which).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from troposphere import AWSHelperFn, GetAtt, Join, Output, Parameter, Ref, Template

from .errors import BuildError, NameClash
from .naming import stack_logical_id

# Root Parameters the graph may spend on tunables; the rest of CloudFormation's 200 stays free.
ROOT_TUNABLE_BUDGET = 150
# Root Outputs for people (URLs, DNS names); past it they stay Outputs of their own stack only.
ROOT_OUTPUT_BUDGET = 150


@dataclass
class Export:
    name: str
    value: Any
    param_type: str
    description: str
    origin: tuple[str | int, ...] | None = None  # the config path that chose the name, if the config did


@dataclass
class Tunable:
    name: str
    param_type: str
    default: Any
    label: str
    group: str
    description: str
    constraints: dict[str, Any]
    at_root: bool = False


@dataclass
class Import:
    producer: str
    output: str


@dataclass
class StackUnit:
    """One nested stack while it is being built."""

    name: str
    description: str
    template: Template
    exports: dict[str, Export] = field(default_factory=dict)
    imports: dict[str, Import] = field(default_factory=dict)  # child parameter name -> source
    tunables: dict[str, Tunable] = field(default_factory=dict)
    public_outputs: dict[str, str] = field(default_factory=dict)  # output name -> description

    @property
    def logical_id(self) -> str:
        return stack_logical_id(self.name)


class StackContext:
    """What a builder sees: its own template, and typed ways to reach the rest of the graph."""

    def __init__(self, graph: StackGraph, unit: StackUnit):
        self._graph = graph
        self._unit = unit

    @property
    def name(self) -> str:
        return self._unit.name

    @property
    def system(self) -> str:
        return self._graph.system

    @property
    def env(self) -> str:
        return self._graph.env

    @property
    def template(self) -> Template:
        return self._unit.template

    def ref(self, stack: str, output: str) -> Ref:
        """A value another stack exports, as a Ref to a Parameter of this stack."""
        if stack == self._unit.name:
            raise BuildError(f"stack {self.name!r} refers to its own output {output!r}; use the resource directly")
        existing = self._unit.imports.get(output)
        if existing and existing.producer != stack:
            raise BuildError(
                f"stack {self.name!r} imports {output!r} from both {existing.producer!r} and {stack!r}; "
                "exported names must be unique"
            )
        self._unit.imports[output] = Import(stack, output)
        return Ref(output)

    def export(
        self,
        name: str,
        value: Any,
        *,
        param_type: str = "String",
        description: str = "",
        origin: tuple[str | int, ...] | None = None,
    ) -> None:
        """Offer a value to other stacks. It becomes an Output only if some stack refs it. `origin`: the
        config path that chose `name`, so a clash is reported there (see NameClash)."""
        existing = self._unit.exports.get(name)
        if existing is not None:
            chosen = origin or existing.origin
            if chosen is not None:
                raise NameClash(
                    chosen,
                    name,
                    f"{name!r} is also the name of another output of stack {self.name!r} "
                    "(the compiler's); choose another name",
                )
            raise BuildError(f"stack {self.name!r} exports {name!r} twice")
        self._unit.exports[name] = Export(name, value, param_type, description or name, origin)

    def output(
        self,
        name: str,
        value: Any,
        *,
        description: str,
        param_type: str = "String",
        origin: tuple[str | int, ...] | None = None,
    ) -> None:
        """A value for people: an Output here and the same Output on the root stack (others may ref it too)."""
        self.export(name, value, description=description, param_type=param_type, origin=origin)
        self._unit.public_outputs[name] = description

    def tunable(
        self,
        name: str,
        *,
        default: Any,
        label: str,
        group: str,
        param_type: str = "String",
        description: str = "",
        **constraints: Any,
    ) -> Ref:
        """A value an operator may change per deploy: a root Parameter with the env's value as default."""
        if name in self._unit.tunables:
            raise BuildError(f"stack {self.name!r} declares tunable {name!r} twice")
        self._unit.tunables[name] = Tunable(name, param_type, default, label, group, description or label, constraints)
        return Ref(name)


@dataclass
class Resolved:
    """The graph after wiring: children in dependency order, and the root's inputs."""

    units: list[StackUnit]
    order: list[str]
    root_tunables: list[Tunable]
    child_tunables: list[tuple[str, Tunable]]
    root_outputs: list[tuple[StackUnit, str, str]]  # (stack, output name, description)
    child_outputs: list[tuple[str, str]]  # (stack, output name): public, but past the root's budget


class StackGraph:
    def __init__(self, system: str, env: str):
        self.system = system
        self.env = env
        self.units: dict[str, StackUnit] = {}

    def context(self, name: str, description: str) -> StackContext:
        if name in self.units:
            raise BuildError(f"two stacks are named {name!r}")
        unit = StackUnit(name, description, Template(Description=description))
        self.units[name] = unit
        return StackContext(self, unit)

    # -- resolution ----------------------------------------------------------------------------

    def resolve(self, tunable_budget: int = ROOT_TUNABLE_BUDGET, output_budget: int = ROOT_OUTPUT_BUDGET) -> Resolved:
        self._check_chosen_names()
        self._drop_empty_units()
        self._check_imports()
        order = self._topological_order()
        root_tunables, child_tunables = self._place_tunables(order, tunable_budget)
        imported: dict[str, set[str]] = {}  # producer -> the outputs some stack imports (one pass, not per unit)
        for u in self.units.values():
            for imp in u.imports.values():
                imported.setdefault(imp.producer, set()).add(imp.output)
        for name in order:
            self._finish_child(self.units[name], imported.get(name, set()))
        public = [(self.units[n], o, d) for n in order for o, d in sorted(self.units[n].public_outputs.items())]
        uses = Counter(o for _, o, _ in public)
        for unit, o, _ in public:
            if uses[o] > 1:
                raise BuildError(f"two stacks output {o!r} to the root (one of them: {unit.name!r})")
        return Resolved(
            [self.units[n] for n in order],
            order,
            root_tunables,
            child_tunables,
            public[:output_budget],
            [(u.name, o) for u, o, _ in public[output_budget:]],
        )

    def _check_chosen_names(self) -> None:
        """A name the config chose is unique among every stack's exports: consumers import values by
        name, and the root outputs them by name."""
        owners: dict[str, list[StackUnit]] = {}
        for unit in self.units.values():
            for name in unit.exports:
                owners.setdefault(name, []).append(unit)
        for unit in self.units.values():
            for export in unit.exports.values():
                others = [u.name for u in owners[export.name] if u is not unit]
                if export.origin is not None and others:
                    raise NameClash(
                        export.origin,
                        export.name,
                        f"{export.name!r} is also the name of an output of stack {others[0]!r}; "
                        "output names are unique across the system",
                    )

    def _drop_empty_units(self) -> None:
        """A stack with no resources (e.g. network in existing-VPC mode) is not deployed; its exports
        must then be pass-through tunables, which the root hands to consumers directly."""
        for name in list(self.units):
            unit = self.units[name]
            if unit.template.resources:
                continue
            for export in unit.exports.values():
                if self._passthrough(unit, export) is None:
                    raise BuildError(f"stack {name!r} has no resources but exports {export.name!r} computed inside it")
            unit.template = None  # marks it virtual

    @staticmethod
    def _passthrough(unit: StackUnit, export: Export) -> Tunable | None:
        """The tunable an export simply forwards, if it does."""
        if isinstance(export.value, Ref):
            target = export.value.data.get("Ref")
            if isinstance(target, str) and target in unit.tunables:
                return unit.tunables[target]
        return None

    def _check_imports(self) -> None:
        for unit in self.units.values():
            for _param, imp in unit.imports.items():
                producer = self.units.get(imp.producer)
                if producer is None:
                    known = ", ".join(sorted(self.units))
                    raise BuildError(
                        f"stack {unit.name!r} refers to {imp.producer}.{imp.output}, "
                        f"but there is no stack {imp.producer!r} (stacks: {known})"
                    )
                if imp.output not in producer.exports:
                    known = ", ".join(sorted(producer.exports)) or "none"
                    raise BuildError(
                        f"stack {unit.name!r} refers to {imp.producer}.{imp.output}, "
                        f"but {imp.producer!r} exports no {imp.output!r} (it exports: {known})"
                    )

    def _deployed(self, name: str) -> bool:
        return self.units[name].template is not None

    def _edges(self, unit: StackUnit) -> list[str]:
        """Stacks this one must wait for (pass-through exports of virtual stacks add no edge)."""
        deps = set()
        for imp in unit.imports.values():
            producer = self.units[imp.producer]
            if self._passthrough(producer, producer.exports[imp.output]) is None:
                deps.add(imp.producer)
        return sorted(deps)

    def _topological_order(self) -> list[str]:
        names = [n for n in self.units if self._deployed(n)]
        state: dict[str, int] = {}
        order: list[str] = []

        def visit(name: str, path: list[str]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = path[path.index(name) :] + [name]
                raise BuildError(f"stacks {cycle[0]!r} and {cycle[-2]!r} depend on each other: " + " -> ".join(cycle))
            state[name] = 1
            for dep in self._edges(self.units[name]):
                visit(dep, path + [name])
            state[name] = 2
            order.append(name)

        for name in names:  # declaration order first, so the output is stable
            visit(name, [])
        return order

    def _place_tunables(self, order: list[str], budget: int) -> tuple[list[Tunable], list[tuple[str, Tunable]]]:
        at_root: dict[str, tuple[str, Tunable]] = {}
        child: list[tuple[str, Tunable]] = []
        # Pass-through tunables (existing VPC IDs) must be at the root: consumers read them there.
        candidates = [(n, t) for n in self.units for t in self.units[n].tunables.values()]
        passthrough = {
            id(self._passthrough(self.units[n], e))
            for n in self.units
            for e in self.units[n].exports.values()
            if self._passthrough(self.units[n], e) is not None
        }
        # A tunable without a default (a hosted zone given by name) has no value a child could default to:
        # it goes to the root first, like pass-through ones.
        candidates.sort(key=lambda nt: (id(nt[1]) not in passthrough and nt[1].default is not None,))  # stable
        for stack, tunable in candidates:
            if tunable.name in at_root:
                other = at_root[tunable.name][0]
                raise BuildError(f"stacks {other!r} and {stack!r} both declare tunable {tunable.name!r}")
            if len(at_root) < budget or id(tunable) in passthrough or tunable.default is None:
                tunable.at_root = True
                at_root[tunable.name] = (stack, tunable)
            else:
                child.append((stack, tunable))
        return [t for _, t in at_root.values()], child

    def _finish_child(self, unit: StackUnit, imported: set[str]) -> None:
        t = unit.template
        for tunable in unit.tunables.values():
            t.add_parameter(
                _parameter(tunable.name, tunable.param_type, tunable.description, tunable.default, tunable.constraints)
            )
        for param, imp in sorted(unit.imports.items()):
            export = self.units[imp.producer].exports[imp.output]
            t.add_parameter(
                Parameter(param, Type=export.param_type, Description=f"{export.description} (from {imp.producer})")
            )
        consumed = {o for o in imported if self._passthrough(unit, unit.exports[o]) is None}  # the root hands those out
        for name in sorted(consumed | set(unit.public_outputs)):
            export = unit.exports[name]
            t.add_output(Output(name, Value=export.value, Description=export.description))

    def source_of(self, imp: Import) -> AWSHelperFn:
        """How the root passes an import to its consumer: a root Parameter or the producer's Output."""
        producer = self.units[imp.producer]
        tunable = self._passthrough(producer, producer.exports[imp.output])
        if tunable is not None:
            return nested_parameter_value(tunable.name, tunable.param_type)
        return GetAtt(producer.logical_id, f"Outputs.{imp.output}")  # an output is always a string


def nested_parameter_value(name: str, param_type: str) -> AWSHelperFn:
    """How the root passes its parameter `name` into a nested stack. A nested stack's Parameters must be
    strings -- CloudFormation refuses a list ("Value of property Parameters must be an object with String
    (or simple type) properties"; lint rule E9030) -- so a List<...> or CommaDelimitedList parameter is
    joined on the way in; the child keeps its List type and splits it again."""
    if param_type == "CommaDelimitedList" or "List<" in param_type:
        return Join(",", Ref(name))
    return Ref(name)


def _parameter(name: str, param_type: str, description: str, default: Any, constraints: dict[str, Any]) -> Parameter:
    props: dict[str, Any] = {"Type": param_type, "Description": description}
    if default is not None:
        props["Default"] = ",".join(str(v) for v in default) if isinstance(default, (list, tuple)) else str(default)
    props.update(constraints)
    return Parameter(name, **props)


def parameter_value(default: Any) -> str:
    return ",".join(str(v) for v in default) if isinstance(default, (list, tuple)) else str(default)
