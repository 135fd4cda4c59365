"""E9010: HTTPS listeners use a TLS 1.2+ policy, and plain HTTP on a load balancer that serves HTTPS
only redirects to it (no content over cleartext next to a TLS listener)."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.config.ssl_policies import SSL_POLICIES


def _lb_key(listener: dict) -> str:
    return repr(listener.get("Properties", {}).get("LoadBalancerArn"))


def _redirects_to_https(listener: dict) -> bool:
    actions = listener.get("Properties", {}).get("DefaultActions") or []
    return bool(actions) and all(
        a.get("Type") == "redirect" and (a.get("RedirectConfig") or {}).get("Protocol") == "HTTPS" for a in actions
    )


class TlsListeners(CloudFormationLintRule):
    id = "E9010"
    shortdesc = "Listeners use modern TLS; HTTP redirects"
    description = (
        "HTTPS listeners name a TLS 1.2/1.3 policy; HTTP listeners next to an HTTPS listener redirect to HTTPS"
    )
    source_url = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"
    tags = ["stackc", "tls"]

    def match(self, cfn):
        matches = []
        listeners = {
            n: r for n, r in cfn.get_resources().items() if r.get("Type") == "AWS::ElasticLoadBalancingV2::Listener"
        }
        with_https = {_lb_key(r) for r in listeners.values() if r.get("Properties", {}).get("Protocol") == "HTTPS"}
        for name, res in listeners.items():
            props = res.get("Properties", {})
            if props.get("Protocol") == "HTTPS":
                policy = props.get("SslPolicy")
                if policy not in SSL_POLICIES:
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties", "SslPolicy"],
                            f"{name} uses TLS policy {policy!r}; use a TLS 1.2+/1.3 policy such as {SSL_POLICIES[0]}",
                        )
                    )
            elif props.get("Protocol") == "HTTP" and _lb_key(res) in with_https and not _redirects_to_https(res):
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "DefaultActions"],
                        f"{name} serves plain HTTP next to an HTTPS listener; redirect it to HTTPS",
                    )
                )
        return matches
