"""`uses:` — the single source of service <-> data wiring.

`wire(cfg, service, ctx)` returns everything a service needs to reach the stores it names in `uses:`:
the security-group ingress on each store's port, IAM statements scoped to each resource, container
environment and secrets, and EFS volumes. The service builder applies the result; nothing else in the
config repeats it.

Everything is read through `ctx.ref` on the names `parts/stores.export` gives, so the graph writes the
plumbing and the service stack waits for the data and keys stacks. Variable names are
`<PREFIX>_<KEY>` (prefix: the store name upper-cased), renamed per store with `env_prefix` / `env`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from awacs import dynamodb as ddb
from awacs import elasticfilesystem as awsefs
from awacs import kms, s3, secretsmanager, sns, sqs, timestream
from awacs.aws import Allow, Condition, Statement, StringEquals
from troposphere import ecs

from ..config.data import (
    S3,
    SECRET_ENV_KEYS,
    AuroraPostgres,
    DynamoDb,
    Efs,
    ExistingDatabase,
    Key,
    Postgres,
    Redis,
    Sns,
    Sqs,
    Store,
    Timestream,
    ValkeyServerless,
    Wired,
)
from ..config.system import System
from ..graph import StackContext
from ..naming import pascal
from ..parts import existing as existing_values
from ..parts.concat import concat
from ..parts.stores import DATA_STACK, KEYS_STACK, SECURITY_GROUP_ID, SHAPES, export, key_arn


@dataclass
class Ingress:
    """Allow the service's security group into a store's security group on `port`."""

    store: str
    group_id: Any  # the store's security group ID (a Ref to an imported parameter)
    port: int
    description: str


@dataclass
class ServiceWiring:
    ingress: list[Ingress] = field(default_factory=list)
    execution_statements: list[Any] = field(default_factory=list)  # awacs Statements (secret read, kms:Decrypt)
    task_statements: list[Any] = field(default_factory=list)  # awacs Statements (S3, Timestream, EFS ...)
    environment: dict[str, Any] = field(default_factory=dict)  # env var -> value (may be an intrinsic)
    secrets: dict[str, Any] = field(default_factory=dict)  # env var -> valueFrom (secret ARN[:json-key::])
    volumes: list[Any] = field(default_factory=list)  # troposphere ecs.Volume
    mount_points: list[Any] = field(default_factory=list)  # troposphere ecs.MountPoint


class _Wiring:
    """Accumulates one service's wiring; KMS grants are gathered per role and key, then written once."""

    def __init__(self, ctx: StackContext, stores: dict[str, Any], prod: bool = False, secret_keys: dict | None = None):
        self.ctx = ctx
        self.stores = stores
        self.prod = prod  # prod defaults that change what a store hands out (valkey-serverless auth)
        self.secret_keys = secret_keys or {}  # store -> the key of its generated secret (System.store_secret_key_name)
        self.out = ServiceWiring()
        self.kms: dict[tuple[str, str], set[str]] = {}  # (role, key name or ARN) -> actions

    def data(self, store: str, attribute: str):
        """A store's value: imported from the data stack, or computed here for an `existing:` one."""
        config = self.stores.get(store)
        existing = getattr(config, "existing", None)
        if isinstance(existing, ExistingDatabase):
            return existing_values.database_attribute(existing, attribute)
        if existing is not None and config is not None:
            return existing_values.attribute(config.kind, existing, attribute)
        return self.ctx.ref(DATA_STACK, export(store, attribute))

    def env(self, name: str, config: Wired, key: str, value: Any) -> None:
        self.out.environment[config.env_name(name, key)] = value

    def secret(self, name: str, config: Wired, key: str, value_from: Any) -> None:
        self.out.secrets[config.env_name(name, key)] = value_from

    def allow(self, role: str, sid: str, actions: list, resources: list, condition: Condition | None = None) -> None:
        props: dict[str, Any] = {"Sid": sid, "Effect": Allow, "Action": actions, "Resource": resources}
        if condition is not None:
            props["Condition"] = condition
        getattr(self.out, f"{role}_statements").append(Statement(**props))

    def grant_key(self, role: str, key: str | None, *actions) -> None:
        """`key`: a name from `keys:`, or the ARN of an existing resource's own key."""
        if key is not None:
            self.kms.setdefault((role, key), set()).update(a.JSONrepr() for a in actions)

    def finish(self) -> ServiceWiring:
        for (role, key), actions in sorted(self.kms.items()):
            ordered = [a for a in KMS_ORDER if a.JSONrepr() in actions]
            if key.startswith("arn:"):
                self.allow(role, f"UseExternalKey{role.capitalize()}", ordered, [key])
            else:
                self.allow(
                    role, f"Use{pascal(key)}Key{role.capitalize()}", ordered, [self.ctx.ref(KEYS_STACK, key_arn(key))]
                )
        return self.out


