"""A Conditional replacement of a data-bearing resource, judged end to end against the deployed stack.

The demo system with a PostgreSQL instance is deployed on the local endpoint (moto's server on
127.0.0.1, real boto3 over HTTP); then params change. moto's change sets never say Replacement (nor have
nested change sets), so the change set AWS would return -- root + the data stack's nested change set,
`Replacement: Conditional` on the instance -- is written here with the deployed stack's real names and
IDs and validated against botocore's DescribeChangeSet output shape. What it proves: flow's
predict_conditionals reads the *deployed* templates and parameters back from the endpoint, compares them
with the built ones (templates_src/replacement.py, the resource schema's create-only properties), and
review.judge_conditional keeps the item a danger naming the property that forces it (DBName) or lowers it
to a warning when no create-only property changes (the instance class). What it cannot: whether AWS
itself would say Conditional for that change (its own evaluation), nor any execution.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
import yaml

from templates_src.deploy import flow
from templates_src.deploy import multiregion as mr
from templates_src.deploy import review as rv
from templates_src.deploy.plan import Plan
from templates_src.deploy.session import AwsOptions

from .aws_shapes import validate
from .helpers import invoke

pytestmark = pytest.mark.emulator

DB = {
    "kind": "rds-postgres",
    "engine_version": "17.6",
    "database_name": "demo",
    "master_username": "demo",
    "credentials": "app",
    "env": {"secret_arn": "DB_SECRET_ARN"},
}


def edit(params, change: dict) -> None:
    path = params / "demo" / "_base.yaml"
    base = yaml.safe_load(path.read_text())
    base["data"] = {"db": {**DB, **change}}
    base["services"]["web"]["uses"] = ["db"]
    path.write_text(yaml.safe_dump(base, sort_keys=False))


def change_set(stack: dict, name: str, changes: list[dict], nested: bool) -> dict:
    """A DescribeChangeSet response as AWS returns it (the fields the review reads, and the required ones)."""
    region, account = stack["StackId"].split(":")[3:5]
    response = {
        "ChangeSetName": name,
        "ChangeSetId": f"arn:aws:cloudformation:{region}:{account}:changeSet/{name}/0b6e0c2a-3a9f-4a61-9a57-3f0f3b0a7c11",
        "StackId": stack["StackId"],
        "StackName": stack["StackName"],
        "Parameters": stack.get("Parameters") or [],
        "CreationTime": dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC).isoformat(),
        "ExecutionStatus": "AVAILABLE",
        "Status": "CREATE_COMPLETE",
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        "IncludeNestedStacks": nested,
        "Changes": [{"Type": "Resource", "HookInvocationCount": 0, "ResourceChange": c} for c in changes],
    }
    return response


def aws_review(aws_env, logical_id: str, property_name: str) -> rv.Review:
    """Root: the data stack Modify with its nested change set; child: the instance, Replacement Conditional."""
    cfn = boto3.client("cloudformation", endpoint_url=aws_env.url, region_name="us-east-1")
    root = cfn.describe_stacks(StackName="demo-dev")["Stacks"][0]
    data_arn = next(
        r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName="demo-dev")["StackResources"]
        if r["LogicalResourceId"] == "DataStack"
    )
    data = cfn.describe_stacks(StackName=data_arn)["Stacks"][0]
    instance = cfn.describe_stack_resource(StackName=data_arn, LogicalResourceId=logical_id)["StackResourceDetail"]
    child = change_set(
        data,
        "stackc-20261130-060000-DataStack-1F0W1SGJ7XH2T",
        [
            {
                "Action": "Modify",
                "LogicalResourceId": logical_id,
                "PhysicalResourceId": instance["PhysicalResourceId"],
                "ResourceType": "AWS::RDS::DBInstance",
                "Replacement": "Conditional",
                "Scope": ["Properties"],
                "Details": [
                    {
                        "Target": {
                            "Attribute": "Properties",
                            "Name": property_name,
                            "RequiresRecreation": "Conditionally",
                            "Path": f"/Properties/{property_name}",
                            "AttributeChangeType": "Modify",
                        },
                        "Evaluation": "Dynamic",
                        "ChangeSource": "DirectModification",
                    }
                ],
            }
        ],
        nested=True,
    )
    parent = change_set(
        root,
        "stackc-20261130-060000",
        [
            {
                "Action": "Modify",
                "LogicalResourceId": "DataStack",
                "PhysicalResourceId": data_arn,
                "ResourceType": "AWS::CloudFormation::Stack",
                "Replacement": "False",
                "Scope": ["Properties"],
                "Details": [
                    {
                        "Target": {"Attribute": "Properties", "Name": "TemplateURL", "RequiresRecreation": "Never"},
                        "Evaluation": "Static",
                        "ChangeSource": "DirectModification",
                    }
                ],
                "ChangeSetId": child["ChangeSetId"],
            }
        ],
        nested=True,
    )
    responses = [validate("DescribeChangeSet", r) for r in (parent, child)]  # botocore's output shape
    return rv.build_review(responses, change_set_type="UPDATE", current_parameters=root.get("Parameters"))


def judged(aws_env, logical_id: str, property_name: str) -> rv.Change:
    deployment = flow.open_deployment(flow.Selection("demo", "dev", aws=AwsOptions(endpoint_url=aws_env.url)))
    folder = deployment.layout.regional[0]
    review = aws_review(aws_env, logical_id, property_name)
    plan = Plan("demo-dev", "demo-dev", review.change_set_id, "UPDATE", review)
    fp = mr.FolderPlan(folder=folder, aws=deployment.sessions[folder.region], packaged=None, plan=plan)  # type: ignore[arg-type]
    predictions = flow.predict_conditionals(fp)
    change = next(c for c in rv.judge_conditional(review, predictions).changes if c.logical_id == logical_id)
    assert review.dangers and change.replacement == "Conditional"
    return change


@pytest.fixture
def deployed(aws_env, params):
    edit(params, {})
    result = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes")
    assert result.exit_code == 0, result.output
    return params


def test_a_create_only_change_stays_a_danger_naming_the_property(aws_env, deployed):
    edit(deployed, {"database_name": "shop"})  # DBName: create-only in AWS::RDS::DBInstance's schema
    change = judged(aws_env, "DbInstance", "DBName")
    assert change.risk == "danger"
    assert "create-only properties that change: DBName" in change.risk_reason


def test_no_create_only_change_is_lowered_to_a_warning(aws_env, deployed):
    edit(deployed, {"instance_class": "db.t4g.small"})  # DBInstanceClass: updated in place
    change = judged(aws_env, "DbInstance", "DBInstanceClass")
    assert change.risk == "warn", change.risk_reason
    assert "no create-only property of its schema changes (offline prediction): expected in place" in change.risk_reason
