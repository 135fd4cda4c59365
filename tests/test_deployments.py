"""ECS's own blue/green, canary and linear deployments: the alternate target group, the re-weighted rules, the role."""

from __future__ import annotations

import pytest

from .helpers import assert_refused, build, resources, write_params

WEB = {"image": "public.ecr.aws/nginx/nginx:1.27", "ports": [{"port": 80}]}
SYSTEM = {
    "services": {
        "api": {"containers": {"api": WEB}, "deployment": {"strategy": "canary", "canary_percent": 5}},
        "admin": {"containers": {"admin": WEB}, "deployment": {"strategy": "blue_green", "test_header": None}},
        "docs": {"containers": {"docs": WEB}, "deployment": {"strategy": "linear", "step_percent": 20}},
        "plain": {"containers": {"plain": WEB}},
    },
    "load_balancers": {
        "web": {
            "listeners": [
                {
                    "port": 80,
                    "protocol": "HTTP",
                    "service": "api",
                    "rules": [
                        {"priority": 10, "service": "admin", "paths": ["/admin/*"]},
                        {"priority": 20, "service": "docs", "paths": ["/docs/*"]},
                        {"priority": 30, "service": "plain", "paths": ["/plain/*"]},
                    ],
                }
            ]
        }
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    write_params(root, "shop", SYSTEM)
    return build(root, "shop")


def _service(template: dict) -> dict:
    return next(iter(resources(template, "AWS::ECS::Service").values()))["Properties"]


def test_rolling_stays_the_default_and_adds_nothing(built):
    plain = built["service-plain"]
    props = _service(plain)
    assert "Strategy" not in props["DeploymentConfiguration"]
    assert "AdvancedConfiguration" not in props["LoadBalancers"][0]
    assert len(resources(plain, "AWS::ElasticLoadBalancingV2::TargetGroup")) == 1
    rule = plain["Resources"]["WebHttpRule30"]["Properties"]
    assert rule["Actions"] == [{"TargetGroupArn": {"Ref": "PlainTargetGroup"}, "Type": "forward"}]


def test_canary_has_an_alternate_group_weighted_rules_and_the_ecs_role(built):
    api = built["service-api"]
    props = _service(api)
    assert props["DeploymentConfiguration"]["Strategy"] == "CANARY"
    assert props["DeploymentConfiguration"]["BakeTimeInMinutes"] == 10
    assert props["DeploymentConfiguration"]["CanaryConfiguration"] == {
        "CanaryBakeTimeInMinutes": 5,
        "CanaryPercent": 5.0,
    }
    advanced = props["LoadBalancers"][0]["AdvancedConfiguration"]
    assert advanced == {
        "AlternateTargetGroupArn": {"Ref": "ApiAlternateTargetGroup"},
        "ProductionListenerRule": {"Ref": "WebHttpRuleDefault"},
        "RoleArn": {"Fn::GetAtt": ["ApiDeploymentRole", "Arn"]},
        "TestListenerRule": {"Ref": "WebHttpTestRuleDefault"},
    }
    production = api["Resources"]["WebHttpRuleDefault"]["Properties"]
    assert production["Actions"][0]["ForwardConfig"]["TargetGroups"] == [
        {"TargetGroupArn": {"Ref": "ApiTargetGroup"}, "Weight": 100},
        {"TargetGroupArn": {"Ref": "ApiAlternateTargetGroup"}, "Weight": 0},
    ]
    test = api["Resources"]["WebHttpTestRuleDefault"]["Properties"]
    assert test["Priority"] == 49999  # just before the catch-all it tests
    assert {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "x-stackc-test", "Values": ["*"]}} in test[
        "Conditions"
    ]
    role = api["Resources"]["ApiDeploymentRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["ecs.amazonaws.com"]}
    assert role["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"}
    ]
    # Both target groups check health the same way.
    groups = resources(api, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert groups["ApiTargetGroup"]["Properties"] == groups["ApiAlternateTargetGroup"]["Properties"]


def test_blue_green_without_a_test_rule_and_linear_steps(built):
    admin = _service(built["service-admin"])
    assert admin["DeploymentConfiguration"]["Strategy"] == "BLUE_GREEN"
    assert "TestListenerRule" not in admin["LoadBalancers"][0]["AdvancedConfiguration"]
    assert not [lid for lid in built["service-admin"]["Resources"] if "TestRule" in lid]
    docs = built["service-docs"]
    assert _service(docs)["DeploymentConfiguration"]["LinearConfiguration"] == {
        "StepBakeTimeInMinutes": 5,
        "StepPercent": 20.0,
    }
    assert docs["Resources"]["WebHttpTestRule20"]["Properties"]["Priority"] == 19  # the rule's priority - 1


BAD = [
    (
        "no-load-balancer",
        {"services": {"lone": {"containers": {"lone": WEB}, "deployment": {"strategy": "blue_green"}}}},
        ["services.lone.deployment.strategy:", "needs a load balancer"],
    ),
    (
        "network-load-balancer",
        {
            "services": {"tcp": {"containers": {"tcp": WEB}, "deployment": {"strategy": "blue_green"}}},
            "load_balancers": {
                "nlb": {"type": "network", "listeners": [{"port": 80, "protocol": "TCP", "service": "tcp"}]}
            },
        },
        ["services.tcp.deployment.strategy:", "needs an application load balancer"],
    ),
    (
        "two-rules",
        {
            "load_balancers": {
                "web": {
                    "listeners": [
                        {
                            "port": 80,
                            "protocol": "HTTP",
                            "service": "api",
                            "rules": [
                                {"priority": 10, "service": "admin", "paths": ["/admin/*"]},
                                {"priority": 11, "service": "admin", "paths": ["/admin2/*"]},
                                {"priority": 20, "service": "docs", "paths": ["/docs/*"]},
                                {"priority": 30, "service": "plain", "paths": ["/plain/*"]},
                            ],
                        }
                    ]
                }
            }
        },
        ["services.admin.deployment.strategy:", "one listener rule; 2 rules of 'web' forward to 'admin'"],
    ),
    (
        "test-priority-taken",
        {
            "load_balancers": {
                "web": {
                    "listeners": [
                        {
                            "port": 80,
                            "protocol": "HTTP",
                            "service": "api",
                            "rules": [
                                {"priority": 10, "service": "admin", "paths": ["/admin/*"]},
                                {"priority": 19, "service": "plain", "paths": ["/plain/*"]},
                                {"priority": 20, "service": "docs", "paths": ["/docs/*"]},
                            ],
                        }
                    ]
                }
            }
        },
        ["services.docs.deployment.test_header:", "priority 19"],
    ),
    (
        "canary-setting-on-linear",
        {"services": {"docs": {"deployment": {"canary_percent": 10}}}},
        ["services.docs.deployment.canary_percent:", "applies to strategy canary only"],
    ),
    (
        "unknown-strategy",
        {"services": {"api": {"deployment": {"strategy": "rainbow"}}}},
        ["services.api.deployment.strategy:"],
    ),
]


@pytest.mark.parametrize("overlay, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input(tmp_path, monkeypatch, overlay, fragments):
    assert_refused(tmp_path / "params", monkeypatch, SYSTEM, overlay, fragments)
