"""Round-trips of vmx-ai (dev, prod) on the local endpoint (tests/roundtrip.py).

What they prove, per env: deploy from nothing through the real CLI, a no-op second deploy, an image-tag-only
change read back from the new task definition in ECS, then destroy (dev) or the refusal of `protect: true`
(prod); and, read back through each service's own API in moto: the Aurora cluster with its writer instance
inside it (RDS), its generated master secret carrying the cluster endpoint (Secrets Manager, via the
SecretTargetAttachment), the Timestream database, the OpenTelemetry config parameter (SSM); in prod the
alarms (CloudWatch), scalable targets and policies (Application Auto Scaling) and both certificates ISSUED.
What they cannot: the serverless Valkey cache is a PLACEHOLDER (moto has no serverless-cache API): only its
wiring is proven -- the data stack deploys and the API tasks get an endpoint shaped as ElastiCache's; nothing
runs (no task, no database, no cache).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from templates_src.emulator.providers import placeholders

from .roundtrip import client, destroy_or_refuse, full_roundtrip, protected

pytestmark = pytest.mark.emulator


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vmx_ai(aws_env, env):
    deployed = full_roundtrip(aws_env.url, "vmx-ai", env, Path(os.environ["STACKC_BUILD_DIR"]))
    url = aws_env.url
    rds, sm = client(url, "rds"), client(url, "secretsmanager")
    [cluster] = rds.describe_db_clusters()["DBClusters"]
    assert cluster["Engine"] == "aurora-postgresql" and cluster["DatabaseName"] == "vmxai"
    members = {m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]}
    assert members and members <= {i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]}
    documents = []
    for secret in sm.list_secrets()["SecretList"]:
        text = sm.get_secret_value(SecretId=secret["ARN"])["SecretString"]
        if text.startswith("{"):
            documents.append(json.loads(text))
    attached = [d for d in documents if d.get("dbClusterIdentifier") == cluster["DBClusterIdentifier"]]
    assert attached and attached[0]["host"] == cluster["Endpoint"] and attached[0]["username"]
    [database] = client(url, "timestream-write").list_databases()["Databases"]
    assert database["Arn"].endswith(f"/{database['DatabaseName']}")
    # The placeholder: recorded, so the wiring deployed -- but no API can show it.
    caches = [k for k in placeholders.RECORDS if k[2] == "AWS::ElastiCache::ServerlessCache"]
    assert [k[3] for k in caches] == [f"vmx-ai-{env}-cache"]
    # The cache endpoint reached the API's task definition as environment.
    ecs = client(url, "ecs")
    images_env = []
    for cluster_arn in ecs.list_clusters()["clusterArns"]:
        for arn in ecs.list_services(cluster=cluster_arn)["serviceArns"]:
            service = ecs.describe_services(cluster=cluster_arn, services=[arn])["services"][0]
            task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
            images_env += [e["value"] for c in task["containerDefinitions"] for e in c.get("environment", [])]
    assert any(v.startswith(f"vmx-ai-{env}-cache-") and ".serverless." in v for v in images_env), images_env
    if env == "prod":
        acm = client(url, "acm")
        statuses = [
            acm.describe_certificate(CertificateArn=c["CertificateArn"])["Certificate"]["Status"]
            for c in acm.list_certificates()["CertificateSummaryList"]
        ]
        assert statuses and set(statuses) == {"ISSUED"}
        assert client(url, "cloudwatch").describe_alarms()["MetricAlarms"]
        scaling = client(url, "application-autoscaling")
        targets = scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
        policies = scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
        assert len(targets) == 2 and policies
        assert {p["ResourceId"] for p in policies} <= {t["ResourceId"] for t in targets}
    destroy_or_refuse(url, deployed, protected("vmx-ai", env))
