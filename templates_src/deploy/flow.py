"""Each deploy command from start to finish: the CLI's one call per command.

A command gets a `Deployment` (from `open_deployment`: build if stale, read the layout, connect), its
options, a `Sink` for what a person reads and, when it asks something, a `confirm` callback (the CLI
passes click.confirm; `--yes` skips it). It returns a `Result`; the CLI exits with its `exit_code`.
Errors are the library's typed errors, raised as usual.

A single-region system is a layout of one folder (`multiregion.Layout.single`), so a command walks
every system the same way and only its wording tells one region from several. The work itself is done
by package.py, plan.py, execute.py, status.py and multiregion.py; nothing here calls AWS directly.
Knows nothing of click.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DangerousChange, DeployError
from ..paths import shown
from . import insight
from . import multiregion as mr
from . import review as rv
from . import status as st
from .execute import Outcome, execute
from .package import Packaged
from .plan import delete_plan
from .session import Aws, AwsOptions, connect
from .target import BuiltTarget, parse_overrides

Confirm = Callable[[str], bool]


def _rich_console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


@dataclass(frozen=True)
class Sink:
    """Where a command's words go. The CLI passes click's echo; a test passes list appends."""

    out: Callable[[str], None]  # stdout: reviews, results, outputs (a machine format is alone there)
    err: Callable[[str], None]  # stderr: progress remarks
    warn: Callable[[str], None]  # stderr, highlighted: warnings and notes
    console: Callable[[], Any] = _rich_console  # a rich Console for the live event display


@dataclass
class Result:
    """What a command did: `state` in a word, the exit code, and its per-folder results."""

    state: str  # packaged, planned, no-changes, not-executed, declined, deployed, ...
    exit_code: int = 0
    by_folder: dict[str, Any] = field(default_factory=dict)  # folder ("" single-region) -> Outcome, Packaged, ...


DECLINED = 1  # exit code when the answer to the question is no


# ------------------------------------------------------------------------------------------ deployment


@dataclass(frozen=True)
class Selection:
    """What the command line names: which system, which stack, where to connect."""

    system: str | None = None
    env: str | None = None
    stack_name: str | None = None  # default <system>-<env>
    aws: AwsOptions = AwsOptions()  # noqa: RUF009 - frozen: one shared default is safe
    parameters: tuple[str, ...] = ()  # --parameter Key=Value


@dataclass(frozen=True)
class Deployment:
    """A built system and the sessions that reach it: one per region it uses."""

    layout: mr.Layout
    sessions: dict[str, Aws]  # region -> session
    protect: bool = False  # the env is marked `protect: true`

    @property
    def system(self) -> str:
        return self.layout.system

    @property
    def env(self) -> str:
        return self.layout.env

    @property
    def single_region(self) -> bool:
        return self.layout.single_region

    @property
    def selection(self) -> str:
        """The command-line selection, for the commands a failure message suggests."""
        return f" --system {self.system} --env {self.env}"

    def parts(self) -> list[tuple[mr.Folder, Aws]]:
        """Every root with its session, in deploy order (regions, primary first; then the DNS stack)."""
        return [(folder, self.sessions[folder.region]) for folder in self.layout.all()]


def open_deployment(selection: Selection, *, build: bool = True) -> Deployment:
    """Build the target when `build` (only changed files are written), read its layout, connect."""
    from .. import compiler
    from ..config.load import load, resolve_target

    target = resolve_target(selection.system, selection.env)
    loaded = load(target)
    out = compiler.output_dir(target)
    multi = compiler.is_multi_region(loaded.config)
    if build or (multi and not (out / "manifest.json").is_file()):
        compiler.write(compiler.compile_loaded(loaded), out)
    stack_name = selection.stack_name or f"{target.system}-{target.env}"
    protect, overrides = loaded.config.protect, parse_overrides(selection.parameters)
    if multi:
        layout = mr.read_layout(out, target.system, target.env, stack_name, protect=protect, overrides=overrides)
        return Deployment(layout, mr.connect_regions(layout, selection.aws), protect)
    aws = connect(selection.aws, default_region=loaded.config.region)
    built = BuiltTarget(target.system, target.env, out, stack_name, protect=protect, overrides=overrides)
    return Deployment(mr.Layout.single(built, aws.region), {aws.region: aws}, protect)


def _existing(d: Deployment, sink: Sink) -> list[tuple[mr.Folder, Aws]]:
    """The roots to read or delete. Single-region: the root, whether it exists or not (reading it says
    so). Multi-region: those that exist, a line (stderr) for each that does not, an error when none does."""
    if d.single_region:
        return d.parts()
    found = []
    for folder, aws in d.parts():
        if st.exists(aws, folder.target.stack_name):
            found.append((folder, aws))
        else:
            sink.err(f"{folder.name}: stack {folder.target.stack_name} does not exist in {folder.region}")
    if not found:
        raise DeployError(
            f"no stack of {d.system}/{d.env} exists ({', '.join(_where(f) for f, _ in d.parts())}): "
            "deploy it first, or check --stack-name"
        )
    return found


def _where(folder: mr.Folder) -> str:
    return f"{folder.target.stack_name} in {folder.region}"


def _header(d: Deployment, sink: Sink, folder: mr.Folder) -> None:
    """Multi-region: the line that starts a folder's section."""
    if not d.single_region:
        sink.out(f"=== {mr.describe(folder)} ===")


