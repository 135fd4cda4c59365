"""The web ACL in front of a prod system's internet-facing application load balancers: AWS managed rule
groups (core rule set, known bad inputs, Amazon IP reputation) and a per-IP rate limit. One ACL per
loadbalancing stack, associated with each ALB that needs it. `web_acl(..., scope="CLOUDFRONT")` builds the
same rules for a CloudFront distribution (that ACL must be in a us-east-1 template; the distribution names
its ARN in WebACLId instead of an association)."""

from __future__ import annotations

from typing import Any, Literal

from troposphere import GetAtt, Ref, Template, wafv2

ACL = "WebAcl"
RATE_LIMIT = 2000  # requests per client IP in any 5 minutes
MANAGED = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)


def _visibility(metric: str) -> wafv2.VisibilityConfig:
    return wafv2.VisibilityConfig(CloudWatchMetricsEnabled=True, MetricName=metric, SampledRequestsEnabled=True)


EDGE_ACL = "EdgeWebAcl"  # a CLOUDFRONT ACL beside the load balancers' REGIONAL one, in the same stack


def web_acl(t: Template, system: str, env: str, scope: Literal["REGIONAL", "CLOUDFRONT"] = "REGIONAL") -> Any:
    """The stack's web ACL of that scope (created once); its ARN."""
    title = ACL if scope == "REGIONAL" else EDGE_ACL
    if title in t.resources:
        return GetAtt(t.resources[title], "Arn")
    rules = [
        wafv2.WebACLRule(
            Name="RateLimitPerIp",
            Priority=0,
            Action=wafv2.RuleAction(Block=wafv2.BlockAction()),
            Statement=wafv2.Statement(
                RateBasedStatement=wafv2.RateBasedStatement(Limit=RATE_LIMIT, AggregateKeyType="IP")
            ),
            VisibilityConfig=_visibility("RateLimitPerIp"),
        )
    ]
    rules += [
        wafv2.WebACLRule(
            Name=name,
            Priority=i,
            OverrideAction=wafv2.OverrideAction(**{"None": {}}),  # the group's own actions
            Statement=wafv2.Statement(
                ManagedRuleGroupStatement=wafv2.ManagedRuleGroupStatement(VendorName="AWS", Name=name)
            ),
            VisibilityConfig=_visibility(name),
        )
        for i, name in enumerate(MANAGED, start=1)
    ]
    what = "the load balancers" if scope == "REGIONAL" else "the distribution"
    acl = t.add_resource(
        wafv2.WebACL(
            title,
            Scope=scope,
            Description=f"{system} {env}: AWS managed rules and a rate limit in front of {what}",
            DefaultAction=wafv2.DefaultAction(Allow=wafv2.AllowAction()),
            Rules=rules,
            VisibilityConfig=_visibility(f"{system}-{env}-{'web' if scope == 'REGIONAL' else 'edge'}-acl"[:128]),
        )
    )
    return GetAtt(acl, "Arn")


def associate(t: Template, owner: str, load_balancer: Any, acl_arn: Any) -> wafv2.WebACLAssociation:
    return t.add_resource(
        wafv2.WebACLAssociation(f"{owner}WebAclAssociation", ResourceArn=Ref(load_balancer), WebACLArn=acl_arn)
    )
