"""Drift detection on the local endpoint, computed from moto's own service backends.

moto 5.2.5 implements no drift detection: DetectStackDrift and its three companions answer with an HTML 500
page, and DescribeStacks carries no DriftInformation. AWS: DetectStackDrift compares, for every resource of a
stack whose type supports drift detection, the properties the template sets explicitly (with parameters and
Ref/GetAtt resolved) with the live resource's, and keeps the result for DescribeStackDriftDetectionStatus,
DescribeStackResourceDrifts and the DriftInformation of DescribeStacks, DescribeStackResource(s) and
ListStackResources; DetectStackResourceDrift does it for one
resource. (API reference, StackResourceDrift: "Only resource properties explicitly defined in the stack template
are checked for drift"; StackResourceDriftInformation: resources that do not support drift detection have the
status NOT_CHECKED.)

Here the live properties are read from the backend of the resource's own service (EC2, CloudWatch Logs, SSM,
Secrets Manager, ECS, S3), which is what that service's API answers, so a change made out of band through boto3
shows. `CHECKED` lists the types read and the properties compared (the README's emulator table shows it); every
other type is NOT_CHECKED, as AWS reports an unsupported type, never IN_SYNC by default. Detection is
synchronous (moto's execution is too): DescribeStackDriftDetectionStatus answers DETECTION_COMPLETE at once, or
DETECTION_FAILED naming the resources a reader could not read. Write-only and create-time-only inputs
(SecretString, GenerateSecretString) are not compared, as on AWS, so no secret value reaches a drift response.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from typing import Any

from .patches import replace

# type -> the properties compared, each read back from the service's backend. Lists of rules and of tags are
# compared as sets (their order carries no meaning), other lists item by item.
CHECKED: dict[str, tuple[str, ...]] = {
    "AWS::CloudWatch::Alarm": (
        "ComparisonOperator",
        "DatapointsToAlarm",
        "EvaluationPeriods",
        "MetricName",
        "Namespace",
        "Period",
        "Statistic",
        "Threshold",
        "TreatMissingData",
    ),
    "AWS::ECR::Repository": ("ImageScanningConfiguration", "ImageTagMutability", "RepositoryName"),
    "AWS::EC2::SecurityGroup": (
        "GroupDescription",
        "GroupName",
        "SecurityGroupEgress",
        "SecurityGroupIngress",
        "Tags",
        "VpcId",
    ),
    "AWS::KMS::Key": ("Description", "EnableKeyRotation", "Enabled"),
    "AWS::RDS::DBInstance": (
        "AllocatedStorage",
        "BackupRetentionPeriod",
        "DBInstanceClass",
        "DeletionProtection",
        "EnableIAMDatabaseAuthentication",
        "MultiAZ",
        "PubliclyAccessible",
        "StorageEncrypted",
    ),
    "AWS::SQS::Queue": (
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
    ),
    "AWS::ECS::Service": ("DesiredCount", "LaunchType", "PlatformVersion", "ServiceName", "Tags", "TaskDefinition"),
    "AWS::Logs::LogGroup": ("LogGroupName", "RetentionInDays", "Tags"),
    "AWS::S3::Bucket": (
        "BucketEncryption",
        "BucketName",
        "PublicAccessBlockConfiguration",
        "Tags",
        "VersioningConfiguration",
    ),
    "AWS::SSM::Parameter": ("AllowedPattern", "DataType", "Description", "Name", "Tags", "Tier", "Type", "Value"),
    "AWS::SecretsManager::Secret": ("Description", "KmsKeyId", "Name", "Tags"),
}
UNORDERED = frozenset({"SecurityGroupEgress", "SecurityGroupIngress", "Tags"})
NOT_CHECKED = {"StackResourceDriftStatus": "NOT_CHECKED"}

_APPLIED = False


class Unreadable(Exception):
    """A reader could not read the live resource (the detection of its stack fails, naming it)."""


# ------------------------------------------------------------------------------------------- readers
# Each: (account, region, physical id) -> the live resource's properties in the template's shape, None when the
# resource no longer exists.


def _tag_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items()) if not k.startswith("aws:")]


def _security_group(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.ec2.models import ec2_backends

    group = ec2_backends[account][region].get_security_group_from_id(physical_id)
    if group is None:
        return None

    def rule(r: Any, egress: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"IpProtocol": r.ip_protocol}
        if r.ip_protocol != "-1":
            out["FromPort"], out["ToPort"] = r.from_port, r.to_port
        for key in ("CidrIp", "CidrIpv6"):
            if r.ip_range.get(key):
                out[key] = r.ip_range[key]
        if r.source_group.get("GroupId"):
            out["DestinationSecurityGroupId" if egress else "SourceSecurityGroupId"] = r.source_group["GroupId"]
        if r.prefix_list_id:
            out["DestinationPrefixListId" if egress else "SourcePrefixListId"] = r.prefix_list_id
        description = (
            r.ip_range.get("Description")
            or r.source_group.get("Description")
            or getattr(r, "prefix_list_description", None)  # kept by patches._security_group_rules
        )
        if description:
            out["Description"] = description
        return out

    return {
        "GroupDescription": group.description,
        "GroupName": group.name,
        "SecurityGroupEgress": [rule(r, True) for r in group.egress_rules],
        "SecurityGroupIngress": [rule(r, False) for r in group.ingress_rules],
        "Tags": _tag_list(dict(group.ec2_backend.tags.get(group.id, {}))),
        "VpcId": group.vpc_id,
    }


def _log_group(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.logs.models import logs_backends

    backend = logs_backends[account][region]
    group = backend.groups.get(physical_id)
    if group is None:
        return None
    return {
        "LogGroupName": group.name,
        "RetentionInDays": group.retention_in_days,
        "Tags": _tag_list(backend.list_tags_for_resource(group.arn)),
    }


def _ssm_parameter(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.ssm.models import ssm_backends

    backend = ssm_backends[account][region]
    parameter = backend.get_parameter(physical_id)
    if parameter is None:
        return None
    tags = {k: v for k, v in backend.list_tags_for_resource("Parameter", parameter.name).items()}
    return {
        "AllowedPattern": parameter.allowed_pattern,
        "DataType": parameter.data_type,
        "Description": parameter.description,
        "Name": parameter.name,
        "Tier": parameter.tier,
        "Tags": {k: v for k, v in sorted(tags.items()) if not k.startswith("aws:")},  # a map in the template
        "Type": parameter.parameter_type,
        "Value": parameter.value,
    }


def _secret(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.secretsmanager.models import secretsmanager_backends

    backend = secretsmanager_backends[account][region]
    if not backend._is_valid_identifier(physical_id):
        return None
    secret: Any = backend.describe_secret(physical_id)
    if getattr(secret, "deleted_date", None):
        return None
    return {
        "Description": secret.description,
        "KmsKeyId": secret.kms_key_id,
        "Name": secret.name,
        "Tags": [t for t in secret.tags or [] if not t["Key"].startswith("aws:")],
    }


def _ecs_service(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.ecs.models import ecs_backends

    for service in ecs_backends[account][region].services.values():
        if service.arn == physical_id and service.status == "ACTIVE":
            return {
                "DesiredCount": service.desired_count,
                "LaunchType": service.launch_type,
                "PlatformVersion": service.platform_version,
                "ServiceName": service.name,
                "Tags": [{"Key": t["key"], "Value": t["value"]} for t in service.tags or []],
                "TaskDefinition": service.task_definition,
            }
    return None


def _bucket(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.s3.models import s3_backends
    from moto.utilities.utils import get_partition

    backend = s3_backends[account][get_partition(region)]
    bucket = backend.buckets.get(physical_id)
    if bucket is None:
        return None
    out: dict[str, Any] = {"BucketName": bucket.name}
    if bucket.versioning_status:
        out["VersioningConfiguration"] = {"Status": bucket.versioning_status}
    if bucket.encryption:
        rule = bucket.encryption.get("Rule") or {}
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        by_default = {"SSEAlgorithm": default.get("SSEAlgorithm")}
        if default.get("KMSMasterKeyID"):
            by_default["KMSMasterKeyID"] = default["KMSMasterKeyID"]
        encryption: dict[str, Any] = {"ServerSideEncryptionByDefault": by_default}
        if rule.get("BucketKeyEnabled") is not None:
            encryption["BucketKeyEnabled"] = str(rule["BucketKeyEnabled"]).lower() == "true"
        out["BucketEncryption"] = {"ServerSideEncryptionConfiguration": [encryption]}
    block = bucket.public_access_block
    if block is not None:
        out["PublicAccessBlockConfiguration"] = {
            "BlockPublicAcls": block.block_public_acls,
            "BlockPublicPolicy": block.block_public_policy,
            "IgnorePublicAcls": block.ignore_public_acls,
            "RestrictPublicBuckets": block.restrict_public_buckets,
        }
    tags = backend.tagger.get_tag_dict_for_resource(bucket.arn)
    out["Tags"] = _tag_list(tags)
    return out


def _alarm(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.cloudwatch.models import cloudwatch_backends

    alarm = cloudwatch_backends[account][region].alarms.get(physical_id)
    if alarm is None:
        return None
    return {
        "ComparisonOperator": alarm.comparison_operator,
        "DatapointsToAlarm": alarm.datapoints_to_alarm,
        "EvaluationPeriods": alarm.evaluation_periods,
        "MetricName": alarm.metric_name,
        "Namespace": alarm.namespace,
        "Period": alarm.period,
        "Statistic": alarm.statistic,
        "Threshold": alarm.threshold,
        "TreatMissingData": alarm.treat_missing_data,
    }


def _repository(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.ecr.models import ecr_backends

    repository = ecr_backends[account][region].repositories.get(physical_id)
    if repository is None:
        return None
    scanning: Any = repository.image_scanning_configuration or {}
    return {
        "ImageScanningConfiguration": {"ScanOnPush": bool(scanning.get("scanOnPush", scanning.get("ScanOnPush")))},
        "ImageTagMutability": repository.image_tag_mutability,
        "RepositoryName": repository.name,
    }


def _key(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.kms.models import kms_backends

    key = kms_backends[account][region].keys.get(physical_id)
    if key is None or key.key_state == "PendingDeletion":
        return None
    return {"Description": key.description, "EnableKeyRotation": key.key_rotation_status, "Enabled": key.enabled}


def _queue(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[account][region].queues.get(physical_id.rstrip("/").rsplit("/", 1)[-1])
    if queue is None:
        return None
    attributes = queue.attributes
    return {name: attributes.get(name) for name in CHECKED["AWS::SQS::Queue"]}


def _db_instance(account: str, region: str, physical_id: str) -> dict[str, Any] | None:
    from moto.rds.models import rds_backends

    db = rds_backends[account][region].databases.get(physical_id)
    if db is None:
        return None
    return {
        "AllocatedStorage": getattr(db, "allocated_storage", None),
        "BackupRetentionPeriod": getattr(db, "backup_retention_period", None),
        "DBInstanceClass": db.db_instance_class,
        "DeletionProtection": getattr(db, "deletion_protection", None),
        "EnableIAMDatabaseAuthentication": getattr(db, "enable_iam_database_authentication", None),
        "MultiAZ": getattr(db, "multi_az", None),
        "PubliclyAccessible": getattr(db, "publicly_accessible", None),
        "StorageEncrypted": getattr(db, "storage_encrypted", None),
    }


READERS: dict[str, Callable[[str, str, str], dict[str, Any] | None]] = {
    "AWS::RDS::DBInstance": _db_instance,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::ECR::Repository": _repository,
    "AWS::KMS::Key": _key,
    "AWS::SQS::Queue": _queue,
    "AWS::EC2::SecurityGroup": _security_group,
    "AWS::ECS::Service": _ecs_service,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::S3::Bucket": _bucket,
    "AWS::SSM::Parameter": _ssm_parameter,
    "AWS::SecretsManager::Secret": _secret,
}


# ------------------------------------------------------------------------------------------- compare


def _scalar(value: Any) -> Any:
    """Template values are often strings where the service answers numbers or booleans ("7" vs 7): compare
    the text, as CloudFormation does after converting to the property's schema type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower()
    return str(value) if value is not None else None


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return _scalar(value)


