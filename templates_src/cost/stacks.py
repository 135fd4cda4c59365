"""From a root template and its children to `StackInput`s with their parameter values resolved.

The root's parameters take the given values, else their Defaults (the env's values: stackc writes them
there); a child's parameter passed as `{"Ref": RootParam}` or a literal gets that value; one fed from
another stack's output stays unknown (the cost rules do not need those)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .estimate import NESTED, StackInput


def parameter_defaults(template: Mapping[str, Any], given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if given and name in given:
            out[name] = given[name]
        elif isinstance(spec, dict) and "Default" in spec:
            out[name] = spec["Default"]
    return out


def resolve(
    region: str,
    root: Mapping[str, Any],
    children: Mapping[str, tuple[str, Mapping[str, Any]]],
    root_values: Mapping[str, Any] | None = None,
    prefix: str = "",
) -> list[StackInput]:
    """`children`: nested-stack logical ID in the root -> (stack name, child template)."""
    values = parameter_defaults(root, root_values)
    out = [StackInput(region, f"{prefix}root", root, values)]
    for lid, res in sorted((root.get("Resources") or {}).items()):
        if not isinstance(res, dict) or res.get("Type") != NESTED or lid not in children:
            continue
        name, child = children[lid]
        given: dict[str, Any] = {}
        for key, value in ((res.get("Properties") or {}).get("Parameters") or {}).items():
            if isinstance(value, dict) and len(value) == 1 and value.get("Ref") in values:
                given[key] = values[value["Ref"]]
            elif not isinstance(value, (dict, list)):
                given[key] = value
        out.append(StackInput(region, f"{prefix}{name}", child, parameter_defaults(child, given)))
    return out


def from_compiled(compiled: Any) -> list[StackInput]:
    """Every stack of a `compiler.Compiled` (each region folder of a multi-region build, and global/)."""
    out: list[StackInput] = []
    for folder, part in compiled.parts():
        templates = {name: json.loads(text) for name, text in part.templates.items()}
        root = templates.get("root")
        if root is None:
            continue
        children: dict[str, tuple[str, Mapping[str, Any]]] = {}
        for lid, res in (root.get("Resources") or {}).items():
            url = (res.get("Properties") or {}).get("TemplateURL") if isinstance(res, dict) else None
            if res.get("Type") == NESTED and isinstance(url, str):
                name = url.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                if name in templates:
                    children[lid] = (name, templates[name])
        region = part.region or compiled.region or "us-east-1"
        out.extend(resolve(region, root, children, prefix=f"{folder}/" if folder else ""))
    return out
