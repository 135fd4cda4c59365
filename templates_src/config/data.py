"""Data stores and KMS keys: `data:` maps a store name to one store (chosen by `kind`), `keys:` a key name
to a KMS key. Services reach both through `uses:`; see parts/wiring.py for what that adds."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union

from pydantic import BeforeValidator, Discriminator, Field, Tag

from .base import Finding, Model, Name

# Engine versions this compiler has been reviewed against. Adding one is a deliberate change (a test
# checks each against cfn-lint's list, so a version AWS never shipped cannot slip in).
AURORA_POSTGRES_VERSIONS = ("14.17", "14.18", "15.12", "15.13", "16.8", "16.9", "17.4", "17.5", "17.6", "17.7")
RDS_POSTGRES_VERSIONS = ("14.18", "15.13", "16.9", "17.4", "17.5", "17.6", "17.7")
REDIS_VERSIONS = ("6.2", "7.0", "7.1")


def _quoted(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"expected a quoted version like '{value}' (YAML reads 17.10 as the number 17.1)")
    return value


Version = Annotated[str, BeforeValidator(_quoted)]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
DbIdentifier = Annotated[str, Field(pattern=r"^[a-zA-Z][a-zA-Z0-9_]{0,62}$")]
Arn = Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:[a-z0-9-]+:")]


def env_word(name: str) -> str:
    """`chroma-db` -> `CHROMA_DB`: config names as environment variable words."""
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


class Wired(Model):
    """What every store and key shares: how `uses:` names the container variables it adds."""

    env_prefix: EnvName | None = Field(None, description="default: the store name, upper case, '-' -> '_'")
    env: dict[str, EnvName] = Field(
        default_factory=dict, description="rename one variable: {key: NAME}; keys are listed by the kind"
    )

    def env_keys(self) -> tuple[str, ...]:
        """The keys of the variables `uses:` adds, before the prefix (`host` -> `DB_HOST`)."""
        return ()

    def env_name(self, store: str, key: str) -> str:
        return self.env.get(key) or f"{self.env_prefix or env_word(store)}_{env_word(key)}"

    def check(self) -> Iterator[Finding]:
        known = self.env_keys()
        for key in self.env:
            if key not in known:
                yield Finding(("env", key), f"unknown variable key; expected one of: {', '.join(known)}", key, True)


class Store(Wired):
    key: Name | None = Field(None, description="a key from `keys:`; none: the service's AWS managed key")

    # Kinds that can name a resource they do not create (`existing:`): the fields that still apply to it.
    EXISTING_FIELDS: ClassVar[frozenset[str]] = frozenset()

    def check(self) -> Iterator[Finding]:
        yield from super().check()
        existing = getattr(self, "existing", None)
        if existing is None:
            return
        kind = self.kind  # type: ignore[attr-defined]
        for f in existing.check_for(kind):
            yield Finding(("existing", *f.path), f.message, f.value, f.has_value)
        allowed = {"kind", "existing", "env_prefix", "env"} | self.EXISTING_FIELDS
        for field in sorted(self.model_fields_set - allowed):
            yield Finding(
                (field,),
                f"does not apply to an existing {kind} (it is neither created nor changed here)"
                + ("; name its key with existing.key_arn" if field == "key" else ""),
                getattr(self, field),
            )


# The ARN service of each kind that may be `existing:`.
ARN_SERVICES = {"s3": "s3", "sqs": "sqs", "sns": "sns", "dynamodb": "dynamodb"}


class Existing(Model):
    """A resource this system uses but neither creates nor deletes, by ARN -- or by name, in the system's own
    account and region. `uses:` wires it exactly as one the system owns."""

    arn: str | None = Field(None, pattern=r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:.+$")
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_.:/-]{1,255}$")
    key_arn: str | None = Field(
        None, pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", description="its customer managed KMS key"
    )

    def check_for(self, kind: str) -> Iterator[Finding]:
        """`check` knowing the kind of store it names."""
        if (self.arn is None) == (self.name is None):
            yield Finding((), "give either `arn:` or `name:`", None, False)
            return
        if self.arn is not None:
            service = self.arn.split(":")[2]
            if service != ARN_SERVICES[kind]:
                yield Finding(("arn",), f"expected an ARN of {ARN_SERVICES[kind]} (a {kind} store)", self.arn)


class ExistingDatabase(Model):
    """A database this system uses but does not own: its credentials secret (JSON with host, port, dbname,
    username, password -- what RDS's secret attachment writes) and, optionally, the security group its
    clients are admitted to (the service's ingress rule is added there)."""

    secret: str = Field(
        pattern=r"^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+|[A-Za-z0-9/_+=.@-]{1,512})$",
        description="the secret's ARN, or its name in the system's account and region",
    )
    security_group: str | None = Field(None, pattern=r"^sg-[0-9a-f]{8,17}$")
    key_arn: str | None = Field(
        None, pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", description="the secret's KMS key"
    )

    def check_for(self, kind: str) -> Iterator[Finding]:
        return iter(())


# -- relational -------------------------------------------------------------------------------------


class Postgres(Store):
    database_name: DbIdentifier = "app"
    master_username: DbIdentifier = "app"
    backup_retention_days: int = Field(7, ge=1, le=35)
    deletion_protection: bool | None = Field(None, description="default: the system's `protect`")
    performance_insights: bool = False
    # Enhanced monitoring: OS metrics every N seconds to CloudWatch Logs (RDSOSMetrics); 0 turns it off.
    monitoring_interval: Literal[0, 1, 5, 10, 15, 30, 60] = 60
    # IAM database authentication is allowed (passwords still work: `uses:` wiring reads the secret).
    iam_auth: bool = True
    # None: on in prod, off elsewhere. force_ssl: a parameter group with rds.force_ssl=1 (clients must use
    # TLS); log_exports: the postgresql log (and upgrade log, RDS) to CloudWatch Logs (FSBP RDS.9).
    force_ssl: bool | None = None
    log_exports: bool | None = None
    # container: ECS injects host/port/name/username/password at start (execution role reads the secret).
    # app: the container gets the secret's ARN and reads it itself (task role reads the secret).
    credentials: Literal["container", "app"] = "container"
    # Rotation of the generated credentials (parts/rotation.py, AWS's hosted function). None: on in prod
    # when the app reads the secret itself (credentials: app); a task given the password at start would
    # lose new connections after each rotation until it restarts, so there it is off unless asked for.
    rotation: bool | None = Field(None, description="none: on in prod with credentials: app, else off")
    rotation_days: int = Field(30, ge=1, le=365, description="days between rotations")

    def rotates(self, prod: bool) -> bool:
        return self.rotation if self.rotation is not None else prod and self.credentials == "app"

    def env_keys(self) -> tuple[str, ...]:
        if self.credentials == "app":
            return ("secret_arn",)
        return tuple(SECRET_ENV_KEYS.values())


# Secret JSON key -> env key. The secret holds what RDS's SecretTargetAttachment adds (host, port) and
# what we generate (username, password, dbname).
SECRET_ENV_KEYS = {"host": "host", "port": "port", "dbname": "name", "username": "username", "password": "password"}


class ServerlessV2(Model):
    min_acu: float = Field(0.5, ge=0, le=256)
    max_acu: float = Field(4, ge=1, le=256)


class AuroraPostgres(Postgres):
    kind: Literal["aurora-postgres"]
    existing: ExistingDatabase | None = Field(None, description="use a database this system does not create")
    EXISTING_FIELDS: ClassVar[frozenset[str]] = frozenset({"credentials"})
    engine_version: Version = "17.6"
    instance_class: str = Field(
        "db.t4g.medium",
        pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$",
        description="provisioned writer and readers; not with serverless_v2",
    )
    readers: int = Field(0, ge=0, le=15)
    serverless_v2: ServerlessV2 | None = Field(None, description="writer and readers become db.serverless")

    def env_keys(self) -> tuple[str, ...]:
        # reader_host: the cluster's reader endpoint (the writer when there are no readers), for read-only
        # connections (`env: {reader_host: DATABASE_RO_HOST}`).
        return (*super().env_keys(), *(("reader_host",) if self.existing is None else ()))

    def check(self) -> Iterator[Finding]:
        yield from super().check()
        if self.engine_version not in AURORA_POSTGRES_VERSIONS:
            yield Finding(
                ("engine_version",),
                "unsupported aurora-postgres engine version; supported: " + ", ".join(AURORA_POSTGRES_VERSIONS),
                self.engine_version,
            )
        if self.serverless_v2 is not None:
            if "instance_class" in self.model_fields_set:
                yield Finding(
                    ("instance_class",),
                    "does not apply with serverless_v2 (instances are db.serverless); remove one of the two",
                    self.instance_class,
                )
            if self.serverless_v2.min_acu > self.serverless_v2.max_acu:
                yield Finding(
                    ("serverless_v2", "min_acu"),
                    f"must not exceed max_acu ({self.serverless_v2.max_acu:g})",
                    self.serverless_v2.min_acu,
                )
            if (self.serverless_v2.min_acu * 2) % 1 or (self.serverless_v2.max_acu * 2) % 1:
                yield Finding(
                    ("serverless_v2",),
                    "ACUs come in steps of 0.5",
                    [self.serverless_v2.min_acu, self.serverless_v2.max_acu],
                )


class RdsPostgres(Postgres):
    kind: Literal["rds-postgres"]
    existing: ExistingDatabase | None = Field(None, description="use a database this system does not create")
    EXISTING_FIELDS: ClassVar[frozenset[str]] = frozenset({"credentials"})
    engine_version: Version = "17.6"
    instance_class: str = Field("db.t4g.micro", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    allocated_storage: int = Field(20, ge=20, le=65536, description="GiB")
    max_allocated_storage: int | None = Field(None, le=65536, description="GiB; enables storage autoscaling")
    multi_az: bool = Field(True, description="a standby in a second AZ; false: one instance, restored from snapshots")

    def check(self) -> Iterator[Finding]:
        yield from super().check()
        if self.engine_version not in RDS_POSTGRES_VERSIONS:
            yield Finding(
                ("engine_version",),
                "unsupported rds-postgres engine version; supported: " + ", ".join(RDS_POSTGRES_VERSIONS),
                self.engine_version,
            )
        if self.max_allocated_storage is not None and self.max_allocated_storage <= self.allocated_storage:
            yield Finding(
                ("max_allocated_storage",),
                f"must exceed allocated_storage ({self.allocated_storage})",
                self.max_allocated_storage,
            )


# -- caches -----------------------------------------------------------------------------------------


class ValkeyServerless(Store):
    kind: Literal["valkey-serverless"]
    major_engine_version: Literal["7", "8"] = "8"
    max_data_storage_gb: int | None = Field(None, ge=1, le=5000)
    max_ecpu_per_second: int | None = Field(None, ge=1000, le=15000000)
    snapshot_retention_days: int = Field(1, ge=0, le=35)
    # Authentication (stacks/data.py): a user group whose one enabled user, `app`, signs in with a password
    # generated into Secrets Manager and handed to the containers as <PREFIX>_USERNAME / <PREFIX>_PASSWORD
    # (clients send AUTH username password over TLS); the `default` user is disabled. None: on in prod.
    auth: bool | None = Field(None, description="a user group with a generated username/password; none: on in prod")

    def authenticates(self, prod: bool) -> bool:
        return prod if self.auth is None else self.auth

    def env_keys(self) -> tuple[str, ...]:
        return ("host", "port", "username", "password")


class Redis(Store):
    """A Redis replication group: TLS in transit, encrypted at rest, an auth token in Secrets Manager."""

    kind: Literal["redis"]
    engine_version: Version = "7.1"
    node_type: str = Field("cache.t4g.micro", pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    replicas: int = Field(1, ge=0, le=5, description="read replicas; one or more enables Multi-AZ failover")
    snapshot_retention_days: int = Field(1, ge=0, le=35)
    url: bool = Field(
        False,
        description="also a secret holding rediss://:<auth token>@<host>:<port>, wired as <PREFIX>_URL "
        "(for apps that read one connection URL)",
    )

    def env_keys(self) -> tuple[str, ...]:
        return ("host", "port", "auth_token", *(("url",) if self.url else ()))

    def check(self) -> Iterator[Finding]:
        yield from super().check()
        if self.engine_version not in REDIS_VERSIONS:
            yield Finding(
                ("engine_version",),
                "unsupported redis engine version; supported: " + ", ".join(REDIS_VERSIONS),
                self.engine_version,
            )


# -- files, time series, objects -----------------------------------------------------------------------


class AccessPoint(Model):
    path: str = Field(pattern=r"^/[A-Za-z0-9_./-]*$", description="directory on the file system")
    mount_path: str = Field(pattern=r"^/[A-Za-z0-9_./-]+$", description="where containers see it")
    uid: int = Field(1000, ge=0, le=4294967295)
    gid: int = Field(1000, ge=0, le=4294967295)
    permissions: str = Field("0755", pattern=r"^[0-7]{3,4}$")
    read_only: bool = False


class Efs(Store):
    kind: Literal["efs"]
    performance_mode: Literal["generalPurpose", "maxIO"] = "generalPurpose"
    throughput_mode: Literal["elastic", "bursting"] = "elastic"
    transition_to_ia_days: Literal[1, 7, 14, 30, 60, 90, 180, 270, 365] | None = 30
    backup: bool = True
    access_points: dict[Name, AccessPoint] = Field(min_length=1)

    def env_keys(self) -> tuple[str, ...]:
        return tuple(f"{ap.replace('-', '_')}_path" for ap in self.access_points)

    def check(self) -> Iterator[Finding]:
        yield from super().check()
        seen: dict[str, str] = {}
        for name, ap in self.access_points.items():
            if ap.mount_path in seen:
                yield Finding(
                    ("access_points", name, "mount_path"),
                    f"also used by access point {seen[ap.mount_path]!r}",
                    ap.mount_path,
                )
            seen[ap.mount_path] = name


class TimestreamTable(Model):
    memory_retention_hours: int = Field(24, ge=1, le=8766)
    magnetic_retention_days: int = Field(365, ge=1, le=73000)


class Timestream(Store):
    kind: Literal["timestream"]
    tables: dict[Name, TimestreamTable] = Field(default_factory=dict)
    access: Literal["write", "read", "read-write"] = "read-write"

    def env_keys(self) -> tuple[str, ...]:
        return ("database_name", *tuple(f"{t.replace('-', '_')}_table_name" for t in self.tables))


class Lifecycle(Model):
    expire_days: int | None = Field(None, ge=1, description="delete current objects after; none: keep")
    noncurrent_expire_days: int | None = Field(90, ge=1, description="delete old versions after")
    transition_ia_days: int | None = Field(None, ge=30, description="move to STANDARD_IA after")
    abort_multipart_days: int = Field(7, ge=1)


class ServerAccessLogs(Model):
    bucket: str = Field(
        pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        description="an existing bucket that accepts S3 server access logs (e.g. the log archive)",
    )
    prefix: str = Field("", max_length=256, description="key prefix of this bucket's log objects")


class S3(Store):
    kind: Literal["s3"]
    existing: Existing | None = Field(None, description="use a resource this system does not create")
    EXISTING_FIELDS: ClassVar[frozenset[str]] = frozenset({"access"})
    versioning: bool = True
    access: Literal["read", "read-write"] = "read-write"
    lifecycle: Lifecycle = Lifecycle()
    access_logs: ServerAccessLogs | None = Field(None, description="server access logging; none: off")

    def env_keys(self) -> tuple[str, ...]:
        return ("bucket_name",)


# -- messaging and tables ------------------------------------------------------------------------------


class DeadLetter(Model):
    max_receives: int = Field(5, ge=1, le=1000, description="receipts before a message moves to the dead-letter queue")
    retention_days: int = Field(14, ge=1, le=14, description="how long dead letters are kept")


class QueueAlarms(Model):
    """Alarms to the system's alarm topic; set one to null to drop it."""

    oldest_message_seconds: int | None = Field(
        900, ge=60, description="the oldest message has waited longer than this (consumers are behind or down)"
    )
    dead_letters: int | None = Field(1, ge=1, description="at least this many messages wait in the dead-letter queue")


class Sqs(Store):
    """An SQS queue, encrypted (SQS-managed keys, or `key`), with a dead-letter queue and redrive."""

    kind: Literal["sqs"]
    existing: Existing | None = Field(None, description="use a resource this system does not create")
    EXISTING_FIELDS: ClassVar[frozenset[str]] = frozenset({"access"})
    fifo: bool = Field(False, description="a FIFO queue (exactly-once, ordered per message group)")
    content_based_deduplication: bool = Field(False, description="FIFO only: deduplicate by a hash of the body")
    visibility_timeout: int = Field(30, ge=0, le=43200, description="seconds a received message stays hidden")
    retention_days: int = Field(4, ge=1, le=14, description="how long an unconsumed message is kept")
    receive_wait_seconds: int = Field(20, ge=0, le=20, description="long polling: how long a receive waits")
    dead_letter: DeadLetter | None = Field(DeadLetter(), description="null: no dead-letter queue")
    access: Literal["send", "receive", "send-receive"] = "send-receive"
    alarms: QueueAlarms | None = Field(None, description="{} turns on the defaults")

    def env_keys(self) -> tuple[str, ...]:
        return ("queue_url", "queue_arn")

    def check(self) -> Iterator[Finding]:
        yield from super().check()
        if self.content_based_deduplication and not self.fifo:
            yield Finding(("content_based_deduplication",), "applies to FIFO queues only (fifo: true)", True)
        if self.alarms is not None and self.alarms.dead_letters is not None and self.dead_letter is None:
            yield Finding(
                ("alarms", "dead_letters"),
                "there is no dead-letter queue (dead_letter: null)",
                self.alarms.dead_letters,
            )


class Subscription(Model):
    """One subscriber: a queue of this system (`queue:`), or a protocol and endpoint."""

    queue: Name | None = Field(None, description="an `sqs` store of this system; its queue policy admits the topic")
    protocol: Literal["email", "email-json", "https", "http", "sqs", "lambda", "sms", "firehose"] | None = None
    endpoint: str | None = Field(None, min_length=1, description="with protocol: the address, URL or ARN")
    raw_message_delivery: bool = Field(False, description="sqs/https/firehose: the bare message, not SNS's envelope")
    filter_policy: dict[str, Any] | None = Field(None, description="SNS filter policy on message attributes")

    def check(self) -> Iterator[Finding]:
        if (self.queue is None) == (self.protocol is None):
            yield Finding((), "give either `queue:` or `protocol:` with `endpoint:`", None, False)
        elif self.protocol is not None and self.endpoint is None:
            yield Finding(("endpoint",), f"protocol {self.protocol} needs an endpoint", None, False)
        elif self.queue is not None and self.endpoint is not None:
            yield Finding(
                ("endpoint",), "does not apply with `queue:` (the queue's ARN is the endpoint)", self.endpoint
            )


class TopicAlarms(Model):
    failed_notifications: int | None = Field(1, ge=1, description="deliveries that failed in 5 minutes")


class Sns(Store):
    """An SNS topic, encrypted (the AWS managed aws/sns key, or `key`), with its subscriptions."""

    kind: Literal["sns"]
    existing: Existing | None = Field(None, description="use a resource this system does not create")
    EXISTING_FIELDS: ClassVar[frozenset[str]] = frozenset(())
    fifo: bool = False
    content_based_deduplication: bool = Field(False, description="FIFO only")
    subscriptions: list[Subscription] = Field(default_factory=list)
    alarms: TopicAlarms | None = Field(None, description="{} turns on the defaults")

    def env_keys(self) -> tuple[str, ...]:
        return ("topic_arn",)

    def check(self) -> Iterator[Finding]:
        yield from super().check()
        if self.content_based_deduplication and not self.fifo:
            yield Finding(("content_based_deduplication",), "applies to FIFO topics only (fifo: true)", True)
        for i, sub in enumerate(self.subscriptions):
            for f in sub.check():
                yield Finding(("subscriptions", i, *f.path), f.message, f.value, f.has_value)


def _attribute(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class KeyAttribute(Model):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,255}$")
    type: Literal["S", "N", "B"] = Field("S", description="string, number or binary")


# `pk` is short for {name: pk, type: S}; the JSON Schema (docs/) accepts both shapes as the model does.
Attribute = Annotated[KeyAttribute, BeforeValidator(_attribute, json_schema_input_type=str | KeyAttribute)]


class TableIndex(Model):
    """A global secondary index."""

    partition_key: Attribute
    sort_key: Attribute | None = None
    projection: Literal["all", "keys-only"] | list[str] = Field(
        "all", description="all attributes, the keys only, or these non-key attributes"
    )


class TableAlarms(Model):
    read_throttles: int | None = Field(1, ge=1, description="throttled read events in 5 minutes")
    write_throttles: int | None = Field(1, ge=1, description="throttled write events in 5 minutes")


class DynamoDb(Store):
    """A DynamoDB table: encrypted (the AWS managed aws/dynamodb key, or `key`), point-in-time recovery,
    deletion protection where the system is protected."""

    kind: Literal["dynamodb"]
    existing: Existing | None = Field(None, description="use a resource this system does not create")
    EXISTING_FIELDS: ClassVar[frozenset[str]] = frozenset({"access", "partition_key"})
    partition_key: Attribute | None = Field(None, description="required (unless existing)")
    sort_key: Attribute | None = None
    indexes: dict[Name, TableIndex] = Field(default_factory=dict, description="global secondary indexes")
    billing: Literal["on-demand", "provisioned"] = "on-demand"
    read_capacity: int | None = Field(None, ge=1, description="provisioned only (table and each index)")
    write_capacity: int | None = Field(None, ge=1, description="provisioned only (table and each index)")
    point_in_time_recovery: bool = True
    ttl_attribute: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]{1,255}$", description="expire items by it")
    deletion_protection: bool | None = Field(None, description="default: the system's `protect`")
    access: Literal["read", "read-write"] = "read-write"
    alarms: TableAlarms | None = Field(None, description="{} turns on the defaults")

    def env_keys(self) -> tuple[str, ...]:
        return ("table_name", "table_arn")

    def attributes(self) -> dict[str, str]:
        """Every key attribute of the table and its indexes, name -> type (the AttributeDefinitions)."""
        out: dict[str, str] = {}
        keys = [self.partition_key, self.sort_key]
        for index in self.indexes.values():
            keys += [index.partition_key, index.sort_key]
        for key in keys:
            if key is not None:
                out.setdefault(key.name, key.type)
        return out

    def check(self) -> Iterator[Finding]:
        yield from super().check()
        if self.existing is not None:
            return
        if self.partition_key is None:
            yield Finding(("partition_key",), "required: the table's partition (hash) key", None, False)
        provisioned = self.billing == "provisioned"
        for field_ in ("read_capacity", "write_capacity"):
            value = getattr(self, field_)
            if provisioned and value is None:
                yield Finding((field_,), "required with billing: provisioned", None, False)
            if not provisioned and value is not None:
                yield Finding((field_,), "applies to billing: provisioned only", value)
        keys: list[tuple[tuple[str, ...], KeyAttribute | None]] = [
            (("partition_key",), self.partition_key),
            (("sort_key",), self.sort_key),
        ]
        for name, index in self.indexes.items():
            keys += [(("indexes", name, "partition_key"), index.partition_key)]
            keys += [(("indexes", name, "sort_key"), index.sort_key)]
        seen: dict[str, str] = {}
        for path, key in keys:
            if key is None:
                continue
            if key.name in seen and seen[key.name] != key.type:
                yield Finding((*path, "type"), f"{key.name!r} is also a key of type {seen[key.name]}", key.type)
            seen.setdefault(key.name, key.type)


STORE_KINDS = (AuroraPostgres, RdsPostgres, ValkeyServerless, Redis, Efs, Timestream, S3, Sqs, Sns, DynamoDb)
KIND_NAMES: tuple[str, ...] = tuple(typing.get_args(k.model_fields["kind"].annotation)[0] for k in STORE_KINDS)


def _kind_tag(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    # Bracketed like pydantic's own branch names, so error paths read `data.db.engine_version`
    # rather than `data.db.aurora-postgres.engine_version` (the loader leaves such parts out).
    return f"[{kind}]" if kind in KIND_NAMES else None


if TYPE_CHECKING:  # what type checkers see; the validator below is built from STORE_KINDS (keep both in step)
    AnyStore = AuroraPostgres | RdsPostgres | ValkeyServerless | Redis | Efs | Timestream | S3 | Sqs | Sns | DynamoDb
else:
    AnyStore = Annotated[
        Union[tuple(Annotated[k, Tag(f"[{n}]")] for k, n in zip(STORE_KINDS, KIND_NAMES, strict=True))],  # noqa: UP007 - a Union built at run time
        Discriminator(
            _kind_tag,
            custom_error_type="invalid_kind",
            custom_error_message="expected a mapping with kind: one of " + ", ".join(KIND_NAMES),
        ),
    ]

# -- keys -------------------------------------------------------------------------------------------


class Key(Wired):
    """A customer managed KMS key. A service that `uses:` it directly gets encrypt/decrypt on it."""

    description: str = ""
    rotation_days: int | None = Field(365, ge=90, le=2560, description="none: no automatic rotation")
    alias: str | None = Field(None, pattern=r"^alias/[a-zA-Z0-9/_-]+$", description="a physical name; off by default")
    admins: list[Arn] = Field(default_factory=list, description="principals that administer it besides the account")
    users: list[Arn] = Field(default_factory=list, description="principals outside this system that may use it")
    logs: bool = Field(False, description="let CloudWatch Logs in this region encrypt log groups with it")

    def env_keys(self) -> tuple[str, ...]:
        return ("key_arn",)


def check_data(data: dict[str, AnyStore], keys: dict[str, Key]) -> Iterator[Finding]:
    """Rules across stores and keys; paths from the top of the file."""
    for name, store in data.items():
        for f in store.check():
            yield Finding(("data", name, *f.path), f.message, f.value, f.has_value)
        if store.key is not None and store.key not in keys:
            yield Finding(
                ("data", name, "key"),
                f"unknown key {store.key!r}; expected one of: "
                + (", ".join(keys) or "(no keys: add one under `keys:`)"),
                store.key,
            )
        if isinstance(store, Sns):
            for i, sub in enumerate(store.subscriptions):
                if sub.queue is None:
                    continue
                target = data.get(sub.queue)
                if target is None or not isinstance(target, Sqs):
                    queues = [n for n, s in data.items() if isinstance(s, Sqs)]
                    yield Finding(
                        ("data", name, "subscriptions", i, "queue"),
                        "expected an `sqs` store of this system; queues: " + (", ".join(queues) or "(none)"),
                        sub.queue,
                    )
                elif target.fifo != store.fifo:
                    yield Finding(
                        ("data", name, "subscriptions", i, "queue"),
                        "a FIFO topic delivers to FIFO queues only, and a standard topic to standard queues",
                        sub.queue,
                    )
    for name, key in keys.items():
        for f in key.check():
            yield Finding(("keys", name, *f.path), f.message, f.value, f.has_value)
        if name in data:
            yield Finding(("keys", name), "a store has the same name; `uses:` names must be unambiguous", name)
