"""`replication:` -- a multi-region system's secondary starts with the primary's images and secret values.

Structure and wiring (no endpoint): the primary writes the registry's ECR replication configuration and gives
its secrets replica regions; the secondary creates neither repository nor secret and reads the replicas by
name, with pull and read permission on exactly those. Preflight and `secret set` on the local endpoint (moto
keeps regions apart and makes secret replicas; it copies no image -- tests/first_deploy.replicate_images does
ECR's part, driven by the configuration the stack wrote).
"""

from __future__ import annotations

import json

import boto3
import pytest

from templates_src.stacks.cluster import _common_start

from .first_deploy import push_image, replicate_images
from .helpers import assert_refused, build, has_resource, invoke, resources, write_params

PRIMARY, SECONDARY = "us-east-1", "us-west-2"
SYSTEM = {
    "regions": [PRIMARY, SECONDARY],
    "network": {"azs": 2, "nat": "none"},
    "secret_prefix": "shop/",
    "secrets": {"stripe": {"description": "Stripe key"}, "signing": {"generate": {"length": 40}}},
    "services": {
        "api": {
            "public_ip": True,
            "ecr": {"keep_images": 5},
            "containers": {
                "api": {
                    "tag": "v1",
                    "ports": [{"port": 8080}],
                    "secrets": {"STRIPE_KEY": {"secret": "stripe"}, "SIGNING_KEY": {"secret": "signing"}},
                }
            },
        },
        "worker": {"public_ip": True, "ecr": {}, "containers": {"worker": {"tag": "v1"}}},
    },
}
REPOS = ["shop-dev-api", "shop-dev-worker"]


def _build(tmp_path, overlay: dict | None = None) -> dict[str, dict]:
    write_params(tmp_path, "shop", SYSTEM, {"dev": overlay or {}})
    return build(tmp_path, "shop")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("params"))


def _execution_resources(template: dict, owner: str) -> list:
    role = template["Resources"][f"{owner}ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    return [r for s in role["Statement"] for r in s["Resource"]]


def test_primary_writes_the_registry_replication_rule_for_exactly_the_systems_repositories(built):
    rule = has_resource(built[f"{PRIMARY}/cluster"], "AWS::ECR::ReplicationConfiguration")
    [only] = rule["Properties"]["ReplicationConfiguration"]["Rules"]
    assert only["Destinations"] == [{"Region": SECONDARY, "RegistryId": {"Ref": "AWS::AccountId"}}]
    assert only["RepositoryFilters"] == [{"Filter": r, "FilterType": "PREFIX_MATCH"} for r in REPOS]
    assert len(resources(built[f"{PRIMARY}/service-api"], "AWS::ECR::Repository")) == 1
    # One per registry: the secondary writes none (it would replace the primary's rule in its own registry).
    assert not resources(built[f"{SECONDARY}/cluster"], "AWS::ECR::ReplicationConfiguration")


def test_secondary_pulls_the_replica_by_name_with_permission_on_exactly_it(built):
    svc = built[f"{SECONDARY}/service-api"]
    assert not resources(svc, "AWS::ECR::Repository")
    [task] = resources(svc, "AWS::ECS::TaskDefinition").values()
    image = task["Properties"]["ContainerDefinitions"][0]["Image"]
    assert image["Fn::Join"][1][0] == {
        "Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/shop-dev-api"
    }
    pulls = _execution_resources(svc, "Api")
    assert {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/shop-dev-api"} in pulls
    assert not any("shop-dev-worker" in json.dumps(r) for r in pulls)  # not the other service's


def test_primary_secrets_have_the_secondary_as_replica_region_and_the_secondary_creates_none(built):
    for logical in ("StripeSecret", "SigningSecret"):
        secret = built[f"{PRIMARY}/secrets"]["Resources"][logical]["Properties"]
        assert secret["ReplicaRegions"] == [{"Region": SECONDARY}]
    assert f"{SECONDARY}/secrets" not in built  # no secret of its own: the stack is not even there
    svc = built[f"{SECONDARY}/service-api"]
    [task] = resources(svc, "AWS::ECS::TaskDefinition").values()
    secrets = {s["Name"]: s["ValueFrom"] for s in task["Properties"]["ContainerDefinitions"][0]["Secrets"]}
    assert secrets["STRIPE_KEY"] == {
        "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:shop/stripe"
    }
    reads = _execution_resources(svc, "Api")
    for name in ("shop/stripe", "shop/signing"):  # exactly the replica, with its random suffix
        arn = f"arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{name}-??????"
        assert {"Fn::Sub": arn} in reads


def test_manifest_tells_deploy_which_repositories_and_secrets_are_replicas(tmp_path):
    import subprocess
    import sys

    from .helpers import PROJECT_ROOT

    write_params(tmp_path / "params", "shop", SYSTEM)
    env = {"STACKC_PARAMS_DIR": str(tmp_path / "params"), "STACKC_BUILD_DIR": str(tmp_path / "build")}
    subprocess.run(
        [sys.executable, "cli.py", "build", "-s", "shop", "-e", "dev"], cwd=PROJECT_ROOT, env=env, check=True
    )
    secondary = json.loads((tmp_path / "build/shop/dev" / SECONDARY / "manifest.json").read_text())
    assert secondary["replicas"] == {
        "repositories": {r: PRIMARY for r in REPOS},
        "secrets": {
            "signing": {"name": "shop/signing", "from": PRIMARY, "generated": True},
            "stripe": {"name": "shop/stripe", "from": PRIMARY},
        },
    }
    assert "replicas" not in json.loads((tmp_path / "build/shop/dev" / PRIMARY / "manifest.json").read_text())


def test_external_image_replication_writes_no_registry_configuration(tmp_path):
    t = _build(tmp_path, {"replication": {"images": "external"}})
    assert not resources(t[f"{PRIMARY}/cluster"], "AWS::ECR::ReplicationConfiguration")
    assert not resources(t[f"{SECONDARY}/service-api"], "AWS::ECR::Repository")  # still the replica


def test_per_region_keeps_repositories_and_secrets_in_every_region(tmp_path):
    t = _build(tmp_path, {"replication": {"images": "per-region", "secrets": "per-region"}})
    for region in (PRIMARY, SECONDARY):
        assert not resources(t[f"{region}/cluster"], "AWS::ECR::ReplicationConfiguration")
        assert resources(t[f"{region}/service-api"], "AWS::ECR::Repository")
        assert "ReplicaRegions" not in t[f"{region}/secrets"]["Resources"]["StripeSecret"]["Properties"]


def test_failover_primary_is_the_source_whatever_the_order_of_regions(tmp_path):
    system = {
        **SYSTEM,
        "regions": [SECONDARY, PRIMARY],
        "load_balancers": {"web": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]}},
        "failover": {
            "domain": "api.example.test",
            "hosted_zone_name": "example.test",
            "primary": PRIMARY,
            "health_check": {"protocol": "HTTP", "port": 80},
        },
    }
    write_params(tmp_path, "shop", system)
    t = build(tmp_path, "shop")
    assert resources(t[f"{PRIMARY}/cluster"], "AWS::ECR::ReplicationConfiguration")
    assert not resources(t[f"{SECONDARY}/service-api"], "AWS::ECR::Repository")


