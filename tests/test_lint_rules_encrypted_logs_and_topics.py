"""E9105 (log groups under a customer managed key) and E9106 (SNS.1 topics encrypted), in prod."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GROUP = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}
TOPIC = {"Type": "AWS::SNS::Topic", "Properties": {}}


def with_props(resource: dict, **props) -> dict:
    return {**resource, "Properties": {**resource["Properties"], **props}}


@pytest.mark.parametrize(
    "rule, resource, prod, found",
    [
        ("E9105", with_props(GROUP, KmsKeyId=KEY), True, []),
        ("E9105", GROUP, True, ["Resources/R/Properties"]),
        ("E9105", GROUP, False, []),
        ("E9106", with_props(TOPIC, KmsMasterKeyId=KEY), True, []),
        ("E9106", TOPIC, True, ["Resources/R/Properties"]),
        ("E9106", TOPIC, False, []),
    ],
)
def test_encrypted_logs_and_topics(tmp_path, rule, resource, prod, found):
    assert lint_rule(tmp_path, rule, {"R": resource}, prod=prod) == found
