"""E9108: in prod, the security groups of ECS services and load balancers list narrow egress."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

HTTPS = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
ALL = {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}


def group(egress: list | None) -> dict:
    props: dict = {"GroupDescription": "tasks", "VpcId": "vpc-1"}
    if egress is not None:
        props["SecurityGroupEgress"] = egress
    return {"Type": "AWS::EC2::SecurityGroup", "Properties": props}


SERVICE = {
    "Type": "AWS::ECS::Service",
    "Properties": {
        "Cluster": "c",
        "TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/t:1",
        "NetworkConfiguration": {
            "AwsvpcConfiguration": {"SecurityGroups": [{"Fn::GetAtt": ["Sg", "GroupId"]}], "Subnets": ["subnet-1"]}
        },
    },
}
SG_EGRESS = "Resources/Sg/Properties/SecurityGroupEgress"


@pytest.mark.parametrize(
    "egress, prod, found",
    [
        ([HTTPS], True, []),
        (None, True, [SG_EGRESS]),  # EC2's default: all traffic out
        ([HTTPS, ALL], True, [SG_EGRESS]),
        (None, False, []),
    ],
)
def test_narrow_egress(tmp_path, egress, prod, found):
    assert lint_rule(tmp_path, "E9108", {"Sg": group(egress), "Svc": SERVICE}, prod=prod) == found


def test_a_group_no_service_uses_is_not_this_rules_business(tmp_path):
    assert lint_rule(tmp_path, "E9108", {"Sg": group(None)}) == []
