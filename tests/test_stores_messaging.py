"""Queues, topics and tables as stores: structure, `uses:` wiring scoped to the one resource, bad input."""

from __future__ import annotations

import json

import pytest

from .helpers import assert_refused, build, has_resource, resources, write_params

SYSTEM = {
    "keys": {"data": {}},
    "services": {
        "worker": {
            "containers": {"worker": {"image": "public.ecr.aws/docker/library/busybox:1.36"}},
            "uses": ["jobs", "events", "orders"],
        },
        "reader": {
            "containers": {"reader": {"image": "public.ecr.aws/docker/library/busybox:1.36"}},
            "uses": ["inbox", "catalog"],
        },
    },
    "data": {
        "jobs": {"kind": "sqs", "visibility_timeout": 60, "alarms": {}},
        "inbox": {"kind": "sqs", "access": "receive", "dead_letter": None, "key": "data"},
        "ordered": {"kind": "sqs", "fifo": True, "content_based_deduplication": True},
        "events": {
            "kind": "sns",
            "subscriptions": [
                {"queue": "jobs", "raw_message_delivery": True, "filter_policy": {"type": ["order"]}},
                {"queue": "inbox"},
                {"protocol": "email", "endpoint": "ops@example.com"},
            ],
            "alarms": {},
        },
        "orders": {
            "kind": "dynamodb",
            "partition_key": "pk",
            "sort_key": {"name": "sk", "type": "N"},
            "indexes": {"by-customer": {"partition_key": "customer", "projection": ["total"]}},
            "ttl_attribute": "expires",
            "key": "data",
            "alarms": {"write_throttles": None},
        },
        "catalog": {
            "kind": "dynamodb",
            "partition_key": "sku",
            "billing": "provisioned",
            "read_capacity": 5,
            "write_capacity": 2,
            "access": "read",
        },
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    write_params(root, "shop", SYSTEM, {"dev": {}, "prod": {"protect": True}})
    return build(root, "shop"), build(root, "shop", "prod")


@pytest.fixture(scope="module")
def data(built):
    return built[0]["data"]


def _task_statements(template: dict) -> list[dict]:
    role = next(r for lid, r in template["Resources"].items() if lid.endswith("TaskRole"))
    return [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]


def _environment(template: dict) -> dict[str, dict]:
    task = next(r for r in template["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition")
    return {e["Name"]: e["Value"] for c in task["Properties"]["ContainerDefinitions"] for e in c.get("Environment", [])}


# -- SQS -----------------------------------------------------------------------------------------------


def test_queue_has_a_dead_letter_queue_with_redrive_and_is_encrypted(data):
    dlq = data["Resources"]["JobsDeadLetterQueue"]["Properties"]
    assert dlq["MessageRetentionPeriod"] == 14 * 86400 and dlq["SqsManagedSseEnabled"] is True
    has_resource(
        data,
        "AWS::SQS::Queue",
        {
            "VisibilityTimeout": 60,
            "ReceiveMessageWaitTimeSeconds": 20,
            "SqsManagedSseEnabled": True,
            "RedrivePolicy": {
                "deadLetterTargetArn": {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]},
                "maxReceiveCount": 5,
            },
        },
    )


def test_queue_under_a_customer_key_and_without_dead_letters(data):
    inbox = data["Resources"]["InboxQueue"]["Properties"]
    assert inbox["KmsMasterKeyId"] == {"Ref": "DataKeyArn"} and "SqsManagedSseEnabled" not in inbox
    assert "RedrivePolicy" not in inbox and "InboxDeadLetterQueue" not in data["Resources"]


def test_fifo_queue_and_its_dead_letter_queue_are_both_fifo(data):
    res = data["Resources"]
    assert res["OrderedQueue"]["Properties"]["FifoQueue"] is True
    assert res["OrderedQueue"]["Properties"]["ContentBasedDeduplication"] is True
    assert res["OrderedDeadLetterQueue"]["Properties"]["FifoQueue"] is True
    assert "ContentBasedDeduplication" not in res["OrderedDeadLetterQueue"]["Properties"]


def test_queue_policy_denies_plain_http_and_admits_only_the_subscribed_topics(data):
    policy = data["Resources"]["JobsQueuePolicy"]["Properties"]
    assert policy["Queues"] == [{"Ref": "JobsQueue"}, {"Ref": "JobsDeadLetterQueue"}]
    deny, allow = policy["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert allow["Principal"] == {"Service": "sns.amazonaws.com"} and allow["Action"] == ["sqs:SendMessage"]
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": [{"Ref": "EventsTopic"}]}}
    # A queue nobody subscribes has the TLS statement only.
    assert len(data["Resources"]["OrderedQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]) == 1


def test_queue_alarms_watch_the_oldest_message_and_the_dead_letters(data):
    oldest = data["Resources"]["JobsOldestMessageAlarm"]["Properties"]
    assert oldest["MetricName"] == "ApproximateAgeOfOldestMessage" and oldest["Threshold"] == 900
    assert oldest["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["JobsQueue", "QueueName"]}}]
    dead = data["Resources"]["JobsDeadLettersAlarm"]["Properties"]
    assert dead["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["JobsDeadLetterQueue", "QueueName"]}
    assert dead["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and dead["AlarmActions"] == [
        {"Ref": "AlarmTopicArn"}
    ]
    assert "InboxOldestMessageAlarm" not in data["Resources"]  # alarms are opt-in


# -- SNS -----------------------------------------------------------------------------------------------


def test_topic_is_encrypted_and_subscriptions_are_named_by_what_they_subscribe(data):
    has_resource(data, "AWS::SNS::Topic", {"KmsMasterKeyId": "alias/aws/sns"})
    subs = resources(data, "AWS::SNS::Subscription")
    to_jobs = subs["EventsToJobsSubscription"]["Properties"]
    assert to_jobs == {
        "Endpoint": {"Fn::GetAtt": ["JobsQueue", "Arn"]},
        "FilterPolicy": {"type": ["order"]},
        "Protocol": "sqs",
        "RawMessageDelivery": True,
        "TopicArn": {"Ref": "EventsTopic"},
    }
    email = [s["Properties"] for lid, s in subs.items() if lid.startswith("EventsSubscription")]
    assert email == [{"Endpoint": "ops@example.com", "Protocol": "email", "TopicArn": {"Ref": "EventsTopic"}}]


def test_reordering_subscriptions_keeps_their_logical_ids(tmp_path):
    system = json.loads(json.dumps(SYSTEM))
    system["data"]["events"]["subscriptions"].reverse()
    write_params(tmp_path, "shop", system)
    reordered = set(resources(build(tmp_path, "shop")["data"], "AWS::SNS::Subscription"))
    write_params(tmp_path, "same", SYSTEM)
    assert reordered == set(resources(build(tmp_path, "same")["data"], "AWS::SNS::Subscription"))


# -- DynamoDB -------------------------------------------------------------------------------------------


def test_table_keys_index_ttl_recovery_and_key(data):
    table = data["Resources"]["OrdersTable"]
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert props["AttributeDefinitions"] == [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "customer", "AttributeType": "S"},
    ]
    assert props["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "by-customer",
            "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
            "Projection": {"NonKeyAttributes": ["total"], "ProjectionType": "INCLUDE"},
        }
    ]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires", "Enabled": True}
    assert props["SSESpecification"] == {"KMSMasterKeyId": {"Ref": "DataKeyArn"}, "SSEEnabled": True, "SSEType": "KMS"}
    assert table["DeletionPolicy"] in ("Retain", "RetainExceptOnCreate") and table["UpdateReplacePolicy"] == "Retain"


def test_deletion_protection_follows_protect(built):
    dev, prod = (b["data"]["Resources"]["OrdersTable"]["Properties"] for b in built)
    assert dev["DeletionProtectionEnabled"] is False and prod["DeletionProtectionEnabled"] is True


def test_provisioned_capacity_is_a_tunable_for_the_table_and_its_indexes(built):
    root, data = built[0]["root"], built[0]["data"]
    props = data["Resources"]["CatalogTable"]["Properties"]
    assert props["BillingMode"] == "PROVISIONED"
    assert props["ProvisionedThroughput"] == {
        "ReadCapacityUnits": {"Ref": "CatalogReadCapacity"},
        "WriteCapacityUnits": {"Ref": "CatalogWriteCapacity"},
    }
    assert root["Parameters"]["CatalogReadCapacity"]["Default"] == "5"


def test_table_alarms_can_be_dropped_one_by_one(data):
    assert data["Resources"]["OrdersReadThrottlesAlarm"]["Properties"]["MetricName"] == "ReadThrottleEvents"
    assert "OrdersWriteThrottlesAlarm" not in data["Resources"]


# -- uses: wiring ------------------------------------------------------------------------------------------


def test_wiring_grants_each_service_only_its_own_resources(built):
    worker = built[0]["service-worker"]
    statements = {tuple(s["Action"]): s["Resource"] for s in _task_statements(worker)}
    assert statements[("sns:Publish",)] == [{"Ref": "EventsTopicArn"}]
    queue = next(r for a, r in statements.items() if "sqs:SendMessage" in a)
    assert queue == [{"Ref": "JobsQueueArn"}]
    table_actions = next(a for a in statements if "dynamodb:PutItem" in a)
    assert statements[table_actions] == [{"Ref": "OrdersTableArn"}, {"Fn::Sub": "${OrdersTableArn}/index/*"}]
    assert _environment(worker).keys() >= {"JOBS_QUEUE_URL", "JOBS_QUEUE_ARN", "EVENTS_TOPIC_ARN", "ORDERS_TABLE_NAME"}
    every = json.dumps(worker)
    assert "Inbox" not in every and "Catalog" not in every  # not used: not wired


def test_receive_only_and_read_only_access(built):
    reader = built[0]["service-reader"]
    actions = [a for s in _task_statements(reader) for a in s["Action"]]
    assert "sqs:ReceiveMessage" in actions and "sqs:SendMessage" not in actions
    assert "dynamodb:Query" in actions and "dynamodb:PutItem" not in actions
    kms = next(s for s in _task_statements(reader) if s["Action"][0].startswith("kms:"))
    assert kms["Action"] == ["kms:Decrypt"] and kms["Resource"] == [{"Ref": "DataKeyArn"}]


def test_store_alarms_alone_create_the_alarm_topic(tmp_path):
    write_params(tmp_path, "q", {"data": {"jobs": {"kind": "sqs", "alarms": {}}}})
    built = build(tmp_path, "q")
    assert "AlarmTopic" in built["observability"]["Resources"]


# -- bad input ------------------------------------------------------------------------------------------

BAD = [
    (
        "dedup-without-fifo",
        "data:\n  q: {kind: sqs, content_based_deduplication: true}\n",
        ["data.q.content_based_deduplication:", "FIFO queues only"],
    ),
    (
        "dead-letter-alarm-without-queue",
        "data:\n  q: {kind: sqs, dead_letter: null, alarms: {}}\n",
        ["data.q.alarms.dead_letters:", "no dead-letter queue"],
    ),
    (
        "visibility-too-long",
        "data:\n  q: {kind: sqs, visibility_timeout: 50000}\n",
        ["data.q.visibility_timeout:", "43200"],
    ),
    (
        "subscription-to-unknown-queue",
        "data:\n  t: {kind: sns, subscriptions: [{queue: nope}]}\n",
        ["data.t.subscriptions[0].queue:", "expected an `sqs` store", "got 'nope'"],
    ),
    (
        "subscription-to-a-table",
        "data:\n  db: {kind: dynamodb, partition_key: pk}\n  t: {kind: sns, subscriptions: [{queue: db}]}\n",
        ["data.t.subscriptions[0].queue:", "queues: (none)"],
    ),
    (
        "fifo-topic-to-standard-queue",
        "data:\n  q: {kind: sqs}\n  t: {kind: sns, fifo: true, subscriptions: [{queue: q}]}\n",
        ["data.t.subscriptions[0].queue:", "FIFO topic delivers to FIFO queues only"],
    ),
    (
        "subscription-both-forms",
        "data:\n  q: {kind: sqs}\n  t: {kind: sns, subscriptions: [{queue: q, protocol: email, endpoint: a@b.c}]}\n",
        ["data.t.subscriptions[0]:", "either `queue:` or `protocol:`"],
    ),
    (
        "subscription-without-endpoint",
        "data:\n  t: {kind: sns, subscriptions: [{protocol: https}]}\n",
        ["data.t.subscriptions[0].endpoint:", "needs an endpoint"],
    ),
    ("table-without-key", "data:\n  db: {kind: dynamodb}\n", ["data.db.partition_key:"]),
    (
        "provisioned-without-capacity",
        "data:\n  db: {kind: dynamodb, partition_key: pk, billing: provisioned}\n",
        ["data.db.read_capacity:", "required with billing: provisioned"],
    ),
    (
        "capacity-on-demand",
        "data:\n  db: {kind: dynamodb, partition_key: pk, read_capacity: 5}\n",
        ["data.db.read_capacity:", "provisioned only"],
    ),
    (
        "key-type-clash",
        "data:\n  db:\n    kind: dynamodb\n    partition_key: pk\n"
        "    indexes: {x: {partition_key: {name: pk, type: N}}}\n",
        ["data.db.indexes.x.partition_key.type:", "'pk' is also a key of type S"],
    ),
    (
        "bad-key-type",
        "data:\n  db: {kind: dynamodb, partition_key: {name: pk, type: X}}\n",
        ["data.db.partition_key.type:"],
    ),
]


@pytest.mark.parametrize("base, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input(tmp_path, monkeypatch, base, fragments):
    assert_refused(tmp_path / "params", monkeypatch, base, "", fragments)
