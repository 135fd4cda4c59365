"""awacs helpers: roles with one inline policy, statements from config. Actions are awacs symbols
(a typo is an import error) or, from config, `service:Action` strings checked to have no wildcard."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from awacs import sts
from awacs.aws import (
    Action,
    Allow,
    ArnLike,
    AWSPrincipal,
    Bool,
    Condition,
    Deny,
    Policy,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from awacs.helpers.trust import make_simple_assume_policy
from troposphere import AccountId, Sub, Template, iam

from ..config.services import Statement as ConfigStatement
from ..trust_sources import SOURCE_ARNS


def allow(actions: Iterable[Any], resources: Iterable[Any]) -> Statement:
    return Statement(Effect=Allow, Action=list(actions), Resource=list(resources))


def deny_insecure_transport(
    actions: Iterable[Any], resources: Iterable[Any], sid: str = "DenyInsecureTransport"
) -> Statement:
    """The resource-policy statement that refuses every request not made over TLS (aws:SecureTransport
    false), for buckets, queues, topics and file systems alike."""
    return Statement(
        Sid=sid,
        Effect=Deny,
        Principal=AWSPrincipal("*"),
        Action=list(actions),
        Resource=list(resources),
        Condition=Condition(Bool("aws:SecureTransport", "false")),
    )


def from_config(st: ConfigStatement) -> Statement:
    return allow((Action(*a.split(":", 1)) for a in st.actions), st.resources)


def merged(statements: list[Statement]) -> list[Statement]:
    """One statement per resource set, actions unioned in first-seen order: the same secret read by
    two containers yields one statement, and the policy stays stable when containers move."""
    by_resources: dict[str, tuple[list, list, dict, Any]] = {}
    for st in statements:
        resources = st.Resource if isinstance(st.Resource, list) else [st.Resource]
        # A Condition narrows its statement (e.g. EFS mounts through given access points): keep it, apart.
        condition = st.properties.get("Condition")
        key = repr([r.to_dict() if hasattr(r, "to_dict") else r for r in resources]) + repr(
            condition.JSONrepr() if condition is not None else None
        )
        _, actions, seen, _ = by_resources.setdefault(key, (resources, [], {}, condition))
        for action in st.Action:
            name = action.JSONrepr() if hasattr(action, "JSONrepr") else str(action)
            if name not in seen:
                seen[name] = None
                actions.append(action)
    return [
        allow(actions, resources)
        if condition is None
        else Statement(Effect=Allow, Action=actions, Resource=resources, Condition=condition)
        for resources, actions, _, condition in by_resources.values()
    ]


def trust_policy(service: str, *, conditioned: bool = True) -> Policy:
    """`service` may assume the role; for a service that says on whose behalf it acts (trust_sources.py),
    only for this account's resources of that service (aws:SourceAccount and aws:SourceArn)."""
    if not conditioned or service not in SOURCE_ARNS:
        return make_simple_assume_policy(service)
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Service", [service]),
                Action=[sts.AssumeRole],
                Condition=Condition(
                    [StringEquals("aws:SourceAccount", AccountId), ArnLike("aws:SourceArn", Sub(SOURCE_ARNS[service]))]
                ),
            )
        ],
    )


def role(
    t: Template,
    title: str,
    principal: str,
    statements: list[Statement],
    *,
    description: str,
    managed_policies: list[Any] | None = None,
    conditioned: bool = True,
) -> iam.Role:
    """A role `principal` may assume (conditioned on this account's resources where the service supports
    it: `trust_policy`), with the statements as one inline policy (none: no policy) and, where AWS
    maintains the exact permissions a service needs, its managed policies."""
    props: dict[str, Any] = {
        "AssumeRolePolicyDocument": trust_policy(principal, conditioned=conditioned),
        "Description": description,
    }
    if managed_policies:
        props["ManagedPolicyArns"] = managed_policies
    statements = merged(statements)
    if statements:
        props["Policies"] = [
            iam.Policy(
                PolicyName=title[:1].lower() + title[1:],
                PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=statements),
            )
        ]
    return t.add_resource(iam.Role(title, **props))
