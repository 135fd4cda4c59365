"""E9107: in prod, no task definition runs an image tag parameter that defaults to `latest`."""

from __future__ import annotations

import pytest

from .helpers import lint_rule


def template(tag: str) -> tuple[dict, dict]:
    parameters = {"ApiImageTag": {"Type": "String", "Default": tag}}
    image = {"Fn::Join": [":", ["example/api", {"Ref": "ApiImageTag"}]]}
    task = {
        "Type": "AWS::ECS::TaskDefinition",
        "Properties": {"ContainerDefinitions": [{"Name": "api", "Image": image}], "Cpu": "256", "Memory": "512"},
    }
    return {"ApiTaskDefinition": task}, parameters


@pytest.mark.parametrize(
    "tag, prod, found",
    [("1.4.2", True, []), ("latest", True, ["Resources/ApiTaskDefinition"]), ("latest", False, [])],
)
def test_pinned_images(tmp_path, tag, prod, found):
    resources, parameters = template(tag)
    assert lint_rule(tmp_path, "E9107", resources, prod=prod, Parameters=parameters) == found
