"""E9101 (FSBP EC2.6): in prod, every VPC the system creates has a flow log."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod


class VpcFlowLogs(CloudFormationLintRule):
    id = "E9101"
    shortdesc = "Prod VPCs log their flows"
    description = "In prod, each AWS::EC2::VPC has an AWS::EC2::FlowLog on it (FSBP EC2.6)"
    source_url = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-6"
    tags = ["stackc", "prod", "logging"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        logged = {
            (r.get("Properties", {}).get("ResourceId") or {}).get("Ref")
            for r in cfn.get_resources("AWS::EC2::FlowLog").values()
            if isinstance(r.get("Properties", {}).get("ResourceId"), dict)
        }
        return [
            RuleMatch(
                ["Resources", name],
                f"VPC {name} has no flow log; leave network.flow_logs.enabled unset (on in prod) or waive E9101",
            )
            for name in cfn.get_resources("AWS::EC2::VPC")
            if name not in logged
        ]
