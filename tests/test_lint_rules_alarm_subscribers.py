"""W9120: an alarm topic without a subscriber is a warning; subscribed ones, other topics and an existing topic
(no topic in the template) are not."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

TOPIC = {"Type": "AWS::SNS::Topic", "Properties": {}}
MARKED = {**TOPIC, "Metadata": {"stackc": {"alarm_topic": True}}}
EMAIL = {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [{"Protocol": "email", "Endpoint": "a@b.io"}]}}
SUBSCRIPTION = {
    "Type": "AWS::SNS::Subscription",
    "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "https", "Endpoint": "https://oncall.example.com/hook"},
}


def alarm(*actions) -> dict:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "MetricName": "CPUUtilization",
            "Namespace": "AWS/ECS",
            "Statistic": "Average",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 80,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": list(actions),
        },
    }


@pytest.mark.parametrize(
    "resources, found",
    [
        ({"Topic": MARKED}, ["Resources/Topic"]),  # the system's alarm topic, its alarms in other stacks
        ({"Topic": TOPIC, "Cpu": alarm({"Ref": "Topic"})}, ["Resources/Topic"]),  # an alarm of this template
        ({"Topic": EMAIL, "Cpu": alarm({"Ref": "Topic"})}, []),
        ({"Topic": MARKED, "Hook": SUBSCRIPTION}, []),
        ({"Topic": TOPIC}, []),  # a topic no alarm uses (a `kind: sns` store): not an alarm topic
        ({"Cpu": alarm("arn:aws:sns:us-east-1:123456789012:oncall")}, []),  # someone else's topic
    ],
)
def test_alarm_subscribers(tmp_path, resources, found):
    assert lint_rule(tmp_path, "W9120", resources, prod=False) == found
    assert lint_rule(tmp_path, "W9120", resources, prod=True) == found  # in every env


def _lint_system(tmp_path, monkeypatch, observability: dict):
    from click.testing import CliRunner

    import cli

    from .helpers import write_params

    system = {
        "services": {"api": {"containers": {"api": {"image": "public.ecr.aws/nginx/nginx:1.27"}}, "alarms": {}}},
        "observability": observability,
    }
    write_params(tmp_path / "params", "s", system)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    return CliRunner().invoke(cli.cli, ["lint", "-s", "s", "-e", "dev"])


def test_a_system_alarming_to_nobody_fails_lint_until_someone_is_subscribed(tmp_path, monkeypatch):
    nobody = _lint_system(tmp_path, monkeypatch, {})
    assert nobody.exit_code == 1 and "W9120" in nobody.output and "observability.alarm_emails" in nobody.output
    mailed = _lint_system(tmp_path, monkeypatch, {"alarm_emails": ["oncall@example.com"]})
    assert mailed.exit_code == 0, mailed.output
    existing = _lint_system(tmp_path, monkeypatch, {"alarm_topic_arn": "arn:aws:sns:us-east-1:123456789012:oncall"})
    assert existing.exit_code == 0, existing.output
