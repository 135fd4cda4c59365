"""Change sets saved as files: `aws cloudformation describe-change-set --include-property-values` output,
read back for an offline review (`review FILE...`).

Accepted: one file per change set (the root first, then its nested ones, in any order), or one file
holding a JSON list of them; the AWS CLI's JSON as it prints it (nulls included: a null is an absent
field), and the console's camelCase keys. Every response is checked to be a DescribeChangeSet output
(ChangeSetId or ChangeSetName, and Changes) before it is reviewed. Pure but for reading the files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import UsageError
from . import review as rv


def normalise(value: Any) -> Any:
    """Nulls dropped (the AWS CLI prints absent fields as null), camelCase keys made PascalCase (the
    console's JSON); values are left alone except BeforeContext/AfterContext objects, kept as JSON text."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            key = key[:1].upper() + key[1:] if isinstance(key, str) else key
            if key in ("BeforeContext", "AfterContext") and not isinstance(item, str):
                out[key] = json.dumps(item)
                continue
            out[key] = normalise(item)
        return out
    if isinstance(value, list):
        return [normalise(v) for v in value if v is not None]
    return value


def _load(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(
            f"{path}:{getattr(exc, 'lineno', '?')}: not JSON ({getattr(exc, 'msg', exc)}); expected the output of "
            "`aws cloudformation describe-change-set --include-property-values --output json`"
        ) from None
    items = data if isinstance(data, list) else [data]
    out = []
    for i, item in enumerate(items):
        where = f"{path}" + (f"[{i}]" if isinstance(data, list) else "")
        item = normalise(item)
        if (
            not isinstance(item, dict)
            or "Changes" not in item
            or not (item.get("ChangeSetId") or item.get("ChangeSetName"))
        ):
            raise UsageError(
                f"{where}: not a DescribeChangeSet output (expected an object with ChangeSetId or ChangeSetName "
                "and Changes)"
            )
        out.append(item)
    return out


def read(paths: list[Path]) -> list[dict[str, Any]]:
    """Every change set in the files, the root first: the one no other names as its parent, else the first."""
    responses = [r for path in paths for r in _load(path)]
    if not responses:
        raise UsageError("no change set in the files given")
    roots = [r for r in responses if not r.get("ParentChangeSetId")]
    root = roots[0] if roots else responses[0]
    return [root] + [r for r in responses if r is not root]


def review_files(paths: list[Path]) -> rv.Review:
    """The review of saved change sets. A saved change set does not say whether it creates the stack nor
    what the stack's parameters were: its parameters are listed as it has them."""
    return rv.build_review(read(paths), change_set_type="", current_parameters=None)
