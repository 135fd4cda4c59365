"""AWS::SNS::Subscription, AWS::SNS::TopicPolicy and AWS::SQS::QueuePolicy, in moto's SNS and SQS backends
(moto's CloudFormation has a Topic and a Queue but none of these).

Reference: Subscription -- Ref is the subscription ARN; RawMessageDelivery and FilterPolicy are its
attributes (ListSubscriptionsByTopic / GetSubscriptionAttributes show them). TopicPolicy and QueuePolicy set
the `Policy` attribute of each topic / queue they name (GetTopicAttributes / GetQueueAttributes); Ref is an
ID CloudFormation generates. Deleting a policy resource removes the policy.
"""

from __future__ import annotations

import json
from typing import Any

from .base import Provider


def _sns(account_id: str, region_name: str) -> Any:
    from moto.sns.models import sns_backends

    return sns_backends[account_id][region_name]


def _sqs(account_id: str, region_name: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[account_id][region_name]


def _text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


class Subscription(Provider):
    TYPE = "AWS::SNS::Subscription"
    REPLACE_ON = frozenset({"TopicArn", "Protocol", "Endpoint"})

    def create(self) -> None:
        p = self.properties
        backend = _sns(self.account_id, self.region_name)
        self.arn = backend.subscribe(p["TopicArn"], p["Endpoint"], p["Protocol"]).arn
        self._attributes()

    def update(self, old: dict[str, Any]) -> None:
        self._attributes()

    def _attributes(self) -> None:
        p = self.properties
        backend = _sns(self.account_id, self.region_name)
        if "RawMessageDelivery" in p:
            backend.set_subscription_attributes(self.arn, "RawMessageDelivery", str(p["RawMessageDelivery"]).lower())
        if "FilterPolicy" in p:
            backend.set_subscription_attributes(self.arn, "FilterPolicy", _text(p["FilterPolicy"]))

    def remove(self) -> None:
        _sns(self.account_id, self.region_name).unsubscribe(self.arn)

    @property
    def ref(self) -> str:
        return self.arn


class TopicPolicy(Provider):
    TYPE = "AWS::SNS::TopicPolicy"

    def create(self) -> None:
        backend = _sns(self.account_id, self.region_name)
        for topic in self.properties.get("Topics") or []:
            backend.set_topic_attribute(topic, "Policy", _text(self.properties["PolicyDocument"]))

    def update(self, old: dict[str, Any]) -> None:
        gone = set(old.get("Topics") or []) - set(self.properties.get("Topics") or [])
        self._clear(gone)
        self.create()

    def remove(self) -> None:
        self._clear(set(self.properties.get("Topics") or []))

    def _clear(self, topics: set[str]) -> None:
        backend = _sns(self.account_id, self.region_name)
        for topic in topics:
            if topic in backend.topics:
                backend.set_topic_attribute(topic, "Policy", "")

    @property
    def ref(self) -> str:
        return self.name


class QueuePolicy(Provider):
    TYPE = "AWS::SQS::QueuePolicy"

    def create(self) -> None:
        backend = _sqs(self.account_id, self.region_name)
        for url in self.properties.get("Queues") or []:
            backend.set_queue_attributes(url.rsplit("/", 1)[-1], {"Policy": _text(self.properties["PolicyDocument"])})

    def update(self, old: dict[str, Any]) -> None:
        gone = set(old.get("Queues") or []) - set(self.properties.get("Queues") or [])
        self._clear(gone)
        self.create()

    def remove(self) -> None:
        self._clear(set(self.properties.get("Queues") or []))

    def _clear(self, urls: set[str]) -> None:
        backend = _sqs(self.account_id, self.region_name)
        for url in urls:
            name = url.rsplit("/", 1)[-1]
            if name in backend.queues:
                backend.set_queue_attributes(name, {"Policy": ""})

    @property
    def ref(self) -> str:
        return self.name
