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
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import DangerousChange, DeployError, UsageError
from ..paths import shown
from . import bootstrap as bs
from . import insight, memory
from . import leftovers as lv
from . import multiregion as mr
from . import preflight as pf
from . import review as rv
from . import status as st
from .execute import Interrupted, Outcome, execute
from .package import Packaged, plain_http
from .plan import ChangeSetOptions, delete_plan, describe_stack, existing_plan, stack_base, stale_reasons
from .protect import Protections, reconcile
from .session import Aws, AwsOptions, connect
from .target import BuiltTarget, parse_overrides
from .zones import with_lookups

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
INPUTS_MISSING = 4  # a deploy that held services at zero tasks: it did its part, the operator's is missing


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
    secret_names: dict[str, str] = field(default_factory=dict)  # secrets-stack logical ID -> `secrets:` name

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
    from ..naming import secret_logical_id

    target = resolve_target(selection.system, selection.env)
    loaded = load(target)
    out = compiler.output_dir(target)
    multi = compiler.is_multi_region(loaded.config)
    if build or (multi and not (out / "manifest.json").is_file()):
        compiler.write(compiler.compile_loaded(loaded), out)
    stack_name = selection.stack_name or f"{target.system}-{target.env}"
    protect, overrides = loaded.config.protect, parse_overrides(selection.parameters)
    tags = root_tags(loaded.config.tags, target.system, target.env)
    secret_names = {secret_logical_id(name): name for name in loaded.config.secrets}
    if multi:
        layout = mr.read_layout(
            out, target.system, target.env, stack_name, protect=protect, overrides=overrides, tags=tags
        )
        return Deployment(layout, mr.connect_regions(layout, selection.aws), protect, secret_names)
    aws = connect(selection.aws, default_region=loaded.config.region)
    _refuse_other_region(aws, selection.aws, loaded.config.region, f"{target.system}/{target.env}")
    built = BuiltTarget(target.system, target.env, out, stack_name, protect=protect, overrides=overrides, tags=tags)
    return Deployment(mr.Layout.single(built, aws.region), {aws.region: aws}, protect, secret_names)


def _refuse_other_region(aws: Aws, options: AwsOptions, region: str, what: str) -> None:
    """The system's region wins: a --region, profile or environment naming another is an error before
    anything is created (it would deploy the system somewhere its params do not say)."""
    if aws.region == region:
        return
    source = "--region" if options.region else "the AWS profile or environment (AWS_REGION / AWS_DEFAULT_REGION)"
    raise UsageError(
        f"{what} deploys to {region} (regions: in its params), but {source} names {aws.region}: "
        f"drop it, or use --region {region}"
    )


def parse_tags(items: tuple[str, ...] | list[str]) -> tuple[tuple[str, str], ...]:
    """--tags Key=Value (repeatable) -> pairs; a later one for the same key wins."""
    return tuple(dict(parse_overrides(items, "--tags")).items())


def root_tags(params_tags: dict[str, str], system: str, env: str) -> tuple[tuple[str, str], ...]:
    """The root stack's tags: the params' `tags:` and stackc's own (the nested stacks carry the same)."""
    from ..naming import tags

    return tuple(sorted({**params_tags, **tags(system, env, stack="root")}.items()))


def _existing(d: Deployment, sink: Sink) -> list[tuple[mr.Folder, Aws]]:
    """The roots to read: those that exist, a line (stderr) for each that does not (multi-region), an
    error naming the command to run when none does."""
    if d.single_region:
        folder, aws = d.parts()[0]
        if not st.exists(aws, folder.target.stack_name):
            raise DeployError(
                f"stack {folder.target.stack_name} does not exist in {folder.region}: deploy it with "
                f"`stackc deploy{d.selection}`, or check --region/--stack-name"
            )
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
            f"deploy it with `stackc deploy{d.selection}`, or check --stack-name"
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
            tls = "TLS-only" if not plain_http(d.sessions[folder.region]) else "no TLS-only policy: plain-HTTP endpoint"
            sink.out(
                f"created artifact bucket {packaged.bucket} (private, encrypted, versioned, {tls}; old versions expire)"
            )
        sink.out(f"root template: {packaged.root_url}")
        if packaged.root_path is not None:
            sink.out(f"written: {shown(packaged.root_path)} (+ root.yaml)")
        sink.out(f"capabilities: {', '.join(packaged.capabilities) or 'none'}")
        sink.out(f"quick-create link: {packaged.quick_create_url}")
        result.by_folder[folder.name] = packaged
    return result


