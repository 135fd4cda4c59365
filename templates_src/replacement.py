"""Predict, before any change set exists, which resources an update of one stack replaces and why.

Pure: the old and new template of ONE stack (dicts, as CloudFormation's GetTemplate returns them or as
build/ holds them) in, one `Prediction` per changed resource out. No boto3, no troposphere, no click.

Where the knowledge comes from: each resource type's provider schema, as cfn-lint ships it in its package
(`cfnlint/data/schemas/providers/<region>.json` names the schema file of each type; the schema's
`createOnlyProperties` are the properties whose change re-creates the resource, its
`conditionalCreateOnlyProperties` those whose change may). Only the schemas of the types a template
uses are read, once per process, so a build that never diffs pays nothing.

How a change is judged, as CloudFormation's change sets do:
- a create-only property whose literal value changes: Replacement "True" (RequiresRecreation Always);
- a create-only property whose old or new value is an intrinsic function (Ref, Fn::GetAtt, Fn::Sub,
  Fn::If, ...) that changes, or a conditionally create-only property that changes: "Conditional" --
  the value is only known when the change executes (AWS: Evaluation Dynamic);
- a create-only property that is unchanged in the text but refers to a resource this update replaces
  (or to a template parameter whose value changes): "Conditional", caused "via" that resource or
  parameter; the chain is followed to its end;
- only other properties or attributes (DeletionPolicy, Metadata, ...) change: "False" (in place);
- a type without a known schema (Custom::*, a type cfn-lint does not ship): "Unknown".
A logical ID that disappears is a Remove and one that appears an Add (a rename is both: the old
resource is deleted with its data); a pair of one removed and one added resource of the same type is
flagged as a likely rename. A changed Type under the same logical ID is reported as Replacement "True"
forced by `Type`, with a note: CloudFormation refuses that update ("Update of resource type is not
permitted").

Parameters: their values (given, else the template's Default) replace `{"Ref": P}`, and an `Fn::Join` of
literals or an `Fn::Sub` of known parameters folds into its string, so a changed image tag in a task
definition is a literal change ("True"), as AWS reports it.

Known limits (said, not hidden): values resolved at deploy time (SSM parameter types, nested-stack
parameters fed from another stack's outputs) are compared as written; a provider whose real behaviour
differs from its schema (rare, patched in cfn-lint when known) is predicted from the schema.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

Replacement = Literal["True", "Conditional", "False", "Unknown"]
Recreation = Literal["Always", "Conditionally", "Never", "Unknown"]
Action = Literal["Add", "Remove", "Modify"]

DEFAULT_REGION = "us-east-1"
NESTED_STACK = "AWS::CloudFormation::Stack"
# Resource-level keys other than Type and Properties: a change to them never replaces the resource.
ATTRIBUTES = (
    "Condition",
    "DependsOn",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "Metadata",
)
_SUB_REF = re.compile(r"\$\{(?!!)([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}")


class _Missing:
    """A property that is not set (distinct from null)."""

    def __repr__(self) -> str:
        return "<not set>"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class PropertyChange:
    """One changed top-level property (or resource attribute) of a resource."""

    name: str  # "DatabaseName", or an attribute: "DeletionPolicy", "Type"
    before: Any  # MISSING when it was not set
    after: Any  # MISSING when it is no longer set
    requires_recreation: Recreation
    forcing: tuple[str, ...] = ()  # the create-only paths under it that changed ("VpcConfig/SubnetIds")
    via: tuple[str, ...] = ()  # resources / parameters whose change reaches it through a reference
    attribute: str = "Properties"  # Properties or the attribute's own name

    @property
    def edited(self) -> bool:
        """True when the template text changed here; False when only a referenced value changes."""
        return self.before is not self.after and self.before != self.after


@dataclass(frozen=True)
class Prediction:
    """What an update does to one resource of the stack."""

    logical_id: str
    action: Action
    resource_type: str  # the new type (the old one for a Remove)
    replacement: Replacement | None  # None for Add and Remove
    changes: tuple[PropertyChange, ...] = ()
    old_type: str | None = None  # set when the type changed
    renamed: str | None = None  # the likely other half of a rename (Remove <-> Add of the same type)
    notes: tuple[str, ...] = ()

    @property
    def forcing(self) -> tuple[str, ...]:
        """Every property path that forces (or may force) the replacement, in order."""
        out: list[str] = []
        for c in self.changes:
            if c.requires_recreation in ("Always", "Conditionally"):
                out.extend(p for p in (c.forcing or (c.name,)) if p not in out)
        return tuple(out)

    @property
    def replaces(self) -> bool:
        return self.replacement in ("True", "Conditional")

    def to_json(self) -> dict[str, Any]:
        return {
            "logical_id": self.logical_id,
            "action": self.action,
            "type": self.resource_type,
            "old_type": self.old_type,
            "replacement": self.replacement,
            "forcing": list(self.forcing),
            "renamed": self.renamed,
            "notes": list(self.notes),
            "changes": [
                {
                    "name": c.name,
                    "attribute": c.attribute,
                    "requires_recreation": c.requires_recreation,
                    "forcing": list(c.forcing),
                    "via": list(c.via),
                    "before": None if c.before is MISSING else c.before,
                    "after": None if c.after is MISSING else c.after,
                }
                for c in self.changes
            ],
        }


# ---------------------------------------------------------------------------------------------- schemas


@dataclass(frozen=True)
class TypeRules:
    """What a type's schema says about replacement: create-only paths, split into segments."""

    type_name: str
    create_only: tuple[tuple[str, ...], ...]
    conditional: tuple[tuple[str, ...], ...]