# ---------------------------------------------------------------------------------------- package, plan


def _packaged_line(folder: mr.Folder, packaged: Packaged) -> str:
    where = f"{folder.target.system}/{folder.target.env}" + (f" {folder.name}" if folder.name else "")
    state = f"{len(packaged.uploaded)} uploaded, {len(packaged.reused)} unchanged"
    return f"packaged {where} -> s3://{packaged.bucket}/{packaged.prefix}/ ({state})"


def package(d: Deployment, sink: Sink, *, bucket: str | None = None, prefix: str | None = None) -> Result:
    """Upload the templates (content-addressed) and write the packaged roots; say where and how to launch them."""
    result = Result("packaged")
    for folder, packaged in mr.package_all(d.layout, d.sessions, bucket=bucket, prefix=prefix):
        _header(d, sink, folder)
        sink.out(_packaged_line(folder, packaged))
        if packaged.bucket_created:
            sink.out(f"created artifact bucket {packaged.bucket} (private, encrypted, versioned)")
        sink.out(f"root template: {packaged.root_url}")
        if packaged.root_path is not None:
            sink.out(f"written: {shown(packaged.root_path)} (+ root.yaml)")
        sink.out(f"capabilities: {', '.join(packaged.capabilities) or 'none'}")
        sink.out(f"quick-create link: {packaged.quick_create_url}")
        result.by_folder[folder.name] = packaged
    return result


def _plan(d: Deployment, sink: Sink, *, bucket: str | None = None) -> mr.MultiPlan:
    mplan = mr.plan_all(d.layout, d.sessions, bucket=bucket)
    for fp in mplan.all():
        sink.err(_packaged_line(fp.folder, fp.packaged))
    return mplan


def plan(d: Deployment, sink: Sink, *, fmt: str = "text", bucket: str | None = None, cleanup: bool = False) -> Result:
    """Create the change sets and show one review over every root (text, json or markdown on stdout);
    keep them for review unless `cleanup` (a change set without changes is never kept)."""
    import json

    mplan = _plan(d, sink, bucket=bucket)
    if fmt == "json":
        sink.out(json.dumps(mr.to_json(mplan), indent=2))
    elif fmt == "markdown":
        sink.out(mr.render_markdown(mplan).removesuffix("\n"))
    else:
        sink.out(mr.render_text(mplan).removesuffix("\n"))
    for level, line in insight.plan_notes(d.parts()):  # drift warning and cost change (issue 16)
        (sink.warn if level == "warn" else sink.err)(line)
    kept = []
    for fp in mplan.all():
        if cleanup or fp.review.no_changes:
            delete_plan(fp.aws, fp.plan)
        elif fp.plan.change_set_id:
            kept.append(fp)
    if len(kept) == 1 and d.single_region:
        sink.err(
            f"change set {kept[0].review.change_set_name} left for review; "
            "`deploy` makes a fresh one, `plan --cleanup` does not keep it"
        )
    elif kept:
        sink.err(
            f"change sets left for review ({', '.join(f'{fp.folder.name}: {fp.review.change_set_name}' for fp in kept)}); "
            "`deploy` makes fresh ones, `plan --cleanup` does not keep them"
        )
    return Result("planned", by_folder={fp.folder.name: fp.review for fp in mplan.all()})


# ---------------------------------------------------------------------------------------------- deploy