def remember_overrides(d: Deployment, say: Callable[[str], None]) -> Deployment:
    """Parameter memory (memory.py): earlier `-p` values the params file has not changed since stay in
    force; say which, and which `-p` values a params change replaces. Multi-region: each region's root."""
    kept: dict[str, tuple[tuple[str, str], ...]] = {}
    for folder, aws in d.parts():
        if folder.name == mr.GLOBAL:
            continue
        target = folder.target
        found = memory.deployed(aws, target.stack_name)
        if found is None:
            continue
        params_now = target.params_values()
        recalled = memory.recall(*found, params_now, dict(target.overrides))
        kept[folder.name] = tuple(sorted(recalled.kept.items()))
        lines = recalled.lines(params_now, target.noecho_parameters())
        if lines and not d.single_region:
            lines[0] = f"{folder.name}: {lines[0]}"
        for line in lines:
            say(line)
    if not any(kept.values()):
        return d
    return replace(d, layout=mr.with_remembered(d.layout, kept))


def _plan(
    d: Deployment,
    sink: Sink,
    *,
    bucket: str | None = None,
    options: ChangeSetOptions | None = None,
    say: Callable[[str], None] | None = None,
) -> mr.MultiPlan:
    """Package and create the change sets, earlier `-p` values remembered (said with `say`, default stdout)."""
    options = options or ChangeSetOptions(selection=d.selection)
    d = remember_overrides(d, say or sink.out)
    mplan = mr.plan_all(d.layout, d.sessions, bucket=bucket, options=options, progress=sink.err)
    for fp in mplan.all():
        sink.err(_packaged_line(fp.folder, fp.packaged))
        fp.plan.review = rv.judge_conditional(fp.plan.review, predict_conditionals(fp))
        fp.plan.review = rv.annotate_deployments(fp.plan.review, deployment_strategies(fp))
    return mplan


def deployment_strategies(fp: mr.FolderPlan) -> dict[str, str]:
    """change path -> how each updated ECS service's next deployment runs (blue/green, canary, linear), read
    from the built template it is updated to (the change set does not always carry the property values)."""
    children = fp.folder.target.children()
    out: dict[str, str] = {}
    for c in fp.review.changes:
        if c.action != "Modify":
            continue
        if c.resource_type == rv.NESTED_STACK and not c.nested and len(c.stack) == 1 and c.logical_id in children:
            # Its own change set is not shown: say how its services' deployments would run.
            services = fp.folder.target.template(children[c.logical_id]).get("Resources", {})
            described = [
                f"{lid}: {text}"
                for lid, r in sorted(services.items())
                if r.get("Type") == rv.ECS_SERVICE
                and (text := rv.describe_strategy(r.get("Properties", {}).get("DeploymentConfiguration")))
            ]
            if described:
                out[c.path] = "; ".join(described)
            continue
        if c.resource_type != rv.ECS_SERVICE:
            continue
        name = "root" if len(c.stack) == 1 else children.get(c.stack[1]) if len(c.stack) == 2 else None
        if name is None:
            continue
        resource = fp.folder.target.template(name).get("Resources", {}).get(c.logical_id, {})
        described_one = rv.describe_strategy(resource.get("Properties", {}).get("DeploymentConfiguration"))
        if described_one:
            out[c.path] = described_one
    return out


def predict_conditionals(fp: mr.FolderPlan) -> dict[str, Any]:
    """change path -> offline Prediction (templates_src/replacement.py, by the insight engineer) for each
    Conditional replacement of a data-bearing resource: the deployed template of its stack against the
    built one. Empty -- every such item stays a danger -- when there is none or nothing is deployed."""
    wanted = [c for c in fp.review.changes if c.replacement == "Conditional" and c.resource_type in rv.DATA_TYPES]
    if not wanted:
        return {}
    from .. import replacement
    from . import deployed

    stacks = {s.path: s for s in deployed.read(fp.aws, fp.folder.target.stack_name) or []}
    children = fp.folder.target.children()
    built_values = {p["ParameterKey"]: p["ParameterValue"] for p in fp.folder.target.parameters()}
    out: dict[str, Any] = {}
    for c in wanted:
        stack_path = "/".join(c.stack)
        old = stacks.get(stack_path)
        name = "root" if len(c.stack) == 1 else children.get(c.stack[1]) if len(c.stack) == 2 else None
        if old is None or name is None:
            continue
        new_values = built_values if name == "root" else None
        predicted = replacement.predict(
            old.template,
            fp.folder.target.template(name),
            region=fp.folder.region,
            old_parameters=old.parameters,
            new_parameters=new_values,
        )
        if c.logical_id in predicted:
            out[c.path] = predicted[c.logical_id]
    return out


