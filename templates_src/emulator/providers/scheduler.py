"""AWS::Scheduler::Schedule, in moto's EventBridge Scheduler backend (GetSchedule shows its expression, state
and target -- what `run-task` reads a scheduled task's placement from).

Reference: Ref is the schedule's name (generated when Name is absent); GetAtt Arn. The template's
properties are the API's but for the target's network configuration, whose API key is `awsvpcConfiguration`.
moto runs nothing on the schedule.
"""

from __future__ import annotations

from typing import Any

from .base import Provider


def _backend(account_id: str, region_name: str) -> Any:
    from moto.scheduler.models import scheduler_backends

    return scheduler_backends[account_id][region_name]


def _target(target: dict[str, Any]) -> dict[str, Any]:
    out = dict(target)
    ecs = dict(out.get("EcsParameters") or {})
    network = ecs.get("NetworkConfiguration")
    if network and "AwsvpcConfiguration" in network:
        ecs["NetworkConfiguration"] = {"awsvpcConfiguration": network["AwsvpcConfiguration"]}
    if "CapacityProviderStrategy" in ecs:
        ecs["CapacityProviderStrategy"] = [
            {
                "capacityProvider": s["CapacityProvider"],
                "weight": int(s.get("Weight", 0)),
                "base": int(s.get("Base", 0)),
            }
            for s in ecs["CapacityProviderStrategy"]
        ]
    if ecs:
        out["EcsParameters"] = ecs
    return out


class Schedule(Provider):
    TYPE = "AWS::Scheduler::Schedule"
    NAME_PROPERTY = "Name"
    REPLACE_ON = frozenset({"Name", "GroupName"})
    ATTRIBUTES = frozenset({"Arn"})

    def _arguments(self) -> dict[str, Any]:
        p = self.properties
        return {
            "description": p.get("Description"),
            "end_date": p.get("EndDate"),
            "flexible_time_window": p["FlexibleTimeWindow"],
            "group_name": p.get("GroupName"),
            "kms_key_arn": p.get("KmsKeyArn"),
            "name": self.name,
            "schedule_expression": p["ScheduleExpression"],
            "schedule_expression_timezone": p.get("ScheduleExpressionTimezone"),
            "start_date": p.get("StartDate"),
            "state": p.get("State", "ENABLED"),
            "target": _target(p["Target"]),
            "action_after_completion": None,
        }

    def create(self) -> None:
        self.schedule = _backend(self.account_id, self.region_name).create_schedule(**self._arguments())

    def update(self, old: dict[str, Any]) -> None:
        arguments = self._arguments()
        arguments.pop("action_after_completion")  # moto's UpdateSchedule does not take it
        self.schedule = _backend(self.account_id, self.region_name).update_schedule(**arguments)

    def remove(self) -> None:
        _backend(self.account_id, self.region_name).delete_schedule(self.properties.get("GroupName"), self.name)

    @property
    def ref(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        return {"Arn": self.schedule.arn}
