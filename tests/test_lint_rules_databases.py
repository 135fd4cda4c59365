"""E9111 (rds.force_ssl) and E9112 (RDS.9 log exports) on tiny prod templates."""

from __future__ import annotations

import pytest

from .helpers import lint_rule


def instance(**props) -> dict:
    return {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {"Engine": "postgres", "DBInstanceClass": "db.t4g.micro", "AllocatedStorage": "20", **props},
    }


def group(force_ssl: str) -> dict:
    return {
        "Type": "AWS::RDS::DBParameterGroup",
        "Properties": {"Description": "tls", "Family": "postgres17", "Parameters": {"rds.force_ssl": force_ssl}},
    }


TLS = {"DBParameterGroupName": {"Ref": "Pg"}}
LOGS = {"EnableCloudwatchLogsExports": ["postgresql"]}
MEMBER = {
    "Type": "AWS::RDS::DBInstance",
    "Properties": {"Engine": "aurora-postgresql", "DBInstanceClass": "db.r6g.large", "DBClusterIdentifier": "c"},
}


@pytest.mark.parametrize(
    "rule, resources, prod, found",
    [
        ("E9111", {"Db": instance(**TLS), "Pg": group("1")}, True, []),
        ("E9111", {"Db": instance(**TLS), "Pg": group("0")}, True, ["Resources/Db/Properties"]),
        ("E9111", {"Db": instance()}, True, ["Resources/Db/Properties"]),
        ("E9111", {"Db": instance()}, False, []),
        ("E9111", {"Member": MEMBER}, True, []),  # follows its cluster
        ("E9112", {"Db": instance(**LOGS)}, True, []),
        ("E9112", {"Db": instance()}, True, ["Resources/Db/Properties"]),
        ("E9112", {"Db": instance()}, False, []),
        ("E9112", {"Member": MEMBER}, True, []),
    ],
)
def test_database_rules(tmp_path, rule, resources, prod, found):
    assert lint_rule(tmp_path, rule, resources, prod=prod) == found