def plan(
    d: Deployment,
    sink: Sink,
    *,
    fmt: str = "text",
    bucket: str | None = None,
    cleanup: bool = False,
    change_set: str | None = None,
) -> Result:
    """Create the change sets and show one review over every root (text, json or markdown on stdout);
    keep them for review unless `cleanup` (a change set without changes is never kept). With
    `change_set` (a name or ARN): review that existing change set instead, made by anyone, changing
    nothing. Exit 3 when the review holds a danger item (as `deploy` would refuse it)."""
    import json

    if change_set:
        return _review_existing(d, sink, fmt, change_set)
    boot = _bootstrap(d, sink)
    d = boot.deployment
    mplan = _plan(d, sink, bucket=bucket, say=sink.out if fmt == "text" else sink.err)
    if fmt == "text":
        for line in boot.targets:
            sink.out(line)
    if fmt == "json":
        from . import waivers

        document = {
            **mr.to_json(mplan),
            "waivers": waivers.to_json(waivers.in_layout(d.layout)),
            "preflight": preflight_json(boot, d.single_region),
        }
        sink.out(json.dumps(document, indent=2))
    elif fmt == "markdown":
        sink.out(mr.render_markdown(mplan).removesuffix("\n"))
        _waivers(d, sink, markdown=True)
    else:
        sink.out(mr.render_text(mplan).removesuffix("\n"))
        _waivers(d, sink)
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
            f"change set {kept[0].review.change_set_name} left for review; execute exactly it with "
            f"`stackc deploy{d.selection} --change-set {kept[0].review.change_set_name}` "
            "(`plan --cleanup` does not keep it)"
        )
    elif kept:
        sink.err(
            f"change sets left for review ({', '.join(f'{fp.folder.name}: {fp.review.change_set_name}' for fp in kept)}); "
            "`deploy` makes fresh ones, `plan --cleanup` does not keep them"
        )
    if boot.held:
        for hold in boot.holds.values():
            for line in [
                "deploy would hold these services at zero tasks until their inputs exist:",
                *(f"  {s}" for s in hold.services),
                *bs.missing_lines(hold),
            ]:
                sink.err(line)
    return Result(
        "planned", exit_code=DANGER if mplan.dangers else 0, by_folder={fp.folder.name: fp.review for fp in mplan.all()}
    )


DANGER = 3  # exit code of a review that holds a danger item (DangerousChange's)


def preflight_json(boot: Bootstrapped, single_region: bool) -> list[dict[str, Any]]:
    """Every preflight finding of the plan (what blocks stops the plan before it: exit 1), most serious
    first; a multi-region system's name their folder."""
    order = {pf.BLOCKED: 0, pf.MISSING: 1, pf.NOTE: 2}
    return [
        ({} if single_region else {"folder": name}) | f.to_json()
        for name, report in boot.reports.items()
        for f in sorted(report.findings, key=lambda f: order.get(f.kind, 3))
    ]


def _review_existing(d: Deployment, sink: Sink, fmt: str, change_set: str) -> Result:
    import json

    if not d.single_region:
        raise UsageError("--change-set applies to a single-region system (each region has its own change sets)")
    folder, aws = d.parts()[0]
    existing = existing_plan(aws, folder.target.stack_name, change_set, folder.target.noecho_parameters())
    if fmt == "json":
        sink.out(json.dumps(rv.to_json(existing.review), indent=2))
    elif fmt == "markdown":
        sink.out(rv.render_markdown(existing.review).removesuffix("\n"))
    else:
        sink.out(rv.render_text(existing.review))
    return Result("reviewed", exit_code=DANGER if existing.review.dangers else 0, by_folder={"": existing.review})


# ------------------------------------------------------------------------------- preflight and bootstrap
# Two stages before any change set: preflight reads the account (preflight.py); bootstrap holds at zero
# tasks the services whose image or secret is missing (bootstrap.py). `deploy` and `plan` run both.


def _preflight_all(d: Deployment) -> list[tuple[mr.Folder, Aws, pf.Report]]:
    out = []
    for folder, aws in d.parts():
        target = folder.target
        if folder.role == "dns":  # its inputs come from the regions' outputs at plan time, not the operator
            target = replace(target, overrides=(*target.overrides, *((k, "pending") for k in d.layout.inputs)))
        else:  # zones and prefix lists by name: their IDs, as the change-set step fills them (deploy/zones.py)
            given = {p["ParameterKey"] for p in target.parameters()}
            filled = with_lookups(aws, target.manifest, target.parameters())
            zones = tuple((p["ParameterKey"], p["ParameterValue"]) for p in filled if p["ParameterKey"] not in given)
            target = replace(target, overrides=(*target.overrides, *zones))
        with mr.in_folder(folder):
            report = pf.run(target, aws, selection=d.selection, secret_names=d.secret_names)
        out.append((folder, aws, report))
    return out


def _target_line(report: pf.Report) -> str:
    return f"{report.stack_name}: account {report.account}, region {report.region}"


def preflight(d: Deployment, sink: Sink) -> Result:
    """Read-only checks of the account: one line per problem with what to do. Exit 1 when something
    blocks the deploy, 4 when inputs are missing (images, secret values, zones, ...), else 0."""
    result = Result("checked")
    for folder, _, report in _preflight_all(d):
        _header(d, sink, folder)
        blocked, missing = len(report.of(pf.BLOCKED)), len(report.of(pf.MISSING))
        state = "ok" if not blocked and not missing else f"{blocked} blocking, {missing} missing"
        sink.out(f"Preflight of {_target_line(report)}: {state}")
        for line in report.lines():
            sink.out(f"  {line}")
        result.by_folder[folder.name] = report
    codes = {r.exit_code for r in result.by_folder.values()}
    result.exit_code = 1 if 1 in codes else 4 if 4 in codes else 0  # what blocks first, then what is missing
    result.state = {0: "ok", 1: "blocked", 4: "missing"}[result.exit_code]
    return result


