"""Log groups and the awslogs driver configuration that writes to them."""
from __future__ import annotations

from typing import Any

from troposphere import Ref, Region, Template, ecs, logs


def log_group(t: Template, title: str, retention_days: int, kms_key_arn: str | None = None) -> logs.LogGroup:
    props: dict[str, Any] = {"RetentionInDays": retention_days}
    if kms_key_arn:
        props["KmsKeyId"] = kms_key_arn  # the key policy must let logs.<region>.amazonaws.com use it
    return t.add_resource(logs.LogGroup(title, **props))


def awslogs(group: logs.LogGroup, stream_prefix: str) -> ecs.LogConfiguration:
    """Streams are `<prefix>/<container>/<task id>`; the prefix is the container name."""
    return ecs.LogConfiguration(LogDriver="awslogs", Options={
        "awslogs-group": Ref(group),
        "awslogs-region": Region,
        "awslogs-stream-prefix": stream_prefix,
    })
