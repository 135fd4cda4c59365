"""cost: a monthly estimate of a system from its compiled templates and the dated price table."""

from __future__ import annotations

import click

from .common import reports_errors


def _estimate(system, env, assumptions):
    from templates_src.compiler import compile_target
    from templates_src.config.load import resolve_target
    from templates_src.cost import estimate, prices, stacks

    table = prices.load().with_assumptions(prices.parse_assumptions(assumptions))
    target = resolve_target(system, env)
    return target, estimate.estimate(stacks.from_compiled(compile_target(target)), table)


@click.command()
@click.option("--system", "-s", help="System (default from pyproject.toml [tool.stackc]).")
@click.option("--env", "-e", help="Environment (default from pyproject.toml [tool.stackc]).")
@click.option(
    "--compare", "compare_env", metavar="ENV2", help="Also estimate ENV2 of the same system and show the difference."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option(
    "--assume", "assumptions", multiple=True, metavar="KEY=VALUE", help="Change a usage assumption (e.g. nat_gb=500)."
)
@reports_errors
def cost(system, env, compare_env, fmt, assumptions):
    """Monthly cost estimate (on-demand list prices, every assumption stated) per resource of the build."""
    from templates_src.cost import render

    target, est = _estimate(system, env, assumptions)
    name = f"{target.system}/{target.env}"
    if compare_env:
        other_target, other = _estimate(target.system, compare_env, assumptions)
        other_name = f"{other_target.system}/{other_target.env}"
        show = {"text": render.compare_text, "json": render.compare_json, "markdown": render.compare_markdown}[fmt]
        click.echo(show(est, other, name, other_name), nl=False)
        return
    show1 = {"text": render.to_text, "json": render.to_json, "markdown": render.to_markdown}[fmt]
    click.echo(show1(est, name), nl=False)
