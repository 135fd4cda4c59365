"""`existing:` -- a bucket, queue, topic, table, secret or database this system uses but does not own: nothing
is created for it, and `uses:` wires it exactly as one the system owns (the same least privilege)."""

from __future__ import annotations

import json

import pytest

from .helpers import assert_refused, build, resources, write_params

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SYSTEM = {
    "services": {
        "api": {
            "containers": {
                "api": {
                    "image": "public.ecr.aws/nginx/nginx:1.27",
                    "secrets": {
                        "STRIPE_KEY": {"secret": "stripe"},
                        "LEGACY_TOKEN": {"secret": "legacy", "key": "token"},
                    },
                }
            },
            "uses": ["assets", "jobs", "events", "orders", "legacy-db", "shared-db"],
        }
    },
    "data": {
        "assets": {"kind": "s3", "existing": {"name": "corp-assets"}, "access": "read"},
        "jobs": {"kind": "sqs", "existing": {"arn": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs", "key_arn": KEY}},
        "events": {"kind": "sns", "existing": {"name": "corp-events"}},
        "orders": {"kind": "dynamodb", "existing": {"arn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"}},
        "legacy-db": {
            "kind": "rds-postgres",
            "existing": {"secret": "legacy/db", "security_group": "sg-0123456789abcdef0"},
        },
        "shared-db": {
            "kind": "aurora-postgres",
            "existing": {"secret": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:shared-AbCdEf"},
        },
    },
    "secrets": {
        "stripe": {"existing": "payments/stripe"},
        "legacy": {
            "existing": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:legacy-XyZ123",
            "existing_key_arn": KEY,
        },
    },
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    write_params(root, "shop", SYSTEM)
    return build(root, "shop")


def _statements(template: dict, role: str) -> dict[tuple[str, ...], list]:
    props = template["Resources"][role]["Properties"]
    return {tuple(s["Action"]): s["Resource"] for p in props["Policies"] for s in p["PolicyDocument"]["Statement"]}


def _container(template: dict) -> dict:
    task = next(iter(resources(template, "AWS::ECS::TaskDefinition").values()))
    return task["Properties"]["ContainerDefinitions"][0]


def test_nothing_is_created_for_what_the_system_does_not_own(built):
    assert "data" not in built and "secrets" not in built  # no stack left with anything in it
    assert not any(
        r["Type"].startswith(("AWS::S3", "AWS::SQS", "AWS::SNS", "AWS::DynamoDB", "AWS::RDS"))
        for t in built.values()
        for r in t.get("Resources", {}).values()
    )


def test_arns_are_used_as_given_and_names_in_the_stacks_own_account_and_region(built):
    env = {e["Name"]: e["Value"] for e in _container(built["service-api"])["Environment"]}
    assert env["JOBS_QUEUE_ARN"] == f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs"
    assert env["JOBS_QUEUE_URL"] == f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/jobs"
    assert env["ORDERS_TABLE_NAME"] == "orders"
    assert env["ASSETS_BUCKET_NAME"] == "corp-assets"
    assert env["EVENTS_TOPIC_ARN"] == {
        "Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:corp-events"
    }


def test_the_same_least_privilege_as_for_owned_resources(built):
    task = _statements(built["service-api"], "ApiTaskRole")
    assert task[("s3:GetObject",)] == [{"Fn::Sub": "arn:${AWS::Partition}:s3:::corp-assets/*"}]
    assert task[("s3:ListBucket",)] == [{"Fn::Sub": "arn:${AWS::Partition}:s3:::corp-assets"}]
    table = next(a for a in task if "dynamodb:PutItem" in a)
    assert task[table] == [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"]
    assert task[("kms:Decrypt", "kms:GenerateDataKey")] == [KEY]  # the queue's own key


def test_existing_secrets_and_database_credentials(built):
    container = _container(built["service-api"])
    value_from = {s["Name"]: s["ValueFrom"] for s in container["Secrets"]}
    assert value_from["STRIPE_KEY"] == {
        "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:payments/stripe"
    }
    assert value_from["LEGACY_TOKEN"] == f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:legacy-XyZ123:token::"
    assert (
        value_from["SHARED_DB_PASSWORD"]
        == f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:shared-AbCdEf:password::"
    )
    execution = json.dumps(built["service-api"]["Resources"]["ApiExecutionRole"]["Properties"]["Policies"])
    # A secret named, not given by ARN, is matched with its random suffix -- and nothing wider.
    assert "secret:payments/stripe-??????" in execution and "secret:legacy/db-??????" in execution
    assert KEY in execution  # kms:Decrypt on the existing secret's key


def test_an_existing_database_with_a_security_group_gets_the_ingress_rule_and_one_without_none(built):
    ingress = resources(built["service-api"], "AWS::EC2::SecurityGroupIngress")
    assert [r["Properties"]["GroupId"] for r in ingress.values()] == ["sg-0123456789abcdef0"]
    assert next(iter(ingress.values()))["Properties"]["FromPort"] == 5432


BAD = [
    (
        "neither",
        {"data": {"extra": {"kind": "sqs", "existing": {"key_arn": KEY}}}},
        ["data.extra.existing:", "either `arn:` or `name:`"],
    ),
    (
        "wrong-service",
        {"data": {"orders": {"existing": {"arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"}}}},
        ["data.orders.existing.arn:", "expected an ARN of dynamodb"],
    ),
    (
        "creation-option",
        {"data": {"assets": {"versioning": False}}},
        ["data.assets.versioning:", "does not apply to an existing s3"],
    ),
    (
        "system-key",
        {"data": {"events": {"key": "main"}}, "keys": {"main": {}}},
        ["data.events.key:", "existing.key_arn"],
    ),
    ("secret-generate", {"secrets": {"stripe": {"generate": {}}}}, ["secrets.stripe.generate:", "existing secret"]),
    ("key-arn-alone", {"secrets": {"new": {"existing_key_arn": KEY}}}, ["secrets.new.existing_key_arn:"]),
]


@pytest.mark.parametrize("overlay, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input(tmp_path, monkeypatch, overlay, fragments):
    assert_refused(tmp_path / "params", monkeypatch, SYSTEM, overlay, fragments)
