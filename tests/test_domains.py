"""Domains: a load balancer's certificate domain gets alias records so the URL outputs resolve; a hosted
zone is given by ID (a real one) or by name (its ID looked up at deploy, never a made-up default)."""

from __future__ import annotations

import json

import boto3
import pytest
import yaml
from click.testing import CliRunner

import cli
from templates_src import compiler
from templates_src.config.load import Target
from templates_src.deploy.session import AwsOptions, connect
from templates_src.deploy.zones import hosted_zone_id, with_hosted_zones
from templates_src.errors import DeployError
from templates_src.lint import lint_paths

from .helpers import build_config, has_resource, resources, write_params

ZONE_ID = "Z1D633PJN98FT9"


def system(certificate: dict, rules: list | None = None, **top) -> dict:
    https = {"port": 443, "protocol": "HTTPS", "service": "api"}
    if rules:
        https["rules"] = rules
    return {
        "services": {
            "api": {"containers": {"app": {"image": "example/app", "tag": "1", "ports": [{"port": 8080}]}}},
            "admin": {"containers": {"app": {"image": "example/admin", "tag": "1", "ports": [{"port": 8080}]}}},
        },
        "load_balancers": {"web": {"certificate": certificate, "listeners": [{"port": 80, "protocol": "HTTP"}, https]}},
        **top,
    }


def records(t: dict) -> dict[str, dict]:
    return {k: v["Properties"] for k, v in resources(t, "AWS::Route53::RecordSet").items()}


ALIAS_TARGET = {
    "DNSName": {"Fn::GetAtt": ["WebLoadBalancer", "DNSName"]},
    "HostedZoneId": {"Fn::GetAtt": ["WebLoadBalancer", "CanonicalHostedZoneID"]},
    "EvaluateTargetHealth": False,
}


def test_the_certificate_domain_gets_an_alias_record(tmp_path):
    out = build_config(tmp_path, system({"domain": "api.example.com", "hosted_zone_id": ZONE_ID}))
    lb = out["loadbalancing"]
    has_resource(
        lb,
        "AWS::Route53::RecordSet",
        {
            "Name": {"Ref": "WebCertificateDomain"},
            "Type": "A",
            "HostedZoneId": {"Ref": "WebHostedZoneId"},
            "AliasTarget": ALIAS_TARGET,
        },
    )
    # The URL output names the domain the record points at the load balancer.
    url = out["service-api"]["Outputs"]["ApiServiceUrl"]["Value"]
    assert "WebCertificateDomain" in json.dumps(url) and "https://" in json.dumps(url)
    assert out["root"]["Parameters"]["WebHostedZoneId"]["Default"] == ZONE_ID


def test_alternative_names_and_covered_rule_hosts_get_records_too(tmp_path):
    cert = {
        "domain": "example.com",
        "alternative_names": ["www.example.com", "*.example.com"],
        "hosted_zone_id": ZONE_ID,
    }
    rules = [{"priority": 10, "service": "admin", "hosts": ["admin.example.com"]}]
    lb = build_config(tmp_path, system(cert, rules))["loadbalancing"]
    names = sorted(json.dumps(p["Name"]) for p in records(lb).values())
    assert names == sorted(
        json.dumps(n)
        for n in [{"Ref": "WebCertificateDomain"}, "www.example.com", "*.example.com", "admin.example.com"]
    )
    assert all(p["AliasTarget"] == ALIAS_TARGET and p["Type"] == "A" for p in records(lb).values())


def test_a_rule_host_the_certificate_does_not_cover_gets_no_record(tmp_path):
    rules = [{"priority": 10, "service": "admin", "hosts": ["admin.other.org"]}]
    lb = build_config(tmp_path, system({"domain": "api.example.com", "hosted_zone_id": ZONE_ID}, rules))[
        "loadbalancing"
    ]
    assert [p["Name"] for p in records(lb).values()] == [{"Ref": "WebCertificateDomain"}]