def _key(store: Store) -> str | None:
    """The key a store is encrypted with: one of `keys:`, or an existing resource's own."""
    return store.key or existing_values.key_arn(store)


def _secret_key(w: _Wiring, name: str, store: Store) -> str | None:
    """The key of the secret a store generates: its own key, or in prod the system's (data stack)."""
    return w.secret_keys.get(name) or _key(store)


KMS_ORDER = [kms.Decrypt, kms.Encrypt, kms.GenerateDataKey, kms.DescribeKey]


def wire(cfg: System, service: str, ctx: StackContext) -> ServiceWiring:
    """Wiring for one service, in the order of its `uses:` list."""
    w = _Wiring(ctx, cfg.data, cfg.prod, {n: cfg.store_secret_key_name(n) for n in cfg.data})
    for used in cfg.services[service].uses:
        if used in cfg.keys:
            _use_key(w, used, cfg.keys[used])
            continue
        store = cfg.data[used]
        shape = SHAPES[store.kind]
        existing = getattr(store, "existing", None)
        if shape.ports and not (isinstance(existing, ExistingDatabase) and existing.security_group is None):
            group = w.data(used, SECURITY_GROUP_ID)
            for port in shape.ports:
                w.out.ingress.append(Ingress(used, group, port, f"{service} uses {used} ({shape.label})"))
        WIRERS[store.kind](w, used, store)
    return w.finish()


# -- per kind -----------------------------------------------------------------------------------------


def _postgres(w: _Wiring, name: str, store: Postgres) -> None:
    arn = w.data(name, "SecretArn")
    if store.credentials == "container":
        # ECS reads the secret at task start: the execution role, never the app, holds the grant.
        role = "execution"
        for field_, key in SECRET_ENV_KEYS.items():
            w.secret(name, store, key, concat(arn, f":{field_}::"))
    else:
        role = "task"
        w.env(name, store, "secret_arn", arn)
    existing = getattr(store, "existing", None)  # aurora-postgres and rds-postgres may name an existing one
    readable = existing_values.secret_policy_resource(existing.secret) if existing is not None else arn
    w.allow(role, f"Read{pascal(name)}Secret", [secretsmanager.GetSecretValue], [readable])
    w.grant_key(role, _secret_key(w, name, store), kms.Decrypt)
    if isinstance(store, AuroraPostgres) and existing is None:
        w.env(name, store, "reader_host", w.data(name, "ReadEndpoint"))


def _cache(w: _Wiring, name: str, store: Store) -> None:
    w.env(name, store, "host", w.data(name, "Endpoint"))
    w.env(name, store, "port", w.data(name, "Port"))


def _valkey(w: _Wiring, name: str, store: ValkeyServerless) -> None:
    _cache(w, name, store)
    if getattr(store, "existing", None) is not None or not store.authenticates(w.prod):
        return
    # ECS reads the user's name and password at task start: the execution role holds the grant.
    arn = w.data(name, "SecretArn")
    w.secret(name, store, "username", concat(arn, ":username::"))
    w.secret(name, store, "password", concat(arn, ":password::"))
    w.allow("execution", f"Read{pascal(name)}Secret", [secretsmanager.GetSecretValue], [arn])
    w.grant_key("execution", _secret_key(w, name, store), kms.Decrypt)


