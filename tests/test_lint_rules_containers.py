"""E9102 (ECS.5 read-only root), E9103 (non-root user), E9104 (ECS.4 never privileged): one
container, one property at a time."""

from __future__ import annotations

import pytest

from .helpers import lint_rule

GOOD = {"Name": "app", "Image": "example/app:1.0", "ReadonlyRootFilesystem": True, "User": "1001"}


def task(**container) -> dict:
    return {
        "Type": "AWS::ECS::TaskDefinition",
        "Properties": {"ContainerDefinitions": [{**GOOD, **container}], "Cpu": "256", "Memory": "512"},
    }


def without(key: str) -> dict:
    t = task()
    del t["Properties"]["ContainerDefinitions"][0][key]
    return t


ROOT = "Resources/Task/Properties/ContainerDefinitions/0"


@pytest.mark.parametrize(
    "rule, resource, prod, found",
    [
        ("E9102", task(), True, []),
        ("E9102", without("ReadonlyRootFilesystem"), True, [f"{ROOT}/ReadonlyRootFilesystem"]),
        ("E9102", task(ReadonlyRootFilesystem=False), True, [f"{ROOT}/ReadonlyRootFilesystem"]),
        ("E9102", without("ReadonlyRootFilesystem"), False, []),
        ("E9103", task(), True, []),
        ("E9103", task(User="app:app"), True, []),
        ("E9103", without("User"), True, [f"{ROOT}/User"]),
        ("E9103", task(User="0:0"), True, [f"{ROOT}/User"]),
        ("E9103", task(User="root"), True, [f"{ROOT}/User"]),
        ("E9103", without("User"), False, []),
        ("E9104", task(), False, []),
        ("E9104", task(Privileged=True), False, [f"{ROOT}/Privileged"]),  # in every env
    ],
)
def test_container_rules(tmp_path, rule, resource, prod, found):
    assert lint_rule(tmp_path, rule, {"Task": resource}, prod=prod) == found
