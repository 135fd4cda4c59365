"""stackc's command line: the click group and its commands, one module per group of commands.

Each command parses its options, calls one library function, prints, and exits with its code. A new command
lives in its own module here and is added to the group below.
"""

from __future__ import annotations

import click

from . import compile, deploy, failover


@click.group()
def cli() -> None:
    """stackc: compile params/<system>/<env>.yaml into reviewed CloudFormation nested stacks."""


for command in (
    compile.build,
    compile.lint,
    deploy.package,
    deploy.plan,
    deploy.deploy,
    failover.failover,
    deploy.outputs,
    deploy.status,
    deploy.destroy,
):
    cli.add_command(command)


def main() -> None:
    cli()
