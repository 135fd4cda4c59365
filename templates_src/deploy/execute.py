"""Execute a reviewed change set, stream root + nested stack events, explain a failure.

`diagnose` is pure (events in, the first real failure out) so it is tested on recorded
DescribeStackEvents sequences; `execute` does the I/O and the live display (rich).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DeployError
from . import policy as pol
from . import review as rv
from .plan import Plan
from .poll import poll
from .session import Aws, pages, translates_aws_errors
from .target import BuiltTarget

NESTED = "AWS::CloudFormation::Stack"
SUCCESS = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE")
# Reasons that only repeat a failure found elsewhere (a child's, or a sibling's).
CONSEQUENCES = (
    "Embedded stack",
    "Resource creation cancelled",
    "Resource update cancelled",
    "Resource deletion cancelled",
    "The following resource(s) failed to",
)
NEXT_STEP = {
    "ROLLBACK_COMPLETE": "the stack was never created and cannot be updated: fix the cause, run `stackc destroy{sel}` and deploy again",
    "ROLLBACK_FAILED": "creating and rolling back both failed: run `stackc destroy{sel}` (retain what cannot be deleted), then deploy again",
    "UPDATE_ROLLBACK_COMPLETE": "the stack is back at its previous state: fix the cause and deploy again",
    "UPDATE_ROLLBACK_FAILED": "the stack is stuck until the rollback finishes: fix or skip the failing resource, then run "
    "`aws cloudformation continue-update-rollback --stack-name {stack}{skip}`",
    "CREATE_FAILED": "rollback was disabled: fix the cause, then `stackc destroy{sel}` and deploy again",
    "UPDATE_FAILED": "rollback was disabled: fix the cause and deploy again, or run `aws cloudformation rollback-stack --stack-name {stack}`",
    "DELETE_FAILED": "run `stackc destroy{sel}` again; resources that cannot be deleted can be retained with "
    "`aws cloudformation delete-stack --stack-name {stack} --retain-resources ...`",
    "IMPORT_ROLLBACK_COMPLETE": "the import was rolled back: fix the cause and try again",
}


def is_terminal(status: str) -> bool:
    return not status.endswith("_IN_PROGRESS") or status == "REVIEW_IN_PROGRESS"


# ------------------------------------------------------------------------------------ diagnosis (pure)


@dataclass(frozen=True)
class Failure:
    stack: str  # the root stack's name
    final_status: str
    path: str  # root/Child/Resource
    resource_type: str
    resource_status: str
    reason: str
    nested_id: str  # "Child.Resource" for --resources-to-skip ("" at the root)
    verb: str = "deploy"  # deploy | delete: what failed
    unreadable: tuple[str, ...] = ()  # "root/Child: why" for each stack whose events could not be read

    def lines(self, selection: str = "") -> list[str]:
        out = [f"{self.verb} of {self.stack} failed: the stack is {self.final_status}"]
        if self.path:
            found = "first failure found so far" if self.unreadable else "first failure"
            out.append(f"{found}: {self.path} ({self.resource_type}) {self.resource_status}: {self.reason}")
        else:
            out.append(
                "no failed resource was found in the events that could be read"
                if self.unreadable
                else "no failed resource was found in the stack events"
            )
        for what in self.unreadable:
            out.append(f"could not read the events of {what}")
        step = NEXT_STEP.get(self.final_status)
        if step:
            skip = (
                f" --resources-to-skip {self.nested_id}"
                if self.nested_id and self.final_status == "UPDATE_ROLLBACK_FAILED"
                else ""
            )
            out.append("next: " + step.format(stack=self.stack, skip=skip, sel=selection))
        return out


def walk_events(
    root_id: str,
    events_of: Callable[[str], list[dict[str, Any]]],
    failed_only: bool = False,
    unreadable: list[str] | None = None,
) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """(stack path, event) for the root and every nested stack its events mention (found through the
    PhysicalResourceId of AWS::CloudFormation::Stack events, so deleted children are found too).
    `failed_only`: descend only into nested stacks that have a *_FAILED event in their parent.
    `unreadable`: when given, a stack whose events cannot be read is listed there ("path: why") and the
    walk goes on with the others; else the error propagates."""
    out: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    queue: list[tuple[str, tuple[str, ...] | None]] = [(root_id, None)]
    seen = set()
    while queue:
        stack_id, path = queue.pop(0)
        if stack_id in seen:
            continue
        seen.add(stack_id)
        try:
            events = events_of(stack_id)
        except Exception as exc:
            if unreadable is None:
                raise
            where = "/".join(path) if path else stack_id
            unreadable.append(f"{where}: {_short(exc)}")
            continue
        if path is None:
            path = (events[0]["StackName"],) if events else (stack_id,)
        for e in events:
            out.append((path, e))
            child = e.get("PhysicalResourceId") or ""
            if (
                e.get("ResourceType") == NESTED
                and e.get("LogicalResourceId") != e.get("StackName")
                and child.startswith("arn:")
                and child != e.get("StackId")
                and child not in seen
                and (not failed_only or e.get("ResourceStatus", "").endswith("_FAILED"))
            ):
                queue.append((child, path + (e["LogicalResourceId"],)))
    return out


def _is_stack_itself(e: dict[str, Any]) -> bool:
    return e.get("ResourceType") == NESTED and e.get("LogicalResourceId") == e.get("StackName")


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def diagnose(
    root_id: str,
    events_of: Callable[[str], list[dict[str, Any]]],
    final_status: str,
    since: dt.datetime | None = None,
    verb: str = "deploy",
    stack_name: str = "",
) -> Failure:
    """The first resource that failed on its own (not "Embedded stack ... was not successfully
    created", not "Resource creation cancelled"), across the root and every nested stack. Built from
    whatever could be read: a stack whose events cannot be read is named, not fatal."""
    unreadable: list[str] = []
    events = [
        (p, e)
        for p, e in walk_events(root_id, events_of, failed_only=True, unreadable=unreadable)
        if since is None or e["Timestamp"] >= since
    ]
    stack_name = events[0][0][0] if events else (stack_name or root_id)
    failed = [(p, e) for p, e in events if e.get("ResourceStatus", "").endswith("_FAILED") and not _is_stack_itself(e)]
    causes = [(p, e) for p, e in failed if not (e.get("ResourceStatusReason") or "").startswith(CONSEQUENCES)]
    pick = min(causes or failed, key=lambda pe: pe[1]["Timestamp"], default=None)
    if pick is None:
        return Failure(stack_name, final_status, "", "", "", "", "", verb, tuple(unreadable))
    path, e = pick
    return Failure(
        verb=verb,
        unreadable=tuple(unreadable),
        stack=stack_name,
        final_status=final_status,
        path="/".join(path + (e["LogicalResourceId"],)),
        resource_type=e.get("ResourceType", ""),
        resource_status=e.get("ResourceStatus", ""),
        reason=e.get("ResourceStatusReason") or "(no reason given)",
        nested_id=".".join(path[1:] + (e["LogicalResourceId"],)),
    )


# --------------------------------------------------------------------------------------------- I/O


@dataclass
class Outcome:
    stack_name: str
    status: str
    outputs: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    policies: list[str] = field(default_factory=list)  # stacks whose stack policy was set
    protected: bool = False  # termination protection turned on now
    warnings: list[str] = field(default_factory=list)


def _events_of(aws: Aws, since: dt.datetime | None = None) -> Callable[[str], list[dict[str, Any]]]:
    cfn = aws.client("cloudformation")

    def fetch(stack_id: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for page in pages(cfn.describe_stack_events, StackName=stack_id):
            batch = page.get("StackEvents") or []
            out += batch
            if since and batch and batch[-1]["Timestamp"] < since:
                break  # newest first: the rest is older than this deploy
        return sorted(out, key=lambda e: e["Timestamp"])

    return fetch


class Watch:
    """Polls root and nested stack events; prints each new one once; shows a per-stack progress bar."""

    def __init__(self, aws: Aws, root_id: str, since: dt.datetime, console: Any, expected: dict[str, int]):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.root_id, self.since, self.console = root_id, since, console
        self.fetch = _events_of(aws, since)
        self.seen: set[str] = set()
        self.done: dict[str, set[str]] = {}
        self.expected = expected
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.tasks: dict[str, Any] = {}
        self.count = 0

    def __enter__(self) -> Watch:
        self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.stop()

    def poll(self) -> None:
        new = [
            (p, e)
            for p, e in walk_events(self.root_id, self.fetch)
            if e["Timestamp"] >= self.since and e["EventId"] not in self.seen
        ]
        for path, e in sorted(new, key=lambda pe: pe[1]["Timestamp"]):
            self.seen.add(e["EventId"])
            self.count += 1
            self._show(path, e)

    def _show(self, path: tuple[str, ...], e: dict[str, Any]) -> None:
        status = e.get("ResourceStatus", "")
        stack = "/".join(path)
        style = (
            "red"
            if "FAILED" in status or "ROLLBACK" in status
            else "green"
            if status.endswith("COMPLETE")
            else "yellow"
        )
        reason = e.get("ResourceStatusReason") or ""
        when = e["Timestamp"].astimezone(dt.UTC).strftime("%H:%M:%S")
        line = f"{when}  {stack:<28} {e['LogicalResourceId']:<28} {status:<28} {reason}".rstrip()
        self.progress.console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)
        if stack not in self.tasks:
            self.tasks[stack] = self.progress.add_task(stack, total=max(self.expected.get(stack, 0), 1))
        if _is_stack_itself(e):
            self.progress.update(self.tasks[stack], description=f"{stack} {status}")
            if is_terminal(status):
                self.progress.update(self.tasks[stack], completed=self.progress.tasks[self._index(stack)].total)
        elif status.endswith(("_COMPLETE", "_FAILED", "_SKIPPED")):
            done = self.done.setdefault(stack, set())
            done.add(e["LogicalResourceId"])
            self.progress.update(self.tasks[stack], completed=len(done))

    def _index(self, stack: str) -> int:
        return [t.id for t in self.progress.tasks].index(self.tasks[stack])


def expected_counts(plan: Plan) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in plan.review.changes:
        key = "/".join(c.stack)
        counts[key] = counts.get(key, 0) + 1
    return counts


def wait_for_stack(
    aws: Aws,
    stack_id: str,
    on_poll: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = 3 * 3600,
) -> dict[str, Any]:
    cfn = aws.client("cloudformation")

    def fetch() -> dict[str, Any]:
        stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
        on_poll()
        return stack

    return poll(
        fetch,
        lambda stack: is_terminal(stack["StackStatus"]),
        timeout=timeout,
        sleep=sleep,
        still=lambda stack: f"stack {stack['StackName']} still {stack['StackStatus']}",
    )


def nested_stacks(aws: Aws, stack_id: str) -> dict[str, str]:
    """Logical ID -> physical ID (ARN) of the stack's nested stacks."""
    resources = aws.client("cloudformation").describe_stack_resources(StackName=stack_id)["StackResources"]
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in resources
        if r.get("ResourceType") == NESTED and r.get("PhysicalResourceId")
    }


