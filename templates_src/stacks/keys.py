"""Keys stack: customer managed KMS keys with rotation and a key policy that says who may use them.

Who may use a key: the account's IAM principals whose own policy grants it (the key policy delegates
to IAM, and `uses:` writes those grants scoped to exactly this key), the principals listed under
`users:`, and CloudWatch Logs when `logs: true` or when it encrypts log groups of the system
(`observability.key`, `services.<name>.log_key`); CloudWatch alarms too when it is `observability.key`
(they publish to the alarm topic it encrypts). Administration goes to the account and `admins:`. Every action is named: no `kms:*` even for
the account."""

from __future__ import annotations

from awacs import kms
from awacs.aws import Allow, ArnLike, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import GetAtt, Ref, Sub
from troposphere import kms as tkms

from ..config.data import Key
from ..config.system import System
from ..graph import StackContext
from ..naming import pascal
from ..parts.logs import logs_keys
from ..parts.stores import key_arn

ADMIN_ACTIONS = [
    kms.DescribeKey,
    kms.EnableKey,
    kms.DisableKey,
    kms.EnableKeyRotation,
    kms.DisableKeyRotation,
    kms.GetKeyRotationStatus,
    kms.RotateKeyOnDemand,
    kms.ListKeyRotations,
    kms.GetKeyPolicy,
    kms.PutKeyPolicy,
    kms.ListKeyPolicies,
    kms.ListResourceTags,
    kms.TagResource,
    kms.UntagResource,
    kms.UpdateKeyDescription,
    kms.ListGrants,
    kms.RevokeGrant,
    kms.ScheduleKeyDeletion,
    kms.CancelKeyDeletion,
    kms.CreateAlias,
    kms.DeleteAlias,
    kms.UpdateAlias,
]
USE_ACTIONS = [
    kms.Encrypt,
    kms.Decrypt,
    kms.ReEncryptFrom,
    kms.ReEncryptTo,
    kms.GenerateDataKey,
    kms.GenerateDataKeyWithoutPlaintext,
    kms.DescribeKey,
]
ACCOUNT_ROOT = Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")


def build(cfg: System, ctx: StackContext) -> None:
    for name, key in cfg.all_keys().items():
        resource = ctx.template.add_resource(
            tkms.Key(
                f"{pascal(name)}Key",
                Description=key.description or f"{ctx.system} {ctx.env} {name}",
                Enabled=True,
                EnableKeyRotation=key.rotation_days is not None,
                **({"RotationPeriodInDays": key.rotation_days} if key.rotation_days is not None else {}),
                KeyPolicy=key_policy(key, logs=name in logs_keys(cfg), alarms=name == cfg.logs_key_name()),
            )
        )
        if key.alias:
            ctx.template.add_resource(
                tkms.Alias(f"{pascal(name)}KeyAlias", AliasName=key.alias, TargetKeyId=Ref(resource))
            )
        ctx.export(key_arn(name), GetAtt(resource, "Arn"), description=f"KMS key {name} ARN")


def key_policy(key: Key, logs: bool = False, alarms: bool = False) -> PolicyDocument:
    """`logs`: some log group of the system is encrypted with it; `alarms`: so is the alarm topic."""
    # The creating principal must keep kms:PutKeyPolicy or KMS refuses the policy (lockout check):
    # the account statement carries it.
    statements = [
        Statement(
            Sid="AccountAdministers",
            Effect=Allow,
            Principal=Principal("AWS", [ACCOUNT_ROOT, *key.admins]),
            Action=ADMIN_ACTIONS,
            Resource=["*"],
        ),
        Statement(
            Sid="AccountUsesThroughIam",
            Effect=Allow,
            Principal=Principal("AWS", [ACCOUNT_ROOT]),
            Action=USE_ACTIONS + [kms.CreateGrant],
            Resource=["*"],
        ),
    ]
    if key.users:
        statements.append(
            Statement(
                Sid="NamedUsers",
                Effect=Allow,
                Principal=Principal("AWS", list(key.users)),
                Action=USE_ACTIONS,
                Resource=["*"],
            )
        )
    if key.logs or logs:
        statements.append(
            Statement(
                Sid="CloudWatchLogs",
                Effect=Allow,
                Principal=Principal("Service", Sub("logs.${AWS::Region}.amazonaws.com")),
                Action=USE_ACTIONS,
                Resource=["*"],
                Condition=Condition(
                    ArnLike(
                        "kms:EncryptionContext:aws:logs:arn",
                        Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"),
                    )
                ),
            )
        )
    if alarms:
        # An alarm publishing to a topic under this key: SNS asks KMS on CloudWatch's behalf (the AWS
        # managed aws/sns key cannot grant this, hence a customer managed key for the alarm topic).
        statements.append(
            Statement(
                Sid="CloudWatchAlarms",
                Effect=Allow,
                Principal=Principal("Service", "cloudwatch.amazonaws.com"),
                Action=[kms.Decrypt, kms.GenerateDataKey],
                Resource=["*"],
                # Only for this account's alarms (confused deputy): CloudWatch sends both keys.
                Condition=Condition(
                    [
                        StringEquals("aws:SourceAccount", Sub("${AWS::AccountId}")),
                        ArnLike(
                            "aws:SourceArn",
                            Sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"),
                        ),
                    ]
                ),
            )
        )
    return PolicyDocument(Version="2012-10-17", Statement=statements)
