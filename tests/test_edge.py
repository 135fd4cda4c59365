"""`load_balancers.<n>.edge`: CloudFront in front of an internet-facing ALB that only CloudFront reaches.

Structure: the distribution (HTTPS to the origin, managed cache and origin-request policies, the secret origin
header by dynamic reference), the ALB's security group open to CloudFront's origin-facing prefix list only (a root
parameter filled at deploy), every listener rule requiring the header, a CLOUDFRONT web ACL from the system's WAF
builder in us-east-1. Bad input. On the local endpoint: deploy resolves the prefix list by name and the
distribution, the rules and the security group read back through their APIs.
"""

from __future__ import annotations

import json

import boto3
import pytest

from templates_src.parts import edge

from .helpers import assert_refused, build, has_resource, invoke, resources, write_params

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
SYSTEM = {
    "network": {"azs": 2, "nat": "none"},
    "services": {
        "api": {
            "public_ip": True,
            "containers": {"api": {"image": "public.ecr.aws/nginx/nginx", "tag": "1.27", "ports": [{"port": 80}]}},
        },
        "docs": {
            "public_ip": True,
            "containers": {"docs": {"image": "public.ecr.aws/nginx/nginx", "tag": "1.27", "ports": [{"port": 80}]}},
        },
    },
    "load_balancers": {
        "web": {
            "certificate": {"domain": "origin.example.test", "hosted_zone_name": "example.test"},
            "edge": {"aliases": ["www.example.test"], "certificate_arn": CERT},
            "listeners": [
                {"port": 80, "protocol": "HTTP"},
                {
                    "port": 443,
                    "protocol": "HTTPS",
                    "service": "api",
                    "rules": [{"priority": 10, "service": "docs", "paths": ["/docs/*"]}],
                },
            ],
        }
    },
    "waivers": [
        {"id": "E9003", "resource": "service-*/*Service", "reason": "No NAT in this test: tasks use public IPs."}
    ],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    write_params(root, "shop", SYSTEM)
    return build(root, "shop")


def test_distribution_reaches_the_alb_over_https_with_the_secret_header(built):
    lb = built["loadbalancing"]
    config = has_resource(lb, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["DomainName"] == {"Ref": "WebCertificateDomain"}  # covered by the ALB's certificate
    assert origin["CustomOriginConfig"] == {
        "HTTPSPort": 443,
        "OriginProtocolPolicy": "https-only",
        "OriginSSLProtocols": ["TLSv1.2"],
    }
    [header] = origin["OriginCustomHeaders"]
    assert header["HeaderName"] == edge.ORIGIN_HEADER
    assert header["HeaderValue"] == {
        "Fn::Sub": ["{{resolve:secretsmanager:${Secret}:SecretString}}", {"Secret": {"Ref": "WebOriginSecret"}}]
    }
    secret = lb["Resources"]["WebOriginSecret"]["Properties"]
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32 and "SecretString" not in secret
    behavior = config["DefaultCacheBehavior"]
    assert behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # managed CachingDisabled
    assert behavior["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["Aliases"] == ["www.example.test"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == CERT
    assert "WebACLId" not in config  # dev: no web ACL unless asked
    assert lb["Outputs"]["WebDistributionDomainName"]["Value"] == {"Fn::GetAtt": ["WebDistribution", "DomainName"]}


def test_only_cloudfront_reaches_the_alb(built):
    sg = built["loadbalancing"]["Resources"]["WebLoadBalancerSecurityGroup"]["Properties"]
    assert sg["SecurityGroupIngress"] == [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "SourcePrefixListId": {"Ref": "CloudFrontPrefixListId"},
            "Description": "HTTPS 443 from CloudFront (com.amazonaws.global.cloudfront.origin-facing)",
        }
    ]
    param = built["root"]["Parameters"]["CloudFrontPrefixListId"]
    assert "Default" not in param and param["AllowedPattern"].startswith("^pl-")  # filled at deploy
    for name in ("service-api", "service-docs"):  # every rule, the catch-all too, needs the header
        for rule in resources(built[name], "AWS::ElasticLoadBalancingV2::ListenerRule").values():
            headers = [c for c in rule["Properties"]["Conditions"] if c["Field"] == "http-header"]
            assert headers == [
                {
                    "Field": "http-header",
                    "HttpHeaderConfig": {
                        "HttpHeaderName": "X-Origin-Verify",
                        "Values": [
                            {
                                "Fn::Sub": [
                                    "{{resolve:secretsmanager:${Secret}:SecretString}}",
                                    {"Secret": {"Ref": "WebOriginSecretArn"}},
                                ]
                            }
                        ],
                    },
                }
            ]
    https = built["loadbalancing"]["Resources"]["WebHttpsListener"]["Properties"]["DefaultActions"][0]
    assert https["FixedResponseConfig"]["StatusCode"] == "404"  # no header, no rule: nothing served


def test_prod_in_us_east_1_puts_the_systems_managed_rules_on_cloudfront(tmp_path):
    write_params(tmp_path, "shop", SYSTEM, {"prod": {}})
    t = build(tmp_path, "shop", "prod")["loadbalancing"]
    acl = has_resource(t, "AWS::WAFv2::WebACL", {"Scope": "CLOUDFRONT"})["Properties"]
    assert {r["Name"] for r in acl["Rules"]} >= {"RateLimitPerIp", "AWSManagedRulesCommonRuleSet"}
    assert has_resource(t, "AWS::WAFv2::WebACL", {"Scope": "REGIONAL"})  # the ALB keeps its own
    config = t["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == {"Fn::GetAtt": ["EdgeWebAcl", "Arn"]}


def test_an_existing_cloudfront_web_acl_elsewhere(tmp_path):
    acl = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
    system = json.loads(json.dumps(SYSTEM))
    system["regions"] = ["eu-west-1"]
    system["load_balancers"]["web"]["edge"]["web_acl_arn"] = acl
    write_params(tmp_path, "shop", system)
    t = build(tmp_path, "shop")["loadbalancing"]
    assert t["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]["WebACLId"] == acl
    assert not resources(t, "AWS::WAFv2::WebACL")


def _with_edge(**changes) -> dict:
    system = json.loads(json.dumps(SYSTEM))
    web = system["load_balancers"]["web"]
    for key, value in changes.items():
        if value is None:
            web["edge"].pop(key, None)
        elif key in ("edge_waf",):
            web["edge"]["waf"] = value
        else:
            web[key] = value
    return system


@pytest.mark.parametrize(
    "base, fragments",
    [
        (_with_edge(certificate_arn=None), ["load_balancers.web.edge.certificate_arn", "us-east-1"]),
        (_with_edge(scheme="internal"), ["edge", "internet-facing application load balancer"]),
        (_with_edge(allowed_cidrs=["10.0.0.0/8"]), ["allowed_cidrs", "origin-facing"]),
        (
            _with_edge(listeners=[{"port": 80, "protocol": "HTTP", "service": "api"}], certificate=None),
            ["edge", "HTTPS"],
        ),
        ({**_with_edge(edge_waf=True), "regions": ["eu-west-1"]}, ["edge.waf", "us-east-1", "web_acl_arn"]),
        ({**SYSTEM, "regions": ["us-east-1", "us-west-2"]}, ["edge", "multi-region"]),
    ],
)
def test_bad_edge_input_is_refused(tmp_path, monkeypatch, base, fragments):
    assert_refused(tmp_path, monkeypatch, base, {}, fragments)


# ------------------------------------------------------------------------------ on the local endpoint


@pytest.mark.emulator
def test_deploy_resolves_the_prefix_list_and_the_distribution_reads_back(aws_env, tmp_path, monkeypatch):
    """Proves: deploy fills CloudFrontPrefixListId from DescribeManagedPrefixLists by name (moto has the list) and
    the ALB's security group admits that list only; the distribution (GetDistribution) has the origin, HTTPS only,
    the secret header, the managed policies and the aliases; the listener rules (DescribeRules) require the header.
    The secret header's value, resolved from the dynamic reference (the emulator resolves them as CloudFormation
    does), is the same in the distribution and in every rule, and is the generated secret's.
    Cannot show: CloudFront serving or rejecting a request, the certificate."""
    write_params(tmp_path / "params", "shop", SYSTEM)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    r53 = boto3.client("route53", endpoint_url=aws_env.url, region_name="us-east-1")
    r53.create_hosted_zone(Name="example.test", CallerReference="edge")
    result = invoke(aws_env, "deploy", "-s", "shop", "-e", "dev", "--yes")
    assert result.exit_code == 0, result.output

    ec2 = boto3.client("ec2", endpoint_url=aws_env.url, region_name="us-east-1")
    [pl] = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.global.cloudfront.origin-facing"]}]
    )["PrefixLists"]
    groups = ec2.describe_security_groups()["SecurityGroups"]
    [lb_sg] = [g for g in groups if g["Description"].startswith("Load balancer web")]
    assert [
        (p["FromPort"], [x["PrefixListId"] for x in p["PrefixListIds"]], p["IpRanges"]) for p in lb_sg["IpPermissions"]
    ] == [(443, [pl["PrefixListId"]], [])]

    cloudfront = boto3.client("cloudfront", endpoint_url=aws_env.url, region_name="us-east-1")
    [summary] = cloudfront.list_distributions()["DistributionList"]["Items"]
    config = cloudfront.get_distribution(Id=summary["Id"])["Distribution"]["DistributionConfig"]
    [origin] = config["Origins"]["Items"]
    assert origin["DomainName"] == "origin.example.test"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert [h["HeaderName"] for h in origin["CustomHeaders"]["Items"]] == ["X-Origin-Verify"]
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in boto3.client("cloudformation", endpoint_url=aws_env.url, region_name="us-east-1")
        .describe_stacks(StackName="shop-dev")["Stacks"][0]
        .get("Outputs", [])
    }
    assert outputs["WebDistributionDomainName"] == summary["DomainName"]

    elb = boto3.client("elbv2", endpoint_url=aws_env.url, region_name="us-east-1")
    [balancer] = elb.describe_load_balancers()["LoadBalancers"]
    https = next(
        x for x in elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"] if x["Port"] == 443
    )
    rules = [r for r in elb.describe_rules(ListenerArn=https["ListenerArn"])["Rules"] if not r["IsDefault"]]
    assert len(rules) == 2
    secret = next(
        x["ARN"]
        for x in boto3.client("secretsmanager", endpoint_url=aws_env.url, region_name="us-east-1").list_secrets()[
            "SecretList"
        ]
        if "OriginSecret" in x["Name"]
    )
    value = boto3.client("secretsmanager", endpoint_url=aws_env.url, region_name="us-east-1").get_secret_value(
        SecretId=secret
    )["SecretString"]
    assert len(value) == 48 and [h["HeaderValue"] for h in origin["CustomHeaders"]["Items"]] == [value]
    for rule in rules:
        [header] = [c for c in rule["Conditions"] if c["Field"] == "http-header"]
        assert header["HttpHeaderConfig"]["Values"] == [value]
    for rule in rules:
        assert any(
            c["Field"] == "http-header" and c["HttpHeaderConfig"]["HttpHeaderName"] == "X-Origin-Verify"
            for c in rule["Conditions"]
        )


def test_aliases_in_the_certificates_zone_get_records_pointing_at_cloudfront(built, tmp_path):
    records = resources(built["loadbalancing"], "AWS::Route53::RecordSet")
    edge_records = {
        r["Properties"]["Type"]: r["Properties"]
        for r in records.values()
        if r["Properties"]["Name"] == "www.example.test"
    }
    assert set(edge_records) == {"A", "AAAA"}
    for props in edge_records.values():
        assert props["AliasTarget"] == {
            "DNSName": {"Fn::GetAtt": ["WebDistribution", "DomainName"]},
            "HostedZoneId": "Z2FDTNDATAQYW2",
            "EvaluateTargetHealth": False,
        }
        assert props["HostedZoneId"] == {"Ref": "WebHostedZoneId"}
    # The origin's own record still points at the load balancer.
    origin = next(
        r["Properties"] for r in records.values() if r["Properties"]["Name"] == {"Ref": "WebCertificateDomain"}
    )
    assert origin["AliasTarget"]["DNSName"] == {"Fn::GetAtt": ["WebLoadBalancer", "DNSName"]}
    # An alias outside the zone is left to its owner (Route 53 would refuse it here).
    system = json.loads(json.dumps(SYSTEM))
    system["load_balancers"]["web"]["edge"]["aliases"] = ["shop.elsewhere.test"]
    write_params(tmp_path, "shop", system)
    other = build(tmp_path, "shop")["loadbalancing"]
    assert not [
        r
        for r in resources(other, "AWS::Route53::RecordSet").values()
        if r["Properties"]["Name"] == "shop.elsewhere.test"
    ]