def apply_policies(
    aws: Aws,
    target: BuiltTarget,
    stack_id: str,
    allow_all: bool = False,
    exempt: dict[str, frozenset[str]] | None = None,
) -> list[str]:
    """Set each stack's policy (root and every nested stack): protective, allow-all for a moment, or
    protective but for the `exempt` logical IDs of a stack ("root" or the nested stack's logical ID)."""
    cfn = aws.client("cloudformation")
    done = []
    children = target.children()
    for name, sid, template_name in [("root", stack_id, "root")] + [
        (lid, arn, children.get(lid)) for lid, arn in nested_stacks(aws, stack_id).items()
    ]:
        if template_name is None:
            continue
        spared = (exempt or {}).get(name, frozenset())
        policy = pol.ALLOW_ALL if allow_all else pol.stack_policy(target.template(template_name), spared)
        cfn.set_stack_policy(StackName=sid, StackPolicyBody=pol.policy_body(policy))
        done.append(name)
    return done


class Interrupted(Exception):
    """Ctrl-C while CloudFormation executes: the execution goes on without us."""

    def __init__(self, stack_name: str, stack_id: str):
        super().__init__(stack_name)
        self.stack_name, self.stack_id = stack_name, stack_id


@translates_aws_errors
def execute(
    aws: Aws,
    plan: Plan,
    target: BuiltTarget,
    console: Any,
    *,
    allow_replace: tuple[str, ...] = (),
    selection: str = "",
    disable_rollback: bool = False,
    detach: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Execute the change set and stream events until the stack settles (or, `detach`, return once it
    started). A failure raises DeployError naming the first failed resource, its reason, the final status
    and what to do next; Ctrl-C raises Interrupted (CloudFormation goes on). Protections are not set
    here: flow's reconcile stage (protect.py) does that on every deploy."""
    cfn = aws.client("cloudformation")
    lifted = False
    accepted = [c for c in plan.review.dangers if rv.is_accepted(c, allow_replace)]
    if accepted and plan.change_set_type == "UPDATE":  # the review was accepted explicitly, item by item
        exempt: dict[str, set[str]] = {}
        for c in accepted:
            exempt.setdefault("root" if len(c.stack) == 1 else c.stack[1], set()).add(c.logical_id)
        apply_policies(
            aws,
            target,
            plan.stack_id,
            allow_all=rv.ALL in allow_replace,
            exempt={k: frozenset(v) for k, v in exempt.items()},
        )
        lifted = True
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    # Lifted policies are put back once the stack settles. Not while it is still updating (detached or
    # interrupted): that could fail the replacement that was accepted; the next deploy restores them.
    still_running = False
    try:
        extra = {"DisableRollback": True} if disable_rollback else {}
        cfn.execute_change_set(ChangeSetName=plan.change_set_id, **extra)
        if detach:
            still_running = True
            stack = cfn.describe_stacks(StackName=plan.stack_id)["Stacks"][0]
            return Outcome(plan.stack_name, stack["StackStatus"], stack.get("Outputs") or [], 0)
        try:
            with Watch(aws, plan.stack_id, since, console, expected_counts(plan)) as watch:
                stack = wait_for_stack(aws, plan.stack_id, on_poll=watch.poll, sleep=sleep)
                watch.poll()
        except KeyboardInterrupt:
            still_running = True
            raise Interrupted(plan.stack_name, plan.stack_id) from None
    finally:
        if lifted and not still_running:
            _restore_policies(aws, target, plan.stack_id, console)
    status = stack["StackStatus"]
    if status not in SUCCESS:
        failure = diagnose(plan.stack_id, _events_of(aws, since), status, since=since, stack_name=plan.stack_name)
        raise DeployError("\n".join(failure.lines(selection)))
    return Outcome(plan.stack_name, status, stack.get("Outputs") or [], watch.count)


def _restore_policies(aws: Aws, target: BuiltTarget, stack_id: str, console: Any) -> None:
    try:
        apply_policies(aws, target, stack_id)
    except Exception as exc:
        console.print(
            f"warning: could not restore the stack policies ({exc}); deploy again to set them",
            style="red",
            markup=False,
        )
