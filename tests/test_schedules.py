"""Scheduled tasks: `schedule:` turns a service into an EventBridge Scheduler -> ECS RunTask target."""

from __future__ import annotations

import json

import pytest

from .helpers import assert_refused, build, resources, write_params

IMAGE = "public.ecr.aws/docker/library/busybox:1.36"
SYSTEM = {
    "services": {
        "report": {
            "containers": {"report": {"image": IMAGE, "command": ["./report"]}},
            "schedule": "cron(0 3 * * ? *)",
            "alarms": {},
        },
        "cleanup": {
            "containers": {"cleanup": {"image": IMAGE}},
            "schedule": {"expression": "rate(15 minutes)", "timezone": "Europe/Paris", "retries": 0, "enabled": False},
            "capacity": [{"provider": "FARGATE_SPOT", "weight": 1}],
            "public_ip": True,
        },
        "api": {"containers": {"api": {"image": IMAGE}}},
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    write_params(root, "jobs", SYSTEM)
    return build(root, "jobs")


def test_a_scheduled_service_has_a_schedule_and_no_ecs_service(built):
    report = built["service-report"]
    assert not resources(report, "AWS::ECS::Service")
    assert not resources(report, "AWS::ApplicationAutoScaling::ScalableTarget")
    schedule = report["Resources"]["ReportSchedule"]["Properties"]
    assert schedule["ScheduleExpression"] == {"Ref": "ReportScheduleExpression"}
    assert schedule["State"] == {"Ref": "ReportScheduleState"}
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = schedule["Target"]
    assert target["Arn"] == {"Ref": "ClusterArn"}
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ReportScheduleDeadLetterQueue", "Arn"]}}
    ecs = target["EcsParameters"]
    assert ecs["TaskDefinitionArn"] == {"Ref": "ReportTaskDefinition"}
    assert ecs["NetworkConfiguration"]["AwsvpcConfiguration"] == {
        "AssignPublicIp": "DISABLED",
        "SecurityGroups": [{"Fn::GetAtt": ["ReportSecurityGroup", "GroupId"]}],
        "Subnets": {"Ref": "PrivateSubnetIds"},
    }
    assert "CapacityProviderStrategy" not in ecs and "LaunchType" not in ecs  # the cluster's default, as a service


def test_the_schedule_is_a_root_parameter_the_console_can_change(built):
    params = built["root"]["Parameters"]
    assert params["ReportScheduleExpression"]["Default"] == "cron(0 3 * * ? *)"
    assert params["ReportScheduleState"]["AllowedValues"] == ["ENABLED", "DISABLED"]
    assert params["CleanupScheduleState"]["Default"] == "DISABLED"
    assert "ReportDesiredCount" not in params


def test_placement_capacity_timezone_and_retries_follow_the_config(built):
    schedule = built["service-cleanup"]["Resources"]["CleanupSchedule"]["Properties"]
    ecs = schedule["Target"]["EcsParameters"]
    assert ecs["CapacityProviderStrategy"] == [{"Base": 0, "CapacityProvider": "FARGATE_SPOT", "Weight": 1}]
    assert ecs["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"
    assert ecs["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == {"Ref": "PublicSubnetIds"}
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 0


def test_the_schedulers_role_runs_this_task_in_this_cluster_and_passes_this_services_roles(built):
    role = built["service-report"]["Resources"]["ReportSchedulerRole"]["Properties"]
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": ["scheduler.amazonaws.com"]}
    assert trust["Condition"] == {  # only this account's schedule groups (the confused deputy; E9116)
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {
            "aws:SourceArn": {
                "Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/*"
            }
        },
    }
    statements = {s["Action"][0]: s for s in role["Policies"][0]["PolicyDocument"]["Statement"]}
    assert statements["ecs:RunTask"]["Resource"] == [{"Ref": "ReportTaskDefinition"}]
    assert statements["ecs:RunTask"]["Condition"] == {"ArnEquals": {"ecs:cluster": {"Ref": "ClusterArn"}}}
    assert statements["iam:PassRole"]["Resource"] == [
        {"Fn::GetAtt": ["ReportExecutionRole", "Arn"]},
        {"Fn::GetAtt": ["ReportTaskRole", "Arn"]},
    ]
    assert statements["sqs:SendMessage"]["Resource"] == [{"Fn::GetAtt": ["ReportScheduleDeadLetterQueue", "Arn"]}]


def test_failed_runs_alarm_and_operator_outputs(built):
    report = built["service-report"]
    alarm = report["Resources"]["ReportFailedRunsAlarm"]["Properties"]
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["ReportScheduleDeadLetterQueue", "QueueName"]}}
    ]
    assert "CleanupFailedRunsAlarm" not in built["service-cleanup"]["Resources"]  # alarms are opt-in
    outputs = built["root"]["Outputs"]
    assert {"ReportScheduleName", "ReportLogGroupName", "ApiServiceName"} <= set(outputs)
    assert "ReportServiceName" not in outputs


def test_a_long_running_service_beside_them_is_unchanged(built):
    api = built["service-api"]
    assert resources(api, "AWS::ECS::Service") and not resources(api, "AWS::Scheduler::Schedule")
    assert "Schedule" not in json.dumps(api)


BAD = [
    (
        "behind-a-load-balancer",
        {
            "load_balancers": {"web": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "report"}]}},
            "services": {"report": {"containers": {"report": {"ports": [{"port": 80}]}}}},
        },
        ["services.report.schedule:", "a load balancer ('web') forwards to a long-running service"],
    ),
    (
        "with-scaling",
        {"services": {"report": {"scaling": {"min": 1, "max": 2, "cpu": 50}}}},
        ["services.report.scaling:", "does not apply to a scheduled task"],
    ),
    (
        "with-desired-count",
        {"services": {"report": {"desired_count": 3}}},
        ["services.report.desired_count:", "does not apply to a scheduled task"],
    ),
    (
        "with-cpu-alarm",
        {"services": {"report": {"alarms": {"cpu": 90}}}},
        ["services.report.alarms.cpu:", "alarms on failed runs only"],
    ),
    ("bad-expression", {"services": {"report": {"schedule": "every day"}}}, ["services.report.schedule.expression:"]),
    ("bad-rate", {"services": {"report": {"schedule": "rate(0 minutes)"}}}, ["services.report.schedule.expression:"]),
    (
        "retries",
        {"services": {"report": {"schedule": {"expression": "rate(1 hour)", "retries": 999}}}},
        ["services.report.schedule.retries:", "185"],
    ),
]


@pytest.mark.parametrize("overlay, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input(tmp_path, monkeypatch, overlay, fragments):
    assert_refused(tmp_path / "params", monkeypatch, SYSTEM, overlay, fragments)
