"""Resource providers: one module per AWS service, each creating its resources in moto's own
backend for that service (placeholders.py: the types moto has no API for). `register()` adds them
to moto's CloudFormation model map, where a provider also replaces a native model that loses
properties (AWS::RDS::DBInstance, AWS::ECS::TaskDefinition, AWS::RDS::DBParameterGroup)."""

from __future__ import annotations

from typing import Any

from . import (
    acm,
    applicationautoscaling,
    cloudfront,
    cloudwatch,
    ecr,
    ecs,
    ecs_service,
    elasticache,
    messaging,
    rds,
    scheduler,
    secretsmanager,
    security,
    timestream,
)
from .base import Provider

PROVIDERS: tuple[type[Provider], ...] = (
    acm.Certificate,
    applicationautoscaling.ScalableTarget,
    applicationautoscaling.ScalingPolicy,
    cloudfront.Distribution,
    cloudwatch.Alarm,
    ecr.ReplicationConfiguration,
    ecs.ClusterCapacityProviderAssociations,
    ecs.TaskDefinition,
    ecs_service.Service,
    elasticache.ReplicationGroup,
    elasticache.ServerlessCache,
    elasticache.SubnetGroup,
    elasticache.User,
    elasticache.UserGroup,
    messaging.QueuePolicy,
    messaging.Subscription,
    messaging.TopicPolicy,
    rds.DBCluster,
    rds.DBInstance,
    scheduler.Schedule,
    secretsmanager.Secret,
    secretsmanager.SecretTargetAttachment,
    secretsmanager.RotationSchedule,
    timestream.Database,
    security.BucketPolicy,
    security.WebACL,
    security.WebACLAssociation,
    security.DBParameterGroup,
    security.DBClusterParameterGroup,
)

BY_TYPE: dict[str, type[Provider]] = {provider.TYPE: provider for provider in PROVIDERS}

_REGISTERED = False


def register() -> None:
    """Make moto's CloudFormation use the providers for their types (idempotent)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from moto.cloudformation import parsing

    from ..patches import replace

    native_models, native_names = parsing.get_model_map, parsing.get_name_type_map

    def get_model_map() -> dict[str, Any]:
        return {**native_models(), **BY_TYPE}

    def get_name_type_map() -> dict[str, str]:
        return {**native_names(), **{t: p.NAME_PROPERTY for t, p in BY_TYPE.items()}}

    def resource_name_property_from_type(resource_type: str) -> str | None:
        return get_name_type_map().get(resource_type)

    # moto looks these up as module globals at call time.
    replace(parsing, "get_model_map", get_model_map)
    replace(parsing, "get_name_type_map", get_name_type_map)
    replace(parsing, "resource_name_property_from_type", resource_name_property_from_type)
    _REGISTERED = True
