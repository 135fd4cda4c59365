"""E9106 (FSBP SNS.1): in prod, every SNS topic is encrypted with a KMS key."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod


class SnsKms(CloudFormationLintRule):
    id = "E9106"
    shortdesc = "Prod SNS topics are encrypted"
    description = "In prod, every AWS::SNS::Topic has a KmsMasterKeyId (FSBP SNS.1)"
    source_url = "https://docs.aws.amazon.com/securityhub/latest/userguide/sns-controls.html#sns-1"
    tags = ["stackc", "prod", "encryption"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        return [
            RuleMatch(
                ["Resources", name, "Properties"],
                f"topic {name} is not encrypted; leave observability.key unset in prod (the system's key) or name one, "
                "or waive E9106",
            )
            for name, r in cfn.get_resources("AWS::SNS::Topic").items()
            if not r.get("Properties", {}).get("KmsMasterKeyId")
        ]
