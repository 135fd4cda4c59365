"""The input stamp: `build` and `lint` know that nothing changed without importing the compiler.

A target's output depends on its params, the compiler's sources, the settings, the interpreter and the
installed packages. `input_digest` hashes all of them (package versions read from the installers'
metadata folders, never by importing a package); after a successful build, `save` records that digest
with the sha256 of every file written (build/.stamps/<system>/<env>.json). `fresh` then answers "up to
date" only when the digest is the same AND every recorded output file is still there, unchanged, with
no stray template beside it, so a hand-edited or deleted output is rebuilt.

The inputs are deliberately broad: every file under the package (sources, rules, data), every params
file of the system plus any shared ones at the top of the params dir, pyproject.toml/stackc.toml, every
STACKC_* variable. A change anywhere there can only cost a rebuild, never a wrong "up to date".

Only the standard library is imported here: the no-op path must stay cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
SETTINGS_FILES = ("pyproject.toml", "stackc.toml")
STAMPS_DIR_NAME = ".stamps"
FORMAT = 1  # bump when the stamp's meaning changes
SKIP_DIRS = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def _feed(h, *parts: bytes | str) -> None:
    """Length-prefixed, so no two different sequences of parts hash alike."""
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)


def _tree(root: Path, skip: set[str] = frozenset()) -> Iterator[Path]:  # type: ignore[assignment]
    """Every file below `root` in a stable order (no byte-compiled caches)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and d not in skip)
        for name in sorted(filenames):
            if not name.endswith((".pyc", ".pyo")):
                yield Path(dirpath, name)


def _feed_files(h, root: Path, files: Iterable[Path]) -> None:
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:  # vanished or unreadable: hash the fact, the build will say what is wrong
            data = b"\x00unreadable"
        _feed(h, path.relative_to(root).as_posix(), data)


def installed_distributions() -> list[str]:
    """`<name>-<version>` of every installed distribution on sys.path, from the names of the
    installers' metadata folders (`*.dist-info`, `*.egg-info`): what importlib.metadata finds, without
    parsing 80 METADATA files or importing any package. A development egg-info folder has no version in
    its name (`stackc.egg-info`): its PKG-INFO says it."""
    found: set[str] = set()
    for entry in sys.path:
        if not entry:
            continue
        try:
            with os.scandir(entry) as it:
                for e in it:
                    if e.name.endswith((".dist-info", ".egg-info")):
                        name = e.name.rsplit(".", 1)[0]
                        found.add(name if "-" in name else f"{name}-{_pkg_info_version(Path(e.path))}")
        except OSError:  # not a folder (a zip, a missing path)
            continue
    return sorted(found)


def _pkg_info_version(folder: Path) -> str:
    for meta in ("PKG-INFO", "METADATA"):
        try:
            with (folder / meta).open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
                    if not line.strip():
                        break
        except OSError:
            continue
    return ""


