"""Project settings: where a user's params and build folders are, and the default system and env.

A project is the nearest folder, walking up from the working directory, that holds a `stackc.toml`
(top-level keys) or a `pyproject.toml` with a `[tool.stackc]` table (stackc.toml wins in one folder).
Its folders are relative to that file. Without a project file the working directory is the project,
with `params/` and `build/`. STACKC_PARAMS_DIR / STACKC_BUILD_DIR override the folders and
STACKC_DEFAULT_SYSTEM / STACKC_DEFAULT_ENV the defaults (the tests use them)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError, Problem

PROJECT_FILE = "stackc.toml"
KEYS = {
    "params_dir": "the folder holding one folder per system (default: params)",
    "build_dir": "where `stackc build` writes the templates (default: build)",
    "default_system": "the system commands use without --system (default: the only one, if there is one)",
    "default_env": "the env commands use without --env (default: the only one, if there is one)",
}


@dataclass(frozen=True)
class Settings:
    root: Path  # the project folder
    project_file: Path | None  # None: no stackc.toml / [tool.stackc] found; the working directory is used
    default_system: str | None
    default_env: str | None
    params_dir: Path
    build_dir: Path


def find_project_file(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The nearest stackc.toml, or pyproject.toml with [tool.stackc], from `start` (the cwd) upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        own = folder / PROJECT_FILE
        if own.is_file():
            return own, _read(own, ())
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            data = _read(pyproject, ("tool",))
            if isinstance(data.get("stackc"), dict):
                return pyproject, data["stackc"]
    return None


def _read(path: Path, table: tuple[str, ...]) -> dict[str, Any]:
    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError([Problem(str(path), "", f"cannot be read as TOML ({exc})")]) from None
    for key in table:
        data = data.get(key, {})
        if not isinstance(data, dict):
            return {}
    return data


def settings(start: Path | None = None) -> Settings:
    found = find_project_file(start)
    if found is None:
        root, project_file, data = (start or Path.cwd()).resolve(), None, dict[str, Any]()
    else:
        project_file, data = found
        root = project_file.parent
    _check(project_file, data)
    params = os.environ.get("STACKC_PARAMS_DIR") or root / data.get("params_dir", "params")
    build = os.environ.get("STACKC_BUILD_DIR") or root / data.get("build_dir", "build")
    return Settings(
        root=root,
        project_file=project_file,
        default_system=os.environ.get("STACKC_DEFAULT_SYSTEM") or data.get("default_system"),
        default_env=os.environ.get("STACKC_DEFAULT_ENV") or data.get("default_env"),
        params_dir=Path(params),
        build_dir=Path(build),
    )


def _check(project_file: Path | None, data: dict[str, Any]) -> None:
    import difflib

    problems = []
    where = str(project_file)
    table = "tool.stackc." if project_file is not None and project_file.name == "pyproject.toml" else ""
    for key, value in data.items():
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; expected one of: {', '.join(KEYS)}"
            problems.append(Problem(where, f"{table}{key}", f"unknown key {key!r}{hint}"))
        elif not isinstance(value, str) or not value:
            problems.append(Problem(where, f"{table}{key}", f"expected text: {KEYS[key]}", value, True))
    if problems:
        raise ConfigError(problems)
