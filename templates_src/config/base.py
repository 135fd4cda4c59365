"""The base model and the small value types every config module shares."""

from __future__ import annotations

import ipaddress
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

from .aws_regions import check_region


class Model(BaseModel):
    """Frozen, strict, and closed: a typo in a key is an error, never a silent default. Numbers are
    finite: YAML's .inf and .nan have no place in a template."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """pydantic matches `Literal[1, 3, ...]` against True (True == 1), even in strict mode: without
        this, `retention_days: true` would quietly mean one day."""
        if isinstance(value, bool) and info.field_name is not None:
            choices = _int_choices(cls.model_fields[info.field_name].annotation)
            if choices:
                raise ValueError(f"expected one of {', '.join(map(str, choices))} (a number, not {str(value).lower()})")
        return value

    def check(self) -> Iterator[Finding]:
        """Cross-field rules that a field type cannot express. Paths are relative to this model."""
        return iter(())


def _int_choices(annotation: Any) -> list[int]:
    """The whole numbers of a `Literal[...]` annotation (or of `Literal[...] | None`)."""
    if typing.get_origin(annotation) is Literal:
        return [v for v in typing.get_args(annotation) if isinstance(v, int) and not isinstance(v, bool)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [v for arg in typing.get_args(annotation) for v in _int_choices(arg)]
    return []


@dataclass(frozen=True)
class Finding:
    """A cross-field problem found by `Model.check`; the loader adds the file and the full path."""

    path: tuple[str | int, ...]
    message: str
    value: Any = None
    has_value: bool = True


def deep_merge(base: Any, overlay: Any) -> Any:
    """How params overlay: mappings merge key by key; lists and scalars in the overlay replace the base."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for key, value in overlay.items():
            out[key] = deep_merge(base[key], value) if key in base else value
        return out
    return overlay


def dotted(path: tuple[Any, ...]) -> str:
    """`("network", "subnets", "public", 1)` -> `network.subnets.public[1]`, as messages show paths."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def prefixed(prefix: tuple[str | int, ...], findings: Iterator[Finding]) -> Iterator[Finding]:
    for f in findings:
        yield Finding(prefix + f.path, f.message, f.value, f.has_value)


# Config names drive logical IDs (`api` -> `ApiService`): renaming one replaces its resources.
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
NAME_HELP = "a lowercase name: a letter, then letters, digits or '-' (at most 40)"


def _ipv4_network(value: str) -> str:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"expected an IPv4 CIDR block like 10.0.0.0/16 ({exc})") from None
    return str(net)


Cidr = Annotated[str, AfterValidator(_ipv4_network)]

# The values CloudWatch Logs accepts for RetentionInDays.
RetentionDays = Literal[
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
]

REGION_PATTERN = r"^[a-z]{2}(-gov)?-[a-z]+-\d$"
# Shaped like a region and one AWS has (config/aws_regions.py): `eu-west-9` fails when params load,
# not at deploy.
Region = Annotated[str, StringConstraints(pattern=REGION_PATTERN), AfterValidator(check_region)]

# CloudFormation logical IDs (outputs, parameters): letters and digits only, at most 255.
OUTPUT_NAME_PATTERN = r"^[A-Za-z0-9]{1,255}$"

# What a pattern means, for messages: "expected <help>" instead of a regular expression.
PATTERN_HELP: dict[str, str] = {
    REGION_PATTERN: "an AWS region name like us-east-1",
    OUTPUT_NAME_PATTERN: "a CloudFormation output name: 1-255 letters and digits (no '-' or '_')",
    r"^vpc-[0-9a-f]{8,17}$": "a VPC ID like vpc-0123456789abcdef0",
}
