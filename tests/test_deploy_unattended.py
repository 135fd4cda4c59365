"""Unattended and interrupted runs, and protections reconciled on every deploy (issue 11, items 1-2).

On the local endpoint (moto's server on 127.0.0.1, boto3 over HTTP). The prompt is answered on a real
terminal: the CLI runs as a subprocess whose stdin/stdout are a pseudo-terminal (pty), so "is there a
terminal to ask on" is decided as it is for a person; Ctrl-C at the prompt is a real SIGINT.
Ctrl-C during execution is raised by the live event display (the `Sink.console` the CLI passes), which
is where a person's Ctrl-C lands while events stream; moto executes change sets synchronously, so the
stack has settled by then and what the test shows is what the next deploy does about protections.
"""

from __future__ import annotations

import json
import signal
import sys

import boto3
import pytest
from rich.console import Console

from templates_src.deploy import flow

from .helpers import invoke
from .terminal import Terminal, terminal_env

pytestmark = pytest.mark.emulator


def cfn_of(aws_env):
    return boto3.client("cloudformation", endpoint_url=aws_env.url, region_name="us-east-1")


def live_stacks(cfn):
    return {s["StackName"]: s for s in cfn.describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"}


# ------------------------------------------------------------------------------------------- tests


def test_no_terminal_and_no_yes_stops_before_any_change_set(aws_env, params):
    cfn = cfn_of(aws_env)
    result = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev")  # CliRunner's stdin is not a terminal
    assert result.exit_code == 2, result.output
    assert "no terminal to ask on" in result.output and "pass --yes" in result.output
    assert "Traceback" not in result.output and "Abort" not in result.output
    assert not live_stacks(cfn)  # no REVIEW_IN_PROGRESS stack: no change set was created
    s3 = boto3.client("s3", endpoint_url=aws_env.url, region_name="us-east-1")
    assert not s3.list_buckets()["Buckets"]  # nothing was packaged either

    # --no-exec asks nothing, so it runs unattended; destroy needs --yes too.
    shown = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--no-exec")
    assert shown.exit_code == 0, shown.output
    assert "created and not executed" in shown.output
    refused = invoke(aws_env, "destroy", "-s", "demo", "-e", "dev")
    assert refused.exit_code == 2 and "pass --yes" in refused.output
    assert "demo-dev" in live_stacks(cfn)  # still there (REVIEW_IN_PROGRESS from --no-exec)


def test_declining_at_a_terminal_deletes_the_change_set_and_the_review_stack(aws_env, params, tmp_path):
    cfn = cfn_of(aws_env)
    term = Terminal(["deploy", "-s", "demo", "-e", "dev"], terminal_env(aws_env))
    term.read_until("[y/N]")
    assert "Plan for demo-dev (new stack)" in term.text
    assert "demo-dev" in live_stacks(cfn)  # the review stack exists while the question is asked
    term.write("n\n")
    assert term.wait() == 1, term.text
    assert "declined: change set deleted, nothing deployed" in term.text
    assert "demo-dev" not in live_stacks(cfn)


def test_ctrl_c_at_the_prompt_cleans_up_and_exits_130(aws_env, params, tmp_path):
    cfn = cfn_of(aws_env)
    term = Terminal(["deploy", "-s", "demo", "-e", "dev"], terminal_env(aws_env))
    term.read_until("[y/N]")
    term.proc.send_signal(signal.SIGINT)
    assert term.wait() == 130, term.text
    assert "interrupted: change set deleted, nothing deployed" in term.text
    assert "Traceback" not in term.text
    assert "demo-dev" not in live_stacks(cfn)
    assert not [s for s in cfn.list_stacks()["StackSummaries"] if s["StackStatus"] == "REVIEW_IN_PROGRESS"]


class CtrlCConsole(Console):
    """The live event display, interrupted by Ctrl-C on its first event line."""

    def print(self, *objects, **kwargs):
        raise KeyboardInterrupt


def test_ctrl_c_during_execution_says_what_goes_on_and_the_next_deploy_restores_protections(aws_env, params):
    cfn = cfn_of(aws_env)
    out: list[str] = []
    sink = flow.Sink(out=out.append, err=out.append, warn=out.append, console=lambda: CtrlCConsole(file=sys.stderr))
    selection = flow.Selection("demo", "dev", aws=flow.AwsOptions(endpoint_url=aws_env.url))
    result = flow.deploy(flow.open_deployment(selection), flow.DeployOptions(yes=True), None, sink)
    text = "\n".join(out)
    assert result.exit_code == 130, text
    assert "CloudFormation goes on with stack demo-dev" in text
    assert "`stackc status --system demo --env dev`" in text  # how to follow it, with the selection
    assert "puts back the stack policies" in text
    root = cfn.describe_stacks(StackName="demo-dev")["Stacks"][0]
    assert "StackPolicyBody" not in cfn.get_stack_policy(StackName=root["StackId"])  # not protected yet

    # The next deploy has nothing to change, and still puts every stack policy in place.
    again = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.stdout
    assert "restored the stack policy of root, ClusterStack, LoadbalancingStack, NetworkStack" in again.output
    for stack in live_stacks(cfn).values():
        policy = json.loads(cfn.get_stack_policy(StackName=stack["StackId"])["StackPolicyBody"])
        assert policy["Statement"][0]["Effect"] == "Allow", stack["StackName"]


def test_a_no_op_deploy_restores_lifted_stack_policies(aws_env, params):
    """As an interrupted `--allow-replace` run leaves them: the root's policy lifted to allow-all, a
    nested stack's removed."""
    cfn = cfn_of(aws_env)
    assert invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes").exit_code == 0
    root = cfn.describe_stacks(StackName="demo-dev")["Stacks"][0]
    network = next(s for n, s in live_stacks(cfn).items() if "NetworkStack" in n)
    lifted = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "Update:*", "Resource": "*"}]}
    cfn.set_stack_policy(StackName=root["StackId"], StackPolicyBody=json.dumps(lifted))
    cfn.set_stack_policy(StackName=network["StackId"], StackPolicyBody="{}")
    again = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes")
    assert again.exit_code == 0, again.output
    assert "restored the stack policy of root, NetworkStack" in again.output
    policy = json.loads(cfn.get_stack_policy(StackName=root["StackId"])["StackPolicyBody"])
    assert policy["Statement"][-1] == {
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["Update:Replace", "Update:Delete"],
        "Resource": [
            f"LogicalResourceId/{n}" for n in ("ClusterStack", "LoadbalancingStack", "NetworkStack", "ServiceWebStack")
        ],
    }
    assert json.loads(cfn.get_stack_policy(StackName=network["StackId"])["StackPolicyBody"]) == lifted


def test_destroy_of_a_stack_that_does_not_exist_is_success(aws_env, params):
    result = invoke(aws_env, "destroy", "-s", "demo", "-e", "dev", "--yes")
    assert result.exit_code == 0, result.output
    assert "nothing to delete: no stack of demo/dev exists (demo-dev in us-east-1)" in result.output
