"""Multi-region deploy round-trip on the local endpoint (moto's server; it keeps regions apart).

What this proves: one `deploy` plans both regional roots and the DNS stack, asks once, creates the
regional stacks in their own regions first, reads their outputs, and creates the DNS stack whose
PRIMARY/SECONDARY alias records and health checks carry the regional load balancers' DNS names; a
second deploy is a no-op; `failover status` reads records and health checks back; `failover promote`
goes through a reviewed change set of the DNS stack; a region that fails leaves DNS untouched and the
error names it.
What it does not prove: moto does not update an AWS::Route53::RecordSetGroup in place, so after a
promotion only the DNS stack's PrimaryRegion (parameter and output) is checked, not the records; its
health checkers always report success; it skips ACM certificates (the system here listens on HTTP).
"""

from __future__ import annotations

import json
import re

import pytest

from templates_src import compiler
from templates_src.config.load import Target
from templates_src.deploy import multiregion as mr
from templates_src.deploy.session import AwsOptions
from templates_src.errors import DeployError

from .two_regions import DOMAIN, REGIONS, failover_records, live, outputs, run, system  # noqa: F401  (system: a fixture)

pytestmark = pytest.mark.emulator


def test_one_deploy_creates_both_regions_then_failover_dns(aws_env, system):
    first = run(aws_env, "deploy", "-s", "shop", "-e", "dev", input="y\n")
    out = first.output
    # One combined review and one question, before anything runs.
    assert out.count("Execute 3 change set(s) of shop/dev?") == 1
    review = out[: out.index("Execute 3 change set(s)")]
    for header in (
        "=== us-east-1: primary region, stack shop-dev in us-east-1 ===",
        "=== us-west-2: secondary region, stack shop-dev in us-west-2 ===",
        "=== global: global DNS stack, stack shop-dev-dns in us-east-1 ===",
    ):
        assert header in review
    assert "inputs of us-east-1, us-west-2 are pending" in review
    # Regions first, then DNS re-planned with their real outputs.
    assert out.index("deploying us-east-1") < out.index("deploying us-west-2") < out.index("deploying global")
    assert "re-planning the DNS stack shop-dev-dns" in out

    east, west = live(aws_env, "us-east-1"), live(aws_env, "us-west-2")
    assert "shop-dev" in east and "shop-dev" in west and "shop-dev-dns" in east and "shop-dev-dns" not in west
    lb = {r: outputs(s["shop-dev"]) for r, s in (("us-east-1", east), ("us-west-2", west))}
    assert lb["us-east-1"]["WebLoadBalancerDnsName"] != lb["us-west-2"]["WebLoadBalancerDnsName"]
    assert "us-west-2" in lb["us-west-2"]["WebLoadBalancerDnsName"]

    # The records carry the regional load balancers' DNS names, read from the regional outputs.
    records = failover_records(system)
    assert {k: r["Failover"] for k, r in records.items()} == {"us-east-1": "PRIMARY", "us-west-2": "SECONDARY"}
    for region in REGIONS:
        rec = records[region]
        assert rec["Name"].rstrip(".") == DOMAIN and rec["Type"] == "A"  # moto drops the trailing dot
        assert rec["AliasTarget"]["DNSName"].rstrip(".") == lb[region]["WebLoadBalancerDnsName"]
        assert rec["AliasTarget"]["HostedZoneId"] == lb[region]["WebLoadBalancerCanonicalHostedZoneId"]
        assert rec["AliasTarget"]["EvaluateTargetHealth"] is True
        check = system["r53"].get_health_check(HealthCheckId=rec["HealthCheckId"])["HealthCheck"]["HealthCheckConfig"]
        assert check["FullyQualifiedDomainName"] == lb[region]["WebLoadBalancerDnsName"]
        assert (check["Type"], check["Port"], check["ResourcePath"]) == ("HTTP", 80, "/")
    dns_params = {p["ParameterKey"]: p["ParameterValue"] for p in east["shop-dev-dns"]["Parameters"]}
    assert dns_params["UsWest2LoadBalancerDnsName"] == lb["us-west-2"]["WebLoadBalancerDnsName"]

    # Pilot light: the secondary's root runs the service at one task.
    desired = {
        r: {p["ParameterKey"]: p["ParameterValue"] for p in s["shop-dev"]["Parameters"]}["ApiDesiredCount"]
        for r, s in (("us-east-1", east), ("us-west-2", west))
    }
    assert desired == {"us-east-1": "2", "us-west-2": "1"}

    # Again: nothing to do anywhere.
    again = run(aws_env, "deploy", "-s", "shop", "-e", "dev", "--yes")
    assert "No changes: every stack of shop/dev is up to date" in again.output

    status = run(aws_env, "failover", "status", "-s", "shop", "-e", "dev")
    assert f"{DOMAIN}: DNS stack shop-dev-dns in us-east-1; primary region us-east-1" in status.output
    for region, role in (("us-east-1", "PRIMARY"), ("us-west-2", "SECONDARY")):
        line = next(line for line in status.output.splitlines() if f" {region} " in line)
        assert role in line and lb[region]["WebLoadBalancerDnsName"] in line and "healthy (1/1 checkers)" in line

    assert "answering: us-east-1" in status.output and status.exit_code == 0

    # promote reads the records back and says which region Route 53 now answers with.
    promoted = run(aws_env, "failover", "promote", "-s", "shop", "-e", "dev", "--to", "us-west-2", "--yes")
    assert "PrimaryRegion  us-east-1 -> us-west-2" in promoted.output
    assert f"Route 53 now answers {DOMAIN} with us-west-2 (records read back)" in promoted.output
    assert re.search(r"A\s+us-west-2\s+PRIMARY", promoted.output), promoted.output
    dns = live(aws_env, "us-east-1")["shop-dev-dns"]
    assert outputs(dns)["PrimaryRegion"] == "us-west-2"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in dns["Parameters"]}["UsEast1LoadBalancerDnsName"] == lb[
        "us-east-1"
    ]["WebLoadBalancerDnsName"]  # the other inputs kept as deployed
    after = run(aws_env, "failover", "status", "-s", "shop", "-e", "dev")
    assert "primary region us-west-2" in after.output and "answering: us-west-2" in after.output
    assert "!!" not in after.output  # records and DNS stack agree (disagreements: the pure test below)


