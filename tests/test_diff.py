"""`cli.py diff`: the build against the deployed templates (GetTemplate, root and nested), no change set.

The comparison itself is pure (templates_src/deploy/diff.py) and tested on template dicts; the command is
tested on the local endpoint (moto's server on 127.0.0.1, tests/emulator.py): deploy, diff (nothing),
change an image tag, diff (the task definition is replaced, forced by ContainerDefinitions)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from cli import cli
from templates_src.deploy.deployed import DeployedStack, parse_template
from templates_src.deploy.diff import BuiltStacks, compare, render_text, summary

from .test_deploy_roundtrip import bump_image_tag


def stack_res(url: str, **params) -> dict:
    return {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url, "Parameters": params}}


ROOT = {
    "Parameters": {"DbName": {"Type": "String", "Default": "app"}},
    "Resources": {
        "DataStack": stack_res("data.json", DbName={"Ref": "DbName"}, Vpc={"Fn::GetAtt": ["Net", "Outputs.Vpc"]})
    },
}
DATA = {
    "Parameters": {"DbName": {"Type": "String"}, "Vpc": {"Type": "String"}},
    "Resources": {
        "Db": {
            "Type": "AWS::RDS::DBCluster",
            "Properties": {"Engine": "aurora-postgresql", "DatabaseName": {"Ref": "DbName"}},
        },
        "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "db", "VpcId": {"Ref": "Vpc"}}},
    },
}


def deployed_pair(root=ROOT, data=DATA, db_name="app"):
    packaged = json.loads(json.dumps(root))
    packaged["Resources"]["DataStack"]["Properties"]["TemplateURL"] = "https://bucket.s3.amazonaws.com/abc/data.json"
    return [
        DeployedStack("shop-prod", "", "shop-prod", "UPDATE_COMPLETE", packaged, {"DbName": db_name}),
        DeployedStack(
            "shop-prod/DataStack",
            "DataStack",
            "shop-prod-DataStack-X",
            "UPDATE_COMPLETE",
            data,
            {"DbName": db_name, "Vpc": "vpc-1"},
        ),
    ]


def built(root=ROOT, data=DATA, values=None, children=None):
    kids = children if children is not None else {"DataStack": ("data", data)}
    return BuiltStacks("", "us-east-1", "shop-prod", root, values or {}, kids)


def test_same_build_and_deployment_differ_in_nothing_but_the_packaged_url():
    diffs = compare(built(), deployed_pair())
    assert [d.status for d in diffs] == ["unchanged", "unchanged"]
    assert summary(diffs)["stacks_changed"] == 0


def test_a_root_parameter_reaches_the_child_and_predicts_replacement():
    diffs = compare(built(values={"DbName": "shop"}), deployed_pair())
    root, data = diffs
    assert root.parameters == (("DbName", "app", "shop"),)
    db = data.resources["Db"]
    assert (db.replacement, db.forcing) == ("True", ("DatabaseName",))
    assert "Sg" not in data.resources  # fed from another stack's output: as deployed
    text = render_text(diffs, "shop/prod")
    assert "~ Db AWS::RDS::DBCluster  REPLACED (forced by DatabaseName)" in text
    assert "parameter DbName: 'app' -> 'shop'" in text


def test_added_and_removed_stacks_and_resources():
    data2 = json.loads(json.dumps(DATA))
    data2["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic", "Properties": {}}
    del data2["Resources"]["Sg"]
    root2 = json.loads(json.dumps(ROOT))
    root2["Resources"]["CacheStack"] = stack_res("cache.json")
    cache = {"Resources": {"Cache": {"Type": "AWS::ElastiCache::ServerlessCache", "Properties": {"Engine": "valkey"}}}}
    diffs = compare(
        built(root2, data2, children={"DataStack": ("data", data2), "CacheStack": ("cache", cache)}), deployed_pair()
    )
    by_path = {d.path: d for d in diffs}
    assert by_path["shop-prod/CacheStack"].status == "added"
    assert by_path["shop-prod/CacheStack"].resources["Cache"].action == "Add"
    data = by_path["shop-prod/DataStack"].resources
    assert data["Topic"].action == "Add" and data["Sg"].action == "Remove"
    assert by_path["shop-prod"].resources["CacheStack"].action == "Add"
    gone = compare(built(children={}), deployed_pair())
    assert [d.status for d in gone if d.path == "shop-prod/DataStack"] == ["removed"]


def test_an_output_that_moves_changes_the_stacks_it_feeds():
    net = {
        "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}},
        "Outputs": {"Vpc": {"Value": {"Ref": "Vpc"}}},
    }
    root = json.loads(json.dumps(ROOT))
    root["Resources"]["Net"] = stack_res("network.json")
    moved = json.loads(json.dumps(net))
    moved["Resources"]["Vpc"]["Properties"]["CidrBlock"] = "10.1.0.0/16"
    live = deployed_pair(root)
    live.append(DeployedStack("shop-prod/Net", "Net", "shop-prod-Net-X", "UPDATE_COMPLETE", net, {}))
    diffs = compare(built(root, children={"DataStack": ("data", DATA), "Net": ("network", moved)}), live)
    by_path = {d.path: d for d in diffs}
    assert by_path["shop-prod/Net"].resources["Vpc"].replacement == "True"
    data = by_path["shop-prod/DataStack"]
    assert data.resources["Sg"].replacement == "Conditional" and data.resources["Sg"].changes[0].via == ("Vpc",)
    assert ("Vpc", "vpc-1", "(changes: fed from an output that moves)") in data.parameters
    unmoved = compare(built(root, children={"DataStack": ("data", DATA), "Net": ("network", net)}), live)
    assert all(d.status == "unchanged" for d in unmoved)


def test_nothing_deployed_is_every_stack_added():
    diffs = compare(built(), None)
    assert [d.status for d in diffs] == ["added", "added"]


def test_templates_come_back_as_json_or_yaml():
    assert parse_template('{"Resources": {}}') == {"Resources": {}}
    assert parse_template(
        "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref N\n"
    ) == {"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "N"}}}}}


# ------------------------------------------------------------------------------------- local endpoint


def run(endpoint, *args, code=0):
    result = CliRunner().invoke(cli, [*args, "--endpoint-url", endpoint.url])
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    return result


@pytest.mark.emulator
def test_diff_on_the_local_endpoint(aws_env, params):
    before = run(aws_env, "diff", "-s", "demo", "-e", "dev")
    assert "demo-dev: new stack" in before.output  # nothing deployed yet: everything would be created

    run(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes")
    same = run(aws_env, "diff", "-s", "demo", "-e", "dev", "--exit-code")
    assert "0 stack(s) differ" in same.output, same.output
    assert "demo-dev: no change" in same.output

    _, old, new = bump_image_tag(params)
    changed = run(aws_env, "diff", "-s", "demo", "-e", "dev", "--exit-code", code=1)
    assert f"'{old}' -> '{new}'" in changed.output
    data = json.loads(run(aws_env, "diff", "-s", "demo", "-e", "dev", "--format", "json").output)
    tasks = [
        r
        for s in data["stacks"]
        for r in s["resources"]
        if r["type"] == "AWS::ECS::TaskDefinition" and r["action"] == "Modify"
    ]
    assert len(tasks) == 1 and tasks[0]["replacement"] == "True" and tasks[0]["forcing"] == ["ContainerDefinitions"]
    services = [r for s in data["stacks"] for r in s["resources"] if r["type"] == "AWS::ECS::Service"]
    assert services and all(r["replacement"] == "False" for r in services)  # new task definition, in place
    md = run(aws_env, "diff", "-s", "demo", "-e", "dev", "--format", "markdown").output
    assert "| AWS::ECS::TaskDefinition | Modify | True | ContainerDefinitions |" in md


@pytest.mark.emulator
def test_plan_shows_the_cost_change_of_a_deploy(aws_env, params):
    run(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes")
    same = run(aws_env, "plan", "-s", "demo", "-e", "dev", "--cleanup")
    assert "cost: no change" in same.output
    total = lambda: json.loads(CliRunner().invoke(cli, ["cost", "-s", "demo", "-e", "dev", "--format", "json"]).output)  # noqa: E731
    before = total()["by_component"]["Fargate"]
    base = params / "demo" / "_base.yaml"
    base.write_text(base.read_text().replace("desired_count: 1", "desired_count: 3", 1))
    after = total()["by_component"]["Fargate"]
    more = run(aws_env, "plan", "-s", "demo", "-e", "dev", "--cleanup")
    line = next(x for x in more.output.splitlines() if x.startswith("cost: "))
    shown = float(re.match(r"cost: \+\$([\d,.]+) a month", line).group(1).replace(",", ""))
    assert after > before and abs(shown - (after - before)) <= 0.011, line  # components are rounded to cents
    assert "Fargate +$" in line
    assert "drift:" not in more.output  # no drift check has run: nothing to warn about


@pytest.mark.emulator
def test_readme_diff_of_a_seed_system_predicting_a_replacement(aws_env, params):
    """realworld dev deployed on the local endpoint, then its database renamed in params: `diff` predicts the
    instance's replacement (DBName is create-only) with no change set, and prints what README's Diff section shows."""
    import os
    from pathlib import Path

    from .roundtrip import deploy_from_nothing

    deploy_from_nothing(aws_env.url, "realworld", "dev", Path(os.environ["STACKC_BUILD_DIR"]))
    base = params / "realworld" / "_base.yaml"
    text = base.read_text()
    assert text.count("database_name: realworld") == 1
    base.write_text(text.replace("database_name: realworld", "database_name: conduit"))
    result = run(aws_env, "diff", "-s", "realworld", "-e", "dev", "--exit-code", code=1)
    assert re.search(r"~ DbInstance AWS::RDS::DBInstance  REPLACED \(forced by DBName\)", result.output), result.output
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    shown = readme.split("<!-- diff:start -->\n```\n$ cli.py diff -s realworld -e dev\n", 1)[1].split("```", 1)[0]
    assert shown == result.output, f"README's diff example differs from what the command prints now:\n{result.output}"
