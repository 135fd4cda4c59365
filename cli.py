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
    from templates_src import compiler
    from templates_src.errors import ConfigError

    problems: list[str] = []
    exit_code = 0
    for target in _targets(system, env, all_):
        try:
            compiled = compiler.compile_target(target)
        except StackcError as exc:  # with --all, report every broken target, not just the first
            problems.extend(f"{target.system}/{target.env}: {line}" if not isinstance(exc, ConfigError) else line
                            for line in exc.lines())
            exit_code = max(exit_code, exc.exit_code)
            continue
        out = compiler.output_dir(target)
        changed = compiler.write(compiled, out)
        summary = ", ".join(f"{s.name} {s.resources}r" for s in compiled.stats)
        state = f"{len(changed)} file(s) changed" if changed else "up to date"
        click.echo(f"built {target.system}/{target.env} -> {_rel(out)} ({state}; {summary})")
        for note in compiled.notes:
            click.secho(f"  note: {note}", fg="yellow")
    if problems:
        for line in problems:
            click.secho(f"error: {line}", fg="red", err=True)
        sys.exit(exit_code)


@cli.command()
@selection_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def lint(system, env, all_, fmt):
    """Build (if stale) and lint with cfn-lint in-process plus the project's rules; exit 1 on findings."""
    import json

    from templates_src import compiler
    from templates_src.lint import lint_paths

    paths = []
    for target in _targets(system, env, all_):
        compiled = compiler.compile_target(target)
        out = compiler.output_dir(target)
        compiler.write(compiled, out)
        paths.extend(out / f"{name}.json" for name in compiled.templates)
    from templates_src.settings import settings

    findings = lint_paths(paths, cache_root=settings().build_dir)
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2))
    else:
        by_template: dict[str, list] = {}
        for f in findings:
            by_template.setdefault(f.template, []).append(f)
        for template, items in by_template.items():
            click.secho(_rel(Path(template)), bold=True)
            for f in items:
                click.echo(f"  {f.rule} {f.level:<7} {f.path} (line {f.line}): {f.message}")
        click.echo(f"linted {len(paths)} template(s): {len(findings)} finding(s)")
    if findings:
        sys.exit(1)


# ----------------------------------------------------------------------------------------------- deploy
# package / plan / deploy / outputs / status / destroy: thin faces over templates_src/deploy/.


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


def _deploy_context(system, env, stack_name, profile, region, endpoint_url, parameters=(), build=True):
    """Build the target if stale (only changed files are written), then connect."""
    from templates_src.config.load import load, resolve_target
    from templates_src.deploy.session import AwsOptions, connect
    from templates_src.deploy.target import BuiltTarget, parse_overrides
    from templates_src.errors import UsageError

    target = resolve_target(system, env)
    loaded = load(target)
    if build:
        from templates_src import compiler

        compiled = compiler.compile_loaded(loaded)
        if compiled.folders:
            raise UsageError(f"{target.system}/{target.env} is multi-region; deploy supports single-region systems for now")
        compiler.write(compiled, compiler.output_dir(target))
    from templates_src.settings import settings

    built = BuiltTarget(
        system=target.system,
        env=target.env,
        build_dir=settings().build_dir / target.system / target.env,  # = compiler.output_dir(target)
        stack_name=stack_name or f"{target.system}-{target.env}",
        protect=loaded.config.protect,
        overrides=parse_overrides(parameters),
    )
    aws = connect(AwsOptions(profile, region, endpoint_url), default_region=loaded.config.region)
    return built, aws


def _package(aws, built, bucket=None, prefix=None, err=True):
    from templates_src.deploy.package import package

    result = package(aws, built, bucket=bucket, prefix=prefix)
    state = f"{len(result.uploaded)} uploaded, {len(result.reused)} unchanged"
    click.echo(f"packaged {built.system}/{built.env} -> s3://{result.bucket}/{result.prefix}/ ({state})", err=err)
    return result


def _plan(aws, built, packaged):
    from templates_src.deploy.plan import PlanRequest, create_plan

    return create_plan(aws, PlanRequest(
        stack_name=built.stack_name,
        template_url=packaged.root_url,
        parameters=built.parameters(),
        capabilities=packaged.capabilities,
        description=f"stackc {built.system}/{built.env}",
    ))


def _selection(built) -> str:
    return f" --system {built.system} --env {built.env}"


