"""Round-trips of demo (dev, prod) and realworld (dev, prod) on the local endpoint (tests/roundtrip.py).

What they prove, per env: deploy from nothing through the real CLI, a second deploy with no change, an
image-tag-only change read back from the service's new task definition in ECS, then destroy (dev) or
the refusal of a `protect: true` env (prod). realworld's database is an RDS instance (moto's RDS API:
DescribeDBInstances) whose generated secret gains host/port from its SecretTargetAttachment; its prod
certificate is ISSUED after its validation record is written in the hosted zone (ListResourceRecordSets).
What they cannot: nothing runs -- no task starts, no database accepts a connection, no DNS answers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .roundtrip import client, destroy_or_refuse, full_roundtrip, protected

pytestmark = pytest.mark.emulator


def build_dir() -> Path:
    return Path(os.environ["STACKC_BUILD_DIR"])


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_demo(aws_env, env):
    deployed = full_roundtrip(aws_env.url, "demo", env, build_dir())
    ecs = client(aws_env.url, "ecs")
    cluster = ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"][0]
    # ClusterCapacityProviderAssociations (provider backed by moto's ECS API).
    assert set(cluster["capacityProviders"]) >= {"FARGATE"}
    assert cluster["defaultCapacityProviderStrategy"]
    destroy_or_refuse(aws_env.url, deployed, protected("demo", env))


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_realworld(aws_env, env):
    deployed = full_roundtrip(aws_env.url, "realworld", env, build_dir())
    rds, sm = client(aws_env.url, "rds"), client(aws_env.url, "secretsmanager")
    [db] = rds.describe_db_instances()["DBInstances"]
    assert db["Engine"] == "postgres" and db["DBName"] == "realworld"
    assert db["IAMDatabaseAuthenticationEnabled"] is True
    # The generated master secret (GenerateSecretString) now carries the instance's host and port, and
    # the instance's master password is the secret's (a dynamic reference resolved at create).
    secrets = [sm.get_secret_value(SecretId=s["ARN"])["SecretString"] for s in sm.list_secrets()["SecretList"]]
    attached = [json.loads(s) for s in secrets if s.startswith("{") and "host" in json.loads(s)]
    assert attached and attached[0]["host"] == db["Endpoint"]["Address"]
    assert attached[0]["port"] == db["Endpoint"]["Port"] and len(attached[0]["password"]) == 32
    # Prod rotates the generated credentials (the app reads the secret itself: credentials: app). The
    # emulator registers the schedule on the secret; AWS's hosted rotation function does not run here.
    [db_secret] = [s for s in sm.list_secrets()["SecretList"] if "DbSecret" in s["Name"]]
    described = sm.describe_secret(SecretId=db_secret["ARN"])
    if env == "prod":
        assert described["RotationEnabled"] is True
        assert described["RotationRules"]["AutomaticallyAfterDays"] == 30
    else:
        assert not described.get("RotationEnabled")
    if env == "prod":
        acm, route53 = client(aws_env.url, "acm"), client(aws_env.url, "route53")
        [summary] = acm.list_certificates()["CertificateSummaryList"]
        certificate = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
        assert certificate["Status"] == "ISSUED"
        validation = certificate["DomainValidationOptions"][0]["ResourceRecord"]["Name"]
        zone = route53.list_hosted_zones()["HostedZones"][0]["Id"]
        names = {r["Name"] for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]}
        assert validation in names
        listeners = client(aws_env.url, "elbv2").describe_listeners(
            LoadBalancerArn=client(aws_env.url, "elbv2").describe_load_balancers()["LoadBalancers"][0][
                "LoadBalancerArn"
            ]
        )["Listeners"]
        assert any(
            c["CertificateArn"] == summary["CertificateArn"] for li in listeners for c in li.get("Certificates", [])
        )
        alarms = client(aws_env.url, "cloudwatch").describe_alarms()["MetricAlarms"]
        assert alarms and all(d["Value"] for a in alarms for d in a["Dimensions"])
        targets = client(aws_env.url, "application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")
        assert targets["ScalableTargets"][0]["MinCapacity"] == 2
    destroy_or_refuse(aws_env.url, deployed, protected("realworld", env))
