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


# -- the review says how an update will run (deploy/review.py, from the built template) ----------------------


def test_each_strategy_is_described_and_rolling_says_nothing(built):
    from templates_src.deploy import review as rv

    canary = rv.describe_strategy(_service(built["service-api"])["DeploymentConfiguration"])
    assert canary.startswith("canary: 5% of traffic to the new tasks for ") and "then the rest" in canary
    blue_green = rv.describe_strategy(_service(built["service-admin"])["DeploymentConfiguration"])
    assert blue_green.startswith("blue/green:") and "all traffic moves at once" in blue_green
    assert "min after the shift, to roll back to" in blue_green
    linear = rv.describe_strategy(_service(built["service-docs"])["DeploymentConfiguration"])
    assert linear.startswith("linear: 20% more traffic every ")
    assert rv.describe_strategy(_service(built["service-plain"])["DeploymentConfiguration"]) == ""
    assert rv.describe_strategy(None) == ""


def _change(logical_id: str, rtype: str, action: str = "Modify", **extra) -> dict:
    return {
        "Type": "Resource",
        "ResourceChange": {"Action": action, "LogicalResourceId": logical_id, "ResourceType": rtype, **extra},
    }


def test_the_review_says_which_service_updates_run_as_canary_and_which_roll(built):
    """A realistic image-tag update (root + nested change sets, validated against botocore's shape): the
    canary service's Modify carries how it runs, in the tree, a section of its own, markdown and json; the
    rolling service's does not."""
    from templates_src.deploy import review as rv

    from .aws_shapes import validate

    nested = "arn:aws:cloudformation:us-east-1:111122223333:changeSet/stackc-1-ServiceApiStack/aa"
    plain = "arn:aws:cloudformation:us-east-1:111122223333:changeSet/stackc-1-ServicePlainStack/bb"
    root = {
        "ChangeSetId": "arn:aws:cloudformation:us-east-1:111122223333:changeSet/stackc-1/cc",
        "StackName": "shop-dev",
        "Status": "CREATE_COMPLETE",
        "ExecutionStatus": "AVAILABLE",
        "Changes": [
            _change("ServiceApiStack", "AWS::CloudFormation::Stack", Replacement="False", ChangeSetId=nested),
            _change("ServicePlainStack", "AWS::CloudFormation::Stack", Replacement="False", ChangeSetId=plain),
        ],
    }
    children = [
        {
            "ChangeSetId": cs,
            "StackName": f"shop-dev-{owner}Stack",
            "Status": "CREATE_COMPLETE",
            "ExecutionStatus": "AVAILABLE",
            "Changes": [
                _change(f"{owner}TaskDefinition", "AWS::ECS::TaskDefinition", Replacement="True"),
                _change(f"{owner}Service", "AWS::ECS::Service", Replacement="False"),
            ],
        }
        for cs, owner in ((nested, "Api"), (plain, "Plain"))
    ]
    for response in [root, *children]:
        validate("DescribeChangeSet", response)
    review = rv.build_review([root, *children])
    strategies = {
        "shop-dev/ServiceApiStack/ApiService": rv.describe_strategy(
            _service(built["service-api"])["DeploymentConfiguration"]
        ),
        "shop-dev/ServicePlainStack/PlainService": "",
    }
    review = rv.annotate_deployments(review, strategies)
    text = rv.render_text(review)
    assert "Deployments (a new task definition or image starts one):" in text
    assert "  shop-dev/ServiceApiStack/ApiService: canary: 5% of traffic" in text
    assert "deployment: canary: 5%" in text  # under the service's line in the tree
    assert "PlainService: " not in text.split("Deployments", 1)[1].split("\n\n", 1)[0]
    by_path = {c["stack"] + "/" + c["logical_id"]: c for c in rv.to_json(review)["changes"]}
    assert by_path["shop-dev/ServiceApiStack/ApiService"]["deployment"].startswith("canary:")
    assert by_path["shop-dev/ServicePlainStack/PlainService"]["deployment"] == ""
    assert "**Deployments**" in rv.render_markdown(
        review
    ) and "- shop-dev/ServiceApiStack/ApiService: canary" in rv.render_markdown(review)
    # Only an update runs as a deployment: the first create of the service does not.
    created = rv.annotate_deployments(
        rv.build_review([{**children[0], "Changes": [_change("ApiService", "AWS::ECS::Service", action="Add")]}]),
        {"shop-dev-ApiStack/ApiService": "canary: ..."},
    )
    assert not rv.deployment_lines(created)


@pytest.mark.emulator
def test_plan_on_the_local_endpoint_says_the_image_update_runs_as_a_canary(aws_env, tmp_path, monkeypatch):
    """Proves: after a deploy, `plan` of an image-tag change names the canary service's strategy, from the built
    template, and says nothing for the rolling one; json carries it. The local endpoint lists the root's
    changes only, so it is said on the service's nested stack. Cannot show: ECS shifting traffic (moto runs
    no deployment) or the nested service change AWS lists (tested on botocore-shaped responses above)."""
    import json

    from .helpers import invoke

    system = {
        "network": {"azs": 2, "nat": "none"},
        "services": {
            "api": {"public_ip": True, "containers": {"api": WEB}, "deployment": {"strategy": "canary"}},
            "plain": {"public_ip": True, "containers": {"plain": WEB}},
        },
        "load_balancers": {
            "web": {
                "listeners": [
                    {
                        "port": 80,
                        "protocol": "HTTP",
                        "service": "api",
                        "rules": [{"priority": 10, "service": "plain", "paths": ["/plain/*"]}],
                    }
                ]
            }
        },
        "waivers": [
            {"id": "E9003", "resource": "service-*/*Service", "reason": "No NAT in this test: public task IPs."}
        ],
    }
    write_params(tmp_path / "params", "shop", system)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    first = invoke(aws_env, "deploy", "-s", "shop", "-e", "dev", "--yes")
    assert first.exit_code == 0, first.output
    changed = ["-p", "ApiImageTag=1.28", "-p", "PlainImageTag=1.28"]
    plan = invoke(aws_env, "plan", "-s", "shop", "-e", "dev", *changed, "--cleanup")
    assert plan.exit_code == 0, plan.output
    assert "Deployments (a new task definition or image starts one):" in plan.output
    assert "shop-dev/ServiceApiStack: ApiService: canary: 10% of traffic to the new tasks" in plan.output
    assert "ServicePlainStack:" not in plan.output.split("Deployments", 1)[1].split("\n\n", 1)[0]
    as_json = invoke(aws_env, "plan", "-s", "shop", "-e", "dev", *changed, "--cleanup", "--format", "json")
    data, _ = json.JSONDecoder().raw_decode(as_json.output[as_json.output.index("{") :])  # then stderr's lines
    changes = {c["logical_id"]: c for s in data.get("stacks", [data]) for c in s["changes"]}
    assert changes["ServiceApiStack"]["deployment"].startswith("ApiService: canary")
    assert changes["ServicePlainStack"]["deployment"] == ""