@dataclass
class Bootstrapped:
    """The deployment as this deploy runs it (services held at zero where inputs are missing)."""

    deployment: Deployment
    holds: dict[str, bs.Holds]  # folder name -> its holds
    targets: list[str]  # "<stack>: account A, region R" per folder, for the review's header
    reports: dict[str, pf.Report] = field(default_factory=dict)  # folder name -> its preflight report

    @property
    def held(self) -> bool:
        return any(self.holds.values())


def _bootstrap(d: Deployment, sink: Sink) -> Bootstrapped:
    """Preflight every folder; stop on what blocks (exit 1) or cannot be waited for (exit 4); hold the
    services whose images or secrets are missing."""
    holds: dict[str, bs.Holds] = {}
    folders: dict[str, mr.Folder] = {}
    targets = []
    reports: dict[str, pf.Report] = {}
    for folder, aws, report in _preflight_all(d):
        targets.append(_target_line(report))
        reports[folder.name] = report
        if report.of(pf.BLOCKED):
            raise DeployError(
                "\n".join(
                    [
                        "preflight found what would make the deploy fail (nothing was deployed):",
                        *(f"  {line}" for line in report.lines() if not line.startswith("note:")),
                    ]
                )
            )
        live = st.describe_live(aws, folder.target.stack_name)
        holds[folder.name] = hold = bs.decide(report, live)
        folders[folder.name] = (
            replace(folder, target=replace(folder.target, temporary=tuple(sorted(hold.values.items()))))
            if hold
            else folder
        )
        for service in hold.services:
            sink.err(f"bootstrap: {service} held at zero tasks this deploy (its image or secret is missing)")
    layout = d.layout
    layout = replace(
        layout,
        regional=tuple(folders.get(f.name, f) for f in layout.regional),
        dns=folders.get(layout.dns.name, layout.dns) if layout.dns else None,
    )
    return Bootstrapped(replace(d, layout=layout), holds, targets, reports)


def _still_missing(b: Bootstrapped, sink: Sink) -> None:
    """After a deploy that held services: what they wait for and the commands that supply it."""
    sink.out("Inputs missing: these services were created (or kept) at zero tasks until you supply them:")
    for name, hold in b.holds.items():
        for service in hold.services:
            sink.out(f"  {service}" + (f" ({name})" if name else ""))
        for line in bs.missing_lines(hold):
            sink.out(line)
    sink.out(
        f"then run `stackc deploy{b.deployment.selection}` again: it starts every service at its configured count."
    )


def _waivers(d: Deployment, sink: Sink, markdown: bool = False) -> None:
    """The findings the deployed templates keep on purpose (params `waivers:`), after the review."""
    from . import waivers

    section = waivers.render(waivers.in_layout(d.layout), markdown=markdown)
    if section:
        sink.out(section)


# ---------------------------------------------------------------------------------------------- deploy
#
# The deploy pipeline (ARCHITECTURE.md §4b), one stage per function, run in this order by `deploy`:
#
#   preflight -> bootstrap -> change sets -> review -> confirm -> execute + events
#             -> reconcile protections -> outputs
#
# Each stage reads and extends one `Run`; a stage that stops the deploy raises a typed error or returns
# a Result. `preflight` and `bootstrap` are the first-deploy stages (issue 10): read-only checks of the
# account, then what services need before any task starts. Bootstrap's temporary root parameter values
# (e.g. desired counts of 0) go in `Run.temporary`: they are applied for one execution and never
# remembered by parameter memory (memory.py), unlike `-p` values.


@dataclass(frozen=True)
class DeployOptions:
    yes: bool = False  # do not ask
    # Danger items accepted by name (logical ID or path); "*" (a bare --allow-replace) accepts every one.
    # The stack policies are lifted for those resources only (all of them for "*"), for this execution.
    allow_replace: tuple[str, ...] = ()
    no_exec: bool = False  # create and show the change sets, then stop
    bucket: str | None = None  # artifact bucket (single-region only)
    parallel: bool = False  # multi-region: the regional stacks at the same time
    role_arn: str | None = None  # --role-arn: CloudFormation's service role
    notification_arns: tuple[str, ...] = ()  # --notification-arns: SNS topics for stack events
    tags: tuple[tuple[str, str], ...] = ()  # --tags Key=Value, on top of the params' tags
    disable_rollback: bool = False  # --disable-rollback: keep what was made when a resource fails
    detach: bool = False  # --detach: start the execution and return (follow it with `status`)
    change_set: str | None = None  # --change-set NAME: execute this reviewed change set, if still current


