"""`review FILE...` on DescribeChangeSet outputs AWS publishes in the CloudFormation User Guide, kept
exactly as published (tests/fixtures/aws_docs/, sources in SOURCES.md), and the review's fidelity:
causes read as AWS documents them (the Static entry of a Dynamic/Static pair), before -> after values,
the security section, NoEcho masking, a nested change set that cannot be read as a danger.

Every response is validated against botocore's DescribeChangeSet output shape after the reader's
normalisation (nulls dropped, camelCase keys made PascalCase), so the reader cannot accept what the API
never returns.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from templates_src.deploy import review as rv
from templates_src.deploy.saved import normalise

from .aws_shapes import FIXTURES, validate

DOCS = FIXTURES / "aws_docs"
PUBLISHED = ["samples_direct.json", "samples_parameter.json", "samples_multiple.json", "samples_addremove.json",
             "nested_root.json", "nested_child.json"]  # fmt: skip


def review(*paths, fmt="text"):
    result = CliRunner().invoke(cli, ["review", *map(str, paths), "--format", fmt])
    assert "Traceback" not in result.output
    return result


def property_values_example(tmp_path: Path) -> Path:
    """The *Viewing property-level changes* example as the page shows it: the change set's fields up to
    `"RollbackConfiguration": {`, a pager's `:...skipping...`, then `{"Changes": [...]` without its closing
    brace. Joined here the way the page shows the two halves, nothing else changed."""
    text = (DOCS / "samples_property_values.published.txt").read_text()
    head, tail = text.split(":...skipping...\n")
    head = head[: head.rindex('"RollbackConfiguration"')].rstrip().rstrip(",")
    joined = json.loads("{" + head + "}") | json.loads(tail + "}")
    path = tmp_path / "property_values.json"
    path.write_text(json.dumps(joined, indent=4))
    return path


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_examples_are_describe_change_set_outputs(name):
    raw = json.loads((DOCS / name).read_text())
    validate("DescribeChangeSet", normalise(raw))
    if name.startswith("nested"):
        assert None in raw.values()  # as the AWS CLI prints it: nulls for absent fields


def test_a_direct_modification():
    result = review(DOCS / "samples_direct.json")
    assert result.exit_code == 0, result.output
    assert re.search(r"└─ MyEC2Instance\s+Modify\s+AWS::EC2::Instance\s+replacement=False", result.output)
    assert "changes: Tags (edited)" in result.output


def test_a_parameter_change_reads_the_static_entry_only():
    """AWS: a Ref to a changed parameter gives a Dynamic DirectModification entry and a Static
    ParameterReference one with the same target; the Static one says what happened."""
    result = review(DOCS / "samples_parameter.json")
    assert result.exit_code == 0, result.output
    assert "changes: Tags (parameter Purpose)" in result.output
    assert "edited" not in result.output and "if its value changes" not in result.output


def test_replacement_true_names_the_properties_that_force_it():
    result = review(DOCS / "samples_multiple.json")
    assert result.exit_code == 0, result.output  # an EC2 instance holds no data the review knows of: warn
    assert "replacement=True" in result.output
    assert "forced by: KeyName (parameter KeyPairName), InstanceType (parameter InstanceType)" in result.output
    assert "changes: Tags (parameter Purpose)" in result.output
    data = json.loads(review(DOCS / "samples_multiple.json", fmt="json").stdout)
    change = data["changes"][0]
    assert change["replacement_causes"] == ["KeyName", "InstanceType"]
    assert [d["evaluation"] for d in change["details"]] == ["Static"] * 3  # the Dynamic halves are dropped
    assert {d["requires_recreation"] for d in change["details"]} == {"Always", "Conditionally", "Never"}


def test_add_and_remove():
    result = review(DOCS / "samples_addremove.json")
    assert result.exit_code == 0, result.output
    assert re.search(r"MyEC2Instance\s+Remove\s+AWS::EC2::Instance\s+warn", result.output)
    assert re.search(r"AutoScalingGroup\s+Add\s+AWS::AutoScaling::AutoScalingGroup", result.output)
    assert re.search(r"LaunchConfig\s+Add\s+AWS::AutoScaling::LaunchConfiguration", result.output)


@pytest.mark.parametrize(
    "order", [("nested_root.json", "nested_child.json"), ("nested_child.json", "nested_root.json")]
)
def test_nested_root_and_child_in_separate_files(order):
    result = review(*(DOCS / name for name in order))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Plan for my-root-stack (saved change set): 2 resource changes")
    assert re.search(r"└─ ChildStack\s+Modify\s+AWS::CloudFormation::Stack\n", result.output)
    assert re.search(r"   └─ function\s+Modify\s+AWS::Lambda::Function\s+replacement=False", result.output)
    assert "changes: Timeout (edited)" in result.output


def test_one_file_holding_a_list(tmp_path):
    both = tmp_path / "both.json"
    both.write_text(json.dumps([json.loads((DOCS / n).read_text()) for n in ("nested_root.json", "nested_child.json")]))
    assert review(both).output == review(DOCS / "nested_root.json", DOCS / "nested_child.json").output


def test_a_nested_change_set_that_cannot_be_read_is_a_danger():
    """Fail-closed: without the child's change set nobody knows what the nested stack's update does."""
    result = review(DOCS / "nested_root.json")
    assert result.exit_code == 3, result.output
    assert "!!   my-root-stack/ChildStack (AWS::CloudFormation::Stack): Modify" in result.output
    assert "its nested change set could not be read" in result.output


def test_the_include_property_values_example_shows_before_and_after(tmp_path):
    path = property_values_example(tmp_path)
    validate("DescribeChangeSet", normalise(json.loads(path.read_text())))
    result = review(path)
    assert result.exit_code == 0, result.output
    assert "Tags/0/Value: testing -> Test" in result.output
    assert "Tags/0/Key: Purpose -> Test" in result.output
    detail = json.loads(review(path, fmt="json").stdout)["changes"][0]["details"][0]
    assert (detail["path"], detail["before"], detail["after"], detail["change_type"]) == (
        "/Properties/Tags/0/Value",
        "testing",
        "Test",
        "Modify",
    )


def _camel(value):
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def test_the_consoles_camel_case_json_reads_the_same(tmp_path):
    paths = []
    for name in ("nested_root.json", "nested_child.json"):
        path = tmp_path / name
        path.write_text(json.dumps(_camel(json.loads((DOCS / name).read_text()))))
        paths.append(path)
    assert '"changeSetId"' in paths[0].read_text()
    assert (
        review(*paths, fmt="json").stdout
        == review(DOCS / "nested_root.json", DOCS / "nested_child.json", fmt="json").stdout
    )


def test_bad_input_is_exit_2(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"ChangeSetId": ')
    result = review(broken)
    assert result.exit_code == 2 and f"{broken}:1: not JSON" in result.output
    other = tmp_path / "stack.json"
    other.write_text('{"Stacks": []}')
    result = review(other)
    assert result.exit_code == 2 and "not a DescribeChangeSet output" in result.output
    assert review(tmp_path / "missing.json").exit_code == 2


# ------------------------------------------------------------------------- security and secrets


SAVED = FIXTURES / "review" / "shop-prod-api-update.json"


def security_review() -> rv.Review:
    """No secret_parameters given: DbPassword is masked because the change set shows it as ****."""
    responses = [validate("DescribeChangeSet", r) for r in json.loads(SAVED.read_text())]
    return rv.build_review(responses)


def test_the_readme_shows_this_review_as_stackc_prints_it():
    readme = (FIXTURES.parent.parent / "README.md").read_text()
    block = readme.split("$ stackc review tests/fixtures/review/shop-prod-api-update.json\n", 1)[1].split("```", 1)[0]
    result = review(SAVED)
    assert result.exit_code == 0, result.output
    assert block == result.output


def test_security_section_lists_statements_and_rules_added_widened_removed():
    text = rv.render_text(security_review())
    section = text.split("Security changes", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert section == [
        "  ^ widened shop-prod/ApiStack/ApiTaskRole (AWS::IAM::Role): inline policy app: [ReadUploads] Allow "
        "s3:DeleteObject, s3:GetObject, s3:PutObject on arn:aws:s3:::shop-prod-uploads/* (adds s3:DeleteObject, "
        "s3:PutObject)",
        "  + added   shop-prod/ApiStack/ApiTaskRole (AWS::IAM::Role): inline policy app: [Kms] Allow kms:* on *  [OPEN]",
        "  - removed shop-prod/ApiStack/ApiTaskRole (AWS::IAM::Role): inline policy app: [Queue] Allow sqs:SendMessage "
        "on arn:aws:sqs:eu-west-1:111122223333:orders",
        "  ^ widened shop-prod/ApiStack/ApiSecurityGroup (AWS::EC2::SecurityGroup): egress tcp 443 to 10.0.0.0/16 -> "
        "egress tcp 443 to 0.0.0.0/0",
        "  + added   shop-prod/ApiStack/ApiSecurityGroup (AWS::EC2::SecurityGroup): ingress tcp 22 from 0.0.0.0/0  [OPEN]",
    ]
    role = next(c for c in security_review().changes if c.logical_id == "ApiTaskRole")
    assert role.risk == "warn" and "grants more access" in role.risk_reason


def test_noecho_values_never_show():
    review_ = security_review()
    for text in (rv.render_text(review_), rv.render_markdown(review_), json.dumps(rv.to_json(review_))):
        assert "old-pass" not in text and "new-pass" not in text
    assert "ContainerDefinitions/0/Environment/2/Value: **** -> ****" in rv.render_text(review_)
    assert "ContainerDefinitions/0/Image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.41.0 -> " in (
        rv.render_text(review_)
    )


def test_properties_named_like_secrets_are_masked():
    details = [
        {
            "Target": {
                "Attribute": "Properties",
                "Name": "MasterUserPassword",
                "RequiresRecreation": "Never",
                "Path": "/Properties/MasterUserPassword",
                "BeforeValue": "hunter2",
                "AfterValue": "hunter3",
                "AttributeChangeType": "Modify",
            },
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        }
    ]
    (cause,) = rv.causes_of(details)
    assert (cause.before, cause.after) == ("****", "****")


def test_a_security_resource_without_values_says_so():
    """A change set described without --include-property-values (as the User Guide's samples are) has
    no contexts to compare: the security section says so instead of staying silent."""
    response = json.loads((DOCS / "samples_direct.json").read_text())
    response["Changes"][0]["ResourceChange"].update(
        ResourceType="AWS::EC2::SecurityGroup", LogicalResourceId="WebSg", PhysicalResourceId="sg-1abc23d4"
    )
    validate("DescribeChangeSet", response)
    text = rv.render_text(rv.build_review([response]))
    assert "? modify  MyStack/WebSg (AWS::EC2::SecurityGroup): the change set carries no property values" in text


# ------------------------------------------------------- Conditional replacement, judged offline


class Predicted:
    """What templates_src/replacement.py predicts for one resource (its Prediction's two fields used)."""

    def __init__(self, replacement, forcing=()):
        self.replacement, self.forcing = replacement, tuple(forcing)


def test_a_conditional_replacement_stays_a_danger_unless_no_create_only_property_changes():
    from .aws_shapes import load_fixture

    f = load_fixture("changesets", "update_replaces_database.json")
    review_ = rv.build_review(f["DescribeChangeSet"])
    writer = "shop-prod/DataStack/OrdersDbWriter"  # Conditional, via the replaced cluster

    def risk(predictions):
        judged = rv.judge_conditional(review_, predictions)
        return next((c.risk, c.risk_reason) for c in judged.changes if c.path == writer)

    assert risk({})[0] == "danger" and "no offline prediction could be made" in risk({})[1]
    assert risk({writer: Predicted("Unknown")})[0] == "danger"
    forced = risk({writer: Predicted("Conditional", ["DBClusterIdentifier"])})
    assert forced[0] == "danger" and "create-only properties that change: DBClusterIdentifier" in forced[1]
    in_place = risk({writer: Predicted("False")})
    assert in_place[0] == "warn" and "no create-only property of its schema changes" in in_place[1]
    # A True replacement is never lowered, whatever the prediction says.
    cluster = next(c for c in rv.judge_conditional(review_, {}).changes if c.logical_id == "OrdersDbCluster")
    assert cluster.risk == "danger"
