"""Config names are logical IDs: `api-2` -> `Api2Service`. Two names of one kind that differ only in
'-' (`api-2` and `api2`) would give two resources the same logical ID, which a template cannot hold;
they are reported here, at the second name, instead of failing the build."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ..naming import pascal
from .base import Finding
from .data import Efs, Timestream

if TYPE_CHECKING:
    from .system import System


def check_logical_names(cfg: System) -> Iterator[Finding]:
    """Per kind of name (stores and keys together: `uses:` names both), no two names with one logical ID."""
    yield from _distinct([("services", n) for n in cfg.services])
    yield from _distinct([("load_balancers", n) for n in cfg.load_balancers])
    yield from _distinct([("secrets", n) for n in cfg.secrets])
    yield from _distinct([("data", n) for n in cfg.data] + [("keys", n) for n in cfg.keys])
    for name, svc in cfg.services.items():
        yield from _distinct([("services", name, "containers", c) for c in svc.containers])
    for name, store in cfg.data.items():
        if isinstance(store, Efs):
            yield from _distinct([("data", name, "access_points", a) for a in store.access_points])
        elif isinstance(store, Timestream):
            yield from _distinct([("data", name, "tables", t) for t in store.tables])


def _distinct(paths: Iterable[tuple[str, ...]]) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for path in paths:
        name = path[-1]
        logical = pascal(name)
        other = seen.setdefault(logical, name)
        if other != name:
            yield Finding(
                path,
                f"becomes {logical} in logical IDs, as {other!r} does (names that differ only "
                "in '-' would name two resources alike); rename one",
                name,
            )
