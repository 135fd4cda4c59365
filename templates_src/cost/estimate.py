"""Monthly cost of a system, read from its templates (the build, or what is deployed) and the price table.

Pure: template dicts in, `Estimate` out. Quantities come from the templates (task sizes and counts,
instance classes, Multi-AZ, NAT gateways, endpoint subnets, alarms, ...), resolving parameter references
through the root stack's Defaults (or the values given); what a template cannot say (traffic, data sizes)
comes from the table's stated assumptions, and every line names the ones it used."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..replacement import references
from .prices import Price, PriceTable

NESTED = "AWS::CloudFormation::Stack"
# Types with no charge of their own (or one too small to matter), so they are not "unpriced".
FREE_TYPES = frozenset(
    {
        "AWS::CloudFormation::Stack",
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::RouteTable",
        "AWS::EC2::Route",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::InternetGateway",
        "AWS::EC2::VPCGatewayAttachment",
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::SecurityGroupIngress",
        "AWS::EC2::SecurityGroupEgress",
        "AWS::EC2::FlowLog",
        "AWS::ECS::Cluster",
        "AWS::ECS::ClusterCapacityProviderAssociations",
        "AWS::ECS::TaskDefinition",
        "AWS::ElasticLoadBalancingV2::Listener",
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "AWS::ElasticLoadBalancingV2::ListenerCertificate",
        "AWS::CertificateManager::Certificate",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "AWS::RDS::DBSubnetGroup",
        "AWS::RDS::DBParameterGroup",
        "AWS::RDS::DBClusterParameterGroup",
        "AWS::ElastiCache::SubnetGroup",
        "AWS::ElastiCache::ParameterGroup",
        "AWS::EFS::MountTarget",
        "AWS::EFS::AccessPoint",
        "AWS::SecretsManager::SecretTargetAttachment",
        "AWS::SecretsManager::RotationSchedule",
        "AWS::KMS::Alias",
        "AWS::SNS::TopicPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::SecretsManager::ResourcePolicy",
        "AWS::SSM::Parameter",
        "AWS::Route53::RecordSet",
        "AWS::Route53::RecordSetGroup",
        "AWS::WAFv2::WebACLAssociation",
        "AWS::Logs::SubscriptionFilter",
        "AWS::Logs::MetricFilter",
        "AWS::S3::BucketPolicy",
        "AWS::EC2::VPCEndpoint",  # priced only when Interface (gateway endpoints are free)
    }
)


@dataclass(frozen=True)
class StackInput:
    """One deployed (or to-be-deployed) stack: where it runs, its template and its parameter values."""

    region: str
    name: str  # "root", "network", "service-api", or "<folder>/<name>" for a multi-region build
    template: Mapping[str, Any]
    parameters: Mapping[str, Any] = field(default_factory=dict)  # resolved values (unknown ones left out)


@dataclass(frozen=True)
class Line:
    region: str
    stack: str
    logical_id: str
    resource_type: str
    component: str
    monthly: float
    quantity: str  # how the amount was reached, in words and numbers
    assumptions: tuple[str, ...] = ()  # assumption keys used
    sources: tuple[str, ...] = ()  # price table source ids used
    approx: bool = False  # a price fell back to us-east-1, or a quantity was guessed

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "stack": self.stack,
            "logical_id": self.logical_id,
            "type": self.resource_type,
            "component": self.component,
            "monthly": round(self.monthly, 2),
            "quantity": self.quantity,
            "assumptions": list(self.assumptions),
            "sources": list(self.sources),
            "approx": self.approx,
        }


@dataclass(frozen=True)
class Estimate:
    lines: tuple[Line, ...]
    unpriced: tuple[str, ...]  # "region stack LogicalId (Type): why"
    table: PriceTable

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    def by_component(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for line in self.lines:
            out[line.component] = out.get(line.component, 0.0) + line.monthly
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def by_region(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for line in self.lines:
            out[line.region] = out.get(line.region, 0.0) + line.monthly
        return dict(sorted(out.items()))

    def assumptions_used(self) -> dict[str, float]:
        keys = sorted({a for line in self.lines for a in line.assumptions})
        return {k: self.table.assumptions[k] for k in keys}


class _Ctx:
    """What a pricing rule needs: the stack, its resolved parameters, prices, and the region's other stacks."""

    def __init__(self, stack: StackInput, table: PriceTable, siblings: list[StackInput]):
        self.stack, self.table, self.siblings = stack, table, siblings
        self.resources: Mapping[str, Any] = stack.template.get("Resources") or {}
        self.hours = table.hours_per_month

    def value(self, v: Any) -> Any:
        """A property value with parameter references resolved; None when it is only known at deploy time."""
        if isinstance(v, dict):
            if len(v) == 1 and "Ref" in v and v["Ref"] in self.stack.parameters:
                return self.stack.parameters[v["Ref"]]
            return None
        return v

    def number(self, v: Any, default: float | None = None) -> float | None:
        resolved = self.value(v)
        try:
            return float(resolved) if resolved is not None else default
        except (TypeError, ValueError):
            return default

    def price(self, key: str, variant: str | None = None) -> Price | None:
        return self.table.price(key, self.stack.region, variant)

    def assume(self, key: str) -> float:
        return self.table.assumptions[key]