@dataclass
class Run:
    """What the stages of one deploy share."""

    d: Deployment
    options: DeployOptions
    sink: Sink
    confirm: Confirm | None
    temporary: dict[str, str] = field(default_factory=dict)  # one-execution values for every region
    mplan: mr.MultiPlan | None = None
    boot: Bootstrapped | None = None  # preflight's findings and bootstrap's holds, per folder

    def change_set_options(self) -> ChangeSetOptions:
        o = self.options
        return ChangeSetOptions(o.role_arn, o.notification_arns, o.tags, self.d.selection)


INTERRUPTED = 130  # exit code after Ctrl-C (128 + SIGINT), as shells report it


def deploy(d: Deployment, options: DeployOptions, confirm: Confirm | None, sink: Sink) -> Result:
    """Package, plan, show one review, refuse danger items, ask, execute (live events), reconcile the
    protections, report the outputs. "No changes" is success (protections are reconciled all the same).
    `confirm` is None when there is nobody to ask (no terminal): then only --yes or --no-exec may go on.
    Multi-region: regions first, then the DNS stack from their outputs."""
    run = Run(d, options, sink, confirm)
    check_unattended(run)
    run_preflight(run)
    if options.change_set:
        mplan = reviewed_change_set(run)
        if mplan.no_changes:
            mr.discard(mplan)
            sink.out(_no_changes_line(d, mplan))
            reconcile_protections(run)
            return Result("no-changes")
        review(run)
        stopped = ask(run)
        return stopped if stopped is not None else execute_and_report(run)
    bootstrap(run)
    mplan = change_sets(run)
    if mplan.no_changes:
        mr.discard(mplan)
        sink.out(_no_changes_line(d, mplan))
        reconcile_protections(run)
        return inputs_missing(run, Result("no-changes"))
    review(run)
    if options.no_exec:
        sink.out(_not_executed_line(d, mplan))
        return Result("not-executed", by_folder={fp.folder.name: fp.plan for fp in mplan.all()})
    stopped = ask(run)
    if stopped is not None:
        return stopped
    return inputs_missing(run, execute_and_report(run))


def inputs_missing(run: Run, result: Result) -> Result:
    """After a deploy that held services at zero tasks: what they wait for, the commands that supply it,
    and exit 4 (the deploy did its part; the operator's is missing)."""
    if run.boot is None or not run.boot.held or result.exit_code:
        return result
    _still_missing(run.boot, run.sink)
    result.state, result.exit_code = "held", INPUTS_MISSING
    return result


def check_unattended(run: Run) -> None:
    """No terminal and no --yes (a CI job): stop before any change set is made."""
    o = run.options
    if run.confirm is None and not o.yes and not o.no_exec:
        raise UsageError(
            "no terminal to ask on (stdin is not a TTY): pass --yes to deploy without asking, "
            "or --no-exec to only create and show the change set"
        )
    if o.detach and not run.d.single_region:
        raise UsageError("--detach applies to a single-region system: the DNS stack waits for the regions' outputs")


def run_preflight(run: Run) -> None:
    """Read-only checks of the account before anything changes (first-deploy, issue 10): what would make
    the deploy fail stops it here (exit 1, nothing deployed); what is missing (images, secret values)
    decides bootstrap's holds."""
    run.boot = _bootstrap(run.d, run.sink)


def bootstrap(run: Run) -> None:
    """What services need before any task starts (first-deploy, issue 10): a service whose image or secret
    value is missing is held at zero tasks for this execution -- its count root parameters set to 0 as
    temporary values (BuiltTarget.temporary), which parameter memory never remembers."""
    if run.boot is not None:
        run.d = run.boot.deployment


def change_sets(run: Run) -> mr.MultiPlan:
    """Package and create the change sets (nested stacks included), with progress on stderr."""
    d = run.d
    if run.temporary:
        d = replace(d, layout=mr.with_temporary(d.layout, run.temporary))
    run.mplan = _plan(d, run.sink, bucket=run.options.bucket, options=run.change_set_options())
    return run.mplan


def reviewed_change_set(run: Run) -> mr.MultiPlan:
    """`deploy --change-set NAME`: the change set `plan` left, if it is still what the current build
    would do (same templates and parameters -- its fingerprint --, the stack unchanged since); else
    refused, saying why and how to get a fresh one."""
    d = run.d
    if not d.single_region:
        raise UsageError("--change-set applies to a single-region system (each region has its own change sets)")
    d = remember_overrides(d, run.sink.err)  # as `plan` did when it made the change set
    folder, aws = d.parts()[0]
    target = folder.target
    packaged = mr.package_folder(folder, aws, bucket=run.options.bucket)
    existing = existing_plan(aws, target.stack_name, run.options.change_set or "", target.noecho_parameters())
    stack = describe_stack(aws, existing.stack_id or target.stack_name)
    parameters = target.parameters()
    reasons = stale_reasons(existing, stack, packaged.root_body, parameters, stack_base(aws, stack))
    if reasons:
        raise DeployError(
            f"change set {run.options.change_set} of {target.stack_name} is not what the current build would do: "
            + "; ".join(reasons)
            + f". Review a fresh one with `stackc plan{d.selection}`, then `stackc deploy{d.selection} --change-set NAME`"
        )
    run.mplan = mr.MultiPlan(d.layout, [mr.FolderPlan(folder, aws, packaged, existing, parameters)], None, {}, [])
    return run.mplan


