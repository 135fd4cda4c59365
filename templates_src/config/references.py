"""References to other parts of the system inside container environment values.

A value is text with `${<kind>.<name>.<attribute>}` references in it; `$${` writes a literal `${`:

    BASE_URL: "${services.api.url}"                          # the service's URL (as its URL output)
    UI_HOST: "${load_balancers.ui.dns_name}"                 # a load balancer's DNS name
    CALLBACK: "${services.ui.url}auth/callback"              # text around a reference is kept

The set is small on purpose, and each reference is typed by where it points:

| reference                              | value                                                     |
|----------------------------------------|-----------------------------------------------------------|
| `${services.<name>.url}`               | the URL clients reach the service at, ending in '/': scheme and port of its listener (HTTPS first), the rule's host or the certificate's domain or the load balancer's DNS name, and the rule's path prefix; only for services behind a load balancer |
| `${services.<name>.base_url}`          | the same URL without the trailing '/', for apps that append paths (`BASE_URL + "/oauth2"`) |
| `${load_balancers.<name>.dns_name}`    | the load balancer's DNS name                              |

The service builder turns each reference into `ctx.ref` on the loadbalancing stack's exports (the
graph writes the parameters and outputs). A service URL is computed from those exports and the config,
not read from the other service's stack, so services may refer to each other's URLs (api -> ui and
ui -> api) without making their stacks wait for one another.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .base import Finding

if TYPE_CHECKING:
    from .system import System

# kind -> the attributes a reference of that kind may name.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "services": ("url", "base_url"),
    "load_balancers": ("dns_name",),
}
FORMS = ", ".join(f"${{{kind}.<name>.{attr}}}" for kind, attrs in ATTRIBUTES.items() for attr in attrs)
_INNER = re.compile(r"^([a-z_]+)\.([a-z][a-z0-9-]*)\.([a-z_]+)$")
SHOWN = 10  # known references listed in a message before "and N more"


@dataclass(frozen=True)
class Reference:
    kind: str
    name: str
    attribute: str

    def __str__(self) -> str:
        return f"${{{self.kind}.{self.name}.{self.attribute}}}"


def parse(value: str) -> list[str | Reference]:
    """Text and references in order (adjacent text merged, `$${` unescaped). Raises ValueError with a
    sentence on an unclosed `${` or a reference that is not `${kind.name.attribute}`."""
    out: list[str | Reference] = []
    text, i = "", 0
    while i < len(value):
        if value.startswith("$${", i):
            text, i = text + "${", i + 3
        elif value.startswith("${", i):
            end = value.find("}", i + 2)
            if end < 0:
                raise ValueError(
                    f"'${{' at character {i + 1} is not closed with '}}' (write '$${{' for a literal '${{')"
                )
            inner = value[i + 2 : end]
            m = _INNER.match(inner)
            if m is None:
                raise ValueError(f"'${{{inner}}}' is not a reference: expected one of the forms {FORMS}")
            if text:
                out.append(text)
            out.append(Reference(*m.groups()))
            text, i = "", end + 1
        else:
            text, i = text + value[i], i + 1
    if text:
        out.append(text)
    return out


def known(cfg: System) -> list[str]:
    """Every reference this system offers, in a stable order."""
    from .services_check import load_balancer_of

    refs = [
        f"${{services.{s}.{attr}}}"
        for s in sorted(cfg.services)
        if load_balancer_of(cfg, s) is not None
        for attr in ATTRIBUTES["services"]
    ]
    refs += [f"${{load_balancers.{lb}.dns_name}}" for lb in sorted(cfg.load_balancers)]
    return refs


def _listing(refs: list[str]) -> str:
    if not refs:
        return f"none in this system (the forms: {FORMS})"
    shown = ", ".join(refs[:SHOWN])
    return shown + (f" and {len(refs) - SHOWN} more" if len(refs) > SHOWN else "")


def check_references(cfg: System) -> Iterator[Finding]:
    """Every `${...}` in an app container's environment names something this system has."""
    offered: list[str] | None = None  # computed on the first reference: most systems have none
    for svc_name, svc in cfg.services.items():
        for cname, c in svc.containers.items():
            for var, value in c.environment.items():
                if "${" not in value:
                    continue
                path = ("services", svc_name, "containers", cname, "environment", var)
                try:
                    parts = parse(value)
                except ValueError as exc:
                    yield Finding(path, str(exc), value)
                    continue
                offered = offered if offered is not None else known(cfg)
                for ref in parts:
                    if isinstance(ref, Reference) and str(ref) not in offered:
                        yield Finding(path, _unknown(cfg, ref) + f"; known references: {_listing(offered)}", value)


def _unknown(cfg: System, ref: Reference) -> str:
    if ref.kind not in ATTRIBUTES:
        return f"unknown reference {ref}: no kind {ref.kind!r} (kinds: {', '.join(ATTRIBUTES)})"
    if ref.attribute not in ATTRIBUTES[ref.kind]:
        return f"unknown reference {ref}: {ref.kind} offer {', '.join(ATTRIBUTES[ref.kind])}, not {ref.attribute!r}"
    if ref.name not in getattr(cfg, ref.kind):
        return f"unknown reference {ref}: there is no {ref.kind}.{ref.name}"
    return f"unknown reference {ref}: service {ref.name!r} is behind no load balancer, so it has no URL"
