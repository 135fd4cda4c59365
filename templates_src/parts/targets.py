"""How a service is attached to its load balancer, built inside the service's own stack.

The load balancer, its security group, certificate and listeners live in the `loadbalancing` stack;
each service adds its target group and what forwards to it (ALB listener rules; for an NLB the TCP
listener, which must forward). So the loadbalancing stack's size and outputs do not grow with the
number of services, and adding a service touches no other stack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Ref, Template
from troposphere import elasticloadbalancingv2 as elb

from ..config.loadbalancing import STANDARD_PORTS, LoadBalancer
from ..config.services import Service
from ..graph import StackContext
from ..naming import pascal
from . import edge, lb_exports
from .concat import concat

# A listener's default service is reached through a catch-all rule at the lowest priority, so the
# listener itself (in the loadbalancing stack) never points at a service's target group.
CATCH_ALL_PRIORITY = 50000


@dataclass
class Attachment:
    target_group: elb.TargetGroup
    forwarders: list[Any]  # the rules / listener that must exist before the ECS service registers
    # Traffic shifting (deployment.strategy other than rolling): ECS's second target group, the one rule
    # whose weights it moves, and the rule that sends test requests to the new tasks first.
    alternate: elb.TargetGroup | None = None
    production_rule: Any = None
    test_rule: Any = None


def _forward(primary: elb.TargetGroup, alternate: elb.TargetGroup | None) -> elb.ListenerRuleAction:
    """Forward to the service's target group; with an alternate, weighted 100/0 -- ECS moves the weights
    during a deployment (and CloudFormation leaves them alone as long as the template does not change)."""
    if alternate is None:
        return elb.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(primary))
    return elb.ListenerRuleAction(
        Type="forward",
        ForwardConfig=elb.ForwardConfig(
            TargetGroups=[
                elb.TargetGroupTuple(TargetGroupArn=Ref(primary), Weight=100),
                elb.TargetGroupTuple(TargetGroupArn=Ref(alternate), Weight=0),
            ]
        ),
    )


def _tls(ctx: StackContext, lb_name: str, lb: LoadBalancer, protocol: str) -> dict[str, Any]:
    """A TLS listener of an NLB terminates TLS with the load balancer's certificate and policy."""
    if protocol != "TLS":
        return {}
    arn = ctx.ref(lb_exports.STACK, lb_exports.certificate_arn(lb_name))
    return {"Certificates": [elb.Certificate(CertificateArn=arn)], "SslPolicy": lb.ssl_policy}


