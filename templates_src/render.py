"""Template dicts to bytes: canonical key order, JSON and short-form YAML, identical for identical input."""

from __future__ import annotations

import json
from typing import Any

from .render_yaml import json_to_yaml

__all__ = ["canonical", "dumps", "json_to_yaml", "to_json"]

TOP_ORDER = [
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
]
RESOURCE_ORDER = [
    "Type",
    "Condition",
    "DependsOn",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "UpdatePolicy",
    "CreationPolicy",
    "Metadata",
    "Properties",
]


def canonical(template: dict[str, Any]) -> dict[str, Any]:
    """Readers expect Parameters before Resources and Type before Properties; all else is sorted."""
    out: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    for key in sorted(template, key=lambda k: (TOP_ORDER.index(k) if k in TOP_ORDER else 99, k)):
        value = template[key]
        if key == "Resources":
            value = {
                name: {
                    k: _sorted(res[k])
                    for k in sorted(res, key=lambda k: (RESOURCE_ORDER.index(k) if k in RESOURCE_ORDER else 99, k))
                }
                for name, res in sorted(value.items())
            }
        elif key == "Metadata":
            value = _sorted(value, keep_lists=True)
        else:
            value = _sorted(value)
        out[key] = value
    return out


def _sorted(value: Any, keep_lists: bool = True) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def to_json(template: dict[str, Any]) -> str:
    return json.dumps(canonical(template), indent=2, ensure_ascii=False) + "\n"


def dumps(data: Any) -> str:
    """Any other build artefact (manifest, parameters): sorted keys, newline at the end."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
