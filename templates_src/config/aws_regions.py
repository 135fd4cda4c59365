"""The region names AWS has, read from botocore's own partition data, so the list stays as current as
the installed botocore (`pip install -U boto3` brings new regions) and nobody maintains a copy.

Only the small `botocore/data/partitions.json` is read (well under a millisecond); botocore and boto3
are not imported, so `build` stays free of deploy-time start-up cost."""

from __future__ import annotations

import difflib
import importlib.util
import json
from functools import cache
from pathlib import Path


@cache
def known_regions() -> frozenset[str]:
    """Every region of every partition (aws, aws-cn, aws-us-gov, ...); empty when botocore's data is
    missing (then names are checked against the pattern only)."""
    data = _partitions_file()
    if data is None:
        return frozenset()
    partitions = json.loads(data.read_text(encoding="utf-8")).get("partitions", [])
    return frozenset(
        name
        for partition in partitions
        for name in partition.get("regions", {})
        if not name.endswith("-global")  # aws-global, aws-cn-global: endpoint aliases, not regions
    )


def _partitions_file() -> Path | None:
    spec = importlib.util.find_spec("botocore")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "partitions.json"
    return path if path.is_file() else None


def check_region(name: str) -> str:
    """`name` if AWS has that region; otherwise a ValueError naming the close matches and the list."""
    known = known_regions()
    if not known or name in known:
        return name
    close = difflib.get_close_matches(name, sorted(known), n=2)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise ValueError(f"expected a region AWS has ({hint}known regions: {', '.join(sorted(known))})")