def test_alias_records_can_be_left_to_dns_managed_elsewhere(tmp_path):
    cert = {"domain": "api.example.com", "hosted_zone_id": ZONE_ID, "alias_records": False}
    assert records(build_config(tmp_path, system(cert))["loadbalancing"]) == {}


def test_a_certificate_by_arn_names_no_domain_and_gets_no_record(tmp_path):
    cert = {"arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"}
    assert records(build_config(tmp_path, system(cert))["loadbalancing"]) == {}


def test_failover_systems_keep_their_dns_stack(tmp_path):
    config = system(
        {"domain": "api.example.com", "hosted_zone_id": ZONE_ID},
        regions=["us-east-1", "us-west-2"],
        failover={"domain": "api.example.com", "hosted_zone_id": ZONE_ID, "primary": "us-east-1"},
    )
    write_params(tmp_path, "sys", config)
    compiled = compiler.compile_target(Target("sys", "dev", tmp_path))
    for name, text in compiled.templates.items():
        if name.endswith("/loadbalancing"):
            assert records(json.loads(text)) == {}, name
    assert "AWS::Route53::RecordSetGroup" in compiled.templates["global/root"]


def test_a_zone_by_name_is_a_required_root_parameter_filled_at_deploy(tmp_path):
    write_params(tmp_path, "sys", system({"domain": "api.example.com", "hosted_zone_name": "example.com"}))
    compiled = compiler.compile_target(Target("sys", "dev", tmp_path))
    root = json.loads(compiled.files["root.json"])
    param = root["Parameters"]["WebHostedZoneId"]
    assert param["Type"] == "AWS::Route53::HostedZone::Id" and "Default" not in param
    assert "WebHostedZoneId" not in {p["ParameterKey"] for p in json.loads(compiled.files["parameters.json"])}
    assert json.loads(compiled.files["manifest.json"])["hosted_zones_by_name"] == {"WebHostedZoneId": "example.com"}
    has_resource(
        json.loads(compiled.files["loadbalancing.json"]),
        "AWS::CertificateManager::Certificate",
        {"DomainValidationOptions": [{"HostedZoneId": {"Ref": "WebHostedZoneId"}}]},
    )
    out = tmp_path / "out"
    compiler.write(compiled, out)
    findings = lint_paths([out / f"{n}.json" for n in compiled.templates])
    assert findings == [], "\n".join(f"{f.template} {f.rule}: {f.message}" for f in findings)


def test_a_zone_by_name_stays_at_the_root_past_the_tunable_budget(tmp_path):
    """A parameter without a default cannot be a child's default: it is placed at the root first."""
    from templates_src.graph import StackGraph

    graph = StackGraph("s", "e")
    ctx = graph.context("loadbalancing", "lb")
    ctx.template.add_resource(__import__("troposphere").sns.Topic("T"))
    ctx.tunable("Many", default="x", label="x", group="g")
    ctx.tunable("WebHostedZoneId", default=None, label="zone", group="g", param_type="AWS::Route53::HostedZone::Id")
    resolved = graph.resolve(tunable_budget=1)
    assert [t.name for t in resolved.root_tunables] == ["WebHostedZoneId"]


def test_no_params_file_keeps_a_placeholder_zone_id():
    from .helpers import PARAMS_DIR

    def zone_ids(data):
        if isinstance(data, dict):
            for key, value in data.items():
                if key == "hosted_zone_id":
                    yield value
                yield from zone_ids(value)
        elif isinstance(data, list):
            for value in data:
                yield from zone_ids(value)

    for path in sorted(PARAMS_DIR.rglob("*.yaml")):
        for zone in zone_ids(yaml.safe_load(path.read_text())):
            assert "EXAMPLE" not in str(zone), f"{path}: hosted_zone_id {zone}"


# -- bad input -----------------------------------------------------------------------------------


