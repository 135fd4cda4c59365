"""The data and keys stacks: one structural assertion per store kind and per option."""

from __future__ import annotations

import json

import pytest

from templates_src.config.data import AURORA_POSTGRES_VERSIONS, RDS_POSTGRES_VERSIONS

from .helpers import build, build_config, count, has_resource, resources, skips, write_params

EVERY_STORE = {
    "keys": {"main": {"description": "data key", "logs": True, "users": ["arn:aws:iam::123456789012:role/reader"]}},
    "data": {
        "db": {
            "kind": "aurora-postgres",
            "key": "main",
            "readers": 2,
            "performance_insights": True,
            "master_username": "vmxai",
            "database_name": "vmxai",
            "backup_retention_days": 14,
        },
        "sdb": {
            "kind": "aurora-postgres",
            "serverless_v2": {"min_acu": 0.5, "max_acu": 8},
            "deletion_protection": True,
        },
        "pg": {"kind": "rds-postgres", "max_allocated_storage": 100, "multi_az": True, "key": "main"},
        "cache": {"kind": "valkey-serverless", "key": "main", "max_data_storage_gb": 10},
        "redis": {"kind": "redis", "key": "main", "replicas": 2},
        "solo": {"kind": "redis", "replicas": 0},
        "files": {
            "kind": "efs",
            "key": "main",
            "access_points": {"chroma": {"path": "/chroma", "mount_path": "/mnt/efs/chroma", "uid": 1001}},
        },
        "metrics": {"kind": "timestream", "key": "main", "tables": {"usage": {"memory_retention_hours": 12}}},
        "assets": {"kind": "s3", "key": "main", "lifecycle": {"transition_ia_days": 30, "expire_days": 400}},
        "plain": {"kind": "s3", "versioning": False},
        "jobs": {"kind": "sqs", "key": "main"},
        "events": {"kind": "sns", "subscriptions": [{"queue": "jobs"}]},
        "orders": {"kind": "dynamodb", "partition_key": "pk", "key": "main"},
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    write_params(root, "every", EVERY_STORE)
    return build(root, "every")


@pytest.fixture(scope="module")
def data(built):
    return built["data"]


def test_stacks_sit_between_secrets_and_load_balancing(built):
    root = built["root"]["Resources"]
    assert {"KeysStack", "DataStack"} <= set(root)
    assert root["DataStack"]["Properties"]["Parameters"]["MainKeyArn"] == {
        "Fn::GetAtt": ["KeysStack", "Outputs.MainKeyArn"]
    }


def test_no_data_no_stacks(tmp_path):
    out = build_config(tmp_path, {})
    assert "data" not in out and "keys" not in out


# -- keys -------------------------------------------------------------------------------------------


def test_key_rotation_and_policy(built):
    key = has_resource(
        built["keys"],
        "AWS::KMS::Key",
        {"EnableKeyRotation": True, "RotationPeriodInDays": 365},
        DeletionPolicy="RetainExceptOnCreate",
        UpdateReplacePolicy="Retain",
    )
    statements = {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"]}
    assert set(statements) == {"AccountAdministers", "AccountUsesThroughIam", "NamedUsers", "CloudWatchLogs"}
    assert "kms:PutKeyPolicy" in statements["AccountAdministers"]["Action"]
    assert "kms:Decrypt" not in statements["AccountAdministers"]["Action"]
    assert statements["NamedUsers"]["Principal"] == {"AWS": ["arn:aws:iam::123456789012:role/reader"]}
    assert built["keys"]["Outputs"]["MainKeyArn"]["Value"] == {"Fn::GetAtt": ["MainKey", "Arn"]}


def test_key_without_rotation_or_extras(tmp_path):
    out = build_config(tmp_path, {"keys": {"k": {"rotation_days": None, "alias": "alias/app"}}})
    key = has_resource(out["keys"], "AWS::KMS::Key", {"EnableKeyRotation": False})
    assert "RotationPeriodInDays" not in key["Properties"]
    assert [s["Sid"] for s in key["Properties"]["KeyPolicy"]["Statement"]] == [
        "AccountAdministers",
        "AccountUsesThroughIam",
    ]
    has_resource(out["keys"], "AWS::KMS::Alias", {"AliasName": "alias/app", "TargetKeyId": {"Ref": "KKey"}})


# -- relational -------------------------------------------------------------------------------------


def test_aurora_cluster(data):
    has_resource(
        data,
        "AWS::RDS::DBCluster",
        {
            "Engine": "aurora-postgresql",
            "EngineVersion": "17.6",
            "DatabaseName": "vmxai",
            "StorageEncrypted": True,
            "KmsKeyId": {"Ref": "MainKeyArn"},
            "BackupRetentionPeriod": {"Ref": "DbBackupRetentionDays"},
            "DeletionProtection": False,
            "DBSubnetGroupName": {"Ref": "DbSubnetGroup"},
            "VpcSecurityGroupIds": [{"Fn::GetAtt": ["DbSecurityGroup", "GroupId"]}],
            "MasterUsername": {"Fn::Sub": "{{resolve:secretsmanager:${DbSecret}:SecretString:username}}"},
            "MasterUserPassword": {"Fn::Sub": "{{resolve:secretsmanager:${DbSecret}:SecretString:password}}"},
        },
        DeletionPolicy="Snapshot",
        UpdateReplacePolicy="Snapshot",
    )
    has_resource(data, "AWS::RDS::DBSubnetGroup", {"SubnetIds": {"Ref": "IsolatedSubnetIds"}})


def test_aurora_writer_and_readers(data):
    instances = {k: v for k, v in resources(data, "AWS::RDS::DBInstance").items() if k.startswith("Db")}
    assert sorted(instances) == ["DbReader1", "DbReader2", "DbWriter"]
    for _name, inst in instances.items():
        props = inst["Properties"]
        assert props["DBClusterIdentifier"] == {"Ref": "DbCluster"}
        assert props["DBInstanceClass"] == {"Ref": "DbInstanceClass"}
        assert props["PubliclyAccessible"] is False
        assert props["EnablePerformanceInsights"] is True
        assert props["PerformanceInsightsKMSKeyId"] == {"Ref": "MainKeyArn"}
        # CloudFormation refuses Snapshot on a member and Retain would orphan it; the cluster keeps the data.
        assert inst["DeletionPolicy"] == inst["UpdateReplacePolicy"] == "Delete"
    assert instances["DbWriter"]["Properties"]["PromotionTier"] == 0


def test_aurora_serverless_v2(built, data):
    cluster = data["Resources"]["SdbCluster"]["Properties"]
    assert cluster["ServerlessV2ScalingConfiguration"] == {
        "MinCapacity": {"Ref": "SdbMinCapacity"},
        "MaxCapacity": {"Ref": "SdbMaxCapacity"},
    }
    assert cluster["DeletionProtection"] is True
    assert "KmsKeyId" not in cluster and cluster["StorageEncrypted"] is True
    assert data["Resources"]["SdbWriter"]["Properties"]["DBInstanceClass"] == "db.serverless"
    params = built["root"]["Parameters"]
    assert params["SdbMinCapacity"]["Default"] == "0.5" and params["SdbMaxCapacity"]["Default"] == "8"


def test_generated_credentials_with_host_and_port(data):
    secret = has_resource(
        data, "AWS::SecretsManager::Secret", {"KmsKeyId": {"Ref": "MainKeyArn"}}, DeletionPolicy="RetainExceptOnCreate"
    )
    generate = secret["Properties"]["GenerateSecretString"]
    assert json.loads(generate["SecretStringTemplate"]) == {"username": "vmxai", "dbname": "vmxai"}
    assert generate["GenerateStringKey"] == "password"
    has_resource(
        data,
        "AWS::SecretsManager::SecretTargetAttachment",
        {"SecretId": {"Ref": "DbSecret"}, "TargetId": {"Ref": "DbCluster"}, "TargetType": "AWS::RDS::DBCluster"},
    )


def test_rds_postgres_instance(data):
    has_resource(
        data,
        "AWS::RDS::DBInstance",
        {
            "Engine": "postgres",
            "EngineVersion": "17.6",
            "StorageEncrypted": True,
            "KmsKeyId": {"Ref": "MainKeyArn"},
            "MultiAZ": True,
            "MaxAllocatedStorage": 100,
            "AllocatedStorage": "20",
            "PubliclyAccessible": False,
            "DBSubnetGroupName": {"Ref": "PgSubnetGroup"},
            "DBInstanceClass": {"Ref": "PgInstanceClass"},
        },
        DeletionPolicy="Snapshot",
        UpdateReplacePolicy="Snapshot",
    )
    has_resource(data, "AWS::SecretsManager::SecretTargetAttachment", {"TargetType": "AWS::RDS::DBInstance"})


def test_deletion_protection_follows_protect(tmp_path):
    out = build_config(tmp_path, {"protect": True, "data": {"db": {"kind": "rds-postgres"}}})
    has_resource(out["data"], "AWS::RDS::DBInstance", {"DeletionProtection": True})


def test_store_security_group_has_no_egress(data):
    sg = data["Resources"]["DbSecurityGroup"]["Properties"]
    assert sg["VpcId"] == {"Ref": "VpcId"}
    assert sg["SecurityGroupEgress"] == [
        {
            "CidrIp": "255.255.255.255/32",
            "Description": "no egress: stores never connect out",
            "FromPort": 252,
            "IpProtocol": "icmp",
            "ToPort": 86,
        }
    ]
    assert "SecurityGroupIngress" not in sg  # services add theirs (uses:)


# -- caches -----------------------------------------------------------------------------------------


def test_valkey_serverless(data):
    has_resource(
        data,
        "AWS::ElastiCache::ServerlessCache",
        {
            "Engine": "valkey",
            "MajorEngineVersion": "8",
            "ServerlessCacheName": "every-dev-cache",
            "KmsKeyId": {"Ref": "MainKeyArn"},
            "SubnetIds": {"Ref": "IsolatedSubnetIds"},
            "CacheUsageLimits": {"DataStorage": {"Maximum": 10, "Unit": "GB"}},
        },
        DeletionPolicy="RetainExceptOnCreate",
    )


def test_redis_url_secret(tmp_path):
    """`url: true`: a secret holding rediss://:<token>@host:port; the token arrives by dynamic reference,
    so it is in neither the template nor the task definition."""
    data = build_config(tmp_path, {"data": {"cache": {"kind": "redis", "url": True}}})["data"]
    secret = has_resource(
        data,
        "AWS::SecretsManager::Secret",
        {
            "SecretString": {
                "Fn::Sub": [
                    "rediss://:{{resolve:secretsmanager:${CacheSecret}}}@${Host}:${Port}",
                    {
                        "Host": {"Fn::GetAtt": ["CacheReplicationGroup", "PrimaryEndPoint.Address"]},
                        "Port": {"Fn::GetAtt": ["CacheReplicationGroup", "PrimaryEndPoint.Port"]},
                    },
                ]
            }
        },
    )
    assert "GenerateSecretString" not in secret["Properties"]
    plain = build_config(tmp_path / "plain", {"data": {"cache": {"kind": "redis"}}})["data"]
    assert "CacheUrlSecret" not in plain["Resources"]


def test_aurora_exports_its_reader_endpoint(tmp_path):
    config = {
        "data": {"db": {"kind": "aurora-postgres"}},
        "services": {"api": {"containers": {"app": {"image": "x/app", "tag": "1"}}, "uses": ["db"]}},
    }
    out = build_config(tmp_path, config)
    assert out["data"]["Outputs"]["DbReadEndpoint"]["Value"] == {"Fn::GetAtt": ["DbCluster", "ReadEndpoint.Address"]}


def test_redis_replication_group(data):
    has_resource(
        data,
        "AWS::ElastiCache::ReplicationGroup",
        {
            "Engine": "redis",
            "AtRestEncryptionEnabled": True,
            "TransitEncryptionEnabled": True,
            "AuthToken": {"Fn::Sub": "{{resolve:secretsmanager:${RedisSecret}}}"},
            "NumCacheClusters": 3,
            "AutomaticFailoverEnabled": True,
            "MultiAZEnabled": True,
            "KmsKeyId": {"Ref": "MainKeyArn"},
            "CacheNodeType": {"Ref": "RedisNodeType"},
            "CacheSubnetGroupName": {"Ref": "RedisSubnetGroup"},
        },
        DeletionPolicy="Snapshot",
    )
    has_resource(data, "AWS::ElastiCache::ReplicationGroup", {"NumCacheClusters": 1, "AutomaticFailoverEnabled": False})
    token = data["Resources"]["RedisSecret"]["Properties"]["GenerateSecretString"]
    assert token == {"ExcludePunctuation": True, "PasswordLength": 64}


# -- files, time series, objects -----------------------------------------------------------------------


def test_efs(data):
    has_resource(
        data,
        "AWS::EFS::FileSystem",
        {
            "Encrypted": True,
            "KmsKeyId": {"Ref": "MainKeyArn"},
            "BackupPolicy": {"Status": "ENABLED"},
            "LifecyclePolicies": [{"TransitionToIA": "AFTER_30_DAYS"}],
        },
        DeletionPolicy="RetainExceptOnCreate",
    )
    targets = resources(data, "AWS::EFS::MountTarget")
    assert sorted(targets) == ["FilesMountTargetA", "FilesMountTargetB"]
    assert targets["FilesMountTargetB"]["Properties"]["SubnetId"] == {"Fn::Select": [1, {"Ref": "PrivateSubnetIds"}]}
    has_resource(
        data,
        "AWS::EFS::AccessPoint",
        {
            "PosixUser": {"Uid": "1001", "Gid": "1000"},
            "RootDirectory": {
                "Path": "/chroma",
                "CreationInfo": {"OwnerUid": "1001", "OwnerGid": "1000", "Permissions": "0755"},
            },
        },
    )


def test_timestream(data):
    has_resource(
        data, "AWS::Timestream::Database", {"KmsKeyId": {"Ref": "MainKeyArn"}}, DeletionPolicy="RetainExceptOnCreate"
    )
    has_resource(
        data,
        "AWS::Timestream::Table",
        {
            "DatabaseName": {"Ref": "MetricsDatabase"},
            "RetentionProperties": {
                "MemoryStoreRetentionPeriodInHours": "12",
                "MagneticStoreRetentionPeriodInDays": "365",
            },
        },
        DeletionPolicy="RetainExceptOnCreate",
    )


def test_s3_bucket(data):
    has_resource(
        data,
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "BucketKeyEnabled": True,
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": {"Ref": "MainKeyArn"},
                        },
                    }
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "ExpirationInDays": 400,
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                        "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}],
                    }
                ]
            },
        },
        DeletionPolicy="RetainExceptOnCreate",
    )
    plain = data["Resources"]["PlainBucket"]["Properties"]
    assert plain["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    assert plain["VersioningConfiguration"] == {"Status": "Suspended"}
    assert "NoncurrentVersionExpiration" not in plain["LifecycleConfiguration"]["Rules"][0]


def test_s3_tls_only(data):
    policy = has_resource(data, "AWS::S3::BucketPolicy", {"Bucket": {"Ref": "AssetsBucket"}})
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_counts(data):
    # One group per store reached over the network (db, sdb, pg, cache, redis, solo, files), none for
    # Timestream and S3; a secret per database and per Redis.
    assert count(data, "AWS::EC2::SecurityGroup") == 7
    assert count(data, "AWS::SecretsManager::Secret") == 5


@pytest.mark.parametrize(
    "versions, linted", [(AURORA_POSTGRES_VERSIONS, "aws_rds_dbcluster"), (RDS_POSTGRES_VERSIONS, "aws_rds_dbinstance")]
)
def test_supported_versions_exist(versions, linted):
    """Every version we call supported is one AWS shipped (per cfn-lint's list)."""
    from pathlib import Path

    import cfnlint

    schema = Path(cfnlint.__file__).parent / "data/schemas/extensions" / linted / "engine_version.json"
    text = schema.read_text()
    for version in versions:
        assert f'"{version}"' in text, version


def test_secret_encrypted_with_a_key_and_readers_may_decrypt(tmp_path):
    out = build_config(
        tmp_path,
        {
            "keys": {"main": {}},
            "secrets": {"token": {"key": "main"}, "plain": {}},
            "services": {
                "api": {
                    "containers": {
                        "app": {
                            "image": "nginx",
                            "secrets": {"TOKEN": {"secret": "token"}, "PLAIN": {"secret": "plain"}},
                        }
                    }
                }
            },
        },
    )
    has_resource(out["secrets"], "AWS::SecretsManager::Secret", {"KmsKeyId": {"Ref": "MainKeyArn"}})
    assert "KmsKeyId" not in out["secrets"]["Resources"]["PlainSecret"]["Properties"]
    policy = json.dumps(out["service-api"]["Resources"]["ApiExecutionRole"]["Properties"]["Policies"])
    assert '"kms:Decrypt"], "Effect": "Allow", "Resource": [{"Ref": "MainKeyArn"}]' in policy


# -- what security scanners check (README "Security") -----------------------------------------


def test_postgres_iam_auth_and_enhanced_monitoring_by_default(data):
    monitored = {"MonitoringInterval": 60, "MonitoringRoleArn": {"Fn::GetAtt": ["RdsMonitoringRole", "Arn"]}}
    has_resource(data, "AWS::RDS::DBCluster", {"EnableIAMDatabaseAuthentication": True})
    has_resource(data, "AWS::RDS::DBInstance", {"DBClusterIdentifier": {"Ref": "DbCluster"}, **monitored})
    has_resource(
        data, "AWS::RDS::DBInstance", {"Engine": "postgres", "EnableIAMDatabaseAuthentication": True, **monitored}
    )
    # One role for every store of the stack, RDS's own managed policy on it.
    has_resource(
        data,
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {"Statement": [{"Principal": {"Service": ["monitoring.rds.amazonaws.com"]}}]},
            "ManagedPolicyArns": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"}
            ],
        },
    )
    assert count(data, "AWS::IAM::Role") == 1


