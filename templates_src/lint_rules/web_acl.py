"""E9113: in prod, every internet-facing application load balancer has a WAF web ACL."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod


class WebAcl(CloudFormationLintRule):
    id = "E9113"
    shortdesc = "Prod internet-facing ALBs have a web ACL"
    description = "In prod, an internet-facing ALB is the ResourceArn of an AWS::WAFv2::WebACLAssociation"
    source_url = "https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html#elb-16"
    tags = ["stackc", "prod", "network"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        protected = {
            (r.get("Properties", {}).get("ResourceArn") or {}).get("Ref")
            for r in cfn.get_resources("AWS::WAFv2::WebACLAssociation").values()
            if isinstance(r.get("Properties", {}).get("ResourceArn"), dict)
        }
        return [
            RuleMatch(
                ["Resources", name],
                f"{name} faces the internet without a web ACL; leave load_balancers.<name>.waf unset in prod, or "
                "waive E9113",
            )
            for name, r in cfn.get_resources("AWS::ElasticLoadBalancingV2::LoadBalancer").items()
            if r.get("Properties", {}).get("Type", "application") == "application"
            and r.get("Properties", {}).get("Scheme", "internet-facing") == "internet-facing"
            and name not in protected
        ]
