"""E9114: in prod, VPC endpoints admit only the account's principals (a policy with a condition on
aws:PrincipalAccount, aws:PrincipalOrgID or aws:ResourceAccount, instead of the full-access default)."""

import json

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod

SCOPING_KEYS = ("aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:ResourceAccount", "aws:ResourceOrgID")


def _scoped(statement: dict) -> bool:
    if statement.get("Effect") == "Deny":
        return True
    condition = json.dumps(statement.get("Condition") or {})
    return any(key in condition for key in SCOPING_KEYS)


class EndpointPolicies(CloudFormationLintRule):
    id = "E9114"
    shortdesc = "Prod VPC endpoints admit only the account"
    description = "In prod, every VPC endpoint has a PolicyDocument whose Allow statements are scoped to the account"
    source_url = "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html"
    tags = ["stackc", "prod", "network"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        matches = []
        for name, r in cfn.get_resources("AWS::EC2::VPCEndpoint").items():
            policy = r.get("Properties", {}).get("PolicyDocument")
            statements = (policy or {}).get("Statement") if isinstance(policy, dict) else None
            if not statements or not all(isinstance(s, dict) and _scoped(s) for s in statements):
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties"],
                        f"{name} keeps the full-access endpoint policy; prod endpoints admit this account only "
                        "(waive E9114 to keep it)",
                    )
                )
        return matches
