"""Sidecars as data: what each adds to a task (container, role statements, app environment).

The service builder treats every sidecar the same way; only the `Sidecar` each function returns
differs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awacs import logs as awslogs
from awacs import ssm, xray
from awacs.aws import Statement
from troposphere import GetAtt, Ref, Sub, Template
from troposphere import ssm as cfn_ssm

from ..config.services import ContainerBase, OtelCollector, Service, XrayDaemon
from ..naming import pascal
from .containers import image_ref
from .iam import allow
from .logs import log_group

# What a process needs to send traces to X-Ray, directly or through a collector.
XRAY_WRITE = [
    xray.PutTraceSegments,
    xray.PutTelemetryRecords,
    xray.GetSamplingRules,
    xray.GetSamplingTargets,
    xray.GetSamplingStatisticSummaries,
]


@dataclass
class Sidecar:
    name: str  # container name, which `depends_on` refers to
    spec: ContainerBase
    image: str
    environment: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, Any] = field(default_factory=dict)  # env var -> valueFrom
    task_statements: list[Statement] = field(default_factory=list)
    execution_statements: list[Statement] = field(default_factory=list)
    app_environment: dict[str, Any] = field(default_factory=dict)  # added to the app containers


def sidecars(t: Template, svc_name: str, svc: Service, *, system: str, env: str, log_key: Any = None) -> list[Sidecar]:
    """`log_key`: the KMS key ARN of the system's log groups (observability.key), or None."""
    out = []
    if svc.sidecars.otel is not None:
        out.append(otel(t, svc_name, svc.sidecars.otel, system=system, env=env, log_key=log_key))
    if svc.sidecars.xray is not None:
        out.append(xray_daemon(svc.sidecars.xray))
    return out


# OTLP in; traces to X-Ray, metrics as EMF to the service's metrics log group.
DEFAULT_OTEL_CONFIG = """\
extensions:
  health_check:
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
        endpoint: 0.0.0.0:4318
processors:
  batch/traces:
    timeout: 1s
    send_batch_size: 50
  batch/metrics:
    timeout: 60s
exporters:
  awsxray:
  awsemf:
    namespace: ${Namespace}
    log_group_name: ${MetricsLogGroup}
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch/traces]
      exporters: [awsxray]
    metrics:
      receivers: [otlp]
      processors: [batch/metrics]
      exporters: [awsemf]
  extensions: [health_check]
"""


def otel(t: Template, svc_name: str, spec: OtelCollector, *, system: str, env: str, log_key: Any = None) -> Sidecar:
    owner = pascal(svc_name)
    statements = [allow(XRAY_WRITE, ["*"])]
    if spec.config is None:
        metrics = log_group(t, f"{owner}OtelMetricsLogGroup", 30, log_key)
        value: Any = Sub(
            DEFAULT_OTEL_CONFIG.replace("${Namespace}", f"{system}/{env}/{svc_name}"), MetricsLogGroup=Ref(metrics)
        )
        statements.append(
            allow([awslogs.CreateLogStream, awslogs.PutLogEvents, awslogs.DescribeLogStreams], [GetAtt(metrics, "Arn")])
        )
    else:  # the operator's config; extra permissions it needs go in services.<name>.iam.task
        value = spec.config
    param = t.add_resource(
        cfn_ssm.Parameter(
            f"{owner}OtelConfig",
            Name=f"/{system}/{env}/{svc_name}/otel-config",
            Type="String",
            Tier="Advanced" if len(spec.config or DEFAULT_OTEL_CONFIG) > 4000 else "Standard",
            Description=f"OpenTelemetry collector config of {svc_name}",
            Value=value,
        )
    )
    arn = Sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${Name}", Name=Ref(param))
    return Sidecar(
        name="otel",
        spec=spec,
        image=image_ref(spec.image, spec.tag),
        secrets={"AOT_CONFIG_CONTENT": arn},
        task_statements=statements,
        execution_statements=[allow([ssm.GetParameters], [arn])],
        app_environment={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"},
    )


def xray_daemon(spec: XrayDaemon) -> Sidecar:
    return Sidecar(
        name="xray",
        spec=spec,
        image=image_ref(spec.image, spec.tag),
        task_statements=[allow(XRAY_WRITE, ["*"])],
        app_environment={"AWS_XRAY_DAEMON_ADDRESS": "localhost:2000"},
    )