def differences(path: str, expected: Any, actual: Any, *, unordered: bool = False, open_map: bool = False) -> list:
    """PropertyDifferences (as dicts) between an expected and an actual value at `path`."""
    if expected is None:
        return []
    if actual is None:
        return [_difference(path, expected, None, "REMOVE")]
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(expected):
            out += differences(f"{path}/{key}", expected[key], actual.get(key))
        if open_map:  # a map of tags: a key added outside CloudFormation is a difference
            out += [_difference(f"{path}/{k}", None, actual[k], "ADD") for k in sorted(set(actual) - set(expected))]
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if unordered:
            wanted = [_canonical(v) for v in expected]
            found = [_canonical(v) for v in actual]
            out = [
                _difference(f"{path}/{i}", item, None, "REMOVE")
                for i, item in enumerate(expected)
                if wanted[i] not in found
            ]
            out += [
                _difference(f"{path}/{j}", None, item, "ADD") for j, item in enumerate(actual) if found[j] not in wanted
            ]
            return out
        out = []
        for i in range(max(len(expected), len(actual))):
            if i >= len(actual):
                out.append(_difference(f"{path}/{i}", expected[i], None, "REMOVE"))
            elif i >= len(expected):
                out.append(_difference(f"{path}/{i}", None, actual[i], "ADD"))
            else:
                out += differences(f"{path}/{i}", expected[i], actual[i])
        return out
    if _canonical(expected) != _canonical(actual):
        return [_difference(path, expected, actual, "NOT_EQUAL")]
    return []


