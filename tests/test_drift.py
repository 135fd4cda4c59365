"""`cli.py drift`: the tree and its property differences, on responses validated against botocore's shapes.

moto implements no drift detection (DetectStackDrift answers HTTP 500), so the report is built from
hand-written fixtures in the shape AWS returns (tests/fixtures/drift/, checked by tests/aws_shapes.py),
and on the local endpoint the command is tested for what it can show: a clear error, exit 1."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import cli
from templates_src.deploy import drift

from .aws_shapes import FIXTURES, validate


def fixture(name: str = "realworld-prod") -> list[tuple[str, dict, list[dict]]]:
    data = json.loads((FIXTURES / "drift" / f"{name}.json").read_text())
    return [
        (
            s["path"],
            validate("DescribeStackDriftDetectionStatus", s["status"]),
            [validate("DescribeStackResourceDrifts", page) for page in s["drifts"]],
        )
        for s in data["stacks"]
    ]


def test_fixtures_have_the_shape_aws_returns():
    assert len(fixture()) == 3


def test_report_tree_with_property_differences():
    report = drift.build_report("realworld-prod", "us-east-1", fixture())
    assert report.drifted and report.drifted_resources == 3
    by_path = {s.path: s for s in report.stacks}
    assert by_path["realworld-prod"].status == "IN_SYNC" and by_path["realworld-prod"].resources == ()
    data = by_path["realworld-prod/DataStack"]
    assert [r.logical_id for r in data.resources] == ["DbInstance", "DbSecurityGroup"]  # IN_SYNC DbSecret left out
    db = data.resources[0]
    assert [(p.path, p.expected, p.actual, p.kind) for p in db.properties] == [
        ("/BackupRetentionPeriod", 7, 1, "NOT_EQUAL"),
        ("/MultiAZ", True, False, "NOT_EQUAL"),
    ]
    network = by_path["realworld-prod/NetworkStack"]
    assert network.reason == "Failed to detect drift on resources [FlowLog]"
    assert network.resources[0].status == "DELETED"

    text = drift.render_text(report)
    assert text.startswith("drift of realworld-prod (us-east-1): DRIFTED: 3 resource(s) in 2 stack(s)")
    assert (
        "├─ DataStack  DRIFTED" in text
        and "└─ NetworkStack  DRIFTED (Failed to detect drift on resources [FlowLog])" in text
    )
    assert "~ DbInstance (AWS::RDS::DBInstance) MODIFIED" in text
    assert "/BackupRetentionPeriod: expected 7, actual 1" in text
    assert '/SecurityGroupIngress/0: added outside CloudFormation: {"CidrIp":"0.0.0.0/0"' in text
    assert "- NatGatewayB (AWS::EC2::NatGateway) DELETED" in text
    assert "revert the manual change" in text

    data_json = json.loads(drift.to_json([report]))
    assert data_json["drifted"] is True
    stacks = data_json["roots"][0]["stacks"]
    assert stacks[1]["resources"][0]["properties"][0] == {
        "path": "/BackupRetentionPeriod",
        "expected": 7,
        "actual": 1,
        "difference": "NOT_EQUAL",
    }


def test_in_sync_report():
    results = [(path, status, []) for path, status, _ in fixture()[:1]]
    report = drift.build_report("realworld-prod", "us-east-1", results)
    assert not report.drifted
    assert drift.render_text(report) == "drift of realworld-prod (us-east-1): in sync\nrealworld-prod  IN_SYNC\n"


def test_a_failed_detection_without_findings_is_reported_as_failed():
    path, status, _ = fixture()[2]
    report = drift.build_report("x", "us-east-1", [(path, {**status, "StackDriftStatus": "UNKNOWN"}, [])])
    assert report.stacks[0].status == "FAILED" and "FlowLog" in report.stacks[0].reason


@pytest.mark.emulator
def test_drift_on_the_local_endpoint_says_it_is_not_implemented(aws_env, tmp_path, monkeypatch):
    runner = CliRunner()
    deployed = runner.invoke(cli, ["deploy", "-s", "demo", "-e", "dev", "--yes", "--endpoint-url", aws_env.url])
    assert deployed.exit_code == 0, deployed.output
    result = runner.invoke(cli, ["drift", "-s", "demo", "-e", "dev", "--endpoint-url", aws_env.url])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "does not implement drift detection" in result.output
