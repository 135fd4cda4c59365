"""What store kinds have in common, as data: ports, subnet group, generated secret; and the names of
what the `data` and `keys` stacks export, which `uses:` wiring imports. One table, read by both sides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..naming import pascal

DATA_STACK = "data"
KEYS_STACK = "keys"


@dataclass(frozen=True)
class Shape:
    # A security group admitting `uses:` services on these ports; () = reached over the AWS API (IAM only).
    ports: tuple[int, ...]
    subnet_group: Literal["rds", "elasticache"] | None
    # credentials: JSON {username, dbname, password} + host/port from the attachment; token: a bare string.
    secret: Literal["credentials", "token"] | None
    subnets: Literal["IsolatedSubnetIds", "PrivateSubnetIds"] | None
    label: str


SHAPES: dict[str, Shape] = {
    "aurora-postgres": Shape((5432,), "rds", "credentials", "IsolatedSubnetIds", "Aurora PostgreSQL"),
    "rds-postgres": Shape((5432,), "rds", "credentials", "IsolatedSubnetIds", "RDS PostgreSQL"),
    # 6379 is the primary endpoint; the reader endpoint (6380) is not exported, so not opened either.
    "valkey-serverless": Shape((6379,), None, None, "IsolatedSubnetIds", "ElastiCache Serverless Valkey"),
    "redis": Shape((6379,), "elasticache", "token", "IsolatedSubnetIds", "ElastiCache Redis"),
    # Mount targets sit beside the tasks, in the private subnets.
    "efs": Shape((2049,), None, None, "PrivateSubnetIds", "EFS"),
    "timestream": Shape((), None, None, None, "Timestream"),
    "s3": Shape((), None, None, None, "S3"),
    # Reached over the AWS API with IAM only, like S3.
    "sqs": Shape((), None, None, None, "SQS queue"),
    "sns": Shape((), None, None, None, "SNS topic"),
    "dynamodb": Shape((), None, None, None, "DynamoDB table"),
}


def export(store: str, attribute: str) -> str:
    """The name a store's value is exported under: `export("db", "SecretArn")` -> `DbSecretArn`."""
    return pascal(store) + attribute


def key_arn(key: str) -> str:
    return pascal(key) + "KeyArn"


# Attributes exported per store (besides `SecurityGroupId` for kinds with ports), for reference:
#   aurora-postgres / rds-postgres: SecretArn, Endpoint, Port
#   valkey-serverless: Endpoint, Port          redis: SecretArn (auth token), Endpoint, Port
#   efs: FileSystemId, FileSystemArn, <Ap>AccessPointId, <Ap>AccessPointArn
#   timestream: DatabaseName, DatabaseArn, <Table>TableName, <Table>TableArn
#   s3: BucketName, BucketArn                  keys stack: <Key>KeyArn
#   sqs: QueueUrl, QueueArn, QueueName         sns: TopicArn, TopicName
#   dynamodb: TableName, TableArn
SECURITY_GROUP_ID = "SecurityGroupId"
