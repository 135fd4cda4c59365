"""E9106 (FSBP SNS.1): in prod, every SNS topic is encrypted with a KMS key."""

from cfnlint.rules import CloudFormationLintRule

from templates_src.lint_rules._required import unset_in_prod


class SnsKms(CloudFormationLintRule):
    id = "E9106"
    shortdesc = "Prod SNS topics are encrypted"
    description = "In prod, every AWS::SNS::Topic has a KmsMasterKeyId (FSBP SNS.1)"
    source_url = "https://docs.aws.amazon.com/securityhub/latest/userguide/sns-controls.html#sns-1"
    tags = ["stackc", "prod", "encryption"]

    def match(self, cfn):
        return unset_in_prod(
            cfn,
            "AWS::SNS::Topic",
            "KmsMasterKeyId",
            lambda name: (
                f"topic {name} is not encrypted; leave observability.key unset in prod (the system's key) or name one, "
                "or waive E9106"
            ),
            at_properties=True,
        )
