"""preflight: read-only checks of the account before a deploy (templates_src/deploy/preflight.py)."""

from __future__ import annotations

import click

from .common import _exit, _flow, _sink, aws_options, opens_deployment, reports_errors


@click.command()
@aws_options
@click.option(
    "--parameter", "-p", "parameters", multiple=True, metavar="KEY=VALUE", help="A root parameter value to check with."
)
@reports_errors
@opens_deployment()
def preflight(deployment):
    """Check images, secret values, hosted zones, certificates, fixed names, region and quotas (read-only).

    Exit 0 when a deploy can start every service, 4 when inputs are missing (each with the command that
    supplies it), 1 when something would make the deploy fail."""
    _exit(_flow().preflight(deployment, _sink()))
