"""Not losing data: every resource type any builder emits is either in parts/stateful.STATEFUL_POLICIES
(and then carries both policies) or reviewed here as holding no data. A new type fails this test until
someone decides which it is, in one of those two places."""

from __future__ import annotations

import json

import pytest

from templates_src import compiler
from templates_src.config.load import all_targets
from templates_src.parts.stateful import STATEFUL_POLICIES, deleted_on_purpose, policies_for, policy_for
from templates_src.stacks.data import BUILDERS

from .helpers import PARAMS_DIR, build, write_params
from .test_data import EVERY_STORE

# Reviewed: these hold no data that a delete or a replacement would lose (configuration the template
# recreates, network plumbing, compute, metrics definitions).
REVIEWED_STATELESS = {
    # Added by the prod defaults (issue 12): configuration only, re-created from the template.
    "AWS::RDS::DBClusterParameterGroup",
    "AWS::RDS::DBParameterGroup",
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::WebACLAssociation",
    # Multi-region replication (issue 15): the registry's replication rule, configuration only.
    "AWS::ECR::ReplicationConfiguration",
    # Edge (issue 15): a CloudFront distribution holds configuration only (its origin secret is a Secret).
    "AWS::CloudFront::Distribution",
    "AWS::SecretsManager::RotationSchedule",  # a schedule on a secret; the secret keeps the value
    "AWS::ElastiCache::User",  # its password lives in the store's secret
    "AWS::ElastiCache::UserGroup",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::CertificateManager::Certificate",
    "AWS::CloudFormation::Stack",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::EC2::EIP",
    "AWS::EC2::FlowLog",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NatGateway",
    "AWS::EC2::Route",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::Subnet",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::ECS::Cluster",
    "AWS::ECS::ClusterCapacityProviderAssociations",
    "AWS::ECS::Service",
    "AWS::ECS::TaskDefinition",
    "AWS::EFS::AccessPoint",
    "AWS::EFS::MountTarget",  # the file system holds the data
    "AWS::ElastiCache::SubnetGroup",
    "AWS::RDS::DBSubnetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::KMS::Alias",
    "AWS::Route53::HealthCheck",
    "AWS::Route53::RecordSet",
    "AWS::Route53::RecordSetGroup",
    "AWS::S3::BucketPolicy",
    # Queues and topics carry messages, they do not keep them: a replaced queue loses what waits in it
    # (the review warns), but nothing is retained on delete (CDK's default for queues too).
    "AWS::SQS::Queue",
    "AWS::Scheduler::Schedule",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::Subscription",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::SNS::Topic",
    "AWS::SSM::Parameter",
}

EVERYTHING = {
    **EVERY_STORE,
    "services": {
        "api": {
            "containers": {"app": {"image": "nginx", "ports": [{"port": 80}]}},
            "uses": [*EVERY_STORE["data"], *EVERY_STORE["keys"]],
        }
    },
}


def _templates() -> dict[str, dict]:
    """Every template of every params file in the repo, plus a system with every store kind."""
    out: dict[str, dict] = {}
    for target in all_targets(PARAMS_DIR):
        compiled = compiler.compile_target(target)
        for name, text in compiled.templates.items():
            out[f"{target.system}/{target.env}/{name}"] = json.loads(text)
    return out


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("params")
    write_params(root, "everything", EVERYTHING)
    return {**_templates(), **{f"everything/{n}": t for n, t in build(root, "everything").items()}}


def test_the_enumeration_covers_every_store_kind():
    assert {s["kind"] for s in EVERY_STORE["data"].values()} == set(BUILDERS)


def test_every_type_is_classified(templates):
    unknown = {}
    for where, template in templates.items():
        for name, res in template.get("Resources", {}).items():
            rtype = res["Type"]
            if rtype not in STATEFUL_POLICIES and rtype not in REVIEWED_STATELESS:
                unknown.setdefault(rtype, f"{where}: {name}")
    assert not unknown, (
        "resource types nobody has classified; add each to parts/stateful.STATEFUL_POLICIES if it holds data, "
        f"else to REVIEWED_STATELESS in this file: {unknown}"
    )


