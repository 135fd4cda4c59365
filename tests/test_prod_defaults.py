"""Secure prod defaults (README "Security"): what an env that is prod gets without asking, what a dev
env keeps, and how an opt-out fails lint until a waiver says why."""

from __future__ import annotations

import json

import pytest

from templates_src import compiler
from templates_src.config.load import Target, load
from templates_src.lint import lint_paths
from templates_src.parts.elb_logs import LOG_DELIVERY_SERVICE

from .helpers import build, has_resource, resources, write_params

SYSTEM = {
    "services": {
        "api": {
            "containers": {"api": {"image": "example/api", "tag": "1.0", "user": "1001", "ports": [{"port": 8080}]}},
            "sidecars": {"xray": {}},
            "exec": True,
        }
    },
    "load_balancers": {"web": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]}},
    "observability": {"alarm_emails": ["oncall@example.com"]},
}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    params = write_params(tmp_path_factory.mktemp("p"), "sys", SYSTEM, {"dev": {}, "prod": {}})
    return build(params, "sys", "dev"), build(params, "sys", "prod")


def test_an_env_named_prod_is_prod_unless_it_says_otherwise(tmp_path):
    params = write_params(tmp_path, "sys", SYSTEM, {"prod": {}, "production": {}, "prod-eu": {}, "dev": {}})
    assert [load(Target("sys", e, params)).config.prod for e in ("prod", "production", "prod-eu", "dev")] == [
        True,
        True,
        True,
        False,
    ]
    write_params(tmp_path, "sys", SYSTEM, {"prod": {"prod": False}, "staging": {"prod": True}})
    assert not load(Target("sys", "prod", tmp_path)).config.prod
    assert load(Target("sys", "staging", tmp_path)).config.prod


def test_only_prod_templates_carry_the_prod_mark(both):
    dev, prod = both
    assert all("stackc" not in (t.get("Metadata") or {}) for t in dev.values())
    assert all(t["Metadata"]["stackc"] == {"prod": True} for t in prod.values())


def test_flow_logs_in_prod(both):
    dev, prod = both
    has_resource(prod["network"], "AWS::EC2::FlowLog", {"ResourceId": {"Ref": "Vpc"}})
    assert not resources(dev["network"], "AWS::EC2::FlowLog")