def test_rds_postgres_is_multi_az_by_default(tmp_path):
    data = build_config(tmp_path, {"data": {"db": {"kind": "rds-postgres"}}})["data"]
    has_resource(data, "AWS::RDS::DBInstance", {"MultiAZ": True})
    assert "Metadata" not in data["Resources"]["DbInstance"]


def test_postgres_opt_outs_carry_no_suppression(tmp_path):
    data = build_config(
        tmp_path,
        {
            "data": {
                "db": {"kind": "rds-postgres", "multi_az": False, "iam_auth": False, "monitoring_interval": 0},
                "au": {"kind": "aurora-postgres", "iam_auth": False, "monitoring_interval": 0},
            }
        },
    )["data"]
    instance = has_resource(
        data, "AWS::RDS::DBInstance", {"Engine": "postgres", "MultiAZ": False, "EnableIAMDatabaseAuthentication": False}
    )
    assert "MonitoringInterval" not in instance["Properties"] and count(data, "AWS::IAM::Role") == 0
    assert skips(data) == {}  # opt-outs are findings for scanners unless params waive them


def test_stores_carry_no_suppression_of_their_own(data):
    """Stores without a key, a bucket without access logs: findings unless params waive them."""
    assert skips(data) == {}


def test_timestream_without_key_carries_no_suppression(tmp_path):
    data = build_config(tmp_path, {"data": {"ts": {"kind": "timestream"}}})["data"]
    assert "Metadata" not in data["Resources"]["TsDatabase"]  # W3697 is a finding unless waived


