"""Logical IDs and tags. Logical IDs are API: renaming one replaces the resource."""
from __future__ import annotations

import re


def pascal(*parts: str) -> str:
    """`pascal("api", "target-group")` -> `ApiTargetGroup`; config names are kebab-case."""
    words: list[str] = []
    for part in parts:
        words.extend(w for w in re.split(r"[^A-Za-z0-9]+", part) if w)
    return "".join(w[:1].upper() + w[1:] for w in words)


def stack_logical_id(stack: str) -> str:
    """The root's AWS::CloudFormation::Stack resource for a child: `service-api` -> `ServiceApiStack`."""
    return pascal(stack) + "Stack"


def tags(system: str, env: str, **extra: str) -> dict[str, str]:
    """Tags every stack carries; CloudFormation propagates stack tags to the resources it creates."""
    return {"stackc:system": system, "stackc:env": env, **{f"stackc:{k}": v for k, v in extra.items()}}
