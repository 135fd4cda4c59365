"""Which resources hold data, and the DeletionPolicy/UpdateReplacePolicy each gets. Decided here only.

The compiler applies these to every template after the builders run, so no builder can forget one.
`Snapshot` where CloudFormation supports it, otherwise `Retain`.

A `Retain` type is written `DeletionPolicy: RetainExceptOnCreate`: kept on every later delete, but
deleted when the operation that created it rolls back, so a failed first create leaves no named
repository, secret or cache behind to make the retry fail with "already exists". UpdateReplacePolicy
does not accept RetainExceptOnCreate (only Delete, Retain, Snapshot), and a replacement is never the
operation that created the old resource, so it stays `Retain`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from troposphere import Template

SNAPSHOT = "Snapshot"
RETAIN = "Retain"
RETAIN_EXCEPT_ON_CREATE = "RetainExceptOnCreate"

STATEFUL_POLICIES: dict[str, str] = {
    "AWS::RDS::DBCluster": SNAPSHOT,
    "AWS::RDS::DBInstance": SNAPSHOT,
    "AWS::ElastiCache::ReplicationGroup": SNAPSHOT,
    "AWS::ElastiCache::CacheCluster": SNAPSHOT,
    "AWS::ElastiCache::ServerlessCache": RETAIN,
    "AWS::EFS::FileSystem": RETAIN,
    "AWS::S3::Bucket": RETAIN,
    "AWS::Timestream::Database": RETAIN,
    "AWS::Timestream::Table": RETAIN,
    "AWS::KMS::Key": RETAIN,
    "AWS::SecretsManager::Secret": RETAIN,
    "AWS::Logs::LogGroup": RETAIN,  # application, exec and flow logs are audit data
    "AWS::ECR::Repository": RETAIN,
    "AWS::DynamoDB::Table": RETAIN,
    "AWS::Route53::HostedZone": RETAIN,
}


DELETE = "Delete"


def policy_for(resource_type: str, properties: dict) -> str | None:
    """The policy a resource gets, or None when it holds no data of its own."""
    # An Aurora member instance holds no data (the cluster volume does). CloudFormation refuses
    # Snapshot on it, and Retain would orphan it and block the retained cluster's own deletion.
    if resource_type == "AWS::RDS::DBInstance" and properties.get("DBClusterIdentifier"):
        return None
    return STATEFUL_POLICIES.get(resource_type)


def deletion_policy(policy: str) -> str:
    """The DeletionPolicy written for a data policy: Retain keeps data, except from a failed create."""
    return RETAIN_EXCEPT_ON_CREATE if policy == RETAIN else policy


def policies_for(resource_type: str, properties: dict) -> tuple[str, str] | None:
    """(DeletionPolicy, UpdateReplacePolicy) a stateful resource carries, or None when it holds no data."""
    policy = policy_for(resource_type, properties)
    return None if policy is None else (deletion_policy(policy), policy)


def deleted_on_purpose(resource_type: str, properties: dict) -> bool:
    """Resources that look stateful to linters (cfn-lint I3011) but must go with their stack: an
    Aurora member instance (above), and a nested stack, whose own resources carry their policies
    (retaining it would orphan a whole stack). Their `Delete` is written out, so it reads as decided."""
    if resource_type == "AWS::RDS::DBInstance":
        return bool(properties.get("DBClusterIdentifier"))
    return resource_type == "AWS::CloudFormation::Stack"


def apply(template: Template) -> None:
    for resource in template.resources.values():
        policy = policy_for(resource.resource_type, resource.properties)
        if policy is None and deleted_on_purpose(resource.resource_type, resource.properties):
            policy = DELETE
        if policy is not None:
            # UpdateReplacePolicy takes Snapshot on the same types as DeletionPolicy.
            resource.DeletionPolicy = deletion_policy(policy)
            resource.UpdateReplacePolicy = policy


def is_stateful(resource_type: str) -> bool:
    return resource_type in STATEFUL_POLICIES
