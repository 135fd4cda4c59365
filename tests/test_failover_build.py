"""Multi-region build: one regional root set per region, the global DNS stack, and the config rules.

What this proves: the layout on disk, the Route 53 records / health checks / parameters of the DNS
stack, that every DNS parameter is an output of the matching regional root (closure), per-region
overrides and pilot light reaching the regional templates, and cfn-lint over every folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from templates_src import compiler
from templates_src.config.load import Target
from templates_src.errors import ConfigError
from templates_src.lint import lint_in_regions, template_regions

from .helpers import has_resource, resources, write_params

ZONE_ID = "Z0123456789ABCDEFGHIJ"


def system(**changes) -> dict:
    """Two regions, one public ALB in front of one service, failover on api.example.com."""
    base = {
        "regions": ["us-east-1", "us-west-2"],
        "network": {"azs": 3, "nat": "single"},
        "services": {
            "api": {
                "containers": {"app": {"image": "public.ecr.aws/nginx/nginx", "ports": [{"port": 8080}]}},
                "desired_count": 3,
                "scaling": {"min": 2, "max": 6, "cpu": 60},
            },
        },
        "load_balancers": {
            "web": {
                "certificate": {"domain": "api.example.com", "hosted_zone_id": ZONE_ID},
                "listeners": [{"port": 80, "protocol": "HTTP"}, {"port": 443, "protocol": "HTTPS", "service": "api"}],
            },
        },
        "failover": {
            "domain": "api.example.com",
            "hosted_zone_id": ZONE_ID,
            "primary": "us-east-1",
            "health_check": {
                "path": "/health",
                "port": 443,
                "protocol": "HTTPS",
                "interval": 10,
                "failure_threshold": 2,
            },
            "record_types": ["A", "AAAA"],
        },
        "region_overrides": {"us-west-2": {"network": {"azs": 2}}},
    }
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def compile_system(tmp_path: Path, config: dict, env: dict | None = None) -> compiler.Compiled:
    write_params(tmp_path / "params", "shop", config, {"dev": env or {}})
    return compiler.compile_target(Target("shop", "dev", tmp_path / "params"))


def templates(compiled: compiler.Compiled) -> dict[str, dict]:
    return {name: json.loads(text) for name, text in compiled.templates.items()}


def problems(tmp_path: Path, config: dict, env: dict | None = None) -> str:
    with pytest.raises(ConfigError) as err:
        compile_system(tmp_path, config, env)
    return "\n".join(err.value.lines())


# -- layout -----------------------------------------------------------------------------------


def test_two_regional_roots_and_a_global_dns_stack(tmp_path):
    compiled = compile_system(tmp_path, system())
    assert [folder for folder, _ in compiled.parts()] == ["us-east-1", "us-west-2", "global"]
    names = set(compiled.templates)
    for region in ("us-east-1", "us-west-2"):
        assert {f"{region}/root", f"{region}/network", f"{region}/loadbalancing"} <= names
    assert {n for n in names if n.startswith("global/")} == {"global/root"}
    assert compiled.folders["global"].region == "us-east-1"  # failover.stack_region default

    manifest = json.loads(compiled.files["manifest.json"])
    assert manifest["layout"] == "multi-region"
    assert manifest["folders"]["us-east-1"]["role"] == "primary"
    assert manifest["folders"]["us-west-2"]["role"] == "secondary"
    assert manifest["folders"]["global"]["role"] == "dns"
    assert manifest["dns_inputs"]["UsWest2LoadBalancerDnsName"] == {
        "region": "us-west-2",
        "output": "WebLoadBalancerDnsName",
    }
    for folder in ("us-east-1", "us-west-2", "global"):
        assert f"{folder}/manifest.json" in compiled.files and f"{folder}/parameters.json" in compiled.files


def test_build_writes_folders_and_removes_the_other_layout(tmp_path, monkeypatch):
    write_params(tmp_path / "params", "shop", system(), {"dev": {}})
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    out = tmp_path / "build" / "shop" / "dev"
    out.mkdir(parents=True)
    (out / "root.json").write_text("{}")  # left over from a single-region build
    result = CliRunner().invoke(cli.cli, ["build", "-s", "shop", "-e", "dev"])
    assert result.exit_code == 0, result.output
    assert not (out / "root.json").exists()
    for folder in ("us-east-1", "us-west-2", "global"):
        assert (out / folder / "root.json").is_file() and (out / folder / "manifest.json").is_file()

    # Back to one region: the region folders' files go, build/S/E/root.json comes back.
    write_params(
        tmp_path / "params", "shop", system(regions=["us-east-1"], failover=None, region_overrides=None), {"dev": {}}
    )
    result = CliRunner().invoke(cli.cli, ["build", "-s", "shop", "-e", "dev"])
    assert result.exit_code == 0, result.output
    assert (out / "root.json").is_file()
    assert not list((out / "us-west-2").glob("*.json")) and not list((out / "global").glob("*.json"))


def test_single_region_layout_is_unchanged(tmp_path):
    compiled = compile_system(tmp_path, system(regions=["us-east-1"], failover=None, region_overrides=None))
    assert compiled.parts() == [("", compiled)]
    assert "root.json" in compiled.files and not any("/" in n for n in compiled.files)


def test_several_regions_without_failover_have_no_dns_stack(tmp_path):
    compiled = compile_system(tmp_path, system(failover=None))
    assert [folder for folder, _ in compiled.parts()] == ["us-east-1", "us-west-2"]


# -- the DNS stack ----------------------------------------------------------------------------------


def test_failover_records_point_at_each_regions_load_balancer(tmp_path):
    dns = templates(compile_system(tmp_path, system()))["global/root"]
    params = dns["Parameters"]
    for region in ("UsEast1", "UsWest2"):
        assert params[f"{region}LoadBalancerDnsName"]["Type"] == "String"
        assert "Default" not in params[f"{region}LoadBalancerDnsName"]  # deploy fills it from the region's outputs
        assert f"{region}LoadBalancerCanonicalHostedZoneId" in params
    assert params["PrimaryRegion"] == {
        "AllowedValues": ["us-east-1", "us-west-2"],
        "Default": "us-east-1",
        "Description": params["PrimaryRegion"]["Description"],
        "Type": "String",
    }
    assert params["HostedZoneId"]["Default"] == ZONE_ID
    assert params["DomainName"]["Default"] == "api.example.com"

    for rtype, logical in (("A", "FailoverARecords"), ("AAAA", "FailoverAaaaRecords")):
        group = dns["Resources"][logical]
        assert group["Type"] == "AWS::Route53::RecordSetGroup"
        assert group["Properties"]["HostedZoneId"] == {"Ref": "HostedZoneId"}
        records = {r["SetIdentifier"]: r for r in group["Properties"]["RecordSets"]}
        assert set(records) == {"us-east-1", "us-west-2"}
        for region, pas in (("us-east-1", "UsEast1"), ("us-west-2", "UsWest2")):
            assert records[region] == {
                "Name": {"Ref": "DomainName"},
                "Type": rtype,
                "SetIdentifier": region,
                "Failover": {"Fn::If": [f"{pas}IsPrimary", "PRIMARY", "SECONDARY"]},
                "HealthCheckId": {"Ref": f"{pas}HealthCheck"},
                "AliasTarget": {
                    "DNSName": {"Ref": f"{pas}LoadBalancerDnsName"},
                    "HostedZoneId": {"Ref": f"{pas}LoadBalancerCanonicalHostedZoneId"},
                    "EvaluateTargetHealth": True,
                },
            }
    assert dns["Conditions"]["UsEast1IsPrimary"] == {"Fn::Equals": [{"Ref": "PrimaryRegion"}, "us-east-1"]}
    # With the default PrimaryRegion, us-east-1 is PRIMARY and us-west-2 SECONDARY.
    assert set(dns["Conditions"]) == {"UsEast1IsPrimary", "UsWest2IsPrimary"}


def test_health_check_on_each_regions_public_endpoint(tmp_path):
    dns = templates(compile_system(tmp_path, system()))["global/root"]
    assert len(resources(dns, "AWS::Route53::HealthCheck")) == 2
    has_resource(
        dns,
        "AWS::Route53::HealthCheck",
        {
            "HealthCheckConfig": {
                "Type": "HTTPS",
                "FullyQualifiedDomainName": {"Ref": "UsEast1LoadBalancerDnsName"},
                "Port": 443,
                "ResourcePath": "/health",
                "RequestInterval": 10,
                "FailureThreshold": 2,
                "EnableSNI": True,
            }
        },
    )
    assert set(dns["Outputs"]) >= {"UsEast1HealthCheckId", "UsWest2HealthCheckId", "FailoverDomainName"}


def test_hosted_zone_by_name_and_a_records_only(tmp_path):
    fo = {
        "domain": "api.example.com",
        "hosted_zone_name": "example.com",
        "primary": "us-west-2",
        "health_check": {"protocol": "HTTP", "port": 80},
    }
    dns = templates(compile_system(tmp_path, system(failover=fo)))["global/root"]
    assert dns["Parameters"]["HostedZoneName"]["Default"] == "example.com."
    assert dns["Parameters"]["PrimaryRegion"]["Default"] == "us-west-2"
    assert set(resources(dns, "AWS::Route53::RecordSetGroup")) == {"FailoverARecords"}
    assert dns["Resources"]["FailoverARecords"]["Properties"]["HostedZoneName"] == {"Ref": "HostedZoneName"}
    has_resource(dns, "AWS::Route53::HealthCheck", {"HealthCheckConfig": {"Type": "HTTP", "Port": 80}})


def test_dns_parameters_are_outputs_of_the_regional_roots(tmp_path):
    compiled = compile_system(tmp_path, system())
    built = templates(compiled)
    for inp in compiled.dns_inputs:
        assert inp.output in built[f"{inp.region}/root"]["Outputs"], inp
        assert inp.parameter in built["global/root"]["Parameters"]
    assert {i.parameter for i in compiled.dns_inputs} == {
        p for p in built["global/root"]["Parameters"] if "LoadBalancer" in p
    }


# -- per-region config ---------------------------------------------------------------------------


def _desired_default(root: dict) -> str:
    """The secondary's running floor: DesiredCount without auto scaling, else the scaling minimum."""
    params = root["Parameters"]
    return params["ApiDesiredCount" if "ApiDesiredCount" in params else "ApiMinCapacity"]["Default"]


