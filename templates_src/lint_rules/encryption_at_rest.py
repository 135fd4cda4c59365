"""E9020: data stores are encrypted at rest (and Redis in transit, since its auth token needs TLS)."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

# Resource type -> properties that must be true (or present, for the object-valued ones).
# Serverless caches, Timestream and Secrets Manager always encrypt: nothing to check there.
REQUIRED = {
    "AWS::RDS::DBCluster": ("StorageEncrypted",),
    "AWS::RDS::DBInstance": ("StorageEncrypted",),
    "AWS::ElastiCache::ReplicationGroup": ("AtRestEncryptionEnabled", "TransitEncryptionEnabled"),
    "AWS::EFS::FileSystem": ("Encrypted",),
    "AWS::S3::Bucket": ("BucketEncryption",),
}


class EncryptionAtRest(CloudFormationLintRule):
    id = "E9020"
    shortdesc = "Data stores are encrypted at rest"
    description = "Databases, caches, file systems and buckets turn on encryption at rest (Redis also in transit)"
    source_url = "https://docs.aws.amazon.com/prescriptive-guidance/latest/encryption-best-practices/welcome.html"
    tags = ["stackc", "encryption"]

    def match(self, cfn):
        matches = []
        for name, resource in cfn.get_resources().items():
            props = resource.get("Properties") or {}
            rtype = resource.get("Type")
            if rtype == "AWS::RDS::DBInstance" and props.get("DBClusterIdentifier"):
                continue  # an Aurora member: its cluster carries the setting
            for prop in REQUIRED.get(rtype, ()):
                value = props.get(prop)
                if value in (None, False, "false", "False"):
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties", prop],
                            f"{rtype} {name} needs {prop}" + ("" if prop == "BucketEncryption" else ": true"),
                        )
                    )
        return matches
