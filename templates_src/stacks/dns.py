"""The global DNS stack: Route 53 health checks and PRIMARY/SECONDARY failover alias records.

It is not nested in any region's root: it is deployed after the regional roots (in
`failover.stack_region`) and takes each region's load balancer DNS name and canonical hosted zone ID
as Parameters, which deploy fills from the regional roots' outputs (`inputs()` says which).

Logical IDs come from region names (`UsEast1HealthCheck`), never from roles: which region is primary
is the `PrimaryRegion` Parameter, so promoting the secondary changes two `Failover` values in one
record set group (one atomic Route 53 change batch) and replaces nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Equals, If, Output, Parameter, Ref, Sub, Tags, Template, route53

from ..config.failover import Failover, failover_load_balancer
from ..config.system import System
from ..errors import BuildError
from ..naming import pascal, tags
from ..parts import lb_exports


@dataclass(frozen=True)
class Input:
    """A DNS stack Parameter filled at deploy time from a regional root's Output."""

    parameter: str
    region: str
    output: str


def inputs(cfg: System) -> list[Input]:
    """Which regional root output feeds which DNS stack Parameter."""
    lb = failover_load_balancer(cfg)
    if lb is None:
        raise BuildError("failover has no load balancer to point at (failover.load_balancer)")
    out = []
    for region in cfg.regions:
        out.append(Input(dns_name_parameter(region), region, lb_exports.dns_name(lb)))
        out.append(Input(zone_id_parameter(region), region, lb_exports.hosted_zone(lb)))
    return out


def dns_name_parameter(region: str) -> str:
    return f"{pascal(region)}LoadBalancerDnsName"


def zone_id_parameter(region: str) -> str:
    return f"{pascal(region)}LoadBalancerCanonicalHostedZoneId"


def health_check_output(region: str) -> str:
    return f"{pascal(region)}HealthCheckId"


PRIMARY_REGION = "PrimaryRegion"
DOMAIN_NAME = "DomainName"
GROUP = "DNS failover"


def build(cfg: System, system: str, env: str) -> Template:
    fo = cfg.failover
    assert fo is not None  # the compiler builds this stack only for a failover system
    regions = list(cfg.regions)
    t = Template(Description=f"{system} {env}: Route 53 failover for {fo.domain} across {', '.join(regions)} (stackc)")

    t.add_parameter(
        Parameter(
            DOMAIN_NAME,
            Type="String",
            Default=fo.domain.rstrip("."),
            Description="The name clients use; PRIMARY and SECONDARY records are written for it",
        )
    )
    t.add_parameter(
        Parameter(
            PRIMARY_REGION,
            Type="String",
            Default=fo.primary,
            AllowedValues=regions,
            Description="The region that serves while healthy; the other takes over when it is not",
        )
    )
    zone: dict[str, object]
    if fo.hosted_zone_id is not None:
        t.add_parameter(
            Parameter(
                "HostedZoneId",
                Type="String",
                Default=fo.hosted_zone_id,
                AllowedPattern="^Z[A-Z0-9]{1,31}$",
                Description="Hosted zone the records go in",
            )
        )
        zone = {"HostedZoneId": Ref("HostedZoneId")}
    else:
        t.add_parameter(
            Parameter(
                "HostedZoneName",
                Type="String",
                Default=fo.zone_name,
                Description="Hosted zone the records go in (with the trailing dot)",
            )
        )
        zone = {"HostedZoneName": Ref("HostedZoneName")}
    for region in regions:
        t.add_parameter(
            Parameter(
                dns_name_parameter(region),
                Type="String",
                Description=f"DNS name of the load balancer in {region} (from its root stack)",
            )
        )
        t.add_parameter(
            Parameter(
                zone_id_parameter(region),
                Type="String",
                Description=f"Canonical hosted zone ID of the load balancer in {region} (from its root stack)",
            )
        )
        t.add_condition(_is_primary(region), Equals(Ref(PRIMARY_REGION), region))

    checks = {region: t.add_resource(_health_check(fo, region, system, env)) for region in regions}
    for rtype in fo.record_types:
        t.add_resource(
            route53.RecordSetGroup(
                f"Failover{pascal(rtype.lower())}Records",
                Comment=Sub(f"{system} {env}: {rtype} failover for ${{{DOMAIN_NAME}}} (stackc)"),
                RecordSets=[_record(rtype, region, checks[region]) for region in regions],
                **zone,
            )
        )

    t.add_output(Output("FailoverDomainName", Value=Ref(DOMAIN_NAME), Description="The failover name"))
    t.add_output(Output(PRIMARY_REGION, Value=Ref(PRIMARY_REGION), Description="The region PRIMARY records point at"))
    for region, check in checks.items():
        t.add_output(
            Output(
                health_check_output(region),
                Value=Ref(check),
                Description=f"Route 53 health check of the endpoint in {region}",
            )
        )
    t.set_metadata(
        {
            "AWS::CloudFormation::Interface": {
                "ParameterGroups": [{"Label": {"default": GROUP}, "Parameters": [DOMAIN_NAME, PRIMARY_REGION, *zone]}],
                "ParameterLabels": {
                    DOMAIN_NAME: {"default": "Domain name"},
                    PRIMARY_REGION: {"default": "Primary region"},
                },
            }
        }
    )
    return t


def _is_primary(region: str) -> str:
    return f"{pascal(region)}IsPrimary"


def _health_check(fo: Failover, region: str, system: str, env: str) -> route53.HealthCheck:
    hc = fo.health_check
    config: dict[str, object] = {
        "Type": hc.protocol,
        "FullyQualifiedDomainName": Ref(dns_name_parameter(region)),
        "Port": hc.port,
        "RequestInterval": hc.interval,
        "FailureThreshold": hc.failure_threshold,
    }
    if hc.protocol != "TCP":
        config["ResourcePath"] = hc.path
    if hc.protocol == "HTTPS":
        config["EnableSNI"] = True
    return route53.HealthCheck(
        f"{pascal(region)}HealthCheck",
        HealthCheckConfig=route53.HealthCheckConfig(**config),
        HealthCheckTags=Tags(Name=f"{system}-{env} {region}", **tags(system, env, stack="dns", region=region)),
    )


def _record(rtype: str, region: str, check: route53.HealthCheck) -> route53.RecordSet:
    return route53.RecordSet(
        Name=Ref(DOMAIN_NAME),
        Type=rtype,
        SetIdentifier=region,
        Failover=If(_is_primary(region), "PRIMARY", "SECONDARY"),
        HealthCheckId=Ref(check),
        AliasTarget=route53.AliasTarget(
            DNSName=Ref(dns_name_parameter(region)),
            HostedZoneId=Ref(zone_id_parameter(region)),
            EvaluateTargetHealth=True,
        ),
    )
