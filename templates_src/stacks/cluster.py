"""Cluster stack: the ECS cluster, its capacity providers and default strategy, ECS Exec logging."""
from __future__ import annotations

from troposphere import GetAtt, Ref
from troposphere import ecs, logs

from ..config.system import System
from ..graph import StackContext


def build(cfg: System, ctx: StackContext) -> None:
    c = cfg.cluster
    t = ctx.template
    props: dict = {
        "ClusterSettings": [ecs.ClusterSetting(Name="containerInsights", Value=c.container_insights)],
    }
    if c.exec_logging.enabled:
        exec_logs = t.add_resource(logs.LogGroup("ExecLogGroup", RetentionInDays=c.exec_logging.retention_days))
        props["Configuration"] = ecs.ClusterConfiguration(
            ExecuteCommandConfiguration=ecs.ExecuteCommandConfiguration(
                Logging="OVERRIDE",
                LogConfiguration=ecs.ExecuteCommandLogConfiguration(CloudWatchLogGroupName=Ref(exec_logs)),
            )
        )
    cluster = t.add_resource(ecs.Cluster("Cluster", **props))
    t.add_resource(ecs.ClusterCapacityProviderAssociations(
        "ClusterCapacityProviders",
        Cluster=Ref(cluster),
        CapacityProviders=["FARGATE", "FARGATE_SPOT"],
        DefaultCapacityProviderStrategy=[
            ecs.CapacityProviderStrategy(CapacityProvider=s.provider, Weight=s.weight, Base=s.base)
            for s in c.capacity
        ],
    ))
    ctx.output("ClusterName", Ref(cluster), description="ECS cluster name")
    ctx.export("ClusterArn", GetAtt(cluster, "Arn"), description="ECS cluster ARN")
