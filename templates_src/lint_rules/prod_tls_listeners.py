"""E9110 (FSBP ELB.1 for ALBs): in prod, listeners serve TLS. Plain HTTP only redirects to HTTPS; a
TCP listener (its load balancer lives in another stack: internet-facing or not is not known here) and
HTTP on an internet-facing ALB need a waiver that says why."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod

PLAIN = ("HTTP", "TCP", "UDP", "TCP_UDP")


def _redirects(props: dict) -> bool:
    actions = props.get("DefaultActions") or []
    return bool(actions) and all(
        isinstance(a, dict)
        and a.get("Type") == "redirect"
        and (a.get("RedirectConfig") or {}).get("Protocol") == "HTTPS"
        for a in actions
    )


class ProdTlsListeners(CloudFormationLintRule):
    id = "E9110"
    shortdesc = "Prod listeners serve TLS"
    description = (
        "In prod, listeners are HTTPS/TLS; HTTP only redirects to HTTPS (FSBP ELB.1); internal ALBs are exempt"
    )
    source_url = "https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-1"
    tags = ["stackc", "prod", "tls"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        lbs = cfn.get_resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
        matches = []
        for name, r in cfn.get_resources("AWS::ElasticLoadBalancingV2::Listener").items():
            props = r.get("Properties", {})
            if props.get("Protocol") not in PLAIN or _redirects(props):
                continue
            arn = props.get("LoadBalancerArn")
            lb = lbs.get(arn.get("Ref")) if isinstance(arn, dict) and "Ref" in arn else None
            if lb is not None and lb.get("Properties", {}).get("Scheme") == "internal":
                continue
            matches.append(
                RuleMatch(
                    ["Resources", name, "Properties", "Protocol"],
                    f"{name} serves plain {props.get('Protocol')} in prod; give the load balancer a certificate and an "
                    "HTTPS (ALB) or TLS (NLB) listener, or waive E9110 saying why not",
                )
            )
        return matches