def test_region_override_reaches_only_its_region(tmp_path):
    built = templates(compile_system(tmp_path, system()))
    assert len(resources(built["us-east-1/network"], "AWS::EC2::Subnet")) == 9  # 3 AZs x 3 tiers
    assert len(resources(built["us-west-2/network"], "AWS::EC2::Subnet")) == 6  # overridden to 2 AZs


def test_warm_secondary_keeps_full_counts(tmp_path):
    built = templates(compile_system(tmp_path, system()))
    east, west = (built[f"{r}/root"]["Parameters"] for r in ("us-east-1", "us-west-2"))
    assert _desired_default(built["us-east-1/root"]) == _desired_default(built["us-west-2/root"])
    assert east == west


def test_pilot_light_secondary_runs_reduced_counts(tmp_path):
    fo = {**system()["failover"], "secondary": "pilot-light", "pilot_light_desired": 1}
    compiled = compile_system(tmp_path, system(failover=fo))
    built = templates(compiled)
    assert _desired_default(built["us-east-1/root"]) == "2"  # scaling.min
    assert _desired_default(built["us-west-2/root"]) == "1"  # pilot light
    # Same services and logical IDs in both regions: only values differ.
    assert set(built["us-east-1/root"]["Resources"]) == set(built["us-west-2/root"]["Resources"])
    east, west = (json.dumps(built[f"{r}/root"]["Parameters"], sort_keys=True) for r in ("us-east-1", "us-west-2"))
    assert '"Default": "2"' in east and '"Default": "1"' in west  # scaling.min follows: 2 -> 1