def test_alb_access_logs_to_the_systems_bucket(both):
    dev, prod = both
    t = prod["loadbalancing"]
    lb = t["Resources"]["WebLoadBalancer"]
    attrs = {a["Key"]: a["Value"] for a in lb["Properties"]["LoadBalancerAttributes"]}
    assert attrs["access_logs.s3.enabled"] == "true"
    assert (
        attrs["access_logs.s3.bucket"] == {"Ref": "LoadBalancerLogsBucket"} and attrs["access_logs.s3.prefix"] == "web"
    )
    assert lb["DependsOn"] == ["LoadBalancerLogsBucketPolicy"]  # ELB checks it may write when logging starts
    bucket = t["Resources"]["LoadBalancerLogsBucket"]["Properties"]
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"  # the only encryption ELB log delivery supports
    }
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] > 0
    statements = {
        s["Sid"]: s for s in t["Resources"]["LoadBalancerLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    }
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statements["ElbLogDelivery"]["Principal"] == {
        "AWS": ["arn:aws:iam::127311923021:root"]
    }  # us-east-1's ELB account
    assert "LoadBalancerLogsBucket" not in dev["loadbalancing"]["Resources"]


def test_newer_regions_deliver_through_the_service_principal(tmp_path):
    params = write_params(tmp_path, "sys", {**SYSTEM, "regions": ["eu-central-2"]}, {"prod": {}})
    policy = build(params, "sys", "prod")["loadbalancing"]["Resources"]["LoadBalancerLogsBucketPolicy"]
    statement = policy["Properties"]["PolicyDocument"]["Statement"][1]
    assert statement["Principal"] == {"Service": [LOG_DELIVERY_SERVICE]}


def test_a_given_bucket_wins_and_false_turns_logs_off(tmp_path):
    lb = SYSTEM["load_balancers"]["web"]
    params = write_params(
        tmp_path,
        "sys",
        SYSTEM,
        {"prod": {"load_balancers": {"web": {**lb, "access_logs": {"bucket": "org-elb-logs", "prefix": "x"}}}}},
    )
    t = build(params, "sys", "prod")["loadbalancing"]
    assert "LoadBalancerLogsBucket" not in t["Resources"]
    assert {"Key": "access_logs.s3.bucket", "Value": "org-elb-logs"} in t["Resources"]["WebLoadBalancer"]["Properties"][
        "LoadBalancerAttributes"
    ]


def test_logs_and_topic_under_the_systems_key_in_prod(both):
    dev, prod = both
    key = has_resource(prod["keys"], "AWS::KMS::Key", {"EnableKeyRotation": True})
    sids = [s["Sid"] for s in key["Properties"]["KeyPolicy"]["Statement"]]
    assert {"CloudWatchLogs", "CloudWatchAlarms"} <= set(sids)
    assert all(
        g["Properties"]["KmsKeyId"] == {"Ref": "SystemKeyArn"}
        for g in resources(prod["service-api"], "AWS::Logs::LogGroup").values()
    )
    has_resource(prod["observability"], "AWS::SNS::Topic", {"KmsMasterKeyId": {"Ref": "SystemKeyArn"}})
    assert "keys" not in dev


def test_containers_read_only_non_root_sidecars_in_prod(both):
    dev, prod = both
    (task,) = resources(prod["service-api"], "AWS::ECS::TaskDefinition").values()
    by_name = {c["Name"]: c for c in task["Properties"]["ContainerDefinitions"]}
    assert by_name["api"]["ReadonlyRootFilesystem"] is True and by_name["api"]["User"] == "1001"
    assert by_name["xray"]["ReadonlyRootFilesystem"] is True and by_name["xray"]["User"] == "10001"
    assert not any("Privileged" in c for c in by_name.values())
    (dev_task,) = resources(dev["service-api"], "AWS::ECS::TaskDefinition").values()
    assert not any("ReadonlyRootFilesystem" in c for c in dev_task["Properties"]["ContainerDefinitions"])


def test_writable_paths_are_task_storage_volumes(tmp_path):
    system = json.loads(json.dumps(SYSTEM))
    system["services"]["api"]["containers"]["api"]["writable_paths"] = ["/tmp", "/var/cache/app"]
    t = build(write_params(tmp_path, "sys", system, {"prod": {}}), "sys", "prod")["service-api"]
    (task,) = resources(t, "AWS::ECS::TaskDefinition").values()
    assert task["Properties"]["Volumes"] == [{"Name": "api-writable-0"}, {"Name": "api-writable-1"}]
    api = task["Properties"]["ContainerDefinitions"][0]
    assert api["MountPoints"] == [
        {"SourceVolume": "api-writable-0", "ContainerPath": "/tmp", "ReadOnly": False},
        {"SourceVolume": "api-writable-1", "ContainerPath": "/var/cache/app", "ReadOnly": False},
    ]


def test_task_egress_narrowed_in_prod(both):
    dev, prod = both
    sg = prod["service-api"]["Resources"]["ApiSecurityGroup"]["Properties"]
    assert [(r["IpProtocol"], r["FromPort"]) for r in sg["SecurityGroupEgress"]] == [("tcp", 443)]
    assert "SecurityGroupEgress" not in dev["service-api"]["Resources"]["ApiSecurityGroup"]["Properties"]


def test_exec_sessions_encrypted_with_the_systems_key_in_prod(both):
    _, prod = both
    cluster = has_resource(prod["cluster"], "AWS::ECS::Cluster")
    config = cluster["Properties"]["Configuration"]["ExecuteCommandConfiguration"]
    assert config["KmsKeyId"] == {"Ref": "SystemKeyArn"} and config["Logging"] == "OVERRIDE"
    task_role = prod["service-api"]["Resources"]["ApiTaskRole"]
    assert '"kms:Decrypt"' in json.dumps(task_role)  # the agent opens the session's data key


def test_nlb_tls_listener_with_the_certificate(tmp_path):
    system = {
        "services": {"api": {"containers": {"api": {"image": "example/api", "tag": "1", "ports": [{"port": 4100}]}}}},
        "load_balancers": {
            "api": {
                "type": "network",
                "certificate": {
                    "arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
                },
                "listeners": [{"port": 443, "protocol": "TLS", "service": "api"}],
            }
        },
    }
    out = build(write_params(tmp_path, "sys", system), "sys", "dev")
    listener = has_resource(
        out["service-api"], "AWS::ElasticLoadBalancingV2::Listener", {"Protocol": "TLS", "Port": 443}
    )
    assert listener["Properties"]["Certificates"] == [{"CertificateArn": {"Ref": "ApiCertificateArn"}}]
    assert listener["Properties"]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")


# -- a weaker prod fails lint until a waiver says why -------------------------------------------------

WEAK = {
    "network": {"flow_logs": {"enabled": False}},
    "observability": {"key": False, "alarm_emails": ["oncall@example.com"]},
    "load_balancers": {"web": {**SYSTEM["load_balancers"]["web"], "access_logs": False}},
}


def lint_env(params, env: str) -> list[str]:
    compiled = compiler.compile_target(Target("sys", env, params))
    out = params.parent / "build"
    compiler.write(compiled, out)
    return sorted(
        {f.rule for f in lint_paths([out / f"{n}.json" for n in compiled.templates]) if f.rule.startswith("E91")}
    )


def test_opting_out_in_prod_fails_lint_until_waived(tmp_path):
    params = write_params(tmp_path / "params", "sys", SYSTEM, {"prod": WEAK})
    assert lint_env(params, "prod") == ["E9100", "E9101", "E9105", "E9106", "E9109", "E9110"]
    reason = "Accepted for this test system by its owners, who were told the risk."
    waivers = [
        {"id": r, "resource": "*", "reason": reason} for r in ("E9100", "E9101", "E9105", "E9106", "E9109", "E9110")
    ]
    write_params(tmp_path / "params", "sys", SYSTEM, {"prod": {**WEAK, "waivers": waivers}})
    assert lint_env(params, "prod") == []


def test_postgres_enforces_tls_and_exports_logs_in_prod(tmp_path):
    data = {"db": {"kind": "rds-postgres"}, "au": {"kind": "aurora-postgres"}}
    params = write_params(tmp_path, "sys", {"data": data}, {"dev": {}, "prod": {}})
    prod = build(params, "sys", "prod")["data"]
    has_resource(prod, "AWS::RDS::DBParameterGroup", {"Family": "postgres17", "Parameters": {"rds.force_ssl": "1"}})
    has_resource(
        prod,
        "AWS::RDS::DBClusterParameterGroup",
        {"Family": "aurora-postgresql17", "Parameters": {"rds.force_ssl": "1"}},
    )
    has_resource(
        prod,
        "AWS::RDS::DBInstance",
        {"DBParameterGroupName": {"Ref": "DbParameterGroup"}, "EnableCloudwatchLogsExports": ["postgresql", "upgrade"]},
    )
    has_resource(
        prod,
        "AWS::RDS::DBCluster",
        {
            "DBClusterParameterGroupName": {"Ref": "AuClusterParameterGroup"},
            "EnableCloudwatchLogsExports": ["postgresql"],
        },
    )
    dev = build(params, "sys", "dev")["data"]
    assert not resources(dev, "AWS::RDS::DBParameterGroup") and "EnableCloudwatchLogsExports" not in json.dumps(dev)


def test_internet_facing_albs_get_the_web_acl_in_prod(both):
    dev, prod = both
    acl = has_resource(prod["loadbalancing"], "AWS::WAFv2::WebACL", {"Scope": "REGIONAL"})
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    assert set(rules) == {
        "RateLimitPerIp",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    assert rules["RateLimitPerIp"]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    has_resource(
        prod["loadbalancing"],
        "AWS::WAFv2::WebACLAssociation",
        {"ResourceArn": {"Ref": "WebLoadBalancer"}, "WebACLArn": {"Fn::GetAtt": ["WebAcl", "Arn"]}},
    )
    assert not resources(dev["loadbalancing"], "AWS::WAFv2::WebACL")


def test_endpoints_admit_only_the_account_in_prod(both):
    dev, prod = both
    endpoints = resources(prod["network"], "AWS::EC2::VPCEndpoint")
    assert endpoints and all(
        e["Properties"]["PolicyDocument"]["Statement"][0]["Condition"]
        == {"StringEquals": {"aws:PrincipalAccount": {"Ref": "AWS::AccountId"}}}
        for e in endpoints.values()
    )
    assert not any(
        "PolicyDocument" in e["Properties"] for e in resources(dev["network"], "AWS::EC2::VPCEndpoint").values()
    )


def test_alarm_key_grant_names_the_account_and_its_alarms(both):
    _, prod = both
    key = has_resource(prod["keys"], "AWS::KMS::Key")
    (alarms,) = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if s["Sid"] == "CloudWatchAlarms"]
    assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Fn::Sub": "${AWS::AccountId}"}}
    assert "alarm:*" in json.dumps(alarms["Condition"]["ArnLike"])


def test_generated_db_credentials_rotate_in_prod_where_the_app_reads_them(tmp_path):
    """credentials: app -> a hosted-rotation schedule in prod (with the transform it needs, a function security
    group the database admits); credentials: container -> none (E9117 until waived); dev -> none."""
    data = {"db": {"kind": "rds-postgres", "credentials": "app"}, "au": {"kind": "aurora-postgres"}}
    params = write_params(tmp_path, "sys", {"data": data}, {"dev": {}, "prod": {}})
    prod = build(params, "sys", "prod")["data"]
    assert prod["Transform"] == "AWS::SecretsManager-2024-09-16"
    [schedule] = resources(prod, "AWS::SecretsManager::RotationSchedule").values()
    assert schedule["DependsOn"] == ["DbSecretAttachment"]  # the function reads host and port from the secret
    props = schedule["Properties"]
    assert props["SecretId"] == {"Ref": "DbSecret"}
    assert props["RotationRules"] == {"AutomaticallyAfterDays": 30}
    assert props["HostedRotationLambda"]["RotationType"] == "PostgreSQLSingleUser"
    assert props["HostedRotationLambda"]["VpcSecurityGroupIds"] == {
        "Fn::GetAtt": ["DbRotationSecurityGroup", "GroupId"]
    }
    has_resource(
        prod,
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": {"Fn::GetAtt": ["DbSecurityGroup", "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": ["DbRotationSecurityGroup", "GroupId"]},
            "FromPort": 5432,
        },
    )
    dev = build(params, "sys", "dev")["data"]
    assert "Transform" not in dev and not resources(dev, "AWS::SecretsManager::RotationSchedule")

    out = tmp_path / "build"
    compiler.write(compiler.compile_target(Target("sys", "prod", params)), out)
    found = {(f.rule, f.path) for f in lint_paths(sorted(out.glob("*.json"))) if f.rule == "E9117"}
    assert found == {("E9117", "Resources/AuSecret")}  # the container-injected credentials, not the app-read ones


def test_serverless_cache_users_in_prod_and_e9118_without(tmp_path):
    base = {
        "data": {"cache": {"kind": "valkey-serverless"}},
        "services": {"api": {"uses": ["cache"], "containers": {"api": {"image": "example/api", "tag": "1.0"}}}},
    }
    params = write_params(
        tmp_path, "sys", base, {"dev": {}, "prod": {}, "prod-open": {"data": {"cache": {"auth": False}}}}
    )
    prod = build(params, "sys", "prod")
    cache = has_resource(prod["data"], "AWS::ElastiCache::ServerlessCache", {"UserGroupId": {"Ref": "CacheUserGroup"}})
    assert cache
    has_resource(
        prod["data"], "AWS::ElastiCache::UserGroup", {"UserIds": [{"Ref": "CacheDefaultUser"}, {"Ref": "CacheAppUser"}]}
    )
    has_resource(prod["data"], "AWS::ElastiCache::User", {"UserName": "default", "AccessString": "off -@all"})
    secrets = has_resource(prod["service-api"], "AWS::ECS::TaskDefinition")["Properties"]["ContainerDefinitions"][0][
        "Secrets"
    ]
    assert {s["Name"] for s in secrets} == {"CACHE_USERNAME", "CACHE_PASSWORD"}
    dev = build(params, "sys", "dev")
    assert not resources(dev["data"], "AWS::ElastiCache::User")
    assert "Secrets" not in json.dumps(dev["service-api"]["Resources"]["ApiTaskDefinition"])

    out = tmp_path / "open"
    compiler.write(compiler.compile_target(Target("sys", "prod-open", params)), out)
    assert [f.path for f in lint_paths(sorted(out.glob("*.json"))) if f.rule == "E9118"] == ["Resources/CacheCache"]


def test_the_web_acl_builder_serves_cloudfront_too():
    """parts/waf.web_acl is reused for a distribution (issue 15): the same rules, CLOUDFRONT scope."""
    from troposphere import Template

    from templates_src.parts import waf

    t = Template()
    arn = waf.web_acl(t, "sys", "prod", scope="CLOUDFRONT")
    acl = t.to_dict()["Resources"][waf.EDGE_ACL]["Properties"]
    assert acl["Scope"] == "CLOUDFRONT" and acl["Description"].endswith("in front of the distribution")
    assert [r["Name"] for r in acl["Rules"]] == ["RateLimitPerIp", *waf.MANAGED]
    assert arn.to_dict() == {"Fn::GetAtt": [waf.EDGE_ACL, "Arn"]}
    # Beside the load balancers' REGIONAL one in the same stack (prod in us-east-1): two ACLs, not one reused.
    waf.web_acl(t, "sys", "prod")
    assert {r["Properties"]["Scope"] for r in t.to_dict()["Resources"].values()} == {"CLOUDFRONT", "REGIONAL"}


def test_secrets_take_the_systems_key_in_prod(tmp_path):
    base = {
        "secrets": {"api-key": {"description": "an API key"}},
        "services": {
            "api": {
                "containers": {
                    "api": {"image": "example/api", "tag": "1.0", "secrets": {"API_KEY": {"secret": "api-key"}}}
                }
            }
        },
    }
    params = write_params(tmp_path, "sys", base, {"dev": {}, "prod": {}})
    prod = build(params, "sys", "prod")
    has_resource(prod["secrets"], "AWS::SecretsManager::Secret", {"KmsKeyId": {"Ref": "SystemKeyArn"}})
    statements = [
        st
        for p in prod["service-api"]["Resources"]["ApiExecutionRole"]["Properties"]["Policies"]
        for st in p["PolicyDocument"]["Statement"]
    ]
    assert {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [{"Ref": "SystemKeyArn"}]} in statements
    dev = build(params, "sys", "dev")
    assert "KmsKeyId" not in json.dumps(dev["secrets"])


def test_a_stores_generated_secret_takes_the_systems_key_in_prod_its_storage_does_not(tmp_path):
    """The secret's key changes in place; the database's storage key would replace it, so it stays as given."""
    data = {"db": {"kind": "rds-postgres", "credentials": "app"}}
    base = {"data": data, "services": {"api": {"uses": ["db"], "containers": {"api": {"image": "x/api", "tag": "1"}}}}}
    params = write_params(tmp_path, "sys", base, {"dev": {}, "prod": {}})
    prod = build(params, "sys", "prod")
    has_resource(prod["data"], "AWS::SecretsManager::Secret", {"KmsKeyId": {"Ref": "SystemKeyArn"}})
    instance = has_resource(prod["data"], "AWS::RDS::DBInstance")
    assert "KmsKeyId" not in instance["Properties"]
    rotation = has_resource(prod["data"], "AWS::SecretsManager::RotationSchedule")["Properties"]
    assert rotation["HostedRotationLambda"]["KmsKeyArn"] == {"Ref": "SystemKeyArn"}
    task_role = prod["service-api"]["Resources"]["ApiTaskRole"]["Properties"]["Policies"]
    assert {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [{"Ref": "SystemKeyArn"}]} in [
        st for p in task_role for st in p["PolicyDocument"]["Statement"]
    ]
    assert "KmsKeyId" not in json.dumps(build(params, "sys", "dev")["data"])