def test_no_type_is_both():
    assert not set(STATEFUL_POLICIES) & REVIEWED_STATELESS


def test_every_stateful_resource_keeps_its_data(templates):
    seen = set()
    for where, template in templates.items():
        for name, res in template.get("Resources", {}).items():
            expected = policies_for(res["Type"], res.get("Properties", {}))
            if expected is None:
                continue
            seen.add(res["Type"])
            assert (res.get("DeletionPolicy"), res.get("UpdateReplacePolicy")) == expected, f"{where}: {name}"
    # The store kinds' data-holding types all appeared, so the check above really ran on them.
    assert {
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::ElastiCache::ServerlessCache",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::EFS::FileSystem",
        "AWS::S3::Bucket",
        "AWS::Timestream::Database",
        "AWS::Timestream::Table",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::Logs::LogGroup",
    } <= seen


@pytest.mark.parametrize(
    "rtype, policy",
    [
        ("AWS::RDS::DBCluster", "Snapshot"),
        ("AWS::RDS::DBInstance", "Snapshot"),
        ("AWS::ElastiCache::ReplicationGroup", "Snapshot"),
        ("AWS::ElastiCache::ServerlessCache", "Retain"),
        ("AWS::EFS::FileSystem", "Retain"),
        ("AWS::S3::Bucket", "Retain"),
        ("AWS::Timestream::Database", "Retain"),
        ("AWS::KMS::Key", "Retain"),
    ],
)
def test_snapshot_where_supported(rtype, policy):
    assert policy_for(rtype, {}) == policy


def test_retained_data_goes_with_a_failed_first_create(templates):
    """Retain becomes DeletionPolicy RetainExceptOnCreate: a rolled-back first create deletes the named
    repository, secret or cache it made, so the retry does not fail with "already exists". On a
    replacement the old resource is kept (UpdateReplacePolicy takes no RetainExceptOnCreate)."""
    retained = {t for t, p in STATEFUL_POLICIES.items() if p == "Retain"}
    assert {"AWS::ECR::Repository", "AWS::SecretsManager::Secret", "AWS::ElastiCache::ServerlessCache"} <= retained
    for rtype in retained:
        assert policies_for(rtype, {}) == ("RetainExceptOnCreate", "Retain")
    # Snapshot is untouched: a rolled-back create leaves a snapshot with a generated name, which blocks nothing.
    assert policies_for("AWS::RDS::DBCluster", {}) == ("Snapshot", "Snapshot")
    kinds = {
        res["Type"]: (res["DeletionPolicy"], res["UpdateReplacePolicy"])
        for t in templates.values()
        for res in t.get("Resources", {}).values()
        if res["Type"] in retained
    }
    assert kinds and set(kinds.values()) == {("RetainExceptOnCreate", "Retain")}
    assert "AWS::ECR::Repository" in kinds and "AWS::SecretsManager::Secret" in kinds


def test_aurora_member_instances_are_left_to_the_cluster():
    assert policy_for("AWS::RDS::DBInstance", {"DBClusterIdentifier": {"Ref": "DbCluster"}}) is None


def test_what_goes_with_its_stack_says_so(templates):
    """cfn-lint I3011: nested stacks and Aurora members get an explicit Delete, so it reads as decided."""
    assert deleted_on_purpose("AWS::RDS::DBInstance", {"DBClusterIdentifier": {"Ref": "DbCluster"}})
    assert not deleted_on_purpose("AWS::RDS::DBInstance", {})
    stacks = [
        res
        for where, t in templates.items()
        if where.endswith("/root")
        for res in t["Resources"].values()
        if res["Type"] == "AWS::CloudFormation::Stack"
    ]
    assert stacks and all(s["DeletionPolicy"] == s["UpdateReplacePolicy"] == "Delete" for s in stacks)
