"""The local difference between the build and what is deployed, with no change set: per stack (root and
nested), the resources added, removed and changed, the changed properties, and the replacement each
change will cause, predicted by templates_src/replacement.py (the prediction the review also uses).

Pure: templates and parameter values in, `StackDiff`s out, rendered as text, markdown or json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..replacement import MISSING, Prediction, predict, references
from .deployed import DeployedStack

NESTED = "AWS::CloudFormation::Stack"
JSON_VERSION = 1


@dataclass(frozen=True)
class StackDiff:
    folder: str  # "" single-region, else the region or "global"
    region: str
    path: str  # "shop-prod" or "shop-prod/DataStack"
    name: str  # template name in build/: "root", "data", ...
    status: str  # added | removed | changed | unchanged
    resources: dict[str, Prediction] = field(default_factory=dict)
    parameters: tuple[tuple[str, str | None, str | None], ...] = ()  # (name, deployed, built) that differ


@dataclass(frozen=True)
class BuiltStacks:
    """One root of the build: its template, parameter values and children by logical ID."""

    folder: str
    region: str
    stack_name: str
    root: Mapping[str, Any]
    root_values: Mapping[str, str]  # parameters.json (+ --parameter overrides)
    children: Mapping[str, tuple[str, Mapping[str, Any]]]  # logical ID -> (template name, template)


def compare(built: BuiltStacks, deployed: list[DeployedStack] | None) -> list[StackDiff]:
    """Every stack of one root, in build order (root first); `deployed` None: nothing is deployed yet."""
    region, folder = built.region, built.folder
    if not deployed:
        out = [_added(built, built.stack_name, "root", built.root)]
        out += [
            _added(built, f"{built.stack_name}/{lid}", name, t) for lid, (name, t) in sorted(built.children.items())
        ]
        return out
    by_path = {d.path: d for d in deployed}
    root_dep = by_path.get(built.stack_name) or deployed[0]
    out = [
        _changed(
            folder, region, root_dep.path, "root", root_dep.template, built.root, root_dep.parameters, built.root_values
        )
    ]
    new_root_values = {**_defaults(built.root), **built.root_values}
    stack_resources = built.root.get("Resources") or {}
    # A child's input fed from another child's output changes when that output refers to something that
    # moves (replaced, added, removed) or to a changed parameter: follow that until nothing new moves.
    moving_outputs: set[tuple[str, str]] = set()
    children_out: dict[str, StackDiff] = {}
    for _ in range(len(built.children) + 1):
        grew = False
        for lid, (name, template) in sorted(built.children.items()):
            path = f"{root_dep.path}/{lid}"
            dep = by_path.get(path)
            if dep is None:
                children_out[lid] = _added(built, path, name, template)
                continue
            given = dict(dep.parameters)  # values fed from other stacks' outputs stay as deployed...
            changing = []  # ...unless that output moves
            stack_props = (stack_resources.get(lid) or {}).get("Properties") or {}
            for key, value in (stack_props.get("Parameters") or {}).items():
                if isinstance(value, dict) and len(value) == 1 and value.get("Ref") in new_root_values:
                    given[key] = new_root_values[value["Ref"]]
                elif not isinstance(value, (dict, list)):
                    given[key] = str(value)
                elif _output_of(value) in moving_outputs:
                    changing.append(key)
            result = _changed(folder, region, path, name, dep.template, template, dep.parameters, given, changing)
            children_out[lid] = result
            for output in _moving_outputs(template, result, given, dep.parameters, changing):
                if (lid, output) not in moving_outputs:
                    moving_outputs.add((lid, output))
                    grew = True
        if not grew:
            break
    out += [children_out[lid] for lid in sorted(built.children)]
    known = {f"{root_dep.path}/{lid}" for lid in built.children} | {root_dep.path}
    for dep in deployed:
        if dep.path not in known and dep.path.count("/") == 1:
            removed = predict(dep.template, {"Resources": {}}, region=region)
            out.append(StackDiff(folder, region, dep.path, dep.logical_id, "removed", removed))
    return out


def _output_of(value: Any) -> tuple[str, str] | None:
    """`{"Fn::GetAtt": ["NetworkStack", "Outputs.VpcId"]}` -> ("NetworkStack", "VpcId")."""
    if isinstance(value, dict) and len(value) == 1 and "Fn::GetAtt" in value:
        arg = value["Fn::GetAtt"]
        target, attr = (
            (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else [*str(arg).split(".", 1), ""][:2]
        )
        if isinstance(attr, str) and attr.startswith("Outputs."):
            return str(target), attr.removeprefix("Outputs.")
    return None


def _moving_outputs(
    template: Mapping[str, Any],
    result: StackDiff,
    new_values: Mapping[str, Any],
    old_values: Mapping[str, Any],
    changing: list[str],
) -> list[str]:
    """The outputs of a child whose value may change: they refer to a resource that moves or to an input
    that changes."""
    moving = {lid for lid, p in result.resources.items() if p.action != "Modify" or p.replaces}
    moving |= set(changing) | {k for k in new_values if str(new_values.get(k)) != str(old_values.get(k))}
    return sorted(
        name
        for name, output in (template.get("Outputs") or {}).items()
        if isinstance(output, dict) and references(output.get("Value")) & moving
    )


def _defaults(template: Mapping[str, Any]) -> dict[str, str]:
    return {
        k: str(v["Default"])
        for k, v in (template.get("Parameters") or {}).items()
        if isinstance(v, dict) and "Default" in v
    }


def _added(built: BuiltStacks, path: str, name: str, template: Mapping[str, Any]) -> StackDiff:
    return StackDiff(
        built.folder, built.region, path, name, "added", predict({"Resources": {}}, template, region=built.region)
    )


def _changed(
    folder: str,
    region: str,
    path: str,
    name: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    old_values: Mapping[str, str],
    new_values: Mapping[str, str],
    changing: list[str] | None = None,
) -> StackDiff:
    resources = predict(
        old,
        new,
        region=region,
        old_parameters=old_values,
        new_parameters=new_values,
        changing_parameters=changing or (),
    )
    resources = {
        lid: p for lid, p in resources.items() if p.resource_type != NESTED or p.action != "Modify" or _edited(p)
    }
    merged_new = {**_defaults(new), **new_values}
    params = tuple(
        (
            k,
            old_values.get(k),
            "(changes: fed from an output that moves)" if k in (changing or ()) else merged_new.get(k),
        )
        for k in sorted(set(old_values) | set(merged_new))
        if (old_values.get(k) != merged_new.get(k) or k in (changing or ()))
        and not (old_values.get(k) or "").startswith("****")
    )
    return StackDiff(folder, region, path, name, "changed" if resources or params else "unchanged", resources, params)


def _edited(p: Prediction) -> bool:
    """A nested stack resource whose own properties (TemplateURL aside) changed: its parameters or tags."""
    return any(c.edited and c.name != "TemplateURL" for c in p.changes)


# ------------------------------------------------------------------------------------------------ render


def _show(value: Any, width: int = 70) -> str:
    if value is MISSING:
        return "(not set)"
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= width else text[: width - 3] + "..."


def summary(diffs: list[StackDiff]) -> dict[str, int]:
    preds = [p for d in diffs for p in d.resources.values()]
    return {
        "stacks_changed": sum(1 for d in diffs if d.status != "unchanged"),
        "add": sum(1 for p in preds if p.action == "Add"),
        "remove": sum(1 for p in preds if p.action == "Remove"),
        "modify": sum(1 for p in preds if p.action == "Modify"),
        "replace": sum(1 for p in preds if p.replacement == "True"),
        "conditional": sum(1 for p in preds if p.replacement == "Conditional"),
        "unknown": sum(1 for p in preds if p.replacement == "Unknown"),
    }


def _verdict(p: Prediction) -> str:
    if p.action != "Modify":
        return ""
    if p.replacement == "True":
        return f"REPLACED (forced by {', '.join(p.forcing)})"
    if p.replacement == "Conditional":
        return f"may be replaced (by {', '.join(p.forcing)})"
    if p.replacement == "Unknown":
        return "replacement unknown (no resource schema)"
    return "in place"


def render_text(diffs: list[StackDiff], title: str) -> str:
    out = [f"{title}: build vs deployed (no change set)"]
    for d in diffs:
        where = f"{d.region} " if d.folder else ""
        head = f"{where}{d.path}" + (f" ({d.name})" if d.name and d.name != "root" else "")
        if d.status == "unchanged":
            out.append(f"  {head}: no change")
            continue
        label = {"added": "new stack", "removed": "stack removed", "changed": ""}[d.status]
        out.append(f"  {head}{': ' + label if label else ''}")
        for name, before, after in d.parameters:
            out.append(f"      parameter {name}: {before!r} -> {after!r}")
        for lid, p in d.resources.items():
            sign = {"Add": "+", "Remove": "-", "Modify": "~"}[p.action]
            verdict = _verdict(p)
            out.append(f"    {sign} {lid} {p.resource_type}" + (f"  {verdict}" if verdict else ""))
            if d.status in ("added", "removed"):
                continue
            for note in p.notes:
                out.append(f"        ! {note}")
            for c in p.changes:
                if not c.edited and c.via:
                    out.append(f"        {c.name}: changes with {', '.join(c.via)} ({_force(c.requires_recreation)})")
                    continue
                via = f", via {', '.join(c.via)}" if c.via else ""
                for path, before, after in _narrowed(c.name, c.before, c.after):
                    out.append(
                        f"        {path}: {_show(before)} -> {_show(after)} ({_force(c.requires_recreation)}{via})"
                    )
    s = summary(diffs)
    out.append(
        f"{s['stacks_changed']} stack(s) differ: {s['add']} to add, {s['remove']} to remove, {s['modify']} to change "
        f"({s['replace']} replaced, {s['conditional']} may be replaced, {s['unknown']} unknown)"
    )
    return "\n".join(out) + "\n"


def _narrowed(path: str, before: Any, after: Any) -> list[tuple[str, Any, Any]]:
    """Where two objects differ, key by key (`GenerateSecretString/SecretStringTemplate`), so a long value's change
    is not hidden past the shown width; anything else as it is."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return [(path, before, after)]
    out: list[tuple[str, Any, Any]] = []
    for key in sorted(set(before) | set(after)):
        if before.get(key, MISSING) != after.get(key, MISSING):
            out += _narrowed(f"{path}/{key}", before.get(key, MISSING), after.get(key, MISSING))
    return out or [(path, before, after)]


