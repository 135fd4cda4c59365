"""E9114: in prod, VPC endpoints admit only the account's principals."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

SCOPED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}},
        }
    ],
}
OPEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


def endpoint(policy: dict | None) -> dict:
    props: dict = {"VpcId": "vpc-1", "ServiceName": "com.amazonaws.us-east-1.s3", "VpcEndpointType": "Gateway"}
    if policy is not None:
        props["PolicyDocument"] = policy
    return {"Type": "AWS::EC2::VPCEndpoint", "Properties": props}


@pytest.mark.parametrize(
    "policy, prod, found",
    [
        (SCOPED, True, []),
        (None, True, ["Resources/E/Properties"]),  # the full-access default
        (OPEN, True, ["Resources/E/Properties"]),
        (None, False, []),
    ],
)
def test_endpoint_policies(tmp_path, policy, prod, found):
    assert lint_rule(tmp_path, "E9114", {"E": endpoint(policy)}, prod=prod) == found


def test_an_endpoint_policy_is_no_wildcard_grant(tmp_path):
    """E9002 refuses "*" actions in grants; an endpoint policy only filters, so it is not one."""
    assert lint_rule(tmp_path, "E9002", {"E": endpoint(SCOPED)}) == []
