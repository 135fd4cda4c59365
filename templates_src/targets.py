"""Which system and environment to build, and where their params live: found without loading them.

Light on purpose (standard library only): `build` and `lint` resolve their targets and check the input
stamp before the config models (pydantic) are imported."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .settings import settings

BASE_FILE = "_base.yaml"


@dataclass(frozen=True)
class Target:
    """Which system and environment, and where their params live."""

    system: str
    env: str
    params_dir: Path

    @property
    def system_dir(self) -> Path:
        return self.params_dir / self.system

    @property
    def base_file(self) -> Path:
        return self.system_dir / BASE_FILE

    @property
    def env_file(self) -> Path:
        return self.system_dir / f"{self.env}.yaml"


def systems(params_dir: Path | None = None) -> list[str]:
    root = params_dir or settings().params_dir
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def envs(system: str, params_dir: Path | None = None) -> list[str]:
    root = (params_dir or settings().params_dir) / system
    return sorted(p.stem for p in root.glob("*.yaml") if not p.name.startswith("_"))


def all_targets(params_dir: Path | None = None) -> list[Target]:
    root = params_dir or settings().params_dir
    return [Target(s, e, root) for s in systems(root) for e in envs(s, root)]


def resolve_target(system: str | None, env: str | None, params_dir: Path | None = None) -> Target:
    """The target named on the command line (defaults from the project file), which must exist."""
    cfg = settings()
    root = params_dir or cfg.params_dir
    if not root.is_dir():
        raise UsageError(
            f"no params folder {rel(root)}: run `stackc init NAME` to scaffold a system, or set params_dir in "
            f"{cfg.project_file or 'stackc.toml'}"
        )
    system = system or cfg.default_system or _only("system", systems(root), "--system")
    if not (root / system).is_dir():
        raise UsageError(
            f"unknown system {system!r}: no folder {rel(root / system)}{_known('systems', system, systems(root))}"
        )
    env = env or cfg.default_env or _only("env", envs(system, root), "--env")
    target = Target(system, env, root)
    if env.startswith("_"):
        raise UsageError(
            f"{env!r} is not an env: files starting with '_' are shared by every env"
            f"{_known('envs', env, envs(system, root))}"
        )
    if not target.env_file.is_file():
        raise UsageError(
            f"unknown env {env!r} for system {system!r}: no file {rel(target.env_file)}"
            f"{_known('envs', env, envs(system, root))}"
        )
    return target


def _only(kind: str, names: list[str], option: str) -> str:
    """The default when none is configured: the only one there is."""
    if len(names) == 1:
        return names[0]
    which = f" ({kind}s: {', '.join(names)})" if names else ""
    raise UsageError(f"which {kind}? pass {option} NAME or set default_{kind} in stackc.toml{which}")


def _known(kind: str, name: str, names: list[str]) -> str:
    """' (did you mean ...?; systems: a, b)' for a usage error."""
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f" ({hint}{kind}: {', '.join(names) or 'none'})"


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(settings().params_dir.parent))
    except ValueError:
        return str(path)