def test_s3_server_access_logs(tmp_path):
    data = build_config(
        tmp_path, {"data": {"b": {"kind": "s3", "access_logs": {"bucket": "org-logs", "prefix": "s3/b/"}}}}
    )["data"]
    has_resource(
        data,
        "AWS::S3::Bucket",
        {"LoggingConfiguration": {"DestinationBucketName": "org-logs", "LogFilePrefix": "s3/b/"}},
    )
    assert skips(data) == {}


def test_observability_key_policy_admits_logs_and_alarms(tmp_path):
    out = build_config(tmp_path, {"keys": {"ops": {}, "other": {}}, "observability": {"key": "ops"}})
    statements = {s["Sid"]: s for s in out["keys"]["Resources"]["OpsKey"]["Properties"]["KeyPolicy"]["Statement"]}
    assert {"CloudWatchLogs", "CloudWatchAlarms"} <= set(statements)
    assert statements["CloudWatchAlarms"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statements["CloudWatchAlarms"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    other = [s["Sid"] for s in out["keys"]["Resources"]["OtherKey"]["Properties"]["KeyPolicy"]["Statement"]]
    assert other == ["AccountAdministers", "AccountUsesThroughIam"]


def test_key_without_rotation_carries_no_suppression(tmp_path):
    keys = build_config(tmp_path, {"keys": {"k": {"rotation_days": None}}})["keys"]
    assert skips(keys) == {}
