"""Hosted zones given by name in params, and AWS-managed prefix lists, resolved to their IDs at deploy.

A certificate's `hosted_zone_name: example.com` compiles to a root Parameter of type
AWS::Route53::HostedZone::Id with no default (a made-up ID would fail CloudFormation's parameter
validation); the build manifest lists it under `hosted_zones_by_name`. Before a change set is made,
`with_hosted_zones` looks each one up in the account (read-only: ListHostedZonesByName) and fills the
parameter, unless the operator gave it with `--parameter`. Likewise `prefix_lists_by_name` (CloudFront's
origin-facing list, whose ID differs per region and which CloudFormation cannot look up by name):
DescribeManagedPrefixLists by name. `with_lookups` fills both."""

from __future__ import annotations

from typing import Any

from ..errors import DeployError
from .session import Aws, translates_aws_errors

MANIFEST_KEY = "hosted_zones_by_name"


def zones_by_name(manifest: dict[str, Any]) -> dict[str, str]:
    """Root parameter -> the hosted zone name whose ID fills it."""
    return dict(manifest.get(MANIFEST_KEY) or {})


@translates_aws_errors
def hosted_zone_id(aws: Aws, zone_name: str) -> str:
    """The ID of the one public hosted zone named `zone_name` in the account (a certificate's DNS
    validation records must be public). No such zone, or several, is an error saying what to do."""
    name = zone_name.rstrip(".").lower() + "."
    response = aws.client("route53").list_hosted_zones_by_name(DNSName=name, MaxItems="100")
    matching = [z for z in response.get("HostedZones", []) if z.get("Name", "").lower() == name]
    public = [z for z in matching if not (z.get("Config") or {}).get("PrivateZone")]
    if not public:
        private = " (only a private zone has that name)" if matching else ""
        raise DeployError(
            f"no public hosted zone named {zone_name} in this account{private}: create it "
            f"(`aws route53 create-hosted-zone --name {zone_name.rstrip('.')} --caller-reference <unique>`) and "
            "delegate the domain to its name servers, or give the certificate's hosted_zone_id in params"
        )
    if len(public) > 1:
        ids = ", ".join(sorted(z["Id"].rsplit("/", 1)[-1] for z in public))
        raise DeployError(
            f"{len(public)} public hosted zones are named {zone_name} ({ids}): give the certificate's "
            "hosted_zone_id in params, or pass the parameter with --parameter"
        )
    return str(public[0]["Id"]).rsplit("/", 1)[-1]


def with_hosted_zones(aws: Aws, manifest: dict[str, Any], parameters: list[dict[str, str]]) -> list[dict[str, str]]:
    """`parameters` (as CreateChangeSet takes them) plus each zone-by-name parameter not given already."""
    given = {p["ParameterKey"] for p in parameters}
    added = [
        {"ParameterKey": param, "ParameterValue": hosted_zone_id(aws, zone)}
        for param, zone in sorted(zones_by_name(manifest).items())
        if param not in given
    ]
    return sorted([*parameters, *added], key=lambda p: p["ParameterKey"])


PREFIX_LISTS_KEY = "prefix_lists_by_name"


@translates_aws_errors
def prefix_list_id(aws: Aws, name: str) -> str:
    """The ID of the AWS-managed prefix list `name` in the session's region."""
    response = aws.client("ec2").describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [name]}])
    found = [p for p in response.get("PrefixLists", []) if p.get("PrefixListName") == name]
    if len(found) != 1:
        raise DeployError(
            f"the managed prefix list {name} is {'not' if not found else 'more than once'} in {aws.region}: "
            "pass its ID with --parameter (`aws ec2 describe-managed-prefix-lists` lists them)"
        )
    return str(found[0]["PrefixListId"])


def with_lookups(aws: Aws, manifest: dict[str, Any], parameters: list[dict[str, str]]) -> list[dict[str, str]]:
    """`with_hosted_zones`, then each prefix-list-by-name parameter not given already."""
    filled = with_hosted_zones(aws, manifest, parameters)
    given = {p["ParameterKey"] for p in filled}
    added = [
        {"ParameterKey": param, "ParameterValue": prefix_list_id(aws, name)}
        for param, name in sorted((manifest.get(PREFIX_LISTS_KEY) or {}).items())
        if param not in given
    ]
    return sorted([*filled, *added], key=lambda p: p["ParameterKey"])