@cli.command()
@aws_options
@click.option("--bucket", help="Artifact bucket (default: stackc-artifacts-<account>-<region>, created if missing).")
@click.option("--prefix", help="Key prefix (default: stackc/<system>/<env>).")
@click.option("--parameter", "-p", "parameters", multiple=True, metavar="KEY=VALUE", help="Override a root parameter in the link.")
@reports_errors
def package(system, env, stack_name, profile, region, endpoint_url, bucket, prefix, parameters):
    """Upload templates to S3 under content-addressed keys; write build/S/E/packaged/root.json|yaml."""
    built, aws = _deploy_context(system, env, stack_name, profile, region, endpoint_url, parameters)
    result = _package(aws, built, bucket, prefix, err=False)
    if result.bucket_created:
        click.echo(f"created artifact bucket {result.bucket} (private, encrypted, versioned)")
    click.echo(f"root template: {result.root_url}")
    click.echo(f"written: {_rel(result.root_path)} (+ root.yaml)")
    click.echo(f"capabilities: {', '.join(result.capabilities) or 'none'}")
    click.echo(f"quick-create link: {result.quick_create_url}")


@cli.command()
@aws_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--parameter", "-p", "parameters", multiple=True, metavar="KEY=VALUE", help="Override a root parameter (e.g. an image tag).")
@click.option("--bucket", help="Artifact bucket (see `package`).")
@click.option("--cleanup", is_flag=True, help="Delete the change set after showing it (default: leave it for review).")
@reports_errors
def plan(system, env, stack_name, profile, region, endpoint_url, fmt, parameters, bucket, cleanup):
    """Create a change set (nested stacks included) and show the review: one risk-ordered tree."""
    import json

    from templates_src.deploy import review as rv
    from templates_src.deploy.plan import delete_plan

    built, aws = _deploy_context(system, env, stack_name, profile, region, endpoint_url, parameters)
    result = _plan(aws, built, _package(aws, built, bucket))
    if fmt == "json":
        click.echo(json.dumps(rv.to_json(result.review), indent=2))
    elif fmt == "markdown":
        click.echo(rv.render_markdown(result.review), nl=False)
    else:
        click.echo(rv.render_text(result.review))
    if result.review.no_changes or cleanup:
        delete_plan(aws, result)
    elif result.change_set_id:
        click.echo(f"change set {result.review.change_set_name} left for review; "
                   f"`deploy` makes a fresh one, `plan --cleanup` does not keep it", err=True)


@cli.command()
@aws_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask before executing.")
@click.option("--allow-replace", is_flag=True, help="Accept replacing or removing data-bearing resources (danger items).")
@click.option("--no-exec", is_flag=True, help="Create and show the change set, then stop (it stays for review).")
@click.option("--parameter", "-p", "parameters", multiple=True, metavar="KEY=VALUE", help="Override a root parameter (e.g. an image tag).")
@click.option("--bucket", help="Artifact bucket (see `package`).")
@click.option("--parallel", is_flag=True, help="Multi-region: deploy the regional stacks at the same time.")
@reports_errors
def deploy(system, env, stack_name, profile, region, endpoint_url, yes, allow_replace, no_exec, parameters, bucket,
           parallel):
    """Package, plan, review, ask, execute (live events), print the outputs."""
    if _multi_region(system, env):
        return _deploy_regions(system, env, stack_name, profile, region, endpoint_url, yes, allow_replace, no_exec,
                               parameters, bucket, parallel)
    from rich.console import Console

    from templates_src.deploy import review as rv
    from templates_src.deploy.execute import execute
    from templates_src.deploy.plan import delete_plan
    from templates_src.errors import DangerousChange

    built, aws = _deploy_context(system, env, stack_name, profile, region, endpoint_url, parameters)
    result = _plan(aws, built, _package(aws, built, bucket))
    review = result.review
    if review.no_changes:
        delete_plan(aws, result)
        click.echo(rv.no_changes_line(review))
        return
    click.echo(rv.render_text(review))
    if review.dangers and not allow_replace:
        delete_plan(aws, result)
        raise DangerousChange(
            f"refusing to deploy {built.stack_name}: {len(review.dangers)} dangerous change(s) "
            f"({', '.join(c.path for c in review.dangers)}); the change set was deleted. "
            "Re-run with --allow-replace if losing or re-creating that data is intended."
        )
    if no_exec:
        click.echo(f"change set {review.change_set_name} created and not executed (--no-exec); "
                   f"execute it with `aws cloudformation execute-change-set --change-set-name {result.change_set_id}`")
        return
    if not yes and not click.confirm(f"Execute change set {review.change_set_name} on {built.stack_name}?", default=False):
        delete_plan(aws, result)
        click.echo("declined: change set deleted, nothing deployed")
        sys.exit(1)
    outcome = execute(aws, result, built, Console(highlight=False), allow_replace=allow_replace,
                      selection=_selection(built))
    click.echo(f"{built.stack_name}: {outcome.status}; stack policy set on {len(outcome.policies)} stack(s)"
               + ("; termination protection on" if outcome.protected else ""))
    for warning in outcome.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    _echo_outputs(outcome.outputs)


