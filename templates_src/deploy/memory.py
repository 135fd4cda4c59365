"""Parameter memory: a value given with `-p KEY=VALUE` stays until the params file changes that value or
another `-p` sets it -- the next deploy without `-p` does not silently revert it (an image tag 1.28 back
to 1.27).

Nothing is stored outside the stack. The deployed root template's parameter Default is the params
value of the deploy that made it (the compiler writes the params value as Default), and the stack's
parameter value is what was deployed. So, for each root parameter:

- deployed value == deployed Default: no override was in force; the params value now applies;
- deployed value != deployed Default, and the params value now == that Default: the params file has
  not changed it since, so the earlier `-p` value is kept (remembered);
- deployed value != deployed Default, and the params value now != that Default: the params file
  changed it since; its new value applies (the earlier `-p` is said to be replaced).

Bootstrap's one-execution values (BuiltTarget.temporary, e.g. desired counts of 0 on a first deploy)
are packaged as the Default too, so deployed value == Default and they are never remembered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .plan import describe_stack
from .session import Aws, aws_errors


@dataclass(frozen=True)
class Memory:
    kept: dict[str, str] = field(default_factory=dict)  # key -> earlier -p value still in force
    replaced: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (earlier -p value, params value now)
    given: dict[str, str] = field(default_factory=dict)  # key -> -p value given now

    def lines(self, params_now: dict[str, str], masked: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """What the plan says about overrides, before its review."""

        def show(key: str, value: str) -> str:
            return "****" if key in masked else value

        out = []
        for key, value in sorted(self.given.items()):
            out.append(f"  {key} = {show(key, value)} (-p now; params say {show(key, params_now.get(key, ''))})")
        for key, value in sorted(self.kept.items()):
            out.append(
                f"  {key} = {show(key, value)} (kept from an earlier -p; params say {show(key, params_now.get(key, ''))}, "
                "unchanged since: change it there or pass -p to move on)"
            )
        for key, (old, new) in sorted(self.replaced.items()):
            out.append(
                f"  {key} = {show(key, new)} (the params file changed it: the earlier -p value {show(key, old)} "
                "is replaced)"
            )
        return ["Parameter overrides:", *out] if out else []


def recall(
    deployed_values: dict[str, str],
    deployed_defaults: dict[str, str],
    params_now: dict[str, str],
    given: dict[str, str],
) -> Memory:
    """The rule above, for every root parameter the params give now."""
    kept, replaced = {}, {}
    for key, now in params_now.items():
        if key in given or key not in deployed_values or key not in deployed_defaults:
            continue
        value, default = deployed_values[key], deployed_defaults[key]
        if value == default or value == "****":  # no override in force (or NoEcho: not readable, not kept)
            continue
        if now == default:
            kept[key] = value
        elif now != value:
            replaced[key] = (value, now)
    return Memory(kept, replaced, dict(given))


def deployed(aws: Aws, stack_name: str) -> tuple[dict[str, str], dict[str, str]] | None:
    """(parameter values, template Defaults) of the deployed root stack; None before its first deploy."""
    with aws_errors(f"reading the deployed parameters of {stack_name}"):
        stack = describe_stack(aws, stack_name)
        if stack is None or stack["StackStatus"] in ("REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE"):
            return None
        body = aws.client("cloudformation").get_template(StackName=stack["StackId"], TemplateStage="Original")[
            "TemplateBody"
        ]
    template = body if isinstance(body, dict) else _parse(body)
    values = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters") or []}
    defaults = {
        k: str(v["Default"])
        for k, v in (template.get("Parameters") or {}).items()
        if isinstance(v, dict) and "Default" in v
    }
    return values, defaults


def _parse(text: str) -> dict[str, Any]:
    try:
        return json.loads(text)
    except ValueError:
        from cfn_flip import to_json

        return json.loads(to_json(text))
