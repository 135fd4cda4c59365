"""Round-trip of params/orders, the example using every feature of issue 15, on the local endpoint.

dev (one region, CloudFront in front): deploy from nothing (exit 4: the storefront's image and the payment key
are the operator's; supplied, then deployed again), a second deploy is a no-op, and each feature is read back
through its own API: the queue with its dead-letter queue, the topic's subscriptions (queue and e-mail), the table
with its index and TTL, the schedule (EventBridge Scheduler) of the scheduled task, the cluster and service by
their fixed names, the canary's alternate target group, the alarm topic's e-mail subscription, the distribution
and the load balancer's security group open to CloudFront's prefix list only. The existing secret and bucket are
created first, as their owners would have them.
staging (two regions): the registry's replication rule and the secret replicas; the second region starts with
the primary's values (tests/first_deploy.replicate_images does ECR's part, which moto does not).
What it cannot show: nothing runs (no task, no schedule firing, no message delivered, no CloudFront request),
ECS's traffic shifting, the dynamic reference's value, replication delay, e-mail confirmation.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .roundtrip import client, deploy_from_nothing, second_deploy_is_a_no_op

pytestmark = pytest.mark.emulator


def _existing(url: str, regions: tuple[str, ...]) -> None:
    """What other teams own and the system reads by name: a secret and a bucket, in each region."""
    for region in regions:
        client(url, "secretsmanager", region).create_secret(Name="payments/legacy-token", SecretString="legacy")
    client(url, "s3").create_bucket(Bucket="orders-shared-reports")


def test_orders_dev_every_feature_reads_back(aws_env):
    url = aws_env.url
    _existing(url, ("us-east-1",))
    deployed = deploy_from_nothing(url, "orders", "dev", Path(os.environ["STACKC_BUILD_DIR"]))
    second_deploy_is_a_no_op(url, deployed)
    outputs = next(v for k, v in deployed.outputs.items() if k.startswith("orders-dev@"))

    sqs = client(url, "sqs")
    queues = sqs.list_queues()["QueueUrls"]
    main = next(q for q in queues if "OrderQueue" in q and "Dead" not in q)
    attributes = sqs.get_queue_attributes(QueueUrl=main, AttributeNames=["All"])["Attributes"]
    assert '"maxReceiveCount":5' in attributes["RedrivePolicy"].replace(" ", "")

    sns = client(url, "sns")
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    protocols = {
        s["Protocol"]: s["Endpoint"]
        for t in topics
        for s in sns.list_subscriptions_by_topic(TopicArn=t)["Subscriptions"]
    }
    assert protocols["sqs"].endswith(main.rsplit("/", 1)[-1])  # order-events -> order-queue
    alarm_topic = outputs["AlarmTopicArn"]
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=alarm_topic)["Subscriptions"]] == [
        "orders-oncall@example.com"
    ]

    [table] = client(url, "dynamodb").list_tables()["TableNames"]
    described = client(url, "dynamodb").describe_table(TableName=table)["Table"]
    assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == ["by-customer"]

    schedule = client(url, "scheduler").get_schedule(Name=outputs["NightlyReportScheduleName"])
    assert schedule["ScheduleExpression"] == "cron(0 3 * * ? *)" and schedule["Target"]["EcsParameters"]

    ecs = client(url, "ecs")
    assert outputs["ClusterName"] == "orders-cluster" and outputs["StorefrontServiceName"] == "orders-storefront"
    [service] = ecs.describe_services(cluster="orders-cluster", services=["orders-storefront"])["services"]
    assert service["status"] == "ACTIVE"
    groups = client(url, "elbv2").describe_target_groups()["TargetGroups"]
    assert len(groups) == 2  # the storefront's and its canary alternate

    cloudfront = client(url, "cloudfront")
    [summary] = cloudfront.list_distributions()["DistributionList"]["Items"]
    assert outputs["WebDistributionDomainName"] == summary["DomainName"]
    ec2 = client(url, "ec2")
    [lb_sg] = [
        g for g in ec2.describe_security_groups()["SecurityGroups"] if g["Description"].startswith("Load balancer web")
    ]
    assert [p["PrefixListIds"] for p in lb_sg["IpPermissions"]] and not any(
        p["IpRanges"] for p in lb_sg["IpPermissions"]
    )


def test_orders_staging_replicates_images_and_secrets_to_the_second_region(aws_env):
    url = aws_env.url
    _existing(url, ("us-east-1", "us-west-2"))
    deployed = deploy_from_nothing(url, "orders", "staging", Path(os.environ["STACKC_BUILD_DIR"]))
    second_deploy_is_a_no_op(url, deployed)
    rule = client(url, "ecr").describe_registry()["replicationConfiguration"]["rules"][0]
    assert rule["destinations"] == [{"region": "us-west-2", "registryId": "123456789012"}]
    assert [f["filter"] for f in rule["repositoryFilters"]] == ["orders-staging-storefront"]
    west = client(url, "secretsmanager", "us-west-2")
    replica = west.describe_secret(SecretId="orders/payment-key")
    assert replica["PrimaryRegion"] == "us-east-1"
    east_value = client(url, "secretsmanager").get_secret_value(SecretId="orders/payment-key")["SecretString"]
    assert west.get_secret_value(SecretId="orders/payment-key")["SecretString"] == east_value
    # The second region pulls the replica of the primary's repository (its own copy, made by replication).
    assert [r["repositoryName"] for r in client(url, "ecr", "us-west-2").describe_repositories()["repositories"]] == [
        "orders-staging-storefront"
    ]
