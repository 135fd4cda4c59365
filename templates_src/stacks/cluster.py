"""Cluster stack: the ECS cluster, its capacity providers and default strategy, ECS Exec logging."""

from __future__ import annotations

from troposphere import AccountId, GetAtt, Ref, ecr, ecs

from ..config.system import System
from ..graph import StackContext
from ..naming import ecr_repository_name
from ..parts.logs import log_group, logs_key

EXEC_LOG_GROUP_ARN = "ExecLogGroupArn"
MAX_REPOSITORY_FILTERS = 100  # repository filters in one ECR replication rule


def build(cfg: System, ctx: StackContext) -> None:
    c = cfg.cluster
    t = ctx.template
    props: dict = {
        "ClusterSettings": [ecs.ClusterSetting(Name="containerInsights", Value=c.container_insights)],
    }
    if c.exec_logging.enabled:
        key = logs_key(cfg, ctx)
        exec_logs = log_group(t, "ExecLogGroup", c.exec_logging.retention_days, key)
        log_config: dict = {"CloudWatchLogGroupName": Ref(exec_logs)}
        if key is not None:  # the agent then refuses to log into an unencrypted group
            log_config["CloudWatchEncryptionEnabled"] = True
        session: dict = {}
        if cfg.prod and key is not None:  # prod: the session's data key too (E9109)
            session["KmsKeyId"] = key
        props["Configuration"] = ecs.ClusterConfiguration(
            ExecuteCommandConfiguration=ecs.ExecuteCommandConfiguration(
                Logging="OVERRIDE",
                LogConfiguration=ecs.ExecuteCommandLogConfiguration(**log_config),
                **session,
            )
        )
        # Services with `exec: true` write their sessions' logs here, and only here.
        ctx.export(EXEC_LOG_GROUP_ARN, GetAtt(exec_logs, "Arn"), description="ECS Exec log group ARN")
    if c.name is not None:
        props["ClusterName"] = c.name
    cluster = t.add_resource(ecs.Cluster("Cluster", **props))
    t.add_resource(
        ecs.ClusterCapacityProviderAssociations(
            "ClusterCapacityProviders",
            Cluster=Ref(cluster),
            CapacityProviders=["FARGATE", "FARGATE_SPOT"],
            DefaultCapacityProviderStrategy=[
                ecs.CapacityProviderStrategy(CapacityProvider=s.provider, Weight=s.weight, Base=s.base)
                for s in c.capacity
            ],
        )
    )
    ctx.output("ClusterName", Ref(cluster), description="ECS cluster name")
    ctx.export("ClusterArn", GetAtt(cluster, "Arn"), description="ECS cluster ARN")
    image_replication(cfg, ctx)


def image_replication(cfg: System, ctx: StackContext) -> ecr.ReplicationConfiguration | None:
    """`replication.images: stack`, in the primary region: the registry's replication configuration, one
    rule copying each of the system's repositories (by its exact name as a prefix) to the other regions of
    this account. One per registry: it REPLACES the registry's configuration (preflight refuses to deploy
    over rules it does not own; the review says so). One rule, because a registry may hold 10 and another
    system's stack cannot add its own beside it anyway."""
    regions = cfg.image_replica_regions()
    names = [ecr_repository_name(ctx.system, ctx.env, n) for n, svc in sorted(cfg.services.items()) if svc.ecr]
    if not regions or not names:
        return None
    if len(names) > MAX_REPOSITORY_FILTERS:  # ECR's limit per rule: their common start covers them all
        names = [_common_start(names)]
    return ctx.template.add_resource(
        ecr.ReplicationConfiguration(
            "ImageReplication",
            ReplicationConfiguration=ecr.ReplicationConfigurationProperty(
                Rules=[
                    ecr.ReplicationRule(
                        Destinations=[ecr.ReplicationDestination(Region=r, RegistryId=AccountId) for r in regions],
                        RepositoryFilters=[ecr.RepositoryFilter(Filter=n, FilterType="PREFIX_MATCH") for n in names],
                    )
                ]
            ),
        )
    )


def _common_start(names: list[str]) -> str:
    """The longest text every name starts with (character by character, not path components)."""
    first, last = min(names), max(names)
    n = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), min(len(first), len(last)))
    return first[:n]
