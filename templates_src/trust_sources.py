"""The AWS services that say on whose behalf they assume a role, and the source ARN each documents.

A role trusted by one of these services is conditioned on `aws:SourceAccount` (this account) and
`aws:SourceArn` (ArnLike the pattern below), so another account's resource of that service cannot make
the service assume it (the confused deputy). Pure data: the builders (parts/iam.py) and the lint rule
E9116 (lint_rules/trust_policies_conditioned.py) both read it. Patterns are `Fn::Sub` strings.

Sources: ECS task IAM role (`arn:aws:ecs:region:account:*`), VPC flow logs IAM role
(`vpc-flow-log/*`), RDS enhanced monitoring role (`db:<instance>`), EventBridge Scheduler execution role
(`schedule-group/<group>`), each in its service's "confused deputy prevention" guidance.
"""

from __future__ import annotations

SOURCE_ARNS: dict[str, str] = {
    "ecs-tasks.amazonaws.com": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*",
    "vpc-flow-logs.amazonaws.com": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*",
    "monitoring.rds.amazonaws.com": "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:*",
    "scheduler.amazonaws.com": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/*",
}

# ECS's task *execution* role is assumed by the ECS agent to pull images, write logs and read secrets;
# AWS documents source conditions for the task role only, so the execution role's trust stays plain
# (a condition ECS does not send would stop every task from starting). E9116 knows these roles by the
# task definitions' ExecutionRoleArn.
UNCONDITIONED_USES = {"ExecutionRoleArn"}
