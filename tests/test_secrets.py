"""Secrets stack: generated (plain or JSON-key) and operator-set secrets, exported by name."""

from __future__ import annotations

import json

from .helpers import build_config, count, has_resource


def test_generated_secret(tmp_path):
    t = build_config(tmp_path, {"secrets": {"api-key": {"generate": {"length": 48}}}})["secrets"]
    has_resource(
        t,
        "AWS::SecretsManager::Secret",
        {"GenerateSecretString": {"PasswordLength": 48, "ExcludePunctuation": True}},
        DeletionPolicy="RetainExceptOnCreate",
    )
    assert "ApiKeySecret" in t["Resources"]


def test_generated_json_secret_with_key(tmp_path):
    t = build_config(
        tmp_path,
        {
            "secrets": {
                "db": {"generate": {"template": {"username": "app"}, "key": "password", "exclude_characters": '"@/'}}
            }
        },
    )["secrets"]
    g = has_resource(t, "AWS::SecretsManager::Secret")["Properties"]["GenerateSecretString"]
    assert json.loads(g["SecretStringTemplate"]) == {"username": "app"}
    assert g["GenerateStringKey"] == "password" and g["ExcludeCharacters"] == '"@/'


def test_operator_set_secret_has_no_value_in_the_template(tmp_path):
    t = build_config(tmp_path, {"secrets": {"db-url": {"description": "set after deploy"}}})["secrets"]
    props = has_resource(t, "AWS::SecretsManager::Secret", {"Description": "set after deploy"})["Properties"]
    assert "SecretString" not in props and "GenerateSecretString" not in props


def test_only_referenced_secrets_become_outputs(tmp_path):
    cfg = {
        "secrets": {"used": {}, "spare": {}},
        "services": {"api": {"containers": {"app": {"image": "x/y", "secrets": {"A": {"secret": "used"}}}}}},
    }
    out = build_config(tmp_path, cfg)
    assert count(out["secrets"], "AWS::SecretsManager::Secret") == 2
    assert set(out["secrets"].get("Outputs", {})) == {"UsedSecretArn"}
    assert out["root"]["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]["UsedSecretArn"] == {
        "Fn::GetAtt": ["SecretsStack", "Outputs.UsedSecretArn"]
    }


def test_no_secrets_no_stack(tmp_path):
    assert "secrets" not in build_config(tmp_path, {})


def test_cloudformation_names_secrets_by_default(tmp_path):
    t = build_config(tmp_path, {"secrets": {"api-key": {}}})["secrets"]
    assert "Name" not in has_resource(t, "AWS::SecretsManager::Secret")["Properties"]


def test_secret_with_its_own_physical_name(tmp_path):
    t = build_config(tmp_path, {"secrets": {"openai": {"name": "team/openai-api"}, "other": {}}})["secrets"]
    assert t["Resources"]["OpenaiSecret"]["Properties"]["Name"] == "team/openai-api"
    assert "Name" not in t["Resources"]["OtherSecret"]["Properties"]


def test_secret_prefix_names_every_secret(tmp_path):
    t = build_config(tmp_path, {"secret_prefix": "docuthinker/", "secrets": {"openai": {}, "neo4j": {}}})["secrets"]
    has_resource(t, "AWS::SecretsManager::Secret", {"Name": "docuthinker/openai"})
    has_resource(t, "AWS::SecretsManager::Secret", {"Name": "docuthinker/neo4j"})


def test_own_name_wins_over_the_prefix(tmp_path):
    cfg = {"secret_prefix": "app/", "secrets": {"a": {}, "b": {"name": "shared/b"}}}
    t = build_config(tmp_path, cfg)["secrets"]
    assert t["Resources"]["ASecret"]["Properties"]["Name"] == "app/a"
    assert t["Resources"]["BSecret"]["Properties"]["Name"] == "shared/b"


def test_env_file_sets_its_own_prefix(tmp_path):
    """Names are unique per account and region: a second env in the same account takes its own prefix."""
    t = build_config(tmp_path, {"secret_prefix": "app/", "secrets": {"a": {}}}, {"secret_prefix": "app-dev/"})[
        "secrets"
    ]
    has_resource(t, "AWS::SecretsManager::Secret", {"Name": "app-dev/a"})


def test_named_secret_still_wired_by_arn(tmp_path):
    cfg = {
        "secret_prefix": "app/",
        "secrets": {"used": {}},
        "services": {"api": {"containers": {"app": {"image": "x/y", "secrets": {"A": {"secret": "used"}}}}}},
    }
    out = build_config(tmp_path, cfg)
    td = has_resource(out["service-api"], "AWS::ECS::TaskDefinition")
    assert td["Properties"]["ContainerDefinitions"][0]["Secrets"] == [
        {"Name": "A", "ValueFrom": {"Ref": "UsedSecretArn"}}
    ]