Rule = Callable[[_Ctx, str, Mapping[str, Any]], Iterable[Line]]


def estimate(stacks: Iterable[StackInput], table: PriceTable) -> Estimate:
    stacks = list(stacks)
    lines: list[Line] = []
    unpriced: list[str] = []
    for stack in stacks:
        ctx = _Ctx(stack, table, [s for s in stacks if s.region == stack.region])
        for lid, res in sorted(ctx.resources.items()):
            rtype = res.get("Type", "") if isinstance(res, dict) else ""
            props = res.get("Properties") or {} if isinstance(res, dict) else {}
            rule = RULES.get(rtype)
            if rule is None:
                if rtype not in FREE_TYPES:
                    unpriced.append(f"{stack.region} {stack.name} {lid} ({rtype}): no price rule")
                continue
            for line in rule(ctx, lid, props):
                if line.monthly < 0:
                    unpriced.append(f"{stack.region} {stack.name} {lid} ({rtype}): {line.quantity}")
                else:
                    lines.append(line)
    return Estimate(tuple(lines), tuple(unpriced), table)


def _line(
    ctx: _Ctx,
    lid: str,
    rtype: str,
    component: str,
    parts: list[tuple[Price | None, float]],
    quantity: str,
    assumptions: tuple[str, ...] = (),
    guessed: bool = False,
) -> Line:
    """Sum price x amount; a missing price makes the line unpriced (monthly -1, quantity says which)."""
    missing = [p for p, _ in parts if p is None]
    if missing:
        return Line(ctx.stack.region, ctx.stack.name, lid, rtype, component, -1.0, f"no price in the table: {quantity}")
    priced = [(p, amount) for p, amount in parts if p is not None]
    total = sum(p.value * amount for p, amount in priced)
    return Line(
        ctx.stack.region,
        ctx.stack.name,
        lid,
        rtype,
        component,
        total,
        quantity,
        assumptions,
        tuple(sorted({p.source for p, _ in priced})),
        guessed or any(p.approx for p, _ in priced),
    )


# ------------------------------------------------------------------------------------------------- compute


