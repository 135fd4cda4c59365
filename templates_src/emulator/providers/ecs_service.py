"""AWS::ECS::Service, in moto's ECS backend, with what moto's own model drops.

moto's native model passes only the cluster, the generated name, the desired count and the task definition
to CreateService: DescribeServices then shows no network configuration, load balancers, launch type or tags,
and `run-task` (which starts a task where the service's tasks run) has nothing to read. AWS: the service keeps
all of them. This provider passes them through moto's CreateService/UpdateService.

Reference: Ref is the service ARN; GetAtt Name and ServiceArn.
"""

from __future__ import annotations

from typing import Any

from .base import Provider

# Changing these replaces the service on AWS (the resource reference's "Update requires: Replacement").
REPLACED_BY = frozenset({"Cluster", "ServiceName", "LaunchType", "SchedulingStrategy", "Role", "DeploymentController"})


def _backend(account_id: str, region_name: str) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account_id][region_name]


def _camel(value: Any) -> Any:
    from moto.core.utils import pascal_to_camelcase, remap_nested_keys

    return remap_nested_keys(value, pascal_to_camelcase)


class Service(Provider):
    TYPE = "AWS::ECS::Service"
    NAME_PROPERTY = "ServiceName"
    REPLACE_ON = REPLACED_BY
    ATTRIBUTES = frozenset({"Name", "ServiceArn"})

    def _cluster(self) -> str:
        return str(self.properties["Cluster"]).rsplit("/", 1)[-1]

    def create(self) -> None:
        p = self.properties
        self.service = _backend(self.account_id, self.region_name).create_service(
            self._cluster(),
            self.name,
            int(p["DesiredCount"]) if p.get("DesiredCount") is not None else 1,  # AWS's default on create
            task_definition_str=p.get("TaskDefinition"),
            load_balancers=_camel(p.get("LoadBalancers") or []),
            tags=[{"key": t["Key"], "value": str(t["Value"])} for t in p.get("Tags") or []],
            deployment_controller=_camel(p["DeploymentController"]) if p.get("DeploymentController") else None,
            # No launch type and no strategy: the cluster's default strategy, which on Fargate is FARGATE.
            launch_type=p.get("LaunchType") or "FARGATE",
            platform_version=p.get("PlatformVersion"),
            propagate_tags=p.get("PropagateTags") or "NONE",
            network_configuration=_camel(p["NetworkConfiguration"]) if p.get("NetworkConfiguration") else None,
        )

    def update(self, old: dict[str, Any]) -> None:
        p = self.properties
        changes: dict[str, Any] = {
            "cluster": self._cluster(),
            "service": self.name,
            "task_definition": p.get("TaskDefinition"),
        }
        if p.get("DesiredCount") is not None:  # absent: CloudFormation leaves the running count alone
            changes["desired_count"] = int(p["DesiredCount"])
        self.service = _backend(self.account_id, self.region_name).update_service(changes)
        if p.get("NetworkConfiguration") != old.get("NetworkConfiguration"):
            self.service.network_configuration = _camel(p.get("NetworkConfiguration") or {})
        if p.get("LoadBalancers") != old.get("LoadBalancers"):
            self.service.load_balancers = _camel(p.get("LoadBalancers") or [])

    def remove(self) -> None:
        _backend(self.account_id, self.region_name).delete_service(self._cluster(), self.name, force=True)

    @property
    def ref(self) -> str:
        return self.service.arn

    def attributes(self) -> dict[str, Any]:
        return {"Name": self.service.name, "ServiceArn": self.service.arn}
