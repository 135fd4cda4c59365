"""run-task on the local endpoint: a deployed service's task started with the service's own placement,
its log lines streamed, its exit code returned.

What this proves: the placement is read back from what is deployed (the nested stack's task definition,
the ECS service's subnets, security groups and capacity), RunTask gets it and the command override,
the awslogs stream `<prefix>/<container>/<task id>` is followed until the task stops, and the CLI's
refusals. What it cannot: moto runs no container -- the test writes the log lines and stops the task
itself through the ECS and CloudWatch Logs APIs, and moto reports exit code 0 for every container.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from click.testing import CliRunner

from cli import cli
from templates_src.deploy import run_task as rt
from templates_src.deploy.session import AwsOptions, connect

from .helpers import write_params

pytestmark = pytest.mark.emulator

SYSTEM = {
    "network": {"azs": 2, "nat": "none"},
    "services": {
        "worker": {
            "desired_count": 1,
            "capacity": [{"provider": "FARGATE", "weight": 1}],
            "containers": {"worker": {"image": "public.ecr.aws/docker/library/busybox", "tag": "1.36"}},
        }
    },
}


@pytest.fixture
def deployed(aws_env, tmp_path, monkeypatch):
    write_params(tmp_path / "params", "jobs", SYSTEM)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = CliRunner().invoke(cli, ["deploy", "-s", "jobs", "-e", "dev", "--yes", "--endpoint-url", aws_env.url])
    assert result.exit_code == 0, result.output
    return connect(AwsOptions(endpoint_url=aws_env.url), default_region="us-east-1")


def _hold_tasks_running(url: str) -> None:
    """moto moves a task from RUNNING to STOPPED by itself after a few DescribeTasks calls; through moto's
    state manager the test keeps it RUNNING, so the test decides when the container exits (StopTask)."""
    body = json.dumps({"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000}})
    request = urllib.request.Request(f"{url}/moto-api/state-manager/set-transition", data=body.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def test_a_task_runs_where_the_service_runs_and_its_logs_are_followed(deployed, aws_env):
    aws = deployed
    _hold_tasks_running(aws_env.url)
    where = rt.placement(aws, "jobs-dev", "worker")
    service = aws.client("ecs").describe_services(
        cluster=where.cluster, services=[aws.client("ecs").list_services(cluster=where.cluster)["serviceArns"][0]]
    )["services"][0]
    assert where.network == service["networkConfiguration"]
    # moto's DescribeServices returns no capacityProviderStrategy, so here only the Fargate fallback shows.
    strategy = service.get("capacityProviderStrategy")
    assert where.capacity == ({"capacityProviderStrategy": strategy} if strategy else {"launchType": "FARGATE"})

    run, options = rt.start(aws, where, container=None, command=["sh", "-c", "echo migrated"])
    assert run.container == "worker" and options["awslogs-stream-prefix"] == "worker"
    task = aws.client("ecs").describe_tasks(cluster=where.cluster, tasks=[run.task_arn])["tasks"][0]
    assert task["overrides"]["containerOverrides"] == [{"name": "worker", "command": ["sh", "-c", "echo migrated"]}]
    assert task["startedBy"] == rt.STARTED_BY

    logs = aws.client("logs")
    stream = f"worker/worker/{run.task_arn.rsplit('/', 1)[-1]}"
    said: list[str] = []
    polls = []
    now = int(time.time() * 1000)

    def tick(_: float) -> None:
        """What the container would do: write two lines, then exit; the task then stops."""
        polls.append(1)
        if len(polls) == 1:
            logs.create_log_stream(logGroupName=options["awslogs-group"], logStreamName=stream)
            logs.put_log_events(
                logGroupName=options["awslogs-group"],
                logStreamName=stream,
                logEvents=[  # timestamps of now: CloudWatch Logs drops events older than 14 days
                    {"timestamp": now, "message": "applying 3 migrations"},
                    {"timestamp": now + 1, "message": "migrated"},
                ],
            )
        elif len(polls) == 2:
            aws.client("ecs").stop_task(cluster=where.cluster, task=run.task_arn, reason="Essential container exited")

    done = rt.follow(aws, where, run, options, said.append, sleep=tick, interval=0)
    assert said == ["applying 3 migrations", "migrated"]  # each line once, in order
    assert done.exit_code == 0 and done.stopped_reason == "Essential container exited"


def test_cli_starts_without_waiting_and_refuses_what_is_not_there(deployed, aws_env):
    runner = CliRunner()
    args = ["-s", "jobs", "-e", "dev", "--endpoint-url", aws_env.url]
    started = runner.invoke(cli, ["run-task", *args, "--no-wait", "worker", "--", "true"])
    assert started.exit_code == 0, started.output
    assert started.stdout.strip().startswith("arn:aws:ecs:us-east-1:")

    unknown = runner.invoke(cli, ["run-task", *args, "nosuch"])
    assert unknown.exit_code == 2 and "no deployed service 'nosuch'" in unknown.output and "Worker" in unknown.output
    wrong = runner.invoke(cli, ["run-task", *args, "--container", "nope", "worker"])
    assert wrong.exit_code == 2 and "--container nope: the task has containers worker" in wrong.output
    assert "Traceback" not in unknown.output + wrong.output


def test_nothing_deployed_says_so(aws_env, tmp_path, monkeypatch):
    write_params(tmp_path / "params", "jobs", SYSTEM)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = CliRunner().invoke(cli, ["run-task", "-s", "jobs", "-e", "dev", "--endpoint-url", aws_env.url, "worker"])
    assert (
        result.exit_code == 1 and "stack jobs-dev does not exist" in result.output and "cli.py deploy" in result.output
    )


def test_a_scheduled_task_is_deployed_and_run_task_reads_its_placement_from_the_schedule(
    aws_env, tmp_path, monkeypatch
):
    """The schedule (a provider backed by moto's Scheduler API) holds the task's placement; run-task reads it
    there, since a scheduled task has no ECS service. moto runs nothing on the schedule itself."""
    from .test_schedules import SYSTEM as SCHEDULED

    system = {"network": {"azs": 2, "nat": "none"}, **SCHEDULED}
    write_params(tmp_path / "params", "cron", system)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    deployed = CliRunner().invoke(cli, ["deploy", "-s", "cron", "-e", "dev", "--yes", "--endpoint-url", aws_env.url])
    assert deployed.exit_code == 0, deployed.output
    aws = connect(AwsOptions(endpoint_url=aws_env.url), default_region="us-east-1")
    scheduler = aws.client("scheduler")
    names = {s["Name"]: s for s in scheduler.list_schedules()["Schedules"]}
    report = scheduler.get_schedule(Name=next(n for n in names if "Report" in n))
    assert report["ScheduleExpression"] == "cron(0 3 * * ? *)" and report["State"] == "ENABLED"
    cleanup = scheduler.get_schedule(Name=next(n for n in names if "Cleanup" in n))
    assert cleanup["State"] == "DISABLED" and cleanup["ScheduleExpressionTimezone"] == "Europe/Paris"

    where = rt.placement(aws, "cron-dev", "report")
    vpc = report["Target"]["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"]
    assert where.network == {
        "awsvpcConfiguration": {
            "subnets": vpc["Subnets"],
            "securityGroups": vpc["SecurityGroups"],
            "assignPublicIp": "DISABLED",
        }
    }
    assert where.cluster == report["Target"]["Arn"]
    assert rt.placement(aws, "cron-dev", "cleanup").capacity == {
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    }
    run, _ = rt.start(aws, where, container=None, command=[])
    assert run.task_arn.startswith("arn:aws:ecs:us-east-1:") and run.container == "report"
