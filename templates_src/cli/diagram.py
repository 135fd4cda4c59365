"""diagram: the system's architecture drawn from its config (Mermaid, Graphviz DOT, or SVG with Graphviz)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import reports_errors


@click.command()
@click.option("--system", "-s", help="System (default from pyproject.toml [tool.stackc]).")
@click.option("--env", "-e", help="Environment (default from pyproject.toml [tool.stackc]).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "svg"]),
    help="Default: mermaid on stdout; svg when --output ends in .svg (needs Graphviz `dot`).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@reports_errors
def diagram(system, env, fmt, output):
    """Architecture diagram: regions, VPC tiers, load balancers -> listeners -> services -> stores (uses:)."""
    from templates_src.config.load import load, resolve_target
    from templates_src.diagram import build, graphviz, mermaid

    target = resolve_target(system, env)
    drawing = build.build(load(target).config, f"{target.system}/{target.env}")
    fmt = fmt or ("svg" if output is not None and output.suffix == ".svg" else "mermaid")
    text = {"mermaid": mermaid.render, "dot": graphviz.render, "svg": graphviz.svg}[fmt](drawing)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text)
    click.echo(f"wrote {output} ({fmt})", err=True)
