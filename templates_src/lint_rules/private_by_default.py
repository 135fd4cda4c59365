"""E9003: tasks and data stay off the internet unless the config says so on purpose.

A resource the params deliberately make public (a dev service with a public IP for image pulls, as
seeds 000 and 004 do) carries `Metadata: {stackc: {public: "<why>"}}`, written by the builder from
the config flag; anything else public is a finding."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

# type -> (property path, value that means "public")
PUBLIC_WHEN = {
    "AWS::ECS::Service": (("NetworkConfiguration", "AwsvpcConfiguration", "AssignPublicIp"), "ENABLED"),
    "AWS::RDS::DBInstance": (("PubliclyAccessible",), True),
}


class PrivateByDefault(CloudFormationLintRule):
    id = "E9003"
    shortdesc = "Tasks and data are private unless waived"
    description = "ECS services without public IPs and databases not publicly accessible, unless Metadata.stackc.public explains why"
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
            waiver = (resource.get("Metadata") or {}).get("stackc", {}).get("public")
            if value == public_value and not waiver:
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", *path],
                        f"{name} is reachable from the internet; make it private or set the config flag that "
                        "records why (Metadata.stackc.public)",
                    )
                )
        return matches
