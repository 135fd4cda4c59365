"""Load balancing stack: per load balancer its security group, the ALB/NLB, its certificate and its
ALB listeners (HTTP->HTTPS redirect, TLS policy; otherwise 404 until a rule matches).

Target groups, listener rules and NLB listeners belong to the services they forward to and are
built in each service's stack (parts/targets.py): this stack depends on nothing service-side and
does not grow with the number of services."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, Template, ec2, route53
from troposphere import certificatemanager as acm
from troposphere import elasticloadbalancingv2 as elb

from ..config.loadbalancing import CLOUDFRONT_PREFIX_LIST, AccessLogs, Certificate, Listener, LoadBalancer
from ..config.system import System
from ..graph import StackContext
from ..naming import pascal
from ..parts import edge, elb_logs, lb_exports, waf
from ..parts.security_groups import no_egress

NAME = lb_exports.STACK
SUBNET_LIST = "List<AWS::EC2::Subnet::Id>"


def build(cfg: System, ctx: StackContext) -> None:
    prefix_list = None
    if any(lb.edge is not None for lb in cfg.load_balancers.values()):
        # No CloudFormation lookup by name, a different ID per region: filled at deploy (deploy/zones.py).
        prefix_list = ctx.tunable(
            edge.PREFIX_LIST_PARAMETER,
            default=None,
            label=f"ID of the managed prefix list {CLOUDFRONT_PREFIX_LIST} (filled at deploy)",
            group="Edge",
            AllowedPattern=r"^pl-[0-9a-f]{8,17}$",
        )
    for name, lb in cfg.load_balancers.items():
        _load_balancer(cfg, ctx, name, lb, prefix_list)


def _ingress(lb: LoadBalancer, prefix_list: Any) -> list[ec2.SecurityGroupRule]:
    """The listener ports from the allowed CIDRs; behind CloudFront, HTTPS from its origin-facing addresses only."""
    if lb.edge is not None and lb.https is not None:
        return [
            ec2.SecurityGroupRule(
                IpProtocol="tcp",
                FromPort=lb.https.port,
                ToPort=lb.https.port,
                SourcePrefixListId=prefix_list,
                Description=f"HTTPS {lb.https.port} from CloudFront ({CLOUDFRONT_PREFIX_LIST})",
            )
        ]
    return [
        ec2.SecurityGroupRule(
            IpProtocol="tcp",
            FromPort=lst.port,
            ToPort=lst.port,
            CidrIp=cidr,
            Description=f"{lst.protocol} {lst.port} from {cidr}",
        )
        for lst in lb.listeners
        for cidr in lb.allowed_cidrs
    ]


def _load_balancer(cfg: System, ctx: StackContext, name: str, lb: LoadBalancer, prefix_list: Any = None) -> None:
    t = ctx.template
    owner = pascal(name)
    alb = lb.type == "application"
    vpc = ctx.ref("network", "VpcId")
    subnets = ctx.ref("network", "PublicSubnetIds" if lb.scheme == "internet-facing" else "PrivateSubnetIds")

    sg = t.add_resource(
        ec2.SecurityGroup(
            f"{owner}LoadBalancerSecurityGroup",
            GroupDescription=f"Load balancer {name}: listener ports from the allowed CIDRs",
            VpcId=vpc,
            SecurityGroupIngress=_ingress(lb, prefix_list),
            SecurityGroupEgress=_egress(cfg, ctx, lb),
        )
    )
    logs, logs_policy = _access_logs(cfg, t, name, lb)
    resource = t.add_resource(
        elb.LoadBalancer(
            f"{owner}LoadBalancer",
            Type=lb.type,
            Scheme=lb.scheme,
            Subnets=subnets,
            SecurityGroups=[Ref(sg)],
            LoadBalancerAttributes=[
                elb.LoadBalancerAttributes(Key=k, Value=v) for k, v in _attributes(cfg, lb, logs).items()
            ],
            **({"DependsOn": [logs_policy.title]} if logs_policy is not None else {}),
        )
    )

    if alb and lb.scheme == "internet-facing" and (lb.waf or (lb.waf is None and cfg.prod)):
        waf.associate(t, owner, resource, waf.web_acl(t, ctx.system, ctx.env))
    certificate = _certificate(t, ctx, name, lb.certificate) if lb.certificate is not None else None
    if lb.certificate is not None and lb.certificate.domain and lb.certificate.alias_records and _single_region(cfg):
        _alias_records(t, ctx, name, lb, resource)
    if lb.edge is not None:
        _edge(cfg, ctx, name, lb)
    if certificate is not None and not alb:  # the NLB's TLS listeners live in the service stacks
        ctx.export(lb_exports.certificate_arn(name), certificate, description=f"Certificate of load balancer {name}")
    for lst in lb.listeners if alb else ():  # an NLB listener must forward: its service's stack builds it
        listener = t.add_resource(
            elb.Listener(
                f"{owner}{pascal(lst.key)}Listener",
                LoadBalancerArn=Ref(resource),
                Port=lst.port,
                Protocol=lst.protocol,
                DefaultActions=[_default_action(lb, lst)],
                **(
                    {"Certificates": [elb.Certificate(CertificateArn=certificate)], "SslPolicy": lb.ssl_policy}
                    if lst.protocol == "HTTPS"
                    else {}
                ),
            )
        )
        if lst.services():
            ctx.export(lb_exports.listener_arn(name, lst), Ref(listener), description=f"{lst.key} listener of {name}")

    ctx.output(lb_exports.dns_name(name), GetAtt(resource, "DNSName"), description=f"DNS name of load balancer {name}")
    ctx.output(
        lb_exports.hosted_zone(name),
        GetAtt(resource, "CanonicalHostedZoneID"),
        description=f"Route 53 zone of load balancer {name} (for alias records)",
    )
    ctx.export(lb_exports.load_balancer_arn(name), Ref(resource), description=f"ARN of load balancer {name}")
    ctx.export(
        lb_exports.full_name(name),
        GetAtt(resource, "LoadBalancerFullName"),
        description=f"Full name of load balancer {name} (CloudWatch dimension)",
    )
    ctx.export(
        lb_exports.security_group(name),
        GetAtt(sg, "GroupId"),
        param_type="AWS::EC2::SecurityGroup::Id",
        description=f"Security group of load balancer {name}",
    )


def _edge(cfg: System, ctx: StackContext, name: str, lb: LoadBalancer) -> None:
    """CloudFront in front of this ALB (parts/edge.py): the origin secret, the distribution, its web ACL."""
    t = ctx.template
    assert lb.edge is not None
    secret = edge.origin_secret(t, name)
    origin = lb.edge.origin_domain or Ref(lb_exports.certificate_domain(name))  # the certificate's domain parameter
    acl = edge.edge_web_acl(t, ctx.system, ctx.env, lb, prod=cfg.prod, region=cfg.region)
    dist = edge.distribution(
        t, system=ctx.system, env=ctx.env, lb_name=name, lb=lb, origin_domain=origin, secret=secret, web_acl=acl
    )
    _edge_records(cfg, t, name, lb, dist)
    ctx.output(
        f"{pascal(name)}DistributionDomainName",
        edge.domain_name(dist),
        description=f"CloudFront in front of load balancer {name}: viewers (and the aliases' DNS records) use this",
    )
    # The services' listener rules require the header (parts/targets.py).
    ctx.export(edge.origin_secret_export(name), Ref(secret), description=f"origin secret of load balancer {name}")


CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"  # the hosted zone of every CloudFront alias target (Route 53 documentation)


def _edge_records(cfg: System, t: Template, name: str, lb: LoadBalancer, dist: Any) -> None:
    """A and AAAA alias records for the edge's aliases that lie in the certificate's zone, when that zone is given
    by name (only then is it known which aliases it holds) and the load balancer writes its own records."""
    cert, aliases = lb.certificate, lb.edge.aliases if lb.edge else []
    if cert is None or not cert.hosted_zone_name or not cert.alias_records or not _single_region(cfg):
        return
    zone = cert.hosted_zone_name.rstrip(".")
    for alias in aliases:
        if "*" in alias or not (alias == zone or alias.endswith("." + zone)):
            continue
        for kind in ("A", "AAAA"):  # the distribution has IPv6 on
            t.add_resource(
                route53.RecordSetType(
                    f"{pascal(name)}{pascal(alias)}Edge{kind}Record",
                    HostedZoneId=Ref(lb_exports.hosted_zone_id(name)),
                    Name=alias,
                    Type=kind,
                    AliasTarget=route53.AliasTarget(
                        DNSName=GetAtt(dist, "DomainName"), HostedZoneId=CLOUDFRONT_ZONE, EvaluateTargetHealth=False
                    ),
                )
            )


def _egress(cfg: System, ctx: StackContext, lb: LoadBalancer) -> list[ec2.SecurityGroupRule]:
    """A load balancer only connects to its targets (traffic and health checks): TCP to their
    container ports inside the VPC (in an existing VPC, whose CIDR the config does not know, to those
    ports anywhere)."""
    ports: dict[int, list[str]] = {}
    for service in lb.services():
        target = cfg.services[service].target_container()
        if target is not None:
            ports.setdefault(target[1], []).append(service)
    if not ports:
        return [no_egress("load balancers without targets")]
    cidr = ctx.ref("network", "VpcCidr") if cfg.network.mode == "create" else "0.0.0.0/0"
    return [
        ec2.SecurityGroupRule(
            IpProtocol="tcp",
            FromPort=port,
            ToPort=port,
            CidrIp=cidr,
            Description=f"to targets on {port}: {', '.join(services)}"[:255],
        )
        for port, services in sorted(ports.items())
    ]


def _access_logs(cfg: System, t: Template, name: str, lb: LoadBalancer) -> tuple[tuple[Any, str] | None, Any]:
    """((bucket, prefix), the policy to wait for) of an ALB's access logs, or (None, None): the bucket the
    params name, else in prod the system's own (parts/elb_logs.py)."""
    if lb.type != "application" or lb.access_logs is False:
        return None, None
    if isinstance(lb.access_logs, AccessLogs):
        return (lb.access_logs.bucket, lb.access_logs.prefix), None
    if not cfg.prod:
        return None, None
    bucket, policy = elb_logs.logs_bucket(t, cfg.region)
    return (bucket, name), policy