def _redis(w: _Wiring, name: str, store: Redis) -> None:
    _cache(w, name, store)
    arn = w.data(name, "SecretArn")
    w.secret(name, store, "auth_token", arn)
    readable = [arn]
    if store.url and getattr(store, "existing", None) is None:
        url = w.data(name, "UrlSecretArn")
        w.secret(name, store, "url", url)
        readable.append(url)
    w.allow("execution", f"Read{pascal(name)}Secret", [secretsmanager.GetSecretValue], readable)
    w.grant_key("execution", _secret_key(w, name, store), kms.Decrypt)


def _efs(w: _Wiring, name: str, store: Efs) -> None:
    p = pascal(name)
    fs_id = w.data(name, "FileSystemId")
    ap_arns = []
    for ap_name, ap in store.access_points.items():
        volume = f"{p}{pascal(ap_name)}"
        w.out.volumes.append(
            ecs.Volume(
                Name=volume,
                EFSVolumeConfiguration=ecs.EFSVolumeConfiguration(
                    FilesystemId=fs_id,
                    TransitEncryption="ENABLED",
                    AuthorizationConfig=ecs.AuthorizationConfig(
                        AccessPointId=w.data(name, f"{pascal(ap_name)}AccessPointId"), IAM="ENABLED"
                    ),
                ),
            )
        )
        w.out.mount_points.append(
            ecs.MountPoint(SourceVolume=volume, ContainerPath=ap.mount_path, ReadOnly=ap.read_only)
        )
        w.env(name, store, f"{ap_name.replace('-', '_')}_path", ap.mount_path)
        ap_arns.append(w.data(name, f"{pascal(ap_name)}AccessPointArn"))
    actions = [awsefs.ClientMount]
    if not all(ap.read_only for ap in store.access_points.values()):
        actions.append(awsefs.ClientWrite)
    # Mounts through this store's access points only; the file system's root stays out of reach.
    w.allow(
        "task",
        f"Mount{p}",
        actions,
        [w.data(name, "FileSystemArn")],
        Condition(StringEquals("elasticfilesystem:AccessPointArn", ap_arns)),
    )


def _timestream(w: _Wiring, name: str, store: Timestream) -> None:
    p = pascal(name)
    w.env(name, store, "database_name", w.data(name, "DatabaseName"))
    db_arn = w.data(name, "DatabaseArn")
    if store.tables:
        tables = []
        for table in store.tables:
            w.env(name, store, f"{table.replace('-', '_')}_table_name", w.data(name, f"{pascal(table)}TableName"))
            tables.append(w.data(name, f"{pascal(table)}TableArn"))
    else:  # the app creates its tables: every table of this database, and no other
        tables = [concat(db_arn, "/table/*")]
    table_actions, db_actions = [timestream.DescribeTable], [timestream.DescribeDatabase]
    if store.access in ("write", "read-write"):
        table_actions.append(timestream.WriteRecords)
        if not store.tables:  # its migrations create them (CreateTable's resource is the new table's ARN)
            table_actions.append(timestream.CreateTable)
    if store.access in ("read", "read-write"):
        table_actions += [timestream.Select, timestream.ListMeasures]
        db_actions.append(timestream.ListTables)
    w.allow("task", f"Use{p}Tables", table_actions, tables)
    w.allow("task", f"Describe{p}Database", db_actions, [db_arn])
    # The SDK finds its cell endpoint first; DescribeEndpoints has no resource-level permission.
    w.allow("task", f"Find{p}Endpoints", [timestream.DescribeEndpoints], ["*"])


