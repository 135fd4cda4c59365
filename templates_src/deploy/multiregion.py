"""Deploy a multi-region system: every regional root, then the global DNS stack fed by their outputs.

1. plan: package and create a change set for each regional root (in its region) and for the DNS stack
   (in `failover.stack_region`); the DNS parameters that come from regional outputs are the live
   outputs when the regional stack exists, else a placeholder the review marks as pending;
2. one combined review, one question (the CLI asks);
3. execute the regional change sets (primary first, or all at once with `parallel`); a failure stops
   here, deletes the DNS change set and names the region: DNS is untouched;
4. read the regional outputs; when they equal what the DNS change set was planned with, execute it,
   else re-plan the DNS stack with the real values (shown) and execute that.

Only the orchestration lives here: packaging, change sets, review, execution and outputs are the
single-region functions of package.py, plan.py, review.py, execute.py and status.py.

A single-region system is a layout too (`Layout.single`: one folder named SINGLE, no DNS stack), so the
commands (deploy/flow.py) walk every system the same way; only the wording tells the two apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..errors import DangerousChange, DeployError, UsageError
from . import review as rv
from .execute import Outcome, execute
from .package import Packaged, package
from .plan import ChangeSetOptions, Plan, PlanRequest, create_plan, delete_plan, describe_stack
from .session import Aws, AwsOptions, aws_errors, connect
from .status import output_values, parameter_values
from .target import BuiltTarget
from .zones import with_lookups

GLOBAL = "global"
SINGLE = ""  # the folder of a single-region system's only root: build/<system>/<env>/ itself
PENDING = "pending-{region}.invalid"  # DNS input placeholder while a region's stack does not exist yet
PENDING_ZONE = "ZPENDING"


@dataclass(frozen=True)
class Folder:
    name: str  # a region, or "global"
    region: str  # where its stack lives
    role: str  # primary | secondary | region | dns
    target: BuiltTarget


@dataclass(frozen=True)
class Layout:
    """build/<system>/<env>/ of a multi-region build, read from its manifest.json."""

    system: str
    env: str
    regional: tuple[Folder, ...]  # primary first
    dns: Folder | None
    inputs: dict[str, tuple[str, str]]  # DNS parameter -> (region, regional root output)
    single_region: bool = False  # see `single`

    @classmethod
    def single(cls, target: BuiltTarget, region: str) -> Layout:
        """A single-region system (build/<system>/<env>/): one folder, no DNS stack."""
        return cls(target.system, target.env, (Folder(SINGLE, region, "region", target),), None, {}, single_region=True)

    def all(self) -> list[Folder]:
        """Every deployable root in deploy order: the regions (primary first), then the DNS stack."""
        return list(self.regional) + ([self.dns] if self.dns else [])


def with_temporary(layout: Layout, values: dict[str, str]) -> Layout:
    """The layout with one-execution root parameter values (bootstrap's) on every regional root that
    declares them; see BuiltTarget.temporary."""

    def apply(folder: Folder) -> Folder:
        known = set(folder.target.template("root").get("Parameters", {}))
        mine = tuple(sorted((k, v) for k, v in values.items() if k in known))
        return replace(folder, target=replace(folder.target, temporary=mine)) if mine else folder

    return replace(layout, regional=tuple(apply(f) for f in layout.regional))


def with_remembered(layout: Layout, kept: dict[str, tuple[tuple[str, str], ...]]) -> Layout:
    """The layout with earlier `-p` values still in force (memory.py) on the regional roots, by folder."""

    def apply(folder: Folder) -> Folder:
        values = kept.get(folder.name)
        return replace(folder, target=replace(folder.target, remembered=values)) if values else folder

    return replace(layout, regional=tuple(apply(f) for f in layout.regional))


def dns_stack_name(stack_name: str) -> str:
    return f"{stack_name}-dns"


def read_layout(
    build_dir: Path,
    system: str,
    env: str,
    stack_name: str,
    *,
    protect: bool = False,
    overrides: tuple[tuple[str, str], ...] = (),
    tags: tuple[tuple[str, str], ...] = (),
) -> Layout:
    path = build_dir / "manifest.json"
    if not path.is_file():
        raise DeployError(f"{path} is missing: run `stackc build --system {system} --env {env}`")
    manifest = json.loads(path.read_text())
    if manifest.get("layout") != "multi-region":
        raise UsageError(f"{system}/{env} is not a multi-region build ({path})")
    regional, dns = [], None
    for name, info in manifest["folders"].items():
        is_dns = name == GLOBAL
        target = BuiltTarget(
            system,
            env,
            build_dir / name,
            dns_stack_name(stack_name) if is_dns else stack_name,
            protect=protect,
            overrides=() if is_dns else overrides,
            tags=tags,
        )
        folder = Folder(name, info["region"], info["role"], target)
        if is_dns:
            dns = folder
        else:
            regional.append(folder)
    regional.sort(key=lambda f: f.role != "primary")  # stable: the primary first, then config order
    inputs = {p: (i["region"], i["output"]) for p, i in manifest.get("dns_inputs", {}).items()}
    return Layout(system, env, tuple(regional), dns, inputs)


# ------------------------------------------------------------------------------------------------ plan


@dataclass
class FolderPlan:
    folder: Folder
    aws: Aws
    packaged: Packaged
    plan: Plan
    parameters: list[dict[str, str]] = field(default_factory=list)

    @property
    def review(self) -> rv.Review:
        return self.plan.review


@dataclass
class MultiPlan:
    layout: Layout
    regional: list[FolderPlan]
    dns: FolderPlan | None
    dns_values: dict[str, str]  # what the DNS change set was planned with
    pending: list[str]  # regions whose outputs were placeholders in the DNS plan

    def all(self) -> list[FolderPlan]:
        return self.regional + ([self.dns] if self.dns else [])

    @property
    def no_changes(self) -> bool:
        return all(fp.review.no_changes for fp in self.all())

    @property
    def dangers(self) -> list[tuple[str, rv.Change]]:
        return [(fp.folder.name, c) for fp in self.all() for c in fp.review.dangers]


def connect_regions(layout: Layout, options: AwsOptions) -> dict[str, Aws]:
    regions = {f.region for f in layout.regional} | ({layout.dns.region} if layout.dns else set())
    if options.region:
        where = "not one of its regions" if options.region not in regions else "and it deploys to all of them"
        raise UsageError(
            f"--region {options.region}: {layout.system}/{layout.env} deploys to {', '.join(sorted(regions))} "
            f"({where}); its regions come from params (regions:), drop --region"
        )
    return {region: connect(AwsOptions(options.profile, region, options.endpoint_url)) for region in sorted(regions)}


def plan_all(
    layout: Layout,
    sessions: dict[str, Aws],
    *,
    prefix: str | None = None,
    bucket: str | None = None,
    options: ChangeSetOptions | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> MultiPlan:
    """Package and plan every folder. If any plan fails (or is interrupted), the change sets made so far
    are deleted."""
    _check_bucket(layout, bucket)
    made: list[FolderPlan] = []
    try:
        for folder in layout.regional:
            made.append(_plan_folder(folder, sessions[folder.region], prefix, bucket, options, progress))
        dns: FolderPlan | None = None
        values: dict[str, str] = {}
        pending: list[str] = []
        if layout.dns is not None:
            values, pending = current_inputs(layout, sessions)
            dns = _plan_folder(
                _with_values(layout.dns, values), sessions[layout.dns.region], prefix, None, options, progress
            )
            made.append(dns)
    except BaseException:
        discard_plans(made)
        raise
    return MultiPlan(layout, made[: len(layout.regional)], dns, values, pending)


def _check_bucket(layout: Layout, bucket: str | None) -> None:
    if bucket and not layout.single_region:
        raise UsageError("--bucket does not apply to a multi-region system: each region uses its own artifact bucket")


def package_all(
    layout: Layout, sessions: dict[str, Aws], *, prefix: str | None = None, bucket: str | None = None
) -> list[tuple[Folder, Packaged]]:
    """Upload every folder's templates to its region's artifact bucket. The DNS stack's packaged root (and
    its quick-create link) carries the regional outputs it is fed with, or placeholders where a region's
    stack does not exist yet."""
    _check_bucket(layout, bucket)
    done = [(folder, _package(folder, sessions[folder.region], prefix, bucket)) for folder in layout.regional]
    if layout.dns is not None:
        folder = _with_values(layout.dns, current_inputs(layout, sessions)[0])
        done.append((folder, _package(folder, sessions[folder.region], prefix)))
    return done


def package_folder(folder: Folder, aws: Aws, *, prefix: str | None = None, bucket: str | None = None) -> Packaged:
    """One folder's templates uploaded (nothing when unchanged) and its packaged root."""
    return _package(folder, aws, prefix, bucket)


