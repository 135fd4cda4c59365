"""E9112 (FSBP RDS.9): in prod, databases export their logs to CloudWatch Logs."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod


class DbLogExports(CloudFormationLintRule):
    id = "E9112"
    shortdesc = "Prod databases export their logs"
    description = "In prod, DB clusters and standalone DB instances set EnableCloudwatchLogsExports (FSBP RDS.9)"
    source_url = "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-9"
    tags = ["stackc", "prod", "logging"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        matches = []
        for rtype in ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"):
            for name, r in cfn.get_resources(rtype).items():
                props = r.get("Properties", {})
                if rtype == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in props:
                    continue  # a cluster member: the cluster exports
                if not props.get("EnableCloudwatchLogsExports"):
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties"],
                            f"{name} keeps its logs to itself; leave data.<name>.log_exports unset in prod, or "
                            "waive E9112",
                        )
                    )
        return matches
