"""E9119: in prod, secrets carry a KmsKeyId; dev is not held to it."""

from __future__ import annotations

import pytest

from .helpers import lint_rule


def secret(**extra) -> dict:
    return {"Type": "AWS::SecretsManager::Secret", "Properties": {"Description": "s", **extra}}


@pytest.mark.parametrize(
    "resources, prod, found",
    [
        (
            {"S": secret(KmsKeyId="arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab")},
            True,
            [],
        ),
        ({"S": secret()}, True, ["Resources/S"]),
        ({"S": secret()}, False, []),
    ],
)
def test_secrets_kms(tmp_path, resources, prod, found):
    assert lint_rule(tmp_path, "E9119", resources, prod=prod) == found