def _schemas_dir() -> Path | None:
    spec = importlib.util.find_spec("cfnlint")  # finds the package without importing it (fast)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@cache
def _provider_index(region: str) -> Mapping[str, str]:
    folder = _schemas_dir()
    if folder is None:
        return {}
    path = folder / "providers" / f"{region}.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def _segments(pointer: str) -> tuple[str, ...] | None:
    parts = pointer.split("/")
    if len(parts) < 3 or parts[:2] != ["", "properties"]:
        return None
    return tuple(parts[2:])


@cache
def type_rules(type_name: str, region: str = DEFAULT_REGION) -> TypeRules | None:
    """The replacement rules of one resource type, from the region's schema (us-east-1 when the
    region does not list it); None when no schema is shipped for it."""
    folder = _schemas_dir()
    if folder is None:
        return None
    name = _provider_index(region).get(type_name) or _provider_index(DEFAULT_REGION).get(type_name)
    if not name:
        return None
    path = folder / "resources" / f"{name}.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())

    def paths(key: str) -> tuple[tuple[str, ...], ...]:
        return tuple(s for s in (_segments(p) for p in schema.get(key, ())) if s)

    return TypeRules(type_name, paths("createOnlyProperties"), paths("conditionalCreateOnlyProperties"))


# ------------------------------------------------------------------------------------------- intrinsics


def is_intrinsic(value: Any) -> bool:
    """`{"Ref": ...}`, `{"Fn::...": ...}` or `{"Condition": ...}`: a value only known at deploy time."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def has_intrinsic(value: Any) -> bool:
    if is_intrinsic(value):
        return True
    if isinstance(value, dict):
        return any(has_intrinsic(v) for v in value.values())
    if isinstance(value, list):
        return any(has_intrinsic(v) for v in value)
    return False


def references(value: Any) -> set[str]:
    """Logical IDs and parameter names a value refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub)."""
    found: set[str] = set()

    def walk(v: Any, local: frozenset[str] = frozenset()) -> None:
        if isinstance(v, list):
            for item in v:
                walk(item, local)
        elif isinstance(v, dict):
            if len(v) == 1:
                key, arg = next(iter(v.items()))
                if key == "Ref" and isinstance(arg, str):
                    found.add(arg)
                    return
                if key == "Fn::GetAtt":
                    target = (
                        arg[0]
                        if isinstance(arg, list) and arg
                        else arg.split(".", 1)[0]
                        if isinstance(arg, str)
                        else None
                    )
                    if isinstance(target, str):
                        found.add(target)
                    if isinstance(arg, list):
                        walk(arg[1:], local)
                    return
                if key == "Fn::Sub":
                    text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
                    names = frozenset(variables) if isinstance(variables, dict) else frozenset()
                    if isinstance(text, str):
                        found.update(n for n in _SUB_REF.findall(text) if n not in names)
                    walk(variables, local)
                    return
            for item in v.values():
                walk(item, local)

    walk(value)
    return {r for r in found if not r.startswith("AWS::")}


def _at(value: Any, path: tuple[str, ...]) -> Any:
    """The value at a schema path (`*` = every item of a list); an intrinsic met on the way is
    returned whole (what it resolves to is unknown here)."""
    if not path:
        return value
    if is_intrinsic(value):
        return value
    head, rest = path[0], path[1:]
    if head == "*":
        return [_at(item, rest) for item in value] if isinstance(value, list) else MISSING
    if isinstance(value, dict):
        return _at(value.get(head, MISSING), rest) if head in value else MISSING
    return MISSING


def _resolve_parameters(value: Any, values: Mapping[str, Any]) -> Any:
    """Replace `{"Ref": P}` by P's known value, so a parameter change compares as a literal one; then fold
    an `Fn::Join` of literals, and an `Fn::Sub` whose every `${X}` is a known parameter or a pseudo
    parameter (the same on both sides of an update), into the string they make."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("Ref"), str) and value["Ref"] in values:
            return values[value["Ref"]]
        out = {k: _resolve_parameters(v, values) for k, v in value.items()}
        if len(out) == 1 and "Fn::Join" in out:
            arg = out["Fn::Join"]
            literal = isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list)
            if literal and all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in arg[1]):
                return arg[0].join(str(x) for x in arg[1])
        if len(out) == 1 and isinstance(out.get("Fn::Sub"), str):
            names = _SUB_REF.findall(out["Fn::Sub"])
            if all(n in values or n.startswith("AWS::") for n in names) and any(n in values for n in names):
                return _SUB_REF.sub(lambda m: str(values.get(m.group(1), m.group(0))), out["Fn::Sub"])
        return out
    if isinstance(value, list):
        return [_resolve_parameters(v, values) for v in value]
    return value


