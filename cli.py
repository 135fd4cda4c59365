#!/usr/bin/env python3
"""stackc command line: parse options, call one library function, print, exit with its code.

Only this file knows click. Library code raises typed errors (templates_src/errors.py); they become a
message on stderr and an exit code here: 2 for bad input, 3 for a refused dangerous change, 1 otherwise.
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from templates_src.errors import StackcError  # noqa: E402


def reports_errors(fn):
    """Turn library errors into messages and exit codes; never show a traceback for them."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StackcError as exc:
            for line in exc.lines():
                click.secho(f"error: {line}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so plainly; STACKC_DEBUG=1 shows the traceback
            if os.environ.get("STACKC_DEBUG"):
                raise
            click.secho(f"internal error: {type(exc).__name__}: {exc} (set STACKC_DEBUG=1 for the traceback)", fg="red", err=True)
            sys.exit(1)

    return wrapper


def selection_options(fn):
    fn = click.option("--all", "all_", is_flag=True, help="Every system and env under params/.")(fn)
    fn = click.option("--env", "-e", help="Environment (default from pyproject.toml [tool.stackc]).")(fn)
    fn = click.option("--system", "-s", help="System (default from pyproject.toml [tool.stackc]).")(fn)
    return fn


def _targets(system, env, all_):
    from templates_src.config.load import all_targets, resolve_target

    if all_:
        if system or env:
            raise click.UsageError("--all goes without --system/--env")
        return all_targets()
    return [resolve_target(system, env)]


@click.group()
def cli() -> None:
    """stackc: compile params/<system>/<env>.yaml into reviewed CloudFormation nested stacks."""


@cli.command()
@selection_options
@reports_errors
def build(system, env, all_):
    """Compile templates into build/<system>/<env>/ (only changed files are written)."""
    from templates_src import compiler
    from templates_src.errors import ConfigError

    problems: list[str] = []
    exit_code = 0
    for target in _targets(system, env, all_):
        try:
            compiled = compiler.compile_target(target)
        except StackcError as exc:  # with --all, report every broken target, not just the first
            problems.extend(f"{target.system}/{target.env}: {line}" if not isinstance(exc, ConfigError) else line
                            for line in exc.lines())
            exit_code = max(exit_code, exc.exit_code)
            continue
        out = compiler.output_dir(target)
        changed = compiler.write(compiled, out)
        summary = ", ".join(f"{s.name} {s.resources}r" for s in compiled.stats)
        state = f"{len(changed)} file(s) changed" if changed else "up to date"
        click.echo(f"built {target.system}/{target.env} -> {_rel(out)} ({state}; {summary})")
        for note in compiled.notes:
            click.secho(f"  note: {note}", fg="yellow")
    if problems:
        for line in problems:
            click.secho(f"error: {line}", fg="red", err=True)
        sys.exit(exit_code)


@cli.command()
@selection_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def lint(system, env, all_, fmt):
    """Build (if stale) and lint with cfn-lint in-process plus the project's rules; exit 1 on findings."""
    import json

    from templates_src import compiler
    from templates_src.lint import lint_paths

    paths = []
    for target in _targets(system, env, all_):
        compiled = compiler.compile_target(target)
        out = compiler.output_dir(target)
        compiler.write(compiled, out)
        paths.extend(out / f"{name}.json" for name in compiled.templates)
    from templates_src.settings import settings

    findings = lint_paths(paths, cache_root=settings().build_dir)
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2))
    else:
        by_template: dict[str, list] = {}
        for f in findings:
            by_template.setdefault(f.template, []).append(f)
        for template, items in by_template.items():
            click.secho(_rel(Path(template)), bold=True)
            for f in items:
                click.echo(f"  {f.rule} {f.level:<7} {f.path} (line {f.line}): {f.message}")
        click.echo(f"linted {len(paths)} template(s): {len(findings)} finding(s)")
    if findings:
        sys.exit(1)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    cli()
