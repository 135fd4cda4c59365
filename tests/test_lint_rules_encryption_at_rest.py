"""E9020 on tiny templates that pass and fail; E9002's Deny exception is checked here too (the TLS-only
bucket policy the data stack writes depends on it)."""

from __future__ import annotations

import json

import pytest

from templates_src.lint import lint_paths

KEEP = {"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"}


def lint(tmp_path, resources: dict) -> list[str]:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}))
    return [f.rule for f in lint_paths([path]) if f.rule.startswith("E90")]


def efs(**props):
    return {"Type": "AWS::EFS::FileSystem", **KEEP, "Properties": props}


def redis(**props):
    return {
        "Type": "AWS::ElastiCache::ReplicationGroup",
        "DeletionPolicy": "Snapshot",
        "UpdateReplacePolicy": "Snapshot",
        "Properties": {
            "ReplicationGroupDescription": "r",
            "CacheNodeType": "cache.t4g.micro",
            "Engine": "redis",
            "NumCacheClusters": 1,
            **props,
        },
    }


@pytest.mark.parametrize(
    "resource, found",
    [
        (efs(Encrypted=True), []),
        (efs(), ["E9020"]),
        (efs(Encrypted=False), ["E9020"]),
        (redis(AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True), []),
        (redis(AtRestEncryptionEnabled=True), ["E9020"]),
        ({"Type": "AWS::S3::Bucket", **KEEP, "Properties": {}}, ["E9020"]),
        (
            {
                "Type": "AWS::S3::Bucket",
                **KEEP,
                "Properties": {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                        ]
                    }
                },
            },
            [],
        ),
    ],
)
def test_encryption_at_rest(tmp_path, resource, found):
    assert lint(tmp_path, {"Store": resource}) == found


def test_aurora_member_instance_defers_to_its_cluster(tmp_path):
    member = {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {"DBClusterIdentifier": "c", "DBInstanceClass": "db.t4g.medium", "Engine": "aurora-postgresql"},
    }
    assert lint(tmp_path, {"Writer": member}) == []


@pytest.mark.parametrize("effect, found", [("Deny", []), ("Allow", ["E9002"])])
def test_wildcard_only_refused_when_it_grants(tmp_path, effect, found):
    policy = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": "b",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": effect,
                        "Principal": {"AWS": "*"},
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::b/*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            },
        },
    }
    assert lint(tmp_path, {"Policy": policy}) == found
