"""What is deployed now: the root stack's and every nested stack's template (GetTemplate, Original stage)
and parameter values, read without a change set. Used by `diff` (and the plan's cost line)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .plan import describe_stack
from .session import Aws, translates_aws_errors
from .status import parameter_values, walk_stacks


@dataclass(frozen=True)
class DeployedStack:
    path: str  # "shop-prod", "shop-prod/DataStack"
    logical_id: str  # "" for the root; the nested stack's logical ID in its parent
    stack_name: str
    status: str
    template: dict[str, Any]
    parameters: dict[str, str]


def parse_template(body: Any) -> dict[str, Any]:
    """GetTemplate's TemplateBody: a dict (boto3 decodes JSON) or JSON/YAML text (short-form tags too)."""
    if isinstance(body, dict):
        return body
    try:
        return json.loads(body)
    except ValueError:
        from cfn_flip import to_json

        return json.loads(to_json(body))


@translates_aws_errors
def read(aws: Aws, stack_name: str) -> list[DeployedStack] | None:
    """The root and its nested stacks, depth first by logical ID; None when nothing is deployed (no root, or
    one still in REVIEW_IN_PROGRESS)."""
    if describe_stack(aws, stack_name) is None:
        return None
    cfn = aws.client("cloudformation")
    out: list[DeployedStack] = []

    def visit(stack: dict[str, Any], path: str) -> bool:
        if stack["StackStatus"] in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS"):
            return False
        body = cfn.get_template(StackName=stack["StackId"], TemplateStage="Original")["TemplateBody"]
        logical_id = path.rsplit("/", 1)[1] if "/" in path else ""
        params = parameter_values(stack.get("Parameters"))
        out.append(
            DeployedStack(path, logical_id, stack["StackName"], stack["StackStatus"], parse_template(body), params)
        )
        return True

    walk_stacks(aws, stack_name, visit)
    return out or None  # a root only under review (first change set, never executed) deploys nothing yet
