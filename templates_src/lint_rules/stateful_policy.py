"""E9001: every stateful resource carries DeletionPolicy and UpdateReplacePolicy."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.parts.stateful import policies_for


class StatefulPolicy(CloudFormationLintRule):
    id = "E9001"
    shortdesc = "Stateful resources keep their data"
    description = (
        "Databases, caches, file systems, buckets, keys and log groups need DeletionPolicy "
        "(Snapshot, or RetainExceptOnCreate) and UpdateReplacePolicy (Snapshot or Retain)"
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html"
    tags = ["stackc", "resources"]

    def match(self, cfn):
        matches = []
        for name, resource in cfn.get_resources().items():
            expected = policies_for(resource.get("Type", ""), resource.get("Properties") or {})
            if expected is None:
                continue
            for attribute, policy in zip(("DeletionPolicy", "UpdateReplacePolicy"), expected, strict=True):
                if resource.get(attribute) != policy:
                    matches.append(
                        RuleMatch(
                            ["Resources", name],
                            f"{resource['Type']} {name} needs {attribute}: {policy} (got {resource.get(attribute)})",
                        )
                    )
        return matches
