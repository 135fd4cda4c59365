"""The CLI's decisions on a review, on the local endpoint (moto's server on 127.0.0.1, real boto3 over HTTP):
no patched client, package or change-set call.

The system has three services; removing two of them from params makes the root change set remove two
nested stacks -- each a danger ("a whole nested stack is removed, with every resource in it"), as AWS's
change set would say too (a Remove needs no Replacement field, which moto's change sets lack).
What it proves: deploy refuses dangers with exit 3 and deletes its change set; a bare --allow-replace
accepts all of them (with a warning) and --allow-replace NAME only that one; plan exits 3 on danger in
every format, the JSON alone on stdout; the library's deploy asks through its callback (no click) and a
"no" deletes the change set and the stack under review. Replacement/Conditional dangers need AWS's
Replacement values (tests/test_review.py, tests/test_review_files.py on validated fixtures).
"""

from __future__ import annotations

import json

import boto3
import pytest

from .helpers import invoke, write_params

pytestmark = pytest.mark.emulator

SELECT = ("--system", "trio", "--env", "dev")


def system(services: tuple[str, ...]) -> dict:
    return {
        "regions": ["us-east-1"],
        "network": {"cidr": "10.32.0.0/16", "azs": 2, "nat": "none", "flow_logs": {"enabled": False}},
        "cluster": {"container_insights": "disabled"},
        "services": {
            name: {
                "public_ip": True,
                "desired_count": 1,
                "containers": {name: {"image": "public.ecr.aws/nginx/nginx", "tag": "1.27", "ports": [{"port": 80}]}},
            }
            for name in services
        },
    }


@pytest.fixture
def trio(aws_env, tmp_path, monkeypatch):
    """`trio` deployed with services a, b and c; then params name only `a`."""
    root = tmp_path / "params"
    write_params(root, "trio", system(("a", "b", "c")), {"dev": {}})
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(root))
    first = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert first.exit_code == 0, first.output
    write_params(root, "trio", system(("a",)), {"dev": {}})
    return root


def change_sets(aws_env) -> list[str]:
    """Change sets still to execute (moto also lists the executed one, which AWS removes)."""
    cfn = boto3.client("cloudformation", endpoint_url=aws_env.url, region_name="us-east-1")
    summaries = cfn.list_change_sets(StackName="trio-dev")["Summaries"]
    return [s["ChangeSetName"] for s in summaries if s["ExecutionStatus"] != "EXECUTE_COMPLETE"]


def nested_stacks(aws_env) -> set[str]:
    cfn = boto3.client("cloudformation", endpoint_url=aws_env.url, region_name="us-east-1")
    resources = cfn.describe_stack_resources(StackName="trio-dev")["StackResources"]
    return {r["LogicalResourceId"] for r in resources if r["ResourceType"] == "AWS::CloudFormation::Stack"}


def test_deploy_refuses_dangers_with_exit_3_and_leaves_no_change_set(aws_env, trio):
    result = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert result.exit_code == 3, result.output
    assert "!! DANGER" in result.output
    assert "trio-dev/ServiceBStack" in result.output and "trio-dev/ServiceCStack" in result.output
    assert "refusing to deploy" in result.output and "--allow-replace" in result.output
    assert change_sets(aws_env) == []  # the change set is not left behind
    assert {"ServiceBStack", "ServiceCStack"} <= nested_stacks(aws_env)  # nothing executed


def test_allow_replace_bare_accepts_all_and_by_name_only_that_one(aws_env, trio):
    bare = invoke(aws_env, "deploy", *SELECT, "--allow-replace", "--no-exec")
    assert bare.exit_code == 0, bare.output
    assert "created and not executed (--no-exec)" in bare.output
    assert "WARNING: a bare --allow-replace accepts EVERY danger item above (2)" in bare.output
    assert len(change_sets(aws_env)) == 1  # left for review, as --no-exec says

    one = invoke(aws_env, "deploy", *SELECT, "--no-exec", "--allow-replace", "ServiceBStack")
    assert one.exit_code == 3, one.output
    assert "1 dangerous change(s) (trio-dev/ServiceCStack)" in one.output
    assert "--allow-replace ServiceCStack" in one.output
    both = invoke(
        aws_env,
        "deploy",
        *SELECT,
        "--no-exec",
        "--allow-replace",
        "ServiceBStack",
        "--allow-replace",
        "trio-dev/ServiceCStack",
    )
    assert both.exit_code == 0, both.output
    assert "WARNING" not in both.output
    assert {"ServiceBStack", "ServiceCStack"} <= nested_stacks(aws_env)  # --no-exec: nothing executed


def test_plan_exits_3_on_danger_in_every_format(aws_env, trio):
    for fmt, marker in (("json", '"version": 2'), ("markdown", "> [!CAUTION]"), ("text", "!! DANGER")):
        result = invoke(aws_env, "plan", *SELECT, "--format", fmt, "--cleanup")
        assert result.exit_code == 3, (fmt, result.output)  # the review holds dangers: `deploy` would refuse it
        assert marker in result.stdout, fmt
        if fmt == "json":
            assert json.loads(result.stdout)["summary"]["danger"] == 2  # nothing else on stdout


def test_the_library_deploy_asks_through_its_callback_and_a_no_deletes_the_change_set(aws_env, params):
    """The library's deploy needs no click: the question goes to `confirm`, the words to the sink, and
    the answer "no" comes back as a result with exit code 1 (the CLI only exits with it)."""
    from templates_src.deploy import flow
    from templates_src.deploy.session import AwsOptions

    asked: list[str] = []
    out: list[str] = []
    err: list[str] = []
    deployment = flow.open_deployment(flow.Selection("demo", "dev", aws=AwsOptions(endpoint_url=aws_env.url)))
    result = flow.deploy(
        deployment,
        flow.DeployOptions(),
        confirm=lambda q: asked.append(q) or False,
        sink=flow.Sink(out=out.append, err=err.append, warn=err.append),
    )
    assert (result.state, result.exit_code) == ("declined", 1)
    assert len(asked) == 1 and asked[0].startswith("Execute change set stackc-") and asked[0].endswith(" on demo-dev?")
    assert any(line.startswith("Plan for demo-dev (new stack)") for line in out)
    assert out[-1] == "declined: change set deleted, nothing deployed"
    cfn = boto3.client("cloudformation", endpoint_url=aws_env.url, region_name="us-east-1")
    live = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] != "DELETE_COMPLETE"]
    assert live == []  # the stack under review went with its change set
