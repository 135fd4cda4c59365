"""Build targets into build/<system>/<env>/, skipping those whose input stamp says nothing changed.

This module imports only the standard library and the stamp: a no-op `build` or `lint` never loads
pydantic, troposphere or cfn-lint. The compiler is imported the first time a target must be compiled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import stamp
from .errors import StackcError
from .settings import settings

if TYPE_CHECKING:
    from .compiler import Compiled
    from .targets import Target


@dataclass
class Built:
    """One target after `build_targets`: where it went and what changed, or why it failed.

    `compiled` is None when the stamp showed the output up to date (nothing was compiled); `templates`,
    `summary` and `notes` are there either way."""

    target: Target
    out_dir: Path
    compiled: Compiled | None = None
    changed: list[Path] = field(default_factory=list)
    error: StackcError | None = None
    templates: list[str] = field(default_factory=list)  # template names, as Compiled.templates
    summary: list[tuple[str, int]] = field(default_factory=list)  # (template, resources)
    notes: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return self.error is None and not self.changed


def output_dir(target: Target, build_dir: Path | None = None) -> Path:
    return (build_dir or settings().build_dir) / target.system / target.env


def build_targets(targets: list[Target], build_dir: Path | None = None) -> list[Built]:
    """Compile and write each target whose inputs or output changed since its last build; a broken one
    is reported in its `Built` and the rest still build."""
    build_dir = build_dir or settings().build_dir
    out: list[Built] = []
    for target in targets:
        out.append(build_target(target, build_dir))
    return out


def build_target(target: Target, build_dir: Path) -> Built:
    built = Built(target, output_dir(target, build_dir))
    digest = stamp.input_digest(target.system, target.env, target.params_dir)  # before reading any input
    record = stamp.fresh(build_dir, built.out_dir, target.system, target.env, digest)
    if record is not None:
        built.templates, built.summary, built.notes = record.templates, record.summary, record.notes
        return built

    from . import compiler

    tune_gc()
    try:
        compiled = compiler.compile_target(target)
    except StackcError as exc:
        built.error = exc
        return built
    built.compiled = compiled
    built.changed = compiler.write(compiled, built.out_dir)
    built.templates = list(compiled.templates)
    built.summary = [(s.name, s.resources) for s in compiled.stats]
    built.notes = list(compiled.notes)
    stamp.save(
        build_dir,
        target.system,
        target.env,
        stamp.Record(digest, stamp.file_hashes(compiled.files), built.templates, built.summary, built.notes),
    )
    return built


def tune_gc() -> None:
    """Call after the heavy imports (compiler, cfn-lint and its rules). A compile or lint allocates many
    long-lived objects and frees few: the default thresholds run collections that find nothing (10-15%
    of a 300-service compile). gc.freeze moves what exists out of the collector's way (and keeps a forked
    lint worker from copying every page the collector would touch); young objects are collected less
    often. Reference counting still frees everything acyclic at once. Safe to call again."""
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
