"""Load balancers: ALB or NLB, listeners, path/host rules to services, TLS certificates.

Listeners name the services they forward to; that is the only place a service is tied to a load
balancer. Listener logical IDs come from protocol and port (`WebHttpsListener`, `AshTcp4100Listener`),
rule IDs from their priority: reordering the list moves nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .base import PATTERN_HELP, Cidr, Finding, Model, Name
from .ssl_policies import SSL_POLICIES

STANDARD_PORTS = {"HTTP": 80, "HTTPS": 443}
SslPolicy = Literal[SSL_POLICIES]  # type: ignore[valid-type]


DOMAIN = r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\.?$"


class Certificate(Model):
    """An existing certificate by ARN, or one ACM issues for `domain`, validated by DNS records it
    writes in the hosted zone (`hosted_zone_id`, or `hosted_zone_name` whose ID deploy looks up). ARN,
    domain and zone ID are root Parameters (the values here are defaults; a zone by name has none).
    In a single-region system the domain, its alternative names and the rule hosts the certificate
    covers get A alias records on the load balancer, so the URL outputs resolve."""

    arn: str | None = Field(None, pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]+$")
    domain: str | None = Field(None, pattern=r"^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
    alternative_names: list[str] = Field(default_factory=list)
    hosted_zone_id: str | None = Field(None, pattern=r"^Z[A-Z0-9]{1,31}$")
    hosted_zone_name: str | None = Field(
        None, pattern=DOMAIN, description="the zone by name (example.com); deploy looks up its ID in the account"
    )
    alias_records: bool = Field(
        True,
        description="A alias records on the load balancer for the certificate's names; false: DNS is managed elsewhere",
    )

    def check(self) -> Iterator[Finding]:
        if (self.arn is None) == (self.domain is None):
            yield Finding(
                (), "expected exactly one of 'arn' (an existing certificate) or 'domain' (ACM issues one)", None, False
            )
        if self.domain is not None and self.hosted_zone_id is None and self.hosted_zone_name is None:
            yield Finding(
                ("hosted_zone_id",),
                "DNS validation writes its records in a hosted zone: give its ID, or its name as hosted_zone_name",
                None,
                False,
            )
        if self.hosted_zone_id is not None and self.hosted_zone_name is not None:
            yield Finding(
                ("hosted_zone_name",), "hosted_zone_id names the zone already; keep one", self.hosted_zone_name
            )
        if self.hosted_zone_id is not None and "EXAMPLE" in self.hosted_zone_id:
            yield Finding(
                ("hosted_zone_id",),
                "looks like a placeholder (CloudFormation refuses a zone ID that does not exist): give the zone's "
                "real ID, or its name as hosted_zone_name",
                self.hosted_zone_id,
            )
        zone = (self.hosted_zone_name or "").rstrip(".")
        if self.domain is not None and zone:
            for i, name in enumerate([self.domain, *self.alternative_names]):
                if not in_zone(name, zone):
                    path = ("hosted_zone_name",) if i == 0 else ("alternative_names", i - 1)
                    yield Finding(path, f"{name} is not in zone {zone}: the validation records go there", name)
        if self.arn is not None and (self.hosted_zone_id or self.hosted_zone_name or self.alternative_names):
            yield Finding(
                ("arn",),
                "'hosted_zone_id', 'hosted_zone_name' and 'alternative_names' apply only to a 'domain' certificate",
                None,
                False,
            )

    def names(self) -> list[str]:
        """The names the certificate is for (domain first)."""
        return [self.domain, *self.alternative_names] if self.domain else []

    def covers(self, host: str) -> bool:
        """`host` is one of its names or matches one of its wildcards (one label deep, as TLS matches)."""
        for name in self.names():
            if host == name or (name.startswith("*.") and host.split(".", 1)[-1] == name[2:] and "." in host):
                return True
        return False


def in_zone(name: str, zone: str) -> bool:
    name = name.removeprefix("*.")
    return name == zone or name.endswith("." + zone)


# What an ALB condition value may hold (AWS: up to 128 characters; '*' and '?' are wildcards).
PATH_PATTERN = r"^[A-Za-z0-9_\-.$/~\"'@:+&*?]{1,128}$"
HOST_PATTERN = r"^[A-Za-z0-9\-.*?]{1,128}$"
PATTERN_HELP[PATH_PATTERN] = "an ALB path pattern: 1-128 of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & and the wildcards * ?"
PATTERN_HELP[HOST_PATTERN] = "an ALB host pattern: 1-128 of A-Z a-z 0-9 - . and the wildcards * ?"
PathPattern = Annotated[str, StringConstraints(pattern=PATH_PATTERN)]
HostPattern = Annotated[str, StringConstraints(pattern=HOST_PATTERN)]
# ALB quotas: 3 values per condition, 5 values and 5 wildcards per rule.
RULE_VALUES = 5
RULE_WILDCARDS = 5


class Rule(Model):
    priority: int = Field(ge=1, le=49999, description="50000 is the catch-all rule of a listener's default service")
    service: Name
    paths: list[PathPattern] = Field(default_factory=list, max_length=3)
    hosts: list[HostPattern] = Field(default_factory=list, max_length=3)

    def check(self) -> Iterator[Finding]:
        if not self.paths and not self.hosts:
            yield Finding((), "a rule needs 'paths' or 'hosts' (or both)", None, False)
        values = [*self.paths, *self.hosts]
        if len(values) > RULE_VALUES:
            yield Finding(
                (),
                f"an ALB rule matches at most {RULE_VALUES} paths and hosts together (split it into two rules)",
                values,
            )
        wildcards = sum(v.count("*") + v.count("?") for v in values)
        if wildcards > RULE_WILDCARDS:
            yield Finding(
                (),
                f"an ALB rule has at most {RULE_WILDCARDS} wildcards ('*', '?') in its paths and hosts "
                f"(these have {wildcards})",
                values,
            )


class Listener(Model):
    port: int = Field(ge=1, le=65535)
    protocol: Literal["HTTP", "HTTPS", "TCP", "TLS"] = "HTTP"  # TCP and TLS: network load balancers
    service: Name | None = Field(None, description="default action: forward here; none: 404 (ALB)")
    rules: list[Rule] = Field(default_factory=list)

    @property
    def key(self) -> str:
        """`https`, `http`, `tcp4100`: the listener's part of logical IDs."""
        standard = STANDARD_PORTS.get(self.protocol) == self.port
        return self.protocol.lower() + ("" if standard else str(self.port))

    def services(self) -> list[str]:
        return ([self.service] if self.service else []) + [r.service for r in self.rules]