def review(run: Run) -> None:
    """Show one review over every root; refuse danger items (exit 3) unless accepted by name."""
    assert run.mplan is not None
    for line in run.boot.targets if run.boot is not None else ():  # "<stack>: account A, region R"
        run.sink.out(line)
    run.sink.out(mr.render_text(run.mplan))
    _waivers(run.d, run.sink)
    if rv.ALL in run.options.allow_replace and run.mplan.dangers:
        run.sink.warn(
            f"WARNING: a bare --allow-replace accepts EVERY danger item above ({len(run.mplan.dangers)}): "
            "data in them can be lost. Name each one instead: --allow-replace LOGICAL_ID"
        )
    mr.refuse_dangers(run.mplan, run.options.allow_replace)


def ask(run: Run) -> Result | None:
    """The question (unless --yes). No, or Ctrl-C: every change set goes, with a stack that only existed
    for its review; exit 1 (declined) or 130 (interrupted). None: go on."""
    d, mplan, sink = run.d, run.mplan, run.sink
    assert mplan is not None
    if run.options.yes or run.confirm is None:
        return None
    which = f"change set{'' if d.single_region else 's'}"
    try:
        answer = run.confirm(_question(d, mplan))
    except KeyboardInterrupt:
        mr.discard(mplan)
        sink.err("")
        sink.out(f"interrupted: {which} deleted, nothing deployed")
        return Result("interrupted", exit_code=INTERRUPTED)
    if not answer:
        mr.discard(mplan)
        sink.out(f"declined: {which} deleted, nothing deployed")
        return Result("declined", exit_code=DECLINED)
    return None


def execute_and_report(run: Run) -> Result:
    """Execute (live events), then reconcile the protections and print the outputs. Ctrl-C while
    CloudFormation works: say that it goes on and how to follow it; the next deploy restores protections."""
    d, options, sink, mplan = run.d, run.options, run.sink, run.mplan
    assert mplan is not None
    try:
        if d.single_region:
            fp = mplan.regional[0]
            outcome = execute(
                fp.aws,
                fp.plan,
                fp.folder.target,
                sink.console(),
                allow_replace=options.allow_replace,
                selection=d.selection,
                disable_rollback=options.disable_rollback,
                detach=options.detach,
            )
            if options.detach:
                sink.out(
                    f"{outcome.stack_name}: {outcome.status} (detached: CloudFormation goes on). "
                    f"Follow it with `stackc status{d.selection}`; the next `stackc deploy{d.selection}` "
                    "puts the stack policies back and reports what is missing"
                )
                return Result("detached", by_folder={fp.folder.name: outcome})
            protections = reconcile_protections(run)
            _report(
                sink,
                f"{outcome.stack_name}: {outcome.status}" + (f"; {protections[0].line()}" if protections else ""),
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
            disable_rollback=options.disable_rollback,
        )
    except Interrupted as stop:
        sink.err("")
        sink.warn(
            f"interrupted: CloudFormation goes on with stack {stop.stack_name} without us. Follow it with "
            f"`stackc status{d.selection}` (or the console); when it settles, `stackc deploy{d.selection}` "
            "puts back the stack policies (and termination protection) even if it has nothing else to do"
        )
        return Result("interrupted", exit_code=INTERRUPTED)
    reconcile_protections(run)
    result = Result("deployed")
    for folder, outputs in multi.outputs.items():
        done = multi.dns if folder == mr.GLOBAL else multi.regional.get(folder)
        _report(sink, f"{folder}: {done.status if done else 'no changes'}", done, outputs)
        result.by_folder[folder] = done
    return result


def reconcile_protections(run: Run) -> list[Protections]:
    """Stack policies (root and nested), termination protection, root tags: on every deployed root,
    whether this deploy changed it or not. Restorations and problems are said; the rest is quiet."""
    done = []
    for folder, aws in run.d.parts():
        with mr.in_folder(folder):
            protections = reconcile(aws, folder.target)
        if protections is None:
            continue
        where = "" if run.d.single_region else f"{folder.name}: "
        if protections.restored:
            run.sink.warn(f"{where}restored the stack policy of {', '.join(protections.restored)}")
        if protections.termination_protection == "turned on":
            run.sink.out(f"{where}termination protection turned on for {protections.stack_name}")
        for warning in protections.warnings:
            run.sink.warn(f"warning: {where}{warning}")
        done.append(protections)
    return done


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


