"""E9117: in prod, a database's credentials secret (the SecretId of a SecretTargetAttachment to an RDS
instance or cluster) has a rotation schedule (AWS::SecretsManager::RotationSchedule on the same secret)."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod

DATABASES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")


def _ref(value) -> str | None:
    return value.get("Ref") if isinstance(value, dict) else None


class DbSecretRotation(CloudFormationLintRule):
    id = "E9117"
    shortdesc = "Prod database credentials rotate"
    description = "In prod, a secret attached to an RDS instance or cluster has a RotationSchedule"
    source_url = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_managed.html"
    tags = ["stackc", "prod", "secrets"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        rotated = {
            _ref(r.get("Properties", {}).get("SecretId"))
            for r in cfn.get_resources("AWS::SecretsManager::RotationSchedule").values()
        }
        matches = []
        for r in cfn.get_resources("AWS::SecretsManager::SecretTargetAttachment").values():
            props = r.get("Properties", {})
            secret = _ref(props.get("SecretId"))
            if props.get("TargetType") in DATABASES and secret is not None and secret not in rotated:
                matches.append(
                    RuleMatch(
                        ["Resources", secret],
                        f"{secret}: the credentials of a database never rotate in prod; set data.<n>.rotation "
                        "(credentials: app reads the new password itself), or waive E9117 saying why",
                    )
                )
        return matches
