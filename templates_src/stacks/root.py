"""The root stack: one AWS::CloudFormation::Stack per child, wired by the graph, plus the console form."""

from __future__ import annotations

from collections import OrderedDict

from troposphere import GetAtt, Output, Tags, Template
from troposphere.cloudformation import Stack

from ..graph import Resolved, StackGraph, _parameter, nested_parameter_value
from ..naming import tags


def child_template_url(stack: str) -> str:
    """Relative in build/ so cfn-lint can follow it; `package` rewrites it to an S3 URL."""
    return f"{stack}.json"


def build(graph: StackGraph, resolved: Resolved, description: str, extra_tags: dict[str, str]) -> Template:
    t = Template(Description=description)
    for tunable in resolved.root_tunables:
        t.add_parameter(
            _parameter(tunable.name, tunable.param_type, tunable.description, tunable.default, tunable.constraints)
        )

    for unit in resolved.units:
        params = {
            name: nested_parameter_value(name, tun.param_type) for name, tun in unit.tunables.items() if tun.at_root
        }
        params.update({name: graph.source_of(imp) for name, imp in unit.imports.items()})
        props = {"Parameters": dict(sorted(params.items()))} if params else {}
        t.add_resource(
            Stack(
                unit.logical_id,
                TemplateURL=child_template_url(unit.name),
                Tags=Tags(**{**extra_tags, **tags(graph.system, graph.env, stack=unit.name)}),
                **props,
            )
        )

    for unit, name, desc in resolved.root_outputs:
        t.add_output(Output(name, Value=GetAtt(unit.logical_id, f"Outputs.{name}"), Description=desc))
    if resolved.root_tunables:
        t.set_metadata({"AWS::CloudFormation::Interface": _interface(resolved)})
    return t


def _interface(resolved: Resolved) -> dict:
    """Parameter groups and labels, so the console shows a labelled form instead of bare names."""
    groups: OrderedDict[str, list[str]] = OrderedDict()
    for tunable in resolved.root_tunables:
        groups.setdefault(tunable.group, []).append(tunable.name)
    return {
        "ParameterGroups": [{"Label": {"default": g}, "Parameters": names} for g, names in groups.items()],
        "ParameterLabels": {t.name: {"default": t.label} for t in resolved.root_tunables},
    }
