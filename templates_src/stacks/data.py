"""Data stack: every store under `data:` with its security group, subnet group and generated secret.

What stores share (ports, subnet group, secret) is decided by `parts/stores.SHAPES` and built once by
`_common`; each kind's builder adds only the store itself and its exports. Services reach a store
through `uses:` (parts/wiring.py), which imports the exports named by `parts/stores.export`.
DeletionPolicy/UpdateReplacePolicy are not set here: parts/stateful.py applies them to every template."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from awacs import elasticfilesystem as awsefs
from awacs import s3 as awss3
from awacs.aws import PolicyDocument
from troposphere import (
    GetAtt,
    Ref,
    Select,
    Sub,
    Template,
    ec2,
    efs,
    elasticache,
    iam,
    rds,
    s3,
    secretsmanager,
    timestream,
)

from ..config.data import S3, AuroraPostgres, Efs, Postgres, RdsPostgres, Redis, Timestream, ValkeyServerless
from ..config.system import System
from ..graph import StackContext
from ..naming import dns_label_name, pascal
from ..parts import rotation
from ..parts.concat import concat
from ..parts.iam import deny_insecure_transport, trust_policy
from ..parts.security_groups import no_egress
from ..parts.stores import KEYS_STACK, SECURITY_GROUP_ID, SHAPES, Shape, export, key_arn
from . import data_messaging

AZ_LETTERS = "ABC"
MONITORING_ROLE = "RdsMonitoringRole"
# Stores never dial out: their security groups have no egress (parts/security_groups.py).
NO_EGRESS = no_egress("stores")
# Characters that break connection strings and shell lines.
PASSWORD_EXCLUDE = "\"@/\\'` :;?#&%+"


@dataclass
class Common:
    """What `_common` created for a store, by its shape."""

    security_group: ec2.SecurityGroup | None
    subnets: Any  # Ref to a List<AWS::EC2::Subnet::Id> parameter
    subnet_group: Any  # the RDS or ElastiCache subnet group
    secret: secretsmanager.Secret | None
    key: Any  # Ref to the store's KMS key ARN, or None for the AWS managed key
    secret_key: Any = None  # the key of the secrets it generates (System.store_secret_key_name), or None


def build(cfg: System, ctx: StackContext) -> None:
    for name, store in cfg.data.items():
        if getattr(store, "existing", None) is not None:
            continue  # not ours: `uses:` wiring computes its values where they are used (parts/existing.py)
        shape = SHAPES[store.kind]
        common = _common(ctx, name, store, shape, cfg.store_secret_key_name(name))
        BUILDERS[store.kind](cfg, ctx, name, store, common)


def _common(ctx: StackContext, name: str, store, shape: Shape, secret_key_name: str | None) -> Common:
    t, p = ctx.template, pascal(name)
    key = ctx.ref(KEYS_STACK, key_arn(store.key)) if store.key else None
    secret_key = ctx.ref(KEYS_STACK, key_arn(secret_key_name)) if secret_key_name else None
    subnets = ctx.ref("network", shape.subnets) if shape.subnets else None
    sg = None
    if shape.ports:
        sg = t.add_resource(
            ec2.SecurityGroup(
                f"{p}SecurityGroup",
                GroupDescription=f"{shape.label} {name}: admits the services that use it",
                VpcId=ctx.ref("network", "VpcId"),
                SecurityGroupEgress=[NO_EGRESS],
            )
        )
        ctx.export(export(name, SECURITY_GROUP_ID), GetAtt(sg, "GroupId"), description=f"{name} security group ID")
    group = None
    if shape.subnet_group == "rds":
        group = t.add_resource(
            rds.DBSubnetGroup(f"{p}SubnetGroup", DBSubnetGroupDescription=f"{name} subnets", SubnetIds=subnets)
        )
    elif shape.subnet_group == "elasticache":
        group = t.add_resource(
            elasticache.SubnetGroup(f"{p}SubnetGroup", Description=f"{name} subnets", SubnetIds=subnets)
        )
    secret = None
    if shape.secret == "credentials":
        secret = _secret(
            t,
            name,
            secret_key,
            f"{shape.label} {name} master credentials; host and port added on attachment",
            secretsmanager.GenerateSecretString(
                SecretStringTemplate=json.dumps({"username": store.master_username, "dbname": store.database_name}),
                GenerateStringKey="password",
                PasswordLength=32,
                ExcludeCharacters=PASSWORD_EXCLUDE,
            ),
        )
    elif shape.secret == "token":
        secret = _secret(
            t,
            name,
            secret_key,
            f"{shape.label} {name} auth token",
            secretsmanager.GenerateSecretString(PasswordLength=64, ExcludePunctuation=True),
        )
    return Common(sg, subnets, group, secret, key, secret_key)


def _secret(t: Template, name: str, key, description: str, generate) -> secretsmanager.Secret:
    props: dict[str, Any] = {"Description": description, "GenerateSecretString": generate}
    if key is not None:
        props["KmsKeyId"] = key
    secret = t.add_resource(secretsmanager.Secret(f"{pascal(name)}Secret", **props))
    return secret


def _resolve(secret, field: str | None = None) -> Sub:
    """A dynamic reference: the value reaches the resource, never the template or the console."""
    suffix = f":SecretString:{field}" if field else ""
    return Sub(f"{{{{resolve:secretsmanager:${{{secret.title}}}{suffix}}}}}")


def _deletion_protection(cfg: System, store: Postgres) -> bool:
    return cfg.protect if store.deletion_protection is None else store.deletion_protection


def _group(name: str) -> str:
    return f"Data store: {name}"


def _kms(c: Common, prop: str = "KmsKeyId") -> dict:
    return {prop: c.key} if c.key is not None else {}


# -- relational -------------------------------------------------------------------------------------


def _postgres_common(cfg: System, ctx: StackContext, name: str, store: AuroraPostgres | RdsPostgres, c: Common) -> dict:
    """Properties DBCluster and a standalone DBInstance share (their names differ only for two)."""
    assert c.secret is not None and c.security_group is not None
    backup = ctx.tunable(
        f"{pascal(name)}BackupRetentionDays",
        default=store.backup_retention_days,
        param_type="Number",
        label=f"{name}: backup retention (days)",
        group=_group(name),
        MinValue=1,
        MaxValue=35,
    )
    return {
        "EngineVersion": store.engine_version,
        "MasterUsername": _resolve(c.secret, "username"),
        "MasterUserPassword": _resolve(c.secret, "password"),
        "DBSubnetGroupName": Ref(c.subnet_group),
        "StorageEncrypted": True,
        **_kms(c),
        "BackupRetentionPeriod": backup,
        "DeletionProtection": _deletion_protection(cfg, store),
        "CopyTagsToSnapshot": True,
        "EnableIAMDatabaseAuthentication": store.iam_auth,
    }


def _monitoring(ctx: StackContext, name: str, store: Postgres) -> dict:
    """Enhanced monitoring through the stack's one monitoring role (made by the first store that needs it)."""
    if not store.monitoring_interval:
        return {}
    t = ctx.template
    role = t.resources.get(MONITORING_ROLE) or t.add_resource(
        iam.Role(
            MONITORING_ROLE,
            Description="RDS enhanced monitoring publishes OS metrics to CloudWatch Logs",
            AssumeRolePolicyDocument=trust_policy("monitoring.rds.amazonaws.com"),
            ManagedPolicyArns=[
                Sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")
            ],
        )
    )
    return {"MonitoringInterval": store.monitoring_interval, "MonitoringRoleArn": GetAtt(role, "Arn")}


