"""E9113: in prod, an internet-facing ALB has a web ACL; internal ones and NLBs are not held to it."""

from __future__ import annotations

import pytest

from .helpers import lint_rule


def lb(scheme: str = "internet-facing", kind: str = "application") -> dict:
    return {
        "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Properties": {"Type": kind, "Scheme": scheme, "Subnets": ["subnet-1", "subnet-2"]},
    }


ASSOCIATION = {
    "Type": "AWS::WAFv2::WebACLAssociation",
    "Properties": {
        "ResourceArn": {"Ref": "Lb"},
        "WebACLArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/a/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
    },
}


@pytest.mark.parametrize(
    "resources, prod, found",
    [
        ({"Lb": lb(), "Waf": ASSOCIATION}, True, []),
        ({"Lb": lb()}, True, ["Resources/Lb"]),
        ({"Lb": lb()}, False, []),
        ({"Lb": lb("internal")}, True, []),
        ({"Lb": lb(kind="network")}, True, []),
    ],
)
def test_web_acl(tmp_path, resources, prod, found):
    assert lint_rule(tmp_path, "E9113", resources, prod=prod) == found