def test_many_repositories_share_one_filter_within_ecrs_limit():
    assert _common_start(["shop-dev-a1", "shop-dev-b", "shop-dev-a2"]) == "shop-dev-"


@pytest.mark.parametrize(
    "base, overlay, fragments",
    [
        (  # a replica is found by name: a CloudFormation-named secret cannot be
            {**SYSTEM, "secret_prefix": None},
            {},
            ["secrets.stripe", "needs a fixed name", "secret_prefix", "replication.secrets: per-region"],
        ),
        (
            {**SYSTEM, "regions": [PRIMARY]},
            {"replication": {"images": "external"}},
            ["replication", "applies to a system with several regions"],
        ),
        (SYSTEM, {"replication": {"images": "copy"}}, ["replication.images", "stack", "external", "per-region"]),
        (
            {**SYSTEM, "region_overrides": {SECONDARY: {"replication": {"secrets": "per-region"}}}},
            {},
            ["region_overrides.us-west-2.replication", "cannot differ between regions"],
        ),
    ],
)
def test_bad_replication_input_is_refused(tmp_path, monkeypatch, base, overlay, fragments):
    assert_refused(tmp_path, monkeypatch, {k: v for k, v in base.items() if v is not None}, overlay, fragments)


# ------------------------------------------------------------------------------ on the local endpoint


@pytest.fixture
def shop(tmp_path, monkeypatch, aws_env):
    params = tmp_path / "params"
    write_params(params, "shop", SYSTEM)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(params))
    return params


def _client(aws_env, service: str, region: str):
    return boto3.client(service, endpoint_url=aws_env.url, region_name=region)


def _preflight(aws_env) -> tuple[int, str]:
    result = invoke(aws_env, "preflight", "-s", "shop", "-e", "dev")
    return result.exit_code, result.output