def _force(recreation: str) -> str:
    return {"Always": "forces replacement", "Conditionally": "may force replacement", "Never": "in place"}.get(
        recreation, "unknown"
    )


def render_markdown(diffs: list[StackDiff], title: str) -> str:
    out = [
        f"### {title}: build vs deployed",
        "",
        "| Stack | Resource | Type | Action | Replacement | Forced by |",
        "|---|---|---|---|---|---|",
    ]
    for d in diffs:
        for lid, p in d.resources.items():
            forcing = ", ".join(p.forcing)
            out.append(f"| {d.path} | {lid} | {p.resource_type} | {p.action} | {p.replacement or ''} | {forcing} |")
    s = summary(diffs)
    out += ["", f"{s['stacks_changed']} stack(s) differ; {s['replace']} replaced, {s['conditional']} may be replaced."]
    return "\n".join(out) + "\n"


def to_json(diffs: list[StackDiff]) -> str:
    data = {
        "version": JSON_VERSION,
        "summary": summary(diffs),
        "stacks": [
            {
                "folder": d.folder,
                "region": d.region,
                "path": d.path,
                "template": d.name,
                "status": d.status,
                "parameters": [{"name": n, "deployed": a, "built": b} for n, a, b in d.parameters],
                "resources": [p.to_json() for p in d.resources.values()],
            }
            for d in diffs
        ],
    }
    return json.dumps(data, indent=2, sort_keys=True, default=lambda o: None) + "\n"