def _performance_insights(store: Postgres, c: Common) -> dict:
    if not store.performance_insights:
        return {}
    return {
        "EnablePerformanceInsights": True,
        "PerformanceInsightsRetentionPeriod": 7,
        **_kms(c, "PerformanceInsightsKMSKeyId"),
    }


def _export_credentials(
    cfg: System, ctx: StackContext, name: str, store: Postgres, c: Common, target, target_type: str
) -> None:
    attachment = ctx.template.add_resource(
        secretsmanager.SecretTargetAttachment(
            f"{pascal(name)}SecretAttachment", SecretId=Ref(c.secret), TargetId=Ref(target), TargetType=target_type
        )
    )
    if store.rotates(cfg.prod):
        rotation.rotate(
            ctx.template,
            pascal(name),
            secret=c.secret,
            attachment=attachment,
            database_security_group=c.security_group,
            port=5432,
            vpc_id=ctx.ref("network", "VpcId"),
            subnets=ctx.ref("network", "PrivateSubnetIds"),
            key=c.secret_key,
            days=store.rotation_days,
        )
    # Ref of the attachment is the secret's ARN, and consumers then wait until host/port are in it.
    ctx.export(export(name, "SecretArn"), Ref(attachment), description=f"{name} credentials secret ARN")
    ctx.export(export(name, "Endpoint"), GetAtt(target, "Endpoint.Address"), description=f"{name} endpoint")
    ctx.export(export(name, "Port"), GetAtt(target, "Endpoint.Port"), description=f"{name} port")


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def _prod_postgres(cfg: System, t: Template, name: str, store: Postgres, family: str, aurora: bool) -> dict[str, Any]:
    """TLS enforced by a parameter group (rds.force_ssl) and logs exported to CloudWatch: on in prod
    unless the store says otherwise (lint rules E9111, E9112)."""
    props: dict[str, Any] = {}
    if (store.force_ssl is None and cfg.prod) or store.force_ssl:
        kind = rds.DBClusterParameterGroup if aurora else rds.DBParameterGroup
        group = t.add_resource(
            kind(
                f"{pascal(name)}{'Cluster' if aurora else ''}ParameterGroup",
                Description=f"{name}: clients must use TLS (rds.force_ssl)",
                Family=family,
                Parameters={"rds.force_ssl": "1"},
            )
        )
        props["DBClusterParameterGroupName" if aurora else "DBParameterGroupName"] = Ref(group)
    if (store.log_exports is None and cfg.prod) or store.log_exports:
        props["EnableCloudwatchLogsExports"] = ["postgresql"] if aurora else ["postgresql", "upgrade"]
    return props


