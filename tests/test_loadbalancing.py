"""Load balancing: one structural assertion per option (subset style). The load balancer, its
listeners and certificate are in the `loadbalancing` stack; each service's target group and the rules
(or NLB listener) forwarding to it are in the service's own stack."""

from __future__ import annotations

from .helpers import build_config, count, has_resource, skips

APP = {"containers": {"app": {"image": "example/app", "ports": [{"port": 8080}]}}}
CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666"


def build_lb(tmp_path, lb: dict, services: dict | None = None, **top) -> dict:
    cfg = {"services": services or {"api": APP}, "load_balancers": {"web": lb}, **top}
    return build_config(tmp_path, cfg)


HTTP = {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]}
HTTPS = {
    "certificate": {"arn": CERT_ARN},
    "listeners": [{"port": 80, "protocol": "HTTP"}, {"port": 443, "protocol": "HTTPS", "service": "api"}],
}


def test_internet_facing_alb_in_public_subnets(tmp_path):
    t = build_lb(tmp_path, HTTP)["loadbalancing"]
    has_resource(
        t,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {
            "Type": "application",
            "Scheme": "internet-facing",
            "Subnets": {"Ref": "PublicSubnetIds"},
            "SecurityGroups": [{"Ref": "WebLoadBalancerSecurityGroup"}],
        },
    )


def test_internal_alb_in_private_subnets(tmp_path):
    t = build_lb(tmp_path, {**HTTP, "scheme": "internal"})["loadbalancing"]
    has_resource(
        t, "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internal", "Subnets": {"Ref": "PrivateSubnetIds"}}
    )


def test_http2_and_idle_timeout(tmp_path):
    t = build_lb(tmp_path, {**HTTP, "http2": False, "idle_timeout": 300})["loadbalancing"]
    has_resource(
        t,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {
            "LoadBalancerAttributes": [
                {"Key": "routing.http2.enabled", "Value": "false"},
                {"Key": "idle_timeout.timeout_seconds", "Value": "300"},
            ]
        },
    )


def test_access_logs(tmp_path):
    t = build_lb(tmp_path, {**HTTP, "access_logs": {"bucket": "my-elb-logs", "prefix": "web"}})["loadbalancing"]
    has_resource(
        t,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {
            "LoadBalancerAttributes": [
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": "my-elb-logs"},
                {"Key": "access_logs.s3.prefix", "Value": "web"},
            ]
        },
    )


def test_deletion_protection_follows_protect(tmp_path):
    t = build_lb(tmp_path, HTTP, protect=True)["loadbalancing"]
    has_resource(
        t,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"LoadBalancerAttributes": [{"Key": "deletion_protection.enabled", "Value": "true"}]},
    )


def test_http_redirects_to_https_when_certificate(tmp_path):
    t = build_lb(tmp_path, HTTPS)["loadbalancing"]
    has_resource(
        t,
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": [
                {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
            ],
        },
    )
    assert "WebHttpListener" in t["Resources"] and "WebHttpsListener" in t["Resources"]


def test_https_listener_modern_tls_and_certificate_arn(tmp_path):
    out = build_lb(tmp_path, HTTPS)
    has_resource(
        out["loadbalancing"],
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Protocol": "HTTPS",
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "Certificates": [{"CertificateArn": {"Ref": "WebCertificateArn"}}],
            "DefaultActions": [{"Type": "fixed-response"}],
        },
    )
    assert out["root"]["Parameters"]["WebCertificateArn"]["Default"] == CERT_ARN


def test_listener_default_service_gets_a_catch_all_rule_in_its_stack(tmp_path):
    out = build_lb(tmp_path, HTTPS)
    has_resource(
        out["service-api"],
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Priority": 50000,
            "ListenerArn": {"Ref": "WebHttpsListenerArn"},
            "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
            "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "ApiTargetGroup"}}],
        },
    )
    # ECS refuses a target group no listener forwards to: the service waits for its rule.
    assert out["service-api"]["Resources"]["ApiService"]["DependsOn"] == ["WebHttpsRuleDefault"]


