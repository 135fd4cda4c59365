"""Create a change set (nested stacks included), wait for it, collect it and its nested change sets.

The review itself is built by review.py from the raw responses collected here.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DeployError
from . import review as rv
from .poll import poll
from .session import Aws, client_error_code, client_error_message, pages, translates_aws_errors

PENDING = ("CREATE_PENDING", "CREATE_IN_PROGRESS")
# Stack states in which a new change set cannot be made, and what to do about each.
BLOCKED = {
    "ROLLBACK_COMPLETE": "it was never created successfully; run `cli.py destroy` then deploy again",
    "ROLLBACK_FAILED": "delete it (`cli.py destroy`), retaining what fails to delete, then deploy again",
    "DELETE_FAILED": "finish deleting it (`cli.py destroy`) first",
    "UPDATE_ROLLBACK_FAILED": "run `aws cloudformation continue-update-rollback --stack-name {stack}` first",
}


@dataclass
class Plan:
    stack_name: str
    stack_id: str
    change_set_id: str
    change_set_type: str  # CREATE or UPDATE
    review: rv.Review
    responses: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class PlanRequest:
    stack_name: str
    template_url: str
    parameters: list[dict[str, str]]
    capabilities: list[str]
    description: str = ""


def describe_stack(aws: Aws, stack_name: str) -> dict[str, Any] | None:
    """The live stack, or None when it does not exist."""
    import botocore.exceptions

    try:
        return aws.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "ValidationError" and "does not exist" in client_error_message(exc):
            return None
        raise


def change_set_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"stackc-{now:%Y%m%d-%H%M%S}"


@translates_aws_errors
def create_plan(
    aws: Aws, request: PlanRequest, *, sleep: Callable[[float], None] = time.sleep, timeout: float = 1800
) -> Plan:
    cfn = aws.client("cloudformation")
    stack = describe_stack(aws, request.stack_name)
    status = stack["StackStatus"] if stack else None
    if status in BLOCKED:
        raise DeployError(
            f"stack {request.stack_name} is {status}: " + BLOCKED[status].format(stack=request.stack_name)
        )
    if status and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        raise DeployError(f"stack {request.stack_name} is busy ({status}); wait for it to finish (`cli.py status`)")
    cs_type = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
    name = change_set_name()
    import botocore.exceptions

    try:
        created = cfn.create_change_set(
            StackName=request.stack_name,
            ChangeSetName=name,
            TemplateURL=request.template_url,
            Parameters=request.parameters,
            Capabilities=request.capabilities,
            ChangeSetType=cs_type,
            IncludeNestedStacks=True,
            Description=(request.description or f"stackc plan of {request.stack_name}")[:1024],
        )
    except botocore.exceptions.ClientError as exc:
        # Some endpoints answer "nothing to do" with an error instead of a FAILED change set.
        message = client_error_message(exc)
        if client_error_code(exc) == "ValidationError" and any(
            r.lower() in message.lower() for r in rv.NO_CHANGE_REASONS
        ):
            return Plan(
                request.stack_name,
                stack["StackId"] if stack else "",
                "",
                cs_type,
                rv.no_change_review(request.stack_name, reason=message),
            )
        raise
    cs_id, stack_id = created["Id"], created["StackId"]
    root = wait_for_change_set(aws, cs_id, sleep=sleep, timeout=timeout)
    if root.get("Status") == "FAILED" and not rv.is_no_change(root):
        reason = root.get("StatusReason", "no reason given")
        raise DeployError(f"change set {name} for {request.stack_name} failed: {reason}")
    responses = collect(aws, root)
    review = rv.build_review(
        responses,
        change_set_type=cs_type,
        current_parameters=(stack or {}).get("Parameters") if cs_type == "UPDATE" else None,
    )
    return Plan(request.stack_name, stack_id, cs_id, cs_type, review, responses)


def describe_change_set(aws: Aws, change_set_id: str) -> dict[str, Any]:
    """All pages of one change set, merged (Changes are paginated)."""
    responses = list(pages(aws.client("cloudformation").describe_change_set, ChangeSetName=change_set_id))
    response = {k: v for k, v in responses[0].items() if k not in ("NextToken", "ResponseMetadata")}
    response["Changes"] = [change for page in responses for change in page.get("Changes") or []]
    return response


def wait_for_change_set(
    aws: Aws, change_set_id: str, *, sleep: Callable[[float], None] = time.sleep, timeout: float = 1800
) -> dict[str, Any]:
    return poll(
        lambda: describe_change_set(aws, change_set_id),
        lambda r: r.get("Status") not in PENDING,
        still=lambda r: f"change set {change_set_id} still {r.get('Status')}",
        timeout=timeout,
        delay=0.2,
        factor=2.0,
        sleep=sleep,
    )


def collect(aws: Aws, root: dict[str, Any]) -> list[dict[str, Any]]:
    """The root change set, then every nested change set reachable from it (depth first)."""
    out = [root]
    seen = {root.get("ChangeSetId")}
    stack = [root]
    while stack:
        response = stack.pop()
        for change in response.get("Changes") or []:
            child_id = (change.get("ResourceChange") or {}).get("ChangeSetId")
            if child_id and child_id not in seen:
                seen.add(child_id)
                child = describe_change_set(aws, child_id)
                out.append(child)
                stack.append(child)
    return out


@translates_aws_errors
def delete_plan(aws: Aws, plan: Plan) -> None:
    """Drop the change set; a stack that only existed for a CREATE review goes too."""
    if not plan.change_set_id:
        return
    cfn = aws.client("cloudformation")
    cfn.delete_change_set(ChangeSetName=plan.change_set_id)
    if plan.change_set_type == "CREATE":
        stack = describe_stack(aws, plan.stack_name)
        if stack and stack["StackStatus"] == "REVIEW_IN_PROGRESS":
            cfn.delete_stack(StackName=plan.stack_id or plan.stack_name)
