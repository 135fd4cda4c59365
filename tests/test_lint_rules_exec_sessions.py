"""E9109: in prod, a cluster's ECS Exec sessions are KMS-encrypted and logged."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def cluster(**exec_config) -> dict:
    props: dict = {}
    if exec_config:
        props["Configuration"] = {"ExecuteCommandConfiguration": exec_config}
    return {"Type": "AWS::ECS::Cluster", "Properties": props}


PATH = ["Resources/Cluster/Properties/Configuration/ExecuteCommandConfiguration"]
LOGGED = {"Logging": "OVERRIDE", "LogConfiguration": {"CloudWatchLogGroupName": "exec"}}


@pytest.mark.parametrize(
    "resource, prod, found",
    [
        (cluster(KmsKeyId=KEY, **LOGGED), True, []),
        (cluster(**LOGGED), True, PATH),
        (cluster(KmsKeyId=KEY, Logging="NONE"), True, PATH),
        (cluster(**LOGGED), False, []),
    ],
)
def test_exec_sessions(tmp_path, resource, prod, found):
    assert lint_rule(tmp_path, "E9109", {"Cluster": resource}, prod=prod) == found
