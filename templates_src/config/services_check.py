"""Cross-references between services, secrets, load balancers and the cluster (part of System.check)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .base import Finding
from .references import check_references

if TYPE_CHECKING:
    from .system import System


def _known(names) -> str:
    return ", ".join(sorted(names)) or "none defined"


def check_services(cfg: System) -> Iterator[Finding]:
    for name, secret in cfg.secrets.items():
        for f in secret.check():
            yield Finding(("secrets", name) + f.path, f.message, f.value, f.has_value)

    for name, svc in cfg.services.items():
        base = ("services", name)
        for f in svc.check():
            yield Finding(base + f.path, f.message, f.value, f.has_value)
        for cname, c in svc.containers.items():
            for var, ref in c.secrets.items():
                if ref.secret is not None and ref.secret not in cfg.secrets:
                    yield Finding(
                        base + ("containers", cname, "secrets", var, "secret"),
                        f"expected a secret under secrets: ({_known(cfg.secrets)})",
                        ref.secret,
                    )
        yield from _check_repositories(cfg, name)
        if svc.log_key is not None and svc.log_key not in cfg.keys:
            yield Finding(base + ("log_key",), f"expected a key under keys: ({_known(cfg.keys)})", svc.log_key)
        if svc.log_key is not None and svc.log_kms_key_arn is not None:
            yield Finding(
                base + ("log_key",), "log_kms_key_arn names another key for the same log groups; keep one", svc.log_key
            )
        if svc.alarms is not None and svc.alarms.running_below_desired and cfg.cluster.container_insights == "disabled":
            yield Finding(
                base + ("alarms", "running_below_desired"),
                "reads Container Insights metrics, which cluster.container_insights disables",
                True,
            )

    yield from _check_physical_names(cfg)
    owner: dict[str, str] = {}  # service -> the load balancer that forwards to it
    for lb_name, lb in cfg.load_balancers.items():
        base = ("load_balancers", lb_name)
        for f in lb.check():
            yield Finding(base + f.path, f.message, f.value, f.has_value)
        for i, lst in enumerate(lb.listeners):
            targets: list[tuple[tuple[str | int, ...], str]] = [(("service",), lst.service)] if lst.service else []
            targets += [(("rules", j, "service"), r.service) for j, r in enumerate(lst.rules)]
            for sub, service in targets:
                path = base + ("listeners", i) + sub
                listened = cfg.services.get(service)
                if listened is None:
                    yield Finding(path, f"expected a service under services: ({_known(cfg.services)})", service)
                    continue
                svc = listened
                if owner.setdefault(service, lb_name) != lb_name:
                    yield Finding(
                        path,
                        f"service {service!r} is already behind load balancer {owner[service]!r}; "
                        "a service has one target group, on one load balancer",
                        service,
                    )
                if svc.target_container() is None:
                    yield Finding(
                        path,
                        f"service {service!r} has no container port to forward to "
                        f"(add ports to a container or set services.{service}.target)",
                        service,
                    )
                if lb.type == "network" and svc.target.stickiness is not None:
                    yield Finding(
                        ("services", service, "target", "stickiness"),
                        "lb_cookie stickiness needs an application load balancer",
                        svc.target.stickiness,
                    )
    yield from _check_deployments(cfg, owner)
    for name in owner:
        schedule = cfg.services[name].schedule
        if schedule is not None:
            yield Finding(
                ("services", name, "schedule"),
                f"a scheduled task runs to completion; a load balancer ({owner[name]!r}) forwards to a "
                "long-running service: remove one of the two",
                schedule.expression,
            )
    yield from _check_url_outputs(cfg, owner)
    yield from check_references(cfg)
    for name, svc in cfg.services.items():
        if name not in owner and svc.scaling is not None and svc.scaling.requests_per_target is not None:
            yield Finding(
                ("services", name, "scaling", "requests_per_target"),
                "needs a load balancer forwarding to this service",
                svc.scaling.requests_per_target,
            )
        elif (
            name in owner
            and cfg.load_balancers[owner[name]].type == "network"
            and svc.scaling is not None
            and svc.scaling.requests_per_target is not None
        ):
            yield Finding(
                ("services", name, "scaling", "requests_per_target"),
                "ALB request count: the service is behind a network load balancer",
                svc.scaling.requests_per_target,
            )


def _check_repositories(cfg: System, name: str) -> Iterator[Finding]:
    """A container's `repository:` names a service with its own repository, and an image in an immutable
    repository of this system has a tag that can name one image forever (not `latest`)."""
    svc = cfg.services[name]
    for cname, c in svc.containers.items():
        path = ("services", name, "containers", cname)
        owner = ecr_owner(cfg, name, cname)
        if c.repository is not None and owner is None:
            with_ecr = [n for n, s in cfg.services.items() if s.ecr is not None]
            yield Finding(
                (*path, "repository"),
                f"expected a service with an `ecr:` repository ({_known(with_ecr)})",
                c.repository,
            )
            continue
        if owner is None or c.tag != "latest":
            continue
        ecr = cfg.services[owner].ecr
        assert ecr is not None
        if ecr.tag_mutability == "immutable":
            yield Finding(
                (*path, "tag"),
                f"'latest' cannot stay on one image in the immutable repository of service {owner!r} (its "
                'second push fails): give a version tag such as "1.4.2" or a commit SHA, or set '
                f"services.{owner}.ecr.tag_mutability: mutable"
                + ("" if "tag" in c.model_fields_set else " ('latest' is the default tag)"),
                c.tag,
            )


def ecr_owner(cfg: System, service: str, container: str) -> str | None:
    """The service whose ECR repository holds the image of `container` of `service`: its own (no image
    given), another one's (`repository:`), or None (an image by name or URI)."""
    c = cfg.services[service].containers[container]
    if c.repository is not None:
        other = cfg.services.get(c.repository)
        return c.repository if other is not None and other.ecr is not None else None
    if c.image is None and cfg.services[service].ecr is not None:
        return service
    return None


