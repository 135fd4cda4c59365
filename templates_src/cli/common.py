"""What every command shares: error reporting, the selection and AWS options, the opened deployment.

Only templates_src/cli/ knows click. Library code raises typed errors (templates_src/errors.py); they become a
message on stderr and an exit code here: 2 for bad input, 3 for a refused dangerous change, 1 otherwise.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass

import click

from ..errors import StackcError


@dataclass
class Output:
    """What the group's --verbose/--debug asked for (set once per invocation)."""

    verbose: bool = False
    debug: bool = False


OUTPUT = Output()


def reports_errors(fn):
    """Turn library errors into messages and exit codes; never show a traceback for them. Usage errors
    (click's) keep click's usage text and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            if OUTPUT.verbose:
                _describe_project()
            return fn(*args, **kwargs)
        except click.ClickException:
            raise
        except StackcError as exc:
            for line in exc.lines():
                click.secho(f"error: {line}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except OSError as exc:  # the machine said no (a build folder that is a file, a full disk, no permission)
            if OUTPUT.debug or os.environ.get("STACKC_DEBUG"):
                raise
            where = f" {exc.filename}" if exc.filename else ""
            click.secho(f"error: cannot use{where}: {exc.strerror or exc}", fg="red", err=True)
            sys.exit(1)
        except Exception as exc:  # a bug: say so plainly; --debug (or STACKC_DEBUG=1) shows the traceback
            if OUTPUT.debug or os.environ.get("STACKC_DEBUG"):
                raise
            click.secho(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                fg="red",
                err=True,
            )
            sys.exit(1)

    return wrapper


def _describe_project() -> None:
    from ..paths import shown
    from ..settings import settings

    cfg = settings()
    where = shown(cfg.project_file) if cfg.project_file else "none (the working directory is the project)"
    click.echo(f"project file: {where}", err=True)
    click.echo(f"params: {shown(cfg.params_dir)}  build: {shown(cfg.build_dir)}", err=True)


def selection_options(fn):
    fn = click.option("--all", "all_", is_flag=True, help="Every system and env in the params folder.")(fn)
    fn = click.option("--env", "-e", help="Environment (default: default_env in stackc.toml, or the only one).")(fn)
    fn = click.option("--system", "-s", help="System (default: default_system in stackc.toml, or the only one).")(fn)
    return fn


def _targets(system, env, all_):
    from templates_src.targets import all_targets, resolve_target

    if all_:
        if system or env:
            raise click.UsageError("--all goes without --system/--env", ctx=click.get_current_context())
        targets = all_targets()
        if not targets:
            from templates_src.errors import UsageError

            raise UsageError("no systems in the params folder: `stackc init NAME` scaffolds one")
        return targets
    return [resolve_target(system, env)]


# ----------------------------------------------------------------------------------------------- deploy
# package / plan / deploy / outputs / status / destroy / failover: each parses its options, opens the
# deployment (build if stale, connect) and calls one function of templates_src/deploy/flow.py.


def aws_options(fn):
    """Where to connect (and which stack): shared by every command that talks to AWS."""
    fn = click.option("--stack-name", help="Root stack name (default: <system>-<env>).")(fn)
    fn = click.option(
        "--endpoint-url",
        envvar="STACKC_ENDPOINT_URL",
        help="AWS endpoint to call instead of the real one (e.g. a local emulator).",
    )(fn)
    fn = click.option("--region", help="AWS region (default: AWS_REGION / profile / the system's primary region).")(fn)
    fn = click.option("--profile", help="AWS profile (default: AWS_PROFILE / the usual AWS config).")(fn)
    fn = click.option("--env", "-e", help="Environment (default: default_env in stackc.toml, or the only one).")(fn)
    fn = click.option("--system", "-s", help="System (default: default_system in stackc.toml, or the only one).")(fn)
    return fn


def opens_deployment(build: bool = True):
    """Turn the `aws_options` (and `--parameter`) into the command's first argument: the opened
    deployment (templates_src/deploy/flow.py; built first when `build`). Goes below `reports_errors`."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(system, env, stack_name, profile, region, endpoint_url, parameters=(), **options):
            from templates_src.deploy.flow import Selection, open_deployment
            from templates_src.deploy.session import AwsOptions

            selection = Selection(system, env, stack_name, AwsOptions(profile, region, endpoint_url), tuple(parameters))
            return fn(open_deployment(selection, build=build), **options)

        return wrapper

    return decorate


def _flow():
    from templates_src.deploy import flow

    return flow


def _sink():
    return _flow().Sink(
        out=click.echo,
        err=lambda text: click.echo(text, err=True),
        warn=lambda text: click.secho(text, fg="yellow", err=True),
    )


def _confirm(question: str) -> bool:
    """y/N on the terminal. Ctrl-C propagates (click.confirm would turn it into Abort, which the deploy
    could not tell from "no"); end of input (Ctrl-D) is "no"."""
    click.echo(f"{question} [y/N]: ", nl=False, err=True)
    line = sys.stdin.readline()
    if not line:
        click.echo("", err=True)
        return False
    return line.strip().lower() in ("y", "yes")


def _asker():
    """The question callback, or None when there is nobody to ask (stdin is not a terminal: a CI job)."""
    try:
        return _confirm if sys.stdin.isatty() else None
    except (AttributeError, ValueError):  # a closed or replaced stdin
        return None


def _exit(result) -> None:
    if result.exit_code:
        sys.exit(result.exit_code)
