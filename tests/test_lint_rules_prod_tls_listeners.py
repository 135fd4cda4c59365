"""E9110 (ELB.1): in prod, listeners are HTTPS/TLS; HTTP only redirects; internal ALBs are exempt."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

CERT = [{"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}]
FORWARD = [{"Type": "forward", "TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1"}]
REDIRECT = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]


def lb(scheme: str) -> dict:
    return {
        "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Properties": {"Scheme": scheme, "Subnets": ["subnet-1", "subnet-2"]},
    }


def listener(protocol: str, actions: list, port: int, **props) -> dict:
    return {
        "Type": "AWS::ElasticLoadBalancingV2::Listener",
        "Properties": {
            "LoadBalancerArn": {"Ref": "Lb"},
            "Protocol": protocol,
            "Port": port,
            "DefaultActions": actions,
            **props,
        },
    }


PLAIN = ["Resources/L/Properties/Protocol"]


@pytest.mark.parametrize(
    "scheme, resource, prod, found",
    [
        ("internet-facing", listener("HTTPS", FORWARD, 443, Certificates=CERT), True, []),
        ("internet-facing", listener("TLS", FORWARD, 4100, Certificates=CERT), True, []),
        ("internet-facing", listener("HTTP", REDIRECT, 80), True, []),
        ("internet-facing", listener("HTTP", FORWARD, 80), True, PLAIN),
        ("internet-facing", listener("TCP", FORWARD, 4100), True, PLAIN),
        ("internal", listener("HTTP", FORWARD, 80), True, []),
        ("internet-facing", listener("HTTP", FORWARD, 80), False, []),
    ],
)
def test_prod_tls_listeners(tmp_path, scheme, resource, prod, found):
    assert lint_rule(tmp_path, "E9110", {"Lb": lb(scheme), "L": resource}, prod=prod) == found
