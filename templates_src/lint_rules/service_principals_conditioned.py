"""E9115: a key policy statement that lets an AWS service use the key says on whose behalf (a
condition: kms:ViaService, kms:EncryptionContext, aws:SourceAccount, aws:SourceArn...), in every env."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch


def _services(statement: dict) -> list:
    principal = statement.get("Principal")
    services = principal.get("Service") if isinstance(principal, dict) else None
    return [services] if isinstance(services, str) else list(services or [])


class ServicePrincipalsConditioned(CloudFormationLintRule):
    id = "E9115"
    shortdesc = "Key policy grants to AWS services are conditioned"
    description = "KMS key policy statements with a Service principal carry a Condition (confused deputy)"
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"
    tags = ["stackc", "kms", "iam"]

    def match(self, cfn):
        matches = []
        for name, r in cfn.get_resources("AWS::KMS::Key").items():
            policy = r.get("Properties", {}).get("KeyPolicy") or {}
            for i, statement in enumerate(policy.get("Statement") or []):
                unconditioned = isinstance(statement, dict) and not statement.get("Condition")
                if unconditioned and statement.get("Effect") == "Allow" and _services(statement):
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties", "KeyPolicy", "Statement", i],
                            f"{name}: statement {statement.get('Sid', i)} lets an AWS service use the key for "
                            "anyone; add aws:SourceAccount/aws:SourceArn or kms:ViaService/EncryptionContext",
                        )
                    )
        return matches
