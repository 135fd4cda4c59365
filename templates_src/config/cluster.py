"""ECS cluster config: Container Insights, the capacity provider strategy, ECS Exec logging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from .base import Finding, Model, RetentionDays

CapacityProvider = Literal["FARGATE", "FARGATE_SPOT"]


class CapacityShare(Model):
    provider: CapacityProvider
    weight: int = Field(1, ge=0, le=1000)
    base: int = Field(0, ge=0, le=100000)


def check_strategy(strategy: list[CapacityShare]) -> Iterator[Finding]:
    """Rules ECS applies to any capacity provider strategy (cluster default or per service)."""
    providers = [s.provider for s in strategy]
    for i, s in enumerate(strategy):
        if providers.index(s.provider) != i:
            yield Finding((i, "provider"), "each provider may appear once", s.provider)
    if sum(1 for s in strategy if s.base > 0) > 1:
        yield Finding((), "only one provider may have a base above 0", [s.base for s in strategy])
    if strategy and not any(s.weight > 0 for s in strategy):
        yield Finding((), "at least one provider needs a weight above 0", [s.weight for s in strategy])


class ExecLogging(Model):
    enabled: bool = True
    retention_days: RetentionDays = 30


class Cluster(Model):
    name: str | None = Field(
        None,
        pattern=r"^[a-zA-Z0-9_-]{1,255}$",
        description="physical cluster name (unique per account and region; renaming replaces the cluster); "
        "default: CloudFormation's",
    )
    container_insights: Literal["enabled", "enhanced", "disabled"] = "enabled"
    capacity: list[CapacityShare] = Field(
        default_factory=lambda: [CapacityShare(provider="FARGATE", weight=1)], min_length=1
    )
    exec_logging: ExecLogging = ExecLogging()

    def check(self) -> Iterator[Finding]:
        for f in check_strategy(self.capacity):
            yield Finding(("capacity",) + f.path, f.message, f.value)
