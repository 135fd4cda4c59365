"""The bucket a prod system's load balancers write their access logs to (FSBP ELB.5), when the params
name none: SSE-S3 (the only encryption ELB log delivery supports), TLS only, public access blocked,
objects expired, and the log-delivery grant that is right for the region.

Regions that existed before August 2022 deliver through a regional ELB account; newer ones through
the service principal logdelivery.elasticloadbalancing.amazonaws.com
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html)."""

from __future__ import annotations

from typing import Any

from awacs import s3 as awss3
from awacs.aws import Allow, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Ref, Sub, Template, s3

from .concat import concat
from .iam import deny_insecure_transport

BUCKET = "LoadBalancerLogsBucket"
EXPIRE_DAYS = 365
NONCURRENT_DAYS = 30  # how long an overwritten or deleted log object can be restored

# The ELB account of each region that predates the log-delivery service principal.
ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
}
LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


def delivery_principal(region: str) -> Principal:
    """Who writes the logs in `region`: its ELB account, or (newer regions) the log-delivery service."""
    account = ELB_ACCOUNTS.get(region)
    if account is not None:
        partition = "aws-us-gov" if region.startswith("us-gov-") else "aws"
        return Principal("AWS", [f"arn:{partition}:iam::{account}:root"])
    return Principal("Service", [LOG_DELIVERY_SERVICE])


def logs_bucket(t: Template, region: str) -> tuple[Any, s3.BucketPolicy]:
    """The bucket (once per template) and its policy; a load balancer logging there depends on the policy
    (ELB checks it can write when the attribute is set)."""
    if BUCKET in t.resources:
        return Ref(t.resources[BUCKET]), t.resources[f"{BUCKET}Policy"]
    bucket = t.add_resource(
        s3.Bucket(
            BUCKET,
            BucketEncryption=s3.BucketEncryption(
                ServerSideEncryptionConfiguration=[
                    s3.ServerSideEncryptionRule(
                        ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(SSEAlgorithm="AES256")
                    )
                ]
            ),
            PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
                BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True
            ),
            OwnershipControls=s3.OwnershipControls(
                Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
            ),
            # Versioned (CKV_AWS_21): an overwritten or deleted log object stays recoverable for 30 days.
            VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
            LifecycleConfiguration=s3.LifecycleConfiguration(
                Rules=[
                    s3.LifecycleRule(
                        Id="expire-access-logs",
                        Status="Enabled",
                        ExpirationInDays=EXPIRE_DAYS,
                        NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=NONCURRENT_DAYS),
                        AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(DaysAfterInitiation=7),
                    )
                ]
            ),
        )
    )
    arn = GetAtt(bucket, "Arn")
    policy = t.add_resource(
        s3.BucketPolicy(
            f"{BUCKET}Policy",
            Bucket=Ref(bucket),
            PolicyDocument=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    deny_insecure_transport([awss3.Action("*")], [arn, concat(arn, "/*")]),
                    Statement(
                        Sid="ElbLogDelivery",
                        Effect=Allow,
                        Principal=delivery_principal(region),
                        Action=[awss3.PutObject],
                        # Only this account's logs, under any load balancer's prefix.
                        Resource=[Sub(f"${{{BUCKET}.Arn}}/*/AWSLogs/${{AWS::AccountId}}/*")],
                    ),
                ],
            ),
        )
    )
    return Ref(bucket), policy
