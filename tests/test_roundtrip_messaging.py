"""Round-trip of a system with queues, topics and tables (tests/test_stores_messaging.py's example) on the
local endpoint: the stores kinds that no params/ system uses yet.

What it proves: deploy from nothing, a no-op second deploy and destroy through the real CLI; the SNS
subscriptions (with raw delivery and filter policy), the topic and queue policies (providers backed by
moto's SNS and SQS APIs), the queues and the DynamoDB tables (moto native) are read back through their
services' APIs. What it cannot: no message is delivered, no policy is enforced, no e-mail is confirmed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import write_params
from .roundtrip import client, deploy_from_nothing, destroy_or_refuse, second_deploy_is_a_no_op
from .test_stores_messaging import SYSTEM

pytestmark = pytest.mark.emulator


def test_messaging_stores(aws_env, tmp_path, monkeypatch):
    params = write_params(tmp_path / "params", "messaging", SYSTEM)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(params))
    url = aws_env.url
    deployed = deploy_from_nothing(url, "messaging", "dev", Path(os.environ["STACKC_BUILD_DIR"]))
    second_deploy_is_a_no_op(url, deployed)
    sns, sqs = client(url, "sns"), client(url, "sqs")
    [topic] = [
        t["TopicArn"] for t in sns.list_topics()["Topics"] if "Events" in t["TopicArn"] or "events" in t["TopicArn"]
    ]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted(s["Protocol"] for s in subscriptions) == ["email", "sqs", "sqs"]
    raw = [
        sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])["Attributes"]
        for s in subscriptions
        if s["Protocol"] == "sqs"
    ]
    assert any(a.get("RawMessageDelivery") == "true" and "order" in a.get("FilterPolicy", "") for a in raw)
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"].get("Policy")
    policies = [
        sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["Policy"])["Attributes"].get("Policy")
        for q in sqs.list_queues()["QueueUrls"]
    ]
    assert any(policies), "the subscribed queues accept the topic (QueuePolicy)"
    assert len(client(url, "dynamodb").list_tables()["TableNames"]) == 2
    destroy_or_refuse(url, deployed, protected=False)
