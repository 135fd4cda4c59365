"""E9118: in prod, an ElastiCache serverless cache authenticates its clients (a UserGroupId: users with
passwords or IAM), instead of admitting any client its security group lets in."""

from cfnlint.rules import CloudFormationLintRule

from templates_src.lint_rules._required import unset_in_prod


class ServerlessCacheAuth(CloudFormationLintRule):
    id = "E9118"
    shortdesc = "Prod serverless caches authenticate"
    description = "In prod, an AWS::ElastiCache::ServerlessCache names a UserGroupId"
    source_url = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html"
    tags = ["stackc", "prod", "data"]

    def match(self, cfn):
        return unset_in_prod(
            cfn,
            "AWS::ElastiCache::ServerlessCache",
            "UserGroupId",
            lambda name: (
                f"{name} admits any client that reaches it; leave data.<n>.auth unset in prod (a user group with "
                "a generated password), or waive E9118"
            ),
        )
