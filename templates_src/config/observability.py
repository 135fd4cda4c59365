"""The system's alarm topic (who is told) and its optional dashboard. Which alarms exist is per
service (`services.<name>.alarms`)."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .base import Model

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Observability(Model):
    alarm_emails: list[Email] = Field(default_factory=list, description="subscribed to the alarm topic (each confirms by mail)")
    dashboard: bool = Field(False, description="one CloudWatch dashboard for the system's services and load balancers")