def test_certificate_created_in_each_region(tmp_path):
    built = templates(compile_system(tmp_path, system()))
    for region in ("us-east-1", "us-west-2"):
        found = [
            t
            for name, t in built.items()
            if name.startswith(region + "/") and resources(t, "AWS::CertificateManager::Certificate")
        ]
        assert found, f"no ACM certificate in {region}"


def test_lint_is_clean_for_every_folder(tmp_path):
    compiled = compile_system(tmp_path, system())
    out = tmp_path / "out"
    compiler.write(compiled, out)
    regions = template_regions(out, list(compiled.templates))
    paths = list(regions)
    assert any(p.parent.name == "global" for p in paths) and any(p.parent.name == "us-west-2" for p in paths)
    assert {p.parent.name: r for p, r in regions.items() if p.parent.name != "global"} == {
        "us-east-1": "us-east-1",
        "us-west-2": "us-west-2",
    }
    findings = lint_in_regions(regions)
    assert findings == [], "\n".join(f"{f.template} {f.rule} {f.path}: {f.message}" for f in findings)


# -- bad input -------------------------------------------------------------------------------------


BAD = [
    ("one-region", {"regions": ["us-east-1"], "region_overrides": None}, ["regions:", "exactly two regions"]),
    (
        "primary-elsewhere",
        {"failover": {"primary": "eu-west-1"}},
        ["failover.primary:", "expected one of the system's regions"],
    ),
    ("two-zones", {"failover": {"hosted_zone_name": "example.com"}}, ["failover:", "exactly one of hosted_zone_id"]),
    (
        "domain-outside-zone",
        {"failover": {"hosted_zone_id": None, "hosted_zone_name": "example.org"}},
        ["failover.domain:", "inside the hosted zone example.org"],
    ),
    ("health-port", {"failover": {"health_check": {"port": 8443}}}, ["failover.health_check.port:", "(80, 443)"]),
    (
        "tcp-path",
        {"failover": {"health_check": {"protocol": "TCP", "path": "/x"}}},
        ["failover.health_check.path:", "TCP"],
    ),
    (
        "unknown-lb",
        {"failover": {"load_balancer": "edge"}},
        ["failover.load_balancer:", "expected one of load_balancers (web)"],
    ),
    ("record-type", {"failover": {"record_types": ["CNAME"]}}, ["failover.record_types[0]:", "expected one of"]),
    (
        "override-fixed",
        {"region_overrides": {"us-west-2": {"tags": {"team": "x"}}}},
        ["region_overrides.us-west-2.tags:", "cannot differ between regions"],
    ),
    (
        "override-listeners",
        {"region_overrides": {"us-west-2": {"load_balancers": {"web": {"listeners": []}}}}},
        ["region_overrides.us-west-2.load_balancers.web.listeners:", "cannot differ"],
    ),
    (
        "override-adds-service",
        {"region_overrides": {"us-west-2": {"services": {"extra": {"desired_count": 1}}}}},
        ["region_overrides.us-west-2.services.extra:", "cannot add keys or items"],
    ),
    (
        "override-unknown-region",
        {"region_overrides": {"eu-west-1": {"network": {"azs": 2}}}},
        ["region_overrides.eu-west-1:", "expected one of the system's regions"],
    ),
    (
        "override-bad-value",
        {"region_overrides": {"us-west-2": {"network": {"azs": 9}}}},
        ["region_overrides.us-west-2.network.azs:", "in us-west-2", "<= 3", "got 9"],
    ),
    (
        "certificate-not-covering",
        {
            "load_balancers": {
                "web": {
                    "certificate": {"domain": "www.example.com", "hosted_zone_id": ZONE_ID},
                    "listeners": [{"port": 443, "protocol": "HTTPS", "service": "api"}],
                }
            }
        },
        ["load_balancers.web.certificate.domain:", "does not cover the failover name api.example.com"],
    ),
    (
        "certificate-arn-regional",
        {
            "load_balancers": {
                "web": {
                    "certificate": {
                        "arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"
                    },
                    "listeners": [{"port": 443, "protocol": "HTTPS", "service": "api"}],
                }
            }
        },
        [
            "load_balancers.web.certificate.arn:",
            "ACM certificates are regional",
            "region_overrides.us-west-2.load_balancers.web.certificate.arn",
        ],
    ),
]


