"""The emulator rolls a failed create back as AWS does (templates_src/emulator/rollback.py), on small
hand-written templates over HTTP.

What this proves: a resource that fails while a CREATE change set executes gives a CREATE_FAILED event with
the service's reason and ExecuteChangeSet still succeeds (AWS runs it asynchronously); the stack goes
ROLLBACK_IN_PROGRESS -> ROLLBACK_COMPLETE deleting what it made newest first -- RetainExceptOnCreate
resources too, Retain ones skipped -- nested stacks included (each DELETE_COMPLETE, the failed one's parent
resource saying "Embedded stack ... was not successfully created"); ExecuteChangeSet's RetainExceptOnCreate
deletes even Retain ones; DisableRollback leaves CREATE_FAILED with everything in place, and a later
DeleteStack keeps RetainExceptOnCreate resources. The cause here is moto's own refusal (an SSM parameter
name that exists). What it cannot: timing (moto is synchronous: no "Resource creation cancelled" siblings).
"""

from __future__ import annotations

import json

import boto3
import pytest

pytestmark = pytest.mark.emulator

BUCKET = "rollback-templates"
TAKEN = "/rollback/taken"


def child_template() -> dict:
    return {
        "Resources": {
            "ChildRepo": {
                "Type": "AWS::ECR::Repository",
                "DeletionPolicy": "RetainExceptOnCreate",
                "Properties": {"RepositoryName": "child-repo"},
            },
            "ChildKept": {
                "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": "Retain",
                "Properties": {"LogGroupName": "child-kept"},
            },
            "Clash": {  # created last: its name is taken (moto refuses it, as AWS does)
                "Type": "AWS::SSM::Parameter",
                "DependsOn": ["ChildRepo", "ChildKept"],
                "Properties": {"Name": TAKEN, "Type": "String", "Value": "new"},
            },
        }
    }


def root_template() -> str:
    return json.dumps(
        {
            "Resources": {
                "Repo": {
                    "Type": "AWS::ECR::Repository",
                    "DeletionPolicy": "RetainExceptOnCreate",
                    "Properties": {"RepositoryName": "root-repo"},
                },
                "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "root-deleted"}},
                "Kept": {
                    "Type": "AWS::Logs::LogGroup",
                    "DeletionPolicy": "Retain",
                    "Properties": {"LogGroupName": "root-kept"},
                },
                "Child": {
                    "Type": "AWS::CloudFormation::Stack",
                    "DependsOn": ["Repo", "Logs", "Kept"],
                    "Properties": {"TemplateURL": f"https://{BUCKET}.s3.amazonaws.com/child.json"},
                },
            }
        }
    )


@pytest.fixture
def aws(aws_env):
    kw = {"endpoint_url": aws_env.url, "region_name": "us-east-1"}
    s3 = boto3.client("s3", **kw)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="child.json", Body=json.dumps(child_template()))
    boto3.client("ssm", **kw).put_parameter(Name=TAKEN, Value="old", Type="String")
    return {name: boto3.client(name, **kw) for name in ("cloudformation", "ecr", "logs", "ssm")}


def create(aws, **execute) -> str:
    cfn = aws["cloudformation"]
    cs = cfn.create_change_set(StackName="rb", ChangeSetName="c1", TemplateBody=root_template(), ChangeSetType="CREATE")
    cfn.execute_change_set(ChangeSetName=cs["Id"], **execute)  # succeeds: the failure is in the stack
    assert cfn.describe_change_set(ChangeSetName=cs["Id"])["ExecutionStatus"] == "EXECUTE_FAILED"
    return cfn.describe_stacks(StackName="rb")["Stacks"][0]["StackStatus"]


def events(cfn, stack: str) -> list[tuple[str, str, str]]:
    found = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason") or "") for e in reversed(found)]


def existing(aws) -> dict[str, list[str]]:
    return {
        "repositories": sorted(r["repositoryName"] for r in aws["ecr"].describe_repositories()["repositories"]),
        "log groups": sorted(g["logGroupName"] for g in aws["logs"].describe_log_groups()["logGroups"]),
    }


