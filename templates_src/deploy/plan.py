"""Create a change set (nested stacks included), wait for it, collect it and its nested change sets.

The review itself is built by review.py from the raw responses collected here.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DeployError
from . import review as rv
from .poll import poll
from .session import Aws, client_error_code, client_error_message, pages, translates_aws_errors

PENDING = ("CREATE_PENDING", "CREATE_IN_PROGRESS")
# Stack states in which a new change set cannot be made, and what to do about each.
BLOCKED = {
    "ROLLBACK_COMPLETE": "it was never created successfully; run `stackc destroy{sel}` then deploy again",
    "ROLLBACK_FAILED": "delete it (`stackc destroy{sel}`), retaining what fails to delete, then deploy again",
    "DELETE_FAILED": "finish deleting it (`stackc destroy{sel}`) first",
    "UPDATE_ROLLBACK_FAILED": "run `aws cloudformation continue-update-rollback --stack-name {stack}` first",
}
FINGERPRINT = "stackc-fingerprint:"  # in a change set's Description: what it was made from (fingerprint())
BASE = "stackc-base:"  # ... and the stack it was made against (stack_base())


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
    tags: tuple[tuple[str, str], ...] = ()  # the root stack's tags (CloudFormation propagates them)
    role_arn: str | None = None  # --role-arn: the service role CloudFormation acts with
    notification_arns: tuple[str, ...] = ()  # --notification-arns: SNS topics for stack events
    template_body: str = ""  # the packaged root as uploaded: fingerprinted into the Description
    selection: str = ""  # " --system S --env E": for the commands a message suggests
    secret_parameters: frozenset[str] = frozenset()  # NoEcho root parameters: masked in the review


@dataclass(frozen=True)
class ChangeSetOptions:
    """What the command line adds to every change set it makes (as `aws cloudformation deploy` does)."""

    role_arn: str | None = None
    notification_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()  # --tags, on top of the params' tags
    selection: str = ""  # " --system S --env E"


def fingerprint(template_body: str, parameters: list[dict[str, str]]) -> str:
    """What a change set was made from: the packaged root (whose child TemplateURLs are content
    hashes, so it stands for every template) and the parameter values. `deploy --change-set` checks it."""
    import hashlib
    import json

    values = sorted((p["ParameterKey"], p.get("ParameterValue", "")) for p in parameters)
    blob = json.dumps({"template": template_body, "parameters": values}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def stack_base(aws: Aws, stack: dict[str, Any] | None) -> str:
    """The deployed stack a change set is made against: its template and parameters, fingerprinted
    ("none" before the first deploy). `deploy --change-set` compares it with the stack's now: a stack
    changed since the review is refused (CloudFormation also marks such change sets OBSOLETE)."""
    if stack is None or stack["StackStatus"] == "REVIEW_IN_PROGRESS":
        return "none"
    body = aws.client("cloudformation").get_template(StackName=stack["StackId"])["TemplateBody"]
    text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    return fingerprint(text, stack.get("Parameters") or [])


def description(request: PlanRequest, base: str = "") -> str:
    text = request.description or f"stackc plan of {request.stack_name}"
    if request.template_body:
        text += f" {FINGERPRINT}{fingerprint(request.template_body, request.parameters)}"
    if base:
        text += f" {BASE}{base}"
    return text[-1024:] if len(text) > 1024 else text


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


def check_stack_ready(stack_name: str, stack: dict[str, Any] | None, selection: str = "") -> None:
    """Refuse a stack in a state where no change set can be made, saying what to do about it."""
    status = stack["StackStatus"] if stack else None
    if status in BLOCKED:
        raise DeployError(f"stack {stack_name} is {status}: " + BLOCKED[status].format(stack=stack_name, sel=selection))
    if status and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        raise DeployError(f"stack {stack_name} is busy ({status}); wait for it to finish (`stackc status{selection}`)")


@translates_aws_errors
def create_plan(
    aws: Aws,
    request: PlanRequest,
    *,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = 1800,
    progress: Callable[[str], None] = lambda _: None,
) -> Plan:
    cfn = aws.client("cloudformation")
    stack = describe_stack(aws, request.stack_name)
    check_stack_ready(request.stack_name, stack, request.selection)
    status = stack["StackStatus"] if stack else None
    cs_type = "CREATE" if status in (None, "REVIEW_IN_PROGRESS") else "UPDATE"
    name = change_set_name()
    import botocore.exceptions

    extra: dict[str, Any] = {}
    if request.tags:
        extra["Tags"] = [{"Key": k, "Value": v} for k, v in request.tags]
    if request.role_arn:
        extra["RoleARN"] = request.role_arn
    if request.notification_arns:
        extra["NotificationARNs"] = list(request.notification_arns)
    progress(f"creating change set {name} for {request.stack_name} ({cs_type.lower()}, nested stacks included)")
    try:
        created = cfn.create_change_set(
            StackName=request.stack_name,
            ChangeSetName=name,
            TemplateURL=request.template_url,
            Parameters=request.parameters,
            Capabilities=request.capabilities,
            ChangeSetType=cs_type,
            IncludeNestedStacks=True,
            Description=description(request, stack_base(aws, stack) if request.template_body else ""),
            **extra,
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
        cleanup = Plan(request.stack_name, stack_id, cs_id, cs_type, rv.no_change_review(request.stack_name))
        delete_plan(aws, cleanup)  # a failed change set (and a stack made only for it) helps nobody
        raise DeployError(f"change set {name} for {request.stack_name} failed: {reason}")
    progress(f"change set {name} ready; reading it and its nested change sets")
    responses = collect(aws, root)
    review = rv.build_review(
        responses,
        change_set_type=cs_type,
        current_parameters=(stack or {}).get("Parameters") if cs_type == "UPDATE" else None,
        secret_parameters=request.secret_parameters,
    )
    return Plan(request.stack_name, stack_id, cs_id, cs_type, review, responses)


def describe_change_set(aws: Aws, change_set_id: str, stack_name: str | None = None) -> dict[str, Any]:
    """All pages of one change set, merged (Changes are paginated), with before/after property values."""
    kwargs: dict[str, Any] = {"ChangeSetName": change_set_id, "IncludePropertyValues": True}
    if stack_name:
        kwargs["StackName"] = stack_name
    responses = list(pages(aws.client("cloudformation").describe_change_set, **kwargs))
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
    """The root change set, then every nested change set reachable from it (depth first). A nested
    change set that cannot be read (access denied, gone) is left out: the review then rates its nested
    stack a danger (fail-closed) and says it could not be read."""
    import botocore.exceptions

    out = [root]
    seen = {root.get("ChangeSetId")}
    stack = [root]
    while stack:
        response = stack.pop()
        for change in response.get("Changes") or []:
            child_id = (change.get("ResourceChange") or {}).get("ChangeSetId")
            if child_id and child_id not in seen:
                seen.add(child_id)
                try:
                    child = describe_change_set(aws, child_id)
                except botocore.exceptions.ClientError:
                    continue
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


# ------------------------------------------------------------------------ an existing change set


@translates_aws_errors
def existing_plan(aws: Aws, stack_name: str, change_set: str, secret_parameters: Iterable[str] = ()) -> Plan:
    """A change set made earlier (by `plan`, the console, a pipeline), read with its nested change sets.
    `change_set` is a name (of `stack_name`'s change sets) or an ARN."""
    import botocore.exceptions

    try:
        root = describe_change_set(aws, change_set, None if change_set.startswith("arn:") else stack_name)
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) in ("ChangeSetNotFound", "ChangeSetNotFoundException", "ValidationError"):
            raise DeployError(
                f"no change set {change_set} for stack {stack_name}: {client_error_message(exc)} "
                "(list them with `aws cloudformation list-change-sets --stack-name " + stack_name + "`)"
            ) from None
        raise
    stack = describe_stack(aws, root.get("StackId") or stack_name)
    cs_type = "CREATE" if stack is None or stack["StackStatus"] == "REVIEW_IN_PROGRESS" else "UPDATE"
    responses = collect(aws, root)
    review = rv.build_review(
        responses,
        change_set_type=cs_type,
        current_parameters=(stack or {}).get("Parameters") if cs_type == "UPDATE" else None,
        secret_parameters=frozenset(secret_parameters),
    )
    return Plan(
        root.get("StackName", stack_name), root.get("StackId", ""), root["ChangeSetId"], cs_type, review, responses
    )


