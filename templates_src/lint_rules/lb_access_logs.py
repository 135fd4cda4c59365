"""E9100 (FSBP ELB.5): in prod, every application load balancer writes access logs to S3."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod


def attributes(resource: dict) -> dict:
    return {
        a.get("Key"): a.get("Value")
        for a in resource.get("Properties", {}).get("LoadBalancerAttributes") or []
        if isinstance(a, dict)
    }


class LbAccessLogs(CloudFormationLintRule):
    id = "E9100"
    shortdesc = "Prod load balancers log access"
    description = "In prod, application load balancers have access_logs.s3.enabled (FSBP ELB.5)"
    source_url = "https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-5"
    tags = ["stackc", "prod", "logging"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        return [
            RuleMatch(
                ["Resources", name, "Properties", "LoadBalancerAttributes"],
                f"{name} writes no access logs; give load_balancers.<name>.access_logs (or leave it unset in prod "
                "for the system's bucket), or waive E9100 with the reason",
            )
            for name, r in cfn.get_resources("AWS::ElasticLoadBalancingV2::LoadBalancer").items()
            if r.get("Properties", {}).get("Type", "application") == "application"
            and attributes(r).get("access_logs.s3.enabled") != "true"
        ]
