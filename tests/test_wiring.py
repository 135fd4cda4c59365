"""`uses:` wiring: for every store kind, the SG rule, the IAM statement scoped to that resource, and the
container environment/secrets; first on `wire()` itself (the contract), then on built templates."""

from __future__ import annotations

import json

import pytest
from troposphere import encode_to_dict

from templates_src.config.system import System
from templates_src.graph import StackGraph
from templates_src.parts.wiring import wire

from .helpers import build, has_resource, resources, write_params

DATA = {
    "db": {"kind": "aurora-postgres", "key": "main"},
    "pg": {"kind": "rds-postgres", "credentials": "app"},
    "cache": {"kind": "valkey-serverless"},
    "redis": {"kind": "redis", "key": "main"},
    "files": {
        "kind": "efs",
        "access_points": {
            "chroma": {"path": "/chroma", "mount_path": "/mnt/efs/chroma"},
            "ro": {"path": "/shared", "mount_path": "/mnt/shared", "read_only": True},
        },
    },
    "metrics": {"kind": "timestream"},
    "events": {"kind": "timestream", "tables": {"usage": {}}, "access": "write"},
    "assets": {"kind": "s3", "key": "main"},
    "docs": {"kind": "s3", "access": "read"},
}
APP = {"containers": {"app": {"image": "nginx", "ports": [{"port": 80}]}}}


def config(uses: list[str], **data_overrides) -> dict:
    return {"keys": {"main": {}}, "data": {**DATA, **data_overrides}, "services": {"api": {**APP, "uses": uses}}}


def wired(uses: list[str], **data_overrides):
    cfg = System.model_validate(config(uses, **data_overrides))
    assert not list(cfg.check())
    ctx = StackGraph("s", "dev").context("service-api", "test")
    w = wire(cfg, "api", ctx)
    imports = {param: (imp.producer, imp.output) for param, imp in ctx._unit.imports.items()}
    statements = {
        role: [encode_to_dict(s.JSONrepr()) for s in getattr(w, f"{role}_statements")] for role in ("execution", "task")
    }
    return w, statements, imports


def ref(name: str) -> dict:
    return {"Ref": name}


def statement(statements: list[dict], action: str) -> dict:
    found = [s for s in statements if action in s["Action"]]
    assert len(found) == 1, (action, statements)
    return found[0]


def test_nothing_used_nothing_wired():
    w, _statements, imports = wired([])
    assert (w.ingress, w.environment, w.secrets, w.volumes, imports) == ([], {}, {}, [], {})


def test_aurora_container_credentials():
    w, st, imports = wired(["db"])
    assert [(i.store, i.port, encode_to_dict(i.group_id)) for i in w.ingress] == [
        ("db", 5432, ref("DbSecurityGroupId"))
    ]
    read = statement(st["execution"], "secretsmanager:GetSecretValue")
    assert read["Resource"] == [ref("DbSecretArn")]
    assert statement(st["execution"], "kms:Decrypt")["Resource"] == [ref("MainKeyArn")]
    assert st["task"] == []
    assert sorted(w.secrets) == ["DB_HOST", "DB_NAME", "DB_PASSWORD", "DB_PORT", "DB_USERNAME"]
    assert encode_to_dict(w.secrets["DB_NAME"]) == {"Fn::Sub": "${DbSecretArn}:dbname::"}
    assert imports["DbSecretArn"] == ("data", "DbSecretArn") and imports["MainKeyArn"] == ("keys", "MainKeyArn")
    # Aurora's reader endpoint, for read-only connections (the writer's when the cluster has no readers).
    assert encode_to_dict(w.environment["DB_READER_HOST"]) == ref("DbReadEndpoint")
    assert imports["DbReadEndpoint"] == ("data", "DbReadEndpoint")


def test_only_aurora_has_a_reader_endpoint():
    w, _, _ = wired(["pg"])
    assert not any(name.endswith("READER_HOST") for name in w.environment)


def test_rds_app_credentials():
    w, st, _ = wired(["pg"])
    assert [i.port for i in w.ingress] == [5432]
    assert w.secrets == {}
    assert encode_to_dict(w.environment["PG_SECRET_ARN"]) == ref("PgSecretArn")
    assert statement(st["task"], "secretsmanager:GetSecretValue")["Resource"] == [ref("PgSecretArn")]
    assert st["execution"] == []