def _aurora(cfg: System, ctx: StackContext, name: str, store: AuroraPostgres, c: Common) -> None:
    t, p = ctx.template, pascal(name)
    props = _postgres_common(cfg, ctx, name, store, c)
    if store.serverless_v2 is not None:
        acu = store.serverless_v2
        low = ctx.tunable(
            f"{p}MinCapacity",
            default=f"{acu.min_acu:g}",
            param_type="Number",
            label=f"{name}: minimum ACUs",
            group=_group(name),
            MinValue=0,
            MaxValue=256,
        )
        high = ctx.tunable(
            f"{p}MaxCapacity",
            default=f"{acu.max_acu:g}",
            param_type="Number",
            label=f"{name}: maximum ACUs",
            group=_group(name),
            MinValue=1,
            MaxValue=256,
        )
        props["ServerlessV2ScalingConfiguration"] = rds.ServerlessV2ScalingConfiguration(
            MinCapacity=low, MaxCapacity=high
        )
        instance_class: Any = "db.serverless"
    else:
        instance_class = ctx.tunable(
            f"{p}InstanceClass", default=store.instance_class, label=f"{name}: instance class", group=_group(name)
        )
    props.update(_prod_postgres(cfg, t, name, store, f"aurora-postgresql{_major(store.engine_version)}", True))
    cluster = t.add_resource(
        rds.DBCluster(
            f"{p}Cluster",
            Engine="aurora-postgresql",
            DatabaseName=store.database_name,
            Port=5432,
            VpcSecurityGroupIds=[GetAtt(c.security_group, "GroupId")],
            **props,
        )
    )
    # Readers are numbered, not named: they are interchangeable, and lowering `readers` removes the
    # highest numbers, so no instance is ever renamed.
    instances = [("Writer", 0)] + [(f"Reader{i}", 1) for i in range(1, store.readers + 1)]
    for suffix, tier in instances:
        t.add_resource(
            rds.DBInstance(
                f"{p}{suffix}",
                Engine="aurora-postgresql",
                DBClusterIdentifier=Ref(cluster),
                DBInstanceClass=instance_class,
                PubliclyAccessible=False,
                PromotionTier=tier,
                **_performance_insights(store, c),
                **_monitoring(ctx, name, store),
            )
        )
    _export_credentials(cfg, ctx, name, store, c, cluster, "AWS::RDS::DBCluster")
    ctx.export(
        export(name, "ReadEndpoint"), GetAtt(cluster, "ReadEndpoint.Address"), description=f"{name} reader endpoint"
    )


