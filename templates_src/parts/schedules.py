"""A scheduled task: EventBridge Scheduler runs the service's task definition with ECS RunTask.

What a long-running service gets from its ECS Service (network placement, capacity, tags), the schedule's
target states; what ECS would retry, the schedule's retry policy retries, and a run that still fails goes to
a dead-letter queue (SQS, encrypted) that the service's alarms watch. The scheduler's role may start this
task definition in this cluster and pass this service's two roles, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awacs import ecs as awsecs
from awacs import iam as awsiam
from awacs import sqs as awssqs
from awacs.aws import Allow, ArnEquals, Condition, PolicyDocument, Statement, StringEquals
from troposphere import GetAtt, Template, iam, scheduler, sqs

from ..config.services import Schedule
from . import alarms
from .iam import trust_policy

DAY = 86400


@dataclass
class Scheduled:
    schedule: scheduler.Schedule
    dead_letters: sqs.Queue


def scheduled_task(
    t: Template,
    owner: str,
    spec: Schedule,
    *,
    expression: Any,
    state: Any,
    cluster_arn: Any,
    task_definition: Any,
    roles: list[Any],
    network: dict[str, Any],
    capacity: list[dict[str, Any]] | None,
) -> Scheduled:
    """The schedule, its role and its dead-letter queue. `roles`: the ARNs RunTask passes to ECS."""
    dead_letters = t.add_resource(
        sqs.Queue(f"{owner}ScheduleDeadLetterQueue", MessageRetentionPeriod=14 * DAY, SqsManagedSseEnabled=True)
    )
    role = t.add_resource(
        iam.Role(
            f"{owner}SchedulerRole",
            Description=f"EventBridge Scheduler starts the {owner} task",
            # Only schedules of this account may use the role (confused deputy).
            AssumeRolePolicyDocument=trust_policy("scheduler.amazonaws.com"),
            Policies=[
                iam.Policy(
                    PolicyName="run-task",
                    PolicyDocument=PolicyDocument(
                        Version="2012-10-17",
                        Statement=[
                            Statement(
                                Effect=Allow,
                                Action=[awsecs.RunTask],
                                Resource=[task_definition],
                                Condition=Condition(ArnEquals("ecs:cluster", cluster_arn)),
                            ),
                            Statement(
                                Effect=Allow,
                                Action=[awsecs.TagResource],
                                Resource=["*"],
                                Condition=Condition(StringEquals("ecs:CreateAction", "RunTask")),
                            ),
                            Statement(Effect=Allow, Action=[awsiam.PassRole], Resource=roles),
                            Statement(
                                Effect=Allow, Action=[awssqs.SendMessage], Resource=[GetAtt(dead_letters, "Arn")]
                            ),
                        ],
                    ),
                )
            ],
        )
    )
    ecs_parameters: dict[str, Any] = {
        "TaskDefinitionArn": task_definition,
        "TaskCount": spec.tasks,
        "NetworkConfiguration": scheduler.NetworkConfiguration(
            AwsvpcConfiguration=scheduler.AwsVpcConfiguration(**network)
        ),
        "EnableECSManagedTags": True,
        "PropagateTags": "TASK_DEFINITION",
        "PlatformVersion": "LATEST",
    }
    if capacity:  # else, as for a service, the cluster's default capacity provider strategy
        ecs_parameters["CapacityProviderStrategy"] = [scheduler.CapacityProviderStrategyItem(**c) for c in capacity]
    schedule = t.add_resource(
        scheduler.Schedule(
            f"{owner}Schedule",
            Description=f"runs the {owner} task",
            ScheduleExpression=expression,
            ScheduleExpressionTimezone=spec.timezone,
            State=state,
            FlexibleTimeWindow=scheduler.FlexibleTimeWindow(Mode="OFF"),
            Target=scheduler.Target(
                Arn=cluster_arn,
                RoleArn=GetAtt(role, "Arn"),
                EcsParameters=scheduler.EcsParameters(**ecs_parameters),
                RetryPolicy=scheduler.RetryPolicy(
                    MaximumRetryAttempts=spec.retries, MaximumEventAgeInSeconds=spec.max_event_age
                ),
                DeadLetterConfig=scheduler.DeadLetterConfig(Arn=GetAtt(dead_letters, "Arn")),
            ),
        )
    )
    return Scheduled(schedule, dead_letters)


def failed_runs_alarm(t: Template, owner: str, scheduled: Scheduled, topic: Any) -> None:
    """A run that exhausted its retries lands in the dead-letter queue: alarm on the first one."""
    alarms.metric_alarm(
        t,
        owner,
        alarms.AlarmSpec(
            "FailedRuns",
            f"{owner}: a scheduled run could not be started (see its dead-letter queue)",
            alarms.Metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": GetAtt(scheduled.dead_letters, "QueueName")},
                "Maximum",
            ),
            1,
            comparison="GreaterThanOrEqualToThreshold",
            period=300,
            evaluation_periods=1,
        ),
        topic,
    )
