"""AWS::ECS::ClusterCapacityProviderAssociations and AWS::ECS::TaskDefinition, in moto's ECS backend.

ClusterCapacityProviderAssociations -- DescribeClusters shows the capacity providers and the default
strategy; Ref is the cluster name; deleting the resource removes the associations.
TaskDefinition -- see the class.
"""

from __future__ import annotations

import contextlib
from typing import Any

from .base import Provider


def _backend(account_id: str, region_name: str) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account_id][region_name]


class ClusterCapacityProviderAssociations(Provider):
    TYPE = "AWS::ECS::ClusterCapacityProviderAssociations"
    REPLACE_ON = frozenset({"Cluster"})

    def create(self) -> None:
        p = self.properties
        strategy = [
            {
                "capacityProvider": s["CapacityProvider"],
                "weight": int(s.get("Weight", 0)),
                "base": int(s.get("Base", 0)),
            }
            for s in p.get("DefaultCapacityProviderStrategy") or []
        ]
        _backend(self.account_id, self.region_name).put_cluster_capacity_providers(
            p["Cluster"], list(p.get("CapacityProviders") or []), strategy
        )

    def update(self, old: dict[str, Any]) -> None:
        self.create()

    def remove(self) -> None:
        from moto.ecs.exceptions import ClusterNotFoundException

        # If the cluster went first (same stack), its associations went with it, as on AWS.
        with contextlib.suppress(ClusterNotFoundException):
            _backend(self.account_id, self.region_name).put_cluster_capacity_providers(
                self.properties["Cluster"], [], []
            )

    @property
    def ref(self) -> str:
        return self.properties["Cluster"].rsplit("/", 1)[-1]


class TaskDefinition(Provider):
    """moto's own model registers only family, containers, volumes and memory (dropping CPU, network
    mode, roles, compatibilities), gives every update a new random family, and compares camelCase
    with PascalCase so that every update re-registers. AWS: any property change replaces the task
    definition -- a new revision of the same family -- and the old revision is deregistered.
    Reference: Ref is the task definition ARN (family:revision); GetAtt TaskDefinitionArn."""

    TYPE = "AWS::ECS::TaskDefinition"
    NAME_PROPERTY = "Family"
    ATTRIBUTES = frozenset({"TaskDefinitionArn"})

    def create(self) -> None:
        self.task_definition = self._register()

    def update(self, old: dict[str, Any]) -> None:
        previous = self.task_definition
        self.task_definition = self._register()
        _backend(self.account_id, self.region_name).deregister_task_definition(previous.arn)

    def remove(self) -> None:
        _backend(self.account_id, self.region_name).deregister_task_definition(self.task_definition.arn)

    def _register(self) -> Any:
        from moto.core.utils import pascal_to_camelcase, remap_nested_keys

        p = self.properties

        def camel(value: Any) -> Any:
            return remap_nested_keys(value, pascal_to_camelcase) if value is not None else None

        return _backend(self.account_id, self.region_name).register_task_definition(
            family=self.name,
            container_definitions=camel(p.get("ContainerDefinitions", [])),
            volumes=camel(p.get("Volumes")),
            network_mode=p.get("NetworkMode"),
            tags=[{"key": t["Key"], "value": t["Value"]} for t in p.get("Tags") or []],
            placement_constraints=camel(p.get("PlacementConstraints")),
            requires_compatibilities=p.get("RequiresCompatibilities"),
            cpu=str(p["Cpu"]) if p.get("Cpu") is not None else None,
            memory=str(p["Memory"]) if p.get("Memory") is not None else None,
            task_role_arn=p.get("TaskRoleArn"),
            execution_role_arn=p.get("ExecutionRoleArn"),
            proxy_configuration=camel(p.get("ProxyConfiguration")),
            runtime_platform=camel(p.get("RuntimePlatform")),
            ipc_mode=p.get("IpcMode"),
            pid_mode=p.get("PidMode"),
            ephemeral_storage=camel(p.get("EphemeralStorage")),
        )

    @classmethod
    def physical_name(cls, resource_name: str) -> str:
        # CloudFormation's generated family: letters, digits, '-' and '_' (at most 255).
        return "".join(c if c.isalnum() or c in "-_" else "-" for c in resource_name)[:255]

    @property
    def ref(self) -> str:
        return self.task_definition.arn

    def attributes(self) -> dict[str, Any]:
        return {"TaskDefinitionArn": self.task_definition.arn}