def _attributes(cfg: System, lb: LoadBalancer, logs: tuple[Any, str] | None = None) -> dict[str, Any]:
    attrs = {"deletion_protection.enabled": str(cfg.protect).lower()}
    if lb.type == "application":
        attrs.update(
            {
                "idle_timeout.timeout_seconds": str(lb.idle_timeout),
                "routing.http2.enabled": str(lb.http2).lower(),
                "routing.http.drop_invalid_header_fields.enabled": "true",  # request smuggling guard
            }
        )
        if logs is not None:
            attrs.update(
                {"access_logs.s3.enabled": "true", "access_logs.s3.bucket": logs[0], "access_logs.s3.prefix": logs[1]}
            )
    else:
        attrs["load_balancing.cross_zone.enabled"] = "true"  # one task must serve clients of every AZ
    return attrs


def _certificate(t: Template, ctx: StackContext, name: str, cert: Certificate) -> Any:
    """The certificate ARN to serve: a root Parameter, or a certificate ACM issues and validates."""
    owner = pascal(name)
    group = f"Load balancer {name}"
    if cert.arn is not None:
        return ctx.tunable(
            f"{owner}CertificateArn",
            default=cert.arn,
            label=f"{name}: TLS certificate ARN",
            group=group,
            AllowedPattern=r"^arn:aws[a-z-]*:acm:.+",
        )
    domain = ctx.tunable(
        lb_exports.certificate_domain(name),
        default=cert.domain,
        label=f"{name}: domain of the certificate",
        group=group,
    )
    ctx.export(lb_exports.certificate_domain(name), domain, description=f"Domain of the certificate of {name}")
    zone = _zone(ctx, name, cert)
    props: dict[str, Any] = {
        "DomainName": domain,
        "ValidationMethod": "DNS",
        # With a HostedZoneId, CloudFormation writes the validation records itself.
        "DomainValidationOptions": [acm.DomainValidationOption(DomainName=domain, HostedZoneId=zone)]
        + [acm.DomainValidationOption(DomainName=alt, HostedZoneId=zone) for alt in cert.alternative_names],
    }
    if cert.alternative_names:
        props["SubjectAlternativeNames"] = cert.alternative_names
    return Ref(t.add_resource(acm.Certificate(f"{owner}Certificate", **props)))


