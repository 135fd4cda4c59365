"""A small two-region system with Route 53 failover, written by the test, and helpers to drive the CLI
against the local endpoint (moto's server keeps regions apart). Shared by the multi-region deploy tests."""

from __future__ import annotations

import boto3
import pytest
from click.testing import CliRunner

from cli import cli

from .helpers import write_params

ZONE = "example.test"
DOMAIN = f"api.{ZONE}"
REGIONS = ("us-east-1", "us-west-2")

SYSTEM = {
    "regions": list(REGIONS),
    "network": {"azs": 2, "nat": "none"},
    "cluster": {"container_insights": "disabled"},
    "services": {
        "api": {
            "public_ip": True,
            "desired_count": 2,
            "containers": {"app": {"image": "public.ecr.aws/nginx/nginx", "tag": "1.27", "ports": [{"port": 80}]}},
        },
    },
    "load_balancers": {"web": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]}},
    "failover": {
        "domain": DOMAIN,
        "hosted_zone_name": ZONE,
        "primary": "us-east-1",
        "health_check": {"protocol": "HTTP", "port": 80, "path": "/"},
        "secondary": "pilot-light",
    },
    "region_overrides": {"us-west-2": {"network": {"cidr": "10.1.0.0/16"}}},
}


@pytest.fixture
def system(tmp_path, monkeypatch, aws_env):
    params = tmp_path / "params"
    write_params(params, "shop", SYSTEM, {"dev": {}})
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(params))
    r53 = boto3.client("route53", endpoint_url=aws_env.url, region_name="us-east-1")
    zone_id = r53.create_hosted_zone(Name=ZONE, CallerReference="test")["HostedZone"]["Id"].split("/")[-1]
    return {"params": params, "zone_id": zone_id, "r53": r53}


def run(aws_env, *args, ok=True, input=None):
    """The command in-process; with `input`, at a terminal (a subprocess) that answers its question."""
    if input is not None:
        from .terminal import answer

        result = answer(aws_env, list(args), input)
    else:
        result = CliRunner().invoke(cli, [*args, "--endpoint-url", aws_env.url])
    assert "Traceback" not in result.output, result.output
    if ok:
        assert result.exit_code == 0, result.output
    return result


def cfn(aws_env, region):
    return boto3.client("cloudformation", endpoint_url=aws_env.url, region_name=region)


def live(aws_env, region) -> dict[str, dict]:
    return {
        s["StackName"]: s
        for s in cfn(aws_env, region).describe_stacks()["Stacks"]
        if s["StackStatus"] not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")
    }


def outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def failover_records(system) -> dict[str, dict]:
    rrs = system["r53"].list_resource_record_sets(HostedZoneId=system["zone_id"])["ResourceRecordSets"]
    return {r["SetIdentifier"]: r for r in rrs if r.get("Failover")}
