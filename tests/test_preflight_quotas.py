"""Preflight's quotas and `plan --format json`'s preflight findings, on the local endpoint (moto's server on
127.0.0.1, real boto3 over HTTP).

What it proves: on a first create, NAT gateways per Availability Zone are read from Service Quotas (moto
answers the vpc quotas) and counted per zone from the account's live NAT gateways (DescribeNatGateways +
DescribeSubnets), so a zone already at its quota blocks the deploy (exit 1, nothing created) with the
request-increase command; a quota Service Quotas cannot answer (moto has none for elasticloadbalancing) is
checked against AWS's default and a note says so; `plan --format json` carries every finding under
`preflight` (check, subject, status, message, commands). What it cannot: real account quotas.
"""

from __future__ import annotations

import json

import boto3
import pytest

from .helpers import invoke, write_params

pytestmark = pytest.mark.emulator

SELECT = ("-s", "quotas", "-e", "dev")


def system(nat: str) -> dict:
    return {
        "regions": ["us-east-1"],
        "network": {"cidr": "10.33.0.0/16", "azs": 2, "nat": nat, "flow_logs": {"enabled": False}},
        "cluster": {"container_insights": "disabled"},
        "services": {
            "api": {
                "desired_count": 1,
                "ecr": {"keep_images": 5},
                "containers": {"api": {"tag": "1.0.0", "ports": [{"port": 8080}]}},
            }
        },
        "load_balancers": {"web": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]}},
    }


@pytest.fixture
def params(aws_env, tmp_path, monkeypatch):
    root = tmp_path / "params"
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(root))
    return root


def test_a_zone_at_its_nat_gateway_quota_blocks_the_first_create(aws_env, params):
    write_params(params, "quotas", system("per-az"), {"dev": {}})
    ec2 = boto3.client("ec2", endpoint_url=aws_env.url, region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.99.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    for _ in range(5):  # private NAT gateways need no Elastic IP: only the per-zone quota is reached
        ec2.create_nat_gateway(SubnetId=subnet, ConnectivityType="private")

    result = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert result.exit_code == 1, result.output
    assert "nothing was deployed" in result.output
    assert "NAT gateways in us-east-1a: the deploy needs 1, the account uses 5 of 5 in this zone" in result.output
    assert (
        "aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-FE5A380F --desired-value 6"
        in result.output
    )
    assert "us-east-1b" not in result.output  # the other zone it uses has room
    cfn = boto3.client("cloudformation", endpoint_url=aws_env.url, region_name="us-east-1")
    assert not [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]


def test_plan_json_lists_the_preflight_findings(aws_env, params):
    write_params(params, "quotas", system("none"), {"dev": {}})
    result = invoke(aws_env, "plan", *SELECT, "--format", "json", "--cleanup")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["preflight"]
    by_check = {f["check"]: f for f in findings}
    image = by_check["image"]
    assert image["status"] == "missing"
    assert image["subject"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/quotas-dev-api:1.0.0"
    assert image["service"] == "service-api/ApiService"
    assert image["commands"][-1] == "docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/quotas-dev-api:1.0.0"
    quota = by_check["quota"]  # moto's Service Quotas has no elasticloadbalancing quotas
    assert (quota["status"], quota["subject"]) == ("note", "Application Load Balancers per Region")
    assert "checked against AWS's default, 50" in quota["message"]
    assert [f["status"] for f in findings] == sorted(
        (f["status"] for f in findings), key=["blocked", "missing", "note"].index
    )
    assert set(image) == {"check", "subject", "status", "message", "service", "commands"}
