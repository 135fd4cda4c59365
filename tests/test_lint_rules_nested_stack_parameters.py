"""E9030 on tiny templates that pass and fail: a nested stack's Parameters must be strings."""

from __future__ import annotations

import json

import pytest

from templates_src.lint import lint_paths

PARAMETERS = {
    "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
    "Names": {"Type": "CommaDelimitedList"},
    "Tag": {"Type": "String"},
    "Use": {"Type": "String", "AllowedValues": ["a", "b"]},
}
VPC = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}


def lint(tmp_path, value) -> list[str]:
    (tmp_path / "child.json").write_text(
        json.dumps(
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Parameters": {"Value": {"Type": "String"}},
                "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            }
        )
    )
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": PARAMETERS,
        "Conditions": {"IsA": {"Fn::Equals": [{"Ref": "Use"}, "a"]}},
        "Resources": {
            "Vpc": VPC,
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "child.json", "Parameters": {"Value": value}},
            },
        },
    }
    path = tmp_path / "root.json"
    path.write_text(json.dumps(template))
    return [f.rule for f in lint_paths([path]) if f.rule == "E9030"]


@pytest.mark.parametrize(
    "value, found",
    [
        ("plain", []),
        ({"Ref": "Tag"}, []),
        ({"Fn::Join": [",", {"Ref": "Subnets"}]}, []),
        ({"Fn::Select": [0, {"Ref": "Subnets"}]}, []),
        ({"Fn::GetAtt": ["Vpc", "CidrBlock"]}, []),
        ({"Ref": "Subnets"}, ["E9030"]),
        ({"Ref": "Names"}, ["E9030"]),
        ({"Fn::GetAtt": ["Vpc", "CidrBlockAssociations"]}, ["E9030"]),
        ({"Fn::Split": [",", "a,b"]}, ["E9030"]),
        ({"Fn::If": ["IsA", "x", {"Ref": "Subnets"}]}, ["E9030"]),
    ],
)
def test_nested_stack_parameters(tmp_path, value, found):
    assert lint(tmp_path, value) == found
