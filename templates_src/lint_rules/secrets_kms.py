"""E9119: in prod, a secret the system creates is encrypted with a customer managed key (KmsKeyId), not
the AWS managed aws/secretsmanager key (checkov CKV_AWS_149)."""

from cfnlint.rules import CloudFormationLintRule

from templates_src.lint_rules._required import unset_in_prod


class SecretsKms(CloudFormationLintRule):
    id = "E9119"
    shortdesc = "Prod secrets under a customer key"
    description = "In prod, every AWS::SecretsManager::Secret has a KmsKeyId"
    source_url = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html"
    tags = ["stackc", "prod", "secrets", "kms"]

    def match(self, cfn):
        return unset_in_prod(
            cfn,
            "AWS::SecretsManager::Secret",
            "KmsKeyId",
            lambda name: (
                f"{name} is encrypted with the AWS managed aws/secretsmanager key; in prod secrets take the system's "
                "key (secrets.<n>.key, observability.key or the created SystemKey), or waive E9119"
            ),
        )
