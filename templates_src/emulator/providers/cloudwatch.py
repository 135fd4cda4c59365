"""AWS::CloudWatch::Alarm, in moto's CloudWatch backend (DescribeAlarms shows it).

Reference: Ref is the alarm name (generated when AlarmName is absent); GetAtt Arn.
"""

from __future__ import annotations

from typing import Any

from .base import Provider


def _backend(account_id: str, region_name: str) -> Any:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account_id][region_name]


def _metric_queries(metrics: list[dict[str, Any]] | None) -> list[Any] | None:
    """The `Metrics` property as moto's PutMetricAlarm handler builds it from the API call."""
    if not metrics:
        return None
    from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat

    queries = []
    for metric in metrics:
        stat = metric.get("MetricStat")
        metric_stat = None
        if stat:
            inner = stat.get("Metric", {})
            metric_stat = MetricStat(
                metric=Metric(
                    metric_name=inner.get("MetricName"),
                    namespace=inner.get("Namespace"),
                    dimensions=[Dimension(name=d["Name"], value=d["Value"]) for d in inner.get("Dimensions", [])],
                ),
                period=stat.get("Period"),
                stat=stat.get("Stat"),
                unit=stat.get("Unit"),
            )
        query: Any = MetricDataQuery  # moto types every field as str; CloudFormation omits some
        queries.append(
            query(
                query_id=metric.get("Id"),
                label=metric.get("Label"),
                period=metric.get("Period"),
                return_data=metric.get("ReturnData"),
                expression=metric.get("Expression"),
                metric_stat=metric_stat,
            )
        )
    return queries


class Alarm(Provider):
    TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"
    REPLACE_ON = frozenset({"AlarmName"})
    ATTRIBUTES = frozenset({"Arn"})

    def create(self) -> None:
        p = self.properties
        self.alarm = _backend(self.account_id, self.region_name).put_metric_alarm(
            name=self.name,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=int(p["EvaluationPeriods"]),
            period=int(p["Period"]) if p.get("Period") is not None else None,
            threshold=float(p["Threshold"]) if p.get("Threshold") is not None else None,
            statistic=p.get("Statistic"),
            description=p.get("AlarmDescription"),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in p.get("Dimensions", [])],
            alarm_actions=list(p.get("AlarmActions", [])),
            metric_data_queries=_metric_queries(p.get("Metrics")),
            datapoints_to_alarm=p.get("DatapointsToAlarm"),
            extended_statistic=p.get("ExtendedStatistic"),
            ok_actions=list(p.get("OKActions", [])),
            insufficient_data_actions=list(p.get("InsufficientDataActions", [])),
            unit=p.get("Unit"),
            actions_enabled=p.get("ActionsEnabled", True) in (True, "true", "True"),
            treat_missing_data=p.get("TreatMissingData"),
            threshold_metric_id=p.get("ThresholdMetricId"),
        )

    def update(self, old: dict[str, Any]) -> None:
        self.create()  # PutMetricAlarm on an existing name replaces its definition

    def remove(self) -> None:
        _backend(self.account_id, self.region_name).delete_alarms([self.name])

    @property
    def ref(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        return {"Arn": self.alarm.alarm_arn}
