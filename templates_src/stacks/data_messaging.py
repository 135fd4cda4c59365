"""Stores reached over the AWS API with IAM only: SQS queues, SNS topics and DynamoDB tables.

Part of the data stack (stacks/data.py calls these through its BUILDERS table, with the same `Common`
as every other kind: here only `key`, since these kinds have no security group, subnets or secret).
What a service gets when it `uses:` one is in parts/wiring.py; alarms go to the system's alarm topic.
DeletionPolicy/UpdateReplacePolicy come from parts/stateful.py (tables hold data; queues and topics
only carry it)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from awacs import sns as awssns
from awacs import sqs as awssqs
from awacs.aws import Allow, ArnEquals, Condition, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Ref, dynamodb, sns, sqs

from ..config.data import DynamoDb, KeyAttribute, Sns, Sqs, Subscription
from ..config.system import System
from ..graph import StackContext
from ..naming import pascal
from ..parts import alarms
from ..parts.iam import deny_insecure_transport
from ..parts.stores import export
from . import observability

if TYPE_CHECKING:
    from .data import Common

DAY = 86400


# -- SQS ---------------------------------------------------------------------------------------------


def queue_id(name: str) -> str:
    return f"{pascal(name)}Queue"


def topic_id(name: str) -> str:
    return f"{pascal(name)}Topic"


def _encryption(c: Common) -> dict[str, Any]:
    # SQS-managed keys unless a customer key is named: an SNS topic can deliver to either (the AWS
    # managed aws/sqs key would refuse SNS, which cannot be granted use of it).
    if c.key is not None:
        return {"KmsMasterKeyId": c.key, "KmsDataKeyReusePeriodSeconds": 300}
    return {"SqsManagedSseEnabled": True}


def _subscribers(cfg: System, queue: str) -> list[str]:
    """The topics of this system that deliver to `queue`, by name."""
    return sorted(
        topic
        for topic, store in cfg.data.items()
        if isinstance(store, Sns) and any(sub.queue == queue for sub in store.subscriptions)
    )


def build_sqs(cfg: System, ctx: StackContext, name: str, store: Sqs, c: Common) -> None:
    t, p = ctx.template, pascal(name)
    fifo: dict[str, Any] = {"FifoQueue": True} if store.fifo else {}
    props: dict[str, Any] = {}
    dead_letter = None
    if store.dead_letter is not None:
        dead_letter = t.add_resource(
            sqs.Queue(
                f"{p}DeadLetterQueue",
                MessageRetentionPeriod=store.dead_letter.retention_days * DAY,
                **_encryption(c),
                **fifo,
            )
        )
        props["RedrivePolicy"] = sqs.RedrivePolicy(
            deadLetterTargetArn=GetAtt(dead_letter, "Arn"), maxReceiveCount=store.dead_letter.max_receives
        )
    if store.content_based_deduplication:
        fifo["ContentBasedDeduplication"] = True
    queue = t.add_resource(
        sqs.Queue(
            queue_id(name),
            VisibilityTimeout=store.visibility_timeout,
            MessageRetentionPeriod=store.retention_days * DAY,
            ReceiveMessageWaitTimeSeconds=store.receive_wait_seconds,
            **_encryption(c),
            **fifo,
            **props,
        )
    )
    queues = [queue] + ([dead_letter] if dead_letter is not None else [])
    statements = [deny_insecure_transport([awssqs.Action("*")], [GetAtt(q, "Arn") for q in queues])]
    topics = _subscribers(cfg, name)
    if topics:
        # One policy per queue (a second QueuePolicy on the same queue would replace the first): every
        # topic of this system that delivers here, each only for its own ARN.
        statements.append(
            Statement(
                Sid="TopicsDeliver",
                Effect=Allow,
                Principal=Principal("Service", "sns.amazonaws.com"),
                Action=[awssqs.SendMessage],
                Resource=[GetAtt(queue, "Arn")],
                Condition=Condition(ArnEquals("aws:SourceArn", [Ref(topic_id(topic)) for topic in topics])),
            )
        )
    t.add_resource(
        sqs.QueuePolicy(
            f"{p}QueuePolicy",
            Queues=[Ref(q) for q in queues],
            PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=statements),
        )
    )
    ctx.export(export(name, "QueueUrl"), Ref(queue), description=f"{name} queue URL")
    ctx.export(export(name, "QueueArn"), GetAtt(queue, "Arn"), description=f"{name} queue ARN")
    ctx.export(export(name, "QueueName"), GetAtt(queue, "QueueName"), description=f"{name} queue name")
    if store.alarms is not None:
        topic = observability.topic_ref(ctx)
        a = store.alarms
        if a.oldest_message_seconds is not None:
            spec = alarms.AlarmSpec(
                "OldestMessage",
                f"{name}: a message has waited more than {a.oldest_message_seconds} s (consumers behind or down)",
                alarms.Metric(
                    "AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": GetAtt(queue, "QueueName")}, "Maximum"
                ),
                a.oldest_message_seconds,
                evaluation_periods=5,
            )
            alarms.metric_alarm(t, p, spec, topic)
        if a.dead_letters is not None and dead_letter is not None and store.dead_letter is not None:
            spec = alarms.AlarmSpec(
                "DeadLetters",
                f"{name}: messages wait in the dead-letter queue (each was received and not deleted "
                f"{store.dead_letter.max_receives} times)",
                alarms.Metric(
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    {"QueueName": GetAtt(dead_letter, "QueueName")},
                    "Maximum",
                ),
                a.dead_letters,
                comparison="GreaterThanOrEqualToThreshold",
                period=300,
                evaluation_periods=1,
            )
            alarms.metric_alarm(t, p, spec, topic)


# -- SNS ---------------------------------------------------------------------------------------------


def _subscription_id(topic: str, sub: Subscription) -> str:
    """Named by what it subscribes, never by its position, so reordering the list replaces nothing."""
    if sub.queue is not None:
        return f"{pascal(topic)}To{pascal(sub.queue)}Subscription"
    digest = hashlib.sha256(f"{sub.protocol}:{sub.endpoint}".encode()).hexdigest()[:8].upper()
    return f"{pascal(topic)}Subscription{digest}"


def build_sns(cfg: System, ctx: StackContext, name: str, store: Sns, c: Common) -> None:
    t, p = ctx.template, pascal(name)
    props: dict[str, Any] = {}
    if store.fifo:
        props["FifoTopic"] = True
        if store.content_based_deduplication:
            props["ContentBasedDeduplication"] = True
    # The AWS managed aws/sns key unless a customer key is named.
    topic = t.add_resource(sns.Topic(topic_id(name), KmsMasterKeyId=c.key or "alias/aws/sns", **props))
    t.add_resource(
        sns.TopicPolicy(
            f"{p}TopicPolicy",
            Topics=[Ref(topic)],
            PolicyDocument=PolicyDocument(
                Version="2012-10-17", Statement=[deny_insecure_transport([awssns.Publish], [Ref(topic)])]
            ),
        )
    )
    for sub in store.subscriptions:
        extra: dict[str, Any] = {}
        if sub.raw_message_delivery:
            extra["RawMessageDelivery"] = True
        if sub.filter_policy is not None:
            extra["FilterPolicy"] = sub.filter_policy
        protocol: str | None
        endpoint: Any
        if sub.queue is not None:
            protocol, endpoint = "sqs", GetAtt(queue_id(sub.queue), "Arn")
        else:
            protocol, endpoint = sub.protocol, sub.endpoint
        t.add_resource(
            sns.SubscriptionResource(
                _subscription_id(name, sub), TopicArn=Ref(topic), Protocol=protocol, Endpoint=endpoint, **extra
            )
        )
    ctx.export(export(name, "TopicArn"), Ref(topic), description=f"{name} topic ARN")
    ctx.export(export(name, "TopicName"), GetAtt(topic, "TopicName"), description=f"{name} topic name")
    if store.alarms is not None and store.alarms.failed_notifications is not None:
        spec = alarms.AlarmSpec(
            "FailedNotifications",
            f"{name}: deliveries to subscribers failed",
            alarms.Metric("AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": GetAtt(topic, "TopicName")}, "Sum"),
            store.alarms.failed_notifications,
            comparison="GreaterThanOrEqualToThreshold",
            period=300,
            evaluation_periods=1,
        )
        alarms.metric_alarm(t, p, spec, observability.topic_ref(ctx))


# -- DynamoDB ----------------------------------------------------------------------------------------

PROJECTIONS = {"all": "ALL", "keys-only": "KEYS_ONLY"}


def _key_schema(partition: KeyAttribute, sort: KeyAttribute | None) -> list[dynamodb.KeySchema]:
    schema = [dynamodb.KeySchema(AttributeName=partition.name, KeyType="HASH")]
    if sort is not None:
        schema.append(dynamodb.KeySchema(AttributeName=sort.name, KeyType="RANGE"))
    return schema


def build_dynamodb(cfg: System, ctx: StackContext, name: str, store: DynamoDb, c: Common) -> None:
    t, p = ctx.template, pascal(name)
    assert store.partition_key is not None  # DynamoDb.check: required unless existing
    props: dict[str, Any] = {}
    throughput = None
    if store.billing == "provisioned":
        group = f"Data store: {name}"
        read = ctx.tunable(
            f"{p}ReadCapacity",
            default=store.read_capacity,
            param_type="Number",
            label=f"{name}: read capacity units",
            group=group,
            MinValue=1,
        )
        write = ctx.tunable(
            f"{p}WriteCapacity",
            default=store.write_capacity,
            param_type="Number",
            label=f"{name}: write capacity units",
            group=group,
            MinValue=1,
        )
        throughput = dynamodb.ProvisionedThroughput(ReadCapacityUnits=read, WriteCapacityUnits=write)
        props["ProvisionedThroughput"] = throughput
    if store.indexes:
        indexes = []
        for index_name, index in store.indexes.items():
            if isinstance(index.projection, list):
                projection = dynamodb.Projection(ProjectionType="INCLUDE", NonKeyAttributes=index.projection)
            else:
                projection = dynamodb.Projection(ProjectionType=PROJECTIONS[index.projection])
            indexes.append(
                dynamodb.GlobalSecondaryIndex(
                    IndexName=index_name,
                    KeySchema=_key_schema(index.partition_key, index.sort_key),
                    Projection=projection,
                    **({"ProvisionedThroughput": throughput} if throughput is not None else {}),
                )
            )
        props["GlobalSecondaryIndexes"] = indexes
    if store.ttl_attribute is not None:
        props["TimeToLiveSpecification"] = dynamodb.TimeToLiveSpecification(
            AttributeName=store.ttl_attribute, Enabled=True
        )
    if c.key is not None:
        sse = dynamodb.SSESpecification(SSEEnabled=True, SSEType="KMS", KMSMasterKeyId=c.key)
    else:  # the AWS managed aws/dynamodb key (SSEEnabled false would mean DynamoDB's own key)
        sse = dynamodb.SSESpecification(SSEEnabled=True, SSEType="KMS")
    protect = cfg.protect if store.deletion_protection is None else store.deletion_protection
    table = t.add_resource(
        dynamodb.Table(
            f"{p}Table",
            AttributeDefinitions=[
                dynamodb.AttributeDefinition(AttributeName=attr, AttributeType=kind)
                for attr, kind in store.attributes().items()
            ],
            KeySchema=_key_schema(store.partition_key, store.sort_key),
            BillingMode="PROVISIONED" if store.billing == "provisioned" else "PAY_PER_REQUEST",
            PointInTimeRecoverySpecification=dynamodb.PointInTimeRecoverySpecification(
                PointInTimeRecoveryEnabled=store.point_in_time_recovery
            ),
            SSESpecification=sse,
            DeletionProtectionEnabled=protect,
            **props,
        )
    )
    ctx.export(export(name, "TableName"), Ref(table), description=f"{name} table name")
    ctx.export(export(name, "TableArn"), GetAtt(table, "Arn"), description=f"{name} table ARN")
    if store.alarms is not None:
        topic = observability.topic_ref(ctx)
        for suffix, metric, threshold in (
            ("ReadThrottles", "ReadThrottleEvents", store.alarms.read_throttles),
            ("WriteThrottles", "WriteThrottleEvents", store.alarms.write_throttles),
        ):
            if threshold is None:
                continue
            spec = alarms.AlarmSpec(
                suffix,
                f"{name}: requests throttled ({metric})",
                alarms.Metric("AWS/DynamoDB", metric, {"TableName": Ref(table)}, "Sum"),
                threshold,
                comparison="GreaterThanOrEqualToThreshold",
                period=300,
                evaluation_periods=1,
            )
            alarms.metric_alarm(t, p, spec, topic)