def _rds(cfg: System, ctx: StackContext, name: str, store: RdsPostgres, c: Common) -> None:
    p = pascal(name)
    props = _postgres_common(cfg, ctx, name, store, c)
    instance_class = ctx.tunable(
        f"{p}InstanceClass", default=store.instance_class, label=f"{name}: instance class", group=_group(name)
    )
    if store.max_allocated_storage is not None:
        props["MaxAllocatedStorage"] = store.max_allocated_storage
    props.update(_prod_postgres(cfg, ctx.template, name, store, f"postgres{_major(store.engine_version)}", False))
    instance = ctx.template.add_resource(
        rds.DBInstance(
            f"{p}Instance",
            Engine="postgres",
            DBName=store.database_name,
            DBInstanceClass=instance_class,
            Port="5432",
            AllocatedStorage=str(store.allocated_storage),
            StorageType="gp3",
            MultiAZ=store.multi_az,
            PubliclyAccessible=False,
            VPCSecurityGroups=[GetAtt(c.security_group, "GroupId")],
            **props,
            **_performance_insights(store, c),
            **_monitoring(ctx, name, store),
        )
    )
    _export_credentials(cfg, ctx, name, store, c, instance, "AWS::RDS::DBInstance")


# -- caches -----------------------------------------------------------------------------------------


def _valkey(cfg: System, ctx: StackContext, name: str, store: ValkeyServerless, c: Common) -> None:
    limits: dict[str, Any] = {}
    if store.max_data_storage_gb is not None:
        limits["DataStorage"] = elasticache.DataStorage(Maximum=store.max_data_storage_gb, Unit="GB")
    if store.max_ecpu_per_second is not None:
        limits["ECPUPerSecond"] = elasticache.ECPUPerSecond(Maximum=store.max_ecpu_per_second)
    cache = ctx.template.add_resource(
        elasticache.ServerlessCache(
            f"{pascal(name)}Cache",
            # Required by CloudFormation: lower case, unique per account and region, at most 40 characters.
            ServerlessCacheName=dns_label_name(ctx.system, ctx.env, name, max_length=40),
            Description=f"{ctx.system} {ctx.env} {name}",
            Engine="valkey",
            MajorEngineVersion=store.major_engine_version,
            SecurityGroupIds=[GetAtt(c.security_group, "GroupId")],
            SubnetIds=c.subnets,
            SnapshotRetentionLimit=store.snapshot_retention_days,
            **({"CacheUsageLimits": elasticache.CacheUsageLimits(**limits)} if limits else {}),
            **_kms(c),
            **(_valkey_users(ctx, name, c) if store.authenticates(cfg.prod) else {}),
        )
    )
    ctx.export(export(name, "Endpoint"), GetAtt(cache, "Endpoint.Address"), description=f"{name} endpoint")
    ctx.export(export(name, "Port"), GetAtt(cache, "Endpoint.Port"), description=f"{name} port")


# A user's access: every key and channel, every command but the dangerous ones (FLUSHALL, CONFIG, DEBUG, ...).
APP_ACCESS = "on ~* &* +@all -@dangerous"


