"""E9011 on tiny templates that pass and fail."""

from __future__ import annotations

import json

import pytest

from templates_src.lint import lint_paths

GOOD = {
    "RepositoryName": "r",
    "ImageScanningConfiguration": {"ScanOnPush": True},
    "ImageTagMutability": "IMMUTABLE",
    "LifecyclePolicy": {"LifecyclePolicyText": '{"rules": []}'},
}


def lint(tmp_path, props: dict, metadata: dict | None = None) -> list[str]:
    path = tmp_path / "t.json"
    repo = {
        "Type": "AWS::ECR::Repository",
        "DeletionPolicy": "RetainExceptOnCreate",
        "UpdateReplacePolicy": "Retain",
        "Properties": props,
        **({"Metadata": metadata} if metadata else {}),
    }
    path.write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Repo": repo}}))
    return [f.rule for f in lint_paths([path]) if f.rule.startswith("E901")]


@pytest.mark.parametrize(
    "change, found",
    [
        ({}, []),
        ({"ImageTagMutability": "MUTABLE"}, ["E9011"]),
        ({"ImageScanningConfiguration": {"ScanOnPush": False}}, ["E9011"]),
        ({"LifecyclePolicy": None}, ["E9011"]),
    ],
)
def test_ecr_repositories(tmp_path, change, found):
    props = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    assert lint(tmp_path, props) == found


def test_mutable_tags_chosen_in_params_are_not_a_finding(tmp_path):
    """services.<n>.ecr.tag_mutability: mutable writes why in Metadata.stackc; nothing else waives it."""
    mutable = {**GOOD, "ImageTagMutability": "MUTABLE"}
    why = {"stackc": {"mutable_tags": "services.web.ecr.tag_mutability is mutable"}}
    assert lint(tmp_path, mutable, why) == []
    assert lint(tmp_path, mutable, {"stackc": {"public": "unrelated"}}) == ["E9011"]
