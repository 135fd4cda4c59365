"""E9100 (ELB.5): prod ALBs log access; NLBs and dev are not held to it."""

from __future__ import annotations

import pytest

from .helpers import lint_rule


def lb(kind: str = "application", logs: bool = False) -> dict:
    attrs = [{"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": "b"}]
    return {
        "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Properties": {
            "Type": kind,
            "Subnets": ["subnet-1", "subnet-2"],
            "LoadBalancerAttributes": attrs if logs else [],
        },
    }


@pytest.mark.parametrize(
    "resource, prod, found",
    [
        (lb(logs=True), True, []),
        (lb(), True, ["Resources/Lb/Properties/LoadBalancerAttributes"]),
        (lb(), False, []),  # dev
        (lb("network"), True, []),  # an NLB logs TLS listeners only: not this control
    ],
)
def test_lb_access_logs(tmp_path, resource, prod, found):
    assert lint_rule(tmp_path, "E9100", {"Lb": resource}, prod=prod) == found