def test_tls_policy_option(tmp_path):
    t = build_lb(tmp_path, {**HTTPS, "ssl_policy": "ELBSecurityPolicy-TLS13-1-3-2021-06"})["loadbalancing"]
    has_resource(t, "AWS::ElasticLoadBalancingV2::Listener", {"SslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"})


def test_acm_certificate_with_dns_validation(tmp_path):
    lb = {
        **HTTPS,
        "certificate": {
            "domain": "api.example.com",
            "hosted_zone_id": "Z1D633PJN98FT9",
            "alternative_names": ["www.example.com"],
        },
    }
    out = build_lb(tmp_path, lb)
    has_resource(
        out["loadbalancing"],
        "AWS::CertificateManager::Certificate",
        {
            "DomainName": {"Ref": "WebCertificateDomain"},
            "ValidationMethod": "DNS",
            "SubjectAlternativeNames": ["www.example.com"],
            "DomainValidationOptions": [
                {"DomainName": {"Ref": "WebCertificateDomain"}, "HostedZoneId": {"Ref": "WebHostedZoneId"}},
                {"DomainName": "www.example.com", "HostedZoneId": {"Ref": "WebHostedZoneId"}},
            ],
        },
    )
    has_resource(
        out["loadbalancing"],
        "AWS::ElasticLoadBalancingV2::Listener",
        {"Certificates": [{"CertificateArn": {"Ref": "WebCertificate"}}]},
    )
    assert out["root"]["Parameters"]["WebHostedZoneId"]["Type"] == "AWS::Route53::HostedZone::Id"


def test_path_and_host_rules_to_several_services(tmp_path):
    lb = {
        "listeners": [
            {
                "port": 80,
                "protocol": "HTTP",
                "rules": [
                    {"priority": 10, "service": "api", "paths": ["/api/*"]},
                    {"priority": 20, "service": "ui", "hosts": ["ui.example.com"], "paths": ["/*"]},
                ],
            }
        ]
    }
    out = build_lb(tmp_path, lb, {"api": APP, "ui": APP})
    api, ui = out["service-api"], out["service-ui"]
    has_resource(
        api,
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Priority": 10,
            "ListenerArn": {"Ref": "WebHttpListenerArn"},
            "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
            "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "ApiTargetGroup"}}],
        },
    )
    has_resource(
        ui,
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Priority": 20,
            "Conditions": [{"Field": "host-header", "HostHeaderConfig": {"Values": ["ui.example.com"]}}],
            "Actions": [{"TargetGroupArn": {"Ref": "UiTargetGroup"}}],
        },
    )
    assert {"WebHttpRule10", "ApiTargetGroup"} <= set(api["Resources"])
    assert {"WebHttpRule20", "UiTargetGroup"} <= set(ui["Resources"])
    has_resource(
        out["loadbalancing"], "AWS::ElasticLoadBalancingV2::Listener", {"DefaultActions": [{"Type": "fixed-response"}]}
    )
    assert out["root"]["Outputs"]["UiServiceUrl"]["Value"] == {"Fn::GetAtt": ["ServiceUiStack", "Outputs.UiServiceUrl"]}
    assert ui["Outputs"]["UiServiceUrl"]["Value"] == "http://ui.example.com/"
    assert api["Outputs"]["ApiServiceUrl"]["Value"] == {"Fn::Sub": "http://${WebLoadBalancerDnsName}/api/"}


def test_one_alb_per_service(tmp_path):
    cfg = {
        "services": {"api": APP, "ui": APP},
        "load_balancers": {
            "api": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]},
            "ui": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "ui"}]},
        },
    }
    out = build_config(tmp_path, cfg)
    assert count(out["loadbalancing"], "AWS::ElasticLoadBalancingV2::LoadBalancer") == 2
    assert "UiLoadBalancerSecurityGroupId" in out["service-ui"]["Parameters"]
    assert "ApiLoadBalancerSecurityGroupId" not in out["service-ui"]["Parameters"]


