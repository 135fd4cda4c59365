"""The loadbalancing stack's exports, named in one place: that stack writes them, service stacks,
the dashboard, `${...}` references and the failover DNS stack read them. Output name == consuming
parameter name, so the graph wires them generically."""

from __future__ import annotations

from ..config.loadbalancing import Listener
from ..naming import pascal

STACK = "loadbalancing"


def listener_arn(lb: str, listener: Listener) -> str:
    return f"{pascal(lb)}{pascal(listener.key)}ListenerArn"


def load_balancer_arn(lb: str) -> str:
    return f"{pascal(lb)}LoadBalancerArn"


def dns_name(lb: str) -> str:
    return f"{pascal(lb)}LoadBalancerDnsName"


def hosted_zone(lb: str) -> str:
    """The load balancer's canonical hosted zone, which alias records point at (failover DNS)."""
    return f"{pascal(lb)}LoadBalancerCanonicalHostedZoneId"


def full_name(lb: str) -> str:
    """The CloudWatch `LoadBalancer` dimension."""
    return f"{pascal(lb)}LoadBalancerFullName"


def security_group(lb: str) -> str:
    return f"{pascal(lb)}LoadBalancerSecurityGroupId"


def certificate_domain(lb: str) -> str:
    return f"{pascal(lb)}CertificateDomain"


def hosted_zone_id(lb: str) -> str:
    """The root Parameter holding the hosted zone of the certificate's DNS validation and alias records."""
    return f"{pascal(lb)}HostedZoneId"


def certificate_arn(lb: str) -> str:
    """The certificate an NLB's TLS listeners (built in service stacks) serve."""
    return f"{pascal(lb)}CertificateArn"
