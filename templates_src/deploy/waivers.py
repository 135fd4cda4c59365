"""The waivers a plan deploys, read back from the built templates' Metadata (templates_src/waivers.py
wrote them from params): a reviewer sees which findings stay, where, and why, next to the changes."""

from __future__ import annotations

import json
from typing import Any

from ..waivers import Found, in_template
from .multiregion import Layout


def in_layout(layout: Layout) -> list[tuple[str, Found]]:
    """(folder name, suppression) of every template of every root, in deploy order."""
    out = []
    for folder in (*layout.regional, *((layout.dns,) if layout.dns else ())):
        for path in sorted(folder.target.build_dir.glob("*.json")):
            if path.name in ("manifest.json", "parameters.json"):
                continue
            template = json.loads(path.read_text())
            out += [(folder.name, found) for found in in_template(path.stem, template)]
    return out


def render(found: list[tuple[str, Found]], markdown: bool = False) -> str:
    """A section for the review: one line per waived finding, grouped by rule and reason."""
    if not found:
        return ""
    groups: dict[tuple[str, str], list[str]] = {}
    for folder, f in found:
        where = f"{folder}/{f.stack}/{f.logical_id}" if folder else f"{f.stack}/{f.logical_id}"
        groups.setdefault((f.id, f.reason), []).append(where)
    if markdown:
        lines = [f"**Waivers** ({len(groups)}): findings that stay, decided in params", ""]
        lines += [
            f"- `{rule}` on {', '.join(f'`{w}`' for w in wheres)}: {reason}"
            for (rule, reason), wheres in groups.items()
        ]
    else:
        lines = [f"Waivers ({len(groups)}): findings that stay, decided in params"]
        lines += [f"  {rule} on {', '.join(wheres)}: {reason}" for (rule, reason), wheres in groups.items()]
    return "\n".join(lines)


def to_json(found: list[tuple[str, Found]]) -> list[dict[str, Any]]:
    """`plan --format json`'s `waivers[]`: one object per waived finding per resource."""
    return [
        {
            "id": f.id,
            "folder": folder,
            "stack": f.stack,
            "logical_id": f.logical_id,
            "resource": f"{f.stack}/{f.logical_id}",
            "scanner": f.scanner,
            "reason": f.reason,
        }
        for folder, f in found
    ]
