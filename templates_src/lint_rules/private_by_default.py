"""E9003: tasks and data stay off the internet unless the config says so on purpose.

A resource the params deliberately make public (a service with a public IP for image pulls without
NAT, as seeds 000 and 004 do) needs a waiver of E9003 in params, with the reason."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

# type -> (property path, value that means "public")
PUBLIC_WHEN = {
    "AWS::ECS::Service": (("NetworkConfiguration", "AwsvpcConfiguration", "AssignPublicIp"), "ENABLED"),
    "AWS::RDS::DBInstance": (("PubliclyAccessible",), True),
}


class PrivateByDefault(CloudFormationLintRule):
    id = "E9003"
    shortdesc = "Tasks and data are private unless waived"
    description = "ECS services without public IPs and databases not publicly accessible, unless waived"
    source_url = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html"
    tags = ["stackc", "network"]

    def match(self, cfn):
        matches = []
        for name, resource in cfn.get_resources().items():
            rule = PUBLIC_WHEN.get(resource.get("Type"))
            if rule is None:
                continue
            path, public_value = rule
            value = resource.get("Properties", {})
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value == public_value:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", *path],
                        f"{name} is reachable from the internet; make it private, or waive E9003 on it in params "
                        "(`waivers:`) with the reason",
                    )
                )
        return matches
