"""Project settings from `[tool.stackc]` in pyproject.toml, read once."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    default_system: str
    default_env: str
    params_dir: Path
    build_dir: Path


@lru_cache(maxsize=1)
def settings() -> Settings:
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["stackc"]
    return Settings(
        default_system=data["default_system"],
        default_env=data["default_env"],
        params_dir=PROJECT_ROOT / data.get("params_dir", "params"),
        build_dir=PROJECT_ROOT / data.get("build_dir", "build"),
    )