def test_target_group_ip_health_check_deregistration_stickiness(tmp_path):
    svc = {
        **APP,
        "target": {
            "health_check": {
                "path": "/health",
                "interval": 15,
                "timeout": 4,
                "healthy_threshold": 3,
                "unhealthy_threshold": 5,
                "matcher": "200",
            },
            "deregistration_delay": 10,
            "stickiness": 3600,
        },
    }
    t = build_lb(tmp_path, HTTP, {"api": svc})["service-api"]
    has_resource(
        t,
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "TargetType": "ip",
            "Port": 8080,
            "Protocol": "HTTP",
            "VpcId": {"Ref": "VpcId"},
            "HealthCheckPath": "/health",
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 4,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 5,
            "Matcher": {"HttpCode": "200"},
            "TargetGroupAttributes": [
                {"Key": "deregistration_delay.timeout_seconds", "Value": "10"},
                {"Key": "stickiness.enabled", "Value": "true"},
                {"Key": "stickiness.type", "Value": "lb_cookie"},
                {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "3600"},
            ],
        },
    )


def test_nlb_tcp_listener_with_http_health_check(tmp_path):
    svc = {
        "containers": {"app": {"image": "x/y", "ports": [{"port": 4100}]}},
        "target": {"health_check": {"path": "/health"}},
    }
    lb = {"type": "network", "listeners": [{"port": 4100, "protocol": "TCP", "service": "api"}]}
    out = build_lb(tmp_path, lb, {"api": svc})
    has_resource(
        out["loadbalancing"],
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"Type": "network", "LoadBalancerAttributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}]},
    )
    t = out["service-api"]  # an NLB listener must forward, so it lives with its service
    has_resource(
        t,
        "AWS::ElasticLoadBalancingV2::Listener",
        {
            "Port": 4100,
            "Protocol": "TCP",
            "LoadBalancerArn": {"Ref": "WebLoadBalancerArn"},
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "ApiTargetGroup"}}],
        },
    )
    has_resource(
        t,
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"Protocol": "TCP", "Port": 4100, "HealthCheckProtocol": "HTTP", "HealthCheckPath": "/health"},
    )
    assert "WebTcp4100Listener" in t["Resources"]
    assert t["Resources"]["ApiService"]["DependsOn"] == ["WebTcp4100Listener"]
    assert t["Outputs"]["ApiServiceUrl"]["Value"] == {"Fn::Sub": "http://${WebLoadBalancerDnsName}:4100/"}


def test_lb_security_group_accepts_listener_ports_from_cidrs(tmp_path):
    t = build_lb(tmp_path, {**HTTPS, "allowed_cidrs": ["10.0.0.0/8", "192.168.0.0/16"]})["loadbalancing"]
    rules = has_resource(t, "AWS::EC2::SecurityGroup")["Properties"]["SecurityGroupIngress"]
    assert {(r["FromPort"], r["CidrIp"]) for r in rules} == {
        (80, "10.0.0.0/8"),
        (80, "192.168.0.0/16"),
        (443, "10.0.0.0/8"),
        (443, "192.168.0.0/16"),
    }