def test_parallel_deploy_reaches_the_same_state(aws_env, system):
    result = run(aws_env, "deploy", "-s", "shop", "-e", "dev", "--yes", "--parallel")
    assert "deploying us-east-1, us-west-2 in parallel" in result.output
    assert "shop-dev" in live(aws_env, "us-west-2")
    assert set(failover_records(system)) == set(REGIONS)


def test_declining_deploys_nothing(aws_env, system):
    result = run(aws_env, "deploy", "-s", "shop", "-e", "dev", input="n\n", ok=False)
    assert result.exit_code == 1 and "declined" in result.output
    assert not live(aws_env, "us-east-1") and not live(aws_env, "us-west-2")
    assert not failover_records(system)


def test_failure_in_the_second_region_leaves_dns_untouched(aws_env, system, tmp_path):
    target = Target("shop", "dev", system["params"])
    out = tmp_path / "build" / "shop" / "dev"
    compiler.write(compiler.compile_target(target), out)
    # Inject a template the endpoint rejects when it runs: a subnet outside its VPC's CIDR, in us-west-2 only.
    path = out / "us-west-2" / "network.json"
    network = json.loads(path.read_text())
    subnet = next(r for r in network["Resources"].values() if r["Type"] == "AWS::EC2::Subnet")
    subnet["Properties"]["CidrBlock"] = "192.168.0.0/24"
    path.write_text(json.dumps(network))

    layout = mr.read_layout(out, "shop", "dev", "shop-dev")
    sessions = mr.connect_regions(layout, AwsOptions(endpoint_url=aws_env.url))
    mplan = mr.plan_all(layout, sessions)
    lines: list[str] = []
    with pytest.raises(DeployError) as err:
        mr.execute_all(mplan, lambda _: _quiet_console(), say=lines.append)
    message = str(err.value)
    assert message.startswith("deploy failed in us-west-2:"), message
    assert "the DNS stack shop-dev-dns was not changed" in message
    assert "shop-dev" in live(aws_env, "us-east-1")  # the primary went first and stays
    assert "shop-dev-dns" not in live(aws_env, "us-east-1")
    assert not failover_records(system)
    assert not system["r53"].list_health_checks()["HealthChecks"]


def _quiet_console():
    import io

    from rich.console import Console

    return Console(file=io.StringIO(), highlight=False)


def test_which_region_answers_follows_failover_routing():
    """Pure: the PRIMARY record answers unless its health check fails; then the SECONDARY."""

    def record(region, role, health):
        return mr.RecordState("A", region, role, f"lb.{region}.elb.amazonaws.com", "hc", health)

    healthy, failing = "healthy (3/3 checkers) [hc]", "unhealthy (0/3 checkers) [hc]"
    report = mr.FailoverReport(
        DOMAIN,
        "shop-dev-dns",
        "us-east-1",
        "us-east-1",
        [record("us-east-1", "PRIMARY", failing), record("us-west-2", "SECONDARY", healthy)],
        {"us-east-1": "lb.us-east-1.elb.amazonaws.com", "us-west-2": "lb.us-west-2.elb.amazonaws.com."},
    )
    assert report.answering == "us-west-2"
    assert report.disagreements == []
    moved = mr.FailoverReport(
        DOMAIN, "shop-dev-dns", "us-east-1", "us-east-1",
        [record("us-east-1", "PRIMARY", healthy), record("us-west-2", "SECONDARY", healthy)],
        {"us-west-2": "other.us-west-2.elb.amazonaws.com"},
    )  # fmt: skip
    assert moved.answering == "us-east-1"
    assert moved.disagreements == [
        "A us-west-2: points at lb.us-west-2.elb.amazonaws.com but the DNS stack's input is other.us-west-2.elb.amazonaws.com"
    ]
