#!/usr/bin/env python3
"""stackc command line: parse options, call one library function, print, exit with its code.

Only this file knows click. Library code raises typed errors (templates_src/errors.py); they become a
message on stderr and an exit code here: 2 for bad input, 3 for a refused dangerous change, 1 otherwise.
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from templates_src.errors import StackcError  # noqa: E402
from templates_src.paths import shown  # noqa: E402


def reports_errors(fn):
    """Turn library errors into messages and exit codes; never show a traceback for them."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StackcError as exc:
            for line in exc.lines():
                click.secho(f"error: {line}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so plainly; STACKC_DEBUG=1 shows the traceback
            if os.environ.get("STACKC_DEBUG"):
                raise
            click.secho(f"internal error: {type(exc).__name__}: {exc} (set STACKC_DEBUG=1 for the traceback)", fg="red", err=True)
            sys.exit(1)

    return wrapper


def selection_options(fn):
    fn = click.option("--all", "all_", is_flag=True, help="Every system and env under params/.")(fn)
    fn = click.option("--env", "-e", help="Environment (default from pyproject.toml [tool.stackc]).")(fn)
    fn = click.option("--system", "-s", help="System (default from pyproject.toml [tool.stackc]).")(fn)
    return fn


def _targets(system, env, all_):
    from templates_src.config.load import all_targets, resolve_target

    if all_:
        if system or env:
            raise click.UsageError("--all goes without --system/--env")
        return all_targets()
    return [resolve_target(system, env)]


@click.group()
def cli() -> None:
    """stackc: compile params/<system>/<env>.yaml into reviewed CloudFormation nested stacks."""


@cli.command()
@selection_options
@reports_errors
def build(system, env, all_):
    """Compile templates into build/<system>/<env>/ (only changed files are written)."""
    from templates_src.compiler import build_targets
    from templates_src.errors import ConfigError

    exit_code = 0
    for built in build_targets(_targets(system, env, all_)):
        target = built.target
        if built.error is not None:  # with --all, every broken target is reported, not just the first
            prefix = "" if isinstance(built.error, ConfigError) else f"{target.system}/{target.env}: "
            for line in built.error.lines():
                click.secho(f"error: {prefix}{line}", fg="red", err=True)
            exit_code = max(exit_code, built.error.exit_code)
            continue
        summary = ", ".join(f"{s.name} {s.resources}r" for s in built.compiled.stats)
        state = f"{len(built.changed)} file(s) changed" if built.changed else "up to date"
        click.echo(f"built {target.system}/{target.env} -> {shown(built.out_dir)} ({state}; {summary})")
        for note in built.compiled.notes:
            click.secho(f"  note: {note}", fg="yellow")
    sys.exit(exit_code)


@cli.command()
@selection_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def lint(system, env, all_, fmt):
    """Build (if stale) and lint with cfn-lint in-process plus the project's rules; exit 1 on findings."""
    import json

    from templates_src.lint import lint_targets

    paths, findings = lint_targets(_targets(system, env, all_))
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2))
    else:
        by_template: dict[str, list] = {}
        for f in findings:
            by_template.setdefault(f.template, []).append(f)
        for template, items in by_template.items():
            click.secho(shown(Path(template)), bold=True)
            for f in items:
                click.echo(f"  {f.rule} {f.level:<7} {f.path} (line {f.line}): {f.message}")
        click.echo(f"linted {len(paths)} template(s): {len(findings)} finding(s)")
    if findings:
        sys.exit(1)


# ----------------------------------------------------------------------------------------------- deploy
# package / plan / deploy / outputs / status / destroy / failover: each parses its options, opens the
# deployment (build if stale, connect) and calls one function of templates_src/deploy/flow.py.


