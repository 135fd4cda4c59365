"""The local endpoint's drift detection (templates_src/emulator/drift.py), on a stack created through boto3.

What it proves: DetectStackDrift / DescribeStackDriftDetectionStatus / DescribeStackResourceDrifts /
DetectStackResourceDrift answer in botocore's shapes (tests/aws_shapes.py), from the live resources in moto's
EC2, CloudWatch Logs, SSM, Secrets Manager, S3, SQS, ECR, KMS and CloudWatch backends: in sync right after the create (which needs the
create-path patches for security group rules, S3 versioning/public access block and SSM tag maps), then each
change made out of band through the service's own API is a property difference (ADD / REMOVE / NOT_EQUAL), a
resource deleted out of band is DELETED, and a type the emulator cannot read is NOT_CHECKED (absent from the
drifts, as AWS leaves out types without drift support). No secret value appears in any drift response.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from .aws_shapes import validate

pytestmark = pytest.mark.emulator

SECRET = "s3cr3t-value-never-shown"


def template(vpc_id: str) -> dict:
    return {
        "Resources": {
            "Group": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "web",
                    "VpcId": vpc_id,
                    "SecurityGroupIngress": [
                        {
                            "IpProtocol": "tcp",
                            "FromPort": 443,
                            "ToPort": 443,
                            "CidrIp": "0.0.0.0/0",
                            "Description": "https",
                        }
                    ],
                    "SecurityGroupEgress": [
                        {"IpProtocol": "tcp", "FromPort": "5432", "ToPort": "5432", "CidrIp": "10.0.0.0/16"}
                    ],
                    "Tags": [{"Key": "team", "Value": "web"}],
                },
            },
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": "/drift/app", "RetentionInDays": 14},
            },
            "Setting": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "/drift/setting", "Type": "String", "Value": "on", "Tags": {"team": "web"}},
            },
            "Secret": {
                "Type": "AWS::SecretsManager::Secret",
                "Properties": {
                    "Name": "drift-secret",
                    "SecretString": SECRET,
                    "Tags": [{"Key": "team", "Value": "web"}],
                },
            },
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": "drift-bucket-x1",
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}
                        ]
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    },
                },
            },
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"VisibilityTimeout": 60, "MessageRetentionPeriod": "86400"},
            },
            "Images": {
                "Type": "AWS::ECR::Repository",
                "Properties": {
                    "RepositoryName": "drift-images",
                    "ImageTagMutability": "IMMUTABLE",
                    "ImageScanningConfiguration": {"ScanOnPush": True},
                },
            },
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {
                    "Description": "drift key",
                    "EnableKeyRotation": True,
                    "KeyPolicy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
                        ],
                    },
                },
            },
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmName": "drift-cpu",
                    "Namespace": "AWS/ECS",
                    "MetricName": "CPUUtilization",
                    "Statistic": "Average",
                    "Period": 60,
                    "EvaluationPeriods": 3,
                    "Threshold": 80,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "TreatMissingData": "notBreaching",
                },
            },
        }
    }


@pytest.fixture
def stack(aws_env):
    def client(service: str):
        return boto3.client(service, endpoint_url=aws_env.url, region_name="us-east-1")

    vpc = client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    client("cloudformation").create_stack(StackName="drifty", TemplateBody=json.dumps(template(vpc)))
    return client


def detect(cfn) -> tuple[dict, dict[str, dict]]:
    detection = cfn.detect_stack_drift(StackName="drifty")["StackDriftDetectionId"]
    status = validate(
        "DescribeStackDriftDetectionStatus", cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    )
    drifts = validate("DescribeStackResourceDrifts", cfn.describe_stack_resource_drifts(StackName="drifty"))
    assert SECRET not in json.dumps(drifts, default=str)
    return status, {d["LogicalResourceId"]: d for d in drifts["StackResourceDrifts"]}


def test_in_sync_after_create_and_not_checked_types_left_out(stack):
    cfn = stack("cloudformation")
    before = validate("DescribeStacks", cfn.describe_stacks(StackName="drifty"))["Stacks"][0]
    assert before["DriftInformation"] == {"StackDriftStatus": "NOT_CHECKED"}
    status, drifts = detect(cfn)
    assert status["DetectionStatus"] == "DETECTION_COMPLETE" and status["StackDriftStatus"] == "IN_SYNC"
    assert status["DriftedStackResourceCount"] == 0
    checked = ["Alarm", "Bucket", "Group", "Images", "Key", "Logs", "Queue", "Secret", "Setting"]
    assert sorted(drifts) == checked  # Topic: not read, not listed
    assert all(d["StackResourceDriftStatus"] == "IN_SYNC" and d["PropertyDifferences"] == [] for d in drifts.values())
    assert json.loads(drifts["Logs"]["ExpectedProperties"]) == {"LogGroupName": "/drift/app", "RetentionInDays": 14}
    resources = validate("DescribeStackResources", cfn.describe_stack_resources(StackName="drifty"))
    by_id = {
        r["LogicalResourceId"]: r["DriftInformation"]["StackResourceDriftStatus"] for r in resources["StackResources"]
    }
    assert by_id == {logical_id: "IN_SYNC" for logical_id in checked} | {"Topic": "NOT_CHECKED"}
    after = cfn.describe_stacks(StackName="drifty")["Stacks"][0]["DriftInformation"]
    assert after["StackDriftStatus"] == "IN_SYNC" and after["LastCheckTimestamp"].tzinfo is not None


def test_the_create_keeps_what_the_template_says(stack):
    """The create-path patches drift detection relies on: egress exactly as given (no default allow-all),
    rule descriptions, bucket versioning, public access block and bucket key, SSM tags given as a map."""
    ec2, s3, ssm = stack("ec2"), stack("s3"), stack("ssm")
    cfn = stack("cloudformation")
    group_id = cfn.describe_stack_resource(StackName="drifty", LogicalResourceId="Group")["StackResourceDetail"][
        "PhysicalResourceId"
    ]
    [group] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    assert [(p["IpProtocol"], p.get("FromPort"), p["IpRanges"]) for p in group["IpPermissionsEgress"]] == [
        ("tcp", 5432, [{"CidrIp": "10.0.0.0/16"}])
    ]
    assert group["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "https"}]
    assert s3.get_bucket_versioning(Bucket="drift-bucket-x1")["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket="drift-bucket-x1")["PublicAccessBlockConfiguration"]["BlockPublicAcls"]
    [rule] = s3.get_bucket_encryption(Bucket="drift-bucket-x1")["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["BucketKeyEnabled"] is True
    tags = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/drift/setting")["TagList"]
    assert tags == [{"Key": "team", "Value": "web"}]


def test_changes_out_of_band_are_property_differences(stack):
    cfn, ec2 = stack("cloudformation"), stack("ec2")
    group_id = cfn.describe_stack_resource(StackName="drifty", LogicalResourceId="Group")["StackResourceDetail"][
        "PhysicalResourceId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    ec2.revoke_security_group_egress(
        GroupId=group_id,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
        ],
    )
    stack("ssm").put_parameter(Name="/drift/setting", Value="off", Overwrite=True)
    stack("ssm").add_tags_to_resource(
        ResourceType="Parameter", ResourceId="/drift/setting", Tags=[{"Key": "x", "Value": "y"}]
    )
    stack("secretsmanager").tag_resource(SecretId="drift-secret", Tags=[{"Key": "owner", "Value": "ops"}])
    stack("s3").put_bucket_versioning(Bucket="drift-bucket-x1", VersioningConfiguration={"Status": "Suspended"})
    stack("logs").delete_log_group(logGroupName="/drift/app")
    queue_url = cfn.describe_stack_resource(StackName="drifty", LogicalResourceId="Queue")["StackResourceDetail"][
        "PhysicalResourceId"
    ]
    stack("sqs").set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "30"})
    stack("ecr").put_image_tag_mutability(repositoryName="drift-images", imageTagMutability="MUTABLE")
    key_id = cfn.describe_stack_resource(StackName="drifty", LogicalResourceId="Key")["StackResourceDetail"][
        "PhysicalResourceId"
    ]
    stack("kms").disable_key_rotation(KeyId=key_id)
    stack("cloudwatch").put_metric_alarm(
        AlarmName="drift-cpu",
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=3,
        Threshold=95,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )

    status, drifts = detect(cfn)
    assert status["StackDriftStatus"] == "DRIFTED" and status["DriftedStackResourceCount"] == 9

    def differences(logical_id: str) -> list[tuple]:
        return [
            (d["PropertyPath"], json.loads(d["ExpectedValue"]), json.loads(d["ActualValue"]), d["DifferenceType"])
            for d in drifts[logical_id]["PropertyDifferences"]
        ]

    assert differences("Group") == [
        (
            "/SecurityGroupEgress/0",
            {"CidrIp": "10.0.0.0/16", "FromPort": "5432", "IpProtocol": "tcp", "ToPort": "5432"},
            None,
            "REMOVE",
        ),
        (
            "/SecurityGroupIngress/1",
            None,
            {"CidrIp": "0.0.0.0/0", "FromPort": 22, "IpProtocol": "tcp", "ToPort": 22},
            "ADD",
        ),
    ]
    assert differences("Setting") == [("/Tags/x", None, "y", "ADD"), ("/Value", "on", "off", "NOT_EQUAL")]
    assert differences("Secret") == [("/Tags/1", None, {"Key": "owner", "Value": "ops"}, "ADD")]
    assert differences("Bucket") == [("/VersioningConfiguration/Status", "Enabled", "Suspended", "NOT_EQUAL")]
    assert drifts["Logs"]["StackResourceDriftStatus"] == "DELETED" and "ActualProperties" not in drifts["Logs"]
    assert differences("Queue") == [("/VisibilityTimeout", 60, 30, "NOT_EQUAL")]
    assert differences("Images") == [("/ImageTagMutability", "IMMUTABLE", "MUTABLE", "NOT_EQUAL")]
    assert differences("Key") == [("/EnableKeyRotation", True, False, "NOT_EQUAL")]
    assert differences("Alarm") == [("/Threshold", 80, 95.0, "NOT_EQUAL")]

    only_deleted = cfn.describe_stack_resource_drifts(StackName="drifty", StackResourceDriftStatusFilters=["DELETED"])
    assert [d["LogicalResourceId"] for d in only_deleted["StackResourceDrifts"]] == ["Logs"]
    first = cfn.describe_stack_resource_drifts(StackName="drifty", MaxResults=2)
    rest = cfn.describe_stack_resource_drifts(StackName="drifty", NextToken=first["NextToken"])
    assert [d["LogicalResourceId"] for d in first["StackResourceDrifts"] + rest["StackResourceDrifts"]] == sorted(
        drifts
    )
    assert "NextToken" not in rest

    one = validate(
        "DetectStackResourceDrift", cfn.detect_stack_resource_drift(StackName="drifty", LogicalResourceId="Bucket")
    )
    assert one["StackResourceDrift"]["StackResourceDriftStatus"] == "MODIFIED"


def test_what_cannot_be_checked_is_refused_plainly(stack):
    cfn = stack("cloudformation")
    for logical_id, message in (("Topic", "not supported for resource Topic"), ("Nope", "Nope does not exist")):
        with pytest.raises(ClientError) as refused:
            cfn.detect_stack_resource_drift(StackName="drifty", LogicalResourceId=logical_id)
        assert refused.value.response["Error"]["Code"] == "ValidationError"
        assert message in refused.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as unknown:
        cfn.describe_stack_drift_detection_status(StackDriftDetectionId="no-such-detection")
    assert unknown.value.response["Error"]["Code"] == "ValidationError"
