"""The system's alarm topic (who is told) and its optional dashboard. Which alarms exist is per
service (`services.<name>.alarms`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .base import Model, Name

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Observability(Model):
    alarm_emails: list[Email] = Field(
        default_factory=list, description="subscribed to the alarm topic (each confirms by mail)"
    )
    dashboard: bool = Field(False, description="one CloudWatch dashboard for the system's services and load balancers")
    key: Name | None = Field(
        None,
        description="a key from `keys:` that encrypts every log group of the system "
        "and the alarm topic; none: CloudWatch Logs' own keys, and an unencrypted topic",
    )
