"""Parameter memory (issue 11, item 5) on the local endpoint: a `-p` value stays until the params file
changes that value or another `-p` sets it; the plan lists overrides and what a params change replaces;
bootstrap's one-execution values (BuiltTarget.temporary) are never remembered.

What decides it is the deployed root template's parameter Default (the params value of that deploy)
against the stack's parameter value -- both read back from the endpoint, nothing stored elsewhere.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace

import boto3
import pytest
from click.testing import CliRunner

from cli import cli
from templates_src.deploy import flow
from templates_src.deploy import multiregion as mr
from templates_src.deploy.memory import recall

from .helpers import PARAMS_DIR

pytestmark = pytest.mark.emulator


@pytest.fixture
def params(tmp_path, monkeypatch):
    root = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, root)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(root))
    return root


def invoke(aws_env, *args):
    result = CliRunner().invoke(cli, [*args, "--endpoint-url", aws_env.url])
    assert "Traceback" not in result.output
    return result


def service_parameter(aws_env, key: str) -> str:
    cfn = boto3.client("cloudformation", endpoint_url=aws_env.url, region_name="us-east-1")
    root = cfn.describe_stacks(StackName="demo-dev")["Stacks"][0]
    return {p["ParameterKey"]: p["ParameterValue"] for p in root["Parameters"]}[key]


def set_tag(params, tag: str) -> None:
    path = params / "demo" / "_base.yaml"
    text = path.read_text()
    new, n = re.subn(r'(tag:\s*)"?1\.2\d(\.\d+)?"?', rf'\g<1>"{tag}"', text)
    assert n == 1
    path.write_text(new)


def test_a_p_value_stays_until_params_change_it(aws_env, params):
    assert invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes").exit_code == 0
    assert service_parameter(aws_env, "WebImageTag") == "1.27"

    given = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes", "-p", "WebImageTag=1.28")
    assert given.exit_code == 0, given.output
    assert "WebImageTag = 1.28 (-p now; params say 1.27)" in given.output
    assert service_parameter(aws_env, "WebImageTag") == "1.28"

    # No -p: the plan keeps 1.28 (says so) and has nothing to change; the deploy is a no-op, not a revert.
    planned = invoke(aws_env, "plan", "-s", "demo", "-e", "dev", "--format", "json", "--cleanup")
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout)["no_changes"] is True
    assert "WebImageTag = 1.28 (kept from an earlier -p; params say 1.27, unchanged since" in planned.output
    again = invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes")
    assert again.exit_code == 0 and "No changes" in again.stdout
    assert service_parameter(aws_env, "WebImageTag") == "1.28"

    # The params file moves on: its value applies, and the plan says the -p value is replaced.
    set_tag(params, "1.29")
    moved = invoke(aws_env, "plan", "-s", "demo", "-e", "dev", "--cleanup")
    assert "WebImageTag = 1.29 (the params file changed it: the earlier -p value 1.28 is replaced)" in moved.output
    assert re.search(r"WebImageTag\s+1\.28 -> 1\.29", moved.output), moved.output
    assert invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes").exit_code == 0
    assert service_parameter(aws_env, "WebImageTag") == "1.29"
    quiet = invoke(aws_env, "plan", "-s", "demo", "-e", "dev", "--cleanup")
    assert "Parameter overrides" not in quiet.output  # no override left in force


def test_bootstraps_temporary_values_are_never_remembered(aws_env, params):
    """A first deploy's bootstrap runs with desired counts of 0 (BuiltTarget.temporary): the next deploy
    brings the params' count back instead of keeping 0 as if it were a -p."""
    out: list[str] = []
    sink = flow.Sink(out=out.append, err=out.append, warn=out.append)
    d = flow.open_deployment(flow.Selection("demo", "dev", aws=flow.AwsOptions(endpoint_url=aws_env.url)))
    bootstrapped = replace(d, layout=mr.with_temporary(d.layout, {"WebDesiredCount": "0"}))
    result = flow.deploy(bootstrapped, flow.DeployOptions(yes=True), None, sink)
    assert result.exit_code == 0, "\n".join(out)
    assert service_parameter(aws_env, "WebDesiredCount") == "0"

    planned = invoke(aws_env, "plan", "-s", "demo", "-e", "dev", "--cleanup")
    assert "Parameter overrides" not in planned.output
    assert re.search(r"WebDesiredCount\s+0 -> 1", planned.output), planned.output
    assert invoke(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes").exit_code == 0
    assert service_parameter(aws_env, "WebDesiredCount") == "1"


def test_the_rule_on_its_own():
    deployed_values = {"Tag": "1.28", "Count": "2", "Size": "m"}
    deployed_defaults = {"Tag": "1.27", "Count": "2", "Size": "s"}
    memory = recall(deployed_values, deployed_defaults, {"Tag": "1.27", "Count": "3", "Size": "l"}, {})
    assert memory.kept == {"Tag": "1.28"}  # params unchanged since: the -p value stays
    assert memory.replaced == {"Size": ("m", "l")}  # params changed: theirs applies
    assert "Count" not in memory.kept  # no override was in force
    given = recall(deployed_values, deployed_defaults, {"Tag": "1.27"}, {"Tag": "1.30"})
    assert given.kept == {} and given.given == {"Tag": "1.30"}  # a new -p wins