def status(d: Deployment, sink: Sink, *, fmt: str = "text") -> Result:
    """Root and nested stack statuses (and drift status when a drift check has run), each region's;
    `fmt` json: a list of stacks (multi-region: an object of lists by folder) for scripts."""
    import json

    result = Result("read")
    for folder, aws in _existing(d, sink):
        states = st.status(aws, folder.target.stack_name)
        result.by_folder[folder.name] = states
        if fmt == "json":
            continue
        _header(d, sink, folder)
        width = max(len(s.path) for s in states)
        for s in states:
            extra = [f"drift {s.drift}"] if s.drift else []
            extra += ["termination protection"] if s.termination_protection else []
            extra += [s.reason] if s.reason else []
            sink.out(f"{s.path:<{width}}  {s.status:<24} {'; '.join(extra)}".rstrip())
    if fmt == "json":
        by_folder = {name: [st.state_json(s) for s in states] for name, states in result.by_folder.items()}
        sink.out(json.dumps(by_folder[mr.SINGLE] if d.single_region else by_folder, indent=2))
    return result


def destroy(d: Deployment, *, yes: bool, confirm: Confirm | None, sink: Sink, purge: bool = False) -> Result:
    """Delete the root stacks and their nested stacks -- multi-region: the DNS stack first, then the
    regions (the reverse of deploy order), with live events. Refuses envs marked `protect: true`.
    Nothing to delete (no stack exists) is success. Lists what the DeletionPolicy kept with the command
    that deletes each; `purge` deletes them (after a question)."""
    if d.protect:
        raise DangerousChange(f"{d.system}/{d.env} is marked `protect: true`: destroy refuses it")
    if confirm is None and not yes:
        raise UsageError("no terminal to ask on (stdin is not a TTY): pass --yes to delete without asking")
    doomed = [(f, aws) for f, aws in d.parts() if st.exists(aws, f.target.stack_name)][::-1]
    if not doomed:
        where = ", ".join(_where(f) for f, _ in d.parts())
        sink.out(f"nothing to delete: no stack of {d.system}/{d.env} exists ({where})")
        return Result("absent")
    question = (
        f"Delete stack {doomed[0][0].target.stack_name} and its nested stacks?"
        if d.single_region
        else f"Delete {', '.join(_where(f) for f, _ in doomed)} and their nested stacks?"
    )
    try:
        if not yes and confirm is not None and not confirm(question):
            sink.out("declined: nothing deleted")
            return Result("declined", exit_code=DECLINED)
    except KeyboardInterrupt:
        sink.err("")
        sink.out("interrupted: nothing deleted")
        return Result("interrupted", exit_code=INTERRUPTED)
    result = Result("destroyed")
    for folder, aws in doomed:
        _header(d, sink, folder)
        sink.err(f"deleting stack {folder.target.stack_name} in {folder.region} (root and nested stacks)")
        try:
            with mr.in_folder(folder):
                destroyed = st.destroy(
                    aws, folder.target.stack_name, protect=d.protect, selection=d.selection, console=sink.console()
                )
        except KeyboardInterrupt:
            sink.err("")
            sink.warn(
                f"interrupted: CloudFormation goes on deleting {folder.target.stack_name} without us. "
                f"Follow it with `stackc status{d.selection}`; run `stackc destroy{d.selection}` again if it fails"
            )
            return Result("interrupted", exit_code=INTERRUPTED)
        sink.out(f"{destroyed.stack_name}: {destroyed.status}")
        if destroyed.retained and purge:
            _purge(aws, destroyed.retained, yes=yes, confirm=confirm, sink=sink)
        elif destroyed.retained:
            sink.out(
                "kept by their DeletionPolicy (a fixed name among them blocks the next deploy; delete each with the "
                f"command under it, or all with `stackc destroy{d.selection} --purge` next time):"
            )
            for line in lv.lines(destroyed.retained, aws.region):
                sink.out(f"  {line}")
        result.by_folder[folder.name] = destroyed
    return result


def _purge(aws: Aws, leftovers: list[lv.Leftover], *, yes: bool, confirm: Confirm | None, sink: Sink) -> None:
    """`destroy --purge`: after its own question, delete what the DeletionPolicy kept (snapshots stay)."""
    doomed = [left for left in leftovers if left.purgeable]
    for line in lv.lines(leftovers, aws.region):
        sink.out(f"  {line}")
    if not doomed:
        sink.out("nothing to purge")
        return
    question = f"Delete these {len(doomed)} retained resource(s) and all they hold, for good?"
    if not yes and (confirm is None or not confirm(question)):
        sink.out("declined: the retained resources stay")
        return
    done, left = lv.purge(aws, leftovers)
    for line in done:
        sink.out(f"purged {line}")
    for line in left:
        sink.warn(f"warning: {line}")


# ------------------------------------------------------------------------------------------- secrets


