"""AWS::ApplicationAutoScaling::ScalableTarget and ::ScalingPolicy, in moto's Application Auto Scaling
backend (which checks that an ECS service target exists in moto's ECS, as AWS does).

Reference: ScalableTarget -- Ref is `<ResourceId>|<ScalableDimension>|<ServiceNamespace>`, GetAtt Id
the same. ScalingPolicy -- Ref and GetAtt Arn are the policy ARN; `ScalingTargetId` names the target
by that Ref (or ResourceId/ScalableDimension/ServiceNamespace are given directly).
"""

from __future__ import annotations

from typing import Any

from .base import Provider


def _backend(account_id: str, region_name: str) -> Any:
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    return applicationautoscaling_backends[account_id][region_name]


class ScalableTarget(Provider):
    TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"
    REPLACE_ON = frozenset({"ResourceId", "ScalableDimension", "ServiceNamespace"})
    ATTRIBUTES = frozenset({"Id"})

    def create(self) -> None:
        p = self.properties
        suspended = p.get("SuspendedState")
        _backend(self.account_id, self.region_name).register_scalable_target(
            p["ServiceNamespace"],
            p["ResourceId"],
            p["ScalableDimension"],
            int(p["MinCapacity"]),
            int(p["MaxCapacity"]),
            p.get("RoleARN"),
            suspended,
        )

    def update(self, old: dict[str, Any]) -> None:
        self.create()  # RegisterScalableTarget on an existing target updates it

    def remove(self) -> None:
        p = self.properties
        _backend(self.account_id, self.region_name).deregister_scalable_target(
            p["ServiceNamespace"], p["ResourceId"], p["ScalableDimension"]
        )

    @property
    def ref(self) -> str:
        p = self.properties
        return f"{p['ResourceId']}|{p['ScalableDimension']}|{p['ServiceNamespace']}"

    def attributes(self) -> dict[str, Any]:
        return {"Id": self.ref}


class ScalingPolicy(Provider):
    TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"
    NAME_PROPERTY = "PolicyName"
    REPLACE_ON = frozenset({"PolicyName", "ScalingTargetId", "ResourceId", "ScalableDimension", "ServiceNamespace"})
    ATTRIBUTES = frozenset({"Arn"})

    def _target(self) -> tuple[str, str, str]:
        p = self.properties
        if p.get("ScalingTargetId"):
            resource_id, dimension, namespace = p["ScalingTargetId"].split("|")
            return namespace, resource_id, dimension
        return p["ServiceNamespace"], p["ResourceId"], p["ScalableDimension"]

    def create(self) -> None:
        namespace, resource_id, dimension = self._target()
        p = self.properties
        body = p.get("TargetTrackingScalingPolicyConfiguration") or p.get("StepScalingPolicyConfiguration") or {}
        self.policy = _backend(self.account_id, self.region_name).put_scaling_policy(
            self.name, namespace, resource_id, dimension, body, p.get("PolicyType")
        )

    def update(self, old: dict[str, Any]) -> None:
        self.create()  # PutScalingPolicy on an existing policy replaces its configuration

    def remove(self) -> None:
        namespace, resource_id, dimension = self._target()
        _backend(self.account_id, self.region_name).delete_scaling_policy(self.name, namespace, resource_id, dimension)

    @property
    def ref(self) -> str:
        return self.policy.policy_arn

    def attributes(self) -> dict[str, Any]:
        return {"Arn": self.policy.policy_arn}
