"""Observability stack: the system's SNS alarm topic (service alarms publish to it) and an optional
CloudWatch dashboard.

The dashboard uses SEARCH expressions keyed by cluster and load balancer, not by service: it then
needs nothing from the service stacks, which themselves need the topic from here (no cycle), and
it shows every service without being edited when one is added."""

from __future__ import annotations

import json
from typing import Any

from troposphere import Ref, Sub, cloudwatch, sns

from ..config.system import System
from ..graph import StackContext
from ..parts.lb_exports import full_name as full_name_export
from ..parts.logs import logs_key

NAME = "observability"
TOPIC_EXPORT = "AlarmTopicArn"


def needs_topic(cfg: System) -> bool:
    """A topic when someone is told or something alarms: a service's or a store's alarms."""
    return (
        bool(cfg.observability.alarm_emails)
        or any(s.alarms is not None for s in cfg.services.values())
        or any(getattr(store, "alarms", None) is not None for store in cfg.data.values())
    )


def build(cfg: System, ctx: StackContext) -> None:
    t = ctx.template
    existing = cfg.observability.alarm_topic_arn
    if existing is not None and needs_topic(cfg):
        # A topic someone else owns (an on-call integration's): a root parameter the alarms read, no resource.
        arn = ctx.tunable(
            TOPIC_EXPORT,
            default=existing,
            label="SNS topic the alarms publish to",
            group="Observability",
            AllowedPattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$",
        )
        ctx.export(TOPIC_EXPORT, arn, description="SNS topic the alarms publish to")
    elif needs_topic(cfg):
        emails = cfg.observability.alarm_emails
        props = {"Subscription": [sns.Subscription(Protocol="email", Endpoint=e) for e in emails]} if emails else {}
        key = logs_key(cfg, ctx)
        if key is not None:  # its key policy lets CloudWatch alarms publish (stacks/keys.py)
            props["KmsMasterKeyId"] = key
        # Marked as the alarm topic for lint rule W9120 (a subscriber): the alarms live in other stacks.
        topic = t.add_resource(sns.Topic("AlarmTopic", Metadata={"stackc": {"alarm_topic": True}}, **props))
        ctx.output(TOPIC_EXPORT, Ref(topic), description="SNS topic the alarms publish to (subscribe here)")
    if cfg.observability.dashboard and cfg.services:
        body, variables = _dashboard(cfg, ctx)
        t.add_resource(cloudwatch.Dashboard("Dashboard", DashboardBody=Sub(body, **variables)))


def _search(namespace: str, dims: str, metric: str, where: str, stat: str = "Average") -> list:
    return [
        {
            "expression": f"SEARCH('{{{namespace},{dims}}} MetricName=\"{metric}\" {where}', '{stat}', 60)",
            "id": metric.lower().replace("_", ""),
            "label": "",
        }
    ]


def _widget(title: str, metrics: list, y: int, x: int) -> dict:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": "${AWS::Region}",
            "view": "timeSeries",
            "stat": "Average",
            "period": 60,
            "metrics": metrics,
        },
    }


def _dashboard(cfg: System, ctx: StackContext) -> tuple[str, dict[str, Any]]:
    variables: dict[str, Any] = {"ClusterName": ctx.ref("cluster", "ClusterName")}
    cluster = 'ClusterName="${ClusterName}"'
    widgets = [
        _widget("Service CPU %", _search("AWS/ECS", "ClusterName,ServiceName", "CPUUtilization", cluster), 0, 0),
        _widget("Service memory %", _search("AWS/ECS", "ClusterName,ServiceName", "MemoryUtilization", cluster), 0, 12),
        _widget(
            "Running tasks",
            _search("ECS/ContainerInsights", "ClusterName,ServiceName", "RunningTaskCount", cluster),
            6,
            0,
        ),
    ]
    y = 12
    for name, lb in cfg.load_balancers.items():
        var = full_name_export(name)
        variables[var] = ctx.ref("loadbalancing", var)
        where = f'LoadBalancer="${{{var}}}"'
        if lb.type == "application":
            ns, rows = (
                "AWS/ApplicationELB",
                [
                    ("RequestCount", "Sum"),
                    ("HTTPCode_Target_5XX_Count", "Sum"),
                    ("TargetResponseTime", "Average"),
                    ("UnHealthyHostCount", "Maximum"),
                ],
            )
        else:
            ns, rows = (
                "AWS/NetworkELB",
                [
                    ("ActiveFlowCount", "Average"),
                    ("NewFlowCount", "Sum"),
                    ("ProcessedBytes", "Sum"),
                    ("UnHealthyHostCount", "Maximum"),
                ],
            )
        for i, (metric, stat) in enumerate(rows):
            dims = "LoadBalancer,TargetGroup" if metric == "UnHealthyHostCount" else "LoadBalancer"
            widgets.append(
                _widget(f"{name}: {metric}", _search(ns, dims, metric, where, stat), y + 6 * (i // 2), 12 * (i % 2))
            )
        y += 12
    body = json.dumps({"widgets": widgets}, sort_keys=True)
    return body, variables


def topic_ref(ctx: StackContext) -> Any:
    return ctx.ref(NAME, TOPIC_EXPORT)
