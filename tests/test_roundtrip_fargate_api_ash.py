"""Round-trips of fargate-api (prod) and ash (prod, into an existing VPC) on the local endpoint.

What they prove: deploy from nothing through the real CLI, a no-op second deploy, an image-tag-only change
read back from the new task definition in ECS, and the refusal to destroy a `protect: true` env (the root
keeps termination protection: DeleteStack itself is refused). fargate-api: its ECR repository takes the
image put through the ECR API, its operator secret (DATABASE_URL) is created empty -- no AWSCURRENT version
-- until a value is put, its certificate is ISSUED in the hosted zone, alarms and scaling exist in their
services' APIs. ash: `network.mode: existing` into a VPC and subnets created first through the EC2 API; the
List<Subnet::Id> root parameter reaches its nested stacks joined into a string (CloudFormation, and the
emulator, refuse a list there) and the load balancer sits in exactly those subnets.
What they cannot: nothing runs (no task pulls the image, no request reaches the load balancer).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .first_deploy import empty_secrets
from .roundtrip import client, destroy_or_refuse, full_roundtrip, protected

pytestmark = pytest.mark.emulator


def build_dir() -> Path:
    return Path(os.environ["STACKC_BUILD_DIR"])


def test_fargate_api_prod(aws_env):
    url = aws_env.url
    deployed = full_roundtrip(url, "fargate-api", "prod", build_dir())
    ecr = client(url, "ecr")
    [repository] = ecr.describe_repositories()["repositories"]
    images = ecr.list_images(repositoryName=repository["repositoryName"])["imageIds"]
    assert {"1.0.0", "1.0.0-rt2"} <= {i.get("imageTag") for i in images}  # both tags put (tests/first_deploy.py)
    sm = client(url, "secretsmanager")
    assert not empty_secrets(url, "us-east-1")  # every operator secret got a value after the first deploy
    assert any(
        "DATABASE_URL" in (s.get("Description") or "") or "database" in s["Name"].lower()
        for s in sm.list_secrets()["SecretList"]
    )
    acm = client(url, "acm")
    [summary] = acm.list_certificates()["CertificateSummaryList"]
    assert acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]["Status"] == "ISSUED"
    alarms = client(url, "cloudwatch").describe_alarms()["MetricAlarms"]
    assert {a.get("Namespace") for a in alarms} >= {"AWS/ECS", "AWS/ApplicationELB"}
    assert client(url, "application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    destroy_or_refuse(url, deployed, protected("fargate-api", "prod"))
    cfn = client(url, "cloudformation")
    with pytest.raises(cfn.exceptions.ClientError, match="TerminationProtection is enabled"):
        cfn.delete_stack(StackName="fargate-api-prod")


def test_ash_prod_into_an_existing_vpc(aws_env):
    url = aws_env.url
    ec2 = client(url, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    deployed = full_roundtrip(url, "ash", "prod", build_dir(), [f"VpcId={vpc}", f"PublicSubnetIds={','.join(subnets)}"])
    [balancer] = client(url, "elbv2").describe_load_balancers()["LoadBalancers"]
    assert balancer["VpcId"] == vpc
    assert sorted(z["SubnetId"] for z in balancer["AvailabilityZones"]) == sorted(subnets)
    destroy_or_refuse(url, deployed, protected("ash", "prod"))
