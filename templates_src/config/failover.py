"""Multi-region config: the `failover:` block (Route 53 active/passive) and per-region overrides.

A system lists its regions; each region gets the same system, with two adjustments applied in this
order (later wins):

1. pilot light: when `failover.secondary` is `pilot-light`, the secondary region's services run
   `failover.pilot_light_desired` tasks (and scale from there), so no builder needs a special case;
2. `region_overrides.<region>`: a mapping deep-merged onto the params for that region (mappings
   merge key by key, lists and scalars replace), e.g. `{network: {azs: 2}}` or a certificate ARN.

An override may change a value the system already has, not add new items (a service that exists in
one region only would break failover), and never a key in `SAME_IN_EVERY_REGION`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationError, field_validator

from .base import Finding, Model, Region, deep_merge

if TYPE_CHECKING:
    from .system import System

RecordType = Literal["A", "AAAA"]
Role = Literal["primary", "secondary"]

# Keys (paths from the top of a params file; "*" matches any name) that must be equal in every region.
SAME_IN_EVERY_REGION: tuple[tuple[str, ...], ...] = (
    ("description",),
    ("regions",),
    ("region_overrides",),
    ("failover",),
    ("protect",),
    ("tags",),
    ("replication",),
    # What clients and the health check reach through the one DNS name.
    ("load_balancers", "*", "type"),
    ("load_balancers", "*", "scheme"),
    ("load_balancers", "*", "listeners"),
    ("services", "*", "target"),
)

# Set while a regional system (see `for_region`) is checked: its own cross-region rules were checked
# on the whole system already, and re-running them on one region's view would be wrong.
_REGIONAL_CHECK: ContextVar[bool] = ContextVar("regional_check", default=False)

_DOMAIN = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$"


class FailoverHealthCheck(Model):
    """The Route 53 health check on each region's public endpoint (the load balancer)."""

    path: str = Field("/health", pattern=r"^/\S*$", max_length=255)
    port: int = Field(443, ge=1, le=65535)
    protocol: Literal["HTTP", "HTTPS", "TCP"] = "HTTPS"
    interval: Literal[10, 30] = Field(30, description="seconds between checks (10 costs more)")
    failure_threshold: int = Field(3, ge=1, le=10)


