"""drift: detect drift on the root and every nested stack; show it as a tree with property differences."""

from __future__ import annotations

import click

from .common import aws_options, opens_deployment, reports_errors


@click.command()
@aws_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--exit-code", is_flag=True, help="Exit 1 when a stack has drifted.")
@reports_errors
@opens_deployment(build=False)
def drift(deployment, fmt, exit_code):
    """Detect drift on every stack (root and nested, every region): what changed outside CloudFormation."""
    import sys

    from templates_src.deploy import drift as dr

    reports = [
        dr.detect(aws, folder.target.stack_name, on_poll=lambda: click.echo(".", nl=False, err=True))
        for folder, aws in deployment.parts()
    ]
    if fmt == "json":
        click.echo(dr.to_json(reports), nl=False)
    else:
        click.echo("\n".join(dr.render_text(r) for r in reports), nl=False)
    if exit_code and any(r.drifted for r in reports):
        sys.exit(1)