def _fargate(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    rtype = "AWS::ECS::Service"
    task = _referenced(ctx, props.get("TaskDefinition"))
    if task is None:
        return [
            Line(ctx.stack.region, ctx.stack.name, lid, rtype, "Fargate", -1.0, "task definition not in this stack")
        ]
    tprops = task.get("Properties") or {}
    cpu = ctx.number(tprops.get("Cpu"))
    mem = ctx.number(tprops.get("Memory"))
    if cpu is None or mem is None:
        return [
            Line(ctx.stack.region, ctx.stack.name, lid, rtype, "Fargate", -1.0, "task size is not known before deploy")
        ]
    vcpu, gb = cpu / 1024, mem / 1024
    count, how = _task_count(ctx, lid, props)
    guessed = how.startswith("assumed")
    arm = ((tprops.get("RuntimePlatform") or {}).get("CpuArchitecture") or "").upper() == "ARM64"
    on_demand, spot = _split(count, _strategy(ctx, props))
    parts: list[tuple[Price | None, float]] = []
    if on_demand:
        parts += [
            (ctx.price("fargate_arm_vcpu_hour" if arm else "fargate_vcpu_hour"), on_demand * vcpu * ctx.hours),
            (ctx.price("fargate_arm_gb_hour" if arm else "fargate_gb_hour"), on_demand * gb * ctx.hours),
        ]
    if spot:
        parts += [
            (ctx.price("fargate_spot_vcpu_hour"), spot * vcpu * ctx.hours),
            (ctx.price("fargate_spot_gb_hour"), spot * gb * ctx.hours),
        ]
    mix = f"{_n(on_demand)} on-demand" + (f" + {_n(spot)} Spot" if spot else "")
    quantity = (
        f"{_n(count)} tasks ({how}; {mix}) x {_n(vcpu)} vCPU, {_n(gb)} GB{' ARM64' if arm else ''} x {_n(ctx.hours)} h"
    )
    lines = [_line(ctx, lid, rtype, "Fargate", parts, quantity, guessed=guessed)]
    metrics = ctx.assume("metrics_per_service")
    if metrics:
        lines.append(
            _line(
                ctx,
                lid,
                rtype,
                "CloudWatch metrics",
                [(ctx.price("metric_month"), metrics)],
                f"{_n(metrics)} custom metrics",
                ("metrics_per_service",),
            )
        )
    return lines


def _task_count(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> tuple[float, str]:
    for other in ctx.resources.values():
        if other.get("Type") == "AWS::ApplicationAutoScaling::ScalableTarget":
            oprops = other.get("Properties") or {}
            if lid in references(oprops.get("ResourceId")):
                low = ctx.number(oprops.get("MinCapacity"))
                if low is not None:
                    return low, "auto scaling minimum"
    desired = ctx.number(props.get("DesiredCount"))
    if desired is not None:
        return desired, "desired count"
    return 1.0, "assumed 1: no desired count or scaling minimum known"


def _strategy(ctx: _Ctx, props: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    """(provider, weight, base) of the service's strategy, else the cluster's default, else FARGATE."""
    raw = props.get("CapacityProviderStrategy")
    if not raw and props.get("LaunchType") is None:
        for sibling in ctx.siblings:
            for res in (sibling.template.get("Resources") or {}).values():
                if res.get("Type") == "AWS::ECS::ClusterCapacityProviderAssociations":
                    raw = (res.get("Properties") or {}).get("DefaultCapacityProviderStrategy")
    out = []
    for item in raw or []:
        if isinstance(item, dict) and isinstance(item.get("CapacityProvider"), str):
            out.append((item["CapacityProvider"], float(item.get("Weight", 0) or 0), float(item.get("Base", 0) or 0)))
    return out or [("FARGATE", 1.0, 0.0)]


def _split(count: float, strategy: list[tuple[str, float, float]]) -> tuple[float, float]:
    """Tasks on FARGATE and on FARGATE_SPOT: each provider's base first, the rest by weight (as ECS places them)."""
    on_demand = spot = 0.0
    left = count
    for provider, _, base in strategy:
        take = min(base, left)
        left -= take
        if provider == "FARGATE_SPOT":
            spot += take
        else:
            on_demand += take
    weights = sum(w for _, w, _ in strategy)
    if left > 0:
        if weights <= 0:
            on_demand += left
        else:
            spot_share = sum(w for p, w, _ in strategy if p == "FARGATE_SPOT") / weights
            spot += left * spot_share
            on_demand += left * (1 - spot_share)
    return on_demand, spot


# ------------------------------------------------------------------------------------------------- network


def _load_balancer(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    kind = ctx.value(props.get("Type")) or "application"
    rtype = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    if kind == "network":
        units = ctx.assume("nlb_nlcu")
        parts = [(ctx.price("nlb_hour"), ctx.hours), (ctx.price("nlb_nlcu_hour"), units * ctx.hours)]
        return [
            _line(
                ctx, lid, rtype, "Load balancers", parts, f"NLB x {_n(ctx.hours)} h + {_n(units)} NLCU", ("nlb_nlcu",)
            )
        ]
    if kind == "gateway":
        return [
            Line(
                ctx.stack.region,
                ctx.stack.name,
                lid,
                rtype,
                "Load balancers",
                -1.0,
                "gateway load balancers are not in the table",
            )
        ]
    units = ctx.assume("alb_lcu")
    parts = [(ctx.price("alb_hour"), ctx.hours), (ctx.price("alb_lcu_hour"), units * ctx.hours)]
    return [_line(ctx, lid, rtype, "Load balancers", parts, f"ALB x {_n(ctx.hours)} h + {_n(units)} LCU", ("alb_lcu",))]


def _nat(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    gb = ctx.assume("nat_gb")
    parts = [(ctx.price("nat_hour"), ctx.hours), (ctx.price("nat_gb"), gb)]
    return [
        _line(
            ctx,
            lid,
            "AWS::EC2::NatGateway",
            "NAT gateways",
            parts,
            f"{_n(ctx.hours)} h + {_n(gb)} GB processed",
            ("nat_gb",),
        )
    ]


def _eip(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    return [
        _line(
            ctx,
            lid,
            "AWS::EC2::EIP",
            "Public IPv4",
            [(ctx.price("public_ipv4_hour"), ctx.hours)],
            f"1 address x {_n(ctx.hours)} h",
        )
    ]


def _endpoint(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    if (ctx.value(props.get("VpcEndpointType")) or "Gateway") != "Interface":
        return []
    subnets = props.get("SubnetIds")
    azs = len(subnets) if isinstance(subnets, list) else None
    guessed = azs is None
    azs = azs or 2
    gb = ctx.assume("endpoint_gb")
    parts = [(ctx.price("endpoint_az_hour"), azs * ctx.hours), (ctx.price("endpoint_gb"), gb)]
    quantity = f"{azs} AZs{' (assumed)' if guessed else ''} x {_n(ctx.hours)} h + {_n(gb)} GB"
    return [_line(ctx, lid, "AWS::EC2::VPCEndpoint", "VPC endpoints", parts, quantity, ("endpoint_gb",), guessed)]


# ------------------------------------------------------------------------------------------------- data


def _db_instance(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    rtype = "AWS::RDS::DBInstance"
    cls = ctx.value(props.get("DBInstanceClass"))
    engine = str(ctx.value(props.get("Engine")) or "")
    if cls is None:
        return [
            Line(
                ctx.stack.region,
                ctx.stack.name,
                lid,
                rtype,
                "Databases",
                -1.0,
                "instance class not known before deploy",
            )
        ]
    if props.get("DBClusterIdentifier") is not None or engine.startswith("aurora"):
        if cls == "db.serverless":
            cluster = _referenced(ctx, props.get("DBClusterIdentifier"))
            scaling = ((cluster or {}).get("Properties") or {}).get("ServerlessV2ScalingConfiguration") or {}
            acu = ctx.number(scaling.get("MinCapacity"), 0.5) or 0.0
            parts = [(ctx.price("aurora_acu_hour"), acu * ctx.hours)]
            return [
                _line(
                    ctx,
                    lid,
                    rtype,
                    "Databases",
                    parts,
                    f"Serverless v2 at its minimum {_n(acu)} ACU x {_n(ctx.hours)} h",
                )
            ]
        parts = [(ctx.price("aurora_postgres_hour", cls), ctx.hours)]
        return [_line(ctx, lid, rtype, "Databases", parts, f"Aurora {cls} x {_n(ctx.hours)} h")]
    multi_az = ctx.value(props.get("MultiAZ")) in (True, "true", "True")
    copies = 2 if multi_az else 1
    storage = ctx.number(props.get("AllocatedStorage"), 20) or 0.0
    parts = [
        (ctx.price("rds_postgres_hour", cls), copies * ctx.hours),
        (ctx.price("rds_gp3_gb_month"), copies * storage),
    ]
    az = "Multi-AZ (2 instances)" if multi_az else "Single-AZ"
    return [
        _line(ctx, lid, rtype, "Databases", parts, f"{cls} {az} x {_n(ctx.hours)} h + {_n(storage)} GB gp3 x {copies}")
    ]


def _db_cluster(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    gb, io = ctx.assume("aurora_storage_gb"), ctx.assume("aurora_io_million")
    parts = [(ctx.price("aurora_storage_gb_month"), gb), (ctx.price("aurora_io_million"), io)]
    return [
        _line(
            ctx,
            lid,
            "AWS::RDS::DBCluster",
            "Databases",
            parts,
            f"{_n(gb)} GB stored + {_n(io)} M I/O",
            ("aurora_storage_gb", "aurora_io_million"),
        )
    ]


def _serverless_cache(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    engine = str(ctx.value(props.get("Engine")) or "valkey").lower()
    family = "valkey" if engine == "valkey" else "redis"
    minimum = 0.1 if family == "valkey" else 1.0
    gb = max(ctx.assume("cache_gb"), minimum)
    ecpu = ctx.assume("cache_ecpu_million")
    parts = [
        (ctx.price(f"{family}_serverless_gb_hour"), gb * ctx.hours),
        (ctx.price(f"{family}_serverless_ecpu_million"), ecpu),
    ]
    quantity = (
        f"{engine} serverless: {_n(gb)} GB (metered minimum {_n(minimum)}) x {_n(ctx.hours)} h + {_n(ecpu)} M ECPU"
    )
    return [
        _line(
            ctx, lid, "AWS::ElastiCache::ServerlessCache", "Caches", parts, quantity, ("cache_gb", "cache_ecpu_million")
        )
    ]


def _replication_group(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    rtype = "AWS::ElastiCache::ReplicationGroup"
    node = ctx.value(props.get("CacheNodeType"))
    if node is None:
        return [Line(ctx.stack.region, ctx.stack.name, lid, rtype, "Caches", -1.0, "node type not known before deploy")]
    if props.get("NumCacheClusters") is not None:
        nodes = ctx.number(props.get("NumCacheClusters"), 1) or 1.0
    else:
        groups = ctx.number(props.get("NumNodeGroups"), 1) or 1.0
        nodes = groups * ((ctx.number(props.get("ReplicasPerNodeGroup"), 0) or 0.0) + 1)
    valkey = str(ctx.value(props.get("Engine")) or "").lower() == "valkey"
    factor = 0.8 if valkey else 1.0
    parts = [(ctx.price("cache_node_hour", node), nodes * ctx.hours * factor)]
    return [
        _line(
            ctx,
            lid,
            rtype,
            "Caches",
            parts,
            f"{_n(nodes)} x {node}{' (Valkey: -20%)' if valkey else ''} x {_n(ctx.hours)} h",
        )
    ]


def _cache_cluster(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    node = ctx.value(props.get("CacheNodeType"))
    nodes = ctx.number(props.get("NumCacheNodes"), 1) or 1.0
    parts = [(ctx.price("cache_node_hour", node), nodes * ctx.hours)]
    return [
        _line(ctx, lid, "AWS::ElastiCache::CacheCluster", "Caches", parts, f"{_n(nodes)} x {node} x {_n(ctx.hours)} h")
    ]


def _ecr_replication(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    """Replicas are stored in each destination region: the region's repositories a rule's filters match, each
    holding `ecr_gb` there (the rule itself is free; the transfer of each push is data transfer, not counted)."""
    names = [
        str(ctx.value((res.get("Properties") or {}).get("RepositoryName")) or key)
        for sibling in ctx.siblings
        for key, res in (sibling.template.get("Resources") or {}).items()
        if isinstance(res, dict) and res.get("Type") == "AWS::ECR::Repository"
    ]
    gb = ctx.assume("ecr_gb")
    lines = []
    for rule in (props.get("ReplicationConfiguration") or {}).get("Rules") or []:
        prefixes = [str(ctx.value(f.get("Filter")) or "") for f in rule.get("RepositoryFilters") or []]
        matched = [n for n in names if not prefixes or any(n.startswith(p) for p in prefixes)]
        for destination in rule.get("Destinations") or []:
            region = str(ctx.value(destination.get("Region")) or "")
            price = ctx.table.price("ecr_gb_month", region) if region else None
            what = f"{len(matched)} repositories replicated to {region or '?'}: {_n(gb)} GB each stored there"
            line = _line(
                ctx,
                lid,
                "AWS::ECR::ReplicationConfiguration",
                "Container images",
                [(price, gb * len(matched))],
                what,
                ("ecr_gb",),
            )
            lines.append(dataclasses.replace(line, region=region) if region else line)  # billed where stored
    return lines


# ------------------------------------------------------------------------------------------- observability


def _log_group(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    flow = any(
        res.get("Type") == "AWS::EC2::FlowLog" and lid in references(res.get("Properties"))
        for res in ctx.resources.values()
    )
    key = "flow_log_gb" if flow else "log_gb"
    gb = ctx.assume(key)
    retention = ctx.number(props.get("RetentionInDays"))
    months = min(retention, 3650) / 30 if retention else 12.0  # never-expiring: one year's worth, said below
    stored = gb * months
    parts = [(ctx.price("logs_ingest_gb"), gb), (ctx.price("logs_stored_gb_month"), stored)]
    kept = f"{_n(retention)} days" if retention else "no expiry (a year's worth counted)"
    quantity = f"{_n(gb)} GB/month ingested{' (flow logs)' if flow else ''}, kept {kept}: {_n(stored)} GB stored"
    return [_line(ctx, lid, "AWS::Logs::LogGroup", "CloudWatch Logs", parts, quantity, (key,))]


def _flat(component: str, key: str, what: str) -> Rule:
    def rule(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
        rtype = next((t for t, r in RULES.items() if r is rule), "")
        return [_line(ctx, lid, rtype, component, [(ctx.price(key), 1.0)], what)]

    return rule


def _assumed(component: str, key: str, assumption: str, unit: str, *, hourly: bool = False) -> Rule:
    """One assumed quantity (`assumption`, in `unit`) at one price (`key`), for every hour of the month
    when `hourly` (a memory store held all month), else once (GB stored, writes made)."""

    def rule(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
        rtype = next((t for t, r in RULES.items() if r is rule), "")
        quantity = ctx.assume(assumption)
        amount, what = quantity, f"{_n(quantity)} {unit}"
        if hourly:
            amount, what = quantity * ctx.hours, f"{what} x {_n(ctx.hours)} h"
        return [_line(ctx, lid, rtype, component, [(ctx.price(key), amount)], what, (assumption,))]

    return rule


def _health_check(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    config = props.get("HealthCheckConfig") or {}
    kind = str(ctx.value(config.get("Type")) or "")
    parts = [(ctx.price("health_check_month"), 1.0)]
    what = f"1 {kind or 'health'} check"
    if kind.startswith("HTTPS"):
        parts.append((ctx.price("health_check_https_month"), 1.0))
        what += " + HTTPS option"
    return [_line(ctx, lid, "AWS::Route53::HealthCheck", "Route 53", parts, what)]


def _web_acl(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    rules = props.get("Rules")
    count = len(rules) if isinstance(rules, list) else 0
    requests = ctx.assume("waf_request_million")
    parts = [
        (ctx.price("waf_acl_month"), 1.0),
        (ctx.price("waf_rule_month"), count),
        (ctx.price("waf_request_million"), requests),
    ]
    return [
        _line(
            ctx,
            lid,
            "AWS::WAFv2::WebACL",
            "WAF",
            parts,
            f"1 web ACL + {count} rules + {_n(requests)} M requests",
            ("waf_request_million",),
        )
    ]


# ------------------------------------------------------------------------------------------- messaging, stores


def _dead_letter_queues(ctx: _Ctx) -> set[str]:
    """Queues of this stack that another queue's RedrivePolicy or a schedule's DeadLetterConfig names."""
    found: set[str] = set()
    for res in ctx.resources.values():
        props = res.get("Properties") or {} if isinstance(res, dict) else {}
        found |= references((props.get("RedrivePolicy") or {}).get("deadLetterTargetArn"))
        found |= references(((props.get("Target") or {}).get("DeadLetterConfig") or {}).get("Arn"))
    return found


def _queue(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    fifo = ctx.value(props.get("FifoQueue")) in (True, "true", "True")
    if lid in _dead_letter_queues(ctx):
        what = "a dead-letter queue: requests only for failed messages, counted as none"
        return [_line(ctx, lid, "AWS::SQS::Queue", "SQS", [(ctx.price("sqs_request_million"), 0.0)], what)]
    requests = ctx.assume("sqs_request_million")
    parts = [(ctx.price("sqs_fifo_request_million" if fifo else "sqs_request_million"), requests)]
    what = f"{_n(requests)} M {'FIFO ' if fifo else ''}requests (64 KB chunks; the account's free 1 M not deducted)"
    return [_line(ctx, lid, "AWS::SQS::Queue", "SQS", parts, what, ("sqs_request_million",))]


def _topic(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    publishes = ctx.assume("sns_publish_million")
    parts = [(ctx.price("sns_publish_million"), publishes)]
    what = f"{_n(publishes)} M publishes (deliveries to SQS and Lambda are free; the free 1 M not deducted)"
    return [_line(ctx, lid, "AWS::SNS::Topic", "SNS", parts, what, ("sns_publish_million",))]


# Deliveries priced per protocol; SQS, Lambda and Firehose deliveries carry no charge of their own.
_DELIVERY = {"http": "sns_http_delivery_million", "https": "sns_http_delivery_million"}
_DELIVERY |= {"email": "sns_email_delivery_million", "email-json": "sns_email_delivery_million"}


def _subscription(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    protocol = str(ctx.value(props.get("Protocol")) or "").lower()
    rtype = "AWS::SNS::Subscription"
    if protocol == "sms":
        return [Line(ctx.stack.region, ctx.stack.name, lid, rtype, "SNS", -1.0, "SMS prices vary by country")]
    if protocol not in _DELIVERY:
        return []
    deliveries = ctx.assume("sns_publish_million")
    parts = [(ctx.price(_DELIVERY[protocol]), deliveries)]
    return [_line(ctx, lid, rtype, "SNS", parts, f"{_n(deliveries)} M {protocol} deliveries", ("sns_publish_million",))]


def _table(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    rtype = "AWS::DynamoDB::Table"
    gb = ctx.assume("dynamodb_gb")
    parts: list[tuple[Price | None, float]] = [(ctx.price("dynamodb_gb_month"), gb)]
    used = ["dynamodb_gb"]
    if str(ctx.value(props.get("BillingMode")) or "PROVISIONED") == "PAY_PER_REQUEST":
        reads, writes = ctx.assume("dynamodb_read_million"), ctx.assume("dynamodb_write_million")
        parts += [(ctx.price("dynamodb_read_million"), reads), (ctx.price("dynamodb_write_million"), writes)]
        used += ["dynamodb_read_million", "dynamodb_write_million"]
        what = f"on demand: {_n(reads)} M reads + {_n(writes)} M writes, {_n(gb)} GB stored"
    else:
        rcu = wcu = 0.0
        throughputs = [props.get("ProvisionedThroughput")] + [
            (index or {}).get("ProvisionedThroughput") for index in props.get("GlobalSecondaryIndexes") or []
        ]
        for throughput in throughputs:
            if not isinstance(throughput, dict):
                continue
            read, write = (
                ctx.number(throughput.get("ReadCapacityUnits")),
                ctx.number(throughput.get("WriteCapacityUnits")),
            )
            if read is None or write is None:
                return [
                    Line(
                        ctx.stack.region,
                        ctx.stack.name,
                        lid,
                        rtype,
                        "DynamoDB",
                        -1.0,
                        "capacity not known before deploy",
                    )
                ]
            rcu, wcu = rcu + read, wcu + write
        parts += [(ctx.price("dynamodb_rcu_hour"), rcu * ctx.hours), (ctx.price("dynamodb_wcu_hour"), wcu * ctx.hours)]
        what = f"provisioned {_n(rcu)} RCU + {_n(wcu)} WCU (table and indexes) x {_n(ctx.hours)} h, {_n(gb)} GB stored"
    recovery = (props.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")
    if ctx.value(recovery) in (True, "true", "True"):
        parts.append((ctx.price("dynamodb_pitr_gb_month"), gb))
        what += " + point-in-time recovery"
    return [_line(ctx, lid, rtype, "DynamoDB", parts, what, tuple(used))]


def _bucket(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    gb, puts, gets = ctx.assume("s3_gb"), ctx.assume("s3_put_thousand"), ctx.assume("s3_get_thousand")
    parts = [
        (ctx.price("s3_standard_gb_month"), gb),
        (ctx.price("s3_put_thousand"), puts),
        (ctx.price("s3_get_thousand"), gets),
    ]
    what = f"{_n(gb)} GB Standard + {_n(puts)}k PUT + {_n(gets)}k GET (old versions count as stored)"
    return [_line(ctx, lid, "AWS::S3::Bucket", "S3", parts, what, ("s3_gb", "s3_put_thousand", "s3_get_thousand"))]


def runs_per_month(expression: str, hours: float) -> float | None:
    """How often a Scheduler expression fires in a month of `hours`: rate() exactly, cron() from its minute, hour,
    day-of-month and day-of-week fields (a month of hours/24 days), at() once; None when it cannot say."""
    text = expression.strip()
    days = hours / 24
    if text.startswith("at("):
        return 1.0
    if text.startswith("rate(") and text.endswith(")"):
        amount, _, unit = text[5:-1].strip().partition(" ")
        minutes = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}.get(unit.strip())
        if minutes is None or not amount.isdigit() or int(amount) == 0:
            return None
        return hours * 60 / (int(amount) * minutes)
    if text.startswith("cron(") and text.endswith(")"):
        fields = text[5:-1].split()
        if len(fields) != 6:
            return None
        minute, hour, dom, _month, dow, _year = fields
        counts = [_cron_count(minute, 60), _cron_count(hour, 24)]
        if None in counts:
            return None
        if dom not in ("*", "?"):
            per_month = _cron_count(dom, 31, 1)
            day_share = (per_month or 0) / (days or 1)
        elif "#" in dow:  # the n-th such weekday: once a month
            day_share = 1 / (days or 1)
        elif dow not in ("*", "?"):
            day_share = (_cron_count(dow, 7, 1) or 0) / 7
        else:
            day_share = 1.0
        return float(counts[0] or 0) * float(counts[1] or 0) * days * min(day_share, 1.0)
    return None


def _cron_count(field: str, size: int, first: int = 0) -> int | None:
    """How many values a cron field takes (values first..first+size-1): *, a/b and a-b/c steps, lists, ranges,
    day names (MON-FRI)."""
    names = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}

    def number(text: str) -> int | None:
        return int(text) if text.isdigit() else names.get(text.upper())

    total = 0
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base in ("*", "?"):
            low, high = first, first + size - 1
        elif "-" in base:
            a, _, b = base.partition("-")
            low_n, high_n = number(a), number(b)
            if low_n is None or high_n is None:
                return None
            low, high = low_n, high_n
        else:
            single = number(base)
            if single is None:
                return None
            low, high = single, (first + size - 1 if step else single)
        if step and (not step.isdigit() or int(step) == 0):
            return None
        total += len(range(low, high + 1, int(step) if step else 1))
    return total


def _schedule(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    rtype = "AWS::Scheduler::Schedule"
    expression = str(ctx.value(props.get("ScheduleExpression")) or "")
    runs = runs_per_month(expression, ctx.hours)
    if runs is None:
        return [
            Line(
                ctx.stack.region, ctx.stack.name, lid, rtype, "Scheduler", -1.0, f"cannot count runs of {expression!r}"
            )
        ]
    if ctx.value(props.get("State")) == "DISABLED":
        runs = 0.0
    lines = [
        _line(
            ctx,
            lid,
            rtype,
            "Scheduler",
            [(ctx.price("scheduler_invocation_million"), runs / 1e6)],
            f"{_n(round(runs, 1))} runs ({expression}; the account's free 14 M a month not deducted)",
        )
    ]
    ecs = (props.get("Target") or {}).get("EcsParameters") or {}
    task = _referenced(ctx, ecs.get("TaskDefinitionArn"))
    if task is None:
        return lines
    tprops = task.get("Properties") or {}
    cpu, mem = ctx.number(tprops.get("Cpu")), ctx.number(tprops.get("Memory"))
    if cpu is None or mem is None:
        lines.append(
            Line(ctx.stack.region, ctx.stack.name, lid, rtype, "Fargate", -1.0, "task size is not known before deploy")
        )
        return lines
    minutes = ctx.assume("scheduled_task_minutes")
    count = (ctx.number(ecs.get("TaskCount"), 1) or 1.0) * runs
    hours = count * minutes / 60
    strategy = ecs.get("CapacityProviderStrategy")
    on_demand, spot = _split(count, _strategy(ctx, {"CapacityProviderStrategy": strategy} if strategy else {}))
    vcpu, gb = cpu / 1024, mem / 1024
    share = (on_demand / count) if count else 1.0
    parts = [
        (ctx.price("fargate_vcpu_hour"), share * hours * vcpu),
        (ctx.price("fargate_gb_hour"), share * hours * gb),
        (ctx.price("fargate_spot_vcpu_hour"), (1 - share) * hours * vcpu),
        (ctx.price("fargate_spot_gb_hour"), (1 - share) * hours * gb),
    ]
    what = f"{_n(round(count, 1))} task runs x {_n(minutes)} min x {_n(vcpu)} vCPU, {_n(gb)} GB" + (
        f" ({_n(round(spot / count * 100))}% Spot)" if count and spot else ""
    )
    lines.append(_line(ctx, lid, rtype, "Fargate", parts, what, ("scheduled_task_minutes",)))
    return lines


def _distribution(ctx: _Ctx, lid: str, props: Mapping[str, Any]) -> Iterable[Line]:
    """A CloudFront distribution: data transferred out of its edges and its HTTPS requests, at the United States /
    Europe rates (other continents list higher); origin fetches from AWS origins are free."""
    gb, requests = ctx.assume("cdn_gb"), ctx.assume("cdn_request_million")
    parts = [(ctx.price("cloudfront_gb"), gb), (ctx.price("cloudfront_https_million"), requests)]
    what = f"{_n(gb)} GB out + {_n(requests)} M HTTPS requests (US/Europe rates; the free 1 TB and 10 M not deducted)"
    return [
        _line(ctx, lid, "AWS::CloudFront::Distribution", "CloudFront", parts, what, ("cdn_gb", "cdn_request_million"))
    ]


def _referenced(ctx: _Ctx, value: Any) -> Mapping[str, Any] | None:
    """The resource of this stack a Ref/GetAtt points at."""
    for target in sorted(references(value)):
        res = ctx.resources.get(target)
        if isinstance(res, dict):
            return res
    return None


def _n(x: float) -> str:
    return f"{x:g}" if abs(x - round(x)) > 1e-9 else str(round(x))


RULES: dict[str, Rule] = {
    "AWS::ECS::Service": _fargate,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer,
    "AWS::EC2::NatGateway": _nat,
    "AWS::EC2::EIP": _eip,
    "AWS::EC2::VPCEndpoint": _endpoint,
    "AWS::RDS::DBInstance": _db_instance,
    "AWS::RDS::DBCluster": _db_cluster,
    "AWS::ElastiCache::ServerlessCache": _serverless_cache,
    "AWS::ElastiCache::ReplicationGroup": _replication_group,
    "AWS::ElastiCache::CacheCluster": _cache_cluster,
    "AWS::ECR::ReplicationConfiguration": _ecr_replication,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::Route53::HealthCheck": _health_check,
    "AWS::WAFv2::WebACL": _web_acl,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::SNS::Subscription": _subscription,
    "AWS::DynamoDB::Table": _table,
    "AWS::S3::Bucket": _bucket,
    "AWS::Scheduler::Schedule": _schedule,
    "AWS::CloudFront::Distribution": _distribution,
}
RULES["AWS::EFS::FileSystem"] = _assumed("File systems", "efs_standard_gb_month", "efs_gb", "GB Standard")
RULES["AWS::ECR::Repository"] = _assumed("Container images", "ecr_gb_month", "ecr_gb", "GB of images")
RULES["AWS::Timestream::Database"] = _assumed(
    "Timestream", "timestream_memory_gb_hour", "timestream_memory_gb", "GB memory store", hourly=True
)
RULES["AWS::Timestream::Table"] = _assumed(
    "Timestream", "timestream_write_million", "timestream_write_million", "M writes"
)
RULES["AWS::CloudWatch::Alarm"] = _flat("CloudWatch alarms", "alarm_month", "1 standard alarm")
RULES["AWS::CloudWatch::Dashboard"] = _flat("CloudWatch dashboards", "dashboard_month", "1 dashboard")
RULES["AWS::SecretsManager::Secret"] = _flat("Secrets Manager", "secret_month", "1 secret (API calls not counted)")
RULES["AWS::KMS::Key"] = _flat("KMS", "kms_key_month", "1 customer managed key (requests not counted)")
RULES["AWS::Route53::HostedZone"] = _flat("Route 53", "hosted_zone_month", "1 hosted zone (queries not counted)")
