"""E9116: service trust policies carry aws:SourceAccount and aws:SourceArn (every env); ECS execution
roles are exempt (AWS documents the conditions for task roles only); other services are not held to it."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

CONDITIONS = {
    "StringEquals": {"aws:SourceAccount": "123456789012"},
    "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"},
}


def role(service: str, condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}
    if condition is not None:
        statement["Condition"] = condition
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}},
    }


TASK_DEFINITION = {
    "Type": "AWS::ECS::TaskDefinition",
    "Properties": {
        "ExecutionRoleArn": {"Fn::GetAtt": ["Exec", "Arn"]},
        "TaskRoleArn": {"Fn::GetAtt": ["Task", "Arn"]},
        "ContainerDefinitions": [{"Name": "app", "Image": "nginx:1.27"}],
    },
}

STATEMENT = "Properties/AssumeRolePolicyDocument/Statement/0"


@pytest.mark.parametrize(
    "resources, found",
    [
        ({"Task": role("ecs-tasks.amazonaws.com", CONDITIONS)}, []),
        ({"Task": role("ecs-tasks.amazonaws.com")}, [f"Resources/Task/{STATEMENT}"]),
        (  # only one of the two keys
            {"Task": role("ecs-tasks.amazonaws.com", {"StringEquals": CONDITIONS["StringEquals"]})},
            [f"Resources/Task/{STATEMENT}"],
        ),
        ({"Flow": role("vpc-flow-logs.amazonaws.com")}, [f"Resources/Flow/{STATEMENT}"]),
        ({"Mon": role("monitoring.rds.amazonaws.com")}, [f"Resources/Mon/{STATEMENT}"]),
        ({"Sched": role("scheduler.amazonaws.com", CONDITIONS)}, []),
        (  # the execution role of a task definition is exempt, its task role is not
            {"Exec": role("ecs-tasks.amazonaws.com"), "Task": role("ecs-tasks.amazonaws.com"), "Td": TASK_DEFINITION},
            [f"Resources/Task/{STATEMENT}"],
        ),
        ({"Other": role("ecs.amazonaws.com")}, []),
    ],
)
def test_trust_policies_conditioned(tmp_path, resources, found):
    assert lint_rule(tmp_path, "E9116", resources, prod=False) == found
