"""Broken data/keys/uses params through the real CLI: exit 2 and a message naming the field."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import cli

API = "services:\n  api:\n    containers:\n      app: {image: nginx}\n"

# (case id, _base.yaml text, expected fragments of the message)
CASES = [
    (
        "unknown-uses",
        API + "    uses: [db, cache]\ndata:\n  db: {kind: rds-postgres}\n",
        ["services.api.uses[1]:", "service 'api' uses unknown store 'cache'", "expected one of: db", "got 'cache'"],
    ),
    (
        "uses-without-stores",
        API + "    uses: [db]\n",
        ["services.api.uses[0]:", "unknown store 'db'", "add it under data: or keys:"],
    ),
    (
        "serverless-min-above-max",
        "data:\n  db:\n    kind: aurora-postgres\n    serverless_v2: {min_acu: 8, max_acu: 4}\n",
        ["data.db.serverless_v2.min_acu:", "must not exceed max_acu (4)", "got 8"],
    ),
    (
        "serverless-half-steps",
        "data:\n  db:\n    kind: aurora-postgres\n    serverless_v2: {min_acu: 0.7, max_acu: 4}\n",
        ["data.db.serverless_v2:", "steps of 0.5"],
    ),
    (
        "serverless-with-instance-class",
        "data:\n  db:\n    kind: aurora-postgres\n    instance_class: db.r6g.large\n    serverless_v2: {max_acu: 4}\n",
        ["data.db.instance_class:", "does not apply with serverless_v2"],
    ),
    (
        "aurora-version",
        "data:\n  db: {kind: aurora-postgres, engine_version: '9.6'}\n",
        ["data.db.engine_version:", "unsupported aurora-postgres engine version", "17.6", "got '9.6'"],
    ),
    (
        "rds-version",
        "data:\n  db: {kind: rds-postgres, engine_version: '18.99'}\n",
        ["data.db.engine_version:", "unsupported rds-postgres engine version"],
    ),
    ("redis-version", "data:\n  cache: {kind: redis, engine_version: '5.0'}\n", ["data.cache.engine_version:", "7.1"]),
    (
        "unquoted-version",
        "data:\n  db: {kind: aurora-postgres, engine_version: 17.6}\n",
        ["data.db.engine_version:", "expected a quoted version like '17.6'"],
    ),
    ("unknown-kind", "data:\n  db: {kind: mongodb}\n", ["data.db:", "aurora-postgres"]),
    ("unknown-store-key", "data:\n  db: {kind: rds-postgres, sise: 3}\n", ["data.db.sise:", "unknown key 'sise'"]),
    (
        "unknown-kms-key",
        "data:\n  db: {kind: rds-postgres, key: main}\n",
        ["data.db.key:", "unknown key 'main'", "add one under `keys:`"],
    ),
    (
        "unknown-env-key",
        "data:\n  db: {kind: rds-postgres, env: {hostname: DB}}\n",
        ["data.db.env.hostname:", "expected one of: host, port, name, username, password"],
    ),
    ("bad-env-name", "data:\n  db: {kind: rds-postgres, env_prefix: 'my-db'}\n", ["data.db.env_prefix:"]),
    ("name-clash", "keys:\n  db: {}\ndata:\n  db: {kind: rds-postgres}\n", ["keys.db:", "same name"]),
    ("efs-no-access-points", "data:\n  files: {kind: efs, access_points: {}}\n", ["data.files.access_points:"]),
    (
        "efs-same-mount",
        "data:\n  files:\n    kind: efs\n    access_points:\n      a: {path: /a, mount_path: /mnt/x}\n"
        "      b: {path: /b, mount_path: /mnt/x}\n",
        ["data.files.access_points.b.mount_path:", "access point 'a'"],
    ),
    (
        "rds-storage",
        "data:\n  db: {kind: rds-postgres, allocated_storage: 50, max_allocated_storage: 40}\n",
        ["data.db.max_allocated_storage:", "must exceed allocated_storage (50)"],
    ),
    ("unknown-secret-key", "secrets:\n  token: {key: main}\n", ["secrets.token.key:", "unknown key 'main'"]),
    ("key-rotation", "keys:\n  main: {rotation_days: 30}\n", ["keys.main.rotation_days:", ">= 90"]),
    (
        "unknown-observability-key",
        "observability: {key: logs}\n",
        ["observability.key:", "unknown key 'logs'", "add one under `keys:`"],
    ),
    (
        "monitoring-interval",
        "data:\n  db: {kind: rds-postgres, monitoring_interval: 20}\n",
        ["data.db.monitoring_interval:", "60"],
    ),
    # names that differ only in '-' make one logical ID (found by tests/test_zoo.py's shapes; a build crash before)
    (
        "store-and-key-ids-collide",
        "data:\n  db-1: {kind: s3}\nkeys:\n  db1: {}\n",
        ["keys.db1:", "becomes Db1 in logical IDs, as 'db-1' does", "rename one"],
    ),
    (
        "access-point-ids-collide",
        "data:\n  files:\n    kind: efs\n    access_points:\n"
        "      a-1: {path: /a, mount_path: /mnt/a}\n      a1: {path: /b, mount_path: /mnt/b}\n",
        ["data.files.access_points.a1:", "becomes A1 in logical IDs, as 'a-1' does"],
    ),
    (
        "table-ids-collide",
        "data:\n  ts: {kind: timestream, tables: {ev-1: {}, ev1: {}}}\n",
        ["data.ts.tables.ev1:", "becomes Ev1"],
    ),
]


@pytest.mark.parametrize("base, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, monkeypatch, base, fragments):
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text(base)
    (folder / "dev.yaml").write_text("")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = CliRunner().invoke(cli.cli, ["build", "--system", "s", "--env", "dev"])
    assert result.exit_code == 2, result.output
    message = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
