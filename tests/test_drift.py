"""`cli.py drift`: the tree and its property differences.

On hand-written fixtures in the shape AWS returns (tests/fixtures/drift/, checked by tests/aws_shapes.py): a
failed detection, a DELETED resource, paged results. On the local endpoint end to end: a seed system deployed,
changed out of band through boto3, drift detected by the emulator's drift provider
(templates_src/emulator/drift.py, computed from moto's service backends), and plan's drift warning."""

from __future__ import annotations

import json
import re

import pytest

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


def stack_resource(url: str, logical_id: str, region: str = "us-east-1") -> dict:
    """The stack resource `logical_id` in whichever live stack holds it."""
    from .roundtrip import client, live_stacks

    cfn = client(url, "cloudformation", region)
    for name in live_stacks(url, region):
        for resource in cfn.describe_stack_resources(StackName=name)["StackResources"]:
            if resource["LogicalResourceId"] == logical_id:
                return resource
    raise AssertionError(f"no stack resource {logical_id}")


@pytest.mark.emulator
def test_drift_of_a_seed_system_on_the_local_endpoint(aws_env):
    """realworld dev deployed through the CLI; the emulator's drift detection (templates_src/emulator/drift.py)
    reads the live resources from moto's EC2/Logs/ECS/Secrets Manager backends. Proves: right after a deploy
    every checked resource is in sync (the templates' properties are what the services hold); an ingress rule
    authorized, a log retention, a service's desired count and a database's backup retention changed through boto3 show in `drift`'s tree with the property difference;
    `plan` then warns; the raw responses have botocore's shapes. Not proven: drift of the types the emulator does
    not read (NOT_CHECKED, as AWS reports unsupported types)."""
    import os
    from pathlib import Path

    from .roundtrip import cli_run, client, deploy_from_nothing, live_stacks

    url, build = aws_env.url, Path(os.environ["STACKC_BUILD_DIR"])
    deploy_from_nothing(url, "realworld", "dev", build)
    clean = cli_run(url, "drift", "-s", "realworld", "-e", "dev", "--exit-code")
    assert clean.output.startswith("drift of realworld-dev (us-east-1): in sync; "), clean.output
    # How much the verdict covers: per stack, resources compared and resources of types not checked.
    counts = [tuple(map(int, m)) for m in re.findall(r"\[(\d+) checked, (\d+) not checked\]", clean.output)]
    stacks = [line for line in clean.output.splitlines()[1:] if "IN_SYNC" in line or "DRIFTED" in line]
    assert len(counts) == len(stacks) > 1 and sum(c for c, _ in counts) >= 3, clean.output
    assert counts[0] == (0, counts[0][1]) and counts[0][1] > 0, clean.output  # the root holds nested stacks only
    planned = cli_run(url, "plan", "-s", "realworld", "-e", "dev")
    assert "drift:" not in planned.output

    group = stack_resource(url, "ApiSecurityGroup")["PhysicalResourceId"]
    client(url, "ec2").authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    log_group = stack_resource(url, "ApiLogGroup")["PhysicalResourceId"]
    built = json.loads((build / "realworld" / "dev" / "service-api.json").read_text())
    retention = built["Resources"]["ApiLogGroup"]["Properties"]["RetentionInDays"]
    changed = 1 if retention != 1 else 5
    client(url, "logs").put_retention_policy(logGroupName=log_group, retentionInDays=changed)

    service = stack_resource(url, "ApiService")["PhysicalResourceId"]
    ecs = client(url, "ecs")
    [running] = [
        x
        for c in ecs.list_clusters()["clusterArns"]
        for x in ecs.describe_services(cluster=c, services=[service])["services"]
    ]
    ecs.update_service(cluster=running["clusterArn"], service=service, desiredCount=running["desiredCount"] + 2)
    database = stack_resource(url, "DbInstance")["PhysicalResourceId"]
    rds = client(url, "rds")
    # In sync above, so the live value is the template's (a parameter of the data stack).
    backups = rds.describe_db_instances(DBInstanceIdentifier=database)["DBInstances"][0]["BackupRetentionPeriod"]
    rds.modify_db_instance(DBInstanceIdentifier=database, BackupRetentionPeriod=backups + 6, ApplyImmediately=True)

    found = cli_run(url, "drift", "-s", "realworld", "-e", "dev", "--exit-code", ok=False)
    assert found.exit_code == 1, found.output
    text = found.output
    assert text.startswith("drift of realworld-dev (us-east-1): DRIFTED: 4 resource(s) in 2 stack(s)"), text
    assert "ServiceApiStack  DRIFTED" in text and "DataStack  DRIFTED" in text
    assert "~ DbInstance (AWS::RDS::DBInstance) MODIFIED" in text
    assert f"/BackupRetentionPeriod: expected {backups}, actual {backups + 6}" in text
    assert "~ ApiSecurityGroup (AWS::EC2::SecurityGroup) MODIFIED" in text
    assert '/SecurityGroupIngress/1: added outside CloudFormation: {"CidrIp":"0.0.0.0/0","FromPort":22' in text
    assert "~ ApiLogGroup (AWS::Logs::LogGroup) MODIFIED" in text
    assert f"/RetentionInDays: expected {retention}, actual {changed}" in text
    assert "~ ApiService (AWS::ECS::Service) MODIFIED" in text
    assert f"/DesiredCount: expected {running['desiredCount']}, actual {running['desiredCount'] + 2}" in text
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    shown = readme.split("<!-- drift:start -->\n```\n$ cli.py drift -s realworld -e dev\n", 1)[1].split("```", 1)[0]
    assert shown == text, f"README's drift example differs from what the command prints now:\n{text}"
    report = json.loads(cli_run(url, "drift", "-s", "realworld", "-e", "dev", "--format", "json").output)
    drifted = [s for s in report["roots"][0]["stacks"] if s["status"] == "DRIFTED"]
    assert [s["path"] for s in drifted] == ["realworld-dev/DataStack", "realworld-dev/ServiceApiStack"]

    planned = cli_run(url, "plan", "-s", "realworld", "-e", "dev")
    assert (
        "drift: realworld-dev/DataStack, realworld-dev/ServiceApiStack drifted at the last drift check"
        in planned.output
    ), planned.output

    # The raw responses, as boto3 parsed them, have botocore's output shapes.
    cfn = client(url, "cloudformation")
    for name, stack in live_stacks(url, "us-east-1").items():
        assert validate("DescribeStacks", {"Stacks": [stack]})["Stacks"][0]["DriftInformation"]["StackDriftStatus"] in (
            "IN_SYNC",
            "DRIFTED",
        )
        detection = cfn.detect_stack_drift(StackName=name)["StackDriftDetectionId"]
        validate(
            "DescribeStackDriftDetectionStatus",
            cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection),
        )
        validate("DescribeStackResourceDrifts", cfn.describe_stack_resource_drifts(StackName=name))
        validate("DescribeStackResources", cfn.describe_stack_resources(StackName=name))
        listed = validate("ListStackResources", cfn.list_stack_resources(StackName=name))["StackResourceSummaries"]
        assert all("DriftInformation" in r for r in listed)
    one = cfn.detect_stack_resource_drift(
        StackName=stack_resource(url, "ApiLogGroup")["StackId"], LogicalResourceId="ApiLogGroup"
    )
    assert validate("DetectStackResourceDrift", one)["StackResourceDrift"]["PropertyDifferences"] == [
        {
            "PropertyPath": "/RetentionInDays",
            "ExpectedValue": str(retention),
            "ActualValue": str(changed),
            "DifferenceType": "NOT_EQUAL",
        }
    ]
