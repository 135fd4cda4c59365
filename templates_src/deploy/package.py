"""Upload the children under content-addressed keys, write and upload the packaged root.

Keys are `<prefix>/<sha256 of the body>.json`: an unchanged template keeps its key (and is not
uploaded again), a changed one gets a new key -- which is also what makes CloudFormation notice that
a nested stack changed. The packaged root goes to build/<system>/<env>/packaged/root.json|yaml.
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


def default_bucket(aws: Aws) -> str:
    return f"stackc-artifacts-{aws.account_id}-{aws.region}"


def template_url(bucket: str, key: str) -> str:
    """The form CloudFormation accepts in every region (and the local emulator resolves)."""
    return f"https://{bucket}.s3.amazonaws.com/{key}"


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
    s3 = aws.client("s3")
    if bucket:
        _head_bucket(s3, bucket, create_hint=False)
        return bucket, False
    bucket = default_bucket(aws)
    if _head_bucket(s3, bucket, create_hint=True):
        return bucket, False
    kwargs: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
    if aws.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": aws.region}
    s3.create_bucket(**kwargs)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket, True


def _head_bucket(s3: Any, bucket: str, create_hint: bool) -> bool:
    import botocore.exceptions

    try:
        s3.head_bucket(Bucket=bucket)
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
            raise DeployError(
                f"access denied to artifact bucket {bucket!r}: the credentials in use may not read it "
                "(s3:ListBucket), or it belongs to another account"
            ) from None
        raise


def _key(prefix: str, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()
    return f"{prefix.strip('/')}/{digest}.json" if prefix.strip("/") else f"{digest}.json"


def _exists(s3: Any, bucket: str, key: str) -> bool:
    import botocore.exceptions

    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def _upload(s3: Any, bucket: str, key: str, body: bytes, result: Packaged) -> None:
    if _exists(s3, bucket, key):
        result.reused.append(key)
        return
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json", ServerSideEncryption="AES256")
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
            _upload(s3, bucket, key, body, result)
        result.child_urls[name] = template_url(bucket, key)

    root = target.template("root")
    for logical_id, name in children.items():
        root["Resources"][logical_id]["Properties"]["TemplateURL"] = result.child_urls[name]
    text = to_json(root)
    out = target.build_dir / "packaged"
    out.mkdir(parents=True, exist_ok=True)
    _write_if_changed(out / "root.json", text)
    _write_if_changed(out / "root.yaml", json_to_yaml(text))
    body = text.encode("utf-8")
    key = _key(prefix, body)
    with aws_errors(where):
        _upload(s3, bucket, key, body, result)
    result.root_url = template_url(bucket, key)
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