def _difference(path: str, expected: Any, actual: Any, kind: str) -> dict[str, str]:
    return {
        "PropertyPath": path,
        "ExpectedValue": _json(expected),
        "ActualValue": _json(actual),
        "DifferenceType": kind,
    }


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _drop_none(value: Any) -> Any:
    """Fn::If with AWS::NoValue resolves to None: the property is not set."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


def resource_drift(stack: Any, logical_id: str, now: Any) -> dict[str, Any] | None:
    """The StackResourceDrift of one resource, None when its type is not checked. Raises Unreadable."""
    from moto.cloudformation.parsing import clean_json

    resource_map = stack.resource_map
    resource_json = resource_map._resource_json_map.get(logical_id) or {}
    resource_type = resource_json.get("Type", "")
    model = resource_map._parsed_resources.get(logical_id)
    if resource_type not in READERS or model is None:
        return None
    physical_id = str(model.physical_resource_id)
    account, region = resource_map._account_id, resource_map._region_name
    template = _drop_none(clean_json(resource_json.get("Properties") or {}, resource_map))
    expected = {k: template[k] for k in CHECKED[resource_type] if k in template}
    try:
        live = READERS[resource_type](account, region, physical_id)
    except Exception as exc:  # an unexpected model shape: this resource's check fails, the stack's says so
        raise Unreadable(f"{logical_id}: {type(exc).__name__}: {exc}") from exc
    drift: dict[str, Any] = {
        "StackId": stack.stack_id,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": physical_id,
        "ResourceType": resource_type,
        "ExpectedProperties": _json(expected),
        "Timestamp": now,
    }
    if live is None:
        return {**drift, "StackResourceDriftStatus": "DELETED"}
    actual = {k: live.get(k) for k in expected}
    found = []
    for key in sorted(expected):
        found += differences(f"/{key}", expected[key], actual[key], unordered=key in UNORDERED, open_map=key == "Tags")
    return {
        **drift,
        "ActualProperties": _json({k: v for k, v in actual.items() if v is not None}),
        "PropertyDifferences": found,
        "StackResourceDriftStatus": "MODIFIED" if found else "IN_SYNC",
    }


# ------------------------------------------------------------------------------------------- the API


def _detect(stack: Any, logical_ids: list[str] | None = None) -> dict[str, Any]:
    """Check every resource of `stack` (or the ones named), record the results on the stack, return them."""
    now = datetime.datetime.now(datetime.UTC)
    drifts: dict[str, dict[str, Any]] = dict(getattr(stack, "emulator_resource_drifts", {}))
    failed = []
    for logical_id in logical_ids or list(stack.resource_map._resource_json_map):
        try:
            drift = resource_drift(stack, logical_id, now)
        except Unreadable:
            failed.append(logical_id)
            continue
        if drift is not None:
            drifts[logical_id] = drift
    stack.emulator_resource_drifts = drifts
    drifted = sum(1 for d in drifts.values() if d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED"))
    stack.emulator_drift = {"StackDriftStatus": "DRIFTED" if drifted else "IN_SYNC", "LastCheckTimestamp": now}
    status: dict[str, Any] = {
        "StackId": stack.stack_id,
        "StackDriftDetectionId": str(uuid.uuid4()),
        "StackDriftStatus": stack.emulator_drift["StackDriftStatus"],
        "DetectionStatus": "DETECTION_FAILED" if failed else "DETECTION_COMPLETE",
        "DriftedStackResourceCount": drifted,
        "Timestamp": now,
    }
    if failed:
        status["DetectionStatusReason"] = f"Failed to detect drift on resources [{', '.join(failed)}]"
    return status


def apply() -> None:
    """Add the four drift actions to moto's CloudFormation, and DriftInformation to what describes stacks."""
    global _APPLIED
    if _APPLIED:
        return
    from moto.cloudformation import models, responses
    from moto.cloudformation.exceptions import ValidationError
    from moto.core.responses import ActionResult

    Response = responses.CloudFormationResponse

    def detections(self: Any) -> dict[str, dict[str, Any]]:
        # Kept on the backend, so moto's reset (new backends) forgets them with the stacks.
        backend = self.cloudformation_backend
        if not hasattr(backend, "emulator_drift_detections"):
            backend.emulator_drift_detections = {}
        return backend.emulator_drift_detections

    def live_stack(self: Any, name: str) -> Any:
        stack = self.cloudformation_backend.get_stack(name)
        if stack.status in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS") or stack.status.endswith("_IN_PROGRESS"):
            raise ValidationError(
                name, message=f"Drift detection cannot be performed on stack {stack.stack_id} in {stack.status} state"
            )
        return stack

    def detect_stack_drift(self: Any) -> ActionResult:
        stack = live_stack(self, self._get_param("StackName"))
        status = _detect(stack, self._get_param("LogicalResourceIds") or None)
        detections(self)[status["StackDriftDetectionId"]] = status
        return ActionResult({"StackDriftDetectionId": status["StackDriftDetectionId"]})

    def describe_stack_drift_detection_status(self: Any) -> ActionResult:
        detection_id = self._get_param("StackDriftDetectionId")
        status = detections(self).get(detection_id)
        if status is None:
            raise ValidationError(detection_id, message=f"Drift detection {detection_id} does not exist")
        return ActionResult(status)

    def describe_stack_resource_drifts(self: Any) -> ActionResult:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        wanted = set(self._get_param("StackResourceDriftStatusFilters") or [])
        items = [
            d
            for _, d in sorted(getattr(stack, "emulator_resource_drifts", {}).items())
            if not wanted or d["StackResourceDriftStatus"] in wanted
        ]
        start = int(self._get_param("NextToken") or 0)
        size = int(self._get_param("MaxResults") or 100)
        page = items[start : start + size]
        result: dict[str, Any] = {"StackResourceDrifts": page}
        if start + size < len(items):
            result["NextToken"] = str(start + size)
        return ActionResult(result)

    def detect_stack_resource_drift(self: Any) -> ActionResult:
        name, logical_id = self._get_param("StackName"), self._get_param("LogicalResourceId")
        stack = live_stack(self, name)
        resource_type = (stack.resource_map._resource_json_map.get(logical_id) or {}).get("Type")
        if resource_type is None:
            raise ValidationError(name, message=f"Resource {logical_id} does not exist for stack {name}")
        if resource_type not in READERS:
            raise ValidationError(
                name,
                message=f"Drift detection is not supported for resource {logical_id} of type {resource_type} "
                "on the local endpoint (templates_src/emulator/drift.py CHECKED)",
            )
        _detect(stack, [logical_id])
        return ActionResult({"StackResourceDrift": stack.emulator_resource_drifts[logical_id]})

    for name, action in (
        ("detect_stack_drift", detect_stack_drift),
        ("describe_stack_drift_detection_status", describe_stack_drift_detection_status),
        ("describe_stack_resource_drifts", describe_stack_resource_drifts),
        ("detect_stack_resource_drift", detect_stack_resource_drift),
    ):
        replace(Response, name, action)

    # DescribeStacks' DriftInformation: NOT_CHECKED until a detection ran (AWS answers the same).
    replace(
        models.Stack,
        "drift_information",
        property(lambda self: getattr(self, "emulator_drift", {"StackDriftStatus": "NOT_CHECKED"})),
    )

    # DescribeStackResource(s)' DriftInformation: the resource's last result, NOT_CHECKED for a type not read.
    original_init = responses.StackResourceDTO.__init__

    def init(self: Any, stack: Any, resource: Any) -> None:
        original_init(self, stack, resource)
        drift = getattr(stack, "emulator_resource_drifts", {}).get(self.logical_resource_id)
        self.drift_information = (
            {"StackResourceDriftStatus": drift["StackResourceDriftStatus"], "LastCheckTimestamp": drift["Timestamp"]}
            if drift
            else NOT_CHECKED
        )

    replace(responses.StackResourceDTO, "__init__", init)

    # ListStackResources' summaries: the same DriftInformation (moto builds them as dicts without it).
    original_list = Response.list_stack_resources

    def list_stack_resources(self: Any) -> ActionResult:
        listed = original_list(self)
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        drifts = getattr(stack, "emulator_resource_drifts", {})
        result: Any = listed.result
        for summary in result["StackResourceSummaries"]:
            drift = drifts.get(summary["LogicalResourceId"])
            summary["DriftInformation"] = (
                {
                    "StackResourceDriftStatus": drift["StackResourceDriftStatus"],
                    "LastCheckTimestamp": drift["Timestamp"],
                }
                if drift
                else NOT_CHECKED
            )
        return listed

    replace(Response, "list_stack_resources", list_stack_resources)
    _APPLIED = True
