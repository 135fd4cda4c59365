"""An image pinned by digest, on the local endpoint (moto's server on 127.0.0.1, real boto3 over HTTP).

`tag: sha256:<hex>` makes the container's image `<repository>@sha256:<hex>`. What it proves: preflight
looks the image up by digest (DescribeImages imageDigest) and holds the service until an image with that
digest is in the repository; once put through the ECR API, the next deploy runs it and the registered task
definition names the image by digest. What it does not: moto pulls nothing, so no registry resolves the
digest (ECS on AWS pulls exactly that manifest)."""

from __future__ import annotations

import copy
import json

import boto3
import pytest

from .helpers import invoke, write_params
from .test_first_deploy import PARAMETER, REPO, SELECT, SYSTEM

pytestmark = pytest.mark.emulator

DIGEST = "sha256:" + "5" * 64


@pytest.fixture
def params(tmp_path, monkeypatch, aws_env):
    system = copy.deepcopy(SYSTEM)
    system["services"]["api"]["containers"]["api"]["tag"] = DIGEST
    del system["services"]["web"]
    root = tmp_path / "params"
    write_params(root, "firstapp", system, {"dev": {}})
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(root))
    return root


def test_an_image_pinned_by_digest_is_held_until_that_digest_is_pushed(aws_env, params):
    ecr = boto3.client("ecr", endpoint_url=aws_env.url, region_name="us-east-1")
    ssm = boto3.client("ssm", endpoint_url=aws_env.url, region_name="us-east-1")
    ssm.put_parameter(Name=PARAMETER, Value="postgres://app@db/app", Type="SecureString")
    uri = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{REPO}@{DIGEST}"

    first = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert first.exit_code == 4, first.output
    assert f"image {uri} is not pushed" in first.output

    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "layers": []}
    ecr.put_image(repositoryName=REPO, imageManifest=json.dumps(manifest), imageTag="1.0.0", imageDigest=DIGEST)
    second = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert second.exit_code == 0, second.output

    ecs = boto3.client("ecs", endpoint_url=aws_env.url, region_name="us-east-1")
    (cluster,) = ecs.list_clusters()["clusterArns"]
    (arn,) = ecs.list_services(cluster=cluster)["serviceArns"]
    (service,) = ecs.describe_services(cluster=cluster, services=[arn])["services"]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert [c["image"] for c in task["containerDefinitions"] if c["name"] == "api"] == [uri]
    assert service["desiredCount"] == 2
