"""Container secrets: a `SecretRef` from config -> the ECS `valueFrom` and what the execution role
must be allowed to read (exactly that secret or parameter, nothing wider)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awacs import kms, secretsmanager, ssm
from awacs.aws import Statement
from troposphere import Sub

from ..config.secrets import Secret
from ..config.services import SecretRef
from ..graph import StackContext
from ..naming import pascal
from . import existing
from .concat import concat
from .iam import allow
from .stores import KEYS_STACK, key_arn

SECRETS_STACK = "secrets"


def secret_arn_export(name: str) -> str:
    """The secrets stack's export for secret `name` (`db-url` -> `DbUrlSecretArn`)."""
    return f"{pascal(name)}SecretArn"


def ssm_parameter_arn(path: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{path}")


@dataclass
class ResolvedSecret:
    value_from: Any
    statement: Statement
    key_statement: Statement | None = None  # kms:Decrypt on the secret's own key, when it has one


def resolve(
    ref: SecretRef, ctx: StackContext, secret: Secret | None = None, replica: str | None = None
) -> ResolvedSecret:
    """`secret`: the config of the secret `ref` names (its key, or the existing secret it stands for).
    `replica`: the physical name under which it is read as the primary region's replica (config/replication.py):
    read by name like an existing secret, encrypted by this region's aws/secretsmanager key."""
    if ref.secret is not None:
        if replica is not None:
            arn, readable, key = existing.secret_arn(replica), existing.secret_policy_resource(replica), None
        elif secret is not None and secret.existing is not None:
            arn, readable = existing.secret_arn(secret.existing), existing.secret_policy_resource(secret.existing)
            key = secret.existing_key_arn
        else:
            arn = readable = ctx.ref(SECRETS_STACK, secret_arn_export(ref.secret))
            key = ctx.ref(KEYS_STACK, key_arn(secret.key)) if secret is not None and secret.key else None
        # ECS reads one JSON key with `<arn>:<key>::` (version stage and id left to AWSCURRENT).
        value_from = concat(arn, f":{ref.key}::") if ref.key else arn
        key_statement = allow([kms.Decrypt], [key]) if key is not None else None
        return ResolvedSecret(value_from, allow([secretsmanager.GetSecretValue], [readable]), key_statement)
    assert ref.ssm is not None  # SecretRef.check: exactly one of secret / ssm
    arn = ssm_parameter_arn(ref.ssm)
    return ResolvedSecret(arn, allow([ssm.GetParameters], [arn]))
