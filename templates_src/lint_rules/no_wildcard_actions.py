"""E9002: no IAM statement allows the action "*" or "<service>:*" (Deny statements may: they only narrow)."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch


def _walk(node, path):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, path + [key])
            # A Deny grants nothing: `s3:*` under Deny (a TLS-only bucket policy) narrows access.
            if key in ("Action", "NotAction") and node.get("Effect") != "Deny":
                for i, action in enumerate(value if isinstance(value, list) else [value]):
                    yield path + [key, i], action
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, path + [i])


class NoWildcardActions(CloudFormationLintRule):
    id = "E9002"
    shortdesc = "No wildcard IAM actions"
    description = 'IAM policy statements name their actions; "*" and "service:*" are refused'
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
    tags = ["stackc", "iam"]

    def match(self, cfn):
        matches = []
        for name, resource in cfn.get_resources().items():
            if resource.get("Type") == "AWS::EC2::VPCEndpoint":
                continue  # an endpoint policy grants nothing: it filters what IAM allows through it (E9114)
            for path, action in _walk(resource.get("Properties", {}), ["Resources", name, "Properties"]):
                if isinstance(action, str) and (action == "*" or action.endswith(":*")):
                    matches.append(RuleMatch(path, f"IAM action {action!r} in {name} is a wildcard; name the actions"))
        return matches
