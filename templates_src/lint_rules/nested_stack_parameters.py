"""E9030: a nested stack's Parameters are strings: a list must be joined on the way in.

CloudFormation refuses an AWS::CloudFormation::Stack whose Parameters hold a list ("Value of property
Parameters must be an object with String (or simple type) properties"); cfn-lint does not notice. A
value can be a list when it is a literal list, a Ref to a List<...> / CommaDelimitedList parameter, a
Fn::GetAtt of an attribute whose schema type is an array, Fn::Split, Fn::GetAZs or Fn::Cidr (Fn::If:
either branch). Pass `Fn::Join [",", ...]`; the child's List parameter splits it again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

LIST_FUNCTIONS = ("Fn::Split", "Fn::GetAZs", "Fn::Cidr")


def is_list_type(parameter_type: str) -> bool:
    return parameter_type == "CommaDelimitedList" or "List<" in parameter_type


class NestedStackParameters(CloudFormationLintRule):
    id = "E9030"
    shortdesc = "Nested stack parameter values are strings"
    description = (
        "A value in an AWS::CloudFormation::Stack's Parameters must not be a list (join it with Fn::Join); "
        "CloudFormation refuses the stack otherwise"
    )
    source_url = (
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stack.html"
    )
    tags: ClassVar[list[str]] = ["stackc", "nested-stacks"]

    def match(self, cfn):
        matches = []
        parameters = cfn.template.get("Parameters") or {}
        resources = cfn.get_resources()
        for name, res in resources.items():
            if res.get("Type") != "AWS::CloudFormation::Stack":
                continue
            values = (res.get("Properties") or {}).get("Parameters") or {}
            if not isinstance(values, dict):
                continue
            for key, value in values.items():
                why = _list_reason(value, parameters, resources, cfn.regions[0])
                if why:
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties", "Parameters", key],
                            f"{name}: parameter {key} can be a list ({why}); nested stack parameters are strings: "
                            'pass {"Fn::Join": [",", ...]} and keep the List type in the child',
                        )
                    )
        return matches


def _list_reason(value: Any, parameters: dict, resources: dict, region: str) -> str:
    if isinstance(value, list):
        return "a literal list"
    if not isinstance(value, dict) or len(value) != 1:
        return ""
    ((function, argument),) = value.items()
    if function == "Ref" and isinstance(argument, str):
        declared = parameters.get(argument)
        if isinstance(declared, dict) and is_list_type(str(declared.get("Type", ""))):
            return f"Ref to the {declared['Type']} parameter {argument}"
        return ""
    if function == "Fn::GetAtt":
        target, attribute = _getatt(argument)
        resource = resources.get(target) or {}
        if attribute and _attribute_is_array(str(resource.get("Type", "")), attribute, region):
            return f"Fn::GetAtt {target}.{attribute} is a list attribute"
        return ""
    if function in LIST_FUNCTIONS:
        return function
    if function == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
        return _list_reason(argument[1], parameters, resources, region) or _list_reason(
            argument[2], parameters, resources, region
        )
    return ""


def _getatt(argument: Any) -> tuple[str, str]:
    if isinstance(argument, list) and len(argument) == 2 and all(isinstance(a, str) for a in argument):
        return argument[0], argument[1]
    if isinstance(argument, str) and "." in argument:
        target, attribute = argument.split(".", 1)
        return target, attribute
    return "", ""


def _attribute_is_array(resource_type: str, attribute: str, region: str) -> bool:
    """True when the resource schema types the attribute as an array (e.g. AWS::EC2::VPC CidrBlockAssociations)."""
    if not resource_type.startswith("AWS::") or resource_type == "AWS::CloudFormation::Stack":
        return False  # a nested stack's Outputs.X is always a string
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    try:
        pointer = PROVIDER_SCHEMA_MANAGER.get_type_getatts(resource_type, region).get(attribute)
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except Exception:  # an unknown type: cfn-lint's own rules report it
        return False
    if not isinstance(pointer, str):
        return False
    node: Any = schema
    for part in pointer.strip("/").split("/"):
        node = _deref(schema, node)
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    node = _deref(schema, node)
    return isinstance(node, dict) and node.get("type") == "array"


def _deref(schema: dict, node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = schema
        for part in node["$ref"][2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
    return node
