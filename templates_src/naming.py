"""Logical IDs and tags. Logical IDs are API: renaming one replaces the resource."""

from __future__ import annotations

import hashlib
import re


def pascal(*parts: str) -> str:
    """`pascal("api", "target-group")` -> `ApiTargetGroup`; config names are kebab-case."""
    words: list[str] = []
    for part in parts:
        words.extend(w for w in re.split(r"[^A-Za-z0-9]+", part) if w)
    return "".join(w[:1].upper() + w[1:] for w in words)


def secret_logical_id(name: str) -> str:
    """The logical ID of secret `name` (of `secrets:`) in the secrets stack: `db-url` -> `DbUrlSecret`.
    Deploy finds a secret by it (`stackc secret set -s S -e E db-url`)."""
    return f"{pascal(name)}Secret"


def _shortened(name: str, max_length: int) -> str:
    """`name` if it fits; else its start and 8 hex digits of its hash, so two long names stay distinct
    and each stays the same whatever other names exist."""
    if len(name) <= max_length:
        return name
    return name[: max_length - 9].rstrip("-._") + "-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def ecr_repository_name(*parts: str) -> str:
    """`demo`, `dev`, `api` -> `demo-dev-api`. ECR: lower case, [a-z0-9] words joined by '.', '_', '__'
    or hyphens, at most 256; anything else (a name ending in '-', a space) becomes one '-'. A name that is
    valid already is kept as it is: changing it would replace the repository."""
    pieces = re.split(r"([^a-z0-9]+)", "-".join(parts).lower())
    words = [p for i, p in enumerate(pieces) if i % 2 == 0]
    seps = [p if re.fullmatch(r"\.|_|__|-+", p) else "-" for i, p in enumerate(pieces) if i % 2 == 1]
    name = words[0] + "".join(sep + word for sep, word in zip(seps, words[1:], strict=False))
    name = re.sub(r"^[^a-z0-9]+|[^a-z0-9]+$", "", name)
    if len(name) < 2:  # ECR's minimum
        name = (name + "-repository").lstrip("-")
    return _shortened(name, 256)


def dns_label_name(*parts: str, max_length: int) -> str:
    """`demo`, `dev`, `cache` -> `demo-dev-cache`, as ElastiCache (and most DNS-label-like names) want:
    lower case letters, digits and single hyphens, starting with a letter, not ending with '-', at most
    `max_length` (longer: shortened with a hash, see `_shortened`). A valid name is kept as it is."""
    name = "-".join(w for w in re.split(r"[^a-z0-9]+", "-".join(parts).lower()) if w)
    if not name[:1].isalpha():
        name = "x-" + name if name else "x"
    return _shortened(name, max_length)


def stack_logical_id(stack: str) -> str:
    """The root's AWS::CloudFormation::Stack resource for a child: `service-api` -> `ServiceApiStack`."""
    return pascal(stack) + "Stack"


def tags(system: str, env: str, **extra: str) -> dict[str, str]:
    """Tags every stack carries; CloudFormation propagates stack tags to the resources it creates."""
    return {"stackc:system": system, "stackc:env": env, **{f"stackc:{k}": v for k, v in extra.items()}}