def aws_options(fn):
    """Where to connect (and which stack): shared by every command that talks to AWS."""
    fn = click.option("--stack-name", help="Root stack name (default: <system>-<env>).")(fn)
    fn = click.option("--endpoint-url", envvar="STACKC_ENDPOINT_URL",
                      help="AWS endpoint to call instead of the real one (e.g. a local emulator).")(fn)
    fn = click.option("--region", help="AWS region (default: AWS_REGION / profile / the system's primary region).")(fn)
    fn = click.option("--profile", help="AWS profile (default: AWS_PROFILE / the usual AWS config).")(fn)
    fn = click.option("--env", "-e", help="Environment (default from pyproject.toml [tool.stackc]).")(fn)
    fn = click.option("--system", "-s", help="System (default from pyproject.toml [tool.stackc]).")(fn)
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
    return _flow().Sink(out=click.echo, err=lambda text: click.echo(text, err=True),
                        warn=lambda text: click.secho(text, fg="yellow", err=True))


def _confirm(question: str) -> bool:
    return click.confirm(question, default=False)


def _exit(result) -> None:
    if result.exit_code:
        sys.exit(result.exit_code)


@cli.command()
@aws_options
@click.option("--bucket", help="Artifact bucket (default: stackc-artifacts-<account>-<region>, created if missing; single-region only).")
@click.option("--prefix", help="Key prefix (default: stackc/<system>/<env>; multi-region: + /<folder>).")
@click.option("--parameter", "-p", "parameters", multiple=True, metavar="KEY=VALUE", help="Override a root parameter in the link.")
@reports_errors
@opens_deployment()
def package(deployment, bucket, prefix):
    """Upload templates to S3 under content-addressed keys; write build/S/E[/<folder>]/packaged/root.json|yaml."""
    _exit(_flow().package(deployment, _sink(), bucket=bucket, prefix=prefix))


@cli.command()
@aws_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--parameter", "-p", "parameters", multiple=True, metavar="KEY=VALUE", help="Override a root parameter (e.g. an image tag).")
@click.option("--bucket", help="Artifact bucket (see `package`).")
@click.option("--cleanup", is_flag=True, help="Delete the change set after showing it (default: leave it for review).")
@reports_errors
@opens_deployment()
def plan(deployment, fmt, bucket, cleanup):
    """Create the change sets (nested stacks included; every region and the DNS stack) and show one review."""
    _exit(_flow().plan(deployment, _sink(), fmt=fmt, bucket=bucket, cleanup=cleanup))


@cli.command()
@aws_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask before executing.")
@click.option("--allow-replace", is_flag=True, help="Accept replacing or removing data-bearing resources (danger items).")
@click.option("--no-exec", is_flag=True, help="Create and show the change set, then stop (it stays for review).")
@click.option("--parameter", "-p", "parameters", multiple=True, metavar="KEY=VALUE", help="Override a root parameter (e.g. an image tag).")
@click.option("--bucket", help="Artifact bucket (see `package`).")
@click.option("--parallel", is_flag=True, help="Multi-region: deploy the regional stacks at the same time.")
@reports_errors
@opens_deployment()
def deploy(deployment, yes, allow_replace, no_exec, bucket, parallel):
    """Package, plan, review, ask, execute (live events), print the outputs."""
    flow = _flow()
    options = flow.DeployOptions(yes=yes, allow_replace=allow_replace, no_exec=no_exec, bucket=bucket, parallel=parallel)
    _exit(flow.deploy(deployment, options, _confirm, _sink()))


@cli.group()
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
    _exit(_flow().promote(deployment, to_region, yes=yes, confirm=_confirm, sink=_sink()))


@cli.command()
@aws_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
@opens_deployment(build=False)
def outputs(deployment, fmt):
    """Print the root stacks' outputs (each region's and the DNS stack's for a multi-region system)."""
    _exit(_flow().outputs(deployment, _sink(), fmt=fmt))


@cli.command()
@aws_options
@reports_errors
@opens_deployment(build=False)
def status(deployment):
    """Root and nested stack statuses in every region (and drift status when a drift check has run)."""
    _exit(_flow().status(deployment, _sink()))


@cli.command()
@aws_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask before deleting.")
@reports_errors
@opens_deployment(build=False)
def destroy(deployment, yes):
    """Delete the root stacks and their nested stacks (the DNS stack first); refuses envs marked `protect: true`."""
    _exit(_flow().destroy(deployment, yes=yes, confirm=_confirm, sink=_sink()))


if __name__ == "__main__":
    cli()
