"""build and lint: compile params into build/ and check it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..paths import shown
from .common import _targets, reports_errors, selection_options


@click.command()
@selection_options
@click.option(
    "--lint",
    "then_lint",
    is_flag=True,
    help="Then lint what was built, as `stackc lint` does, in the same process (less CPU; after a compile, "
    "its lint workers also hold the compiler's memory: `make build` runs build and lint apart).",
)
@reports_errors
def build(system, env, all_, then_lint):
    """Compile templates into build/<system>/<env>/ (only changed files are written)."""
    from templates_src import waivers
    from templates_src.build import build_targets
    from templates_src.errors import ConfigError

    exit_code = 0
    builds = build_targets(_targets(system, env, all_))
    for built in builds:
        target = built.target
        if built.error is not None:  # with --all, every broken target is reported, not just the first
            prefix = "" if isinstance(built.error, ConfigError) else f"{target.system}/{target.env}: "
            for line in built.error.lines():
                click.secho(f"error: {prefix}{line}", fg="red", err=True)
            exit_code = max(exit_code, built.error.exit_code)
            continue
        summary = ", ".join(f"{name} {resources}r" for name, resources in built.summary)
        state = f"{len(built.changed)} file(s) changed" if built.changed else "up to date"
        click.echo(f"built {target.system}/{target.env} -> {shown(built.out_dir)} ({state}; {summary})")
        for note in built.notes:
            click.secho(f"  note: {note}", fg="yellow")
        for line in waivers.listed(built.out_dir, built.templates):
            click.echo(f"  waiver: {line}")
    if exit_code or not then_lint:
        sys.exit(exit_code)
    from templates_src.lint import lint_built

    _report_lint(*lint_built(builds), "text")


@click.command()
@selection_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def lint(system, env, all_, fmt):
    """Build (if stale) and lint with cfn-lint in-process plus the project's rules; exit 1 on findings."""
    from templates_src.lint import lint_targets

    _report_lint(*lint_targets(_targets(system, env, all_)), fmt)


def _report_lint(paths: list[Path], findings: list, fmt: str) -> None:
    """Print the findings (by template, or as JSON); exit 1 when there are any."""
    import json

    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2))
    else:
        by_template: dict[str, list] = {}
        for f in findings:
            by_template.setdefault(f.template, []).append(f)
        for template, items in by_template.items():
            click.secho(shown(Path(template)), bold=True)
            for f in items:
                click.echo(f"  {f.rule} {f.level:<7} {f.path} (line {f.line}): {f.message}")
        click.echo(f"linted {len(paths)} template(s): {len(findings)} finding(s)")
    if findings:
        sys.exit(1)