@pytest.mark.emulator
def test_deploy_replicates_secrets_and_the_registry_rule_and_secret_set_writes_the_primary(aws_env, shop):
    """Proves: the primary's stack writes the registry's replication rule (DescribeRegistry); its secrets have
    replicas in the secondary (DescribeSecret: PrimaryRegion); the secondary created no repository and no
    secret; preflight of the secondary is satisfied by what reaches the primary (a push there, copied as
    ECR would; `secret set`, which writes the primary only) and names the primary when it is missing.
    Cannot show: ECR copying an image (moto does not replicate; replicate_images stands in, from the rule the
    stack wrote), the replica's KMS key, replication delay."""
    first = invoke(aws_env, "deploy", "-s", "shop", "-e", "dev", "--yes")
    assert first.exit_code == 4, first.output
    registry = _client(aws_env, "ecr", PRIMARY).describe_registry()["replicationConfiguration"]
    assert registry["rules"][0]["destinations"] == [{"region": SECONDARY, "registryId": "123456789012"}]
    assert {f["filter"] for f in registry["rules"][0]["repositoryFilters"]} == set(REPOS)
    assert not _client(aws_env, "ecr", SECONDARY).describe_repositories()["repositories"]
    replica = _client(aws_env, "secretsmanager", SECONDARY).describe_secret(SecretId="shop/stripe")
    assert replica["PrimaryRegion"] == PRIMARY
    names = {s["Name"] for s in _client(aws_env, "secretsmanager", SECONDARY).list_secrets()["SecretList"]}
    assert names == {"shop/stripe", "shop/signing"}  # the replicas only: no secret of the secondary's own

    # The secondary's preflight points at the primary: push there, set the secret there.
    _, lines = _preflight(aws_env)
    assert f"push it to {PRIMARY}" in lines and f"{PRIMARY}.amazonaws.com/shop-dev-api:v1" in lines
    assert (
        f"secret shop/stripe has no value in {PRIMARY}" in lines
        and "stackc secret set --system shop --env dev stripe" in lines
    )
    assert "shop/signing" not in lines  # generated in the primary: its replica has the value

    set_ = invoke(aws_env, "secret", "set", "-s", "shop", "-e", "dev", "stripe", "--from-env", "STRIPE_VALUE")
    assert set_.exit_code == 2  # no such variable yet: refused before anything is written
    import os

    os.environ["STRIPE_VALUE"] = "sk_test_1"
    try:
        set_ = invoke(aws_env, "secret", "set", "-s", "shop", "-e", "dev", "stripe", "--from-env", "STRIPE_VALUE")
    finally:
        del os.environ["STRIPE_VALUE"]
    assert set_.exit_code == 0, set_.output
    assert f"({SECONDARY}): a replica of {PRIMARY}'s shop/stripe" in set_.output
    assert "sk_test_1" not in set_.output
    value = _client(aws_env, "secretsmanager", SECONDARY).get_secret_value(SecretId="shop/stripe")["SecretString"]
    assert value == "sk_test_1"  # the replica has the primary's value

    for repo in REPOS:
        push_image(aws_env.url, PRIMARY, repo, "v1")
    _, lines = _preflight(aws_env)
    assert f"is in {PRIMARY} but not yet replicated to {SECONDARY}" in lines  # pushed, not copied yet
    assert sorted(replicate_images(aws_env.url, PRIMARY)) == [f"{SECONDARY}/{r}:v1" for r in REPOS]
    code, lines = _preflight(aws_env)
    assert code == 0, lines

    listed = invoke(aws_env, "secret", "list", "-s", "shop", "-e", "dev")
    assert f"replica of {PRIMARY}" in listed.output and "sk_test_1" not in listed.output
    again = invoke(aws_env, "deploy", "-s", "shop", "-e", "dev", "--yes")
    assert again.exit_code == 0, again.output


@pytest.mark.emulator
def test_preflight_refuses_to_replace_a_registry_configuration_it_does_not_own(aws_env, shop):
    ecr = _client(aws_env, "ecr", PRIMARY)
    other = {"rules": [{"destinations": [{"region": "eu-west-1", "registryId": "123456789012"}]}]}
    ecr.put_replication_configuration(replicationConfiguration=other)
    result = invoke(aws_env, "deploy", "-s", "shop", "-e", "dev", "--yes")
    assert result.exit_code == 1, result.output
    assert "already has a replication configuration (1 rule(s)) that this stack does not own" in result.output
    assert "images: external" in result.output
    assert ecr.describe_registry()["replicationConfiguration"] == other  # untouched


@pytest.mark.emulator
def test_preflight_refuses_a_replica_name_taken_by_a_secret_of_the_secondarys_own(aws_env, shop):
    _client(aws_env, "secretsmanager", SECONDARY).create_secret(Name="shop/stripe", SecretString="old")
    result = invoke(aws_env, "deploy", "-s", "shop", "-e", "dev", "--yes")
    assert result.exit_code == 1, result.output
    assert f"secret shop/stripe already exists in {SECONDARY} as a secret of its own" in result.output
    assert f"--region {SECONDARY}" in result.output  # the delete command, in that region


def test_review_warns_that_the_registry_configuration_is_replaced_or_emptied():
    from templates_src.deploy import review as rv

    for action in ("Add", "Modify"):
        risk, why = rv.classify(action, "AWS::ECR::ReplicationConfiguration", "False")
        assert risk == "warn" and "one per account and region" in why and "replaces whatever rules it had" in why
    risk, why = rv.classify("Remove", "AWS::ECR::ReplicationConfiguration")
    assert risk == "warn" and "emptied" in why