def _valkey_users(ctx: StackContext, name: str, c: Common) -> dict[str, Any]:
    """A user group for the cache: `app` signs in with the password generated into the store's secret
    (wired to the containers, parts/wiring.py); the `default` user every group has is switched off, so
    a client without credentials gets nothing. Returns the cache's UserGroupId property."""
    t, p = ctx.template, pascal(name)
    label = dns_label_name(ctx.system, ctx.env, name, max_length=32)  # IDs: at most 40 characters
    secret = _secret(
        t,
        name,
        c.secret_key,
        f"ElastiCache Serverless Valkey {name}: the app user's name and password",
        secretsmanager.GenerateSecretString(
            SecretStringTemplate=json.dumps({"username": "app"}),
            GenerateStringKey="password",
            PasswordLength=64,  # ElastiCache takes 16-128 printable characters
            ExcludePunctuation=True,
        ),
    )
    default = t.add_resource(
        elasticache.User(
            f"{p}DefaultUser",
            UserId=f"{label}-default",
            UserName="default",
            Engine="valkey",
            AccessString="off -@all",
            AuthenticationMode=elasticache.AuthenticationMode(Type="no-password-required"),
        )
    )
    app = t.add_resource(
        elasticache.User(
            f"{p}AppUser",
            UserId=f"{label}-app",
            UserName="app",
            Engine="valkey",
            AccessString=APP_ACCESS,
            AuthenticationMode=elasticache.AuthenticationMode(
                Type="password", Passwords=[_resolve(secret, "password")]
            ),
        )
    )
    group = t.add_resource(
        elasticache.UserGroup(f"{p}UserGroup", UserGroupId=label, Engine="valkey", UserIds=[Ref(default), Ref(app)])
    )
    ctx.export(export(name, "SecretArn"), Ref(secret), description=f"{name} app user secret ARN")
    return {"UserGroupId": Ref(group)}


def _redis(cfg: System, ctx: StackContext, name: str, store: Redis, c: Common) -> None:
    p = pascal(name)
    node_type = ctx.tunable(f"{p}NodeType", default=store.node_type, label=f"{name}: node type", group=_group(name))
    failover = store.replicas > 0
    group = ctx.template.add_resource(
        elasticache.ReplicationGroup(
            f"{p}ReplicationGroup",
            ReplicationGroupDescription=f"{ctx.system} {ctx.env} {name}",
            Engine="redis",
            EngineVersion=store.engine_version,
            CacheNodeType=node_type,
            Port=6379,
            NumCacheClusters=1 + store.replicas,
            AutomaticFailoverEnabled=failover,
            MultiAZEnabled=failover,
            CacheSubnetGroupName=Ref(c.subnet_group),
            SecurityGroupIds=[GetAtt(c.security_group, "GroupId")],
            AtRestEncryptionEnabled=True,
            TransitEncryptionEnabled=True,
            AuthToken=_resolve(c.secret),
            SnapshotRetentionLimit=store.snapshot_retention_days,
            **_kms(c),
        )
    )
    ctx.export(export(name, "SecretArn"), Ref(c.secret), description=f"{name} auth token secret ARN")
    ctx.export(export(name, "Endpoint"), GetAtt(group, "PrimaryEndPoint.Address"), description=f"{name} endpoint")
    ctx.export(export(name, "Port"), GetAtt(group, "PrimaryEndPoint.Port"), description=f"{name} port")
    if store.url:
        _redis_url(ctx, name, store, c, group)


def _redis_url(ctx: StackContext, name: str, store: Redis, c: Common, group) -> None:
    """A secret holding the whole connection URL. The token reaches it through a dynamic reference that
    CloudFormation resolves at deploy, so it is in neither the template nor the task definition; the
    token is alphanumeric (ExcludePunctuation), so it needs no escaping in the URL."""
    assert c.secret is not None
    token = f"{{{{resolve:secretsmanager:${{{c.secret.title}}}}}}}"
    props: dict[str, Any] = {
        "Description": f"redis {name} connection URL (rediss://, with the auth token)",
        "SecretString": Sub(
            f"rediss://:{token}@${{Host}}:${{Port}}",
            Host=GetAtt(group, "PrimaryEndPoint.Address"),
            Port=GetAtt(group, "PrimaryEndPoint.Port"),
        ),
    }
    if c.secret_key is not None:
        props["KmsKeyId"] = c.secret_key
    secret = ctx.template.add_resource(secretsmanager.Secret(f"{pascal(name)}UrlSecret", **props))
    ctx.export(export(name, "UrlSecretArn"), Ref(secret), description=f"{name} connection URL secret ARN")


