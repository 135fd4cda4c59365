"""Protections, reconciled on every deploy (a no-op included): each stack's policy (root and every
nested stack), termination protection of envs marked `protect: true`, the root stack's tags.

A deploy that was interrupted (Ctrl-C, --detach, a lost connection) or one that lifted the policies for
an accepted replacement can leave a stack without them; the next `deploy` puts them back, whether or
not it has changes to make. Policies are read first and written only when they differ, so a normal run
changes nothing and says nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from . import policy as pol
from .execute import nested_stacks
from .plan import describe_stack
from .session import Aws, aws_errors
from .target import BuiltTarget

SETTLED_SKIP = ("REVIEW_IN_PROGRESS", "DELETE_COMPLETE", "DELETE_IN_PROGRESS")


@dataclass
class Protections:
    stack_name: str
    checked: list[str] = field(default_factory=list)  # stacks whose policy was checked
    restored: list[str] = field(default_factory=list)  # stacks whose policy was (re)set now
    termination_protection: str = ""  # "on" (already), "turned on" (now), "" (env not protected)
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        """`stack policy on 5 stack(s) (restored on 2: root, DataStack); termination protection on`."""
        text = f"stack policy on {len(self.checked)} stack(s)"
        if self.restored:
            text += f" (restored on {len(self.restored)}: {', '.join(self.restored)})"
        if self.termination_protection == "turned on":
            text += "; termination protection on (turned on now)"
        elif self.termination_protection:
            text += f"; termination protection {self.termination_protection}"
        return text


def _current_policy(cfn: Any, stack_id: str) -> dict[str, Any] | None:
    body = cfn.get_stack_policy(StackName=stack_id).get("StackPolicyBody")
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def reconcile(aws: Aws, target: BuiltTarget) -> Protections | None:
    """Put every protection in place; None when the stack is not deployed (missing or under review)."""
    cfn = aws.client("cloudformation")
    with aws_errors(f"reading the stack {target.stack_name}"):
        stack = describe_stack(aws, target.stack_name)
    if stack is None or stack["StackStatus"] in SETTLED_SKIP:
        return None
    done = Protections(target.stack_name)
    children = target.children()
    with aws_errors(f"setting the stack policies of {target.stack_name}"):
        stacks = [("root", stack["StackId"], "root")] + [
            (lid, arn, children.get(lid)) for lid, arn in sorted(nested_stacks(aws, stack["StackId"]).items())
        ]
        for name, stack_id, template_name in stacks:
            if template_name is None:
                continue  # a nested stack the build no longer has (being removed)
            wanted = pol.stack_policy(target.template(template_name))
            if _current_policy(cfn, stack_id) != wanted:
                cfn.set_stack_policy(StackName=stack_id, StackPolicyBody=pol.policy_body(wanted))
                done.restored.append(name)
            done.checked.append(name)
    if target.protect:
        if stack.get("EnableTerminationProtection"):
            done.termination_protection = "on"
        else:
            try:
                with aws_errors("turning on termination protection"):
                    cfn.update_termination_protection(EnableTerminationProtection=True, StackName=stack["StackId"])
                done.termination_protection = "turned on"
            except Exception as exc:  # the deploy itself is done: say what is missing and how to fix it
                done.warnings.append(
                    f"{exc} -- the env is marked `protect: true`; run `aws cloudformation "
                    f"update-termination-protection --enable-termination-protection --stack-name {target.stack_name}`"
                )
    have = {t["Key"]: t.get("Value", "") for t in stack.get("Tags") or []}
    missing = {k: v for k, v in target.tags if have.get(k) != v}
    if missing:
        done.warnings.append(
            f"the root stack {target.stack_name} lacks tag(s) "
            + ", ".join(f"{k}={v}" for k, v in sorted(missing.items()))
            + ": they are set by the next change set with changes (CloudFormation applies stack tags on update)"
        )
    return done