@pytest.mark.parametrize("changes,expected", [(c, e) for _, c, e in BAD], ids=[i for i, _, _ in BAD])
def test_bad_failover_config(tmp_path, changes, expected):
    config = system()
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        elif key == "failover":
            config["failover"] = {**config["failover"], **value}
            config["failover"] = {k: v for k, v in config["failover"].items() if v is not None}
        else:
            config[key] = (
                value if not isinstance(value, dict) or key == "region_overrides" else {**config[key], **value}
            )
    message = problems(tmp_path, config)
    assert "params/shop/_base.yaml" in message
    for fragment in expected:
        assert fragment in message, message


def test_regional_certificate_arns_through_overrides_are_accepted(tmp_path):
    arn = "arn:aws:acm:{}:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"
    lb = {
        "certificate": {"arn": arn.format("us-east-1")},
        "listeners": [{"port": 443, "protocol": "HTTPS", "service": "api"}],
    }
    override = {"network": {"azs": 2}, "load_balancers": {"web": {"certificate": {"arn": arn.format("us-west-2")}}}}
    built = templates(
        compile_system(tmp_path, system(load_balancers={"web": lb}, region_overrides={"us-west-2": override}))
    )
    assert arn.format("us-west-2") in json.dumps(built["us-west-2/root"])
    assert arn.format("us-west-2") not in json.dumps(built["us-east-1/root"])
