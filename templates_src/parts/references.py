"""Container environment values with `${...}` references (config/references.py) -> template values.

Each reference becomes `ctx.ref` on the loadbalancing stack's exports, so the graph adds the parameter,
the output and the root's GetAtt. A service URL is computed here from those exports and the config (the
same value as the service's URL output), never read from the other service's stack: services may refer
to each other's URLs without an edge, and so without a cycle, between their stacks."""

from __future__ import annotations

from typing import Any

from ..config.references import Reference, parse
from ..config.services_check import load_balancer_of
from ..config.system import System
from ..graph import StackContext
from . import lb_exports, targets
from .concat import concat


def environment_value(value: str, cfg: System, ctx: StackContext) -> Any:
    """`value` as the template should hold it: the text itself when it has no reference, else the one
    value it refers to, else an `Fn::Sub` of text and references."""
    if "${" not in value:
        return value
    parts: list[Any] = []
    for part in parse(value):  # validated by config.references.check_references
        parts.extend(_reference(part, cfg, ctx) if isinstance(part, Reference) else [part])
    merged: list[Any] = []
    for part in parts:  # adjacent text in one string: the template reads as the value does
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    if len(merged) == 1:
        return merged[0]
    return concat(*merged) if merged else ""


def _reference(ref: Reference, cfg: System, ctx: StackContext) -> list[Any]:
    """The text and references a reference stands for (spliced into the value)."""
    if ref.kind == "services" and ref.attribute in ("url", "base_url"):
        lb_name = load_balancer_of(cfg, ref.name)
        assert lb_name is not None  # checked: only services behind a load balancer have a URL
        parts = targets.url_parts(ctx, ref.name, lb_name, cfg.load_balancers[lb_name])
        if ref.attribute == "base_url":  # the last part is the text after the host: ":port/path/"
            parts[-1] = parts[-1].rstrip("/")
        return parts
    if ref.kind == "load_balancers" and ref.attribute == "dns_name":
        return [ctx.ref(lb_exports.STACK, lb_exports.dns_name(ref.name))]
    raise AssertionError(f"unchecked reference {ref}")  # config.references.ATTRIBUTES lists what is handled
