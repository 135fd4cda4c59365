"""E9101 (EC2.6): every VPC of a prod template has a flow log."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

VPC = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}
FLOW_LOG = {
    "Type": "AWS::EC2::FlowLog",
    "Properties": {
        "ResourceId": {"Ref": "Vpc"},
        "ResourceType": "VPC",
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": "g",
        "DeliverLogsPermissionArn": "arn:aws:iam::123456789012:role/r",
    },
}


@pytest.mark.parametrize(
    "resources, prod, found",
    [
        ({"Vpc": VPC, "FlowLog": FLOW_LOG}, True, []),
        ({"Vpc": VPC}, True, ["Resources/Vpc"]),
        ({"Vpc": VPC}, False, []),
    ],
)
def test_vpc_flow_logs(tmp_path, resources, prod, found):
    assert lint_rule(tmp_path, "E9101", resources, prod=prod) == found
