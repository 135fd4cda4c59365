"""stackc's command line: the click group and its commands, one module per group of commands.

Each command parses its options, calls one library function, prints, and exits with its code. A new command
lives in its own module here and is added to the group below.
"""

from __future__ import annotations

import logging
import os

import click

from .. import __version__
from . import common, compile, cost, deploy, diagram, diff, drift, failover, project, run_task

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="stackc", message="%(prog)s %(version)s")
@click.option("--verbose", "-v", is_flag=True, help="Say which project file, params and build folders are used.")
@click.option(
    "--debug",
    is_flag=True,
    envvar="STACKC_DEBUG",
    help="Verbose, plus a traceback for internal errors (STACKC_DEBUG=1).",
)
def cli(verbose: bool, debug: bool) -> None:
    """stackc: compile params/<system>/<env>.yaml into reviewed CloudFormation nested stacks.

    The project (params and build folders, default system and env) is the nearest stackc.toml, or
    pyproject.toml with [tool.stackc], from the working directory up; `stackc init NAME` starts one.
    """
    common.OUTPUT.verbose = verbose or debug
    common.OUTPUT.debug = debug
    if verbose or debug:
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("templates_src").setLevel(logging.DEBUG if debug else logging.INFO)


for command in (
    project.init,
    compile.build,
    compile.lint,
    project.schema,
    deploy.package,
    deploy.plan,
    deploy.deploy,
    failover.failover,
    deploy.outputs,
    deploy.status,
    deploy.destroy,
    run_task.run_task,
    project.completion,
    cost.cost,
    diagram.diagram,
    diff.diff,
    drift.drift,
):
    cli.add_command(command)


def main() -> None:
    """The `stackc` console script. NO_COLOR (any value) turns colour off; output that is not a terminal
    never gets colour codes (click strips them)."""
    color = False if os.environ.get("NO_COLOR") else None
    cli.main(prog_name="stackc", color=color)
