"""Security-scanner findings that stay on purpose, said on the resource they concern.

checkov reads `Metadata: {checkov: {skip: [{id, comment}]}}`. A builder calls `skip` only in the case
the comment describes (an internet-facing load balancer, a store whose params name no KMS key, a
listener without a certificate...), so a resource that should be fixed never carries one, and the
comment names the config that decides it. README "Security scanners" lists every id of `CHECKS` with
the same reasons (tests/test_scanners.py keeps the two in step)."""

from __future__ import annotations

from typing import Any

# The checks a builder may skip, and what each asks for.
CHECKS = {
    "CKV_AWS_2": "ALB listener protocol is HTTPS",
    "CKV_AWS_7": "KMS key rotation is enabled",
    "CKV_AWS_18": "S3 bucket has access logging",
    "CKV_AWS_21": "S3 bucket has versioning",
    "CKV_AWS_26": "SNS topic is encrypted",
    "CKV_AWS_91": "load balancer has access logging",
    "CKV_AWS_103": "listener uses TLS 1.2+",
    "CKV_AWS_118": "RDS enhanced monitoring",
    "CKV_AWS_136": "ECR repository encrypted with KMS",
    "CKV_AWS_149": "Secrets Manager secret encrypted with a customer managed key",
    "CKV_AWS_157": "RDS instance is Multi-AZ",
    "CKV_AWS_158": "log group encrypted with KMS",
    "CKV_AWS_160": "Timestream database encrypted with a customer managed key",
    "CKV_AWS_161": "RDS instance IAM authentication",
    "CKV_AWS_162": "RDS cluster IAM authentication",
    "CKV_AWS_260": "no ingress from 0.0.0.0/0 to port 80",
}


def skip(resource: Any, check: str, comment: str) -> Any:
    """Record on `resource` (a troposphere resource) that finding `check` stays, and why."""
    if check not in CHECKS:
        raise ValueError(f"{check} is not a check stackc skips on purpose (parts/scanners.CHECKS)")
    metadata = dict(resource.resource.get("Metadata") or {})
    checkov = dict(metadata.get("checkov") or {})
    checkov["skip"] = [*checkov.get("skip", []), {"id": check, "comment": comment}]
    metadata["checkov"] = checkov
    resource.Metadata = metadata
    return resource


def aws_managed_key(setting: str, service: str, key: str) -> str:
    """The comment for a resource encrypted with its service's own key because the params name none."""
    return (
        f"no KMS key configured ({setting}): {service} encrypts it at rest with the {key} key; "
        "naming a key from `keys:` there makes it a customer managed key"
    )


def skips(template: dict) -> dict[str, list[str]]:
    """{logical ID: [skipped check ids]} of a built template dict (for tests and reviews)."""
    out = {}
    for name, res in template.get("Resources", {}).items():
        ids = [s["id"] for s in (res.get("Metadata") or {}).get("checkov", {}).get("skip", [])]
        if ids:
            out[name] = ids
    return out
