"""The options people expect from `aws cloudformation deploy`, rain and CDK (issue 11, item 7), on the
local endpoint: --tags, --role-arn, --notification-arns, --disable-rollback, --detach.

What moto shows: the root stack's tags, role and notification topics as DescribeStacks reports them,
and that the deploy goes through with --disable-rollback. A failed create with and without it (the stack
left CREATE_FAILED, or rolled back) is tests/test_failed_create.py (the emulator's rollback.py).
"""

from __future__ import annotations

import boto3
import pytest

from .helpers import invoke

pytestmark = pytest.mark.emulator


def test_role_tags_topics_and_rollback_reach_the_stack(aws_env, params):
    kw = {"endpoint_url": aws_env.url, "region_name": "us-east-1"}
    cfn, sns = boto3.client("cloudformation", **kw), boto3.client("sns", **kw)
    topic = sns.create_topic(Name="deploys")["TopicArn"]
    role = "arn:aws:iam::123456789012:role/cfn-deployer"
    result = invoke(
        aws_env,
        "deploy",
        "-s",
        "demo",
        "-e",
        "dev",
        "--yes",
        "--role-arn",
        role,
        "--notification-arns",
        topic,
        "--tags",
        "cost-center=42",
        "--tags",
        "owner=payments",  # replaces the params' owner tag
        "--disable-rollback",
    )
    assert result.exit_code == 0, result.output
    stack = cfn.describe_stacks(StackName="demo-dev")["Stacks"][0]
    tags = {t["Key"]: t["Value"] for t in stack["Tags"]}
    assert tags["cost-center"] == "42" and tags["owner"] == "payments" and tags["stackc:system"] == "demo"
    assert stack.get("RoleARN") == role
    assert stack.get("NotificationARNs") == [topic]
    # --disable-rollback goes to ExecuteChangeSet(DisableRollback=True); what it changes shows only when a
    # resource fails: tests/test_failed_create.py::test_disable_rollback_leaves_the_failed_create_in_place.


def test_detach_returns_once_the_execution_started(aws_env, params):
    result = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes", "--detach")
    assert result.exit_code == 0, result.output
    assert "detached: CloudFormation goes on" in result.output
    assert "`stackc status --system demo --env dev`" in result.output
    assert "outputs" not in result.stdout.lower().split("detached")[0]


def test_bad_tags_are_usage_errors(aws_env, params):
    result = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes", "--tags", "novalue")
    assert result.exit_code == 2
    assert "--tags 'novalue': expected Key=Value" in result.output
