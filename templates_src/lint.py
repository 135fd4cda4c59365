"""cfn-lint in-process over built templates, plus the project's own rules (templates_src/lint_rules/).

Results are cached by content hash (a root's key covers its children, whose parameters cfn-lint checks
through the relative TemplateURLs), and uncached templates are linted in one batch per CPU core."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

RULES_DIR = Path(__file__).parent / "lint_rules"
CACHE_DIR_NAME = ".lint-cache"


@dataclass(frozen=True)
class Finding:
    template: str
    rule: str
    level: str
    path: str
    line: int
    message: str

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _rules_fingerprint() -> str:
    import cfnlint.version

    h = hashlib.sha256(cfnlint.version.__version__.encode())
    for rule in [Path(__file__), *sorted(RULES_DIR.glob("*.py"))]:
        h.update(rule.read_bytes())
    return h.hexdigest()


def _cache_key(path: Path, fingerprint: str) -> str:
    h = hashlib.sha256(fingerprint.encode())
    h.update(path.read_bytes())
    if path.stem == "root":  # E3043 reads the children through TemplateURL
        for sibling in sorted(path.parent.glob("*.json")):
            h.update(sibling.name.encode())
            h.update(sibling.read_bytes())
    return h.hexdigest()


def _lint_batch(paths: list[str]) -> dict[str, list[dict]]:
    """Runs in a worker process: one cfn-lint run over many templates."""
    import sys

    from cfnlint.api import ManualArgs, lint_by_config

    project_root = str(RULES_DIR.parent.parent)
    if project_root not in sys.path:  # the rules import templates_src
        sys.path.insert(0, project_root)
    # W3002: child TemplateURLs are relative in build/ by design; `package` rewrites them.
    config = ManualArgs(templates=paths, regions=["us-east-1"], ignore_checks=["W3002"])
    config["append_rules"] = [str(RULES_DIR)]  # type: ignore[typeddict-unknown-key]
    out: dict[str, list[dict]] = {p: [] for p in paths}
    for match in lint_by_config(config):
        filename = str(match.filename)
        key = filename if filename in out else next((p for p in paths if os.path.samefile(p, filename)), paths[0])
        out[key].append(
            {
                "rule": match.rule.id,
                "level": {"E": "error", "W": "warning", "I": "info"}.get(match.rule.id[0], "error"),
                "path": "/".join(str(p) for p in (match.path or [])),
                "line": match.linenumber,
                "message": match.message,
            }
        )
    return out


def lint_paths(paths: list[Path], cache_root: Path | None = None, workers: int | None = None) -> list[Finding]:
    """Lint templates (JSON files); informational findings are dropped."""
    fingerprint = _rules_fingerprint()
    cache_dir = cache_root / CACHE_DIR_NAME if cache_root else None
    results: dict[str, list[dict]] = {}
    todo: list[tuple[Path, str]] = []
    for path in paths:
        key = _cache_key(path, fingerprint)
        cached = cache_dir / f"{key}.json" if cache_dir else None
        if cached is not None and cached.is_file():
            results[str(path)] = json.loads(cached.read_text())
        else:
            todo.append((path, key))

    if todo:
        names = [str(p) for p, _ in todo]
        workers = workers or min(os.cpu_count() or 1, 4)
        batches = [names[i::workers] for i in range(workers)] if len(names) >= 2 * workers else [names]
        batches = [b for b in batches if b]
        if len(batches) == 1:
            linted = _lint_batch(batches[0])
        else:
            linted = {}
            with ProcessPoolExecutor(max_workers=len(batches)) as pool:
                for part in pool.map(_lint_batch, batches):
                    linted.update(part)
        for path, key in todo:
            found = linted.get(str(path), [])
            results[str(path)] = found
            if cache_dir is not None:
                cache_dir.mkdir(parents=True, exist_ok=True)
                (cache_dir / f"{key}.json").write_text(json.dumps(found))

    findings = []
    for path in paths:
        for f in results[str(path)]:
            if f["level"] != "info":
                findings.append(Finding(template=str(path), **f))
    return findings


def lint_targets(targets: list, build_dir: Path | None = None) -> tuple[list[Path], list[Finding]]:
    """Build what is stale (writing only changed files), then lint every template of the targets."""
    from . import compiler
    from .settings import settings

    build_dir = build_dir or settings().build_dir
    paths: list[Path] = []
    for built in compiler.build_targets(targets, build_dir):
        if built.error is not None:
            raise built.error
        paths.extend(built.out_dir / f"{name}.json" for name in built.compiled.templates)
    return paths, lint_paths(paths, cache_root=build_dir)