def load_balancer_of(cfg: System, service: str) -> str | None:
    """The load balancer whose listeners forward to `service` (check_services allows at most one)."""
    return next((name for name, lb in cfg.load_balancers.items() if service in lb.services()), None)


def _check_url_outputs(cfg: System, owner: dict[str, str]) -> Iterator[Finding]:
    """A URL output exists only behind a load balancer, and no two services share its name. (Clashes with
    the compiler's own output names are found by the stack graph and reported at the same path.)"""
    taken: dict[str, str] = {}
    for name in sorted(cfg.services, key=lambda n: cfg.services[n].url_output is not None):  # defaults first
        svc = cfg.services[name]
        if name not in owner:
            if svc.url_output is not None:
                yield Finding(
                    ("services", name, "url_output"),
                    "the service is behind no load balancer, so it has "
                    "no URL output (name it in a listener of load_balancers:)",
                    svc.url_output,
                )
            continue
        output = svc.url_output_name(name)
        if output in taken:
            yield Finding(
                ("services", name, "url_output"),
                f"service {taken[output]!r} already outputs its URL "
                f"as {output!r}; output names are unique across the system",
                output,
            )
        taken.setdefault(output, name)


def _check_physical_names(cfg: System) -> Iterator[Finding]:
    """Two services may not share an ECS service name (one cluster) or a log group name (one region)."""
    for field in ("service_name", "log_group_name"):
        seen: dict[str, str] = {}
        for name, svc in cfg.services.items():
            value = getattr(svc, field)
            if value is None:
                continue
            if value in seen:
                yield Finding(("services", name, field), f"also the {field} of service {seen[value]!r}", value)
            seen.setdefault(value, name)


TEST_PRIORITY = 49999  # the test rule of a service reached through a listener's catch-all rule (50000)


def traffic_shifting(cfg: System, name: str) -> bool:
    return cfg.services[name].deployment.strategy != "rolling"


def _check_deployments(cfg: System, owner: dict[str, str]) -> Iterator[Finding]:
    """ECS shifts traffic by the weights of one production rule: the service needs an ALB and exactly one
    rule forwarding to it."""
    for name, svc in cfg.services.items():
        if not traffic_shifting(cfg, name):
            continue
        path = ("services", name, "deployment", "strategy")
        lb_name = owner.get(name)
        if lb_name is None:
            yield Finding(
                path, "shifts traffic between target groups: the service needs a load balancer", svc.deployment.strategy
            )
            continue
        lb = cfg.load_balancers[lb_name]
        if lb.type != "application":
            yield Finding(
                path, f"needs an application load balancer ({lb_name!r} is a network one)", svc.deployment.strategy
            )
            continue
        rules: list[tuple[Any, Any]] = [(lst, r) for lst in lb.listeners for r in lst.rules if r.service == name]
        rules += [(lst, None) for lst in lb.listeners if lst.service == name]
        if len(rules) != 1:
            yield Finding(
                path,
                f"ECS moves traffic through one listener rule; {len(rules)} rules of {lb_name!r} forward to {name!r}",
                svc.deployment.strategy,
            )
            continue
        lst, rule = rules[0]
        if svc.deployment.test_header is not None:
            test_priority = TEST_PRIORITY if rule is None else rule.priority - 1
            taken = {r.priority for r in lst.rules}
            if test_priority in taken or test_priority < 1:
                yield Finding(
                    ("services", name, "deployment", "test_header"),
                    f"its test rule takes priority {test_priority} on listener {lst.port}, which is taken or invalid; "
                    "leave priority - 1 free or set test_header: null",
                    svc.deployment.test_header,
                )
