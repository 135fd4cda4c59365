"""Preflight: read-only checks of the account before a change set executes.

What the built templates need (requirements.py) is asked of the account, one check per concern:
region, root parameters, images, secret values, hosted zones, certificates, fixed physical names,
quotas. Each problem is one `Finding` -- one line that says what is wrong and what to do:

- "missing" (exit 4): an input the operator supplies -- an image not pushed, a secret without a value,
  a hosted zone or certificate that does not exist, a required parameter without a value;
- "blocked" (exit 1): the deploy would fail for another reason -- a fixed name already taken by a
  resource outside the stack (a retained leftover), a quota, the wrong region;
- "note": what preflight assumes without checking (an image in an external registry).

Preflight never changes the account and never reads a secret's value: DescribeSecret tells whether
a secret has an AWSCURRENT version; DescribeParameters whether an SSM parameter exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from . import requirements as rq
from .leftovers import delete_command
from .plan import describe_stack
from .session import Aws, client_error_code, pages, translates_aws_errors
from .target import BuiltTarget

MISSING, BLOCKED, NOTE = "missing", "blocked", "note"
GONE_STATES = ("REVIEW_IN_PROGRESS", "DELETE_COMPLETE")  # a stack in these holds no resources


@dataclass(frozen=True)
class Finding:
    kind: str  # missing | blocked | note
    check: str  # region | parameter | image | secret | zone | certificate | name | replication | quota
    message: str  # one line: what, and what to do
    service: str = ""  # the ECS service (template/logical ID) whose tasks need it, for images and secrets
    commands: tuple[str, ...] = ()  # the commands that supply it, one per line
    subject: str = ""  # what it is about: the image URI, secret name, parameter, zone, ARN, name or quota

    def to_json(self) -> dict[str, Any]:
        """The machine form (`plan --format json`'s `preflight`): check, subject, status and what to do."""
        return {
            "check": self.check,
            "subject": self.subject,
            "status": self.kind,
            "message": self.message,
            "service": self.service or None,
            "commands": list(self.commands),
        }


@dataclass
class Report:
    stack_name: str
    account: str
    region: str
    requirements: rq.Requirements
    stack_exists: bool
    findings: list[Finding] = field(default_factory=list)

    def of(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def exit_code(self) -> int:
        return 1 if self.of(BLOCKED) else 4 if self.of(MISSING) else 0

    def missing_services(self) -> dict[str, list[Finding]]:
        """ECS service path -> the missing images and secrets its tasks need."""
        out: dict[str, list[Finding]] = {}
        for f in self.of(MISSING):
            if f.service:
                out.setdefault(f.service, []).append(f)
        return out

    def lines(self) -> list[str]:
        """Every finding, most serious first; commands indented under the line they belong to."""
        out = []
        for kind in (BLOCKED, MISSING, NOTE):
            for f in self.findings:
                if f.kind == kind:
                    out.append(f"{kind}: {f.message}")
                    out += [f"    {c}" for c in f.commands]
        return out


class Reader:
    """The read-only calls preflight makes, by service and operation name (`ecr`, `DescribeImages`). The one
    seam to the account: a deploy reads through its session; tests read recorded responses validated
    against botocore's shapes (tests/test_preflight.py). Errors are botocore's ClientError, as boto3 raises."""

    def __init__(self, aws: Aws):
        self.aws = aws

    def __call__(self, service: str, operation: str, region: str | None = None, **kwargs: Any) -> dict[str, Any]:
        from botocore import xform_name

        return getattr(self.aws.client(service, region), xform_name(operation))(**kwargs)


Read = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Context:
    """What the checks share: who is deploying what, and how a message names the next command."""

    target: BuiltTarget
    read: Read
    selection: str  # " --system S --env E" (what the commands it prints take)
    secret_names: dict[str, str]  # secrets-stack logical ID -> the `secrets:` name an operator types


Check = Callable[[Context, Report], list[Finding]]


@translates_aws_errors
def run(
    target: BuiltTarget,
    aws: Aws,
    *,
    selection: str = "",
    secret_names: dict[str, str] | None = None,
    checks: tuple[Check, ...] | None = None,
) -> Report:
    """Every check, in order; read-only."""
    stack = describe_stack(aws, target.stack_name)
    exists = stack is not None and stack["StackStatus"] not in GONE_STATES
    req = rq.read(target, account=aws.account_id, region=aws.region)
    report = Report(target.stack_name, aws.account_id, aws.region, req, exists)
    ctx = Context(target, Reader(aws), selection or f" --system {target.system} --env {target.env}", secret_names or {})
    for check in checks if checks is not None else CHECKS:
        report.findings += check(ctx, report)
    return report


# ------------------------------------------------------------------------------------------------ checks


def check_region(ctx: Context, report: Report) -> list[Finding]:
    want = ctx.target.region  # the folder's region: the system's (or, multi-region, this folder's)
    if want and report.region != want:
        return [
            Finding(
                BLOCKED,
                "region",
                f"{ctx.target.system}/{ctx.target.env} deploys to {want}, not {report.region}: "
                "drop --region, or the profile's / AWS_REGION's other region",
                subject=report.region,
            )
        ]
    return []


def check_parameters(ctx: Context, report: Report) -> list[Finding]:
    return [
        Finding(
            MISSING,
            "parameter",
            f"root parameter {name} has no default and no value: pass `-p {name}=...`",
            subject=name,
        )
        for name in report.requirements.missing_parameters
    ]


def check_images(ctx: Context, report: Report) -> list[Finding]:
    out: list[Finding] = []
    for service in report.requirements.services:
        for container in service.containers:
            image = container.image
            if image is None:
                out.append(
                    Finding(
                        NOTE,
                        "image",
                        f"{service.path}/{container.name}: image known only at deploy "
                        f"({container.image_text}); not checked",
                        subject=container.image_text,
                    )
                )
            elif not image.private_ecr:
                out.append(
                    Finding(
                        NOTE,
                        "image",
                        f"{service.path}/{container.name}: {image.uri} is in an external "
                        "registry; assumed to exist and be pullable",
                        subject=image.uri,
                    )
                )
            else:
                found = _image_state(ctx.read, image)
                primary = _replicated_from(ctx, report, image)
                if found is not None and primary is not None:
                    out.append(_missing_replica(ctx, report, service, container.name, image, primary))
                elif found is not None:
                    out.append(_missing_image(ctx, report, service, container.name, image, found))
    return out


# -- replicas of the primary region's images and secrets (config/replication.py; manifest "replicas")


def _replicas(ctx: Context) -> dict[str, Any]:
    return ctx.target.manifest.get("replicas") or {}


def _replicated_from(ctx: Context, report: Report, image: rq.Image) -> str | None:
    """The primary region whose repository this image's is a replica of, when it is this system's own."""
    if image.registry != report.account or image.region != report.region or image.repository is None:
        return None
    return _replicas(ctx).get("repositories", {}).get(image.repository)


def _missing_replica(
    ctx: Context, report: Report, service: rq.ServiceNeeds, container: str, image: rq.Image, primary: str
) -> Finding:
    """Not here yet: satisfied by a push to the primary's repository, which ECR replication copies here."""
    where = f"{service.path}/{container}"
    at_primary = replace(
        image,
        uri=image.uri.replace(f".dkr.ecr.{image.region}.", f".dkr.ecr.{primary}.", 1),
        region=primary,
        own=True,
    )
    if _image_state(ctx.read, at_primary) is None:
        return Finding(
            MISSING,
            "image",
            f"{where}: image {at_primary.uri} is in {primary} but not yet replicated to {report.region}: ECR copies "
            "a push within minutes -- deploy again then; an image pushed before the replication configuration "
            "existed is never copied: push it again",
            service.path,
            push_commands(at_primary),
            subject=image.uri,
        )
    return Finding(
        MISSING,
        "image",
        f"{where}: image {image.uri} is a replica of {at_primary.uri}, which is not pushed; push it to {primary} "
        f"(ECR replication copies it to {report.region}):",
        service.path,
        push_commands(at_primary),
        subject=image.uri,
    )


def _replica_secret(ctx: Context, arn: str) -> tuple[str, str, str, bool] | None:
    """(`secrets:` name, physical name, primary region, generated there) when `arn` names a replica of the
    primary's secret."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[5] != "secret":
        return None
    for label, info in (_replicas(ctx).get("secrets") or {}).items():
        if info.get("name") == parts[6]:
            return label, info["name"], info["from"], bool(info.get("generated"))
    return None


def _replica_secret_finding(
    ctx: Context, report: Report, service: rq.ServiceNeeds, where: str, arn: str, replica: tuple[str, str, str, bool]
) -> Finding | None:
    """A replica has its value when the primary's secret has one and replication is in sync; `secret set`
    writes the primary, never the replica (Secrets Manager refuses writes to a replica)."""
    import botocore.exceptions

    label, name, primary, generated = replica
    if has_current_value(ctx.read, name):  # by name: this region's, as the partial ARN ECS reads resolves
        return None
    command = (secret_set_command(ctx, label),)
    try:
        described = ctx.read("secretsmanager", "DescribeSecret", primary, SecretId=name)
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) != "ResourceNotFoundException":
            raise
        if generated:
            return Finding(
                MISSING,
                "secret",
                f"{where}: secret {name} is a replica of {primary}'s, which does not exist yet (the {primary} "
                "deploy creates it with a generated value, before this region's): deploy again after it",
                service.path,
                subject=name,
            )
        return Finding(
            MISSING,
            "secret",
            f"{where}: secret {name} is a replica of {primary}'s, which does not exist yet (the {primary} deploy "
            "creates it, before this region's); give it a value after it:",
            service.path,
            command,
            subject=name,
        )
    stages = described.get("VersionIdsToStages") or {}
    if not any("AWSCURRENT" in v for v in stages.values()):
        return Finding(
            MISSING,
            "secret",
            f"{where}: secret {name} has no value in {primary}; set it there (its replica in {report.region} gets it):",
            service.path,
            command,
            subject=name,
        )
    status = next((r for r in described.get("ReplicationStatus") or [] if r.get("Region") == report.region), None)
    why = (
        f"its replica is {status.get('Status', '?')}: {status.get('StatusMessage', '')}".rstrip(": ")
        if status
        else f"{report.region} is not among its replica regions (deploy {primary} first)"
    )
    return Finding(
        MISSING,
        "secret",
        f"{where}: secret {name} has a value in {primary} but not in {report.region}: {why}",
        service.path,
        subject=name,
    )


def _image_state(read: Read, image: rq.Image) -> str | None:
    """None when the image exists; else "repository" (no such repository) or "image"."""
    import botocore.exceptions

    ident = {"imageDigest": image.digest} if image.digest else {"imageTag": image.tag}
    try:
        found = read(
            "ecr",
            "DescribeImages",
            image.region,
            registryId=image.registry,
            repositoryName=image.repository,
            imageIds=[ident],
        )
    except botocore.exceptions.ClientError as exc:
        code = client_error_code(exc)
        if code == "RepositoryNotFoundException":
            return "repository"
        if code == "ImageNotFoundException":
            return "image"
        raise
    return None if found.get("imageDetails") else "image"


def push_commands(image: rq.Image) -> tuple[str, ...]:
    registry = image.repository_uri.split("/", 1)[0]
    return (
        f"aws ecr get-login-password --region {image.region} | docker login --username AWS --password-stdin {registry}",
        f"docker push {image.uri}",
    )


def _missing_image(
    ctx: Context, report: Report, service: rq.ServiceNeeds, container: str, image: rq.Image, state: str
) -> Finding:
    where = f"{service.path}/{container}"
    if image.own:
        made = "exists" if state == "image" else "is created by this deploy"
        return Finding(
            MISSING,
            "image",
            f"{where}: image {image.uri} is not pushed (the repository {made}); build it, tag it and push it:",
            service.path,
            push_commands(image),
            subject=image.uri,
        )
    if state == "repository":
        return Finding(
            MISSING,
            "image",
            f"{where}: ECR repository {image.repository} does not exist in account {image.registry} "
            f"({image.region}); create it and push {image.uri}, or change the image",
            service.path,
            subject=image.uri,
        )
    return Finding(
        MISSING,
        "image",
        f"{where}: image {image.uri} does not exist; push it:",
        service.path,
        push_commands(image),
        subject=image.uri,
    )


def check_secrets(ctx: Context, report: Report) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for service in report.requirements.services:
        for container in service.containers:
            for need in container.secrets:
                if (service.path, need.label) in seen:
                    continue
                seen.add((service.path, need.label))
                finding = _secret_finding(ctx, report, service, container.name, need)
                if finding is not None:
                    out.append(finding)
    return out


def secret_set_command(ctx: Context, name: str) -> str:
    return f"stackc secret set{ctx.selection} {name}"


def _secret_finding(
    ctx: Context, report: Report, service: rq.ServiceNeeds, container: str, need: rq.SecretNeed
) -> Finding | None:
    where = f"{service.path}/{container} {need.variable}"
    if need.source == "store" or need.created_by_stack:
        return None  # a value the system's own resources create
    if need.source == "secret" and need.resource is not None:
        if need.generated:
            return None
        name = ctx.secret_names.get(need.resource.logical_id, need.resource.logical_id)
        arn = physical_id(ctx.read, ctx.target, need.resource) if report.stack_exists else None
        if arn is None:
            return Finding(
                MISSING,
                "secret",
                f"{where}: secret {name} is created empty by this deploy; give it a value after it:",
                service.path,
                (secret_set_command(ctx, name),),
                subject=name,
            )
        if not has_current_value(ctx.read, arn):
            return Finding(
                MISSING,
                "secret",
                f"{where}: secret {name} has no value; set it:",
                service.path,
                (secret_set_command(ctx, name),),
                subject=name,
            )
        return None
    if need.source == "ssm" and need.path:
        if not ssm_parameter_exists(ctx.read, need.path):
            return Finding(
                MISSING,
                "secret",
                f"{where}: SSM parameter {need.path} does not exist; create it (the value from a file, not the "
                "command line):",
                service.path,
                (
                    f"aws ssm put-parameter --region {report.region} --type SecureString --name {need.path} "
                    "--value file://<file holding the value>",
                ),
                subject=need.path,
            )
        return None
    if need.source == "arn" and need.path:
        arn = ":".join(need.path.split(":")[:7])  # an ARN with a JSON key (`<arn>:<key>::`): the secret's
        replica = _replica_secret(ctx, arn)
        if replica is not None:
            return _replica_secret_finding(ctx, report, service, where, arn, replica)
        if not has_current_value(ctx.read, arn):
            return Finding(
                MISSING, "secret", f"{where}: secret {arn} does not exist or has no value", service.path, subject=arn
            )
        return None
    return Finding(
        NOTE, "secret", f"{where}: secret known only at deploy ({need.path}); not checked", subject=need.path or ""
    )


def physical_id(read: Read, target: BuiltTarget, res: rq.Res) -> str | None:
    """The physical ID of a resource of the deployed system (root or nested), or None if it has none yet."""
    import botocore.exceptions

    stack = target.stack_name
    try:
        if res.template != rq.ROOT:
            logical = {name: lid for lid, name in target.children().items()}[res.template]
            found = read("cloudformation", "DescribeStackResource", StackName=stack, LogicalResourceId=logical)
            stack = found["StackResourceDetail"]["PhysicalResourceId"]
        found = read("cloudformation", "DescribeStackResource", StackName=stack, LogicalResourceId=res.logical_id)
        detail = found["StackResourceDetail"]
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "ValidationError":
            return None
        raise
    return detail.get("PhysicalResourceId") or None


def has_current_value(read: Read, secret_id: str) -> bool:
    """Whether the secret exists with an AWSCURRENT version -- from its metadata, never its value."""
    import botocore.exceptions

    try:
        described = read("secretsmanager", "DescribeSecret", SecretId=secret_id)
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "ResourceNotFoundException":
            return False
        raise
    stages = described.get("VersionIdsToStages") or {}
    return any("AWSCURRENT" in s for s in stages.values())


def ssm_parameter_exists(read: Read, name: str) -> bool:
    found = read("ssm", "DescribeParameters", ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])
    return bool(found.get("Parameters"))


def check_zones(ctx: Context, report: Report) -> list[Finding]:
    import botocore.exceptions

    out: list[Finding] = []
    by_zone: dict[str, list[str]] = {}
    for where, zone in report.requirements.hosted_zones:
        by_zone.setdefault(zone.removeprefix("/hostedzone/"), []).append(where)
    for zone, wheres in sorted(by_zone.items()):
        try:
            ctx.read("route53", "GetHostedZone", Id=zone)
        except botocore.exceptions.ClientError as exc:
            if client_error_code(exc) not in ("NoSuchHostedZone", "InvalidInput"):
                raise
            params = [w.removeprefix("parameter ") for w in wheres if w.startswith("parameter ")]
            fix = f"pass `-p {params[0]}=<zone id>`" if params else "set the zone in params"
            out.append(
                Finding(
                    MISSING,
                    "zone",
                    f"hosted zone {zone} does not exist in account {report.account} ({', '.join(wheres)}): "
                    f"create it or {fix} (`aws route53 list-hosted-zones` lists yours)",
                    subject=zone,
                )
            )
    return out


def check_certificates(ctx: Context, report: Report) -> list[Finding]:
    import botocore.exceptions

    out: list[Finding] = []
    for where, arn in report.requirements.certificates:
        parts = arn.split(":")
        region = parts[3] if len(parts) > 5 else ""
        if region != report.region:
            out.append(
                Finding(
                    BLOCKED,
                    "certificate",
                    f"{where}: certificate {arn} is in {region or 'no region'}; a load balancer in "
                    f"{report.region} needs one issued in {report.region}",
                    subject=arn,
                )
            )
            continue
        try:
            cert = ctx.read("acm", "DescribeCertificate", CertificateArn=arn)["Certificate"]
        except botocore.exceptions.ClientError as exc:
            if client_error_code(exc) not in ("ResourceNotFoundException", "ValidationException"):
                raise
            out.append(
                Finding(
                    MISSING,
                    "certificate",
                    f"{where}: certificate {arn} does not exist in account "
                    f"{report.account}: request it in ACM ({report.region}) or fix the ARN",
                    subject=arn,
                )
            )
            continue
        status = cert.get("Status", "")
        if status in ("EXPIRED", "REVOKED", "FAILED", "VALIDATION_TIMED_OUT", "INACTIVE"):
            out.append(
                Finding(
                    BLOCKED, "certificate", f"{where}: certificate {arn} is {status}: request a new one", subject=arn
                )
            )
        elif status != "ISSUED":
            out.append(
                Finding(
                    NOTE,
                    "certificate",
                    f"{where}: certificate {arn} is {status}; the listener needs it issued",
                    subject=arn,
                )
            )
    return out


# Fixed physical names: how to find one in the account, and the command that deletes a leftover.
def _taken(read: Read, kind: str, name: str) -> str | None:
    """The physical ID of an existing resource of `kind` named `name`, or None."""
    import botocore.exceptions

    try:
        if kind == "AWS::ECR::Repository":
            read("ecr", "DescribeRepositories", repositoryNames=[name])
            return name
        if kind == "AWS::SecretsManager::Secret":
            return read("secretsmanager", "DescribeSecret", SecretId=name)["ARN"]
        if kind == "AWS::ElastiCache::ServerlessCache":
            found = read("elasticache", "DescribeServerlessCaches", ServerlessCacheName=name)
            return name if found.get("ServerlessCaches") else None
        if kind == "AWS::Logs::LogGroup":
            groups = read("logs", "DescribeLogGroups", logGroupNamePrefix=name).get("logGroups", [])
            return name if any(g["logGroupName"] == name for g in groups) else None
        if kind == "AWS::SSM::Parameter":
            return name if ssm_parameter_exists(read, name) else None
        if kind == "AWS::S3::Bucket":
            read("s3", "HeadBucket", Bucket=name)
            return name
    except botocore.exceptions.ClientError as exc:
        code = client_error_code(exc)
        if code in (
            "RepositoryNotFoundException",
            "ResourceNotFoundException",
            "ServerlessCacheNotFoundFault",
            "404",
            "NoSuchBucket",
            "NotFound",
        ):
            return None
        if kind == "AWS::S3::Bucket" and code in ("403", "Forbidden"):
            return name  # someone else's bucket: taken all the same
        raise
    return None


def stack_physical_ids(read: Read, stack_name: str) -> set[str]:
    """Physical IDs of every resource of a deployed stack and its nested stacks."""
    ids: set[str] = set()
    todo = [stack_name]
    while todo:
        found = read("cloudformation", "DescribeStackResources", StackName=todo.pop())
        for r in found.get("StackResources", []):
            if r.get("PhysicalResourceId"):
                ids.add(r["PhysicalResourceId"])
                if r.get("ResourceType") == "AWS::CloudFormation::Stack":
                    todo.append(r["PhysicalResourceId"])
    return ids


def check_names(ctx: Context, report: Report) -> list[Finding]:
    fixed = report.requirements.fixed_names
    if not fixed:
        return []
    ours = stack_physical_ids(ctx.read, ctx.target.stack_name) if report.stack_exists else set()
    out = []
    for f in fixed:
        try:
            found = _taken(ctx.read, f.type, f.name)
        except Exception as exc:  # an endpoint without the operation (a local emulator): say so, go on
            if not _unanswered(exc):
                raise
            out.append(
                Finding(
                    NOTE, "name", f"{f.type} {f.name}: not checked (the endpoint cannot answer: {exc})", subject=f.name
                )
            )
            continue
        if found is None or found in ours or f.name in ours:
            continue
        command = delete_command(f.type, f.name, report.region)
        out.append(
            Finding(
                BLOCKED,
                "name",
                f"{f.type} {f.name} ({f.template}/{f.logical_id}) already exists outside stack {report.stack_name} "
                "(a leftover, e.g. retained by an earlier stack): delete it (with what it holds), or rename it in "
                "params to keep it",
                commands=(command,) if command else (),
                subject=f.name,
            )
        )
    return out


def _unanswered(exc: BaseException) -> bool:
    """An answer that is not an AWS response, or a server error: the endpoint lacks the operation."""
    import botocore.exceptions

    if type(exc).__name__ == "ResponseParserError":
        return True
    status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return isinstance(exc, botocore.exceptions.ClientError) and status >= 500


def check_replication(ctx: Context, report: Report) -> list[Finding]:
    """The primary's side of replication (config/replication.py): the registry replication configuration it
    would replace, and replica secret names already taken in the replica regions."""
    out: list[Finding] = []
    ev = rq.Evaluator(ctx.target, account=report.account, region=report.region)
    for tname, template in sorted(ev.templates.items()):
        for lid, res in sorted(template.get("Resources", {}).items()):
            kind, props = res.get("Type"), res.get("Properties", {})
            if kind == "AWS::ECR::ReplicationConfiguration":
                out += _registry_replication(ctx, report, rq.Res(tname, lid, kind), _deep(ev, tname, props))
            elif kind == "AWS::SecretsManager::Secret" and props.get("ReplicaRegions") and "Name" in props:
                name = ev.eval(tname, props["Name"])
                for replica in _deep(ev, tname, props["ReplicaRegions"]):
                    if isinstance(name, str) and isinstance(replica.get("Region"), str):
                        out += _replica_name_taken(ctx, report, name, replica["Region"])
    return out


def _deep(ev: rq.Evaluator, template: str, value: Any) -> Any:
    """A property value with every intrinsic in it evaluated (mappings and lists walked)."""
    if isinstance(value, dict) and not (len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))):
        return {k: _deep(ev, template, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(ev, template, v) for v in value]
    return ev.eval(template, value)


def _field(d: dict[str, Any], name: str) -> Any:
    """A field by its API name (`rules`) or its template name (`Rules`): the two spell it differently."""
    return d.get(name, d.get(name[:1].upper() + name[1:]))


def _rules(config: Any) -> list[tuple[frozenset, frozenset]]:
    """Replication rules as comparable sets (destinations, repository filters), from the API or a template."""
    out = []
    for rule in (_field(config, "rules") if isinstance(config, dict) else None) or []:
        dests = frozenset((_field(d, "region"), _field(d, "registryId")) for d in _field(rule, "destinations") or [])
        filters = frozenset(
            (_field(f, "filter"), _field(f, "filterType")) for f in _field(rule, "repositoryFilters") or []
        )
        out.append((dests, filters))
    return sorted(out, key=repr)


def _registry_replication(ctx: Context, report: Report, res: rq.Res, props: Any) -> list[Finding]:
    registry = ctx.read("ecr", "DescribeRegistry")
    current = _rules(registry.get("replicationConfiguration") or {})
    wanted = _rules(props.get("ReplicationConfiguration") if isinstance(props, dict) else None)
    if not current or current == wanted:
        return []
    if report.stack_exists and physical_id(ctx.read, ctx.target, res) is not None:
        return []  # this stack's own configuration, changed by this deploy (the review shows it)
    return [
        Finding(
            BLOCKED,
            "replication",
            f"the ECR registry of account {report.account} in {report.region} already has a replication "
            f"configuration ({len(current)} rule(s)) that this stack does not own; deploying would replace it "
            "(one per registry): add this system's repositories to it and set `replication: {images: external}` "
            "in params, or remove it if nothing needs it:",
            commands=(f"aws ecr describe-registry --region {report.region}",),
            subject=f"ECR registry {report.account} ({report.region})",
        )
    ]


def _replica_name_taken(ctx: Context, report: Report, name: str, region: str) -> list[Finding]:
    """A secret of that name in a replica region that is not this one's replica makes replication fail."""
    import botocore.exceptions

    try:
        found = ctx.read("secretsmanager", "DescribeSecret", region, SecretId=name)
    except botocore.exceptions.ClientError as exc:
        if client_error_code(exc) == "ResourceNotFoundException":
            return []
        raise
    if found.get("PrimaryRegion") == report.region:
        return []  # the replica of this secret
    return [
        Finding(
            BLOCKED,
            "replication",
            f"secret {name} already exists in {region} as a secret of its own (e.g. created there before "
            f"replication, retained by its stack): Secrets Manager cannot replicate {report.region}'s secret over "
            "it. Copy its value to the primary if it is the one to keep, then delete it (or set "
            "`replication: {secrets: per-region}`):",
            commands=tuple(c for c in [delete_command("AWS::SecretsManager::Secret", name, region)] if c),
            subject=name,
        )
    ]


@dataclass(frozen=True)
class Quota:
    """A Service Quotas quota: where to read it, AWS's default, and what `request-service-quota-increase` takes."""

    name: str
    service: str
    code: str
    default: int


VPC_QUOTA = Quota("VPCs per Region", "vpc", "L-F678F1CE", 5)
NAT_QUOTA = Quota("NAT gateways per Availability Zone", "vpc", "L-FE5A380F", 5)
ENDPOINT_QUOTA = Quota("Interface VPC endpoints per VPC", "vpc", "L-29B6F2EB", 50)
ALB_QUOTA = Quota("Application Load Balancers per Region", "elasticloadbalancing", "L-53DA6B97", 50)
EIP_QUOTA_CODE = "L-0263D0A3"  # EC2-VPC Elastic IPs (read from EC2's account attribute vpc-max-elastic-ips)
LIVE_NAT_STATES = ("pending", "available")


def check_quotas(ctx: Context, report: Report) -> list[Finding]:
    """Only for a first create (an update reuses what it has): Elastic IPs (NAT gateways), VPCs, NAT gateways
    per Availability Zone, interface endpoints per VPC, Application Load Balancers. A quota Service Quotas
    cannot say is checked against AWS's default, and a note says so."""
    if report.stack_exists:
        return []
    out: list[Finding] = []
    eips = report.requirements.counts.get("AWS::EC2::EIP", 0)
    if eips:
        attrs = ctx.read("ec2", "DescribeAccountAttributes", AttributeNames=["vpc-max-elastic-ips"])[
            "AccountAttributes"
        ]
        limit = int(next((v["AttributeValue"] for a in attrs for v in a["AttributeValues"]), "5"))
        used = len(ctx.read("ec2", "DescribeAddresses").get("Addresses", []))
        if used + eips > limit:
            out.append(_quota("Elastic IPs (NAT gateways)", eips, used, limit, "ec2", EIP_QUOTA_CODE))
    vpcs = report.requirements.counts.get("AWS::EC2::VPC", 0)
    if vpcs:
        limit = _service_quota(ctx.read, VPC_QUOTA, out)
        used = sum(len(p.get("Vpcs", [])) for p in pages(lambda **kw: ctx.read("ec2", "DescribeVpcs", **kw)))
        if used + vpcs > limit:
            out.append(_quota("VPCs", vpcs, used, limit, VPC_QUOTA.service, VPC_QUOTA.code))
    out += _nat_gateways_per_zone(ctx, report)
    out += _interface_endpoints(ctx, report)
    out += _application_load_balancers(ctx)
    return out


def _resources(ctx: Context, rtype: str) -> list[dict[str, Any]]:
    """Every unconditional resource of `rtype` in the built templates (as requirements counts them)."""
    return [
        res
        for template in ctx.target.templates().values()
        for res in (template.get("Resources") or {}).values()
        if res.get("Type") == rtype and "Condition" not in res
    ]


def _nat_gateways_per_zone(ctx: Context, report: Report) -> list[Finding]:
    """The compiler puts NAT gateway i in the i-th zone of Fn::GetAZs (the region's zones by name): each of
    the first N zones gets one more. Counted against the account's live NAT gateways in that zone."""
    needed = report.requirements.counts.get("AWS::EC2::NatGateway", 0)
    if not needed:
        return []
    out: list[Finding] = []
    zones = sorted(
        z["ZoneName"]
        for z in ctx.read("ec2", "DescribeAvailabilityZones").get("AvailabilityZones", [])
        if z.get("ZoneType", "availability-zone") == "availability-zone"
    )[:needed]
    live = [
        n
        for p in pages(lambda **kw: ctx.read("ec2", "DescribeNatGateways", **kw))
        for n in p.get("NatGateways", [])
        if n.get("State") in LIVE_NAT_STATES
    ]
    subnet_ids = sorted({n["SubnetId"] for n in live if n.get("SubnetId")})
    zone_of = (
        {
            s["SubnetId"]: s["AvailabilityZone"]
            for s in ctx.read("ec2", "DescribeSubnets", SubnetIds=subnet_ids)["Subnets"]
        }
        if subnet_ids
        else {}
    )
    limit = _service_quota(ctx.read, NAT_QUOTA, out)
    for zone in zones:
        used = sum(1 for n in live if zone_of.get(n.get("SubnetId", "")) == zone)
        if used + 1 > limit:
            out.append(_quota(f"NAT gateways in {zone}", 1, used, limit, NAT_QUOTA.service, NAT_QUOTA.code, "zone"))
    return out


def _interface_endpoints(ctx: Context, report: Report) -> list[Finding]:
    """In a VPC the stack creates (existing-VPC mode: the endpoints' VPC is a parameter, not counted here)."""
    if not report.requirements.counts.get("AWS::EC2::VPC", 0):
        return []
    needed = sum(
        1
        for res in _resources(ctx, "AWS::EC2::VPCEndpoint")
        if (res.get("Properties") or {}).get("VpcEndpointType") == "Interface"
    )
    if not needed:
        return []
    out: list[Finding] = []
    limit = _service_quota(ctx.read, ENDPOINT_QUOTA, out)
    if needed > limit:
        out.append(
            _quota("Interface VPC endpoints", needed, 0, limit, ENDPOINT_QUOTA.service, ENDPOINT_QUOTA.code, "VPC")
        )
    return out


def _application_load_balancers(ctx: Context) -> list[Finding]:
    needed = sum(
        1
        for res in _resources(ctx, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        if (res.get("Properties") or {}).get("Type", "application") == "application"
    )
    if not needed:
        return []
    out: list[Finding] = []
    limit = _service_quota(ctx.read, ALB_QUOTA, out)
    used, marker = 0, None
    while True:  # (ELB pages with Marker / NextMarker)
        page = ctx.read("elbv2", "DescribeLoadBalancers", **({"Marker": marker} if marker else {}))
        used += sum(1 for lb in page.get("LoadBalancers", []) if lb.get("Type") == "application")
        marker = page.get("NextMarker")
        if not marker:
            break
    if used + needed > limit:
        out.append(_quota("Application Load Balancers", needed, used, limit, ALB_QUOTA.service, ALB_QUOTA.code))
    return out


def _service_quota(read: Read, quota: Quota, notes: list[Finding]) -> int:
    """The account's value of a quota. When Service Quotas cannot say (no permission, an endpoint without
    it), AWS's default -- and a note in `notes` that says which was used."""
    import botocore.exceptions

    try:
        return int(
            read("service-quotas", "GetServiceQuota", ServiceCode=quota.service, QuotaCode=quota.code)["Quota"]["Value"]
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, KeyError) as exc:
        notes.append(
            Finding(
                NOTE,
                "quota",
                f"{quota.name} ({quota.service} {quota.code}): Service Quotas did not answer "
                f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); checked against AWS's default, "
                f"{quota.default}",
                subject=quota.name,
            )
        )
        return quota.default


def _quota(what: str, needed: int, used: int, limit: int, service: str, code: str, scope: str = "region") -> Finding:
    return Finding(
        BLOCKED,
        "quota",
        f"{what}: the deploy needs {needed}, the account uses {used} of {limit} in this {scope}: release some or "
        "request more:",
        commands=(
            f"aws service-quotas request-service-quota-increase --service-code {service} --quota-code {code} "
            f"--desired-value {used + needed}",
        ),
        subject=what,
    )


CHECKS: tuple[Check, ...] = (
    check_region,
    check_parameters,
    check_images,
    check_secrets,
    check_zones,
    check_certificates,
    check_names,
    check_replication,
    check_quotas,
)
