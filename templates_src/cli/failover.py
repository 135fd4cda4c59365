"""failover status / promote: Route 53 failover of a multi-region system."""

from __future__ import annotations

import click

from .common import _asker, _exit, _flow, _sink, aws_options, opens_deployment, reports_errors


@click.group()
def failover() -> None:
    """Route 53 failover of a multi-region system: record and health-check status, promotion."""


@failover.command("status")
@aws_options
@reports_errors
@opens_deployment(build=False)
def failover_status(deployment):
    """Each failover record (region, PRIMARY/SECONDARY, target) and its health check's status."""
    _exit(_flow().failover_status(deployment, _sink()))


@failover.command("promote")
@aws_options
@click.option("--to", "to_region", required=True, help="The region that becomes PRIMARY.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before executing.")
@reports_errors
@opens_deployment(build=False)
def failover_promote(deployment, to_region, yes):
    """Make another region PRIMARY: plan the DNS stack with PrimaryRegion changed, review, ask, execute."""
    _exit(_flow().promote(deployment, to_region, yes=yes, confirm=_asker(), sink=_sink()))
