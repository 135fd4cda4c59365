"""Upload the children under content-addressed keys, write and upload the packaged root.

Keys are `<prefix>/<sha256 of the body>.json`: an unchanged template keeps its key (and is not
uploaded again), a changed one gets a new key -- which is also what makes CloudFormation notice that
a nested stack changed. The packaged root goes to build/<system>/<env>/packaged/root.json|yaml.

The artifact bucket: every S3 call carries ExpectedBucketOwner (the caller's account), so a bucket of
the same name in another account (bucket squatting) is refused, never written to or read from. The
default bucket is created private, encrypted, versioned, TLS-only (bucket policy), with old object
versions expiring (lifecycle). Template URLs use the regional form, which every region accepts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from ..errors import DeployError
from ..render import json_to_yaml, to_json
from .session import Aws, aws_errors, client_error_code, translates_aws_errors
from .target import BuiltTarget

IAM_TYPES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::UserToGroupAddition": None,
}


@dataclass
class Packaged:
    bucket: str
    prefix: str
    root_url: str
    child_urls: dict[str, str]  # template name -> https URL
    uploaded: list[str] = field(default_factory=list)  # keys written this time
    reused: list[str] = field(default_factory=list)  # keys already there
    root_path: Path | None = None
    capabilities: list[str] = field(default_factory=list)
    quick_create_url: str = ""
    bucket_created: bool = False
    root_body: str = ""  # the packaged root as uploaded (its fingerprint marks the change set made from it)


def default_bucket(aws: Aws) -> str:
    return f"stackc-artifacts-{aws.account_id}-{aws.region}"


NONCURRENT_DAYS = 30  # old versions of artifacts (replaced packaged roots) expire after this many days


def template_url(bucket: str, key: str, region: str) -> str:
    """The regional form: the global `<bucket>.s3.amazonaws.com` answers PermanentRedirect for buckets
    outside us-east-1 in some clients; CloudFormation accepts this one in every region (and the local
    emulator resolves it)."""
    return f"https://{bucket}.s3.{region}.amazonaws.com/{key}"


def tls_only_policy(bucket: str) -> dict[str, Any]:
    """Deny every request that does not use TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


LIFECYCLE = {
    "Rules": [
        {
            "ID": "stackc-expire-old-artifact-versions",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_DAYS},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        }
    ]
}


def capabilities(templates: dict[str, dict[str, Any]]) -> list[str]:
    """Only what the templates need: IAM resources -> CAPABILITY_IAM, named IAM -> CAPABILITY_NAMED_IAM,
    nested stacks or macros (Transform) -> CAPABILITY_AUTO_EXPAND."""
    caps: set[str] = set()
    for tdict in templates.values():
        if tdict.get("Transform"):
            caps.add("CAPABILITY_AUTO_EXPAND")
        for res in (tdict.get("Resources") or {}).values():
            rtype = res.get("Type", "")
            if rtype in IAM_TYPES:
                caps.add("CAPABILITY_IAM")
                name_prop = IAM_TYPES[rtype]
                if name_prop and name_prop in (res.get("Properties") or {}):
                    caps.add("CAPABILITY_NAMED_IAM")
            elif rtype == "AWS::CloudFormation::Stack" or rtype.startswith("AWS::Serverless::"):
                caps.add("CAPABILITY_AUTO_EXPAND")
    return sorted(caps)


@translates_aws_errors
def ensure_bucket(aws: Aws, bucket: str | None) -> tuple[str, bool]:
    """The named bucket (must exist), or the default one, created encrypted and private if missing."""
    import json

    s3, owner = aws.client("s3"), aws.account_id
    if bucket:
        _head_bucket(s3, bucket, owner, create_hint=False)
        return bucket, False
    bucket = default_bucket(aws)
    if _head_bucket(s3, bucket, owner, create_hint=True):
        return bucket, False
    kwargs: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
    if aws.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": aws.region}
    s3.create_bucket(**kwargs)
    s3.put_public_access_block(
        Bucket=bucket,
        ExpectedBucketOwner=owner,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ExpectedBucketOwner=owner,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, ExpectedBucketOwner=owner, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, ExpectedBucketOwner=owner, LifecycleConfiguration=LIFECYCLE)
    if not plain_http(aws):
        s3.put_bucket_policy(Bucket=bucket, ExpectedBucketOwner=owner, Policy=json.dumps(tls_only_policy(bucket)))
    return bucket, True


def plain_http(aws: Aws) -> bool:
    """A local endpoint over plain HTTP (the emulator): a TLS-only bucket policy would lock every call
    out, so it is not set there. AWS's S3 endpoints are HTTPS."""
    return (aws.options.endpoint_url or "").startswith("http://")


