"""ECS container definitions from config: one shape for app containers and sidecars."""

from __future__ import annotations

import re
from typing import Any

from troposphere import Join, Sub, ecs

from ..config.services import Container, ContainerBase, is_digest


def image(repository: Any, tag: Any, digest: bool = False) -> Join:
    """`repository:tag`, or `repository@sha256:...` when `tag` holds a digest (config TAG_OR_DIGEST)."""
    return Join("@" if digest else ":", [repository, tag])


def image_ref(repository: str, tag: str) -> str:
    """The same for a literal tag or digest (sidecars)."""
    return f"{repository}{'@' if is_digest(tag) else ':'}{tag}"


# A private ECR repository by URI: <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<name>
_PRIVATE_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<name>.+)$"
)


def private_ecr_arn(uri: str) -> Sub | None:
    """The ARN of the private ECR repository an image URI names, or None for any other registry
    (Docker Hub, ghcr.io, public.ecr.aws need no IAM permission). The partition is the stack's own:
    ECR serves no pulls across partitions."""
    m = _PRIVATE_ECR.match(uri)
    if m is None:
        return None
    return Sub(f"arn:${{AWS::Partition}}:ecr:{m['region']}:{m['account']}:repository/{m['name']}")


def definition(
    name: str,
    spec: ContainerBase,
    *,
    image: Any,
    log_configuration: ecs.LogConfiguration,
    environment: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    mount_points: list[ecs.MountPoint] | None = None,
    readonly_root: bool = False,
    user: str | None = None,
) -> ecs.ContainerDefinition:
    """`environment` and `secrets` are sorted by name: the task definition (and so the deployment)
    changes only when a value does, not when the YAML is reordered."""
    props: dict[str, Any] = {
        "Name": name,
        "Image": image,
        "Essential": spec.essential,
        "LogConfiguration": log_configuration,
    }
    if spec.cpu is not None:
        props["Cpu"] = spec.cpu
    if spec.memory is not None:
        props["Memory"] = spec.memory
    if spec.depends_on:
        props["DependsOn"] = [
            ecs.ContainerDependency(ContainerName=d.container, Condition=d.condition) for d in spec.depends_on
        ]
    if environment:
        props["Environment"] = [ecs.Environment(Name=k, Value=v) for k, v in sorted(environment.items())]
    if secrets:
        props["Secrets"] = [ecs.Secret(Name=k, ValueFrom=v) for k, v in sorted(secrets.items())]
    if mount_points:
        props["MountPoints"] = mount_points
    if isinstance(spec, Container):
        props.update(_app_props(spec))
    if readonly_root:  # writable paths are volumes (Container.writable_paths)
        props["ReadonlyRootFilesystem"] = True
    if user is not None:
        props["User"] = user
    return ecs.ContainerDefinition(**props)


def writable_volume(container: str, index: int) -> str:
    """The task-storage volume behind `writable_paths[index]` of `container`."""
    return f"{container}-writable-{index}"


def _app_props(c: Container) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if c.ports:
        props["PortMappings"] = [ecs.PortMapping(ContainerPort=p.port, Protocol=p.protocol) for p in c.ports]
    if c.command is not None:
        props["Command"] = c.command
    if c.entrypoint is not None:
        props["EntryPoint"] = c.entrypoint
    if c.health_check is not None:
        hc = c.health_check
        props["HealthCheck"] = ecs.HealthCheck(
            Command=hc.command,
            Interval=hc.interval,
            Timeout=hc.timeout,
            Retries=hc.retries,
            StartPeriod=hc.start_period,
        )
    return props