# ------------------------------------------------------------------------------------------ multi-region
# Several regions (+ Route 53 failover): templates_src/deploy/multiregion.py plans every regional root and
# the global DNS stack, one review, one question; regions first, then DNS fed by their outputs.


def _multi_region(system, env) -> bool:
    from templates_src import compiler
    from templates_src.config.load import load, resolve_target

    return compiler.is_multi_region(load(resolve_target(system, env)).config)


def _regions_context(system, env, stack_name, profile, region, endpoint_url, parameters=(), build=True):
    """Build (if stale), read the multi-region layout, connect to every region it uses."""
    from templates_src import compiler
    from templates_src.config.load import load, resolve_target
    from templates_src.deploy import multiregion as mr
    from templates_src.deploy.session import AwsOptions
    from templates_src.deploy.target import parse_overrides

    target = resolve_target(system, env)
    loaded = load(target)
    out = compiler.output_dir(target)
    if build:
        compiler.write(compiler.compile_loaded(loaded), out)
    layout = mr.read_layout(out, target.system, target.env, stack_name or f"{target.system}-{target.env}",
                            protect=loaded.config.protect, overrides=parse_overrides(parameters))
    return layout, mr.connect_regions(layout, AwsOptions(profile, region, endpoint_url))


def _deploy_regions(system, env, stack_name, profile, region, endpoint_url, yes, allow_replace, no_exec, parameters,
                    bucket, parallel):
    from rich.console import Console

    from templates_src.deploy import multiregion as mr
    from templates_src.errors import UsageError

    if bucket:
        raise UsageError("--bucket does not apply to a multi-region system: each region uses its own artifact bucket")
    layout, sessions = _regions_context(system, env, stack_name, profile, region, endpoint_url, parameters)
    mplan = mr.plan_all(layout, sessions)
    if mplan.no_changes:
        mr.discard(mplan)
        click.echo(f"No changes: every stack of {layout.system}/{layout.env} is up to date "
                   f"({', '.join(fp.folder.name for fp in mplan.all())}).")
        return
    click.echo(mr.render_text(mplan))
    if no_exec:
        click.echo("change sets created and not executed (--no-exec): "
                   + ", ".join(f"{fp.folder.name}: {fp.plan.change_set_id or 'no changes'}" for fp in mplan.all()))
        return
    if mplan.dangers and not allow_replace:
        mr.execute_all(mplan, lambda _: None)  # refuses with exit code 3 and deletes every change set
    if not yes and not click.confirm(f"Execute {sum(not fp.review.no_changes for fp in mplan.all())} change set(s) "
                                     f"of {layout.system}/{layout.env}?", default=False):
        mr.discard(mplan)
        click.echo("declined: change sets deleted, nothing deployed")
        sys.exit(1)
    outcome = mr.execute_all(mplan, lambda _: Console(highlight=False), parallel=parallel,
                             allow_replace=allow_replace, selection=f" --system {layout.system} --env {layout.env}",
                             say=click.echo)
    for folder, outputs in outcome.outputs.items():
        status = (outcome.dns if folder == "global" else outcome.regional.get(folder))
        click.echo(f"{folder}: {status.status if status else 'no changes'}")
        _echo_outputs([{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()])


@cli.group()
def failover() -> None:
    """Route 53 failover of a multi-region system: record and health-check status, promotion."""


@failover.command("status")
@aws_options
@reports_errors
def failover_status(system, env, stack_name, profile, region, endpoint_url):
    """Each failover record (region, PRIMARY/SECONDARY, target) and its health check's status."""
    from templates_src.deploy import multiregion as mr

    layout, sessions = _regions_context(system, env, stack_name, profile, region, endpoint_url, build=False)
    report = mr.failover_status(layout, sessions)
    click.echo(f"{report.domain}: DNS stack {report.stack_name} in {report.region}; primary region {report.primary}")
    for r in report.records:
        click.echo(f"  {r.type:<4} {r.set_identifier:<12} {r.failover:<9} -> {r.target:<48} {r.health}")


@failover.command("promote")
@aws_options
@click.option("--to", "to_region", required=True, help="The region that becomes PRIMARY.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before executing.")
@reports_errors
def failover_promote(system, env, stack_name, profile, region, endpoint_url, to_region, yes):
    """Make another region PRIMARY: plan the DNS stack with PrimaryRegion changed, review, ask, execute."""
    from rich.console import Console

    from templates_src.deploy import multiregion as mr
    from templates_src.deploy import review as rv

    layout, sessions = _regions_context(system, env, stack_name, profile, region, endpoint_url, build=False)
    fp = mr.plan_promotion(layout, sessions, to_region)
    click.echo(rv.render_text(fp.review))
    if fp.review.no_changes:
        mr.discard_plans([fp])
        return
    if not yes and not click.confirm(f"Make {to_region} the PRIMARY region of {layout.system}/{layout.env}?", default=False):
        mr.discard_plans([fp])
        click.echo("declined: change set deleted, nothing changed")
        sys.exit(1)
    outcome = mr.execute_promotion(fp, Console(highlight=False))
    click.echo(f"{fp.folder.target.stack_name}: {outcome.status}; PRIMARY is now {to_region}")
    click.secho(f"note: params still name failover.primary; set it to {to_region} or the next deploy fails back",
                fg="yellow", err=True)


def _echo_outputs(items):
    if not items:
        click.echo("(no outputs)")
        return
    width = max(len(o["OutputKey"]) for o in items)
    for o in sorted(items, key=lambda o: o["OutputKey"]):
        click.echo(f"  {o['OutputKey']:<{width}}  {o.get('OutputValue', '')}")


@cli.command()
@aws_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def outputs(system, env, stack_name, profile, region, endpoint_url, fmt):
    """Print the root stack's outputs."""
    import json

    from templates_src.deploy.status import outputs as get_outputs

    built, aws = _deploy_context(system, env, stack_name, profile, region, endpoint_url, build=False)
    items = get_outputs(aws, built.stack_name)
    if fmt == "json":
        click.echo(json.dumps({o["OutputKey"]: o.get("OutputValue") for o in items}, indent=2, sort_keys=True))
    else:
        click.echo(f"{built.stack_name} outputs:")
        _echo_outputs(items)


@cli.command()
@aws_options
@reports_errors
def status(system, env, stack_name, profile, region, endpoint_url):
    """Root and nested stack statuses (and drift status when a drift check has run)."""
    from templates_src.deploy.status import status as get_status

    built, aws = _deploy_context(system, env, stack_name, profile, region, endpoint_url, build=False)
    states = get_status(aws, built.stack_name)
    width = max(len(s.path) for s in states)
    for s in states:
        extra = [f"drift {s.drift}"] if s.drift else []
        extra += ["termination protection"] if s.termination_protection else []
        extra += [s.reason] if s.reason else []
        click.echo(f"{s.path:<{width}}  {s.status:<24} {'; '.join(extra)}".rstrip())


@cli.command()
@aws_options
@click.option("--yes", "-y", is_flag=True, help="Do not ask before deleting.")
@reports_errors
def destroy(system, env, stack_name, profile, region, endpoint_url, yes):
    """Delete the root stack (and its nested stacks); refuses envs marked `protect: true`."""
    from templates_src.deploy.status import destroy as do_destroy
    from templates_src.errors import DangerousChange

    built, aws = _deploy_context(system, env, stack_name, profile, region, endpoint_url, build=False)
    if built.protect:
        raise DangerousChange(f"{built.system}/{built.env} is marked `protect: true`: destroy refuses it")
    if not yes and not click.confirm(f"Delete stack {built.stack_name} and its nested stacks?", default=False):
        click.echo("declined: nothing deleted")
        sys.exit(1)
    result = do_destroy(aws, built.stack_name, protect=built.protect, selection=_selection(built))
    click.echo(f"{result.stack_name}: {result.status}")
    if result.retained:
        click.echo("kept by their DeletionPolicy (delete them by hand when no longer needed):")
        for line in result.retained:
            click.echo(f"  {line}")


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    cli()
