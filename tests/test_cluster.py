"""Cluster stack: Container Insights, capacity providers and default strategy, ECS Exec logging."""

from __future__ import annotations

import json

from .helpers import build_config, count, has_resource


def test_capacity_providers_and_default_strategy(tmp_path):
    t = build_config(
        tmp_path,
        {
            "cluster": {
                "capacity": [
                    {"provider": "FARGATE", "weight": 1, "base": 2},
                    {"provider": "FARGATE_SPOT", "weight": 4},
                ]
            }
        },
    )["cluster"]
    has_resource(
        t,
        "AWS::ECS::ClusterCapacityProviderAssociations",
        {
            "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "DefaultCapacityProviderStrategy": [
                {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 2},
                {"CapacityProvider": "FARGATE_SPOT", "Weight": 4, "Base": 0},
            ],
        },
    )


def test_container_insights(tmp_path):
    t = build_config(tmp_path, {"cluster": {"container_insights": "enhanced"}})["cluster"]
    has_resource(t, "AWS::ECS::Cluster", {"ClusterSettings": [{"Name": "containerInsights", "Value": "enhanced"}]})


def test_exec_logs_to_cloudwatch(tmp_path):
    t = build_config(tmp_path, {"cluster": {"exec_logging": {"retention_days": 7}}})["cluster"]
    has_resource(
        t,
        "AWS::ECS::Cluster",
        {
            "Configuration": {
                "ExecuteCommandConfiguration": {
                    "Logging": "OVERRIDE",
                    "LogConfiguration": {"CloudWatchLogGroupName": {"Ref": "ExecLogGroup"}},
                }
            }
        },
    )
    has_resource(t, "AWS::Logs::LogGroup", {"RetentionInDays": 7})


def test_exec_logging_off(tmp_path):
    t = build_config(tmp_path, {"cluster": {"exec_logging": {"enabled": False}}})["cluster"]
    assert count(t, "AWS::Logs::LogGroup") == 0
    assert "Configuration" not in has_resource(t, "AWS::ECS::Cluster")["Properties"]


def test_exec_logs_encrypted_with_the_observability_key(tmp_path):
    t = build_config(tmp_path, {"keys": {"ops": {}}, "observability": {"key": "ops"}})["cluster"]
    group = has_resource(t, "AWS::Logs::LogGroup", {"KmsKeyId": {"Ref": "OpsKeyArn"}})
    assert "Metadata" not in group
    # The agent then refuses to write into an unencrypted group.
    has_resource(
        t,
        "AWS::ECS::Cluster",
        {"Configuration": {"ExecuteCommandConfiguration": {"LogConfiguration": {"CloudWatchEncryptionEnabled": True}}}},
    )


def test_unencrypted_exec_logs_carry_no_suppression(tmp_path):
    t = build_config(tmp_path, {})["cluster"]
    assert "Metadata" not in t["Resources"]["ExecLogGroup"]  # a waiver in params is the only source
    assert "CloudWatchEncryptionEnabled" not in json.dumps(t["Resources"]["Cluster"])
