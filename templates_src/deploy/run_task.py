"""`run-task`: one task of a deployed service, with the service's own network, roles and capacity -- a
migration, a one-off script -- its logs streamed, its exit code returned.

Everything is read from what is deployed, never from the build: the service's nested stack gives its task
definition and its ECS service (or, for a scheduled task, its schedule); the ECS service (or the schedule's
target) gives the subnets, security groups, public-IP setting and capacity. So the task runs exactly where the
service's own tasks run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DeployError, UsageError
from ..naming import stack_logical_id
from .execute import nested_stacks
from .plan import describe_stack
from .session import Aws, client_error_code, translates_aws_errors

STARTED_BY = "stackc-run-task"


@dataclass(frozen=True)
class Placement:
    """Where the service's tasks run, as RunTask takes it."""

    cluster: str
    task_definition: str
    network: dict[str, Any]  # networkConfiguration
    capacity: dict[str, Any]  # {"capacityProviderStrategy": [...]} or {"launchType": "FARGATE"}


@dataclass
class TaskRun:
    task_arn: str
    container: str
    exit_code: int | None = None
    stopped_reason: str = ""
    log_lines: int = 0
    notes: list[str] = field(default_factory=list)


def _resources(aws: Aws, stack_id: str) -> dict[str, list[dict[str, Any]]]:
    """The stack's resources by type."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in aws.client("cloudformation").describe_stack_resources(StackName=stack_id)["StackResources"]:
        out.setdefault(r["ResourceType"], []).append(r)
    return out


@translates_aws_errors
def placement(aws: Aws, stack_name: str, service: str, selection: str = "") -> Placement:
    root = describe_stack(aws, stack_name)
    if root is None:
        raise DeployError(
            f"stack {stack_name} does not exist in {aws.region}: deploy it first (`cli.py deploy{selection}`)"
        )
    children = nested_stacks(aws, root["StackId"])
    child = children.get(stack_logical_id(f"service-{service}"))
    if child is None:
        known = sorted(
            lid.removeprefix("Service").removesuffix("Stack") for lid in children if lid.startswith("Service")
        )
        raise UsageError(
            f"{stack_name} has no deployed service {service!r} (its service stacks: {', '.join(known) or 'none'})"
        )
    resources = _resources(aws, child)
    definitions = resources.get("AWS::ECS::TaskDefinition") or []
    if not definitions:
        raise DeployError(f"the stack of service {service!r} has no task definition")
    task_definition = definitions[0]["PhysicalResourceId"]
    if resources.get("AWS::ECS::Service"):
        service_arn = resources["AWS::ECS::Service"][0]["PhysicalResourceId"]
        cluster = service_arn.split(":service/", 1)[1].split("/")[0] if ":service/" in service_arn else ""
        described = aws.client("ecs").describe_services(cluster=cluster, services=[service_arn])["services"]
        if not described:
            raise DeployError(f"ECS does not know the service {service_arn}")
        svc = described[0]
        network = svc.get("networkConfiguration") or {}
        strategy = svc.get("capacityProviderStrategy") or []
        cluster = svc.get("clusterArn") or cluster
    elif resources.get("AWS::Scheduler::Schedule"):
        name = resources["AWS::Scheduler::Schedule"][0]["PhysicalResourceId"]
        target = aws.client("scheduler").get_schedule(Name=name)["Target"]
        ecs = target.get("EcsParameters") or {}
        cluster = target["Arn"]
        # The Scheduler API spells the target's network in PascalCase; RunTask wants camelCase.
        vpc = (ecs.get("NetworkConfiguration") or {}).get("awsvpcConfiguration") or {}
        network = (
            {
                "awsvpcConfiguration": {
                    "subnets": list(vpc.get("Subnets") or []),
                    "securityGroups": list(vpc.get("SecurityGroups") or []),
                    "assignPublicIp": vpc.get("AssignPublicIp") or "DISABLED",
                }
            }
            if vpc
            else {}
        )
        strategy = ecs.get("CapacityProviderStrategy") or []
        strategy = [
            {"capacityProvider": s["capacityProvider"], "weight": s.get("weight", 0), "base": s.get("base", 0)}
            for s in strategy
        ]
    else:
        raise DeployError(f"the stack of service {service!r} has neither an ECS service nor a schedule")
    if not network:
        raise DeployError(f"could not read the network configuration of service {service!r}")
    # The service's own strategy; else Fargate (the cluster default may be unset on an endpoint without it).
    capacity: dict[str, Any] = {"capacityProviderStrategy": strategy} if strategy else {"launchType": "FARGATE"}
    return Placement(cluster, task_definition, network, capacity)


def _app_container(aws: Aws, task_definition: str, wanted: str | None) -> tuple[str, dict[str, str]]:
    """The container to run (the named one, else the first essential one) and its awslogs options."""
    definition = aws.client("ecs").describe_task_definition(taskDefinition=task_definition)["taskDefinition"]
    containers = definition.get("containerDefinitions") or []
    names = [c["name"] for c in containers]
    if wanted is not None:
        chosen = next((c for c in containers if c["name"] == wanted), None)
        if chosen is None:
            raise UsageError(f"--container {wanted}: the task has containers {', '.join(names)}")
    else:
        chosen = next((c for c in containers if c.get("essential", True)), containers[0] if containers else None)
        if chosen is None:
            raise DeployError(f"task definition {task_definition} has no containers")
    logging = chosen.get("logConfiguration") or {}
    options = logging.get("options", {}) if logging.get("logDriver") == "awslogs" else {}
    return chosen["name"], options


@translates_aws_errors
def start(aws: Aws, where: Placement, *, container: str | None, command: list[str]) -> tuple[TaskRun, dict[str, str]]:
    name, log_options = _app_container(aws, where.task_definition, container)
    overrides = {"containerOverrides": [{"name": name, "command": command}]} if command else {}
    response = aws.client("ecs").run_task(
        cluster=where.cluster,
        taskDefinition=where.task_definition,
        count=1,
        networkConfiguration=where.network,
        overrides=overrides,
        startedBy=STARTED_BY,
        enableECSManagedTags=True,
        propagateTags="TASK_DEFINITION",
        **where.capacity,
    )
    if response.get("failures") and not response.get("tasks"):
        reasons = "; ".join(f"{f.get('arn', '')} {f.get('reason', '')}".strip() for f in response["failures"])
        raise DeployError(f"ECS could not start the task: {reasons}")
    return TaskRun(response["tasks"][0]["taskArn"], name), log_options


class LogTail:
    """The awslogs stream of one container of one task: `<prefix>/<container>/<task id>`."""

    def __init__(self, aws: Aws, options: dict[str, str], container: str, task_arn: str):
        self.logs = aws.client("logs")
        self.group = options.get("awslogs-group")
        prefix = options.get("awslogs-stream-prefix")
        self.stream = f"{prefix}/{container}/{task_arn.rsplit('/', 1)[-1]}" if prefix else None
        self.token: str | None = None

    def read(self) -> list[str]:
        if not self.group or not self.stream:
            return []
        import botocore.exceptions

        kwargs: dict[str, Any] = {"logGroupName": self.group, "logStreamName": self.stream, "startFromHead": True}
        lines: list[str] = []
        try:
            while True:
                if self.token:
                    kwargs["nextToken"] = self.token
                page = self.logs.get_log_events(**kwargs)
                lines += [e["message"] for e in page.get("events", [])]
                if page.get("nextForwardToken") in (None, self.token):
                    return lines
                self.token = page["nextForwardToken"]
        except botocore.exceptions.ClientError as exc:
            if client_error_code(exc) == "ResourceNotFoundException":  # the stream appears once the task logs
                return lines
            raise


@translates_aws_errors
def follow(
    aws: Aws,
    where: Placement,
    run: TaskRun,
    log_options: dict[str, str],
    say: Callable[[str], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
    interval: float = 3.0,
    timeout: float = 24 * 3600,
) -> TaskRun:
    """Print the container's log lines as they come, until the task stops; fill in its exit code."""
    ecs = aws.client("ecs")
    tail = LogTail(aws, log_options, run.container, run.task_arn)
    if tail.stream is None:
        run.notes.append("the container does not log with awslogs: no output to stream")
    waited = 0.0
    while True:
        task = ecs.describe_tasks(cluster=where.cluster, tasks=[run.task_arn])["tasks"][0]
        for line in tail.read():
            say(line)
            run.log_lines += 1
        if task.get("lastStatus") == "STOPPED":
            for line in tail.read():
                say(line)
                run.log_lines += 1
            run.stopped_reason = task.get("stoppedReason") or ""
            container: dict[str, Any] = next(
                (c for c in task.get("containers", []) if c.get("name") == run.container), {}
            )
            run.exit_code = container.get("exitCode")
            if run.exit_code is None and container.get("reason"):
                run.stopped_reason = f"{run.stopped_reason}: {container['reason']}".strip(": ")
            return run
        if waited > timeout:
            raise DeployError(f"task {run.task_arn} still {task.get('lastStatus')} after {timeout:.0f}s")
        sleep(interval)
        waited += interval
