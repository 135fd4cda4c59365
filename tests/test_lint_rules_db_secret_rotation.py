"""E9117: in prod, a database's attached credentials secret has a rotation schedule; dev is not held to it,
nor are secrets attached to anything but a database."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

SECRET = {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": {"PasswordLength": 32}}}


def attachment(target_type: str = "AWS::RDS::DBInstance") -> dict:
    return {
        "Type": "AWS::SecretsManager::SecretTargetAttachment",
        "Properties": {"SecretId": {"Ref": "Secret"}, "TargetId": "db-1", "TargetType": target_type},
    }


ROTATION = {
    "Type": "AWS::SecretsManager::RotationSchedule",
    "Properties": {
        "SecretId": {"Ref": "Secret"},
        "RotationLambdaARN": "arn:aws:lambda:us-east-1:123456789012:function:rotate",
        "RotationRules": {"AutomaticallyAfterDays": 30},
    },
}


@pytest.mark.parametrize(
    "resources, prod, found",
    [
        ({"Secret": SECRET, "Attach": attachment(), "Rotate": ROTATION}, True, []),
        ({"Secret": SECRET, "Attach": attachment()}, True, ["Resources/Secret"]),
        ({"Secret": SECRET, "Attach": attachment("AWS::RDS::DBCluster")}, True, ["Resources/Secret"]),
        ({"Secret": SECRET, "Attach": attachment()}, False, []),
        ({"Secret": SECRET}, True, []),
    ],
)
def test_db_secret_rotation(tmp_path, resources, prod, found):
    assert lint_rule(tmp_path, "E9117", resources, prod=prod) == found
