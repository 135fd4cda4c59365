"""E9010 on tiny templates that pass and fail."""

from __future__ import annotations

import json

import pytest

from templates_src.lint import lint_paths

LB = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": ["subnet-1", "subnet-2"]}}
TG = {
    "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "Properties": {"Port": 80, "Protocol": "HTTP", "VpcId": "vpc-1", "TargetType": "ip"},
}
FORWARD = [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]
REDIRECT = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]


def listener(protocol: str, actions: list, port: int = 80, **props) -> dict:
    return {
        "Type": "AWS::ElasticLoadBalancingV2::Listener",
        "Properties": {
            "LoadBalancerArn": {"Ref": "Lb"},
            "Port": port,
            "Protocol": protocol,
            "DefaultActions": actions,
            **props,
        },
    }


def https(policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06") -> dict:
    return listener(
        "HTTPS",
        FORWARD,
        443,
        SslPolicy=policy,
        Certificates=[{"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x"}],
    )


def lint(tmp_path, listeners: dict) -> list[str]:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Lb": LB, "Tg": TG, **listeners}})
    )
    return [f.rule for f in lint_paths([path]) if f.rule.startswith("E901")]


@pytest.mark.parametrize(
    "listeners, found",
    [
        ({"Https": https(), "Http": listener("HTTP", REDIRECT)}, []),
        ({"Https": https("ELBSecurityPolicy-TLS13-1-3-2021-06")}, []),
        ({"Https": https("ELBSecurityPolicy-2016-08")}, ["E9010"]),
        ({"Https": https(), "Http": listener("HTTP", FORWARD)}, ["E9010"]),
        ({"Http": listener("HTTP", FORWARD)}, []),  # HTTP alone (no certificate) is allowed
    ],
)
def test_tls_listeners(tmp_path, listeners, found):
    assert lint(tmp_path, listeners) == found
