"""Resources a system uses but does not own (`existing:` on a store): the values `uses:` wiring would import
from the data stack, computed where they are used from the ARN or name given.

Nothing is created, changed or deleted for them, so they need no stack and no cross-stack edge: an ARN is
read as it is; a name is taken to be in the consuming stack's own account and region (`${AWS::AccountId}`,
`${AWS::Region}`), which is where a service can reach a queue, table or topic without cross-account policies.
"""

from __future__ import annotations

from typing import Any

from troposphere import Sub

from ..config.data import Existing, ExistingDatabase

# Per kind: exported attribute -> (from an ARN's resource part, from a name) templates. In both, {id} is the
# resource's own identifier; an ARN's partition, region and account replace the pseudo parameters.
ATTRIBUTES: dict[str, dict[str, str]] = {
    "s3": {"BucketName": "{id}", "BucketArn": "arn:{partition}:s3:::{id}"},
    "sqs": {
        "QueueName": "{id}",
        "QueueArn": "arn:{partition}:sqs:{region}:{account}:{id}",
        "QueueUrl": "https://sqs.{region}.{suffix}/{account}/{id}",
    },
    "sns": {"TopicName": "{id}", "TopicArn": "arn:{partition}:sns:{region}:{account}:{id}"},
    "dynamodb": {"TableName": "{id}", "TableArn": "arn:{partition}:dynamodb:{region}:{account}:table/{id}"},
}
PSEUDO = {
    "partition": "${AWS::Partition}",
    "region": "${AWS::Region}",
    "account": "${AWS::AccountId}",
    "suffix": "${AWS::URLSuffix}",
}


def _identifier(kind: str, arn: str) -> str:
    resource = arn.split(":", 5)[5]
    if kind == "dynamodb":
        return resource.removeprefix("table/").split("/")[0]
    return resource


def attribute(kind: str, existing: Existing, name: str) -> Any:
    """What the data stack would export as `<Store><name>` for a store of `kind` that `existing` names."""
    template = ATTRIBUTES[kind][name]
    if existing.arn is not None:
        partition, _, region, account = existing.arn.split(":")[1:5]
        values = {"partition": partition, "region": region, "account": account, "id": _identifier(kind, existing.arn)}
        values["suffix"] = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
        return template.format(**values)
    assert existing.name is not None  # Existing.check: exactly one
    text = template.format(id=existing.name, **PSEUDO)
    return Sub(text) if "${" in text else text


def secret_arn(secret: str) -> Any:
    """A secret by ARN, or by name in the stack's account and region (a partial ARN: Secrets Manager and ECS
    resolve it to the secret whatever random suffix its full ARN has)."""
    if secret.startswith("arn:"):
        return secret
    return Sub(f"arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{secret}")


def secret_policy_resource(secret: str) -> Any:
    """What an IAM statement names for that secret: a name matches the full ARN only with its suffix."""
    if secret.startswith("arn:"):
        return secret
    return Sub(f"arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{secret}-??????")


def database_attribute(existing: ExistingDatabase, name: str) -> Any:
    if name == "SecretArn":
        return secret_arn(existing.secret)
    if name == "SecurityGroupId":
        return existing.security_group
    raise KeyError(name)


def key_arn(store: Any) -> str | None:
    """The customer key of an existing resource, when one was named."""
    existing = getattr(store, "existing", None)
    return existing.key_arn if existing is not None else None
