"""The system's alarm topic (who is told) and its optional dashboard. Which alarms exist is per
service (`services.<name>.alarms`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .base import Finding, Model, Name

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Observability(Model):
    alarm_emails: list[Email] = Field(
        default_factory=list, description="subscribed to the alarm topic (each confirms by mail)"
    )
    alarm_topic_arn: str | None = Field(
        None,
        pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$",
        description="an existing topic in the system's region that the alarms publish to (an on-call "
        "integration's); no topic is created. Root parameter AlarmTopicArn",
    )
    dashboard: bool = Field(False, description="one CloudWatch dashboard for the system's services and load balancers")
    key: Name | Literal[False] | None = Field(
        None,
        description="a key from `keys:` that encrypts every log group of the system "
        "and the alarm topic; none: in prod a key the system creates (`SystemKey`), elsewhere CloudWatch Logs' "
        "own keys and an unencrypted topic; false: no key, in prod too (waive E9105 and E9106)",
    )

    def check(self) -> Iterator[Finding]:
        if self.alarm_topic_arn is not None and self.alarm_emails:
            yield Finding(
                ("alarm_emails",),
                "alarm_topic_arn names a topic this system does not create: subscribe these addresses to it there",
                self.alarm_emails,
            )
