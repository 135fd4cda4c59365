"""Execute what was reviewed (issue 11, item 3) on the local endpoint: `plan` leaves a change set,
`deploy --change-set NAME` executes exactly it -- after checking that it is still what the current
build would do (its fingerprint: same templates and parameters; the stack unchanged since) -- behind the
same danger gate and protections; `plan --change-set NAME|ARN` reviews a change set made by anyone.

What the emulator cannot show: CloudFormation marking a change set OBSOLETE when the stack changes
(moto leaves it AVAILABLE) -- the stack's LastUpdatedTime against the change set's CreationTime is what
refuses it here, and on AWS both do.
"""

from __future__ import annotations

import json
import re

import boto3
import pytest
import yaml

from .helpers import invoke

pytestmark = pytest.mark.emulator


def cfn_of(aws_env):
    return boto3.client("cloudformation", endpoint_url=aws_env.url, region_name="us-east-1")


def left_change_set(result) -> str:
    match = re.search(r"--change-set (stackc-\d{8}-\d{6})", result.output)
    assert match, result.output
    return match.group(1)


def set_desired_count(params, count: int) -> None:
    path = params / "demo" / "_base.yaml"
    data = yaml.safe_load(path.read_text())
    service = next(iter(data["services"].values()))
    service["desired_count"] = count
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_deploy_executes_the_change_set_plan_left(aws_env, params):
    cfn = cfn_of(aws_env)
    planned = invoke(aws_env, "plan", "-s", "demo", "-e", "dev")
    assert planned.exit_code == 0, planned.output
    name = left_change_set(planned)
    assert f"`stackc deploy --system demo --env dev --change-set {name}`" in planned.output

    deployed = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes", "--change-set", name)
    assert deployed.exit_code == 0, deployed.output
    assert "demo-dev: CREATE_COMPLETE" in deployed.output
    assert "stack policy on 5 stack(s)" in deployed.output  # the same protections as any deploy
    executed = [c for c in cfn.list_change_sets(StackName="demo-dev")["Summaries"] if c["ChangeSetName"] == name]
    assert executed and executed[0]["ExecutionStatus"] == "EXECUTE_COMPLETE"  # that one, not a fresh one
    assert len(cfn.list_change_sets(StackName="demo-dev")["Summaries"]) == 1


def test_a_change_set_from_other_parameters_is_refused(aws_env, params):
    cfn = cfn_of(aws_env)
    assert invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes").exit_code == 0
    set_desired_count(params, 2)
    name = left_change_set(invoke(aws_env, "plan", "-s", "demo", "-e", "dev"))
    set_desired_count(params, 3)  # the params changed after the review
    refused = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes", "--change-set", name)
    assert refused.exit_code == 1, refused.output
    assert f"change set {name} of demo-dev is not what the current build would do" in refused.output
    assert "made from other templates or parameters than the current build" in refused.output
    assert "WebDesiredCount 2 -> now 3" in refused.output
    assert "`stackc plan --system demo --env dev`" in refused.output
    svc = next(s for s in cfn.describe_stacks()["Stacks"] if "ServiceWebStack" in s["StackName"])
    assert "2" not in {p["ParameterValue"] for p in svc["Parameters"] if p["ParameterKey"] == "DesiredCount"}


def test_a_change_set_older_than_the_stacks_last_update_is_refused(aws_env, params):
    assert invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes").exit_code == 0
    set_desired_count(params, 2)
    name = left_change_set(invoke(aws_env, "plan", "-s", "demo", "-e", "dev"))
    set_desired_count(params, 3)
    assert invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes").exit_code == 0  # someone deployed since
    set_desired_count(params, 2)  # same params as the review again: only the stack's change stops it
    refused = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes", "--change-set", name)
    assert refused.exit_code == 1, refused.output
    assert "after the change set was made" in refused.output


def test_plan_reviews_a_change_set_made_by_anyone_and_deploy_refuses_to_run_it(aws_env, params):
    cfn = cfn_of(aws_env)
    assert invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes").exit_code == 0
    stack = cfn.describe_stacks(StackName="demo-dev")["Stacks"][0]
    # A change set made outside stackc (a pipeline, the console): same template, another desired count.
    body = cfn.get_template(StackName="demo-dev")["TemplateBody"]
    made = cfn.create_change_set(
        StackName="demo-dev",
        ChangeSetName="from-the-pipeline",
        TemplateBody=body if isinstance(body, str) else json.dumps(body),
        Parameters=[
            {
                "ParameterKey": p["ParameterKey"],
                "ParameterValue": "2" if p["ParameterKey"] == "WebDesiredCount" else p["ParameterValue"],
            }
            for p in stack["Parameters"]
        ],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        ChangeSetType="UPDATE",
    )
    for ref in ("from-the-pipeline", made["Id"]):
        shown = invoke(aws_env, "plan", "-s", "demo", "-e", "dev", "--change-set", ref)
        assert shown.exit_code == 0, shown.output
        assert "Plan for demo-dev (update)" in shown.output and "change set: from-the-pipeline" in shown.output
        assert re.search(r"WebDesiredCount\s+1 -> 2", shown.output), shown.output
    refused = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes", "--change-set", "from-the-pipeline")
    assert refused.exit_code == 1
    assert "it was not made by `stackc plan`" in refused.output
    missing = invoke(aws_env, "plan", "-s", "demo", "-e", "dev", "--change-set", "nope")
    assert missing.exit_code == 1 and "no change set nope for stack demo-dev" in missing.output
