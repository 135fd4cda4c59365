"""E9111: in prod, PostgreSQL databases enforce TLS: their parameter group sets rds.force_ssl to 1."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod

# resource type -> (engine prefix, the property naming its parameter group, the group's type)
DATABASES = {
    "AWS::RDS::DBCluster": ("aurora-postgresql", "DBClusterParameterGroupName", "AWS::RDS::DBClusterParameterGroup"),
    "AWS::RDS::DBInstance": ("postgres", "DBParameterGroupName", "AWS::RDS::DBParameterGroup"),
}


class PostgresTls(CloudFormationLintRule):
    id = "E9111"
    shortdesc = "Prod PostgreSQL enforces TLS"
    description = "In prod, PostgreSQL clusters and instances use a parameter group with rds.force_ssl = 1"
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html"
    tags = ["stackc", "prod", "tls"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        matches = []
        for rtype, (engine, prop, group_type) in DATABASES.items():
            groups = cfn.get_resources(group_type)
            for name, r in cfn.get_resources(rtype).items():
                props = r.get("Properties", {})
                if props.get("Engine") != engine:  # Aurora members (engine aurora-postgresql) follow their cluster
                    continue
                ref = props.get(prop)
                group = groups.get(ref.get("Ref")) if isinstance(ref, dict) else None
                params = (group or {}).get("Properties", {}).get("Parameters") or {}
                if str(params.get("rds.force_ssl")) != "1":
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties"],
                            f"{name} accepts connections without TLS; leave data.<name>.force_ssl unset in prod "
                            "(a parameter group with rds.force_ssl=1), or waive E9111",
                        )
                    )
        return matches