def stale_reasons(
    plan: Plan, stack: dict[str, Any] | None, template_body: str, parameters: list[dict[str, str]], base_now: str
) -> list[str]:
    """Why the change set is not what executing the current build would do (empty: it still is).
    It must be executable, made by stackc from these templates and parameters (the fingerprint in its
    Description), and the stack must not have changed since it was made."""
    root = plan.responses[0] if plan.responses else {}
    reasons = []
    if root.get("Status") != "CREATE_COMPLETE" or root.get("ExecutionStatus") != "AVAILABLE":
        reasons.append(
            f"it is {root.get('Status')}/{root.get('ExecutionStatus')}"
            + (f" ({root['StatusReason']})" if root.get("StatusReason") else "")
            + " and cannot be executed"
        )
    description = root.get("Description") or ""
    if FINGERPRINT not in description:
        reasons.append(
            "it was not made by `stackc plan` (no fingerprint in its description): review it with `plan --change-set`"
        )
    elif f"{FINGERPRINT}{fingerprint(template_body, parameters)}" not in description:
        reasons.append("it was made from other templates or parameters than the current build")
    made = {p["ParameterKey"]: p.get("ParameterValue") for p in root.get("Parameters") or []}
    wanted = {p["ParameterKey"]: p["ParameterValue"] for p in parameters}
    differ = sorted(k for k in set(made) | set(wanted) if made.get(k) != wanted.get(k) and made.get(k) != "****")
    if differ:
        reasons.append(
            "its parameters differ: "
            + ", ".join(f"{k} {made.get(k, '(none)')} -> now {wanted.get(k, '(none)')}" for k in differ)
        )
    if BASE in description and f"{BASE}{base_now}" not in description:
        reasons.append("the stack was changed (deployed) after the change set was made")
    if stack is not None and stack["StackStatus"] != "REVIEW_IN_PROGRESS":
        changed = stack.get("LastUpdatedTime") or stack.get("CreationTime")
        created = root.get("CreationTime")
        if changed is not None and created is not None and changed > created:
            reasons.append(f"the stack was changed at {changed:%Y-%m-%d %H:%M:%S} UTC, after the change set was made")
        if stack["StackStatus"].endswith("_IN_PROGRESS"):
            reasons.append(f"the stack is busy ({stack['StackStatus']})")
    return reasons
