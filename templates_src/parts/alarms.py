"""CloudWatch alarms to the system's alarm topic: one shape, each alarm a row of data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Template, cloudwatch


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    dimensions: dict[str, Any]
    statistic: str = "Average"


@dataclass(frozen=True)
class AlarmSpec:
    suffix: str  # logical ID part: <Service><suffix>Alarm
    description: str
    metric: Metric
    threshold: float
    comparison: str = "GreaterThanThreshold"
    period: int = 60
    evaluation_periods: int = 3


def metric_alarm(t: Template, owner: str, spec: AlarmSpec, topic: Any) -> cloudwatch.Alarm:
    m = spec.metric
    return t.add_resource(
        cloudwatch.Alarm(
            f"{owner}{spec.suffix}Alarm",
            AlarmDescription=spec.description,
            Namespace=m.namespace,
            MetricName=m.name,
            Dimensions=[cloudwatch.MetricDimension(Name=k, Value=v) for k, v in m.dimensions.items()],
            Statistic=m.statistic,
            Period=spec.period,
            EvaluationPeriods=spec.evaluation_periods,
            Threshold=spec.threshold,
            ComparisonOperator=spec.comparison,
            TreatMissingData="notBreaching",
            AlarmActions=[topic],
            OKActions=[topic],
        )
    )


def below_desired_alarm(t: Template, owner: str, dimensions: dict[str, Any], topic: Any) -> cloudwatch.Alarm:
    """Running < desired for 5 minutes: a deployment or the tasks themselves are failing. A metric-math
    difference, since CloudWatch cannot compare two metrics directly."""

    def query(qid: str, name: str) -> cloudwatch.MetricDataQuery:
        return cloudwatch.MetricDataQuery(
            Id=qid,
            ReturnData=False,
            MetricStat=cloudwatch.MetricStat(
                Metric=cloudwatch.Metric(
                    Namespace="ECS/ContainerInsights",
                    MetricName=name,
                    Dimensions=[cloudwatch.MetricDimension(Name=k, Value=v) for k, v in dimensions.items()],
                ),
                Period=60,
                Stat="Average",
            ),
        )

    return t.add_resource(
        cloudwatch.Alarm(
            f"{owner}RunningTasksAlarm",
            AlarmDescription="fewer tasks running than desired",
            Metrics=[
                query("desired", "DesiredTaskCount"),
                query("running", "RunningTaskCount"),
                cloudwatch.MetricDataQuery(
                    Id="missing", Expression="desired - running", Label="tasks missing", ReturnData=True
                ),
            ],
            EvaluationPeriods=5,
            Threshold=0,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
            AlarmActions=[topic],
            OKActions=[topic],
        )
    )
