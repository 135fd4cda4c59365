"""ElastiCache Serverless Valkey authentication in prod, on the local endpoint (moto's server on 127.0.0.1,
real boto3 over HTTP).

What it proves: a prod env's cache gets a user group whose `default` user is off and whose `app` user signs
in with the password generated into Secrets Manager (moto's CreateUser receives the resolved password:
DescribeUsers shows password authentication with one password), and the service's containers get
<PREFIX>_USERNAME / <PREFIX>_PASSWORD from that secret. What it does not: moto has no serverless-cache or
user-group API (both are placeholders, README's table), so no cache checks a password here."""

from __future__ import annotations

import json

import boto3
import pytest

from .helpers import invoke, write_params

pytestmark = pytest.mark.emulator

SYSTEM = {
    "regions": ["us-east-1"],
    "network": {"cidr": "10.40.0.0/16", "azs": 2, "nat": "none"},
    "data": {"cache": {"kind": "valkey-serverless", "env_prefix": "REDIS"}},
    "services": {
        "api": {
            "desired_count": 1,
            "uses": ["cache"],
            "containers": {
                "api": {"image": "public.ecr.aws/nginx/nginx", "tag": "1.27", "user": "101", "ports": [{"port": 80}]}
            },
        }
    },
    "waivers": [
        {"id": "E9103", "resource": "service-api/ApiTaskDefinition", "reason": "The test image is nginx, as is."}
    ],
}


@pytest.fixture
def params(tmp_path, monkeypatch, aws_env):
    root = tmp_path / "params"
    write_params(root, "cachey", SYSTEM, {"prod": {}})
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(root))
    return root


def test_prod_cache_users_sign_in_with_the_generated_password(aws_env, params):
    result = invoke(aws_env, "deploy", "-s", "cachey", "-e", "prod", "--yes")
    assert result.exit_code == 0, result.output

    kw = {"endpoint_url": aws_env.url, "region_name": "us-east-1"}
    users = {u["UserName"]: u for u in boto3.client("elasticache", **kw).describe_users()["Users"]}
    assert users["default"]["AccessString"] == "off -@all"
    assert users["default"]["Authentication"]["Type"] == "no-password"
    assert users["app"]["Authentication"] == {"Type": "password", "PasswordCount": 1}
    assert users["app"]["UserId"] == "cachey-prod-cache-app"

    ecs = boto3.client("ecs", **kw)
    (cluster,) = ecs.list_clusters()["clusterArns"]
    (arn,) = ecs.list_services(cluster=cluster)["serviceArns"]
    (service,) = ecs.describe_services(cluster=cluster, services=[arn])["services"]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    secrets = {s["name"]: s["valueFrom"] for s in task["containerDefinitions"][0]["secrets"]}
    sm = boto3.client("secretsmanager", **kw)
    secret_arn = secrets["REDIS_PASSWORD"].removesuffix(":password::")
    assert secrets["REDIS_USERNAME"] == f"{secret_arn}:username::"
    value = json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])
    assert value["username"] == "app" and len(value["password"]) == 64
