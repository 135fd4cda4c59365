"""E9109: in prod, ECS Exec sessions on a cluster are KMS-encrypted and logged."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod


class ExecSessions(CloudFormationLintRule):
    id = "E9109"
    shortdesc = "Prod ECS Exec sessions are encrypted and logged"
    description = "In prod, a cluster's ExecuteCommandConfiguration has a KmsKeyId and does not turn logging off"
    source_url = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html"
    tags = ["stackc", "prod", "logging", "encryption"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        matches = []
        for name, r in cfn.get_resources("AWS::ECS::Cluster").items():
            config = (r.get("Properties", {}).get("Configuration") or {}).get("ExecuteCommandConfiguration")
            if config is None:
                continue
            if not config.get("KmsKeyId") or config.get("Logging") == "NONE":
                matches.append(
                    RuleMatch(
                        ["Resources", name, "Properties", "Configuration", "ExecuteCommandConfiguration"],
                        f"{name}: ECS Exec sessions are not KMS-encrypted and logged; keep cluster.exec_logging on "
                        "with a log key (observability.key, or the system's in prod), or waive E9109",
                    )
                )
        return matches
