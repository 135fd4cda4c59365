"""Text joined with references, as `Fn::Sub` rather than `Fn::Join ""` (cfn-lint I1022): the template
reads as the value does ("http://${WebLoadBalancerDnsName}/")."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, Sub


def concat(*parts: Any) -> Any:
    """Strings, Refs and GetAtts as one `Fn::Sub`; other intrinsics become its variables. Text with
    no reference stays a plain string."""
    text: list[str] = []
    variables: dict[str, Any] = {}
    for part in parts:
        if isinstance(part, str):
            text.append(part.replace("${", "${!"))  # a literal ${ in the value
        elif isinstance(part, Ref):
            text.append(f"${{{part.data['Ref']}}}")
        elif isinstance(part, GetAtt):
            resource, attribute = part.data["Fn::GetAtt"]
            text.append(f"${{{resource}.{attribute}}}")
        elif isinstance(part, Sub) and isinstance(part.data["Fn::Sub"], str):
            text.append(part.data["Fn::Sub"])  # a Sub without variables reads the same inline
        else:
            name = f"Value{len(variables) + 1}"
            variables[name] = part
            text.append(f"${{{name}}}")
    if len(text) == sum(isinstance(p, str) for p in parts):
        return "".join(p for p in parts)
    return Sub("".join(text), **variables)