def _package(folder: Folder, aws: Aws, prefix: str | None, bucket: str | None = None) -> Packaged:
    with in_folder(folder):
        return package(aws, folder.target, bucket=bucket, prefix=_prefix(folder, prefix))


def _plan_folder(
    folder: Folder,
    aws: Aws,
    prefix: str | None,
    bucket: str | None = None,
    options: ChangeSetOptions | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> FolderPlan:
    options = options or ChangeSetOptions()
    packaged = _package(folder, aws, prefix, bucket)
    # A hosted zone named in params: its ID, looked up in the account (deploy/zones.py).
    parameters = with_lookups(aws, folder.target.manifest, folder.target.parameters())
    with in_folder(folder):
        plan = create_plan(
            aws,
            PlanRequest(
                stack_name=folder.target.stack_name,
                template_url=packaged.root_url,
                parameters=parameters,
                capabilities=packaged.capabilities,
                description=f"stackc {folder.target.system}/{folder.target.env}"
                + (f" ({folder.name})" if folder.name else ""),
                tags=tuple(dict(folder.target.tags + options.tags).items()),
                role_arn=options.role_arn,
                notification_arns=options.notification_arns,
                template_body=packaged.root_body,
                selection=options.selection,
                secret_parameters=frozenset(folder.target.noecho_parameters()),
            ),
            progress=(lambda text: progress(f"{folder.name}: {text}")) if folder.name else progress,
        )
    return FolderPlan(folder, aws, packaged, plan, parameters)


def _with_values(folder: Folder, values: dict[str, str]) -> Folder:
    """The folder with these root parameter values (the DNS stack's inputs) as its overrides."""
    return replace(folder, target=replace(folder.target, overrides=tuple(sorted(values.items()))))


def _prefix(folder: Folder, prefix: str | None) -> str:
    """Key prefix in the artifact bucket: stackc/<system>/<env> (or --prefix), then /<folder> when multi-region."""
    base = prefix if prefix is not None else f"stackc/{folder.target.system}/{folder.target.env}"
    return f"{base.rstrip('/')}/{folder.name}" if folder.name else base


def current_inputs(layout: Layout, sessions: dict[str, Aws]) -> tuple[dict[str, str], list[str]]:
    """The DNS stack's inputs from the live regional stacks; placeholders where a stack is missing."""
    values: dict[str, str] = {}
    pending: list[str] = []
    outputs = {f.region: _live_outputs(sessions[f.region], f.target.stack_name) for f in layout.regional}
    for param, (region, output) in sorted(layout.inputs.items()):
        value = (outputs.get(region) or {}).get(output)
        if value is None:
            value = PENDING_ZONE if "HostedZone" in param else PENDING.format(region=region)
            if region not in pending:
                pending.append(region)
        values[param] = value
    return values, pending


def _deployed(aws: Aws, stack_name: str) -> dict[str, Any] | None:
    """The stack when it has been deployed: not when missing, nor when it only exists for a review."""
    with aws_errors(f"reading the stack {stack_name} in {aws.region}"):
        stack = describe_stack(aws, stack_name)
    return None if stack is None or stack.get("StackStatus") == "REVIEW_IN_PROGRESS" else stack


def _live_outputs(aws: Aws, stack_name: str) -> dict[str, str] | None:
    stack = _deployed(aws, stack_name)
    return None if stack is None else output_values(stack.get("Outputs"))


def discard_plans(plans: list[FolderPlan]) -> None:
    """Delete change sets that will not be executed (and stacks that only existed for their review)."""
    for fp in plans:
        try:
            delete_plan(fp.aws, fp.plan)
        except DeployError:
            pass  # best effort: the change set is harmless, the original error matters more


def discard(mplan: MultiPlan) -> None:
    discard_plans(mplan.all())


def describe(folder: Folder) -> str:
    """`us-west-2: secondary region, stack shop-dev in us-west-2`: the header of a folder's section."""
    what = (
        "global DNS stack"
        if folder.name == GLOBAL
        else "region"
        if folder.role == "region"
        else f"{folder.role} region"
    )
    return f"{folder.name}: {what}, stack {folder.target.stack_name} in {folder.region}"


PENDING_NOTE = (
    "the load balancer inputs of {regions} are pending: that stack does not exist yet; the DNS stack is "
    "re-planned with its real outputs after the regions deploy"
)


def render_text(mplan: MultiPlan) -> str:
    """One review for the whole deploy: each folder's review under a header naming region and role
    (a single-region system: its review as it is)."""
    if mplan.layout.single_region:
        return rv.render_text(mplan.regional[0].review)
    parts = []
    for fp in mplan.all():
        parts.append(f"=== {describe(fp.folder)} ===")
        parts.append(rv.render_text(fp.review))
        if fp is mplan.dns and mplan.pending:
            parts.append("note: " + PENDING_NOTE.format(regions=", ".join(mplan.pending)))
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def render_markdown(mplan: MultiPlan) -> str:
    """The review for a pull-request comment: each folder's review after a line naming region and role."""
    if mplan.layout.single_region:
        return rv.render_markdown(mplan.regional[0].review)
    layout = mplan.layout
    parts = [f"## stackc plan: `{layout.system}/{layout.env}` ({len(mplan.all())} stacks)", ""]
    for fp in mplan.all():
        parts += [f"**{describe(fp.folder)}**", "", rv.render_markdown(fp.review)]
        if fp is mplan.dns and mplan.pending:
            parts += [f"_note: {PENDING_NOTE.format(regions=', '.join(mplan.pending))}_", ""]
    return "\n".join(parts).rstrip() + "\n"


def to_json(mplan: MultiPlan) -> dict[str, Any]:
    """The machine form: a single-region system's is review.to_json's; a multi-region one lists each
    folder's (with `folder`, `region`, `role` added) under `stacks`, in deploy order."""
    if mplan.layout.single_region:
        return rv.to_json(mplan.regional[0].review)
    return {
        "version": rv.JSON_VERSION,
        "system": mplan.layout.system,
        "env": mplan.layout.env,
        "no_changes": mplan.no_changes,
        "pending": list(mplan.pending),
        "stacks": [
            {"folder": fp.folder.name, "region": fp.folder.region, "role": fp.folder.role, **rv.to_json(fp.review)}
            for fp in mplan.all()
        ],
    }


def refuse_dangers(mplan: MultiPlan, allow_replace: tuple[str, ...]) -> None:
    """A danger item not accepted by --allow-replace (by name, or all with a bare flag) stops everything:
    every change set is deleted."""
    left = [(fp.folder.name, c) for fp in mplan.all() for c in rv.unaccepted(fp.review, allow_replace)]
    if not left:
        return
    discard(mplan)
    names = [n for n in allow_replace if n != rv.ALL]
    unknown = [n for n in names if not any(rv.is_accepted(c, (n,)) for _, c in mplan.dangers)]
    hint = f" (--allow-replace {', '.join(unknown)} named no danger item)" if unknown else ""
    if mplan.layout.single_region:
        review = mplan.regional[0].review
        raise DangerousChange(
            f"refusing to deploy {review.stack_name}: {len(left)} dangerous change(s) "
            f"({', '.join(c.path for _, c in left)}); the change set was deleted{hint}. "
            "If losing or re-creating that data is intended, accept each one by name: "
            + " ".join(f"--allow-replace {c.logical_id}" for _, c in left)
        )
    where = ", ".join(f"{folder}: {c.path}" for folder, c in left)
    raise DangerousChange(
        f"refusing to deploy: {len(left)} dangerous change(s) ({where}); every change set was deleted{hint}. "
        "If that is intended, accept each one by name: " + " ".join(f"--allow-replace {c.logical_id}" for _, c in left)
    )


# --------------------------------------------------------------------------------------------- execute


@dataclass
class MultiOutcome:
    regional: dict[str, Outcome | None]  # folder -> outcome (None: no changes)
    dns: Outcome | None = None
    dns_replanned: rv.Review | None = None
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # folder -> root outputs


def _prefixed_console(base: Any, label: str) -> Any:
    """A rich Console on the same output whose text lines start with the region: parallel regions
    interleave their event lines. (Each region gets its own Console: rich allows one live display per
    console.)"""
    from rich.console import Console

    class RegionConsole(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            if objects and isinstance(objects[0], str):
                objects = (f"{label} | {objects[0]}",) + objects[1:]
            super().print(*objects, **kwargs)

    return RegionConsole(file=getattr(base, "file", None), highlight=False)


def execute_all(
    mplan: MultiPlan,
    console_for: Callable[[str], Any],
    *,
    parallel: bool = False,
    allow_replace: tuple[str, ...] = (),
    selection: str = "",
    say: Callable[[str], None] = print,
    disable_rollback: bool = False,
) -> MultiOutcome:
    """Execute the reviewed plan. Raises DeployError naming the failed region(s); DNS is then untouched."""
    refuse_dangers(mplan, allow_replace)
    result = MultiOutcome(regional={})
    todo = [fp for fp in mplan.regional if not fp.review.no_changes]
    for fp in mplan.regional:
        if fp.review.no_changes:
            result.regional[fp.folder.name] = None
            delete_plan(fp.aws, fp.plan)

    failures: dict[str, str] = {}

    def run(fp: FolderPlan, console: Any) -> None:
        try:
            result.regional[fp.folder.name] = execute(
                fp.aws,
                fp.plan,
                fp.folder.target,
                console,
                allow_replace=allow_replace,
                selection=selection,
                disable_rollback=disable_rollback,
            )
        except DeployError as exc:  # named "deploy failed in <region>" below
            failures[fp.folder.name] = str(exc)

    if parallel and len(todo) > 1:
        say(f"deploying {', '.join(fp.folder.name for fp in todo)} in parallel")
        with ThreadPoolExecutor(max_workers=len(todo)) as pool:
            futures = [
                pool.submit(run, fp, _prefixed_console(console_for(fp.folder.name), fp.folder.name)) for fp in todo
            ]
        for future in futures:
            future.result()  # anything but a DeployError (a bug) surfaces here
    else:
        for fp in todo:
            say(f"deploying {fp.folder.name} ({fp.folder.role}): stack {fp.folder.target.stack_name}")
            run(fp, console_for(fp.folder.name))
            if failures:
                break

    if failures:
        not_run = [fp for fp in todo if fp.folder.name not in result.regional and fp.folder.name not in failures]
        discard_plans(not_run + ([mplan.dns] if mplan.dns else []))
        lines = [f"deploy failed in {region}: {reason}" for region, reason in failures.items()]
        if not_run:
            lines.append(f"not deployed (change sets deleted): {', '.join(fp.folder.name for fp in not_run)}")
        if mplan.dns:
            lines.append(f"the DNS stack {mplan.dns.folder.target.stack_name} was not changed")
        raise DeployError("\n".join(lines))

    for fp in mplan.regional:
        outcome = result.regional.get(fp.folder.name)
        if outcome is not None:
            result.outputs[fp.folder.name] = output_values(outcome.outputs)
        else:
            result.outputs[fp.folder.name] = _live_outputs(fp.aws, fp.folder.target.stack_name) or {}

    if mplan.dns is not None:
        _execute_dns(mplan, result, console_for, allow_replace, selection, say)
    return result


def _execute_dns(
    mplan: MultiPlan,
    result: MultiOutcome,
    console_for: Callable[[str], Any],
    allow_replace: tuple[str, ...],
    selection: str,
    say: Callable[[str], None],
) -> None:
    layout, fp = mplan.layout, mplan.dns
    assert fp is not None
    values = dict(mplan.dns_values)
    for param, (region, output) in layout.inputs.items():
        value = result.outputs.get(region, {}).get(output)
        if value is None:
            discard_plans([fp])
            raise DeployError(
                f"the {region} stack has no output {output!r} for the DNS stack parameter {param}; "
                "the DNS stack was not changed (rebuild, then deploy again)"
            )
        values[param] = value
    if values != mplan.dns_values:
        say(f"re-planning the DNS stack {fp.folder.target.stack_name} with the regions' outputs")
        discard_plans([fp])
        fp = _plan_folder(
            _with_values(fp.folder, {k: v for k, v in values.items() if k in layout.inputs}), fp.aws, None
        )
        mplan.dns = fp
        result.dns_replanned = fp.review
        say(rv.render_text(fp.review))
        if rv.unaccepted(fp.review, allow_replace):
            discard_plans([fp])
            raise DangerousChange(f"refusing to change the DNS stack: {len(fp.review.dangers)} dangerous change(s)")
    if fp.review.no_changes:
        delete_plan(fp.aws, fp.plan)
        say(rv.no_changes_line(fp.review))
        return
    say(f"deploying {GLOBAL} (dns): stack {fp.folder.target.stack_name} in {fp.folder.region}")
    with in_folder(fp.folder):
        result.dns = execute(
            fp.aws, fp.plan, fp.folder.target, console_for(GLOBAL), allow_replace=allow_replace, selection=selection
        )
    if result.dns is not None:
        result.outputs[GLOBAL] = output_values(result.dns.outputs)


class in_folder:
    """Prefix a DeployError raised inside with the folder it happened in (not for a single-region system)."""

    def __init__(self, folder: Folder):
        self.folder = folder

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> Literal[False]:
        if self.folder.name == SINGLE:
            return False
        if isinstance(exc, DeployError) and not str(exc).startswith(f"[{self.folder.name}]"):
            exc.args = (f"[{self.folder.name}] {exc}",) + exc.args[1:]
        return False


# ------------------------------------------------------------------------------------ failover status


@dataclass(frozen=True)
class RecordState:
    type: str
    set_identifier: str  # the region
    failover: str  # PRIMARY | SECONDARY
    target: str  # alias DNS name
    health_check_id: str
    health: str  # "healthy (3/3 checkers)", "unhealthy (...)", "no health check"


@dataclass(frozen=True)
class FailoverReport:
    domain: str
    stack_name: str
    region: str
    primary: str  # what the DNS stack says (its PrimaryRegion)
    records: list[RecordState]
    expected_targets: dict[str, str] = field(default_factory=dict)  # region -> the DNS stack's input for it

    @property
    def answering(self) -> str:
        """The region Route 53 answers with, by the records read back: the PRIMARY record's unless its
        health check fails, then the SECONDARY's (failover routing); "" when no record can answer."""

        def healthy(r: RecordState) -> bool:
            return not r.health.startswith("unhealthy")

        primary = [r for r in self.records if r.failover == "PRIMARY"]
        secondary = [r for r in self.records if r.failover == "SECONDARY"]
        for group in (primary, secondary):
            for r in group:
                if healthy(r):
                    return r.set_identifier
        return ""

    @property
    def disagreements(self) -> list[str]:
        """Records that disagree with the DNS stack (or with each other)."""
        out = []
        if not self.records:
            return [f"no failover record for {self.domain} was found"]
        by_type: dict[str, list[RecordState]] = {}
        for r in self.records:
            by_type.setdefault(r.type, []).append(r)
        for rtype, records in sorted(by_type.items()):
            primaries = sorted(r.set_identifier for r in records if r.failover == "PRIMARY")
            if primaries != [self.primary]:
                out.append(
                    f"{rtype} records: PRIMARY is {', '.join(primaries) or 'none'} but the DNS stack says {self.primary}"
                )
        for r in self.records:
            want = self.expected_targets.get(r.set_identifier)
            if want and r.target.rstrip(".").lower() != want.rstrip(".").lower():
                out.append(f"{r.type} {r.set_identifier}: points at {r.target} but the DNS stack's input is {want}")
        return out


def _dns_stack(layout: Layout, sessions: dict[str, Aws]) -> tuple[Folder, Aws, dict[str, Any]]:
    if layout.dns is None:
        raise UsageError(f"{layout.system}/{layout.env} has no failover: block, so no DNS stack")
    aws = sessions[layout.dns.region]
    stack = _deployed(aws, layout.dns.target.stack_name)
    if stack is None:
        raise DeployError(
            f"the DNS stack {layout.dns.target.stack_name} does not exist in {layout.dns.region}: "
            f"deploy {layout.system}/{layout.env} first"
        )
    return layout.dns, aws, stack


def failover_status(layout: Layout, sessions: dict[str, Aws]) -> FailoverReport:
    """The live failover records of the domain and what Route 53's health checkers say about each."""
    folder, aws, stack = _dns_stack(layout, sessions)
    params, outputs = parameter_values(stack.get("Parameters")), output_values(stack.get("Outputs"))
    domain = outputs.get("FailoverDomainName") or params.get("DomainName", "")
    r53 = aws.client("route53")
    with aws_errors("reading the failover records"):
        zone_id = params.get("HostedZoneId") or _zone_id(r53, params.get("HostedZoneName", ""))
        name = domain.rstrip(".") + "."
        page = r53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=name)
        records = []
        for rr in page.get("ResourceRecordSets", []):
            if rr.get("Name", "").rstrip(".") != domain.rstrip(".") or "Failover" not in rr:
                continue
            check = rr.get("HealthCheckId", "")
            records.append(
                RecordState(
                    rr["Type"],
                    rr.get("SetIdentifier", ""),
                    rr["Failover"],
                    (rr.get("AliasTarget") or {}).get("DNSName", ""),
                    check,
                    _health(r53, check) if check else "no health check",
                )
            )
    records.sort(key=lambda r: (r.type, r.failover != "PRIMARY"))
    expected = {}
    for param, (region, output) in layout.inputs.items():
        if output.endswith("DnsName") and params.get(param):
            expected[region] = params[param]
    return FailoverReport(
        domain,
        folder.target.stack_name,
        folder.region,
        outputs.get("PrimaryRegion") or params.get("PrimaryRegion", ""),
        records,
        expected,
    )


def _zone_id(r53: Any, zone_name: str) -> str:
    zones = r53.list_hosted_zones_by_name(DNSName=zone_name).get("HostedZones", [])
    for zone in zones:
        if zone["Name"].rstrip(".") == zone_name.rstrip("."):
            return zone["Id"].split("/")[-1]
    raise DeployError(f"no hosted zone named {zone_name}")


def _health(r53: Any, check_id: str) -> str:
    observations = r53.get_health_check_status(HealthCheckId=check_id).get("HealthCheckObservations", [])
    ok = sum(1 for o in observations if (o.get("StatusReport") or {}).get("Status", "").startswith("Success"))
    state = "healthy" if observations and ok * 2 > len(observations) else "unhealthy" if observations else "unknown"
    return f"{state} ({ok}/{len(observations)} checkers) [{check_id}]"


# ---------------------------------------------------------------------------------------- promotion


def plan_promotion(layout: Layout, sessions: dict[str, Aws], to_region: str) -> FolderPlan:
    """A change set of the DNS stack with PrimaryRegion = `to_region` and every other parameter as
    deployed: only the DNS stack's region is called (the old primary may be down)."""
    folder, aws, stack = _dns_stack(layout, sessions)
    regions = [f.region for f in layout.regional]
    if to_region not in regions:
        raise UsageError(f"--to {to_region}: expected one of the system's regions ({', '.join(regions)})")
    deployed = parameter_values(stack.get("Parameters"))
    values = {k: v for k, v in deployed.items() if k in layout.inputs}
    values["PrimaryRegion"] = to_region
    return _plan_folder(_with_values(folder, values), aws, None)


def execute_promotion(fp: FolderPlan, console: Any) -> Outcome:
    with in_folder(fp.folder):
        return execute(fp.aws, fp.plan, fp.folder.target, console)