@dataclass(frozen=True)
class DeployOptions:
    yes: bool = False  # do not ask
    allow_replace: bool = False  # accept danger items (and lift the stack policies for this execution)
    no_exec: bool = False  # create and show the change sets, then stop
    bucket: str | None = None  # artifact bucket (single-region only)
    parallel: bool = False  # multi-region: the regional stacks at the same time


def deploy(d: Deployment, options: DeployOptions, confirm: Confirm, sink: Sink) -> Result:
    """Package, plan, show one review, refuse danger items, ask, execute (live events), report the
    outputs. "No changes" is success. Multi-region: regions first, then the DNS stack from their outputs."""
    mplan = _plan(d, sink, bucket=options.bucket)
    if mplan.no_changes:
        mr.discard(mplan)
        sink.out(_no_changes_line(d, mplan))
        return Result("no-changes")
    sink.out(mr.render_text(mplan))
    mr.refuse_dangers(mplan, options.allow_replace)
    if options.no_exec:
        sink.out(_not_executed_line(d, mplan))
        return Result("not-executed", by_folder={fp.folder.name: fp.plan for fp in mplan.all()})
    if not options.yes and not confirm(_question(d, mplan)):
        mr.discard(mplan)
        sink.out(f"declined: change set{'' if d.single_region else 's'} deleted, nothing deployed")
        return Result("declined", exit_code=DECLINED)
    if d.single_region:
        fp = mplan.regional[0]
        outcome = execute(
            fp.aws,
            fp.plan,
            fp.folder.target,
            sink.console(),
            allow_replace=options.allow_replace,
            selection=d.selection,
        )
        _report(
            sink,
            f"{outcome.stack_name}: {outcome.status}; stack policy set on {len(outcome.policies)} stack(s)"
            + ("; termination protection on" if outcome.protected else ""),
            outcome,
            st.output_values(outcome.outputs),
        )
        return Result("deployed", by_folder={fp.folder.name: outcome})
    multi = mr.execute_all(
        mplan,
        lambda _: sink.console(),
        parallel=options.parallel,
        allow_replace=options.allow_replace,
        selection=d.selection,
        say=sink.out,
    )
    result = Result("deployed")
    for folder, outputs in multi.outputs.items():
        done = multi.dns if folder == mr.GLOBAL else multi.regional.get(folder)
        _report(sink, f"{folder}: {done.status if done else 'no changes'}", done, outputs)
        result.by_folder[folder] = done
    return result


def _no_changes_line(d: Deployment, mplan: mr.MultiPlan) -> str:
    if d.single_region:
        return rv.no_changes_line(mplan.regional[0].review)
    return (
        f"No changes: every stack of {d.system}/{d.env} is up to date "
        f"({', '.join(fp.folder.name for fp in mplan.all())})."
    )


def _not_executed_line(d: Deployment, mplan: mr.MultiPlan) -> str:
    if d.single_region:
        fp = mplan.regional[0]
        return (
            f"change set {fp.review.change_set_name} created and not executed (--no-exec); "
            f"execute it with `aws cloudformation execute-change-set --change-set-name {fp.plan.change_set_id}`"
        )
    return "change sets created and not executed (--no-exec): " + ", ".join(
        f"{fp.folder.name}: {fp.plan.change_set_id or 'no changes'}" for fp in mplan.all()
    )


def _question(d: Deployment, mplan: mr.MultiPlan) -> str:
    if d.single_region:
        fp = mplan.regional[0]
        return f"Execute change set {fp.review.change_set_name} on {fp.folder.target.stack_name}?"
    return f"Execute {sum(not fp.review.no_changes for fp in mplan.all())} change set(s) of {d.system}/{d.env}?"


def _report(sink: Sink, headline: str, outcome: Outcome | None, outputs: dict[str, str]) -> None:
    sink.out(headline)
    for warning in outcome.warnings if outcome else ():
        sink.warn(f"warning: {warning}")
    for line in _table(outputs):
        sink.out(line)


def _table(outputs: dict[str, str]) -> list[str]:
    if not outputs:
        return ["(no outputs)"]
    width = max(len(key) for key in outputs)
    return [f"  {key:<{width}}  {outputs[key]}" for key in sorted(outputs)]


# --------------------------------------------------------------------------- outputs, status, destroy


