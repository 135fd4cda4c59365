"""A first deploy on the local endpoint (moto's server on 127.0.0.1, real boto3 over HTTP).

The system is written by the test: service `api` pulls from its own ECR repository (created by the deploy)
and reads an SSM parameter the operator creates; service `web` pulls an external image. What it proves:
preflight names what is missing (exit 4) with the commands that supply it; the first deploy creates
everything with `api` held at zero tasks and `web` running; once the image is put through the ECR API
and the parameter exists, the next deploy brings `api` to its configured count (exit 0); a running
service whose image goes missing is never held (nothing is executed); destroy lists what it retained
with the command to delete each, `destroy --purge` deletes it and a new first deploy works; a region
other than the system's is refused before anything is created.
What it does not prove: moto's CloudFormation creates no AWS::SecretsManager::Secret (the emulator
issue adds providers), so secrets of `secrets:` are covered on fixtures (tests/test_preflight.py) and
by `secret set` where the emulator creates them; moto creates no scalable target, so the scaling path
(MinCapacity/MaxCapacity held at 0) is checked by evaluating the built templates (test_preflight.py).
"""

from __future__ import annotations

import json

import boto3
import pytest
from click.testing import CliRunner

from cli import cli

from .helpers import write_params

pytestmark = pytest.mark.emulator

REPO = "firstapp-dev-api"
PARAMETER = "/firstapp/dev/database-url"
SYSTEM = {
    "regions": ["us-east-1"],
    "network": {"cidr": "10.30.0.0/16", "azs": 2, "nat": "none", "flow_logs": {"enabled": False}},
    "cluster": {"container_insights": "disabled"},
    "services": {
        "api": {
            "public_ip": True,
            "desired_count": 2,
            "ecr": {"keep_images": 5},
            "containers": {
                "api": {
                    "tag": "1.0.0",
                    "ports": [{"port": 8080}],
                    "secrets": {"DATABASE_URL": {"ssm": PARAMETER}},
                }
            },
            "target": {"health_check": {"path": "/health"}},
        },
        "web": {
            "public_ip": True,
            "desired_count": 1,
            "containers": {"web": {"image": "public.ecr.aws/nginx/nginx", "tag": "1.27", "ports": [{"port": 80}]}},
        },
    },
    "load_balancers": {"web": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]}},
}
SELECT = ("-s", "firstapp", "-e", "dev")


@pytest.fixture
def params(tmp_path, monkeypatch, aws_env):
    root = tmp_path / "params"
    write_params(root, "firstapp", SYSTEM, {"dev": {}})
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(root))
    return root


def run(aws_env, *args, code=0):
    result = CliRunner().invoke(cli, [*args, "--endpoint-url", aws_env.url])
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == code, result.output
    return result


def client(aws_env, service, region="us-east-1"):
    return boto3.client(service, endpoint_url=aws_env.url, region_name=region)


def desired_counts(aws_env) -> dict[str, int]:
    ecs = client(aws_env, "ecs")
    out = {}
    for cluster in ecs.list_clusters()["clusterArns"]:
        arns = ecs.list_services(cluster=cluster)["serviceArns"]
        for s in ecs.describe_services(cluster=cluster, services=arns)["services"] if arns else []:
            out["api" if "ApiService" in s["serviceName"] else "web"] = s["desiredCount"]
    return out


def push_image(aws_env, tag="1.0.0"):
    """An image put through the ECR API, as `docker push` would leave it."""
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 2,
            "digest": "sha256:" + "a" * 64,
        },
        "layers": [],
    }
    client(aws_env, "ecr").put_image(repositoryName=REPO, imageManifest=json.dumps(manifest), imageTag=tag)