def attach(t: Template, ctx: StackContext, service: str, svc: Service, lb_name: str, lb: LoadBalancer) -> Attachment:
    """The service's target group, and the listener rules (ALB) or listener (NLB) that forward to it."""
    vpc = ctx.ref("network", "VpcId")
    tg = t.add_resource(target_group(service, svc, lb, vpc))
    alternate = None
    if svc.deployment.strategy != "rolling":  # checked: an ALB, one rule
        alternate = t.add_resource(target_group(service, svc, lb, vpc, f"{pascal(service)}AlternateTargetGroup"))
    attachment = Attachment(tg, [], alternate)
    forwarders = attachment.forwarders
    for lst in lb.listeners:
        if lb.type == "network":
            if lst.service == service:
                forwarders.append(
                    t.add_resource(
                        elb.Listener(
                            f"{pascal(lb_name)}{pascal(lst.key)}Listener",
                            LoadBalancerArn=ctx.ref(lb_exports.STACK, lb_exports.load_balancer_arn(lb_name)),
                            Port=lst.port,
                            Protocol=lst.protocol,
                            DefaultActions=[elb.Action(Type="forward", TargetGroupArn=Ref(tg))],
                            **_tls(ctx, lb_name, lb, lst.protocol),
                        )
                    )
                )
            continue
        rules = [(r.priority, r.paths, r.hosts) for r in lst.rules if r.service == service]
        if lst.service == service:
            rules.append((CATCH_ALL_PRIORITY, ["/*"], []))
        for priority, paths, hosts in rules:
            conditions = []
            if paths:
                conditions.append(
                    elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=paths))
                )
            if hosts:
                conditions.append(
                    elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=hosts))
                )
            if lb.edge is not None:  # only what CloudFront forwards carries the origin secret (parts/edge.py)
                secret = ctx.ref(lb_exports.STACK, edge.origin_secret_export(lb_name))
                conditions.append(
                    elb.Condition(
                        Field="http-header",
                        HttpHeaderConfig=elb.HttpHeaderConfig(
                            HttpHeaderName=edge.ORIGIN_HEADER, Values=[edge.header_value(secret)]
                        ),
                    )
                )
            suffix = "Default" if priority == CATCH_ALL_PRIORITY else str(priority)
            listener = ctx.ref(lb_exports.STACK, lb_exports.listener_arn(lb_name, lst))
            rule = t.add_resource(
                elb.ListenerRule(
                    f"{pascal(lb_name)}{pascal(lst.key)}Rule{suffix}",
                    ListenerArn=listener,
                    Priority=priority,
                    Conditions=conditions,
                    Actions=[_forward(tg, alternate)],
                )
            )
            forwarders.append(rule)
            if alternate is not None:
                attachment.production_rule = rule
                if svc.deployment.test_header is not None:
                    attachment.test_rule = t.add_resource(
                        elb.ListenerRule(
                            f"{pascal(lb_name)}{pascal(lst.key)}TestRule{suffix}",
                            ListenerArn=listener,
                            Priority=priority - 1,  # checked free (config/services_check.py)
                            Conditions=[
                                *conditions,
                                elb.Condition(
                                    Field="http-header",
                                    HttpHeaderConfig=elb.HttpHeaderConfig(
                                        HttpHeaderName=svc.deployment.test_header, Values=["*"]
                                    ),
                                ),
                            ],
                            Actions=[_forward(tg, alternate)],
                        )
                    )
                    forwarders.append(attachment.test_rule)
    return attachment


def target_group(service: str, svc: Service, lb: LoadBalancer, vpc: Any, title: str | None = None) -> elb.TargetGroup:
    target = svc.target
    _, port = svc.target_container() or (None, 0)
    hc = target.health_check
    attrs = {"deregistration_delay.timeout_seconds": str(target.deregistration_delay)}
    if target.stickiness is not None:
        attrs.update(
            {
                "stickiness.enabled": "true",
                "stickiness.type": "lb_cookie",
                "stickiness.lb_cookie.duration_seconds": str(target.stickiness),
            }
        )
    return elb.TargetGroup(
        title or f"{pascal(service)}TargetGroup",
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
    )


def url(ctx: StackContext, service: str, lb_name: str, lb: LoadBalancer) -> Any:
    """The service's URL as one value (`Fn::Sub`); see `url_parts`."""
    return concat(*url_parts(ctx, service, lb_name, lb))


def url_parts(ctx: StackContext, service: str, lb_name: str, lb: LoadBalancer) -> list[Any]:
    """Where clients reach the service: scheme and port of the listener that serves it (HTTPS first), a
    host the rule names (else the certificate's domain, else the load balancer's DNS name), and the
    rule's path prefix."""
    serving = [lst for lst in lb.listeners if service in lst.services()]
    lst = next((x for x in serving if x.protocol == "HTTPS"), serving[0])
    rule = next((r for r in lst.rules if r.service == service), None)
    exact_hosts = [h for h in (rule.hosts if rule else []) if "*" not in h and "?" not in h]
    host: Any
    if exact_hosts:
        host = exact_hosts[0]
    elif lst.protocol == "HTTPS" and lb.certificate and lb.certificate.domain and "*" not in lb.certificate.domain:
        host = ctx.ref(lb_exports.STACK, lb_exports.certificate_domain(lb_name))
    else:
        host = ctx.ref(lb_exports.STACK, lb_exports.dns_name(lb_name))
    scheme = "https" if lst.protocol == "HTTPS" else "http"
    port = "" if STANDARD_PORTS.get(scheme.upper()) == lst.port else f":{lst.port}"
    path = rule.paths[0].rstrip("*") if rule and rule.paths else "/"
    return [f"{scheme}://", host, f"{port}{path if path.startswith('/') else '/' + path}"]
