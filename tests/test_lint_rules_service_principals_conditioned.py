"""E9115: key policy statements for AWS services carry a condition, in every env."""

from __future__ import annotations

import pytest

from .helpers import lint_rule


def key(statement: dict) -> dict:
    account = {
        "Sid": "Account",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": ["kms:DescribeKey"],
        "Resource": "*",
    }
    return {
        "Type": "AWS::KMS::Key",
        "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [account, statement]}},
    }


ALARMS = {
    "Sid": "CloudWatchAlarms",
    "Effect": "Allow",
    "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
    "Resource": "*",
}


@pytest.mark.parametrize(
    "statement, found",
    [
        ({**ALARMS, "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}, []),
        (ALARMS, ["Resources/K/Properties/KeyPolicy/Statement/1"]),
        ({**ALARMS, "Effect": "Deny"}, []),
    ],
)
def test_service_principals_conditioned(tmp_path, statement, found):
    assert lint_rule(tmp_path, "E9115", {"K": key(statement)}, prod=False) == found