def live_stacks(aws_env, region="us-east-1"):
    stacks = client(aws_env, "cloudformation", region).describe_stacks()["Stacks"]
    return {s["StackName"]: s for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"}


def test_first_deploy_holds_what_is_missing_then_starts_it(aws_env, params):
    uri = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{REPO}"

    # Preflight on an empty account: the image and the parameter are missing; the external image is assumed.
    pre = run(aws_env, "preflight", *SELECT, code=4)
    assert "Preflight of firstapp-dev: account 123456789012, region us-east-1: 0 blocking, 2 missing" in pre.stdout
    assert f"image {uri}:1.0.0 is not pushed (the repository is created by this deploy)" in pre.stdout
    assert f"SSM parameter {PARAMETER} does not exist" in pre.stdout
    assert "public.ecr.aws/nginx/nginx:1.27 is in an external registry; assumed" in pre.stdout
    assert not live_stacks(aws_env)  # read-only

    # First deploy: everything is created, api at zero tasks, web running; exit 4 with what to do.
    first = run(aws_env, "deploy", *SELECT, "--yes", code=4)
    assert "firstapp-dev: account 123456789012, region us-east-1" in first.stdout
    assert "ApiDesiredCount  (new) -> 0" in first.stdout
    assert "firstapp-dev: CREATE_COMPLETE" in first.stdout
    assert "Inputs missing: these services were created (or kept) at zero tasks" in first.stdout
    login = (
        "aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin "
        "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    )
    assert login in first.stdout and f"docker push {uri}:1.0.0" in first.stdout
    assert f"aws ssm put-parameter --region us-east-1 --type SecureString --name {PARAMETER}" in first.stdout
    assert desired_counts(aws_env) == {"api": 0, "web": 1}
    assert client(aws_env, "ecr").describe_repositories(repositoryNames=[REPO])["repositories"]

    # Nothing supplied yet: the next deploy changes nothing and still says what is missing.
    again = run(aws_env, "deploy", *SELECT, "--yes", code=4)
    assert "No changes" in again.stdout and f"docker push {uri}:1.0.0" in again.stdout

    # The operator supplies both; the next deploy starts api at its configured count.
    push_image(aws_env)
    client(aws_env, "ssm").put_parameter(Name=PARAMETER, Type="SecureString", Value="postgres://db/app")
    assert "ok" in run(aws_env, "preflight", *SELECT).stdout
    second = run(aws_env, "deploy", *SELECT, "--yes")
    assert "ApiDesiredCount  0 -> 2" in second.stdout and "UPDATE_COMPLETE" in second.stdout
    assert desired_counts(aws_env) == {"api": 2, "web": 1}

    # A running service is never held: a tag that was not pushed stops the deploy before any change set.
    root = params / "firstapp" / "_base.yaml"
    root.write_text(root.read_text().replace("tag: 1.0.0", "tag: 1.0.1"))
    refused = run(aws_env, "deploy", *SELECT, "--yes", code=4)
    assert "inputs missing (nothing was deployed)" in refused.output
    assert "is running: holding it at zero would stop it" in refused.output
    assert f"docker push {uri}:1.0.1" in refused.output
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in live_stacks(aws_env)["firstapp-dev"]["Parameters"]}
    assert parameters["ApiImageTag"] == "1.0.0" and parameters["ApiDesiredCount"] == "2"


def supply_and_deploy(aws_env, code=0):
    """First deploy (api held), push the image and create the parameter, deploy again."""
    run(aws_env, "deploy", *SELECT, "--yes", code=4)
    push_image(aws_env)
    ssm = client(aws_env, "ssm")
    if not ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [PARAMETER]}])["Parameters"]:
        ssm.put_parameter(Name=PARAMETER, Type="SecureString", Value="postgres://db/app")
    return run(aws_env, "deploy", *SELECT, "--yes", code=code)


def test_destroy_lists_leftovers_purge_deletes_them_and_deploy_works_again(aws_env, params):
    ecr = client(aws_env, "ecr")
    supply_and_deploy(aws_env)

    # destroy: the repository is retained; the output names it with the command that deletes it.
    gone = run(aws_env, "destroy", *SELECT, "--yes")
    assert "firstapp-dev: DELETE_COMPLETE" in gone.stdout
    assert f"ApiRepository (AWS::ECR::Repository): retained -- {REPO}" in gone.stdout
    command = f"aws ecr delete-repository --region us-east-1 --force --repository-name {REPO}"
    assert f"delete: {command}" in gone.stdout
    assert ecr.describe_repositories(repositoryNames=[REPO])["repositories"]

    # The retained repository's fixed name blocks a new create: preflight says so, nothing is created.
    blocked = run(aws_env, "deploy", *SELECT, "--yes", code=1)
    assert (
        f"AWS::ECR::Repository {REPO} (service-api/ApiRepository) already exists outside stack firstapp-dev"
        in blocked.output
    )
    assert command in blocked.output and "nothing was deployed" in blocked.output
    assert not live_stacks(aws_env)

    # Deleting it (as the command says) clears the way: a first deploy again holds api (its image went too).
    ecr.delete_repository(repositoryName=REPO, force=True)
    supply_and_deploy(aws_env)
    assert desired_counts(aws_env) == {"api": 2, "web": 1}

    # destroy --purge deletes the leftovers (--yes answers its own question too: no terminal here); a first
    # deploy then creates them anew.
    purged = CliRunner().invoke(cli, ["destroy", *SELECT, "--purge", "--yes", "--endpoint-url", aws_env.url])
    assert purged.exit_code == 0, purged.output
    assert f"purged AWS::ECR::Repository {REPO}" in purged.output
    assert not ecr.describe_repositories()["repositories"]
    again = run(aws_env, "deploy", *SELECT, "--yes", code=4)
    assert (
        "firstapp-dev: CREATE_COMPLETE" in again.stdout
        and f"docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/{REPO}:1.0.0" in again.stdout
    )


def test_a_region_other_than_the_systems_is_refused_before_anything_is_created(aws_env, params, monkeypatch):
    flag = run(aws_env, "deploy", *SELECT, "--yes", "--region", "eu-west-1", code=2)
    assert "firstapp/dev deploys to us-east-1 (regions: in its params), but --region names eu-west-1" in flag.output
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    env = run(aws_env, "deploy", *SELECT, "--yes", code=2)
    assert "deploys to us-east-1" in env.output and "(AWS_REGION / AWS_DEFAULT_REGION) names us-west-2" in env.output
    for region in ("us-east-1", "eu-west-1", "us-west-2"):
        assert not live_stacks(aws_env, region)
        assert not client(aws_env, "s3", region).list_buckets()["Buckets"]  # not even the artifact bucket
