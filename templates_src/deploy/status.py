"""Read-only views of a deployed system (outputs, statuses) and its removal (destroy)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DangerousChange, DeployError
from .execute import NESTED, Watch, _events_of, diagnose, nested_stacks, wait_for_stack
from .leftovers import Leftover
from .plan import describe_stack
from .session import Aws, translates_aws_errors

KEEPING_POLICIES = ("Retain", "RetainExceptOnCreate", "Snapshot")


@dataclass
class StackState:
    path: str
    name: str
    status: str
    reason: str
    drift: str  # StackDriftStatus when known, "" when never checked
    termination_protection: bool = False


def state_json(s: StackState) -> dict[str, Any]:
    """One stack of `status --format json` (keys are stable; README, Deploy)."""
    return {
        "path": s.path,
        "stack_name": s.name,
        "status": s.status,
        "reason": s.reason,
        "drift": s.drift or None,
        "termination_protection": s.termination_protection,
    }


@translates_aws_errors
def exists(aws: Aws, stack_name: str) -> bool:
    return describe_stack(aws, stack_name) is not None


@translates_aws_errors
def describe_live(aws: Aws, stack_name: str) -> dict[str, str] | None:
    """The parameter values of a stack that holds resources; None when there is none (never created,
    deleted, only a change set under review, or a failed first create)."""
    stack = describe_stack(aws, stack_name)
    if stack is None or stack["StackStatus"] in ("REVIEW_IN_PROGRESS", "DELETE_COMPLETE", "ROLLBACK_COMPLETE"):
        return None
    return parameter_values(stack.get("Parameters"))


@translates_aws_errors
def outputs(aws: Aws, stack_name: str) -> list[dict[str, Any]]:
    stack = _require(aws, stack_name)
    return sorted(stack.get("Outputs") or [], key=lambda o: o["OutputKey"])


@translates_aws_errors
def status(aws: Aws, stack_name: str) -> list[StackState]:
    """The root and every nested stack (depth first), with drift status when a check has been run."""
    states: list[StackState] = []

    def visit(stack: dict[str, Any], path: str) -> bool:
        drift = (stack.get("DriftInformation") or {}).get("StackDriftStatus", "")
        states.append(
            StackState(
                path,
                stack["StackName"],
                stack["StackStatus"],
                stack.get("StackStatusReason") or "",
                "" if drift in ("", "NOT_CHECKED") else drift,
                bool(stack.get("EnableTerminationProtection")),
            )
        )
        return stack["StackStatus"] not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")

    walk_stacks(aws, stack_name, visit)
    return states


def walk_stacks(aws: Aws, stack_name: str, visit: Callable[[dict[str, Any], str], bool]) -> None:
    """visit(described stack, path) the root stack, then each nested stack under it, depth first and by
    logical ID (paths `root/Child/Grandchild`); a stack's children only when its visit returned True."""
    cfn = aws.client("cloudformation")

    def walk(stack: dict[str, Any], path: str) -> None:
        if visit(stack, path):
            for logical_id, arn in sorted(nested_stacks(aws, stack["StackId"]).items()):
                walk(cfn.describe_stacks(StackName=arn)["Stacks"][0], f"{path}/{logical_id}")

    walk(_require(aws, stack_name), stack_name)


def output_values(items: list[dict[str, Any]] | None) -> dict[str, str]:
    """Outputs as DescribeStacks lists them (a stack's "Outputs") -> {key: value}."""
    return {o["OutputKey"]: o.get("OutputValue", "") for o in items or []}


def parameter_values(items: list[dict[str, Any]] | None) -> dict[str, str]:
    """Parameters as DescribeStacks lists them (a stack's "Parameters") -> {key: value}."""
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in items or []}


@dataclass
class Destroyed:
    stack_name: str
    status: str
    retained: list[Leftover] = field(default_factory=list)  # what the DeletionPolicy kept


@translates_aws_errors
def retained_resources(aws: Aws, stack_name: str) -> list[Leftover]:
    """What deleting the stack leaves behind: resources whose DeletionPolicy keeps them, with their
    physical IDs (read before the delete, while the stack still lists them)."""
    import json

    cfn = aws.client("cloudformation")
    kept: list[Leftover] = []

    def visit(stack: dict[str, Any], path: str) -> bool:
        body = cfn.get_template(StackName=stack["StackId"], TemplateStage="Original")["TemplateBody"]
        template = body if isinstance(body, dict) else _parse(body)
        physical = {
            r.get("LogicalResourceId", ""): r.get("PhysicalResourceId") or ""
            for r in cfn.describe_stack_resources(StackName=stack["StackId"]).get("StackResources", [])
        }
        for lid, res in sorted((template.get("Resources") or {}).items()):
            policy = res.get("DeletionPolicy")
            if policy in KEEPING_POLICIES:
                kept.append(Leftover(f"{path}/{lid}", res.get("Type", ""), physical.get(lid, ""), policy))
        return True

    def _parse(text: str) -> dict[str, Any]:
        try:
            return json.loads(text)
        except ValueError:
            from cfn_flip import to_json

            return json.loads(to_json(text))

    walk_stacks(aws, stack_name, visit)
    return kept


@translates_aws_errors
def destroy(
    aws: Aws,
    stack_name: str,
    *,
    protect: bool,
    selection: str = "",
    sleep: Callable[[float], None] = time.sleep,
    console: Any = None,
) -> Destroyed:
    """Delete the stack (root and nested), showing its events live on `console` (rich) when given."""
    stack = _require(aws, stack_name)
    if protect:
        raise DangerousChange(
            f"{stack_name} belongs to an env marked `protect: true`; destroy refuses it "
            "(set `protect: false` in its params and deploy first if you really mean it)"
        )
    if stack.get("EnableTerminationProtection"):
        raise DangerousChange(
            f"{stack_name} has termination protection on; turn it off in the console or with "
            f"`aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name {stack_name}`"
        )
    kept = retained_resources(aws, stack_name)
    cfn = aws.client("cloudformation")
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    cfn.delete_stack(StackName=stack["StackId"])
    if console is None:
        final = wait_for_stack(aws, stack["StackId"], sleep=sleep)
    else:
        with Watch(aws, stack["StackId"], since, console, {}) as watch:
            final = wait_for_stack(aws, stack["StackId"], on_poll=watch.poll, sleep=sleep)
            watch.poll()
    if final["StackStatus"] != "DELETE_COMPLETE":
        failure = diagnose(
            stack["StackId"],
            _events_of(aws, since),
            final["StackStatus"],
            since=since,
            verb="delete",
            stack_name=stack_name,
        )
        raise DeployError("\n".join(failure.lines(selection)))
    return Destroyed(stack_name, final["StackStatus"], kept)


def _require(aws: Aws, stack_name: str) -> dict[str, Any]:
    stack = describe_stack(aws, stack_name)
    if stack is None:
        raise DeployError(
            f"stack {stack_name} does not exist in {aws.region} (deploy it first, or check --region/--stack-name)"
        )
    return stack


__all__ = [
    "NESTED",
    "destroy",
    "exists",
    "output_values",
    "outputs",
    "parameter_values",
    "retained_resources",
    "status",
    "walk_stacks",
]