def secret_set(d: Deployment, name: str, value: str, sink: Sink) -> Result:
    """Put an operator's value into secret `name` in every region that creates it (a region reading the
    primary's replica gets the primary's value from Secrets Manager). The value is never printed; the
    line names the secret and the version."""
    from . import secret_values as sv

    result = Result("set")
    for folder, aws in d.parts():
        if folder.role == "dns":
            continue
        replica = sv.replica_of(folder.target, name)
        if replica is not None:  # Secrets Manager copies the primary's value; a replica refuses writes
            sink.out(f"secret {name} ({folder.name}): a replica of {replica[1]}'s {replica[0]}; it gets that value")
            continue
        with mr.in_folder(folder):
            version = sv.put_value(aws, folder.target, name, value, d.secret_names)
        where = f" ({folder.name})" if folder.name else ""
        sink.out(f"secret {name}{where}: value set (version {version}); the next task start reads it")
        result.by_folder[folder.name] = version
    sink.err(f"running tasks keep the value they started with: `stackc deploy{d.selection}` starts held services")
    return result


def secret_list(d: Deployment, sink: Sink) -> Result:
    """Every secret of the system: set / empty / not created, and when it last changed. Never a value."""
    from . import secret_values as sv

    result = Result("read")
    for folder, aws in d.parts():
        if folder.role == "dns":
            continue
        _header(d, sink, folder)
        states = sv.states(aws, folder.target, d.secret_names) + sv.replica_states(aws, folder.target)
        width = max((len(s.name) for s in states), default=0)
        for s in states:
            origin = f"replica of {s.replica_of}" if s.replica_of else "generated" if s.generated else "operator"
            sink.out(f"  {s.name:<{width}}  {s.state:<11}  {origin:<9}  {s.last_changed or '-'}")
        if not states:
            sink.out("  (no secrets)")
        result.by_folder[folder.name] = states
    return result


# -------------------------------------------------------------------------------------------- failover


def failover_status(d: Deployment, sink: Sink) -> Result:
    """Each failover record (region, PRIMARY/SECONDARY, target) and its health check's status, which
    region Route 53 answers with, and every record that disagrees with the DNS stack (exit 1 then)."""
    report = mr.failover_status(d.layout, d.sessions)
    sink.out(f"{report.domain}: DNS stack {report.stack_name} in {report.region}; primary region {report.primary}")
    for r in report.records:
        sink.out(f"  {r.type:<4} {r.set_identifier:<12} {r.failover:<9} -> {r.target:<48} {r.health}")
    sink.out(f"answering: {report.answering or 'no region (no healthy record)'}")
    for line in report.disagreements:
        sink.warn(f"!! {line}")
    if report.disagreements:
        sink.warn(
            f"the records disagree with the DNS stack: deploy it again (`stackc deploy{d.selection}`) or check "
            "who changed them"
        )
        return Result("disagree", exit_code=1, by_folder={mr.GLOBAL: report})
    return Result("read", by_folder={mr.GLOBAL: report})


def promote(d: Deployment, to_region: str, *, yes: bool, confirm: Confirm | None, sink: Sink) -> Result:
    """Make another region PRIMARY: plan the DNS stack with PrimaryRegion changed, review, ask, execute,
    then read the records back and say which region Route 53 answers with now."""
    if confirm is None and not yes:
        raise UsageError("no terminal to ask on (stdin is not a TTY): pass --yes to promote without asking")
    fp = mr.plan_promotion(d.layout, d.sessions, to_region)
    sink.out(rv.render_text(fp.review))
    if fp.review.no_changes:
        mr.discard_plans([fp])
        return Result("no-changes")
    try:
        if (
            not yes
            and confirm is not None
            and not confirm(f"Make {to_region} the PRIMARY region of {d.system}/{d.env}?")
        ):
            mr.discard_plans([fp])
            sink.out("declined: change set deleted, nothing changed")
            return Result("declined", exit_code=DECLINED)
    except KeyboardInterrupt:
        mr.discard_plans([fp])
        sink.out("interrupted: change set deleted, nothing changed")
        return Result("interrupted", exit_code=INTERRUPTED)
    outcome = mr.execute_promotion(fp, sink.console())
    sink.out(f"{fp.folder.target.stack_name}: {outcome.status}; the DNS stack's PrimaryRegion is now {to_region}")
    report = mr.failover_status(d.layout, d.sessions)
    for r in report.records:
        sink.out(f"  {r.type:<4} {r.set_identifier:<12} {r.failover:<9} -> {r.target:<48} {r.health}")
    if report.answering != to_region or report.disagreements:
        for line in report.disagreements:
            sink.warn(f"!! {line}")
        raise DeployError(
            f"promotion not confirmed: the records read back make Route 53 answer with "
            f"{report.answering or 'no region'}, not {to_region}. Check them with "
            f"`stackc failover status{d.selection}`"
        )
    sink.out(f"Route 53 now answers {report.domain} with {to_region} (records read back)")
    sink.warn(f"note: params still name failover.primary; set it to {to_region} or the next deploy fails back")
    return Result("promoted", by_folder={mr.GLOBAL: outcome})