def run(tmp_path, monkeypatch, certificate: dict):
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text(yaml.safe_dump(system(certificate), sort_keys=False))
    (folder / "dev.yaml").write_text("")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    monkeypatch.setenv("STACKC_BUILD_DIR", str(tmp_path / "build"))
    return CliRunner().invoke(cli.cli, ["build", "-s", "s", "-e", "dev"])


@pytest.mark.parametrize(
    "certificate, expected",
    [
        (
            {"domain": "api.example.com", "hosted_zone_id": "Z0123456789EXAMPLE"},
            ["load_balancers.web.certificate.hosted_zone_id:", "placeholder", "hosted_zone_name"],
        ),
        (
            {"domain": "api.example.com", "hosted_zone_id": ZONE_ID, "hosted_zone_name": "example.com"},
            ["load_balancers.web.certificate.hosted_zone_name:", "keep one"],
        ),
        ({"domain": "api.example.com"}, ["load_balancers.web.certificate.hosted_zone_id:", "hosted_zone_name"]),
        (
            {"domain": "api.example.com", "hosted_zone_name": "example.org"},
            ["load_balancers.web.certificate.hosted_zone_name:", "api.example.com is not in zone example.org"],
        ),
        (
            {"arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b", "hosted_zone_name": "example.com"},
            ["load_balancers.web.certificate.arn:", "apply only to a 'domain' certificate"],
        ),
    ],
    ids=["placeholder-id", "id-and-name", "no-zone", "domain-outside-zone", "arn-with-zone"],
)
def test_bad_zone_params_exit_2(tmp_path, monkeypatch, certificate, expected):
    result = run(tmp_path, monkeypatch, certificate)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "params/s/_base.yaml:" in result.output
    for fragment in expected:
        assert fragment in result.output, f"{fragment!r} not in:\n{result.output}"


# -- the resolver, on the local endpoint ---------------------------------------------------------


@pytest.mark.emulator
def test_a_zone_name_resolves_to_its_id_on_the_endpoint(aws_env):
    r53 = boto3.client("route53", endpoint_url=aws_env.url, region_name="us-east-1")
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="a")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    r53.create_hosted_zone(Name="sub.example.com", CallerReference="b")
    aws = connect(AwsOptions(region="us-east-1", endpoint_url=aws_env.url))
    assert hosted_zone_id(aws, "example.com") == zone
    assert hosted_zone_id(aws, "example.com.") == zone
    manifest = {"hosted_zones_by_name": {"WebHostedZoneId": "example.com"}}
    given = [{"ParameterKey": "ApiImageTag", "ParameterValue": "1"}]
    assert with_hosted_zones(aws, manifest, given) == [
        {"ParameterKey": "ApiImageTag", "ParameterValue": "1"},
        {"ParameterKey": "WebHostedZoneId", "ParameterValue": zone},
    ]
    # A value given on the command line wins; nothing is looked up.
    mine = [{"ParameterKey": "WebHostedZoneId", "ParameterValue": "ZMINE"}]
    assert with_hosted_zones(aws, manifest, mine) == mine


@pytest.mark.emulator
def test_a_missing_zone_says_how_to_create_it(aws_env):
    r53 = boto3.client("route53", endpoint_url=aws_env.url, region_name="us-east-1")
    r53.create_hosted_zone(
        Name="internal.example.com",
        CallerReference="p",
        HostedZoneConfig={"PrivateZone": True, "Comment": "private"},
        VPC={"VPCRegion": "us-east-1", "VPCId": "vpc-12345678"},
    )
    aws = connect(AwsOptions(region="us-east-1", endpoint_url=aws_env.url))
    with pytest.raises(DeployError, match=r"no public hosted zone named example\.com .*create-hosted-zone"):
        hosted_zone_id(aws, "example.com")
    with pytest.raises(DeployError, match=r"only a private zone has that name"):
        hosted_zone_id(aws, "internal.example.com")