def _s3(w: _Wiring, name: str, store: S3) -> None:
    p = pascal(name)
    arn = w.data(name, "BucketArn")
    w.env(name, store, "bucket_name", w.data(name, "BucketName"))
    objects = [s3.GetObject]
    if store.access == "read-write":
        objects += [s3.PutObject, s3.DeleteObject]
    w.allow("task", f"Use{p}Objects", objects, [concat(arn, "/*")])
    w.allow("task", f"List{p}Bucket", [s3.ListBucket], [arn])
    w.grant_key("task", _key(store), kms.Decrypt, *([kms.GenerateDataKey] if store.access == "read-write" else []))


QUEUE_ACTIONS = {
    "send": [sqs.SendMessage, sqs.GetQueueAttributes, sqs.GetQueueUrl],
    "receive": [
        sqs.ReceiveMessage,
        sqs.DeleteMessage,
        sqs.ChangeMessageVisibility,
        sqs.GetQueueAttributes,
        sqs.GetQueueUrl,
    ],
}


def _sqs(w: _Wiring, name: str, store: Sqs) -> None:
    arn = w.data(name, "QueueArn")
    w.env(name, store, "queue_url", w.data(name, "QueueUrl"))
    w.env(name, store, "queue_arn", arn)
    actions: list = []
    for direction in ("send", "receive"):
        if direction in store.access:
            actions += [a for a in QUEUE_ACTIONS[direction] if a not in actions]
    w.allow("task", f"Use{pascal(name)}Queue", actions, [arn])
    # Sending encrypts a data key; receiving decrypts it (customer key only: SQS-managed keys need no grant).
    w.grant_key("task", _key(store), kms.Decrypt, *([kms.GenerateDataKey] if "send" in store.access else []))


def _sns(w: _Wiring, name: str, store: Sns) -> None:
    arn = w.data(name, "TopicArn")
    w.env(name, store, "topic_arn", arn)
    w.allow("task", f"PublishTo{pascal(name)}", [sns.Publish], [arn])
    w.grant_key("task", _key(store), kms.Decrypt, kms.GenerateDataKey)


TABLE_READ = [ddb.GetItem, ddb.BatchGetItem, ddb.Query, ddb.Scan, ddb.ConditionCheckItem, ddb.DescribeTable]
TABLE_WRITE = [ddb.PutItem, ddb.UpdateItem, ddb.DeleteItem, ddb.BatchWriteItem]


def _dynamodb(w: _Wiring, name: str, store: DynamoDb) -> None:
    arn = w.data(name, "TableArn")
    w.env(name, store, "table_name", w.data(name, "TableName"))
    w.env(name, store, "table_arn", arn)
    actions = TABLE_READ + (TABLE_WRITE if store.access == "read-write" else [])
    # The table and its indexes (Query on a GSI names the index ARN), and no other table.
    resources = [arn] + ([concat(arn, "/index/*")] if store.indexes else [])
    w.allow("task", f"Use{pascal(name)}Table", actions, resources)
    write = [kms.Encrypt, kms.GenerateDataKey] if store.access == "read-write" else []
    w.grant_key("task", _key(store), kms.Decrypt, kms.DescribeKey, *write)


def _use_key(w: _Wiring, name: str, key: Key) -> None:
    """A key used directly (envelope encryption in the app, e.g. vm-x-ai's aws-kms provider)."""
    w.env(name, key, "key_arn", w.ctx.ref(KEYS_STACK, key_arn(name)))
    w.grant_key("task", name, kms.Decrypt, kms.Encrypt, kms.GenerateDataKey, kms.DescribeKey)


WIRERS: dict[str, Callable[..., None]] = {
    "aurora-postgres": _postgres,
    "rds-postgres": _postgres,
    "valkey-serverless": _valkey,
    "redis": _redis,
    "efs": _efs,
    "timestream": _timestream,
    "s3": _s3,
    "sqs": _sqs,
    "sns": _sns,
    "dynamodb": _dynamodb,
}
