"""Waivers: the only way a security finding stays. Each is a decision someone wrote in params, with
the rule it waives, the resources it applies to and why; the compiler turns it into the Metadata that
cfn-lint (`cfn-lint.config.ignore_checks`) and checkov (`checkov.skip`) read, lists it on `build` and in
the plan, and refuses one that matches no resource (templates_src/waivers.py)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from .base import Model

# A cfn-lint rule (E3012, W3697, the project's E9xxx) or a checkov check (CKV_AWS_91, CKV2_AWS_5).
RuleId = Annotated[str, StringConstraints(pattern=r"^([EWI][0-9]{4}|CKV2?_AWS_[0-9]{1,4})$")]
# `<stack>/<LogicalId>` (`loadbalancing/WebLoadBalancer`) or a logical ID in any stack; `*` and `?` match
# any characters (`service-*/ApiService`, `data/*Secret`). A multi-region system's stacks are the same
# in every region, so one waiver covers each region's copy.
ResourcePattern = Annotated[str, StringConstraints(pattern=r"^([a-z0-9*?][a-z0-9*?-]*/)?[A-Za-z0-9*?]+$")]

MIN_REASON_WORDS = 5


class Waiver(Model):
    id: RuleId = Field(description="the rule or check that stays failing on these resources")
    resource: ResourcePattern = Field(description="`<stack>/<LogicalId>` or `<LogicalId>`; `*` and `?` are wildcards")
    reason: str = Field(description="why, in at least a sentence: what would fix it and why it is not done")

    @field_validator("reason")
    @classmethod
    def _a_sentence(cls, v: str) -> str:
        if len(re.findall(r"[A-Za-z0-9]{2,}", v)) < MIN_REASON_WORDS:
            raise ValueError(
                f"a reason of at least a sentence ({MIN_REASON_WORDS} words or more): who decided what, and why"
            )
        return v.strip()

    @property
    def is_checkov(self) -> bool:
        return self.id.startswith("CKV")

    def label(self) -> str:
        return f"{self.id} on {self.resource}"
