"""Container secrets: a `SecretRef` from config -> the ECS `valueFrom` and what the execution role
must be allowed to read (exactly that secret or parameter, nothing wider)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awacs import kms, secretsmanager, ssm
from awacs.aws import Statement
from troposphere import Sub

from ..config.services import SecretRef
from ..graph import StackContext
from ..naming import pascal
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


def resolve(ref: SecretRef, ctx: StackContext, key: str | None = None) -> ResolvedSecret:
    """`key`: the `keys:` name the secret is encrypted with (secrets.<name>.key), if any."""
    if ref.secret is not None:
        arn = ctx.ref(SECRETS_STACK, secret_arn_export(ref.secret))
        # ECS reads one JSON key with `<arn>:<key>::` (version stage and id left to AWSCURRENT).
        value_from = concat(arn, f":{ref.key}::") if ref.key else arn
        key_statement = allow([kms.Decrypt], [ctx.ref(KEYS_STACK, key_arn(key))]) if key else None
        return ResolvedSecret(value_from, allow([secretsmanager.GetSecretValue], [arn]), key_statement)
    assert ref.ssm is not None  # SecretRef.check: exactly one of secret / ssm
    arn = ssm_parameter_arn(ref.ssm)
    return ResolvedSecret(arn, allow([ssm.GetParameters], [arn]))
