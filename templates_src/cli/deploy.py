"""package / plan / deploy / outputs / status / destroy: each parses its options, opens the deployment
(build if stale, connect) and calls one function of templates_src/deploy/flow.py."""

from __future__ import annotations

import click

from .common import _asker, _exit, _flow, _sink, aws_options, opens_deployment, reports_errors


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
@click.option(
    "--change-set",
    "change_set",
    metavar="NAME|ARN",
    help="Review this existing change set (made by anyone: console, pipeline) instead of making one.",
)
@reports_errors
@opens_deployment()
def plan(deployment, fmt, bucket, cleanup, change_set):
    """Create the change sets (nested stacks included; every region and the DNS stack) and show one review.

    \b
    Exit codes: 0 reviewed, 1 failed, 2 bad input, 3 the review holds a danger item (`deploy` would refuse it).
    """
    _exit(_flow().plan(deployment, _sink(), fmt=fmt, bucket=bucket, cleanup=cleanup, change_set=change_set))


@click.command()
@aws_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask before executing.")
@click.option(
    "--allow-replace",
    "allow_replace",
    multiple=True,
    is_flag=False,
    flag_value="*",
    metavar="LOGICAL_ID",
    help="Accept the danger item (replacing or removing a data-bearing resource) with this logical ID or path; "
    "repeatable. Without a name: every danger item (a loud warning says so).",
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
@click.option("--role-arn", help="IAM role CloudFormation uses for this deploy (its service role).")
@click.option(
    "--notification-arns", "notification_arns", multiple=True, metavar="ARN", help="SNS topic for stack events."
)
@click.option("--tags", "tags", multiple=True, metavar="KEY=VALUE", help="A root stack tag, added to the params' tags.")
@click.option("--disable-rollback", is_flag=True, help="Keep what was created or updated when a resource fails.")
@click.option("--detach", is_flag=True, help="Start the execution and return; follow it with `status`.")
@click.option(
    "--change-set",
    "change_set",
    metavar="NAME",
    help="Execute this change set that `plan` left, if it is still current (same templates, parameters, stack).",
)
@reports_errors
@opens_deployment()
def deploy(
    deployment,
    yes,
    allow_replace,
    no_exec,
    bucket,
    parallel,
    role_arn,
    notification_arns,
    tags,
    disable_rollback,
    detach,
    change_set,
):
    """Package, plan, review, ask, execute (live events), reconcile protections, print the outputs.

    \b
    Exit codes: 0 deployed (or no changes), 1 failed or declined, 2 bad input (also: no terminal to ask
    on and no --yes), 3 dangerous change refused, 130 interrupted (Ctrl-C).
    """
    flow = _flow()
    options = flow.DeployOptions(
        yes=yes,
        allow_replace=tuple(allow_replace),
        no_exec=no_exec,
        bucket=bucket,
        parallel=parallel,
        role_arn=role_arn,
        notification_arns=tuple(notification_arns),
        tags=flow.parse_tags(tags),
        disable_rollback=disable_rollback,
        detach=detach,
        change_set=change_set,
    )
    _exit(flow.deploy(deployment, options, _asker(), _sink()))


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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
@opens_deployment(build=False)
def status(deployment, fmt):
    """Root and nested stack statuses in every region (and drift status when a drift check has run)."""
    _exit(_flow().status(deployment, _sink(), fmt=fmt))


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

    Lists what the DeletionPolicy kept, each with the command that deletes it; --purge deletes them.

    \b
    Exit codes: 0 deleted (or nothing to delete), 1 failed or declined, 2 bad input (also: no terminal
    to ask on and no --yes), 3 refused (protected env), 130 interrupted (Ctrl-C).
    """
    _exit(_flow().destroy(deployment, yes=yes, confirm=_asker(), sink=_sink(), purge=purge))
