"""AWS::SecretsManager::Secret and ::SecretTargetAttachment, in moto's Secrets Manager backend.

Reference: Secret -- Ref is the ARN, GetAtt Id is the ARN; `GenerateSecretString` generates a value
(a JSON object with the generated key when `SecretStringTemplate` + `GenerateStringKey`); neither
SecretString nor GenerateSecretString creates the secret with no version (its value is set later);
`ReplicaRegions` makes replicas (moto's: same name, the primary's versions, DescribeSecret's PrimaryRegion).
SecretTargetAttachment -- adds the database's connection fields (engine, host, port,
dbClusterIdentifier / dbInstanceIdentifier) to the secret's JSON as a new AWSCURRENT version; Ref is
the secret's ARN.
"""

from __future__ import annotations

import json
import time
from typing import Any

from .base import Provider, tags


def _backend(account_id: str, region_name: str) -> Any:
    from moto.secretsmanager.models import secretsmanager_backends

    return secretsmanager_backends[account_id][region_name]


def generate(spec: dict[str, Any]) -> str:
    """GenerateSecretString as Secrets Manager's GetRandomPassword does it, with the same defaults."""
    from moto.secretsmanager.utils import random_password

    password = random_password(
        int(spec.get("PasswordLength", 32)),
        spec.get("ExcludeCharacters", ""),
        _bool(spec.get("ExcludeNumbers")),
        _bool(spec.get("ExcludePunctuation")),
        _bool(spec.get("ExcludeUppercase")),
        _bool(spec.get("ExcludeLowercase")),
        _bool(spec.get("IncludeSpace")),
        _bool(spec.get("RequireEachIncludedType", True)),
    )
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if template is None:
        return password
    document = json.loads(template)
    if key:
        document[key] = password
    return json.dumps(document)


def _replica_regions(properties: dict[str, Any]) -> set[str]:
    return {r["Region"] for r in properties.get("ReplicaRegions") or []}


def _bool(value: Any) -> bool:
    return value in (True, "true", "True")


class Secret(Provider):
    TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    REPLACE_ON = frozenset({"Name"})
    ATTRIBUTES = frozenset({"Id"})

    def create(self) -> None:
        p = self.properties
        value = p.get("SecretString")
        if value is None and p.get("GenerateSecretString") is not None:
            value = generate(p["GenerateSecretString"])
        result = _backend(self.account_id, self.region_name).create_secret(
            name=self.name,
            secret_string=value,
            secret_binary=None,
            description=p.get("Description"),
            tags=tags(p),
            kms_key_id=p.get("KmsKeyId"),
            client_request_token=None,
            replica_regions=p.get("ReplicaRegions") or [],
            force_overwrite=False,
        )
        self.arn = json.loads(result)["ARN"] if isinstance(result, str) else result["ARN"]

    def update(self, old: dict[str, Any]) -> None:
        p = self.properties
        backend = _backend(self.account_id, self.region_name)
        backend.update_secret(self.arn, description=p.get("Description"), kms_key_id=p.get("KmsKeyId"))
        if p.get("SecretString") is not None and p.get("SecretString") != old.get("SecretString"):
            backend.put_secret_value(self.arn, p["SecretString"], None, None, ["AWSCURRENT"])
        elif p.get("GenerateSecretString") != old.get("GenerateSecretString") and p.get("GenerateSecretString"):
            # AWS generates a new value when the generation settings change.
            backend.put_secret_value(self.arn, generate(p["GenerateSecretString"]), None, None, ["AWSCURRENT"])
        before, after = _replica_regions(old), _replica_regions(p)
        if before - after:
            backend.remove_regions_from_replication(self.arn, sorted(before - after))
        if after - before:
            backend.replicate_secret_to_regions(
                self.arn, [r for r in p["ReplicaRegions"] if r["Region"] in after], False
            )

    def remove(self) -> None:
        # Secrets Manager refuses to delete a secret that still has replicas: CloudFormation removes them
        # first. It deletes without a recovery window, so the name is free at once.
        backend = _backend(self.account_id, self.region_name)
        replicas = _replica_regions(self.properties)
        if replicas:
            backend.remove_regions_from_replication(self.arn, sorted(replicas))
        backend.delete_secret(self.arn, None, True)

    @property
    def ref(self) -> str:
        return self.arn

    def attributes(self) -> dict[str, Any]:
        return {"Id": self.arn}


