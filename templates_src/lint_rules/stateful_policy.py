"""E9001: every stateful resource carries DeletionPolicy and UpdateReplacePolicy."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.parts.stateful import policy_for


class StatefulPolicy(CloudFormationLintRule):
    id = "E9001"
    shortdesc = "Stateful resources keep their data"
    description = "Databases, caches, file systems, buckets, keys and log groups need DeletionPolicy and UpdateReplacePolicy (Snapshot or Retain)"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html"
    tags = ["stackc", "resources"]

    def match(self, cfn):
        matches = []
        for name, resource in cfn.get_resources().items():
            if policy_for(resource.get("Type", ""), resource.get("Properties") or {}) is None:
                continue
            for attribute in ("DeletionPolicy", "UpdateReplacePolicy"):
                if resource.get(attribute) not in ("Snapshot", "Retain"):
                    matches.append(
                        RuleMatch(
                            ["Resources", name],
                            f"{resource['Type']} {name} needs {attribute}: Snapshot or Retain",
                        )
                    )
        return matches