def outputs(d: Deployment, sink: Sink, *, fmt: str = "text") -> Result:
    """The root stacks' outputs: text, or json for scripts (multi-region: an object per folder)."""
    import json

    result = Result("read")
    for folder, aws in _existing(d, sink):
        result.by_folder[folder.name] = st.output_values(st.outputs(aws, folder.target.stack_name))
        if fmt != "json":
            _header(d, sink, folder)
            if d.single_region:
                sink.out(f"{folder.target.stack_name} outputs:")
            for line in _table(result.by_folder[folder.name]):
                sink.out(line)
    if fmt == "json":
        values = result.by_folder[mr.SINGLE] if d.single_region else result.by_folder
        sink.out(json.dumps(values, indent=2, sort_keys=True))
    return result


def status(d: Deployment, sink: Sink) -> Result:
    """Root and nested stack statuses (and drift status when a drift check has run), each region's."""
    result = Result("read")
    for folder, aws in _existing(d, sink):
        states = st.status(aws, folder.target.stack_name)
        _header(d, sink, folder)
        width = max(len(s.path) for s in states)
        for s in states:
            extra = [f"drift {s.drift}"] if s.drift else []
            extra += ["termination protection"] if s.termination_protection else []
            extra += [s.reason] if s.reason else []
            sink.out(f"{s.path:<{width}}  {s.status:<24} {'; '.join(extra)}".rstrip())
        result.by_folder[folder.name] = states
    return result


def destroy(d: Deployment, *, yes: bool, confirm: Confirm, sink: Sink) -> Result:
    """Delete the root stacks and their nested stacks -- multi-region: the DNS stack first, then the
    regions (the reverse of deploy order). Refuses envs marked `protect: true`."""
    if d.protect:
        raise DangerousChange(f"{d.system}/{d.env} is marked `protect: true`: destroy refuses it")
    doomed = _existing(d, sink)[::-1]
    question = (
        f"Delete stack {doomed[0][0].target.stack_name} and its nested stacks?"
        if d.single_region
        else f"Delete {', '.join(_where(f) for f, _ in doomed)} and their nested stacks?"
    )
    if not yes and not confirm(question):
        sink.out("declined: nothing deleted")
        return Result("declined", exit_code=DECLINED)
    result = Result("destroyed")
    for folder, aws in doomed:
        _header(d, sink, folder)
        with mr.in_folder(folder):
            destroyed = st.destroy(aws, folder.target.stack_name, protect=d.protect, selection=d.selection)
        sink.out(f"{destroyed.stack_name}: {destroyed.status}")
        if destroyed.retained:
            sink.out("kept by their DeletionPolicy (delete them by hand when no longer needed):")
            for line in destroyed.retained:
                sink.out(f"  {line}")
        result.by_folder[folder.name] = destroyed
    return result


# -------------------------------------------------------------------------------------------- failover


def failover_status(d: Deployment, sink: Sink) -> Result:
    """Each failover record (region, PRIMARY/SECONDARY, target) and its health check's status."""
    report = mr.failover_status(d.layout, d.sessions)
    sink.out(f"{report.domain}: DNS stack {report.stack_name} in {report.region}; primary region {report.primary}")
    for r in report.records:
        sink.out(f"  {r.type:<4} {r.set_identifier:<12} {r.failover:<9} -> {r.target:<48} {r.health}")
    return Result("read", by_folder={mr.GLOBAL: report})


def promote(d: Deployment, to_region: str, *, yes: bool, confirm: Confirm, sink: Sink) -> Result:
    """Make another region PRIMARY: plan the DNS stack with PrimaryRegion changed, review, ask, execute."""
    fp = mr.plan_promotion(d.layout, d.sessions, to_region)
    sink.out(rv.render_text(fp.review))
    if fp.review.no_changes:
        mr.discard_plans([fp])
        return Result("no-changes")
    if not yes and not confirm(f"Make {to_region} the PRIMARY region of {d.system}/{d.env}?"):
        mr.discard_plans([fp])
        sink.out("declined: change set deleted, nothing changed")
        return Result("declined", exit_code=DECLINED)
    outcome = mr.execute_promotion(fp, sink.console())
    sink.out(f"{fp.folder.target.stack_name}: {outcome.status}; PRIMARY is now {to_region}")
    sink.warn(f"note: params still name failover.primary; set it to {to_region} or the next deploy fails back")
    return Result("promoted", by_folder={mr.GLOBAL: outcome})
