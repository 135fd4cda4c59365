"""Load balancing stack: per load balancer its security group, the ALB/NLB, listeners (HTTP->HTTPS
redirect, TLS policy), ACM certificate, path/host rules; and one `ip` target group per service.

It depends on nothing service-side: each service stack refs its target group and its load
balancer's security group from here, so the graph has no cycle and a listener always exists before
the ECS service that registers into its target group."""
from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Join, Ref, Template
from troposphere import certificatemanager as acm
from troposphere import ec2
from troposphere import elasticloadbalancingv2 as elb

from ..config.loadbalancing import STANDARD_PORTS, Certificate, Listener, LoadBalancer
from ..config.services import Service
from ..config.services_check import load_balancer_of
from ..config.system import System
from ..graph import StackContext
from ..naming import pascal

NAME = "loadbalancing"
SUBNET_LIST = "List<AWS::EC2::Subnet::Id>"


# Exports other stacks ref; output name == consuming parameter name, so wiring stays generic.
def security_group_export(lb: str) -> str:
    return f"{pascal(lb)}LoadBalancerSecurityGroupId"


def full_name_export(lb: str) -> str:
    return f"{pascal(lb)}LoadBalancerFullName"


def dns_name_output(lb: str) -> str:
    return f"{pascal(lb)}LoadBalancerDnsName"


def hosted_zone_output(lb: str) -> str:
    """The load balancer's canonical hosted zone, which alias records point at (failover DNS)."""
    return f"{pascal(lb)}LoadBalancerCanonicalHostedZoneId"


def target_group_export(service: str) -> str:
    return f"{pascal(service)}TargetGroupArn"


def target_group_full_name_export(service: str) -> str:
    return f"{pascal(service)}TargetGroupFullName"


def build(cfg: System, ctx: StackContext) -> None:
    for name, lb in cfg.load_balancers.items():
        _load_balancer(cfg, ctx, name, lb)


def _load_balancer(cfg: System, ctx: StackContext, name: str, lb: LoadBalancer) -> None:
    t = ctx.template
    owner = pascal(name)
    alb = lb.type == "application"
    vpc = ctx.ref("network", "VpcId")
    subnets = ctx.ref("network", "PublicSubnetIds" if lb.scheme == "internet-facing" else "PrivateSubnetIds")

    sg = t.add_resource(ec2.SecurityGroup(
        f"{owner}LoadBalancerSecurityGroup",
        GroupDescription=f"Load balancer {name}: listener ports from the allowed CIDRs",
        VpcId=vpc,
        SecurityGroupIngress=[
            ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=lst.port, ToPort=lst.port, CidrIp=cidr,
                                  Description=f"{lst.protocol} {lst.port} from {cidr}")
            for lst in lb.listeners for cidr in lb.allowed_cidrs
        ],
    ))
    resource = t.add_resource(elb.LoadBalancer(
        f"{owner}LoadBalancer",
        Type=lb.type,
        Scheme=lb.scheme,
        Subnets=subnets,
        SecurityGroups=[Ref(sg)],
        LoadBalancerAttributes=[elb.LoadBalancerAttributes(Key=k, Value=v) for k, v in _attributes(cfg, lb).items()],
    ))

    target_groups = {svc: _target_group(t, ctx, svc, cfg.services[svc], lb, vpc) for svc in lb.services()}
    certificate = _certificate(t, ctx, name, lb.certificate) if lb.certificate is not None else None
    for lst in lb.listeners:
        listener = t.add_resource(elb.Listener(
            f"{owner}{pascal(lst.key)}Listener",
            LoadBalancerArn=Ref(resource),
            Port=lst.port,
            Protocol=lst.protocol,
            DefaultActions=[_default_action(lb, lst, target_groups)],
            **({"Certificates": [elb.Certificate(CertificateArn=certificate)], "SslPolicy": lb.ssl_policy}
               if lst.protocol == "HTTPS" else {}),
        ))
        for rule in lst.rules:
            conditions = []
            if rule.paths:
                conditions.append(elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=rule.paths)))
            if rule.hosts:
                conditions.append(elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=rule.hosts)))
            t.add_resource(elb.ListenerRule(
                f"{owner}{pascal(lst.key)}Rule{rule.priority}",
                ListenerArn=Ref(listener),
                Priority=rule.priority,
                Conditions=conditions,
                Actions=[elb.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(target_groups[rule.service]))],
            ))

    lb_id = f"{owner}LoadBalancer"
    ctx.output(dns_name_output(name), GetAtt(resource, "DNSName"), description=f"DNS name of load balancer {name}")
    ctx.output(hosted_zone_output(name), GetAtt(resource, "CanonicalHostedZoneID"),
               description=f"Route 53 zone of load balancer {name} (for alias records)")
    ctx.export(f"{lb_id}Arn", Ref(resource), description=f"ARN of load balancer {name}")
    ctx.export(full_name_export(name), GetAtt(resource, "LoadBalancerFullName"),
               description=f"Full name of load balancer {name} (CloudWatch dimension)")
    ctx.export(security_group_export(name), GetAtt(sg, "GroupId"), param_type="AWS::EC2::SecurityGroup::Id",
               description=f"Security group of load balancer {name}")
    for svc, tg in target_groups.items():
        ctx.export(target_group_export(svc), Ref(tg), description=f"Target group of service {svc}")
        ctx.export(target_group_full_name_export(svc), GetAtt(tg, "TargetGroupFullName"),
                   description=f"Full name of the target group of service {svc} (CloudWatch dimension)")
        ctx.output(f"{pascal(svc)}ServiceUrl", _url(lb, svc, resource, ctx, name),
                   description=f"URL of service {svc}")


