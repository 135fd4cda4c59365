"""Log groups and the awslogs driver configuration that writes to them."""

from __future__ import annotations

from typing import Any

from troposphere import Ref, Region, Template, ecs, logs

from ..config.system import System
from ..graph import StackContext
from .stores import KEYS_STACK, key_arn


def logs_key(cfg: System, ctx: StackContext, service: str | None = None) -> Any:
    """The ARN of the key that encrypts a log group of `service` (its log_kms_key_arn or log_key), or
    of the system (`observability.key`); None: CloudWatch Logs' own keys."""
    svc = cfg.services[service] if service is not None else None
    if svc is not None and svc.log_kms_key_arn:
        return svc.log_kms_key_arn
    name = (svc.log_key if svc is not None else None) or cfg.logs_key_name()
    return ctx.ref(KEYS_STACK, key_arn(name)) if name is not None else None


def logs_keys(cfg: System) -> set[str]:
    """The `keys:` that encrypt log groups: their key policies let CloudWatch Logs use them."""
    return {k for k in (cfg.logs_key_name(), *(s.log_key for s in cfg.services.values())) if k is not None}


def log_group(
    t: Template, title: str, retention_days: int, kms_key_arn: Any = None, name: str | None = None
) -> logs.LogGroup:
    props: dict[str, Any] = {"RetentionInDays": retention_days}
    if name is not None:
        props["LogGroupName"] = name
    if kms_key_arn:
        props["KmsKeyId"] = kms_key_arn  # the key policy must let logs.<region>.amazonaws.com use it
    group = t.add_resource(logs.LogGroup(title, **props))
    return group


def awslogs(group: logs.LogGroup, stream_prefix: str) -> ecs.LogConfiguration:
    """Streams are `<prefix>/<container>/<task id>`; the prefix is the container name."""
    return ecs.LogConfiguration(
        LogDriver="awslogs",
        Options={
            "awslogs-group": Ref(group),
            "awslogs-region": Region,
            "awslogs-stream-prefix": stream_prefix,
        },
    )