def test_valkey():
    w, st, _ = wired(["cache"])
    assert [(i.store, i.port) for i in w.ingress] == [("cache", 6379)]
    assert {k: encode_to_dict(v) for k, v in w.environment.items()} == {
        "CACHE_HOST": ref("CacheEndpoint"),
        "CACHE_PORT": ref("CachePort"),
    }
    assert st == {"execution": [], "task": []}


def test_redis_auth_token():
    w, st, _ = wired(["redis"])
    assert [i.port for i in w.ingress] == [6379]
    assert encode_to_dict(w.secrets["REDIS_AUTH_TOKEN"]) == ref("RedisSecretArn")
    assert statement(st["execution"], "secretsmanager:GetSecretValue")["Resource"] == [ref("RedisSecretArn")]
    assert statement(st["execution"], "kms:Decrypt")["Resource"] == [ref("MainKeyArn")]


def test_redis_url_secret_is_opt_in():
    w, st, imports = wired(["redis"], redis={"kind": "redis", "key": "main", "url": True, "env": {"url": "REDIS_URL"}})
    assert encode_to_dict(w.secrets["REDIS_URL"]) == ref("RedisUrlSecretArn")
    assert imports["RedisUrlSecretArn"] == ("data", "RedisUrlSecretArn")
    read = statement(st["execution"], "secretsmanager:GetSecretValue")
    assert read["Resource"] == [ref("RedisSecretArn"), ref("RedisUrlSecretArn")]
    plain, _, _ = wired(["redis"])
    assert "REDIS_URL" not in plain.secrets


def test_efs_volumes_and_scoped_mount():
    w, st, _ = wired(["files"])
    assert [i.port for i in w.ingress] == [2049]
    volumes = [encode_to_dict(v.to_dict()) for v in w.volumes]
    assert volumes[0] == {
        "Name": "FilesChroma",
        "EFSVolumeConfiguration": {
            "FilesystemId": ref("FilesFileSystemId"),
            "TransitEncryption": "ENABLED",
            "AuthorizationConfig": {"AccessPointId": ref("FilesChromaAccessPointId"), "IAM": "ENABLED"},
        },
    }
    mounts = [m.to_dict() for m in w.mount_points]
    assert mounts == [
        {"SourceVolume": "FilesChroma", "ContainerPath": "/mnt/efs/chroma", "ReadOnly": False},
        {"SourceVolume": "FilesRo", "ContainerPath": "/mnt/shared", "ReadOnly": True},
    ]
    mount = statement(st["task"], "elasticfilesystem:ClientMount")
    assert mount["Resource"] == [ref("FilesFileSystemArn")]
    assert "elasticfilesystem:ClientWrite" in mount["Action"]
    assert mount["Condition"] == {
        "StringEquals": {
            "elasticfilesystem:AccessPointArn": [ref("FilesChromaAccessPointArn"), ref("FilesRoAccessPointArn")]
        }
    }
    assert w.environment == {"FILES_CHROMA_PATH": "/mnt/efs/chroma", "FILES_RO_PATH": "/mnt/shared"}


def test_efs_read_only_mounts_cannot_write():
    _w, st, _ = wired(
        ["files"],
        files={
            "kind": "efs",
            "access_points": {"ro": {"path": "/shared", "mount_path": "/mnt/shared", "read_only": True}},
        },
    )
    assert statement(st["task"], "elasticfilesystem:ClientMount")["Action"] == ["elasticfilesystem:ClientMount"]


def test_timestream_database_scope():
    w, st, _ = wired(["metrics"])
    assert w.ingress == []
    assert encode_to_dict(w.environment["METRICS_DATABASE_NAME"]) == ref("MetricsDatabaseName")
    write = statement(st["task"], "timestream:WriteRecords")
    assert write["Resource"] == [{"Fn::Sub": "${MetricsDatabaseArn}/table/*"}]
    assert statement(st["task"], "timestream:DescribeDatabase")["Resource"] == [ref("MetricsDatabaseArn")]
    # The one action AWS offers no resource scope for.
    assert statement(st["task"], "timestream:DescribeEndpoints")["Resource"] == ["*"]
    # No tables declared: the app's migrations create them, in this database only.
    assert "timestream:CreateTable" in write["Action"]


def test_an_app_that_only_reads_creates_no_table():
    _, st, _ = wired(["metrics"], metrics={"kind": "timestream", "access": "read"})
    assert not any("timestream:CreateTable" in s["Action"] for s in st["task"])