def parameter_values(template: Mapping[str, Any], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Each template parameter's value: the given one, else its Default; unknown ones are left out."""
    out: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if given is not None and name in given:
            out[name] = given[name]
        elif isinstance(spec, dict) and "Default" in spec:
            out[name] = spec["Default"]
    return out


# ------------------------------------------------------------------------------------------- prediction


def predict(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    region: str = DEFAULT_REGION,
    old_parameters: Mapping[str, Any] | None = None,
    new_parameters: Mapping[str, Any] | None = None,
    changing_parameters: Iterable[str] = (),
) -> dict[str, Prediction]:
    """Logical ID -> Prediction for every resource the update adds, removes or changes (directly or
    through a reference to something that changes); unchanged resources are left out. Parameter values
    (given, else the templates' Defaults) are substituted before comparing, so a changed value of a
    parameter used in a create-only property is a literal change. `changing_parameters`: parameters whose
    value will change to one not known here (a nested stack's input fed from another stack's output that
    moves): what refers to them changes, conditionally."""
    old_res: Mapping[str, Any] = old.get("Resources") or {}
    new_res: Mapping[str, Any] = new.get("Resources") or {}
    unknown = set(changing_parameters)  # values that will change to something not known here
    old_vals = {k: v for k, v in parameter_values(old, old_parameters).items() if k not in unknown}
    new_vals = {k: v for k, v in parameter_values(new, new_parameters).items() if k not in unknown}
    changed_params = {p for p in set(old_vals) | set(new_vals) if old_vals.get(p, MISSING) != new_vals.get(p, MISSING)}
    changed_params |= unknown

    out: dict[str, Prediction] = {}
    for lid in sorted(set(old_res) - set(new_res)):
        out[lid] = Prediction(lid, "Remove", _type(old_res[lid]), None)
    for lid in sorted(set(new_res) - set(old_res)):
        out[lid] = Prediction(lid, "Add", _type(new_res[lid]), None)
    _flag_renames(out, old_res, new_res, region)

    direct: dict[str, list[PropertyChange]] = {}
    retyped: dict[str, str] = {}  # logical ID -> old type
    for lid in sorted(set(old_res) & set(new_res)):
        o, n = old_res[lid], new_res[lid]
        if _type(o) != _type(n):
            retyped[lid] = _type(o)
            direct[lid] = [PropertyChange("Type", _type(o), _type(n), "Always", ("Type",), attribute="Type")]
            continue
        changes = _direct_changes(o, n, _type(n), region, old_vals, new_vals, changed_params)
        if changes:
            direct[lid] = changes

    # Follow references: a resource that is replaced gets a new physical ID (and attributes), so every
    # Ref/GetAtt to it changes; a changed parameter changes every reference to it. Repeat until the set
    # of resources that move stops growing.
    moving: set[str] = set()
    while True:
        modified = dict(direct)
        for lid in sorted(set(old_res) & set(new_res) - set(retyped)):
            own = direct.get(lid, [])
            extra = _reference_changes(new_res[lid], _type(new_res[lid]), region, moving, changed_params, own)
            if extra:
                modified[lid] = own + extra
        now = {lid for lid, chs in modified.items() if _replacement(chs) in ("True", "Conditional")}
        if now == moving:
            break
        moving = now

    for lid, changes in sorted(modified.items()):
        rtype, old_type = _type(new_res[lid]), retyped.get(lid)
        notes: tuple[str, ...] = ()
        if old_type is not None:
            notes = (
                f"type changed from {old_type} to {rtype}: CloudFormation refuses this update ('Update of resource "
                "type is not permitted'); rename the logical ID instead (remove + add)",
            )
        elif _replacement(changes) == "Unknown":
            notes = (f"no resource schema for {rtype}: replacement cannot be predicted",)
        elif _replacement(changes) != "True":
            notes = _value_notes(rtype, changes)
        out[lid] = Prediction(
            lid,
            "Modify",
            rtype,
            _replacement(changes),
            tuple(sorted(changes, key=lambda c: (c.attribute != "Properties", c.name))),
            old_type=old_type,
            notes=notes,
        )
    return dict(sorted(out.items()))


# Updates that keep the physical resource but change a value it holds in a way the schema does not say.
VALUE_NOTES: dict[tuple[str, str], str] = {
    ("AWS::SecretsManager::Secret", "GenerateSecretString"): (
        "a changed GenerateSecretString makes CloudFormation generate a new secret value, even when only its "
        "SecretStringTemplate changes (aws-cloudformation/cloudformation-coverage-roadmap#2210): what took the old "
        "value keeps it until it reads the secret again"
    ),
}


def _value_notes(rtype: str, changes: list[PropertyChange]) -> tuple[str, ...]:
    names = {c.name.split("/", 1)[0] for c in changes if c.edited}
    return tuple(note for (kind, name), note in VALUE_NOTES.items() if kind == rtype and name in names)


def _type(resource: Any) -> str:
    return resource.get("Type", "") if isinstance(resource, dict) else ""


def _props(resource: Any) -> dict[str, Any]:
    props = resource.get("Properties") if isinstance(resource, dict) else None
    return props if isinstance(props, dict) else {}


def _replacement(changes: Iterable[PropertyChange]) -> Replacement:
    kinds = {c.requires_recreation for c in changes}
    if "Always" in kinds:
        return "True"
    if "Conditionally" in kinds:
        return "Conditional"
    if "Unknown" in kinds:
        return "Unknown"
    return "False"


def _direct_changes(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    rtype: str,
    region: str,
    old_vals: Mapping[str, Any],
    new_vals: Mapping[str, Any],
    changed_params: set[str],
) -> list[PropertyChange]:
    rules = type_rules(rtype, region)
    unknown = rules is None and rtype != NESTED_STACK
    changes: list[PropertyChange] = []
    o_props, n_props = _props(old), _props(new)
    o_res, n_res = _resolve_parameters(o_props, old_vals), _resolve_parameters(n_props, new_vals)
    for name in sorted(set(o_props) | set(n_props)):
        before, after = o_props.get(name, MISSING), n_props.get(name, MISSING)
        rb, ra = o_res.get(name, MISSING), n_res.get(name, MISSING)
        if rb == ra:
            continue  # same text, or the same value once parameters are known
        via = tuple(sorted((references(before) | references(after)) & changed_params))
        if unknown:
            changes.append(PropertyChange(name, before, after, "Unknown", via=via))
            continue
        always, conditionally = _forcing(name, rb, ra, rules)
        if always:
            changes.append(PropertyChange(name, before, after, "Always", tuple(always + conditionally), via))
        elif conditionally:
            changes.append(PropertyChange(name, before, after, "Conditionally", tuple(conditionally), via))
        else:
            changes.append(PropertyChange(name, before, after, "Never", via=via))
    for attr in ATTRIBUTES:
        before, after = old.get(attr, MISSING), new.get(attr, MISSING)
        if before != after:
            changes.append(PropertyChange(attr, before, after, "Never", attribute=attr))
    return changes


def _forcing(name: str, before: Any, after: Any, rules: TypeRules | None) -> tuple[list[str], list[str]]:
    """The create-only paths under property `name` whose value changes: (certain, conditional)."""
    always: list[str] = []
    conditionally: list[str] = []
    if rules is None:
        return always, conditionally
    for paths, certain in ((rules.create_only, True), (rules.conditional, False)):
        for path in paths:
            if path[0] != name:
                continue
            b, a = _at(before, path[1:]), _at(after, path[1:])
            if b == a:
                continue
            label = "/".join(path)
            if certain and _literal_change(b, a):
                always.append(label)
            elif label not in conditionally:
                conditionally.append(label)
    return _most_specific(always), _most_specific(conditionally)


def _literal_change(before: Any, after: Any) -> bool:
    """True when the two values certainly differ: some difference between them lies in literals only (an
    intrinsic on both sides that is identical does not make the change uncertain; one that differs does)."""
    if before == after:
        return False
    if is_intrinsic(before) or is_intrinsic(after):
        return False
    if isinstance(before, dict) and isinstance(after, dict):
        if set(before) != set(after):
            return True  # a key added or removed
        return any(_literal_change(before[k], after[k]) for k in before if before[k] != after[k])
    if isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return True  # an item added or removed
        return any(_literal_change(b, a) for b, a in zip(before, after, strict=True) if b != a)
    return True  # two different literals (or a literal against a missing value)


def _most_specific(paths: list[str]) -> list[str]:
    """`RootDirectory` and `RootDirectory/Path` both listed and both changed: name only the deeper one."""
    return [p for p in paths if not any(q.startswith(p + "/") for q in paths)]


def _reference_changes(
    resource: Mapping[str, Any],
    rtype: str,
    region: str,
    moving: set[str],
    changed_params: set[str],
    existing: list[PropertyChange],
) -> list[PropertyChange]:
    """Properties not edited in the text that refer to a resource or parameter whose value changes."""
    seen = {c.name for c in existing if c.attribute == "Properties"}
    rules = type_rules(rtype, region)
    extra: list[PropertyChange] = []
    for name, value in sorted(_props(resource).items()):
        if name in seen:
            continue
        via = tuple(sorted(references(value) & (moving | changed_params)))
        if not via:
            continue
        if rules is None and rtype != NESTED_STACK:
            extra.append(PropertyChange(name, value, value, "Unknown", via=via))
            continue
        forcing = tuple(
            "/".join(path)
            for path in (rules.create_only + rules.conditional if rules else ())
            if path[0] == name and references(_at(value, path[1:])) & set(via)
        )
        extra.append(PropertyChange(name, value, value, "Conditionally" if forcing else "Never", forcing, via))
    return extra


def _flag_renames(
    out: dict[str, Prediction], old_res: Mapping[str, Any], new_res: Mapping[str, Any], region: str
) -> None:
    """One removed and one added resource of the same type: most likely a rename. Say so, and say when
    the new one would reuse the old one's create-only name (created before the old is deleted: it fails)."""
    removed: dict[str, list[str]] = {}
    added: dict[str, list[str]] = {}
    for lid, p in out.items():
        (removed if p.action == "Remove" else added).setdefault(p.resource_type, []).append(lid)
    for rtype, gone in removed.items():
        came = added.get(rtype, [])
        if len(gone) != 1 or len(came) != 1:
            continue
        old_id, new_id = gone[0], came[0]
        rules = type_rules(rtype, region)
        clashes = [
            "/".join(path)
            for path in (rules.create_only if rules else ())
            if len(path) == 1
            and path[0].endswith(("Name", "Identifier"))
            and _at(_props(old_res[old_id]), path) is not MISSING
            and not has_intrinsic(_at(_props(new_res[new_id]), path))
            and _at(_props(old_res[old_id]), path) == _at(_props(new_res[new_id]), path)
        ]
        rename_note = (
            f"likely a rename of {old_id} to {new_id}: a new resource is created and the old one deleted, "
            "with any data it holds",
        )
        clash_note = (
            (
                f"{new_id} keeps {', '.join(clashes)} of {old_id}: it is created before {old_id} is deleted, so the "
                "update fails with 'already exists'",
            )
            if clashes
            else ()
        )
        out[old_id] = Prediction(old_id, "Remove", rtype, None, renamed=new_id, notes=rename_note)
        out[new_id] = Prediction(new_id, "Add", rtype, None, renamed=old_id, notes=rename_note + clash_note)
