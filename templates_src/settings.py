"""Project settings from `[tool.stackc]` in pyproject.toml, read once."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    default_system: str
    default_env: str
    params_dir: Path
    build_dir: Path


def settings() -> Settings:
    """`[tool.stackc]`; STACKC_PARAMS_DIR / STACKC_BUILD_DIR override the folders (tests use them)."""
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["stackc"]
    return Settings(
        default_system=os.environ.get("STACKC_DEFAULT_SYSTEM", data["default_system"]),
        default_env=os.environ.get("STACKC_DEFAULT_ENV", data["default_env"]),
        params_dir=Path(os.environ.get("STACKC_PARAMS_DIR") or PROJECT_ROOT / data.get("params_dir", "params")),
        build_dir=Path(os.environ.get("STACKC_BUILD_DIR") or PROJECT_ROOT / data.get("build_dir", "build")),
    )
