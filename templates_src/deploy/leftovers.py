"""Leftovers: resources a stack keeps when it is deleted (DeletionPolicy Retain / Snapshot), the exact
command that deletes each, and `destroy --purge`, which deletes them.

A retained resource with a fixed name (an ECR repository, a named secret, a serverless cache) makes the
next create of the same system fail with "already exists"; preflight finds it by name and points here.
One table, `KINDS`: per resource type, the command a person runs and the call `--purge` makes (both
delete what the resource holds: images, versions, objects). A type without a purge call is listed
with its command and left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .session import Aws, client_error_code


@dataclass(frozen=True)
class Leftover:
    """A resource a deleted stack kept."""

    path: str  # stack path / logical ID
    type: str
    physical_id: str  # "" when the stack never created it
    policy: str  # Retain | RetainExceptOnCreate | Snapshot

    def line(self) -> str:
        verb = "snapshot kept" if self.policy == "Snapshot" else "retained"
        return f"{self.path} ({self.type}): {verb}" + (f" -- {self.physical_id}" if self.physical_id else "")

    @property
    def purgeable(self) -> bool:
        kind = KINDS.get(self.type)
        return bool(self.physical_id) and self.policy != "Snapshot" and kind is not None and kind.purge is not None


@dataclass(frozen=True)
class Kind:
    command: Callable[[str, str], str]  # (physical ID, region) -> the command that deletes it
    purge: Callable[[Aws, str], None] | None = None


def _empty_and_delete_bucket(aws: Aws, name: str) -> None:
    s3 = aws.client("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        items = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if items:
            s3.delete_objects(Bucket=name, Delete={"Objects": items, "Quiet": True})
    s3.delete_bucket(Bucket=name)


KINDS: dict[str, Kind] = {
    "AWS::ECR::Repository": Kind(
        lambda pid, r: f"aws ecr delete-repository --region {r} --force --repository-name {pid}",
        lambda aws, pid: aws.client("ecr").delete_repository(repositoryName=pid, force=True),
    ),
    "AWS::SecretsManager::Secret": Kind(
        lambda pid, r: (
            f"aws secretsmanager delete-secret --region {r} --force-delete-without-recovery --secret-id {pid}"
        ),
        lambda aws, pid: aws.client("secretsmanager").delete_secret(SecretId=pid, ForceDeleteWithoutRecovery=True),
    ),
    "AWS::Logs::LogGroup": Kind(
        lambda pid, r: f"aws logs delete-log-group --region {r} --log-group-name {pid}",
        lambda aws, pid: aws.client("logs").delete_log_group(logGroupName=pid),
    ),
    "AWS::SSM::Parameter": Kind(
        lambda pid, r: f"aws ssm delete-parameter --region {r} --name {pid}",
        lambda aws, pid: aws.client("ssm").delete_parameter(Name=pid),
    ),
    "AWS::S3::Bucket": Kind(lambda pid, r: f"aws s3 rb --region {r} --force s3://{pid}", _empty_and_delete_bucket),
    "AWS::ElastiCache::ServerlessCache": Kind(
        lambda pid, r: f"aws elasticache delete-serverless-cache --region {r} --serverless-cache-name {pid}",
        lambda aws, pid: aws.client("elasticache").delete_serverless_cache(ServerlessCacheName=pid),
    ),
    "AWS::KMS::Key": Kind(
        lambda pid, r: f"aws kms schedule-key-deletion --region {r} --pending-window-in-days 7 --key-id {pid}",
        lambda aws, pid: aws.client("kms").schedule_key_deletion(KeyId=pid, PendingWindowInDays=7),
    ),
    "AWS::DynamoDB::Table": Kind(
        lambda pid, r: f"aws dynamodb delete-table --region {r} --table-name {pid}",
        lambda aws, pid: aws.client("dynamodb").delete_table(TableName=pid),
    ),
    "AWS::EFS::FileSystem": Kind(
        lambda pid, r: f"aws efs delete-file-system --region {r} --file-system-id {pid}",
        lambda aws, pid: aws.client("efs").delete_file_system(FileSystemId=pid),
    ),
    "AWS::Timestream::Database": Kind(
        lambda pid, r: (
            f"aws timestream-write delete-database --region {r} --database-name {pid} "
            "(delete its tables first: aws timestream-write list-tables --database-name ...)"
        ),
    ),
    "AWS::RDS::DBCluster": Kind(
        lambda pid, r: f"aws rds delete-db-cluster --region {r} --db-cluster-identifier {pid} --skip-final-snapshot",
    ),
    "AWS::RDS::DBInstance": Kind(
        lambda pid, r: f"aws rds delete-db-instance --region {r} --db-instance-identifier {pid} --skip-final-snapshot",
    ),
}


def delete_command(kind: str, physical_id: str, region: str) -> str | None:
    """The command that deletes a leftover (with what it holds), or None for a type this table lacks."""
    found = KINDS.get(kind)
    return found.command(physical_id, region) if found else None


def snapshot_command(leftover: Leftover, region: str) -> str | None:
    """Where a Snapshot policy's snapshot is found (deleting it is the operator's decision, never purge's)."""
    if leftover.type == "AWS::RDS::DBCluster":
        return f"aws rds describe-db-cluster-snapshots --region {region} --db-cluster-identifier {leftover.physical_id}"
    if leftover.type == "AWS::RDS::DBInstance":
        return f"aws rds describe-db-snapshots --region {region} --db-instance-identifier {leftover.physical_id}"
    if leftover.type.startswith("AWS::ElastiCache::"):
        return f"aws elasticache describe-snapshots --region {region}"
    return None


def lines(leftovers: list[Leftover], region: str) -> list[str]:
    """Each leftover and, under it, the command that deletes it (or finds its snapshot)."""
    out = []
    for left in leftovers:
        out.append(left.line())
        if left.policy == "Snapshot":
            command = snapshot_command(left, region)
            if command:
                out.append(f"  snapshot: {command}")
        elif left.physical_id:
            command = delete_command(left.type, left.physical_id, region)
            out.append(
                f"  delete: {command}" if command else "  delete it in the console (no command known for this type)"
            )
    return out


def purge(aws: Aws, leftovers: list[Leftover]) -> tuple[list[str], list[str]]:
    """Delete every purgeable leftover; (what was deleted, what was not and why). A leftover already gone
    counts as deleted."""
    import botocore.exceptions

    done, left = [], []
    for item in leftovers:
        if not item.purgeable:
            if item.policy != "Snapshot" and item.physical_id:
                left.append(f"{item.line()}: not purged (delete it by hand)")
            continue
        kind = KINDS[item.type]
        assert kind.purge is not None
        try:
            kind.purge(aws, item.physical_id)
        except botocore.exceptions.ClientError as exc:
            code = client_error_code(exc)
            if "NotFound" not in code and code not in ("NoSuchBucket", "404"):
                left.append(f"{item.line()}: not purged ({code}: {exc})")
                continue
        done.append(f"{item.type} {item.physical_id}")
    return done, left