class Failover(Model):
    """Active/passive across two regions: PRIMARY and SECONDARY alias records on one name."""

    domain: str = Field(pattern=_DOMAIN, max_length=253, description="the name clients use, e.g. api.example.com")
    hosted_zone_id: str | None = Field(None, pattern=r"^Z[A-Z0-9]{1,31}$")
    hosted_zone_name: str | None = Field(None, pattern=_DOMAIN, description="e.g. example.com")
    primary: Region
    load_balancer: str | None = Field(
        None,
        pattern=r"^[a-z][a-z0-9-]{0,39}$",
        description="which load balancer the records point at; default: the system's only one",
    )
    health_check: FailoverHealthCheck = FailoverHealthCheck()
    record_types: list[RecordType] = Field(default_factory=lambda: list[RecordType](["A"]), min_length=1)
    secondary: Literal["warm", "pilot-light"] = Field(
        "warm", description="warm: full desired counts; pilot-light: pilot_light_desired tasks per service"
    )
    pilot_light_desired: int = Field(1, ge=0, le=10)
    stack_region: Region = Field(
        "us-east-1", description="where the global DNS stack lives (Route 53 is global; its home is us-east-1)"
    )

    @field_validator("record_types")
    @classmethod
    def _unique_types(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("each record type may appear once")
        return v

    @property
    def zone_name(self) -> str | None:
        """The hosted zone's name with the trailing dot Route 53 uses."""
        return self.hosted_zone_name.rstrip(".") + "." if self.hosted_zone_name else None

    def secondary_region(self, regions: list[str]) -> str:
        return next(r for r in regions if r != self.primary)

    def role(self, region: str) -> Role:
        return "primary" if region == self.primary else "secondary"

    def check(self) -> Iterator[Finding]:
        if (self.hosted_zone_id is None) == (self.hosted_zone_name is None):
            yield Finding(
                (), "give exactly one of hosted_zone_id (Z...) or hosted_zone_name (example.com)", None, False
            )
        if self.hosted_zone_name is not None:
            zone = self.hosted_zone_name.rstrip(".")
            domain = self.domain.rstrip(".")
            if domain != zone and not domain.endswith("." + zone):
                yield Finding(("domain",), f"expected a name inside the hosted zone {zone}", self.domain)
        if self.health_check.protocol == "TCP" and "path" in self.health_check.model_fields_set:
            yield Finding(
                ("health_check", "path"),
                "a TCP health check has no path; remove it or use HTTP(S)",
                self.health_check.path,
            )


# -- per-region expansion -------------------------------------------------------------------------


def check_multi_region(system: System) -> Iterator[Finding]:
    """Rules across `regions`, `failover` and `region_overrides`; paths from the top of the file.

    A regional system (see `for_region`) is checked with these rules switched off."""
    if _REGIONAL_CHECK.get():
        return
    regions = list(system.regions)
    fo = system.failover
    if fo is not None:
        if len(regions) != 2:
            yield Finding(("regions",), "failover needs exactly two regions (a primary and a secondary)", regions)
        elif fo.primary not in regions:
            yield Finding(
                ("failover", "primary"), f"expected one of the system's regions ({', '.join(regions)})", fo.primary
            )
        else:
            yield from _check_target(system, fo)
    structural: list[Finding] = []
    full = system.model_dump(mode="python")
    for region, override in system.region_overrides.items():
        path = ("region_overrides", region)
        if region not in regions:
            structural.append(Finding(path, f"expected one of the system's regions ({', '.join(regions)})", region))
        else:
            structural.extend(_check_override(override, full, path))
    yield from structural
    if structural:
        return
    for region in system.region_overrides:
        yield from _check_regional(system, region)
    if len(regions) > 1:
        yield from _check_certificates(system)


def failover_load_balancer(system: System) -> str | None:
    """The load balancer the failover records point at: the named one, else the only public one."""
    fo = system.failover
    if fo is None:
        return None
    if fo.load_balancer is not None:
        return fo.load_balancer
    public = [n for n, lb in system.load_balancers.items() if lb.scheme == "internet-facing"]
    return public[0] if len(public) == 1 else None


def _check_target(system: System, fo: Failover) -> Iterator[Finding]:
    lbs = system.load_balancers
    name = failover_load_balancer(system)
    if name is None:
        public = sorted(n for n, lb in lbs.items() if lb.scheme == "internet-facing")
        if fo.load_balancer is None:
            what = f"there are {len(public)}: {', '.join(public)}" if public else "there is none"
            yield Finding(
                ("failover", "load_balancer"),
                f"name the internet-facing load balancer the records point at ({what})",
                None,
                False,
            )
        return
    lb = lbs.get(name)
    if lb is None:
        yield Finding(
            ("failover", "load_balancer"), f"expected one of load_balancers ({', '.join(sorted(lbs)) or 'none'})", name
        )
        return
    if lb.scheme != "internet-facing":
        yield Finding(
            ("failover", "load_balancer"), "Route 53 health checks reach internet-facing load balancers only", name
        )
    ports = sorted(lst.port for lst in lb.listeners)
    if fo.health_check.port not in ports:
        yield Finding(
            ("failover", "health_check", "port"),
            f"expected a listener port of load balancer {name!r} ({', '.join(map(str, ports))})",
            fo.health_check.port,
        )
    cert = lb.certificate
    if cert is not None and cert.domain is not None and not _covers([cert.domain, *cert.alternative_names], fo.domain):
        yield Finding(
            ("load_balancers", name, "certificate", "domain"),
            f"the certificate does not cover the failover name {fo.domain} (add it to alternative_names)",
            cert.domain,
        )


def _covers(names: list[str], domain: str) -> bool:
    domain = domain.rstrip(".")
    for n in names:
        if n == domain or (n.startswith("*.") and domain.count(".") == n.count(".") and domain.endswith(n[1:])):
            return True
    return False


def _check_certificates(system: System) -> Iterator[Finding]:
    """ACM certificates are regional: an ARN must be in the region that uses it."""
    for region in system.regions:
        try:
            regional = for_region(system, region)
        except ValidationError:
            continue  # reported by _check_regional
        for name, lb in regional.load_balancers.items():
            cert = lb.certificate
            if cert is None or cert.arn is None or cert.arn.split(":")[3] == region:
                continue
            rel = ("load_balancers", name, "certificate", "arn")
            override = system.region_overrides.get(region, {})
            overridden = _get(override, rel) is not None
            yield Finding(
                (("region_overrides", region) if overridden else ()) + rel,
                f"ACM certificates are regional: {region} needs a certificate from {region}"
                + ("" if overridden else f" (set region_overrides.{region}.{'.'.join(rel)})"),
                cert.arn,
            )


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _check_regional(system: System, region: str) -> Iterator[Finding]:
    """What the override breaks in its region: the regional system's problems that the same region
    without the override does not have (those are reported once, at their own path)."""
    prefix = ("region_overrides", region)
    try:
        regional = for_region(system, region)
    except ValidationError as exc:
        for err in exc.errors():
            from .load import user_path

            loc, _ = user_path(tuple(err["loc"]), system.region_overrides.get(region, {}))
            yield Finding(prefix + loc, f"in {region}: {_message(err)}", err.get("input"))
        return
    token = _REGIONAL_CHECK.set(True)
    try:
        try:
            plain = {(f.path, f.message) for f in for_region(system, region, overrides=False).check()}
        except ValidationError:
            plain = set()
        found = [f for f in regional.check() if (f.path, f.message) not in plain]
    finally:
        _REGIONAL_CHECK.reset(token)
    for f in found:
        yield Finding(prefix + f.path, f"in {region}: {f.message}", f.value, f.has_value)


def _check_override(override: Any, base: Any, path: tuple[str | int, ...]) -> Iterator[Finding]:
    if not isinstance(override, dict):
        yield Finding(path, "expected a mapping of config keys to the values for this region", override)
        return
    for key, value in override.items():
        here = path + (key,)
        rel = here[2:]  # without region_overrides.<region>
        if _fixed(rel):
            yield Finding(here, "cannot differ between regions; set it once for the whole system", value)
            continue
        if not isinstance(base, dict) or key not in base:
            known = ", ".join(sorted(map(str, base))) if isinstance(base, dict) else ""
            yield Finding(
                here,
                "an override changes a value the system already has; it cannot add keys or items"
                + (f" (known here: {known})" if known else ""),
                value,
            )
            continue
        if isinstance(value, dict) and isinstance(base[key], dict):
            yield from _check_override(value, base[key], here)


def _fixed(rel: tuple[str | int, ...]) -> bool:
    return any(
        len(rel) >= len(pattern) and all(p == "*" or p == r for p, r in zip(pattern, rel, strict=False))
        for pattern in SAME_IN_EVERY_REGION
    )


def for_region(system: System, region: str, *, overrides: bool = True) -> System:
    """The system as deployed in one region: that region first in `regions` (so `system.region` is
    where it deploys, and the others stay visible), no `region_overrides`, pilot light applied, then
    the region's override merged on top."""
    data = system.model_dump(mode="python", exclude_unset=True)
    data["regions"] = [region] + [r for r in system.regions if r != region]
    data.pop("region_overrides", None)
    fo = system.failover
    if fo is not None and fo.secondary == "pilot-light" and fo.role(region) == "secondary":
        data = deep_merge(data, {"services": pilot_light(system, fo.pilot_light_desired)})
    if overrides:
        data = deep_merge(data, system.region_overrides.get(region, {}))
    regional = type(system).model_validate(data)
    regional._primary = system.primary_region  # its own `regions` now start with `region`
    return regional


def pilot_light(system: System, desired: int) -> dict[str, dict[str, Any]]:
    """Per service name, the change that runs it at (at most) `desired` tasks: the desired count and
    the lower scaling bound; maxima stay, so the secondary can scale out after a failover."""
    out: dict[str, dict[str, Any]] = {}
    for name, svc in system.services.items():
        change: dict[str, Any] = {"desired_count": min(svc.desired_count, desired)}
        if svc.scaling is not None:
            change["scaling"] = {"min": min(svc.scaling.min, desired)}
        out[name] = change
    return out


def _message(err: Mapping[str, Any]) -> str:
    try:
        from .load import _expected

        return _expected(err)
    except Exception:
        return err.get("msg", "invalid value")
