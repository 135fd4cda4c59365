"""run-task: one task of a deployed service (a migration, a one-off script), its logs, its exit code."""

from __future__ import annotations

import sys

import click

from .common import aws_options, opens_deployment, reports_errors


@click.command("run-task", context_settings={"ignore_unknown_options": True})
@aws_options
@click.argument("service")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@click.option("--container", help="The container to run (default: the service's first essential one).")
@click.option("--no-wait", is_flag=True, help="Start the task, print its ARN and return.")
@reports_errors
@opens_deployment(build=False)
def run_task(deployment, service, command, container, no_wait):
    """Run one task of SERVICE with its network, roles and capacity; stream its logs; exit with its exit code.

    A command after `--` replaces the container's (`stackc run-task -s shop -e prod api -- ./manage.py migrate`).
    """
    from templates_src.deploy import run_task as rt

    folder, aws = deployment.parts()[0]  # a multi-region system: its primary region
    where = rt.placement(aws, folder.target.stack_name, service, deployment.selection)
    run, log_options = rt.start(aws, where, container=container, command=list(command))
    click.echo(f"started {run.task_arn} ({run.container}) in {where.cluster.rsplit('/', 1)[-1]}", err=True)
    if no_wait:
        click.echo(run.task_arn)
        return
    try:
        run = rt.follow(aws, where, run, log_options, click.echo)
    except KeyboardInterrupt:
        click.echo(
            f"interrupted: the task goes on; stop it with `aws ecs stop-task --cluster {where.cluster} "
            f"--task {run.task_arn}`",
            err=True,
        )
        sys.exit(130)
    for note in run.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
    if run.exit_code is None:
        click.secho(f"task stopped without an exit code: {run.stopped_reason or 'no reason given'}", fg="red", err=True)
        sys.exit(1)
    click.echo(
        f"task stopped: exit code {run.exit_code}" + (f" ({run.stopped_reason})" if run.stopped_reason else ""),
        err=True,
    )
    sys.exit(run.exit_code)
