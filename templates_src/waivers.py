"""Waivers from params (config/waivers.py) into the templates' Metadata, and back out for review.

The compiler writes no suppression of its own: the only `checkov.skip` and `cfn-lint.config.ignore_checks`
entries in build/ are the ones `apply` writes here, one per resource a waiver matches, with the waiver's
reason. `unmatched` finds the waivers that matched nothing (a config error: the finding they waive is
gone or the pattern is wrong), and `in_template` reads them back (tests, `build`, the plan)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # light at run time: `build` lists waivers of an up-to-date output without pydantic
    from .config.waivers import Waiver

# Template-level Metadata that tells the project's prod rules (lint_rules/) the template is prod's.
PROD_MARK = {"stackc": {"prod": True}}


@dataclass(frozen=True)
class Applied:
    index: int  # position in `waivers:` (the config path of a problem)
    waiver: Waiver
    resources: list[str] = field(default_factory=list)  # "<stack>/<LogicalId>" it was written on


def matches(pattern: str, stack: str, logical_id: str) -> bool:
    if "/" in pattern:
        stack_pattern, id_pattern = pattern.split("/", 1)
        return fnmatchcase(stack, stack_pattern) and fnmatchcase(logical_id, id_pattern)
    return fnmatchcase(logical_id, pattern)


def apply(templates: dict[str, dict], waivers: list[Waiver]) -> list[Applied]:
    """Write each waiver into the Metadata of every resource it matches (templates: name -> dict)."""
    out = []
    for index, waiver in enumerate(waivers):
        hit = []
        for stack, template in templates.items():
            for logical_id, resource in (template.get("Resources") or {}).items():
                if matches(waiver.resource, stack, logical_id):
                    _write(resource, waiver)
                    hit.append(f"{stack}/{logical_id}")
        out.append(Applied(index, waiver, hit))
    return out


def _write(resource: dict, waiver: Waiver) -> None:
    metadata = resource.setdefault("Metadata", {})
    if waiver.is_checkov:
        skips = metadata.setdefault("checkov", {}).setdefault("skip", [])
        if all(s["id"] != waiver.id for s in skips):
            skips.append({"id": waiver.id, "comment": waiver.reason})
    else:
        ignored = metadata.setdefault("cfn-lint", {}).setdefault("config", {}).setdefault("ignore_checks", [])
        if waiver.id not in ignored:
            ignored.append(waiver.id)
        # cfn-lint's Metadata has no place for a reason: keep it beside, for people and the plan.
        reasons = metadata.setdefault("stackc", {}).setdefault("waivers", {})
        reasons[waiver.id] = waiver.reason


def unmatched(applied_per_part: list[list[Applied]]) -> list[Applied]:
    """The waivers that matched no resource in any part (region) of a build."""
    if not applied_per_part:
        return []
    hits: dict[int, Applied] = {}
    for part in applied_per_part:
        for a in part:
            if a.resources or a.index not in hits:
                hits[a.index] = a
    return [a for a in hits.values() if not a.resources]


@dataclass(frozen=True)
class Found:
    """A suppression found in a template: on which resource, which id, and the reason given."""

    stack: str
    logical_id: str
    id: str
    reason: str
    scanner: str  # "checkov" | "cfn-lint"


def in_template(stack: str, template: dict[str, Any]) -> list[Found]:
    """Every suppression a template carries (whoever wrote it), in a stable order."""
    out = []
    for logical_id, resource in sorted((template.get("Resources") or {}).items()):
        metadata = resource.get("Metadata") or {}
        for skip in (metadata.get("checkov") or {}).get("skip") or []:
            out.append(Found(stack, logical_id, skip.get("id", ""), skip.get("comment", ""), "checkov"))
        reasons = (metadata.get("stackc") or {}).get("waivers") or {}
        for rule in ((metadata.get("cfn-lint") or {}).get("config") or {}).get("ignore_checks") or []:
            out.append(Found(stack, logical_id, rule, reasons.get(rule, ""), "cfn-lint"))
    return out


def listed(out_dir: Path, templates: list[str]) -> list[str]:
    """`<id> on <where>: <reason>` for each waiver in the built templates (names as Compiled.templates),
    the resources it went on joined: what `build` prints, fresh or up to date."""
    groups: dict[tuple[str, str], list[str]] = {}
    for name in templates:
        path = out_dir / f"{name}.json"
        if not path.is_file():
            continue
        folder, _, stack = name.rpartition("/")
        for found in in_template(stack, json.loads(path.read_text())):
            where = f"{folder}/{stack}/{found.logical_id}" if folder else f"{stack}/{found.logical_id}"
            groups.setdefault((found.id, found.reason), []).append(where)
    return [f"{rule} on {', '.join(wheres)}: {reason}" for (rule, reason), wheres in groups.items()]


def is_prod(template: dict[str, Any]) -> bool:
    """Whether the compiler marked `template` as a prod env's (the prod lint rules apply)."""
    return ((template.get("Metadata") or {}).get("stackc") or {}).get("prod") is True
