"""A `System` (the typed, validated config the compiler builds from) -> a `Diagram`.

What is drawn, and from which field: each region of `regions` (as `for_region` deploys it: pilot light
applied), its VPC (`network`: CIDR, AZs, NAT) with the subnet tiers the compiler creates — public (internet-
facing load balancers, NAT gateways, tasks with `public_ip`), private (tasks, internal load balancers,
interface endpoints) and isolated (databases, caches, file systems) — stores that live outside the VPC (S3,
Timestream) and keys; load balancers -> listeners -> services (listener rules as edge labels); services ->
the stores and keys they `uses:`; Route 53 failover across the regions when `failover:` is set."""

from __future__ import annotations

import re

from ..config.failover import for_region
from ..config.system import System
from . import Diagram, Edge, Group, Node

IN_VPC = {
    "aurora-postgres": "isolated",
    "rds-postgres": "isolated",
    "redis": "isolated",
    "valkey-serverless": "isolated",
    "efs": "isolated",
}
STORE_LABEL = {
    "aurora-postgres": "Aurora PostgreSQL",
    "rds-postgres": "RDS PostgreSQL",
    "redis": "ElastiCache Redis",
    "valkey-serverless": "ElastiCache Valkey serverless",
    "efs": "EFS",
    "s3": "S3 bucket",
    "timestream": "Timestream",
}


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", text)


def build(system: System, title: str) -> Diagram:
    top = Group("top", title)
    diagram = Diagram(title, top)
    multi = len(system.regions) > 1 or system.failover is not None
    fo = system.failover
    internet = Node("internet", "Internet", "circle")
    top.nodes.append(internet)
    entry = internet.id
    if fo is not None:
        dns = Node("route53", f"Route 53 failover\n{fo.domain}", "hexagon")
        top.nodes.append(dns)
        diagram.edges.append(Edge(internet.id, dns.id, "DNS"))
        entry = dns.id
    for region in system.regions:
        cfg = for_region(system, region) if multi else system
        role = f" ({fo.role(region)})" if fo is not None else ""
        prefix = slug(region) + "_"
        group = _region(cfg, region + role, prefix, diagram)
        top.groups.append(group)
        for name, lb in sorted(cfg.load_balancers.items()):
            if lb.scheme != "internet-facing":
                continue
            label = ""
            if fo is not None:
                target = fo.load_balancer or next(iter(sorted(cfg.load_balancers)), None)
                if name != target:
                    diagram.edges.append(Edge(internet.id, prefix + "lb_" + slug(name)))
                    continue
                label = "PRIMARY" if fo.role(region) == "primary" else "SECONDARY"
            diagram.edges.append(Edge(entry, prefix + "lb_" + slug(name), label))
    return diagram


def _region(cfg: System, label: str, prefix: str, diagram: Diagram) -> Group:
    region = Group(prefix + "region", label)
    net = cfg.network
    if net.mode == "existing":
        vpc = Group(prefix + "vpc", "existing VPC")
    else:
        nat = {"none": "no NAT", "single": "1 NAT gateway", "per-az": f"{net.azs} NAT gateways"}[net.nat]
        vpc = Group(prefix + "vpc", f"VPC {net.cidr}, {net.azs} AZs, {nat}")
    tiers = {t: Group(prefix + t, f"{t} subnets") for t in ("public", "private", "isolated")}
    vpc.groups.extend(tiers.values())
    region.groups.append(vpc)

    if net.mode == "create" and net.nat != "none":
        gateways = net.azs if net.nat == "per-az" else 1
        tiers["public"].nodes.append(Node(prefix + "nat", f"NAT gateway x{gateways}"))
    if net.interface_endpoints:
        tiers["private"].nodes.append(
            Node(prefix + "endpoints", "interface endpoints\n" + ", ".join(net.interface_endpoints))
        )

    for name, lb in sorted(cfg.load_balancers.items()):
        lb_id = prefix + "lb_" + slug(name)
        kind = "ALB" if lb.type == "application" else "NLB"
        tier = tiers["public" if lb.scheme == "internet-facing" else "private"]
        tier.nodes.append(Node(lb_id, f"{kind} {name}\n{lb.scheme}", "round"))
        for listener in lb.listeners:
            l_id = f"{lb_id}_{listener.port}"
            redirect = (
                lb.type == "application" and listener.protocol == "HTTP" and listener.service is None and lb.certificate
            )
            what = "redirect to HTTPS" if redirect else ""
            tier.nodes.append(Node(l_id, f"{listener.protocol} :{listener.port}" + (f"\n{what}" if what else "")))
            diagram.edges.append(Edge(lb_id, l_id))
            if listener.service:
                diagram.edges.append(Edge(l_id, prefix + "svc_" + slug(listener.service), "default"))
            for rule in listener.rules:
                match = ", ".join(rule.paths + rule.hosts)
                diagram.edges.append(Edge(l_id, prefix + "svc_" + slug(rule.service), match or f"rule {rule.priority}"))

    for name, svc in sorted(cfg.services.items()):
        one = svc.desired_count == 1
        count = (
            f"{svc.scaling.min}-{svc.scaling.max} tasks"
            if svc.scaling
            else f"{svc.desired_count} task{'' if one else 's'}"
        )
        size = f"{svc.cpu / 1024:g} vCPU, {svc.memory / 1024:g} GB"
        tier = tiers["public" if svc.public_ip else "private"]
        tier.nodes.append(Node(prefix + "svc_" + slug(name), f"service {name}\n{size}, {count}"))

    outside = Group(prefix + "services", "regional services")
    for name, store in sorted(cfg.data.items()):
        kind = str(getattr(store, "kind", ""))  # every store model has its `kind` literal
        node = Node(prefix + "data_" + slug(name), f"{name}\n{STORE_LABEL.get(kind, kind)}", "database")
        (tiers[IN_VPC[kind]] if kind in IN_VPC else outside).nodes.append(node)
    for name in sorted(cfg.keys):
        outside.nodes.append(Node(prefix + "key_" + slug(name), f"KMS key {name}", "hexagon"))
    if outside.nodes:
        region.groups.append(outside)
    for name, svc in sorted(cfg.services.items()):
        for used in svc.uses:
            target = ("data_" if used in cfg.data else "key_") + slug(used)
            diagram.edges.append(
                Edge(prefix + "svc_" + slug(name), prefix + target, "uses", dashed=target.startswith("key_"))
            )
    vpc.groups[:] = [g for g in vpc.groups if not g.empty()]
    return region
