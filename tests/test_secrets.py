"""Secrets stack: generated (plain or JSON-key) and operator-set secrets, exported by name."""
from __future__ import annotations

import json

from .helpers import build_config, count, has_resource


def test_generated_secret(tmp_path):
    t = build_config(tmp_path, {"secrets": {"api-key": {"generate": {"length": 48}}}})["secrets"]
    has_resource(t, "AWS::SecretsManager::Secret", {"GenerateSecretString": {
        "PasswordLength": 48, "ExcludePunctuation": True}}, DeletionPolicy="Retain")
    assert "ApiKeySecret" in t["Resources"]


def test_generated_json_secret_with_key(tmp_path):
    t = build_config(tmp_path, {"secrets": {"db": {"generate": {
        "template": {"username": "app"}, "key": "password", "exclude_characters": "\"@/"}}}})["secrets"]
    g = has_resource(t, "AWS::SecretsManager::Secret")["Properties"]["GenerateSecretString"]
    assert json.loads(g["SecretStringTemplate"]) == {"username": "app"}
    assert g["GenerateStringKey"] == "password" and g["ExcludeCharacters"] == "\"@/"


def test_operator_set_secret_has_no_value_in_the_template(tmp_path):
    t = build_config(tmp_path, {"secrets": {"db-url": {"description": "set after deploy"}}})["secrets"]
    props = has_resource(t, "AWS::SecretsManager::Secret", {"Description": "set after deploy"})["Properties"]
    assert "SecretString" not in props and "GenerateSecretString" not in props


def test_only_referenced_secrets_become_outputs(tmp_path):
    cfg = {"secrets": {"used": {}, "spare": {}},
           "services": {"api": {"containers": {"app": {"image": "x/y", "secrets": {"A": {"secret": "used"}}}}}}}
    out = build_config(tmp_path, cfg)
    assert count(out["secrets"], "AWS::SecretsManager::Secret") == 2
    assert set(out["secrets"].get("Outputs", {})) == {"UsedSecretArn"}
    assert out["root"]["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]["UsedSecretArn"] == {
        "Fn::GetAtt": ["SecretsStack", "Outputs.UsedSecretArn"]}


def test_no_secrets_no_stack(tmp_path):
    assert "secrets" not in build_config(tmp_path, {})
