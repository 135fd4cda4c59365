"""Stack policies: deny Update:Replace and Update:Delete on every data-bearing resource.

A parent's stack policy does not cover its nested stacks, so each stack (root and every child) gets
its own policy, computed from its own template. The protected types are review.DATA_TYPES -- the same
set `deploy` refuses to replace without --allow-replace -- plus, in the root, the nested stacks
themselves (removing one deletes everything in it).
"""

from __future__ import annotations

import json
from typing import Any

from .review import DATA_TYPES, NESTED_STACK

DENIED_ACTIONS = ["Update:Replace", "Update:Delete"]
ALLOW_ALL = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "Update:*", "Resource": "*"}]}


def protected_resources(template: dict[str, Any]) -> list[str]:
    return sorted(
        logical_id
        for logical_id, res in (template.get("Resources") or {}).items()
        if res.get("Type") in DATA_TYPES or res.get("Type") == NESTED_STACK
    )


def stack_policy(template: dict[str, Any], exempt: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The protective policy; `exempt` logical IDs (a replacement accepted by name) are left out of the
    Deny for one execution."""
    statements: list[dict[str, Any]] = [dict(ALLOW_ALL["Statement"][0])]
    protected = [lid for lid in protected_resources(template) if lid not in exempt]
    if protected:
        statements.append(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": DENIED_ACTIONS,
                "Resource": [f"LogicalResourceId/{lid}" for lid in protected],
            }
        )
    return {"Statement": statements}


def policy_body(policy: dict[str, Any]) -> str:
    return json.dumps(policy, sort_keys=True)
