"""Fargate services: task size, containers, sidecars, networking, deployment, scaling and alarms.

Which load balancer a service sits behind is said once, by the load balancer's listeners
(`load_balancers.<lb>.listeners[].service` / `.rules[].service`); a service only describes its
target (container, port, health check) under `target:`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, StringConstraints, Tag

from ..naming import pascal
from .base import OUTPUT_NAME_PATTERN, Cidr, Finding, Model, Name, RetentionDays
from .cluster import CapacityShare, check_strategy

# The task sizes Fargate accepts: CPU units -> allowed memory (MiB).
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

EnvName = str
IamAction = str  # "service:Action"; checked in Statement (no wildcards)


# An image tag (Docker's grammar) or a content digest. A digest names one image for ever, whatever the
# repository's tag mutability: the image reference becomes <repository>@sha256:<hex> (parts/containers.py).
TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
DIGEST = r"sha256:[a-f0-9]{64}"
TAG_OR_DIGEST = rf"^({DIGEST}|{TAG})$"


def is_digest(tag: str) -> bool:
    return tag.startswith("sha256:")


class Port(Model):
    port: int = Field(ge=1, le=65535)
    protocol: Literal["tcp", "udp"] = "tcp"


class HealthCheck(Model):
    """A container health check (Docker HEALTHCHECK); `dependsOn: HEALTHY` waits for it."""

    command: list[str] = Field(
        min_length=1, description='e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]'
    )
    interval: int = Field(30, ge=5, le=300)
    timeout: int = Field(5, ge=2, le=60)
    retries: int = Field(3, ge=1, le=10)
    start_period: int = Field(0, ge=0, le=300)


class SecretRef(Model):
    """Where a container secret comes from: a secret of this system (`secrets:`), optionally one
    JSON key of it, or an SSM parameter by path."""

    secret: Name | None = None
    key: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    ssm: str | None = Field(None, pattern=r"^/[A-Za-z0-9_.\-/]{1,1010}$")

    def check(self) -> Iterator[Finding]:
        if (self.secret is None) == (self.ssm is None):
            yield Finding(
                (),
                "expected exactly one of 'secret' (a name under secrets:) or 'ssm' (a parameter path)",
                self.model_dump(exclude_none=True),
            )
        if self.key is not None and self.secret is None:
            yield Finding(("key",), "'key' selects a JSON key of a 'secret'; SSM parameters have none", self.key)


AbsolutePath = Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9_.@/-]*$", max_length=255)]


class Dependency(Model):
    container: Name
    condition: Literal["START", "HEALTHY", "COMPLETE", "SUCCESS"] = "START"


class ContainerBase(Model):
    """What app containers and sidecars share."""

    essential: bool = True
    cpu: int | None = Field(None, ge=0, le=16384, description="CPU units reserved; default: none (shares the task's)")
    memory: int | None = Field(None, ge=6, description="hard limit in MiB; default: none (the task's)")
    depends_on: list[Dependency] = Field(default_factory=list)


class Container(ContainerBase):
    # Neither image nor repository: the service's own ECR repository (`ecr:` must then be set).
    image: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9._/:-]*[a-z0-9]$",
        description="repository, without the tag; a private ECR one "
        "(<account>.dkr.ecr.<region>.amazonaws.com/<name>) gets pull permission on exactly that repository",
    )
    repository: Name | None = Field(
        None,
        description="another service's ECR repository (that service has `ecr:`): web and worker on one image",
    )
    tag: str = Field(
        "latest",
        pattern=TAG_OR_DIGEST,
        description="default of the <Service><Container>ImageTag root parameter: a tag, or a digest "
        "(sha256:<64 hex>) that pins one image by content (the image is then <repository>@sha256:...)",
    )
    command: list[str] | None = None
    entrypoint: list[str] | None = None
    ports: list[Port] = Field(default_factory=list)
    # Values may refer to other parts of the system: "${services.ui.url}" (config/references.py).
    environment: dict[EnvName, str] = Field(default_factory=dict)
    secrets: dict[EnvName, SecretRef] = Field(default_factory=dict)
    health_check: HealthCheck | None = None
    readonly_root_filesystem: bool | None = Field(None, description="none: true in prod (ECS.5), false elsewhere")
    # Paths the app writes to under a read-only root: each an empty task-storage volume mounted there.
    writable_paths: list[AbsolutePath] = Field(default_factory=list, max_length=20)
    user: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$",
        description='e.g. "1001" or "1001:1001"; prod needs a non-root one (E9103): the image decides which uid '
        "owns its files, so stackc cannot pick one",
    )

    def check(self) -> Iterator[Finding]:
        if self.image is not None and self.repository is not None:
            yield Finding(
                ("repository",), "'image' names the image already; keep one of image and repository", None, False
            )
        for var, ref in self.secrets.items():
            for f in ref.check():
                yield Finding(("secrets", var) + f.path, f.message, f.value, f.has_value)
            if var in self.environment:
                yield Finding(("secrets", var), "is also set under 'environment'; keep one", var)


class OtelCollector(ContainerBase):
    """AWS Distro for OpenTelemetry collector; its config lives in an SSM parameter
    (/<system>/<env>/<service>/otel-config) so it can change without a new image."""

    image: str = "public.ecr.aws/aws-observability/aws-otel-collector"
    tag: str = Field("v0.43.1", pattern=TAG_OR_DIGEST, description="a tag, or a digest (sha256:<64 hex>)")
    cpu: int | None = 256
    memory: int | None = 512
    essential: bool = False
    config: str | None = Field(None, description="collector YAML; default: OTLP in, X-Ray traces and EMF metrics out")


class XrayDaemon(ContainerBase):
    image: str = "public.ecr.aws/xray/aws-xray-daemon"
    tag: str = Field("3.3.14", pattern=TAG_OR_DIGEST, description="a tag, or a digest (sha256:<64 hex>)")
    cpu: int | None = 32
    memory: int | None = 256
    essential: bool = False


class Sidecars(Model):
    """Each sidecar becomes a container named after its key (`otel`, `xray`), which others may depend on."""

    otel: OtelCollector | None = None
    xray: XrayDaemon | None = None


class Ecr(Model):
    keep_images: int = Field(20, ge=1, le=1000, description="lifecycle policy: newest N images kept")
    # kms: ECR's AWS managed KMS key (aws/ecr). aes256 keeps a repository created before KMS was the
    # default: a repository's encryption cannot change, CloudFormation would replace it (and, its name
    # being fixed, refuse to).
    encryption: Literal["kms", "aes256"] = "kms"
    # immutable: a tag names one image forever (what was reviewed is what runs), so `latest` can be
    # pushed once only and is refused. mutable: tags move (a re-push of `latest` works, but the task
    # definition does not change, so ECS starts new tasks only when forced).
    tag_mutability: Literal["immutable", "mutable"] = Field(
        "immutable", description="immutable: a tag names one image forever (`latest` is refused); mutable: tags move"
    )


class EgressRule(Model):
    """One more destination for a service whose `egress` is narrowed."""

    port: int = Field(ge=1, le=65535)
    to_port: int | None = Field(None, ge=1, le=65535, description="a range port..to_port")
    protocol: Literal["tcp", "udp"] = "tcp"
    cidr: Cidr
    description: str = Field("", max_length=200, pattern=r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$")

    def check(self) -> Iterator[Finding]:
        if self.to_port is not None and self.to_port < self.port:
            yield Finding(("to_port",), f"must not be below port ({self.port})", self.to_port)


def _egress_kind(value: Any) -> str:
    return "[all]" if isinstance(value, str) else "[rules]"


# `all`, or a list of rules; the discriminator keeps messages to the branch the value took.
Egress = Annotated[
    Annotated[Literal["all"], Tag("[all]")] | Annotated[list[EgressRule], Tag("[rules]")],
    Discriminator(_egress_kind),
]


class TargetHealthCheck(Model):
    path: str = Field("/", pattern=r"^/")
    interval: int = Field(30, ge=5, le=300)
    timeout: int = Field(5, ge=2, le=120)
    healthy_threshold: int = Field(2, ge=2, le=10)
    unhealthy_threshold: int = Field(3, ge=2, le=10)
    matcher: str = Field("200-399", pattern=r"^\d{3}([,-]\d{3})*$")


class Target(Model):
    """How a load balancer reaches the service. Defaults: the first essential app container with a
    port, on its first port."""

    container: Name | None = None
    port: int | None = Field(None, ge=1, le=65535)
    health_check: TargetHealthCheck = TargetHealthCheck()
    deregistration_delay: int = Field(30, ge=0, le=3600)
    stickiness: int | None = Field(None, ge=1, le=604800, description="lb_cookie duration in seconds (ALB only)")


class Deployment(Model):
    """How ECS replaces tasks on an update. `rolling` (the default) replaces them in place; the others run
    ECS's own blue/green machinery behind an application load balancer: the new tasks start in an alternate
    target group and traffic moves to them -- all at once (`blue_green`), a share first (`canary`), or in
    steps (`linear`) -- then the old tasks stay `bake_minutes` for a quick rollback."""

    strategy: Literal["rolling", "blue_green", "canary", "linear"] = "rolling"
    bake_minutes: int = Field(10, ge=0, le=1440, description="old tasks kept after traffic has moved")
    canary_percent: float = Field(10.0, ge=0.1, le=100, description="canary: the share moved first")
    canary_bake_minutes: int = Field(5, ge=0, le=1440, description="canary: how long the first share runs alone")
    step_percent: float = Field(25.0, ge=3, le=100, description="linear: the share moved per step")
    step_bake_minutes: int = Field(5, ge=0, le=1440, description="linear: the wait between steps")
    test_header: str | None = Field(
        "x-stackc-test",
        pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$",
        description="a test listener rule sends requests carrying this header (any value) to the new tasks "
        "before production traffic moves; null: no test rule",
    )

    def check(self) -> Iterator[Finding]:
        own = {"canary": ("canary_percent", "canary_bake_minutes"), "linear": ("step_percent", "step_bake_minutes")}
        for strategy, fields in own.items():
            for field in fields:
                if field in self.model_fields_set and self.strategy != strategy:
                    yield Finding((field,), f"applies to strategy {strategy} only", getattr(self, field))


class Scaling(Model):
    """Target tracking; each metric set adds a policy. min/max default the root Parameters."""

    min: int = Field(1, ge=0, le=1000)
    max: int = Field(4, ge=1, le=1000)
    cpu: int | None = Field(None, ge=1, le=100, description="target average CPU %")
    memory: int | None = Field(None, ge=1, le=100, description="target average memory %")
    requests_per_target: int | None = Field(None, ge=1, description="target ALB requests per task (per minute)")
    scale_in_cooldown: int = Field(300, ge=0, le=3600)
    scale_out_cooldown: int = Field(60, ge=0, le=3600)

    def check(self) -> Iterator[Finding]:
        if self.min > self.max:
            yield Finding(("min",), f"must not exceed max ({self.max})", self.min)
        if self.cpu is None and self.memory is None and self.requests_per_target is None:
            yield Finding((), "set at least one of cpu, memory, requests_per_target", None, False)


class Alarms(Model):
    """Alarms to the system's alarm topic; set one to null to drop it. Load balancer alarms apply
    only when the service sits behind one (5XX and response time: ALB only)."""

    cpu: int | None = Field(80, ge=1, le=100, description="average CPU % over 3 minutes")
    memory: int | None = Field(80, ge=1, le=100, description="average memory % over 3 minutes")
    http_5xx: int | None = Field(10, ge=1, description="target 5XX responses per minute")
    response_time: float | None = Field(2.0, gt=0, description="average target response time, seconds")
    unhealthy_hosts: int | None = Field(1, ge=1, description="unhealthy targets, at or above")
    running_below_desired: bool = Field(
        True, description="fewer running tasks than desired for 5 minutes (needs Container Insights)"
    )


def _schedule(value: Any) -> Any:
    return {"expression": value} if isinstance(value, str) else value


class Schedule(Model):
    """Run the service's task on a schedule (EventBridge Scheduler -> ECS RunTask) instead of keeping
    tasks running: a cron job, a report, a cleanup. `schedule: "rate(1 hour)"` is short for
    `schedule: {expression: "rate(1 hour)"}`."""

    expression: str = Field(
        pattern=r"^(cron\([^()]+\)|rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\)|at\([0-9T:-]+\))$",
        description='"cron(0 3 * * ? *)", "rate(15 minutes)" or a one-time "at(2026-12-01T03:00:00)"; '
        "root parameter <Service>ScheduleExpression",
    )
    timezone: str = Field("UTC", pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", description="IANA name, e.g. Europe/Paris")
    enabled: bool = Field(True, description="root parameter <Service>ScheduleState (ENABLED/DISABLED)")
    retries: int = Field(2, ge=0, le=185, description="RunTask attempts after a failed one")
    max_event_age: int = Field(3600, ge=60, le=86400, description="seconds a run may wait for a retry")
    tasks: int = Field(1, ge=1, le=10, description="tasks started per run")


ScheduleSpec = Annotated[Schedule, BeforeValidator(_schedule)]


class Statement(Model):
    actions: list[str] = Field(min_length=1)
    resources: list[str] = Field(min_length=1)

    def check(self) -> Iterator[Finding]:
        import re

        for i, action in enumerate(self.actions):
            if not re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action):
                yield Finding(("actions", i), 'expected "service:Action" without wildcards (name each action)', action)


class Iam(Model):
    task: list[Statement] = Field(default_factory=list)
    execution: list[Statement] = Field(default_factory=list)


class Service(Model):
    cpu: int = Field(256, description="task CPU units; with memory, one of the Fargate sizes")
    memory: int = Field(512, description="task memory in MiB")
    containers: dict[Name, Container] = Field(min_length=1)
    sidecars: Sidecars = Sidecars()
    ecr: Ecr | None = None
    desired_count: int = Field(
        2,
        ge=0,
        le=1000,
        description="default of the <Service>DesiredCount root parameter; "
        "with `scaling`, unused: scaling.min/max (root parameters) govern the count",
    )
    # Public IP puts tasks in the public subnets (image pulls without NAT, as in a default VPC).
    public_ip: bool = False
    circuit_breaker: bool = True  # with rollback
    min_healthy_percent: int = Field(100, ge=0, le=100)
    max_percent: int = Field(200, ge=100, le=400)
    exec: bool = False
    health_check_grace: int = Field(60, ge=0, le=2147483647, description="seconds; only behind a load balancer")
    capacity: list[CapacityShare] | None = Field(None, min_length=1, description="default: the cluster's strategy")
    target: Target = Target()
    deployment: Deployment = Deployment()
    url_output: str | None = Field(
        None,
        pattern=OUTPUT_NAME_PATTERN,
        description="name of the service's URL output (behind a load balancer); default: <Service>ServiceUrl",
    )
    scaling: Scaling | None = None
    schedule: ScheduleSpec | None = Field(
        None, description="a scheduled task instead of a long-running service (no load balancer, no scaling)"
    )
    alarms: Alarms | None = None
    # Physical names, for runbooks that name them (`aws ecs update-service --service ...`, `aws logs tail ...`).
    # Unique per cluster / account and region, and renaming one replaces it: off by default.
    service_name: str | None = Field(
        None, pattern=r"^[a-zA-Z][a-zA-Z0-9_-]{0,254}$", description="ECS service name; default: CloudFormation's"
    )
    log_group_name: str | None = Field(
        None,
        pattern=r"^[.\-_/#A-Za-z0-9]{1,512}$",
        description="the app containers' log group; default: CloudFormation's",
    )
    log_retention_days: RetentionDays = 30
    log_kms_key_arn: str | None = Field(None, pattern=r"^arn:aws[a-z-]*:kms:", description="a key outside the system")
    log_key: Name | None = Field(
        None, description="a key from `keys:` for this service's log groups; default: observability.key"
    )
    iam: Iam = Iam()
    uses: list[Name] = Field(default_factory=list)
    # all: tasks may connect anywhere (the default a security group has). A list narrows it to HTTPS
    # anywhere (AWS APIs, image pulls, external APIs), the `uses:` stores on their ports, and these rules.
    # None: narrowed ([]) in prod, all elsewhere.
    egress: Egress | None = None

    def container_names(self) -> list[str]:
        """App containers and sidecars, the names `depends_on` may use."""
        return [*self.containers, *(k for k in ("otel", "xray") if getattr(self.sidecars, k) is not None)]

    def url_output_name(self, name: str) -> str:
        """The output (on the service's stack and the root) holding the URL of service `name`."""
        return self.url_output or f"{pascal(name)}ServiceUrl"

    def target_container(self) -> tuple[str, int] | None:
        """(container, port) a load balancer forwards to, or None when no container has a port."""
        if self.target.container is not None:
            c = self.containers.get(self.target.container)
            if c is None:
                return None
            port = self.target.port or (c.ports[0].port if c.ports else None)
            return (self.target.container, port) if port else None
        for name, c in self.containers.items():
            if c.essential and c.ports:
                return name, self.target.port or c.ports[0].port
        return None

    def check(self) -> Iterator[Finding]:
        if self.cpu not in FARGATE_SIZES:
            yield Finding(
                ("cpu",), f"expected a Fargate CPU size: one of {', '.join(map(str, FARGATE_SIZES))}", self.cpu
            )
        elif self.memory not in FARGATE_SIZES[self.cpu]:
            allowed = FARGATE_SIZES[self.cpu]
            choices = (
                ", ".join(map(str, allowed))
                if len(allowed) <= 4
                else f"{allowed[0]}-{allowed[-1]} in steps of {allowed[1] - allowed[0]}"
            )
            yield Finding(("memory",), f"with cpu {self.cpu}, Fargate accepts memory {choices} (MiB)", self.memory)
        names = self.container_names()
        for name in ("otel", "xray"):
            if name in self.containers:
                yield Finding(
                    ("containers", name), f"{name!r} is the name of a sidecar; choose another name", None, False
                )
        all_containers = [(("containers", n), c) for n, c in self.containers.items()]
        all_containers += [
            (("sidecars", n), getattr(self.sidecars, n))
            for n in ("otel", "xray")
            if getattr(self.sidecars, n) is not None
        ]
        for path, c in all_containers:
            for f in c.check():
                yield Finding(path + f.path, f.message, f.value, f.has_value)
            for i, dep in enumerate(c.depends_on):
                if dep.container not in names:
                    yield Finding(
                        path + ("depends_on", i, "container"),
                        f"expected a container of this service: one of {', '.join(names)}",
                        dep.container,
                    )
                elif dep.container == path[-1]:
                    yield Finding(
                        path + ("depends_on", i, "container"), "a container cannot depend on itself", dep.container
                    )
            if getattr(c, "repository", None) is None and c.image is None and self.ecr is None:
                yield Finding(
                    path + ("image",),
                    "no image given and the service has no 'ecr:' repository to default to (or name another service's with 'repository:')",
                    None,
                    False,
                )
        if not any(c.essential for c in self.containers.values()):
            yield Finding(("containers",), "at least one app container must be essential", None, False)
        reserved = sum(c.memory or 0 for _, c in all_containers)
        if reserved > self.memory:
            yield Finding(
                ("memory",),
                f"the containers' memory limits add up to {reserved} MiB, more than the task's",
                self.memory,
            )
        if self.target.container is not None:
            target_container = self.containers.get(self.target.container)
            if target_container is None:
                yield Finding(
                    ("target", "container"),
                    f"expected an app container: one of {', '.join(self.containers)}",
                    self.target.container,
                )
            elif self.target.port is None and not target_container.ports:
                yield Finding(
                    ("target", "container"),
                    "this container has no ports; add one or set target.port",
                    self.target.container,
                )
            elif self.target.port is not None and self.target.port not in [p.port for p in target_container.ports]:
                ports = [p.port for p in target_container.ports]
                yield Finding(
                    ("target", "port"),
                    f"container {self.target.container!r} exposes no such port (ports: {ports})",
                    self.target.port,
                )
        if isinstance(self.egress, list):
            for i, rule in enumerate(self.egress):
                for f in rule.check():
                    yield Finding(("egress", i) + f.path, f.message, f.value, f.has_value)
        if self.capacity is not None:
            for f in check_strategy(self.capacity):
                yield Finding(("capacity",) + f.path, f.message, f.value)
        if self.scaling is not None:
            for f in self.scaling.check():
                yield Finding(("scaling",) + f.path, f.message, f.value, f.has_value)
        for f in self.deployment.check():
            yield Finding(("deployment", *f.path), f.message, f.value, f.has_value)
        if self.schedule is not None:
            # What only a long-running service has.
            for field in ("scaling", "desired_count", "service_name", "deployment"):
                if field in self.model_fields_set:
                    yield Finding((field,), "does not apply to a scheduled task (schedule:)", getattr(self, field))
            if self.alarms is not None:
                kept = [
                    f
                    for f in ("cpu", "memory", "http_5xx", "response_time", "unhealthy_hosts")
                    if f in self.alarms.model_fields_set and getattr(self.alarms, f) is not None
                ]
                for field in kept:
                    yield Finding(
                        ("alarms", field),
                        "a scheduled task alarms on failed runs only (its dead-letter queue)",
                        getattr(self.alarms, field),
                    )
        for role in ("task", "execution"):
            for i, st in enumerate(getattr(self.iam, role)):
                for f in st.check():
                    yield Finding(("iam", role, i) + f.path, f.message, f.value)