def distribution_version(name: str) -> str | None:
    """The installed version of one distribution (`cfn-lint`), from its metadata folder's name, as
    importlib.metadata.version gives it (the first on sys.path)."""
    wanted = _normal(name)
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                names = sorted(e.name for e in it if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        for folder in names:
            stem = folder.rsplit(".", 1)[0]
            dist_name, _, version = stem.partition("-")
            if _normal(dist_name) == wanted:
                return version or _pkg_info_version(Path(entry or ".", folder))
    return None


def _normal(name: str) -> str:
    return name.replace("-", "_").replace(".", "_").lower()


def environment_digest(*setting_dirs: Path) -> str:
    """Everything but the params: the package's files, settings (the project file settings.py finds, and
    any pyproject.toml/stackc.toml in the checkout, the working directory and `setting_dirs`), STACKC_*
    variables, interpreter, packages."""
    h = hashlib.sha256(_files_and_packages_digest().encode())
    folders = {str(PROJECT_ROOT), str(Path.cwd()), *(str(d) for d in setting_dirs)}
    try:
        from .settings import find_project_file

        found = find_project_file()
    except Exception as exc:  # an unreadable project file: the command reports it; hash what we saw
        _feed(h, f"project file: {exc}")
    else:
        if found is not None:
            folders.add(str(found[0].parent))
    for folder in sorted(folders):
        for name in SETTINGS_FILES:
            path = Path(folder, name)
            if path.is_file():  # a file that appears or goes changes the digest all the same
                _feed(h, str(path), path.read_bytes())
    for key in sorted(k for k in os.environ if k.startswith("STACKC_")):
        _feed(h, key, os.environ[key])
    return h.hexdigest()


@cache
def _files_and_packages_digest() -> str:
    """The package's files, the interpreter and the installed packages: read once per process (a
    process that changes its own sources or installs packages while running calls `cache_clear`)."""
    h = hashlib.sha256()
    _feed(h, f"stackc-stamp-{FORMAT}", sys.version, sys.implementation.cache_tag or "")
    _feed_files(h, PACKAGE_DIR, _tree(PACKAGE_DIR))
    _feed(h, *installed_distributions())
    return h.hexdigest()


def cache_clear() -> None:
    _files_and_packages_digest.cache_clear()


def input_digest(system: str, env: str, params_dir: Path) -> str:
    """The digest of everything `system`/`env`'s build output depends on."""
    h = hashlib.sha256()
    params_dir = params_dir.resolve()
    _feed(h, environment_digest(params_dir.parent), system, env, str(params_dir))
    if params_dir.is_dir():
        # This system's folder and anything shared at the top; other systems' folders are not its inputs.
        others = {
            p.name
            for p in params_dir.iterdir()
            if p.is_dir() and p.name != system and not p.name.startswith((".", "_"))
        }
        _feed_files(h, params_dir, _tree(params_dir, others))
    return h.hexdigest()


@dataclass
class Record:
    """What a successful build left: its input digest, its files' hashes, and what `build` prints."""

    digest: str
    files: dict[str, str]  # path relative to the output folder -> sha256
    templates: list[str]  # template names (root and children; "<folder>/root" when multi-region)
    summary: list[tuple[str, int]]  # (template, resource count), as `build` reports it
    notes: list[str] = field(default_factory=list)


def stamp_path(build_dir: Path, system: str, env: str) -> Path:
    return build_dir / STAMPS_DIR_NAME / system / f"{env}.json"


def save(build_dir: Path, system: str, env: str, record: Record) -> None:
    path = stamp_path(build_dir, system, env)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, **record.__dict__}, indent=1, sort_keys=True))
    tmp.replace(path)


def forget(build_dir: Path, system: str, env: str) -> None:
    stamp_path(build_dir, system, env).unlink(missing_ok=True)


def fresh(build_dir: Path, out_dir: Path, system: str, env: str, digest: str) -> Record | None:
    """The stamp of an up-to-date output folder, or None when anything must be rebuilt."""
    try:
        data = json.loads(stamp_path(build_dir, system, env).read_text())
        if data.get("format") != FORMAT or data["digest"] != digest:
            return None
        record = Record(
            data["digest"],
            dict(data["files"]),
            list(data["templates"]),
            [(str(n), int(r)) for n, r in data["summary"]],
            list(data.get("notes", [])),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not record.files:
        return None
    for rel, sha in record.files.items():
        try:
            if hashlib.sha256((out_dir / rel).read_bytes()).hexdigest() != sha:
                return None
        except OSError:
            return None
    # A stray template the build would remove (compiler.write) means the folder is not what was built.
    folders = {out_dir} | {(out_dir / rel).parent for rel in record.files}
    for folder in folders:
        for path in [*folder.glob("*.json"), *folder.glob("*.yaml")]:
            if path.relative_to(out_dir).as_posix() not in record.files:
                return None
    return record


def file_hashes(files: dict[str, str]) -> dict[str, str]:
    """sha256 of each file's text as `compiler.write` writes it (UTF-8)."""
    return {name: hashlib.sha256(text.encode("utf-8")).hexdigest() for name, text in files.items()}
