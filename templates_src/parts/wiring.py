"""`uses:` — the single source of service <-> data wiring.

`wire(cfg, service, ctx)` returns everything a service needs to reach the stores it names in `uses:`:
the security-group ingress on each store's port, IAM statements scoped to each resource, container
environment and secrets, and EFS volumes. The service builder applies the result; nothing else in the
config repeats it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config.system import System
from ..graph import StackContext


@dataclass
class Ingress:
    """Allow the service's security group into a store's security group on `port`."""

    store: str
    group_id: Any  # the store's security group ID (a Ref to an imported parameter)
    port: int
    description: str


@dataclass
class ServiceWiring:
    ingress: list[Ingress] = field(default_factory=list)
    execution_statements: list[Any] = field(default_factory=list)  # awacs Statements (secret read, kms:Decrypt)
    task_statements: list[Any] = field(default_factory=list)  # awacs Statements (S3, Timestream, EFS ...)
    environment: dict[str, Any] = field(default_factory=dict)  # env var -> value (may be an intrinsic)
    secrets: dict[str, Any] = field(default_factory=dict)  # env var -> valueFrom (secret ARN[:json-key::])
    volumes: list[Any] = field(default_factory=list)  # troposphere ecs.Volume
    mount_points: list[Any] = field(default_factory=list)  # troposphere ecs.MountPoint


def wire(cfg: System, service: str, ctx: StackContext) -> ServiceWiring:
    """Wiring for one service. (Filled in with the data stores: issue 4.)"""
    return ServiceWiring()
