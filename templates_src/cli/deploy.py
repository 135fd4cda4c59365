"""package / plan / deploy / outputs / status / destroy: each parses its options, opens the deployment
(build if stale, connect) and calls one function of templates_src/deploy/flow.py."""

from __future__ import annotations

import click

from .common import _confirm, _exit, _flow, _sink, aws_options, opens_deployment, reports_errors


@click.command()
@aws_options
@click.option(
    "--bucket",
    help="Artifact bucket (default: stackc-artifacts-<account>-<region>, created if missing; single-region only).",
)
@click.option("--prefix", help="Key prefix (default: stackc/<system>/<env>; multi-region: + /<folder>).")
@click.option(
    "--parameter", "-p", "parameters", multiple=True, metavar="KEY=VALUE", help="Override a root parameter in the link."
)
@reports_errors
@opens_deployment()
def package(deployment, bucket, prefix):
    """Upload templates to S3 under content-addressed keys; write build/S/E[/<folder>]/packaged/root.json|yaml."""
    _exit(_flow().package(deployment, _sink(), bucket=bucket, prefix=prefix))


@click.command()
@aws_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option(
    "--parameter",
    "-p",
    "parameters",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a root parameter (e.g. an image tag).",
)
@click.option("--bucket", help="Artifact bucket (see `package`).")
@click.option("--cleanup", is_flag=True, help="Delete the change set after showing it (default: leave it for review).")
@reports_errors
@opens_deployment()
def plan(deployment, fmt, bucket, cleanup):
    """Create the change sets (nested stacks included; every region and the DNS stack) and show one review."""
    _exit(_flow().plan(deployment, _sink(), fmt=fmt, bucket=bucket, cleanup=cleanup))


@click.command()
@aws_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask before executing.")
@click.option(
    "--allow-replace", is_flag=True, help="Accept replacing or removing data-bearing resources (danger items)."
)
@click.option("--no-exec", is_flag=True, help="Create and show the change set, then stop (it stays for review).")
@click.option(
    "--parameter",
    "-p",
    "parameters",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a root parameter (e.g. an image tag).",
)
@click.option("--bucket", help="Artifact bucket (see `package`).")
@click.option("--parallel", is_flag=True, help="Multi-region: deploy the regional stacks at the same time.")
@reports_errors
@opens_deployment()
def deploy(deployment, yes, allow_replace, no_exec, bucket, parallel):
    """Package, plan, review, ask, execute (live events), print the outputs."""
    flow = _flow()
    options = flow.DeployOptions(
        yes=yes, allow_replace=allow_replace, no_exec=no_exec, bucket=bucket, parallel=parallel
    )
    _exit(flow.deploy(deployment, options, _confirm, _sink()))


@click.command()
@aws_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
@opens_deployment(build=False)
def outputs(deployment, fmt):
    """Print the root stacks' outputs (each region's and the DNS stack's for a multi-region system)."""
    _exit(_flow().outputs(deployment, _sink(), fmt=fmt))


@click.command()
@aws_options
@reports_errors
@opens_deployment(build=False)
def status(deployment):
    """Root and nested stack statuses in every region (and drift status when a drift check has run)."""
    _exit(_flow().status(deployment, _sink()))


@click.command()
@aws_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask before deleting (with --purge: nor before purging).")
@click.option(
    "--purge", is_flag=True, help="Also delete what the DeletionPolicy kept (repositories, secrets, logs...; asks)."
)
@reports_errors
@opens_deployment(build=False)
def destroy(deployment, yes, purge):
    """Delete the root stacks and their nested stacks (the DNS stack first); refuses envs marked `protect: true`.

    Lists what the DeletionPolicy kept, each with the command that deletes it; --purge deletes them."""
    _exit(_flow().destroy(deployment, yes=yes, confirm=_confirm, sink=_sink(), purge=purge))
