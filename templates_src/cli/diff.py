"""diff: the build against the deployed templates (root and nested), with predicted replacements; no change set."""

from __future__ import annotations

import click

from .common import aws_options, opens_deployment, reports_errors


@click.command()
@aws_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--exit-code", is_flag=True, help="Exit 1 when the build differs from what is deployed.")
@reports_errors
@opens_deployment()
def diff(deployment, fmt, exit_code):
    """What a deploy would change, read locally: resources, properties, and the replacement each causes."""
    import sys

    from templates_src.deploy import deployed
    from templates_src.deploy import diff as local

    diffs = []
    for folder, aws in deployment.parts():
        target = folder.target
        templates = target.templates()
        built = local.BuiltStacks(
            folder="" if deployment.single_region else folder.name,
            region=folder.region,
            stack_name=target.stack_name,
            root=templates["root"],
            root_values={p["ParameterKey"]: p["ParameterValue"] for p in target.parameters()},
            children={lid: (name, templates[name]) for lid, name in target.children().items()},
        )
        diffs += local.compare(built, deployed.read(aws, target.stack_name))
    title = f"{deployment.system}/{deployment.env}"
    if fmt == "json":
        click.echo(local.to_json(diffs), nl=False)
    elif fmt == "markdown":
        click.echo(local.render_markdown(diffs, title), nl=False)
    else:
        click.echo(local.render_text(diffs, title), nl=False)
    if exit_code and any(d.status != "unchanged" for d in diffs):
        sys.exit(1)
