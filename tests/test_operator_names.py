"""What an operator reads and types: physical names on request, root outputs for runbooks, the alarm topic."""

from __future__ import annotations

import pytest

from .helpers import assert_refused, build, write_params

IMAGE = "public.ecr.aws/docker/library/nginx:1.27"
SYSTEM = {
    "services": {
        "api": {"containers": {"api": {"image": IMAGE, "ports": [{"port": 80}]}}, "alarms": {}},
        "worker": {"containers": {"worker": {"image": IMAGE}}},
    },
    "load_balancers": {
        "web": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]},
    },
}
NAMED = {
    "cluster": {"name": "shop-cluster"},
    "services": {"api": {"service_name": "shop-api", "log_group_name": "/ecs/shop-api"}},
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    write_params(root, "shop", SYSTEM, {"dev": {}, "prod": NAMED})
    return build(root, "shop", "dev"), build(root, "shop", "prod")


def test_names_are_cloudformations_unless_given(built):
    dev, prod = built
    assert "ClusterName" not in dev["cluster"]["Resources"]["Cluster"]["Properties"]
    assert "ServiceName" not in dev["service-api"]["Resources"]["ApiService"]["Properties"]
    assert "LogGroupName" not in dev["service-api"]["Resources"]["ApiLogGroup"]["Properties"]
    assert prod["cluster"]["Resources"]["Cluster"]["Properties"]["ClusterName"] == "shop-cluster"
    assert prod["service-api"]["Resources"]["ApiService"]["Properties"]["ServiceName"] == "shop-api"
    assert prod["service-api"]["Resources"]["ApiLogGroup"]["Properties"]["LogGroupName"] == "/ecs/shop-api"
    # Only the service that asked is named.
    assert "ServiceName" not in prod["service-worker"]["Resources"]["WorkerService"]["Properties"]


def test_runbook_values_are_root_outputs(built):
    dev, _ = built
    outputs = dev["root"]["Outputs"]
    for name in ("ClusterName", "ApiServiceName", "ApiLogGroupName", "WorkerServiceName", "WorkerLogGroupName"):
        assert name in outputs, sorted(outputs)
    assert outputs["WorkerLogGroupName"]["Value"] == {
        "Fn::GetAtt": ["ServiceWorkerStack", "Outputs.WorkerLogGroupName"]
    }
    child = dev["service-worker"]["Outputs"]
    assert child["WorkerLogGroupName"]["Value"] == {"Ref": "WorkerLogGroup"}
    assert child["WorkerServiceName"]["Value"] == {"Fn::GetAtt": ["WorkerService", "Name"]}


def test_an_existing_alarm_topic_is_a_root_parameter_and_no_topic_is_made(tmp_path):
    arn = "arn:aws:sns:us-east-1:123456789012:oncall"
    write_params(tmp_path, "shop", {**SYSTEM, "observability": {"alarm_topic_arn": arn}})
    built = build(tmp_path, "shop")
    assert built["root"]["Parameters"]["AlarmTopicArn"]["Default"] == arn
    assert "observability" not in built  # nothing left to deploy there
    stack = built["root"]["Resources"]["ServiceApiStack"]["Properties"]
    assert stack["Parameters"]["AlarmTopicArn"] == {"Ref": "AlarmTopicArn"}
    alarm = next(r for r in built["service-api"]["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm")
    assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopicArn"}]


BAD = [
    (
        "service-name-twice",
        {"services": {"api": {"service_name": "same"}, "worker": {"service_name": "same"}}},
        ["services.worker.service_name:", "also the service_name of service 'api'"],
    ),
    (
        "log-group-twice",
        {"services": {"api": {"log_group_name": "/ecs/x"}, "worker": {"log_group_name": "/ecs/x"}}},
        ["services.worker.log_group_name:", "also the log_group_name of service 'api'"],
    ),
    ("bad-cluster-name", {"cluster": {"name": "no spaces"}}, ["cluster.name:"]),
    (
        "topic-and-emails",
        {"observability": {"alarm_topic_arn": "arn:aws:sns:us-east-1:123456789012:t", "alarm_emails": ["a@b.co"]}},
        ["observability.alarm_emails:", "subscribe these addresses to it there"],
    ),
    (
        "topic-in-another-region",
        {"observability": {"alarm_topic_arn": "arn:aws:sns:eu-west-1:123456789012:t"}},
        ["observability.alarm_topic_arn:", "in their own region (us-east-1)"],
    ),
]


@pytest.mark.parametrize("overlay, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input(tmp_path, monkeypatch, overlay, fragments):
    assert_refused(tmp_path / "params", monkeypatch, SYSTEM, overlay, fragments)
