"""How a path is shown to a person: relative to the working directory when it lies below it."""

from __future__ import annotations

from pathlib import Path


def shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