# -- files, time series, objects -----------------------------------------------------------------------


def az_count(cfg: System) -> int:
    """Subnets per tier: known in create mode; in existing-VPC mode, as many as the defaults list."""
    net = cfg.network
    if net.mode == "create" or net.existing is None:
        return net.azs
    return len(net.existing.private_subnet_ids or net.existing.public_subnet_ids) or net.azs


def _efs(cfg: System, ctx: StackContext, name: str, store: Efs, c: Common) -> None:
    t, p = ctx.template, pascal(name)
    props: dict[str, Any] = {}
    if store.transition_to_ia_days is not None:
        days = store.transition_to_ia_days
        props["LifecyclePolicies"] = [efs.LifecyclePolicy(TransitionToIA=f"AFTER_{days}_DAY{'S' if days > 1 else ''}")]
    fs = t.add_resource(
        efs.FileSystem(
            f"{p}FileSystem",
            Encrypted=True,
            PerformanceMode=store.performance_mode,
            ThroughputMode=store.throughput_mode,
            BackupPolicy=efs.BackupPolicy(Status="ENABLED" if store.backup else "DISABLED"),
            FileSystemPolicy=json.loads(
                PolicyDocument(
                    Version="2012-10-17",
                    Statement=[
                        deny_insecure_transport(
                            [awsefs.ClientMount, awsefs.ClientWrite, awsefs.ClientRootAccess],
                            ["*"],
                            sid="DenyUnencryptedTransport",
                        )
                    ],
                ).to_json()
            ),
            **_kms(c),
            **props,
        )
    )
    for az in range(az_count(cfg)):
        t.add_resource(
            efs.MountTarget(
                f"{p}MountTarget{AZ_LETTERS[az]}",
                FileSystemId=Ref(fs),
                SubnetId=Select(az, c.subnets),
                SecurityGroups=[GetAtt(c.security_group, "GroupId")],
            )
        )
    ctx.export(export(name, "FileSystemId"), Ref(fs), description=f"{name} file system ID")
    ctx.export(export(name, "FileSystemArn"), GetAtt(fs, "Arn"), description=f"{name} file system ARN")
    for ap_name, ap in store.access_points.items():
        resource = t.add_resource(
            efs.AccessPoint(
                f"{p}{pascal(ap_name)}AccessPoint",
                FileSystemId=Ref(fs),
                PosixUser=efs.PosixUser(Uid=str(ap.uid), Gid=str(ap.gid)),
                RootDirectory=efs.RootDirectory(
                    Path=ap.path,
                    CreationInfo=efs.CreationInfo(
                        OwnerUid=str(ap.uid), OwnerGid=str(ap.gid), Permissions=ap.permissions
                    ),
                ),
            )
        )
        ctx.export(
            export(name, f"{pascal(ap_name)}AccessPointId"),
            Ref(resource),
            description=f"{name} {ap_name} access point ID",
        )
        ctx.export(
            export(name, f"{pascal(ap_name)}AccessPointArn"),
            GetAtt(resource, "Arn"),
            description=f"{name} {ap_name} access point ARN",
        )


