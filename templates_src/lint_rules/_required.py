"""What the "in prod, every resource of this type sets that property" rules share (E9105, E9106, E9118,
E9119): one finding per resource left without it; each rule keeps its own id, path and advice."""

from collections.abc import Callable

from cfnlint.rules import RuleMatch

from templates_src.waivers import is_prod


def unset_in_prod(
    cfn, resource_type: str, prop: str, message: Callable[[str], str], *, at_properties: bool = False
) -> list[RuleMatch]:
    """A RuleMatch for each `resource_type` resource of a prod template whose `prop` is unset or empty,
    at the resource (or its Properties); `message(logical_id)` says what is wrong and what to do."""
    if not is_prod(cfn.template):
        return []
    tail = ["Properties"] if at_properties else []
    return [
        RuleMatch(["Resources", name, *tail], message(name))
        for name, r in cfn.get_resources(resource_type).items()
        if not r.get("Properties", {}).get(prop)
    ]
