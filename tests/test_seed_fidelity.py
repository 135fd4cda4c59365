"""The seed systems' params against what their own apps read (issue 10, item 9): each assertion is a
reason the app would not have worked after a deploy that succeeded."""

from __future__ import annotations

import json

import pytest

from templates_src import compiler
from templates_src.config.load import Target

from .helpers import PARAMS_DIR, has_resource


@pytest.fixture(scope="module")
def built():
    def templates(system: str, env: str) -> dict[str, dict]:
        compiled = compiler.compile_target(Target(system, env, PARAMS_DIR))
        return {name: json.loads(text) for name, text in compiled.templates.items()}

    return templates


def containers(template: dict) -> dict[str, dict]:
    td = has_resource(template, "AWS::ECS::TaskDefinition")
    return {c["Name"]: c for c in td["Properties"]["ContainerDefinitions"]}


def names(container: dict, key: str) -> dict:
    return {e["Name"]: e.get("Value", e.get("ValueFrom")) for e in container.get(key, [])}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vmx_ai_api_gets_what_it_requires(built, env):
    t = built("vmx-ai", env)
    api = containers(t["service-api"])["api"]
    environment = names(api, "Environment")
    assert environment["DATABASE_RO_HOST"] == {"Ref": "DatabaseReadEndpoint"}  # Aurora's reader endpoint
    assert environment["REDIS_TLS"] == "true" and environment["DATABASE_SSL"] == "true"
    # BASE_URL + "/oauth2" must not double the slash.
    for var in ("BASE_URL", "UI_BASE_URL"):
        assert not json.dumps(environment[var]).endswith('/"}'), environment[var]
    # Its migrations create the usage table in its Timestream database.
    policies = t["service-api"]["Resources"]["ApiTaskRole"]["Properties"]["Policies"]
    actions = [a for p in policies for s in p["PolicyDocument"]["Statement"] for a in s["Action"]]
    assert "timestream:CreateTable" in actions


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_vmx_ai_ui_is_checked_where_it_answers(built, env):
    has_resource(
        built("vmx-ai", env)["service-ui"],
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"HealthCheckPath": "/api/healthcheck"},
    )


def test_docuthinker_backend_reads_a_redis_url(built):
    t = built("docuthinker", "prod")
    backend = containers(t["us-east-1/service-backend"])["backend"]
    assert names(backend, "Secrets")["REDIS_URL"] == {"Ref": "RedisUrlSecretArn"}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_realworld_health_check_runs_with_what_the_image_has(built, env):
    """python:3.11-slim has Python and no curl."""
    check = containers(built("realworld", env)["service-api"])["api"]["HealthCheck"]["Command"]
    assert "curl" not in " ".join(check) and "python" in " ".join(check)