def _zone(ctx: StackContext, name: str, cert: Certificate) -> Ref:
    """The hosted zone as a root Parameter: the ID from params as its default, or, for a zone given by
    name, no default (deploy fills it: deploy/zones.py); never a made-up ID, which CloudFormation's
    validation of the AWS::Route53::HostedZone::Id type refuses."""
    by_name = cert.hosted_zone_name.rstrip(".") if cert.hosted_zone_name else None
    return ctx.tunable(
        lb_exports.hosted_zone_id(name),
        default=cert.hosted_zone_id,
        param_type="AWS::Route53::HostedZone::Id",
        label=f"{name}: hosted zone" + (f" {by_name} (filled at deploy)" if by_name else ""),
        group=f"Load balancer {name}",
    )


def _single_region(cfg: System) -> bool:
    """Alias records live with the load balancer only when there is one: a failover system's DNS stack
    writes its records, and two regions would write the same name twice."""
    return len(cfg.regions) == 1 and cfg.failover is None


def _alias_records(t: Template, ctx: StackContext, name: str, lb: LoadBalancer, resource: elb.LoadBalancer) -> None:
    """A alias records for the certificate's domain (the root Parameter), its alternative names and the
    exact rule hosts it covers, in the zone of its DNS validation, so every URL output resolves."""
    cert = lb.certificate
    assert cert is not None and cert.domain is not None
    owner = pascal(name)
    names: dict[str, object] = {f"{owner}AliasRecord": Ref(lb_exports.certificate_domain(name))}
    hosts = [h for lst in lb.listeners for r in lst.rules for h in r.hosts if "*" not in h and "?" not in h]
    for host in [*cert.alternative_names, *hosts]:
        if host != cert.domain and cert.covers(host):
            names.setdefault(f"{owner}{pascal(host.replace('*', 'wildcard'))}AliasRecord", host)
    for logical_id, record_name in names.items():
        t.add_resource(
            route53.RecordSetType(
                logical_id,
                HostedZoneId=Ref(lb_exports.hosted_zone_id(name)),
                Name=record_name,
                Type="A",
                AliasTarget=route53.AliasTarget(
                    DNSName=GetAtt(resource, "DNSName"),
                    HostedZoneId=GetAtt(resource, "CanonicalHostedZoneID"),
                    EvaluateTargetHealth=False,
                ),
            )
        )


def _default_action(lb: LoadBalancer, lst: Listener) -> elb.Action:
    """HTTP->HTTPS redirect when the load balancer has a certificate; otherwise 404 until one of the
    services' rules (a catch-all one for the listener's default service) matches."""
    if lb.redirects(lst):
        https = lb.https
        assert https is not None
        return elb.Action(
            Type="redirect",
            RedirectConfig=elb.RedirectConfig(Protocol="HTTPS", Port=str(https.port), StatusCode="HTTP_301"),
        )
    return elb.Action(
        Type="fixed-response",
        FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="not found"
        ),
    )