def nested(cfn) -> dict:
    return next(s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"].startswith("rb-Child-"))


def test_a_failed_create_rolls_back_deleting_what_it_made_but_retain(aws):
    cfn = aws["cloudformation"]
    assert create(aws) == "ROLLBACK_COMPLETE"
    assert existing(aws) == {"repositories": [], "log groups": ["child-kept", "root-kept"]}
    assert aws["ssm"].get_parameter(Name=TAKEN)["Parameter"]["Value"] == "old"

    root = events(cfn, "rb")
    child = nested(cfn)
    assert child["StackStatus"] == "DELETE_COMPLETE"
    failed = [e for e in root if e[1] == "CREATE_FAILED"]
    assert failed == [
        (
            "Child",
            "CREATE_FAILED",
            f"Embedded stack {child['StackId']} was not successfully created: "
            "The following resource(s) failed to create: [Clash]. ",
        )
    ]
    assert (
        "rb",
        "ROLLBACK_IN_PROGRESS",
        "The following resource(s) failed to create: [Child]. Rollback requested by user.",
    ) in root
    assert root[-1][:2] == ("rb", "ROLLBACK_COMPLETE")
    assert ("Kept", "DELETE_SKIPPED", "") in root and ("Repo", "DELETE_COMPLETE", "") in root
    # newest first: the nested stack (made last) before the resources it depended on
    order = [e[0] for e in root if e[1] == "DELETE_COMPLETE"]
    assert order.index("Child") < order.index("Repo") and order.index("Child") < order.index("Logs")

    inside = events(cfn, child["StackId"])
    assert inside[1][:2] == ("Clash", "CREATE_FAILED") and "already exists" in inside[1][2]
    assert ("ChildKept", "DELETE_SKIPPED", "") in inside and ("ChildRepo", "DELETE_COMPLETE", "") in inside
    assert inside[-1][:2] == (child["StackName"], "DELETE_COMPLETE")

    # Only what Retain kept stays in the stack; deleting it then deletes nothing more.
    kept = cfn.describe_stack_resources(StackName="rb")["StackResources"]
    assert [(r["LogicalResourceId"], r["PhysicalResourceId"]) for r in kept] == [("Kept", "root-kept")]
    assert cfn.describe_stacks(StackName="rb")["Stacks"][0].get("Outputs") is None
    cfn.delete_stack(StackName="rb")
    assert existing(aws) == {"repositories": [], "log groups": ["child-kept", "root-kept"]}


def test_retain_except_on_create_on_execute_deletes_retain_ones_too(aws):
    assert create(aws, RetainExceptOnCreate=True) == "ROLLBACK_COMPLETE"
    assert existing(aws) == {"repositories": [], "log groups": []}


def test_disable_rollback_keeps_the_failed_stack_and_a_later_delete_keeps_retained_ones(aws):
    cfn = aws["cloudformation"]
    assert create(aws, DisableRollback=True) == "CREATE_FAILED"
    assert nested(cfn)["StackStatus"] == "CREATE_FAILED"
    everything = {
        "repositories": ["child-repo", "root-repo"],
        "log groups": ["child-kept", "root-deleted", "root-kept"],
    }
    assert existing(aws) == everything
    assert ("rb", "CREATE_FAILED", "The following resource(s) failed to create: [Child]. ") in events(cfn, "rb")
    listed = {r["LogicalResourceId"] for r in cfn.describe_stack_resources(StackName="rb")["StackResources"]}
    assert listed == {"Repo", "Logs", "Kept", "Child"}  # what was made (the failed nested stack included)

    cfn.delete_stack(StackName="rb")  # not the create's rollback: RetainExceptOnCreate keeps
    assert existing(aws) == {"repositories": ["child-repo", "root-repo"], "log groups": ["child-kept", "root-kept"]}
    assert nested(cfn)["StackStatus"] == "DELETE_COMPLETE"