def _attributes(cfg: System, lb: LoadBalancer) -> dict[str, str]:
    attrs = {"deletion_protection.enabled": str(cfg.protect).lower()}
    if lb.type == "application":
        attrs.update({
            "idle_timeout.timeout_seconds": str(lb.idle_timeout),
            "routing.http2.enabled": str(lb.http2).lower(),
            "routing.http.drop_invalid_header_fields.enabled": "true",  # request smuggling guard
        })
        if lb.access_logs is not None:
            attrs.update({
                "access_logs.s3.enabled": "true",
                "access_logs.s3.bucket": lb.access_logs.bucket,
                "access_logs.s3.prefix": lb.access_logs.prefix,
            })
    else:
        attrs["load_balancing.cross_zone.enabled"] = "true"  # one task must serve clients of every AZ
    return attrs


def _target_group(t: Template, ctx: StackContext, name: str, svc: Service, lb: LoadBalancer, vpc: Any) -> elb.TargetGroup:
    target = svc.target
    _, port = svc.target_container() or (None, 0)
    hc = target.health_check
    attrs = {"deregistration_delay.timeout_seconds": str(target.deregistration_delay)}
    if target.stickiness is not None:
        attrs.update({"stickiness.enabled": "true", "stickiness.type": "lb_cookie",
                      "stickiness.lb_cookie.duration_seconds": str(target.stickiness)})
    return t.add_resource(elb.TargetGroup(
        f"{pascal(name)}TargetGroup",
        TargetType="ip",
        Port=port,
        Protocol="HTTP" if lb.type == "application" else "TCP",
        VpcId=vpc,
        HealthCheckEnabled=True,
        HealthCheckProtocol="HTTP",
        HealthCheckPath=hc.path,
        HealthCheckIntervalSeconds=hc.interval,
        HealthCheckTimeoutSeconds=hc.timeout,
        HealthyThresholdCount=hc.healthy_threshold,
        UnhealthyThresholdCount=hc.unhealthy_threshold,
        Matcher=elb.Matcher(HttpCode=hc.matcher),
        TargetGroupAttributes=[elb.TargetGroupAttribute(Key=k, Value=v) for k, v in attrs.items()],
    ))


def _certificate(t: Template, ctx: StackContext, name: str, cert: Certificate) -> Any:
    """The certificate ARN to serve: a root Parameter, or a certificate ACM issues and validates."""
    owner = pascal(name)
    group = f"Load balancer {name}"
    if cert.arn is not None:
        return ctx.tunable(f"{owner}CertificateArn", default=cert.arn, label=f"{name}: TLS certificate ARN",
                           group=group, AllowedPattern=r"^arn:aws[a-z-]*:acm:.+")
    domain = ctx.tunable(f"{owner}CertificateDomain", default=cert.domain, label=f"{name}: domain of the certificate",
                         group=group)
    zone = ctx.tunable(f"{owner}HostedZoneId", default=cert.hosted_zone_id, param_type="AWS::Route53::HostedZone::Id",
                       label=f"{name}: hosted zone for DNS validation", group=group)
    props: dict[str, Any] = {
        "DomainName": domain,
        "ValidationMethod": "DNS",
        # With a HostedZoneId, CloudFormation writes the validation records itself.
        "DomainValidationOptions": [acm.DomainValidationOption(DomainName=domain, HostedZoneId=zone)] + [
            acm.DomainValidationOption(DomainName=alt, HostedZoneId=zone) for alt in cert.alternative_names],
    }
    if cert.alternative_names:
        props["SubjectAlternativeNames"] = cert.alternative_names
    return Ref(t.add_resource(acm.Certificate(f"{owner}Certificate", **props)))


def _default_action(lb: LoadBalancer, lst: Listener, target_groups: dict[str, elb.TargetGroup]) -> elb.Action:
    if lb.redirects(lst):
        https = lb.https
        assert https is not None
        return elb.Action(Type="redirect", RedirectConfig=elb.RedirectConfig(
            Protocol="HTTPS", Port=str(https.port), StatusCode="HTTP_301"))
    if lst.service is not None:
        return elb.Action(Type="forward", TargetGroupArn=Ref(target_groups[lst.service]))
    return elb.Action(Type="fixed-response", FixedResponseConfig=elb.FixedResponseConfig(
        StatusCode="404", ContentType="text/plain", MessageBody="not found"))


def _url(lb: LoadBalancer, svc: str, resource: elb.LoadBalancer, ctx: StackContext, lb_name: str) -> Join:
    """Where clients reach `svc`: scheme and port of the listener that serves it (HTTPS first), a
    host the rule names (else the certificate's domain, else the load balancer's DNS name), and the
    rule's path prefix."""
    serving = [lst for lst in lb.listeners if svc in lst.services()]
    lst = next((x for x in serving if x.protocol == "HTTPS"), serving[0])
    rule = next((r for r in lst.rules if r.service == svc), None)
    host: Any = GetAtt(resource, "DNSName")
    exact_hosts = [h for h in (rule.hosts if rule else []) if "*" not in h and "?" not in h]
    if exact_hosts:
        host = exact_hosts[0]
    elif lst.protocol == "HTTPS" and lb.certificate and lb.certificate.domain and "*" not in lb.certificate.domain:
        host = Ref(f"{pascal(lb_name)}CertificateDomain")
    scheme = "https" if lst.protocol == "HTTPS" else "http"
    port = "" if STANDARD_PORTS.get(scheme.upper()) == lst.port else f":{lst.port}"
    path = rule.paths[0].rstrip("*") if rule and rule.paths else "/"
    return Join("", [f"{scheme}://", host, f"{port}{path if path.startswith('/') else '/' + path}"])