def _timestream(cfg: System, ctx: StackContext, name: str, store: Timestream, c: Common) -> None:
    t, p = ctx.template, pascal(name)
    db = t.add_resource(timestream.Database(f"{p}Database", **_kms(c)))
    ctx.export(export(name, "DatabaseName"), Ref(db), description=f"{name} Timestream database name")
    ctx.export(export(name, "DatabaseArn"), GetAtt(db, "Arn"), description=f"{name} Timestream database ARN")
    for table_name, table in store.tables.items():
        resource = t.add_resource(
            timestream.Table(
                f"{p}{pascal(table_name)}Table",
                DatabaseName=Ref(db),
                RetentionProperties=timestream.RetentionProperties(
                    MemoryStoreRetentionPeriodInHours=str(table.memory_retention_hours),
                    MagneticStoreRetentionPeriodInDays=str(table.magnetic_retention_days),
                ),
            )
        )
        ctx.export(
            export(name, f"{pascal(table_name)}TableName"),
            GetAtt(resource, "Name"),
            description=f"{name} {table_name} table name",
        )
        ctx.export(
            export(name, f"{pascal(table_name)}TableArn"),
            GetAtt(resource, "Arn"),
            description=f"{name} {table_name} table ARN",
        )


def _s3(cfg: System, ctx: StackContext, name: str, store: S3, c: Common) -> None:
    t, p = ctx.template, pascal(name)
    if c.key is not None:
        default = s3.ServerSideEncryptionByDefault(SSEAlgorithm="aws:kms", KMSMasterKeyID=c.key)
    else:
        default = s3.ServerSideEncryptionByDefault(SSEAlgorithm="AES256")
    life = store.lifecycle
    rule: dict[str, Any] = {
        "AbortIncompleteMultipartUpload": s3.AbortIncompleteMultipartUpload(
            DaysAfterInitiation=life.abort_multipart_days
        )
    }
    if life.expire_days is not None:
        rule["ExpirationInDays"] = life.expire_days
    if life.noncurrent_expire_days is not None and store.versioning:
        rule["NoncurrentVersionExpiration"] = s3.NoncurrentVersionExpiration(NoncurrentDays=life.noncurrent_expire_days)
    if life.transition_ia_days is not None:
        rule["Transitions"] = [
            s3.LifecycleRuleTransition(StorageClass="STANDARD_IA", TransitionInDays=life.transition_ia_days)
        ]
    bucket = t.add_resource(
        s3.Bucket(
            f"{p}Bucket",
            BucketEncryption=s3.BucketEncryption(
                ServerSideEncryptionConfiguration=[
                    s3.ServerSideEncryptionRule(
                        ServerSideEncryptionByDefault=default, BucketKeyEnabled=c.key is not None
                    )
                ]
            ),
            PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
                BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True
            ),
            OwnershipControls=s3.OwnershipControls(
                Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
            ),
            VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled" if store.versioning else "Suspended"),
            LifecycleConfiguration=s3.LifecycleConfiguration(
                Rules=[s3.LifecycleRule(Id="retention", Status="Enabled", **rule)]
            ),
            **_server_access_logs(store),
        )
    )
    t.add_resource(
        s3.BucketPolicy(
            f"{p}BucketPolicy",
            Bucket=Ref(bucket),
            PolicyDocument=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    deny_insecure_transport(
                        [awss3.Action("*")], [GetAtt(bucket, "Arn"), concat(GetAtt(bucket, "Arn"), "/*")]
                    )
                ],
            ),
        )
    )
    ctx.export(export(name, "BucketName"), Ref(bucket), description=f"{name} bucket name")
    ctx.export(export(name, "BucketArn"), GetAtt(bucket, "Arn"), description=f"{name} bucket ARN")


def _server_access_logs(store: S3) -> dict:
    logs = store.access_logs
    if logs is None:
        return {}
    return {
        "LoggingConfiguration": s3.LoggingConfiguration(
            DestinationBucketName=logs.bucket, **({"LogFilePrefix": logs.prefix} if logs.prefix else {})
        )
    }


BUILDERS: dict[str, Callable[..., None]] = {
    "aurora-postgres": _aurora,
    "rds-postgres": _rds,
    "valkey-serverless": _valkey,
    "redis": _redis,
    "efs": _efs,
    "timestream": _timestream,
    "s3": _s3,
    "sqs": data_messaging.build_sqs,
    "sns": data_messaging.build_sns,
    "dynamodb": data_messaging.build_dynamodb,
}
