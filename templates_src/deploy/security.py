"""Security changes in a change set: IAM statements and security-group rules added, widened or removed.

Pure: one resource change's type, action and properties before and after (DescribeChangeSet's
BeforeContext/AfterContext with IncludePropertyValues, or a template's Properties) in; findings out.
Compared as data, not as text: a statement is its Effect, Principal, Actions, Resources and Condition; a
rule is its direction, protocol, ports and peer (CIDR, security group or prefix list).

"widened" means the same statement (same Sid, or same Effect and Principal when there is no Sid) or the
same rule (same direction, protocol and peer kind) now allows more: more actions or resources, a
wildcard, more ports, a larger CIDR. Anything else that differs is a removal plus an addition. An added
statement or rule that is open on its own (`*` action/resource/principal, 0.0.0.0/0, ::/0) says so.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Where each type keeps its policy documents: property path -> label.
POLICY_DOCUMENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "AWS::IAM::Role": (("AssumeRolePolicyDocument",), ("Policies", "*", "PolicyDocument")),
    "AWS::IAM::User": (("Policies", "*", "PolicyDocument"),),
    "AWS::IAM::Group": (("Policies", "*", "PolicyDocument"),),
    "AWS::IAM::Policy": (("PolicyDocument",),),
    "AWS::IAM::ManagedPolicy": (("PolicyDocument",),),
    "AWS::IAM::RolePolicy": (("PolicyDocument",),),
    "AWS::S3::BucketPolicy": (("PolicyDocument",),),
    "AWS::SQS::QueuePolicy": (("PolicyDocument",),),
    "AWS::SNS::TopicPolicy": (("PolicyDocument",),),
    "AWS::KMS::Key": (("KeyPolicy",),),
    "AWS::SecretsManager::ResourcePolicy": (("ResourcePolicy",),),
    "AWS::ECR::Repository": (("RepositoryPolicyText",),),
}
MANAGED_POLICY_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
SG_TYPES = ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress")
OPEN_CIDRS = ("0.0.0.0/0", "::/0")
PEERS = ("CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourceSecurityGroupName", "SourcePrefixListId",
         "DestinationSecurityGroupId", "DestinationPrefixListId")  # fmt: skip


def is_security_type(resource_type: str) -> bool:
    return resource_type in POLICY_DOCUMENTS or resource_type in SG_TYPES


@dataclass(frozen=True)
class Finding:
    kind: str  # iam | network
    change: str  # added | widened | removed
    text: str  # what, in one line
    open: bool = False  # open to everyone / everything (wildcard, 0.0.0.0/0)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "change": self.change, "text": self.text, "open": self.open}


def findings(resource_type: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Finding]:
    """What changed in security terms between two property sets (None: the resource does not exist)."""
    out: list[Finding] = []
    if resource_type in POLICY_DOCUMENTS:
        for where in POLICY_DOCUMENTS[resource_type]:
            old = dict(_statements(before, where))
            new = dict(_statements(after, where))
            for label in sorted(set(old) | set(new)):
                out += _compare_statements(label, old.get(label, []), new.get(label, []))
        if resource_type in MANAGED_POLICY_TYPES:
            old_arns = {_text(a) for a in (before or {}).get("ManagedPolicyArns") or []}
            new_arns = {_text(a) for a in (after or {}).get("ManagedPolicyArns") or []}
            for arn in sorted(new_arns - old_arns):
                out.append(Finding("iam", "added", f"managed policy {arn} attached", "AdministratorAccess" in arn))
            for arn in sorted(old_arns - new_arns):
                out.append(Finding("iam", "removed", f"managed policy {arn} detached"))
    if resource_type in SG_TYPES:
        out += _compare_rules(_rules(resource_type, before), _rules(resource_type, after))
    return out


# ---------------------------------------------------------------------------------------------- IAM


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    principal: str  # canonical JSON ("" when none)
    actions: frozenset[str]
    not_actions: frozenset[str]
    resources: frozenset[str]
    condition: str  # canonical JSON

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.sid, self.effect, self.principal) if self.sid else ("", self.effect, self.principal)

    @property
    def open(self) -> bool:
        return self.effect == "Allow" and (
            any(a == "*" or a.endswith(":*") for a in self.actions)
            or "*" in self.resources
            or self.principal in ('"*"', '{"AWS": "*"}')
            or bool(self.not_actions)
        )

    def describe(self) -> str:
        parts = [self.effect]
        if self.principal:
            parts.append(f"principal {self.principal}")
        if self.actions:
            parts.append(", ".join(sorted(self.actions)))
        if self.not_actions:
            parts.append("all but " + ", ".join(sorted(self.not_actions)))
        if self.resources:
            parts.append("on " + ", ".join(sorted(self.resources)))
        if self.condition:
            parts.append(f"if {self.condition}")
        return (f"[{self.sid}] " if self.sid else "") + " ".join(parts)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _set(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    items = value if isinstance(value, list) else [value]
    return frozenset(_text(v) for v in items)


def _document(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _statements(props: dict[str, Any] | None, where: tuple[str, ...]) -> Iterable[tuple[str, list[Statement]]]:
    """(label, statements) of each document at `where`; ("Policies", "*", "PolicyDocument") walks the
    inline policies, labelled by PolicyName."""
    if not props:
        return
    if where[1:2] == ("*",):
        for i, item in enumerate(props.get(where[0]) or []):
            if isinstance(item, dict):
                name = item.get("PolicyName")
                yield f"inline policy {_text(name) if name is not None else i}", _parse(item.get(where[2]))
        return
    if where[0] in props:
        yield {"AssumeRolePolicyDocument": "trust policy"}.get(where[0], where[0]), _parse(props[where[0]])


def _parse(doc: Any) -> list[Statement]:
    statements = _document(doc).get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    return [_statement(s) for s in statements if isinstance(s, dict)]


def _statement(s: dict[str, Any]) -> Statement:
    principal = s.get("Principal", s.get("NotPrincipal"))
    return Statement(
        sid=_text(s.get("Sid", "")),
        effect=_text(s.get("Effect", "")),
        principal="" if principal is None else json.dumps(principal, sort_keys=True),
        actions=_set(s.get("Action")),
        not_actions=_set(s.get("NotAction")),
        resources=_set(s.get("Resource", s.get("NotResource"))),
        condition="" if s.get("Condition") is None else json.dumps(s["Condition"], sort_keys=True),
    )


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    return "*" in wide or narrow <= wide


def _compare_statements(label: str, old: list[Statement], new: list[Statement]) -> list[Finding]:
    out: list[Finding] = []
    old_left = [s for s in old if s not in new]
    new_left = [s for s in new if s not in old]
    for s in list(new_left):
        match = next((o for o in old_left if o.key == s.key), None)
        if match is None:
            continue
        widened = (
            _covers(s.actions, match.actions)
            and _covers(s.resources, match.resources)
            and (s.actions != match.actions or s.resources != match.resources)
            and s.condition == match.condition
            and s.effect == "Allow"
        )
        if widened:
            more = sorted((s.actions - match.actions) | (s.resources - match.resources))
            out.append(Finding("iam", "widened", f"{label}: {s.describe()} (adds {', '.join(more)})", s.open))
            old_left.remove(match)
            new_left.remove(s)
    out += [Finding("iam", "added", f"{label}: {s.describe()}", s.open) for s in new_left]
    out += [Finding("iam", "removed", f"{label}: {s.describe()}") for s in old_left]
    return out


# ------------------------------------------------------------------------------------ security groups


@dataclass(frozen=True)
class Rule:
    direction: str  # ingress | egress
    protocol: str
    from_port: int | None
    to_port: int | None
    peer_kind: str  # CidrIp, SourceSecurityGroupId, ...
    peer: str

    @property
    def open(self) -> bool:
        return self.peer in OPEN_CIDRS and self.direction == "ingress"

    def describe(self) -> str:
        ports = "all ports" if self.protocol in ("-1", "all") else f"{self.protocol} {self._ports()}"
        way = "from" if self.direction == "ingress" else "to"
        return f"{self.direction} {ports} {way} {self.peer}"

    def _ports(self) -> str:
        if self.from_port is None or self.from_port == self.to_port:
            return str(self.from_port if self.from_port is not None else "any")
        return f"{self.from_port}-{self.to_port}"


def _port(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rule(direction: str, r: dict[str, Any]) -> Rule:
    kind = next((k for k in PEERS if r.get(k) is not None), "")
    protocol = _text(r.get("IpProtocol", "")).lower()
    return Rule(direction, protocol, _port(r.get("FromPort")), _port(r.get("ToPort")), kind, _text(r.get(kind, "")))


def _rules(resource_type: str, props: dict[str, Any] | None) -> list[Rule]:
    if not props:
        return []
    if resource_type == "AWS::EC2::SecurityGroupIngress":
        return [_rule("ingress", props)]
    if resource_type == "AWS::EC2::SecurityGroupEgress":
        return [_rule("egress", props)]
    out = [_rule("ingress", r) for r in props.get("SecurityGroupIngress") or [] if isinstance(r, dict)]
    return out + [_rule("egress", r) for r in props.get("SecurityGroupEgress") or [] if isinstance(r, dict)]


def _wider_ports(new: Rule, old: Rule) -> bool:
    if new.protocol in ("-1", "all"):
        return old.protocol not in ("-1", "all")
    if None in (new.from_port, new.to_port, old.from_port, old.to_port):
        return False
    return new.from_port <= old.from_port and new.to_port >= old.to_port  # type: ignore[operator]


def _wider_peer(new: Rule, old: Rule) -> bool:
    if new.peer == old.peer:
        return False
    if new.peer_kind not in ("CidrIp", "CidrIpv6"):
        return False
    try:
        narrow, wide = ipaddress.ip_network(old.peer, strict=False), ipaddress.ip_network(new.peer, strict=False)
        return narrow.version == wide.version and narrow.subnet_of(wide)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False


def _compare_rules(old: list[Rule], new: list[Rule]) -> list[Finding]:
    out: list[Finding] = []
    old_left = [r for r in old if r not in new]
    new_left = [r for r in new if r not in old]
    for r in list(new_left):
        match = next(
            (
                o
                for o in old_left
                if (o.direction, o.peer_kind) == (r.direction, r.peer_kind)
                and (o.protocol == r.protocol or r.protocol in ("-1", "all"))
                and (o.peer == r.peer or _wider_peer(r, o))
                and (_wider_ports(r, o) or (o.from_port, o.to_port, o.protocol) == (r.from_port, r.to_port, r.protocol))
            ),
            None,
        )
        if match is None:
            continue
        out.append(Finding("network", "widened", f"{match.describe()} -> {r.describe()}", r.open))
        old_left.remove(match)
        new_left.remove(r)
    out += [Finding("network", "added", r.describe(), r.open) for r in new_left]
    out += [Finding("network", "removed", r.describe()) for r in old_left]
    return out
