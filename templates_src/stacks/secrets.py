"""Secrets stack: one Secrets Manager secret per `secrets:` entry, generated or set after deploy.

Each is exported as `<Name>SecretArn`; containers reference secrets by name and the service stack
turns that into the ARN (see parts/secret_refs.py). Nothing here knows which service reads what."""

from __future__ import annotations

import json
from typing import Any

from troposphere import Ref, secretsmanager

from ..config.secrets import Secret
from ..config.system import System
from ..graph import StackContext
from ..naming import secret_logical_id
from ..parts.secret_refs import secret_arn_export
from ..parts.stores import KEYS_STACK, key_arn


def build(cfg: System, ctx: StackContext) -> None:
    replicas = cfg.secret_replica_regions()
    for name, secret in cfg.secrets.items():
        if secret.existing is not None or cfg.replicated_secret(name) is not None:
            continue  # not created here: its readers name it directly (parts/secret_refs.py)
        props = secret_props(name, cfg.secret_config(name) or secret, ctx)  # with its prod key
        physical = cfg.secret_name(name)
        if physical is not None:  # opt-in: a fixed name is a replacement trap (config/secrets.py)
            props["Name"] = physical
        if replicas:  # the other regions read these copies (config/replication.py)
            props["ReplicaRegions"] = [secretsmanager.ReplicaRegion(Region=r) for r in replicas]
        resource = ctx.template.add_resource(secretsmanager.Secret(secret_logical_id(name), **props))
        ctx.export(secret_arn_export(name), Ref(resource), description=f"ARN of secret {name}")


def secret_props(name: str, secret: Secret, ctx: StackContext) -> dict[str, Any]:
    """Properties of one secret; kept apart so options (KMS keys, rotation) can add to them."""
    props: dict[str, Any] = {"Description": secret.description or f"{ctx.system} {ctx.env}: {name}"}
    if secret.key is not None:
        props["KmsKeyId"] = ctx.ref(KEYS_STACK, key_arn(secret.key))
    gen = secret.generate
    if gen is not None:
        g: dict[str, Any] = {"PasswordLength": gen.length, "ExcludePunctuation": gen.exclude_punctuation}
        if gen.exclude_characters:
            g["ExcludeCharacters"] = gen.exclude_characters
        if gen.template is not None:
            g["SecretStringTemplate"] = json.dumps(gen.template, sort_keys=True, separators=(",", ":"))
            g["GenerateStringKey"] = gen.key
        props["GenerateSecretString"] = secretsmanager.GenerateSecretString(**g)
    # else: neither SecretString nor GenerateSecretString -> an empty secret the operator fills in
    return props
