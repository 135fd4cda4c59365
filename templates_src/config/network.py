"""Network config: a VPC the compiler creates, or an existing one passed in as typed parameters."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator

from .base import Cidr, Finding, Model, RetentionDays, dotted

Tier = Literal["public", "private", "isolated"]
TIERS: tuple[Tier, ...] = ("public", "private", "isolated")
# Slots reserved per tier when computing subnet CIDRs: growing from 2 to 3 AZs moves no subnet.
SLOTS_PER_TIER = 4

InterfaceEndpoint = Literal["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "kms"]


class FlowLogs(Model):
    enabled: bool | None = Field(None, description="none: on in prod (EC2.6), off elsewhere")
    retention_days: RetentionDays = 30
    traffic: Literal["ALL", "ACCEPT", "REJECT"] = "ALL"


class SubnetCidrs(Model):
    """Explicit subnet CIDRs, one per AZ and tier; when absent they are computed from the VPC CIDR."""

    public: list[Cidr]
    private: list[Cidr]
    isolated: list[Cidr]


class ExistingVpc(Model):
    """IDs become root Parameters of type AWS::EC2::VPC::Id / List<AWS::EC2::Subnet::Id>.

    Values given here are the parameters' defaults; leave them out to make the console ask."""

    vpc_id: str | None = Field(None, pattern=r"^vpc-[0-9a-f]{8,17}$")
    public_subnet_ids: list[str] = Field(default_factory=list)
    private_subnet_ids: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _subnet_ids(self) -> ExistingVpc:
        for ids in (self.public_subnet_ids, self.private_subnet_ids):
            for sid in ids:
                if not sid.startswith("subnet-"):
                    raise ValueError(f"subnet IDs look like subnet-0abc1234 (got {sid!r})")
        return self


class Network(Model):
    mode: Literal["create", "existing"] = "create"
    cidr: Cidr = "10.0.0.0/16"
    azs: int = Field(2, ge=2, le=3)
    subnet_prefix: int = Field(24, ge=16, le=28, description="prefix length of each computed subnet")
    subnets: SubnetCidrs | None = None
    nat: Literal["none", "single", "per-az"] = "single"
    s3_endpoint: bool = True
    interface_endpoints: list[InterfaceEndpoint] = Field(default_factory=list)
    flow_logs: FlowLogs = FlowLogs()
    existing: ExistingVpc | None = None

    def subnet_cidrs(self) -> dict[Tier, list[str]]:
        """The CIDR of each subnet by tier and AZ: explicit ones, else carved from the VPC CIDR."""
        if self.subnets is not None:
            return {t: list(getattr(self.subnets, t)) for t in TIERS}
        vpc = ipaddress.IPv4Network(self.cidr)
        blocks = list(vpc.subnets(new_prefix=self.subnet_prefix))
        return {tier: [str(blocks[i * SLOTS_PER_TIER + az]) for az in range(self.azs)] for i, tier in enumerate(TIERS)}

    def check(self) -> Iterator[Finding]:
        seen_endpoints: set[str] = set()
        for i, endpoint in enumerate(self.interface_endpoints):
            if endpoint in seen_endpoints:
                yield Finding(("interface_endpoints", i), "listed twice; each endpoint once", endpoint)
            seen_endpoints.add(endpoint)
        if self.mode == "existing":
            if self.existing is None:
                yield Finding(
                    ("existing",), "mode 'existing' needs an 'existing' block with the VPC and subnet IDs", None, False
                )
            return
        if self.existing is not None:
            yield Finding(("existing",), "only allowed with mode: existing", None, False)
        vpc = ipaddress.IPv4Network(self.cidr)
        if not 16 <= vpc.prefixlen <= 24:
            yield Finding(("cidr",), "expected a VPC CIDR between /16 and /24", self.cidr)
            return
        if self.subnets is None:
            needed = len(TIERS) * SLOTS_PER_TIER
            room = 2 ** (self.subnet_prefix - vpc.prefixlen) if self.subnet_prefix > vpc.prefixlen else 0
            if room < needed:
                yield Finding(
                    ("subnet_prefix",),
                    f"a /{self.subnet_prefix} subnet leaves room for {room} subnets in {self.cidr}; "
                    f"the layout needs {needed} (use a longer prefix or a larger VPC)",
                    self.subnet_prefix,
                )
            return
        seen: list[tuple[tuple[str | int, ...], ipaddress.IPv4Network]] = []
        for tier in TIERS:
            cidrs = getattr(self.subnets, tier)
            if len(cidrs) != self.azs:
                yield Finding(("subnets", tier), f"expected {self.azs} CIDRs, one per AZ (network.azs)", cidrs)
            for i, cidr in enumerate(cidrs):
                path = ("subnets", tier, i)
                net = ipaddress.IPv4Network(cidr)
                if not net.subnet_of(vpc):
                    yield Finding(path, f"expected a subnet inside the VPC CIDR {self.cidr}", cidr)
                    continue
                for other_path, other in seen:
                    if net.overlaps(other):
                        where = dotted(("network",) + other_path)
                        yield Finding(path, f"overlaps {where} ({other})", cidr)
                seen.append((path, net))