class AccessLogs(Model):
    bucket: str = Field(
        pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description="an existing bucket that allows ELB log delivery"
    )
    prefix: str = ""


# The managed policies CloudFront documents (IDs are the same in every account): "Use managed cache policies",
# "Use managed origin request policies" in the CloudFront developer guide.
CACHE_POLICIES = {
    "disabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",  # CachingDisabled: an app's responses pass through
    "optimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",  # CachingOptimized: static content
}
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader (origin requests)
CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"


class Edge(Model):
    """A CloudFront distribution in front of an internet-facing ALB (`load_balancers.<n>.edge`).

    CloudFront reaches the ALB over HTTPS at `origin_domain` (default: the ALB certificate's domain, which
    resolves to the ALB) with a secret header the ALB's rules require, and the ALB admits only CloudFront's
    origin-facing addresses (the managed prefix list, looked up at deploy). Viewers use the distribution's
    domain (output `<Lb>DistributionDomainName`) or `aliases`, which need a certificate in us-east-1."""

    aliases: list[
        Annotated[str, StringConstraints(pattern=r"^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")]
    ] = Field(default_factory=list, description="names CloudFront answers for (point their DNS at the distribution)")
    certificate_arn: str | None = Field(
        None,
        pattern=r"^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$",
        description="an ACM certificate in us-east-1 (CloudFront's) covering the aliases",
    )
    origin_domain: str | None = Field(
        None,
        pattern=r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$",
        description="the name CloudFront connects to (covered by the ALB's certificate, resolving to the ALB); "
        "default: the certificate's domain",
    )
    cache: Literal["disabled", "optimized"] = Field(
        "disabled", description="managed cache policy: CachingDisabled (default, dynamic apps) or CachingOptimized"
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_100"
    waf: bool | None = Field(
        None,
        description="a CLOUDFRONT web ACL (the system's managed rules and rate limit); default: on in prod. Such an "
        "ACL lives in us-east-1: created here only for a system in us-east-1, elsewhere give web_acl_arn",
    )
    web_acl_arn: str | None = Field(
        None,
        pattern=r"^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/.+$",
        description="an existing CLOUDFRONT-scope web ACL (in us-east-1) instead of one made here",
    )


class LoadBalancer(Model):
    type: Literal["application", "network"] = "application"
    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    allowed_cidrs: list[Cidr] = Field(default_factory=lambda: ["0.0.0.0/0"], min_length=1)
    idle_timeout: int = Field(60, ge=1, le=4000, description="seconds (ALB)")
    http2: bool = True
    # None: in prod (ALB) a bucket the system creates (FSBP ELB.5), elsewhere off; false: off in prod too
    # (waive E9100); a bucket: an existing one that allows ELB log delivery.
    access_logs: AccessLogs | Literal[False] | None = None
    # None: in prod an internet-facing ALB gets the system's web ACL (AWS managed rules + a rate limit);
    # false: none (waive E9113).
    waf: bool | None = None
    certificate: Certificate | None = None
    edge: Edge | None = None  # CloudFront in front (internet-facing ALB with HTTPS); see Edge
    ssl_policy: SslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    listeners: list[Listener] = Field(min_length=1)

    @property
    def https(self) -> Listener | None:
        return next((lst for lst in self.listeners if lst.protocol == "HTTPS"), None)

    def redirects(self, listener: Listener) -> bool:
        """HTTP listeners of an ALB with a certificate send clients to HTTPS."""
        return listener.protocol == "HTTP" and self.certificate is not None and self.https is not None

    def services(self) -> list[str]:
        """Services this load balancer forwards to, first mention first."""
        seen: dict[str, None] = {}
        for listener in self.listeners:
            for s in listener.services():
                seen.setdefault(s)
        return list(seen)

    def check(self) -> Iterator[Finding]:
        alb = self.type == "application"
        ports: dict[int, int] = {}
        priorities: dict[tuple[int, int], int] = {}
        for i, lst in enumerate(self.listeners):
            path = ("listeners", i)
            if lst.port in ports:
                yield Finding(path + ("port",), f"listeners[{ports[lst.port]}] already uses this port", lst.port)
            ports.setdefault(lst.port, i)
            if alb and lst.protocol in ("TCP", "TLS"):
                yield Finding(
                    path + ("protocol",), "an application load balancer listens on HTTP or HTTPS", lst.protocol
                )
            if not alb and lst.protocol not in ("TCP", "TLS"):
                yield Finding(path + ("protocol",), "a network load balancer listens on TCP or TLS", lst.protocol)
            if not alb and lst.rules:
                yield Finding(
                    path + ("rules",), "rules route by path or host: application load balancers only", None, False
                )
            if not alb and lst.service is None:
                yield Finding(path + ("service",), "a TCP listener forwards to a service: name one", None, False)
            if lst.protocol in ("HTTPS", "TLS") and self.certificate is None:
                yield Finding(
                    path + ("protocol",), f"{lst.protocol} needs a 'certificate' on the load balancer", lst.protocol
                )
            if self.redirects(lst) and lst.services():
                yield Finding(
                    path,
                    "this HTTP listener redirects to HTTPS (the load balancer has a certificate); "
                    "put its service and rules on the HTTPS listener",
                    None,
                    False,
                )
            for j, rule in enumerate(lst.rules):
                for f in rule.check():
                    yield Finding(path + ("rules", j) + f.path, f.message, f.value, f.has_value)
                if (lst.port, rule.priority) in priorities:
                    yield Finding(
                        path + ("rules", j, "priority"),
                        f"rules[{priorities[(lst.port, rule.priority)]}] of this listener has the same priority",
                        rule.priority,
                    )
                priorities.setdefault((lst.port, rule.priority), j)
        yield from self._check_edge()
        if self.certificate is not None:
            for f in self.certificate.check():
                yield Finding(("certificate",) + f.path, f.message, f.value, f.has_value)
            if not any(lst.protocol in ("HTTPS", "TLS") for lst in self.listeners):
                yield Finding(
                    ("certificate",),
                    "a certificate needs a listener to serve it: HTTPS (application) or TLS (network)",
                    None,
                    False,
                )
        if not alb and isinstance(self.access_logs, AccessLogs):
            yield Finding(("access_logs",), "access logs are for application load balancers here", None, False)

    def edge_origin(self) -> str | None:
        """The name CloudFront connects to: `edge.origin_domain`, else the certificate's (non-wildcard) domain."""
        if self.edge is None:
            return None
        if self.edge.origin_domain is not None:
            return self.edge.origin_domain
        domain = self.certificate.domain if self.certificate is not None else None
        return domain if domain and "*" not in domain else None

    def _check_edge(self) -> Iterator[Finding]:
        edge = self.edge
        if edge is None:
            return
        if self.type != "application" or self.scheme != "internet-facing":
            yield Finding(("edge",), "CloudFront fronts an internet-facing application load balancer only", None, False)
            return
        if self.https is None:
            yield Finding(
                ("edge",),
                "CloudFront reaches the load balancer over HTTPS (it carries the origin secret): add an HTTPS "
                "listener and a certificate",
                None,
                False,
            )
            return
        if self.edge_origin() is None:
            yield Finding(
                ("edge", "origin_domain"),
                "name the host CloudFront connects to (covered by the load balancer's certificate, resolving to it)",
                None,
                False,
            )
        if edge.aliases and edge.certificate_arn is None:
            yield Finding(
                ("edge", "certificate_arn"), "aliases need a certificate in us-east-1 that covers them", None, False
            )
        if self.edge_origin() in edge.aliases:
            yield Finding(
                ("edge", "aliases"),
                "the origin name must resolve to the load balancer, an alias to CloudFront: use another name",
                self.edge_origin(),
            )
        if "allowed_cidrs" in self.model_fields_set:
            yield Finding(
                ("allowed_cidrs",),
                "behind CloudFront only its origin-facing addresses reach the load balancer",
                None,
                False,
            )
        for i, lst in enumerate(self.listeners):
            for j, rule in enumerate(lst.rules):
                if rule.hosts:
                    yield Finding(
                        ("listeners", i, "rules", j, "hosts"),
                        "behind CloudFront the Host is the origin's name: route by path",
                        rule.hosts,
                    )
