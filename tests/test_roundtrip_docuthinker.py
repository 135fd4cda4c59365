"""Round-trip of docuthinker prod on the local endpoint: both regions and the failover DNS stack from one
`deploy` (what issue 6 could not show), then a failover promotion read back through Route 53.

What it proves: one `deploy` creates the us-east-1 and us-west-2 roots and then the global DNS stack fed
with their load balancers' outputs; ListResourceRecordSets shows the PRIMARY/SECONDARY alias records with
their health checks; a second deploy changes nothing; an image-tag-only change reaches the task definitions
of both regions (read back through ECS); `failover promote --to us-west-2` swaps PRIMARY/SECONDARY, visible
through ListResourceRecordSets; destroy is refused (`protect: true`). Each region's Redis replication group
(ElastiCache API), EFS file system with its access point, and certificate (ISSUED, validation record in the
zone) are read back. What it cannot: no DNS answers and no health check is measured, so no failover happens
by itself; nothing runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .roundtrip import cli_run, client, destroy_or_refuse, full_roundtrip, protected

pytestmark = pytest.mark.emulator

REGIONS = ("us-east-1", "us-west-2")


def failover_records(url: str) -> dict[str, str]:
    route53 = client(url, "route53")
    [zone] = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "docuthinker.ai."]
    records = route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
    return {r["SetIdentifier"]: r["Failover"] for r in records if r.get("Failover")}


def test_docuthinker_prod_two_regions_and_failover_dns(aws_env):
    url = aws_env.url
    deployed = full_roundtrip(url, "docuthinker", "prod", Path(os.environ["STACKC_BUILD_DIR"]))
    for region in REGIONS:
        [group] = client(url, "elasticache", region).describe_replication_groups()["ReplicationGroups"]
        assert group["NodeGroups"][0]["PrimaryEndpoint"]["Address"]
        assert client(url, "efs", region).describe_access_points()["AccessPoints"]
        acm = client(url, "acm", region)
        [summary] = acm.list_certificates()["CertificateSummaryList"]
        assert acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]["Status"] == "ISSUED"
    assert failover_records(url) == {"us-east-1": "PRIMARY", "us-west-2": "SECONDARY"}
    assert client(url, "route53").list_health_checks()["HealthChecks"]

    cli_run(url, "failover", "promote", "-s", "docuthinker", "-e", "prod", "--to", "us-west-2", "--yes")
    assert failover_records(url) == {"us-east-1": "SECONDARY", "us-west-2": "PRIMARY"}
    destroy_or_refuse(url, deployed, protected("docuthinker", "prod"))
