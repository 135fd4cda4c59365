"""The project's core lint rules, each on tiny templates that pass and fail."""

from __future__ import annotations

import json

import pytest

from templates_src.lint import lint_paths


def lint(tmp_path, resources: dict) -> list[str]:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}))
    return [f.rule for f in lint_paths([path])]


def role(actions):
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {  # a conditioned trust (E9116), so only E9002 speaks here
                            "StringEquals": {"aws:SourceAccount": "123456789012"},
                            "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"},
                        },
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "p",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "arn:aws:s3:::b/*"}],
                    },
                }
            ],
        },
    }


@pytest.mark.parametrize(
    "actions, found",
    [
        (["s3:GetObject"], []),
        (["s3:*"], ["E9002"]),
        ("*", ["E9002"]),
    ],
)
def test_no_wildcard_actions(tmp_path, actions, found):
    assert lint(tmp_path, {"Role": role(actions)}) == found


@pytest.mark.parametrize(
    "attrs, found",
    [
        ({"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"}, []),
        ({"DeletionPolicy": "RetainExceptOnCreate"}, ["W3011", "E9001"]),  # cfn-lint agrees
        # Retain would outlive a failed first create and block the retry with "already exists".
        ({"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}, ["E9001"]),
        # CloudFormation takes no RetainExceptOnCreate in UpdateReplacePolicy.
        ({"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "RetainExceptOnCreate"}, ["E3036", "E9001"]),
        ({"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}, ["E9001", "E9001"]),
    ],
)
def test_stateful_policy(tmp_path, attrs, found):
    assert lint(tmp_path, {"Logs": {"Type": "AWS::Logs::LogGroup", **attrs}}) == found


def service(public: bool, waiver: str | None):
    res = {
        "Type": "AWS::ECS::Service",
        "Properties": {
            "Cluster": "c",
            "TaskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/t:1",
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {
                    "AssignPublicIp": "ENABLED" if public else "DISABLED",
                    "Subnets": ["subnet-0123456789abcdef0"],
                }
            },
        },
    }
    if waiver:  # what templates_src/waivers.py writes for a params waiver of E9003
        res["Metadata"] = {
            "cfn-lint": {"config": {"ignore_checks": ["E9003"]}},
            "stackc": {"waivers": {"E9003": waiver}},
        }
    return res


@pytest.mark.parametrize(
    "public, waiver, found",
    [
        (False, None, []),
        (True, None, ["E9003"]),
        (True, "dev: pulls images without NAT", []),
    ],
)
def test_private_by_default(tmp_path, public, waiver, found):
    assert lint(tmp_path, {"Svc": service(public, waiver)}) == found