def test_outputs_dns_zone_and_https_url_in_root(tmp_path):
    lb = {**HTTPS, "certificate": {"domain": "api.example.com", "hosted_zone_id": "Z1D633PJN98FT9"}}
    out = build_lb(tmp_path, lb)
    outputs = out["root"]["Outputs"]
    assert outputs["WebLoadBalancerDnsName"]["Value"] == {
        "Fn::GetAtt": ["LoadbalancingStack", "Outputs.WebLoadBalancerDnsName"]
    }
    assert "WebLoadBalancerCanonicalHostedZoneId" in outputs and "ApiServiceUrl" in outputs
    assert out["service-api"]["Outputs"]["ApiServiceUrl"]["Value"] == {"Fn::Sub": "https://${WebCertificateDomain}/"}
    # the domain is a root Parameter: the root hands it to the service stack directly
    params = out["root"]["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]
    assert params["WebCertificateDomain"] == {"Ref": "WebCertificateDomain"}


def test_service_stack_depends_on_loadbalancing_not_the_reverse(tmp_path):
    out = build_lb(tmp_path, HTTP)
    root = out["root"]["Resources"]
    params = root["ServiceApiStack"]["Properties"]["Parameters"]
    assert params["WebHttpListenerArn"] == {"Fn::GetAtt": ["LoadbalancingStack", "Outputs.WebHttpListenerArn"]}
    assert "ServiceApiStack" not in str(root["LoadbalancingStack"])


def test_loadbalancing_stack_does_not_grow_with_services(tmp_path):
    """Services add resources and outputs to their own stacks only (scale: hundreds of services)."""

    def sizes(n):
        services = {f"s{i}": APP for i in range(n)}
        rules = [{"priority": i + 1, "service": f"s{i}", "paths": [f"/s{i}/*"]} for i in range(n)]
        out = build_lb(tmp_path / str(n), {"listeners": [{"port": 80, "protocol": "HTTP", "rules": rules}]}, services)
        lb = out["loadbalancing"]
        return len(lb["Resources"]), len(lb.get("Outputs", {}))

    assert sizes(2) == sizes(12)


def test_url_output_default_name(tmp_path):
    out = build_lb(tmp_path, HTTP)
    # The URL, beside the operator outputs every service has (tests/test_operator_names.py).
    assert set(out["service-api"]["Outputs"]) == {"ApiServiceUrl", "ApiServiceName", "ApiLogGroupName"}
    assert "ApiServiceUrl" in out["root"]["Outputs"]


def test_url_output_named_by_the_config(tmp_path):
    out = build_lb(tmp_path, HTTP, {"api": {**APP, "url_output": "ApiUrl"}})
    assert out["service-api"]["Outputs"]["ApiUrl"]["Value"] == {"Fn::Sub": "http://${WebLoadBalancerDnsName}/"}
    assert out["root"]["Outputs"]["ApiUrl"]["Value"] == {"Fn::GetAtt": ["ServiceApiStack", "Outputs.ApiUrl"]}
    assert "ApiServiceUrl" not in out["root"]["Outputs"] and "ApiServiceUrl" not in out["service-api"]["Outputs"]


# -- what security scanners check (README "Security") -----------------------------------------


def test_load_balancer_egress_only_to_its_targets_in_the_vpc(tmp_path):
    services = {"api": APP, "admin": {"containers": {"admin": {"image": "example/admin", "ports": [{"port": 9000}]}}}}
    lb = {
        **HTTPS,
        "listeners": [
            {"port": 80, "protocol": "HTTP"},
            {
                "port": 443,
                "protocol": "HTTPS",
                "service": "api",
                "rules": [{"priority": 10, "service": "admin", "paths": ["/admin/*"]}],
            },
        ],
    }
    out = build_lb(tmp_path, lb, services)
    sg = out["loadbalancing"]["Resources"]["WebLoadBalancerSecurityGroup"]["Properties"]
    assert sg["SecurityGroupEgress"] == [
        {
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "CidrIp": {"Ref": "VpcCidr"},
            "Description": "to targets on 8080: api",
        },
        {
            "IpProtocol": "tcp",
            "FromPort": 9000,
            "ToPort": 9000,
            "CidrIp": {"Ref": "VpcCidr"},
            "Description": "to targets on 9000: admin",
        },
    ]
    assert out["root"]["Resources"]["LoadbalancingStack"]["Properties"]["Parameters"]["VpcCidr"] == {
        "Fn::GetAtt": ["NetworkStack", "Outputs.VpcCidr"]
    }


def test_load_balancer_egress_in_an_existing_vpc_and_without_targets(tmp_path):
    existing = {
        "mode": "existing",
        "existing": {
            "vpc_id": "vpc-0123456789abcdef0",
            "public_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        },
    }
    t = build_lb(tmp_path / "a", HTTP, network=existing)["loadbalancing"]
    has_resource(
        t,
        "AWS::EC2::SecurityGroup",
        {"SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "0.0.0.0/0"}]},
    )
    idle = build_lb(tmp_path / "b", {"listeners": [{"port": 80, "protocol": "HTTP"}]})["loadbalancing"]
    (rule,) = idle["Resources"]["WebLoadBalancerSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert rule["CidrIp"] == "255.255.255.255/32" and rule["Description"].startswith("no egress")


def test_public_http_without_certificate_carries_no_suppression(tmp_path):
    """Plain HTTP, no access logs, port 80 open to all: findings for scanners unless params waive them."""
    t = build_lb(tmp_path, HTTP)["loadbalancing"]
    assert skips(t) == {}
