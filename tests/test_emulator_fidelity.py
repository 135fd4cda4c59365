"""The emulator's patches behave as AWS does, on tiny hand-written templates (boto3 over HTTP).

What this proves: a nested stack whose Parameters hold a list is refused with AWS's message; a parent's
parameter-only update reaches the child in place (same stack ID, new value); a removed resource with
DeletionPolicy Retain stays; dynamic references to Secrets Manager resolve. What it cannot: these are
moto's models, not CloudFormation -- the round-trips of every params/ system show the same on real
templates.
"""

from __future__ import annotations

import json
import re

import boto3
import pytest

from templates_src.emulator.patches import NESTED_PARAMETER_MESSAGE

pytestmark = pytest.mark.emulator

BUCKET = "templates"
CHILD = {
    "Parameters": {"Value": {"Type": "String"}, "Subnets": {"Type": "CommaDelimitedList", "Default": "a"}},
    "Resources": {
        "Param": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": "/t/value", "Type": "String", "Value": {"Ref": "Value"}},
        }
    },
    "Outputs": {"Count": {"Value": {"Fn::Join": ["+", {"Ref": "Subnets"}]}}},
}


def clients(aws_env):
    kw = {"endpoint_url": aws_env.url, "region_name": "us-east-1"}
    s3 = boto3.client("s3", **kw)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="child.json", Body=json.dumps(CHILD))
    return boto3.client("cloudformation", **kw), boto3.client("ssm", **kw)


def parent(value, subnets) -> str:
    return json.dumps(
        {
            "Parameters": {"Value": {"Type": "String"}, "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}},
            "Resources": {
                "Child": {
                    "Type": "AWS::CloudFormation::Stack",
                    "Properties": {
                        "TemplateURL": f"https://{BUCKET}.s3.amazonaws.com/child.json",
                        "Parameters": {"Value": {"Ref": "Value"}, "Subnets": subnets},
                    },
                }
            },
            "Outputs": {"Joined": {"Value": {"Fn::GetAtt": ["Child", "Outputs.Count"]}}},
        }
    )


def params(value: str) -> list[dict]:
    return [
        {"ParameterKey": "Value", "ParameterValue": value},
        {"ParameterKey": "Subnets", "ParameterValue": "subnet-1,subnet-2"},
    ]


def test_a_list_in_nested_stack_parameters_is_refused_as_on_aws(aws_env):
    cfn, _ = clients(aws_env)
    with pytest.raises(cfn.exceptions.ClientError, match=re.escape(NESTED_PARAMETER_MESSAGE)) as caught:
        cfn.create_stack(StackName="p", TemplateBody=parent("v", {"Ref": "Subnets"}), Parameters=params("v"))
    assert "Subnets" in str(caught.value)


def test_a_joined_list_passes_and_a_parameter_change_updates_the_child_in_place(aws_env):
    cfn, ssm = clients(aws_env)
    joined = {"Fn::Join": [",", {"Ref": "Subnets"}]}
    cfn.create_stack(StackName="p", TemplateBody=parent("one", joined), Parameters=params("one"))
    root = cfn.describe_stacks(StackName="p")["Stacks"][0]
    assert root["Outputs"][0]["OutputValue"] == "subnet-1+subnet-2"  # the child split it again
    child = next(s for s in cfn.describe_stacks()["Stacks"] if s.get("ParentId") == root["StackId"])
    assert ssm.get_parameter(Name="/t/value")["Parameter"]["Value"] == "one"

    cs = cfn.create_change_set(
        StackName="p",
        ChangeSetName="c1",
        ChangeSetType="UPDATE",
        TemplateBody=parent("one", joined),
        Parameters=params("two"),
    )
    changes = cfn.describe_change_set(ChangeSetName=cs["Id"])["Changes"]
    assert [c["ResourceChange"]["LogicalResourceId"] for c in changes] == ["Child"]
    cfn.execute_change_set(ChangeSetName=cs["Id"])
    assert ssm.get_parameter(Name="/t/value")["Parameter"]["Value"] == "two"
    after = next(s for s in cfn.describe_stacks()["Stacks"] if s.get("ParentId") == root["StackId"])
    assert after["StackId"] == child["StackId"]  # updated in place, as on AWS (moto re-created it)
    assert {p["ParameterKey"]: p["ParameterValue"] for p in after["Parameters"]}["Value"] == "two"


def test_dynamic_reference_and_retained_removal(aws_env):
    cfn, ssm = clients(aws_env)
    body = {
        "Resources": {
            "Secret": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {"SecretString": json.dumps({"password": "s3cr3t"})},
            },
            "Kept": {
                "Type": "AWS::SSM::Parameter",
                "DeletionPolicy": "Retain",
                "Properties": {
                    "Name": "/t/kept",
                    "Type": "String",
                    "Value": {"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString:password}}"},
                },
            },
        }
    }
    cfn.create_stack(StackName="d", TemplateBody=json.dumps(body))
    assert ssm.get_parameter(Name="/t/kept")["Parameter"]["Value"] == "s3cr3t"
    del body["Resources"]["Kept"]
    cfn.update_stack(StackName="d", TemplateBody=json.dumps(body))
    assert ssm.get_parameter(Name="/t/kept")["Parameter"]["Value"] == "s3cr3t"  # Retain: removed, not deleted
