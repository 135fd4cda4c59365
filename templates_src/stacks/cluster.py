"""Cluster stack: the ECS cluster, its capacity providers and default strategy, ECS Exec logging."""

from __future__ import annotations

from troposphere import GetAtt, Ref, ecs

from ..config.system import System
from ..graph import StackContext
from ..parts.logs import log_group, logs_key

EXEC_LOG_GROUP_ARN = "ExecLogGroupArn"


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