def _head_bucket(s3: Any, bucket: str, owner: str, create_hint: bool) -> bool:
    import botocore.exceptions

    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=owner)
        return True
    except botocore.exceptions.ClientError as exc:
        code = client_error_code(exc)
        if code in ("404", "NoSuchBucket", "NotFound"):
            if create_hint:
                return False
            raise DeployError(
                f"artifact bucket {bucket!r} does not exist (create it, or omit --bucket to use the default)"
            ) from None
        if code in ("403", "AccessDenied", "Forbidden"):
            raise not_ours(bucket, owner, "s3:ListBucket") from None
        raise


def not_ours(bucket: str, owner: str, permission: str) -> DeployError:
    """S3 answers 403 both for a bucket of another account (ExpectedBucketOwner differs) and for one
    these credentials may not use: either way nothing is written to it."""
    return DeployError(
        f"artifact bucket {bucket!r} is not usable by account {owner}: it belongs to another account "
        f"(S3 refuses a bucket whose owner is not the expected one), or these credentials may not use it "
        f"({permission}). stackc never writes templates to a bucket it cannot prove is yours: "
        "pass --bucket with a bucket of this account"
    )


def _key(prefix: str, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()
    return f"{prefix.strip('/')}/{digest}.json" if prefix.strip("/") else f"{digest}.json"


def _exists(s3: Any, bucket: str, key: str, owner: str) -> bool:
    import botocore.exceptions

    try:
        s3.head_object(Bucket=bucket, Key=key, ExpectedBucketOwner=owner)
        return True
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            return False
        if client_error_code(exc) in ("403", "AccessDenied", "Forbidden"):
            raise not_ours(bucket, owner, "s3:GetObject") from None
        raise


def _upload(s3: Any, bucket: str, key: str, body: bytes, result: Packaged, owner: str) -> None:
    if _exists(s3, bucket, key, owner):
        result.reused.append(key)
        return
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType="application/json",
        ServerSideEncryption="AES256",
        ExpectedBucketOwner=owner,
    )
    result.uploaded.append(key)


@translates_aws_errors
def package(aws: Aws, target: BuiltTarget, bucket: str | None = None, prefix: str | None = None) -> Packaged:
    """Upload children (content-addressed), rewrite the root's TemplateURLs, write and upload it."""
    bucket, created = ensure_bucket(aws, bucket)
    prefix = prefix if prefix is not None else f"stackc/{target.system}/{target.env}"
    s3 = aws.client("s3")
    result = Packaged(bucket=bucket, prefix=prefix, root_url="", child_urls={}, bucket_created=created)

    children = target.children()
    where = f"uploading templates to s3://{bucket}/{prefix.strip('/')}/"
    for name in sorted(set(children.values())):
        body = (target.build_dir / f"{name}.json").read_bytes()
        key = _key(prefix, body)
        with aws_errors(where):
            _upload(s3, bucket, key, body, result, aws.account_id)
        result.child_urls[name] = template_url(bucket, key, aws.region)

    root = target.template("root")
    for logical_id, name in children.items():
        root["Resources"][logical_id]["Properties"]["TemplateURL"] = result.child_urls[name]
    for key, value in target.temporary:  # the Default too: parameter memory must not remember it (memory.py)
        root.get("Parameters", {}).get(key, {})["Default"] = value
    text = to_json(root)
    out = target.build_dir / "packaged"
    out.mkdir(parents=True, exist_ok=True)
    _write_if_changed(out / "root.json", text)
    _write_if_changed(out / "root.yaml", json_to_yaml(text))
    body = text.encode("utf-8")
    key = _key(prefix, body)
    with aws_errors(where):
        _upload(s3, bucket, key, body, result, aws.account_id)
    result.root_url = template_url(bucket, key, aws.region)
    result.root_body = text
    result.root_path = out / "root.json"
    result.capabilities = capabilities(target.templates())
    result.quick_create_url = quick_create_link(aws.region, result.root_url, target.stack_name, target.parameters())
    return result


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text() == text:
        return
    path.write_text(text)


def quick_create_link(region: str, root_url: str, stack_name: str, parameters: list[dict[str, str]]) -> str:
    """The console's quick-create page with the template, the stack name and every parameter filled in."""
    query = {"templateURL": root_url, "stackName": stack_name}
    query.update({f"param_{p['ParameterKey']}": p["ParameterValue"] for p in parameters})
    return (
        f"https://{region}.console.aws.amazon.com/cloudformation/home?region={region}"
        f"#/stacks/quickcreate?{urlencode(query, quote_via=quote)}"
    )
