"""CloudFormation's per-template quotas, checked at build time instead of at deploy time."""

from __future__ import annotations

from dataclasses import dataclass

MAX_RESOURCES = 500
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200
MAX_BYTES_S3 = 1_000_000
MAX_BYTES_INLINE = 51_200  # a TemplateBody larger than this must be uploaded to S3


@dataclass(frozen=True)
class TemplateStats:
    name: str
    resources: int
    parameters: int
    outputs: int
    bytes: int

    @classmethod
    def of(cls, name: str, template: dict, body: str) -> TemplateStats:
        return cls(
            name,
            len(template.get("Resources", {})),
            len(template.get("Parameters", {})),
            len(template.get("Outputs", {})),
            len(body.encode("utf-8")),
        )

    def violations(self) -> list[str]:
        checks = [
            ("resources", self.resources, MAX_RESOURCES),
            ("parameters", self.parameters, MAX_PARAMETERS),
            ("outputs", self.outputs, MAX_OUTPUTS),
            ("bytes", self.bytes, MAX_BYTES_S3),
        ]
        return [
            f"template {self.name!r} has {count} {what}; CloudFormation allows {limit}"
            for what, count, limit in checks
            if count > limit
        ]
