"""E9108: in prod, tasks and load balancers reach only what they need: their security groups say
their egress, and none allows every protocol to everywhere."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod

ANYWHERE = ("0.0.0.0/0", "::/0")


def _group_names(value) -> list[str]:
    """The security groups of this template a Ref or GetAtt list names."""
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and "Ref" in item:
            out.append(item["Ref"])
        elif isinstance(item, dict) and "Fn::GetAtt" in item:
            out.append(item["Fn::GetAtt"][0])
    return out


def _open(rule: dict) -> bool:
    return str(rule.get("IpProtocol")) == "-1" and (rule.get("CidrIp") in ANYWHERE or rule.get("CidrIpv6") in ANYWHERE)


class NarrowEgress(CloudFormationLintRule):
    id = "E9108"
    shortdesc = "Prod task and load balancer egress is narrow"
    description = "In prod, security groups of ECS services and load balancers list egress; none allows all traffic"
    source_url = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
    tags = ["stackc", "prod", "network"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        users = []
        for r in cfn.get_resources("AWS::ECS::Service").values():
            vpc = ((r.get("Properties", {}).get("NetworkConfiguration") or {}).get("AwsvpcConfiguration")) or {}
            users += _group_names(vpc.get("SecurityGroups"))
        for r in cfn.get_resources("AWS::ElasticLoadBalancingV2::LoadBalancer").values():
            users += _group_names(r.get("Properties", {}).get("SecurityGroups"))
        groups = cfn.get_resources("AWS::EC2::SecurityGroup")
        matches = []
        for name in sorted(set(users)):
            if name not in groups:
                continue
            egress = groups[name].get("Properties", {}).get("SecurityGroupEgress")
            if not egress or any(_open(rule) for rule in egress if isinstance(rule, dict)):
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "SecurityGroupEgress"],
                        f"{name} lets its tasks connect anywhere; leave services.<name>.egress unset in prod (HTTPS, "
                        "`uses:` stores) or list rules, or waive E9108",
                    )
                )
        return matches
