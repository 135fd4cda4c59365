"""The artifact bucket (issue 11, item 9) on the local endpoint: ExpectedBucketOwner on every S3 call
that takes it, the regional template URL form, versioning and a lifecycle for old versions, and a bucket
that is not the caller's refused with a clear message.

How "every call" is seen: botocore's own event system on the session the deploy uses
(`before-parameter-build`), observing the real requests sent to the endpoint -- nothing is replaced.
What the emulator cannot show: S3 answering 403 because the owner differs (moto ignores
ExpectedBucketOwner) -- a bucket whose policy denies the caller gets the same 403 and the same refusal;
and the TLS-only policy (the local endpoint is plain HTTP, which that policy would lock out, so it is set
only on HTTPS endpoints -- its content is checked here).
"""

from __future__ import annotations

import json

import boto3
import pytest
from click.testing import CliRunner

from cli import cli
from templates_src.deploy import flow
from templates_src.deploy.package import LIFECYCLE, package, tls_only_policy

pytestmark = pytest.mark.emulator

# S3 operations whose API has no ExpectedBucketOwner (a bucket is created by its owner).
WITHOUT_OWNER = {"CreateBucket", "ListBuckets"}


def test_every_s3_call_names_the_expected_owner(aws_env, params):
    d = flow.open_deployment(flow.Selection("demo", "dev", aws=flow.AwsOptions(endpoint_url=aws_env.url)))
    ((folder, aws),) = d.parts()
    calls: list[tuple[str, str | None]] = []

    def record(params, model, **_):
        calls.append((model.name, params.get("ExpectedBucketOwner")))

    aws.client("s3").meta.events.register("before-parameter-build.s3", record)
    first = package(aws, folder.target)
    second = package(aws, folder.target)  # the reuse path: HeadObject only
    assert first.bucket_created and not second.bucket_created
    names = {name for name, _ in calls}
    assert {"HeadBucket", "CreateBucket", "PutBucketVersioning", "PutBucketLifecycleConfiguration", "HeadObject",
            "PutObject"} <= names, names  # fmt: skip
    missing = [name for name, owner in calls if name not in WITHOUT_OWNER and owner != "123456789012"]
    assert not missing, missing

    kw = {"endpoint_url": aws_env.url, "region_name": "us-east-1"}
    s3 = boto3.client("s3", **kw)
    bucket = first.bucket
    assert first.root_url.startswith(f"https://{bucket}.s3.us-east-1.amazonaws.com/stackc/demo/dev/")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == LIFECYCLE["Rules"]


def test_tls_only_policy_denies_plain_http():
    policy = tls_only_policy("b")
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny" and statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]


def test_a_bucket_that_is_not_ours_is_refused(aws_env, params):
    s3 = boto3.client("s3", endpoint_url=aws_env.url, region_name="us-east-1")
    s3.create_bucket(Bucket="someone-elses")
    s3.put_bucket_policy(
        Bucket="someone-elses",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": ["arn:aws:s3:::someone-elses", "arn:aws:s3:::someone-elses/*"],
                    }
                ],
            }
        ),
    )
    result = CliRunner().invoke(
        cli, ["package", "-s", "demo", "-e", "dev", "--bucket", "someone-elses", "--endpoint-url", aws_env.url]
    )
    assert result.exit_code == 1, result.output
    assert "artifact bucket 'someone-elses' is not usable by account 123456789012" in result.output
    assert "pass --bucket with a bucket of this account" in result.output
    assert "uploaded" not in result.output  # refused before the first PutObject