def test_timestream_declared_tables_write_only():
    w, st, _ = wired(["events"])
    write = statement(st["task"], "timestream:WriteRecords")
    assert write["Resource"] == [ref("EventsUsageTableArn")]
    assert "timestream:Select" not in write["Action"]
    assert "timestream:CreateTable" not in write["Action"]  # declared tables are the template's
    assert encode_to_dict(w.environment["EVENTS_USAGE_TABLE_NAME"]) == ref("EventsUsageTableName")


def test_s3_bucket_scope_and_key():
    w, st, _ = wired(["assets", "docs"])
    objects = [s for s in st["task"] if "s3:GetObject" in s["Action"]]
    assert objects[0]["Resource"] == [{"Fn::Sub": "${AssetsBucketArn}/*"}]
    assert objects[0]["Action"] == ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    assert objects[1]["Action"] == ["s3:GetObject"]
    assert [s["Resource"] for s in st["task"] if s["Action"] == ["s3:ListBucket"]] == [
        [ref("AssetsBucketArn")],
        [ref("DocsBucketArn")],
    ]
    key = statement(st["task"], "kms:GenerateDataKey")
    assert key["Resource"] == [ref("MainKeyArn")] and key["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert encode_to_dict(w.environment["ASSETS_BUCKET_NAME"]) == ref("AssetsBucketName")


def test_key_used_directly():
    w, st, _ = wired(["main"])
    assert encode_to_dict(w.environment["MAIN_KEY_ARN"]) == ref("MainKeyArn")
    key = statement(st["task"], "kms:Encrypt")
    assert key["Resource"] == [ref("MainKeyArn")]


def test_one_kms_statement_per_role_and_key():
    _, st, _ = wired(["db", "redis", "main", "assets"])
    assert len([s for s in st["execution"] if s["Action"][0].startswith("kms:")]) == 1
    assert len([s for s in st["task"] if s["Action"][0].startswith("kms:")]) == 1


def test_variables_can_be_renamed():
    w, _, _ = wired(
        ["db", "cache"],
        db={
            "kind": "aurora-postgres",
            "env_prefix": "DATABASE",
            "env": {"name": "DATABASE_DB_NAME", "username": "DATABASE_USER"},
        },
        cache={"kind": "valkey-serverless", "env_prefix": "REDIS"},
    )
    assert sorted(w.secrets) == [
        "DATABASE_DB_NAME",
        "DATABASE_HOST",
        "DATABASE_PASSWORD",
        "DATABASE_PORT",
        "DATABASE_USER",
    ]
    assert sorted(w.environment) == ["DATABASE_READER_HOST", "REDIS_HOST", "REDIS_PORT"]


# -- built templates --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    write_params(root, "wired", config(list(DATA) + ["main"]))
    return build(root, "wired")


def test_service_stack_applies_the_wiring(built):
    svc = built["service-api"]
    for store, port in [("Db", 5432), ("Pg", 5432), ("Cache", 6379), ("Redis", 6379), ("Files", 2049)]:
        has_resource(
            svc,
            "AWS::EC2::SecurityGroupIngress",
            {"GroupId": ref(f"{store}SecurityGroupId"), "FromPort": port, "ToPort": port, "IpProtocol": "tcp"},
        )
    (task_def,) = resources(svc, "AWS::ECS::TaskDefinition").values()
    app = task_def["Properties"]["ContainerDefinitions"][0]
    assert {"Name": "DB_PASSWORD", "ValueFrom": {"Fn::Sub": "${DbSecretArn}:password::"}} in app["Secrets"]
    assert {"ContainerPath": "/mnt/efs/chroma", "ReadOnly": False, "SourceVolume": "FilesChroma"} in app["MountPoints"]
    assert [v["Name"] for v in task_def["Properties"]["Volumes"]] == ["FilesChroma", "FilesRo"]
    root = built["root"]["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]
    assert root["DbSecretArn"] == {"Fn::GetAtt": ["DataStack", "Outputs.DbSecretArn"]}
    assert root["MainKeyArn"] == {"Fn::GetAtt": ["KeysStack", "Outputs.MainKeyArn"]}


def test_efs_condition_survives_into_the_role(built):
    text = json.dumps(built["service-api"])
    assert "elasticfilesystem:AccessPointArn" in text


def _actions(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Action", "NotAction") and node.get("Effect") != "Deny":
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from _actions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _actions(value)


def test_no_wildcard_action_anywhere(built):
    for name, template in built.items():
        for action in _actions(template.get("Resources", {})):
            assert isinstance(action, str) and action != "*" and not action.endswith("*"), (name, action)