class SecretTargetAttachment(Provider):
    TYPE = "AWS::SecretsManager::SecretTargetAttachment"
    REPLACE_ON = frozenset({"SecretId"})

    def create(self) -> None:
        self._attach()

    def update(self, old: dict[str, Any]) -> None:
        self._attach()

    def remove(self) -> None:
        # AWS leaves the secret's value as it is when the attachment goes; so does the emulator.
        pass

    def _attach(self) -> None:
        p = self.properties
        backend = _backend(self.account_id, self.region_name)
        secret = backend.describe_secret(p["SecretId"])
        self.arn = secret.arn
        current = backend.get_secret_value(p["SecretId"], None, "AWSCURRENT")
        document = json.loads(current.get("SecretString") or "{}")
        document.update(_connection(self.account_id, self.region_name, p["TargetType"], p["TargetId"]))
        backend.put_secret_value(p["SecretId"], json.dumps(document), None, None, ["AWSCURRENT"])

    @property
    def ref(self) -> str:
        return self.arn


def _connection(account_id: str, region_name: str, target_type: str, target_id: str) -> dict[str, Any]:
    """The fields Secrets Manager adds for a database target (what rotation functions read)."""
    from moto.rds.models import rds_backends

    rds = rds_backends[account_id][region_name]
    if target_type == "AWS::RDS::DBCluster":
        cluster = rds.clusters[target_id]
        return {
            "engine": "postgres" if "postgres" in cluster.engine else cluster.engine.replace("aurora-", ""),
            "host": cluster.endpoint,
            "port": int(cluster.port),
            "dbClusterIdentifier": target_id,
        }
    if target_type == "AWS::RDS::DBInstance":
        instance = rds.databases[target_id]
        return {
            "engine": instance.engine,
            "host": instance.address,
            "port": int(instance.port or 0),
            "dbInstanceIdentifier": target_id,
        }
    raise NotImplementedError(f"SecretTargetAttachment to {target_type}: the emulator has no provider for it")


class RotationSchedule(Provider):
    """AWS::SecretsManager::RotationSchedule: RotateSecret with the schedule's rules, in moto's backend, so
    DescribeSecret shows RotationEnabled and RotationRules. Ref is the secret's ARN.

    A placeholder for what runs: with `HostedRotationLambda`, AWS's transform deploys the rotation function
    (a serverless application) and rotates at once; the emulator deploys no function (moto would need one
    to invoke), so the password is not changed. moto's RotateSecret without a function ARN makes a new
    AWSCURRENT version from a stale copy of the value (it dropped the host and port the attachment had
    added), so the schedule is set on moto's secret model as RotateSecret(RotateImmediately=false) leaves it
    on AWS: rotation enabled, the rules and the next date, no new version. Removing the schedule turns
    rotation off, as CancelRotateSecret does (moto refuses that call for a secret without a function ARN).
    """

    TYPE = "AWS::SecretsManager::RotationSchedule"
    REPLACE_ON = frozenset({"SecretId"})

    def create(self) -> None:
        p = self.properties
        backend = _backend(self.account_id, self.region_name)
        self.arn = backend.describe_secret(p["SecretId"]).arn
        days = int((p.get("RotationRules") or {}).get("AutomaticallyAfterDays") or 0)
        secret = backend.secrets[self.arn]
        secret.rotation_requested = True
        secret.rotation_lambda_arn = p.get("RotationLambdaARN") or ""
        secret.auto_rotate_after_days = days
        secret.rotation_enabled = days > 0
        secret.next_rotation_date = int(time.time()) + days * 86400 if days else None

    def update(self, old: dict[str, Any]) -> None:
        self.create()

    def remove(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        if self.arn in backend.secrets:
            backend.secrets[self.arn].rotation_enabled = False

    @property
    def ref(self) -> str:
        return self.arn
