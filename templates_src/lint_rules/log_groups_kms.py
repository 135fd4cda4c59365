"""E9105: in prod, every log group is encrypted with a customer managed KMS key."""

from cfnlint.rules import CloudFormationLintRule

from templates_src.lint_rules._required import unset_in_prod


class LogGroupsKms(CloudFormationLintRule):
    id = "E9105"
    shortdesc = "Prod log groups use a customer managed key"
    description = "In prod, every AWS::Logs::LogGroup has a KmsKeyId"
    source_url = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"
    tags = ["stackc", "prod", "encryption"]

    def match(self, cfn):
        return unset_in_prod(
            cfn,
            "AWS::Logs::LogGroup",
            "KmsKeyId",
            lambda name: (
                f"log group {name} has no KMS key; leave observability.key unset in prod (the system's key) or name "
                "one, or waive E9105"
            ),
            at_properties=True,
        )
