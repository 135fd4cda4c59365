"""The change-set review: DescribeChangeSet responses (root + nested) in, one risk-ordered tree out.

Pure: no boto3, no troposphere, no I/O. `build_review` takes the responses exactly as boto3 returns
them (root first, then every nested change set, in any order) and the stack's current parameters;
`render_text`, `render_markdown` and `to_json` present the result. The json shape is documented in the
README ("Deploy" section) and versioned by `JSON_VERSION`.

Risk levels:
- danger: a data-bearing resource (DATA_TYPES) is replaced (Replacement True or Conditional) or
  removed, or a whole nested stack is removed. `deploy` refuses these without --allow-replace.
- warn: any other replacement or removal, an in-place change to a data-bearing resource, a
  replacement/removal of a retained resource (RETAINED_TYPES), or a change only known at execution
  (Dynamic).
- info: everything else (Add, in-place Modify, Import).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from . import security as sec

JSON_VERSION = 2  # 2: details carry path/before/after/change_type; changes carry security; top-level security
MASK = "****"  # what a secret value is shown as (as CloudFormation shows NoEcho parameters)
# A property whose value is secret material, wherever it sits (compared with the last path segment).
SECRET_NAMES = re.compile(r"(password|passphrase|secret(string|value|key)?|privatekey|token|credentials?)$", re.I)

# Resources whose replacement or removal loses (or orphans) data: danger. Keep in step with
# templates_src/parts/stateful.py (tests/test_review.py checks that every stateful type is covered).
DATA_TYPES: frozenset[str] = frozenset(
    {
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ServerlessCache",
        "AWS::EFS::FileSystem",
        "AWS::S3::Bucket",
        "AWS::Timestream::Database",
        "AWS::Timestream::Table",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::DynamoDB::Table",
        "AWS::Route53::HostedZone",
        "AWS::Route53::RecordSet",
        "AWS::Route53::RecordSetGroup",
    }
)
# Stateful but not primary data (kept by their DeletionPolicy, history only): warn.
RETAINED_TYPES: frozenset[str] = frozenset({"AWS::Logs::LogGroup", "AWS::ECR::Repository"})
NESTED_STACK = "AWS::CloudFormation::Stack"

# One per account and region, whoever else relies on it: adding, changing or removing it is a warn.
ACCOUNT_WIDE: dict[str, str] = {
    "AWS::ECR::ReplicationConfiguration": "the registry's replication configuration (one per account and region): "
    "this replaces whatever rules it had",
}

RISKS = ("danger", "warn", "info")
REPLACING = ("True", "Conditional")
# How the service says "nothing to do" in a FAILED change set (AWS, and moto's CreateChangeSet error).
NO_CHANGE_REASONS = ("didn't contain changes", "No updates are to be performed", "no changes")


@dataclass(frozen=True)
class Cause:
    """One entry of a resource change's Details: what changed and whether it forces re-creation."""

    attribute: str  # Properties, Tags, Metadata, ...
    name: str  # the property name ("" for attributes without one)
    requires_recreation: str  # Never, Conditionally, Always
    evaluation: str  # Static, Dynamic
    change_source: str  # DirectModification, ParameterReference, ResourceReference, ...
    causing_entity: str
    path: str = ""  # /Properties/Tags/0/Value (IncludePropertyValues)
    before: str | None = None  # the value before, when the change set carries it (masked if secret)
    after: str | None = None
    change_type: str = ""  # Add, Remove, Modify, SyncWithActual (AttributeChangeType)

    @property
    def has_values(self) -> bool:
        return self.before is not None or self.after is not None or bool(self.path)

    @property
    def shown_path(self) -> str:
        """`Tags/0/Value` for /Properties/Tags/0/Value; the attribute when there is no path."""
        path = self.path.removeprefix("/Properties/").lstrip("/")
        return path or self.name or self.attribute

    @property
    def forces_replacement(self) -> bool:
        return self.requires_recreation in ("Always", "Conditionally")

    def describe(self) -> str:
        """`DatabaseName (edited)`, `ContainerDefinitions (parameter ImageTag)`, `TaskDefinition (via ApiTaskDefinition)`."""
        source = {
            "DirectModification": "edited",
            "ParameterReference": f"parameter {self.causing_entity}",
            "ResourceReference": f"via {self.causing_entity}",
            "ResourceAttribute": f"via {self.causing_entity}",
            "Automatic": "nested stack update",
        }.get(self.change_source, self.change_source)
        if self.evaluation == "Dynamic":
            source = f"{source}, if its value changes" if source else "if its value changes"
        name = self.name or self.attribute
        return f"{name} ({source})" if source else name

    def as_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "name": self.name,
            "requires_recreation": self.requires_recreation,
            "evaluation": self.evaluation,
            "change_source": self.change_source,
            "causing_entity": self.causing_entity,
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "change_type": self.change_type,
        }


@dataclass(frozen=True)
class Change:
    stack: tuple[str, ...]  # logical IDs from the root: ("demo-prod",) or ("demo-prod", "DataStack")
    action: str  # Add, Modify, Remove, Import, Dynamic
    logical_id: str
    resource_type: str
    physical_id: str
    replacement: str  # True, Conditional, False, or "" when the service gives none (Add, Remove)
    causes: tuple[Cause, ...]
    policy_action: str  # ReplaceAndSnapshot, Retain, ... (what happens to the old resource)
    risk: str
    risk_reason: str
    nested: bool  # a nested stack whose own change set is shown under it
    security: tuple[sec.Finding, ...] = ()  # IAM statements / security-group rules added, widened, removed
    security_unknown: bool = False  # a security-relevant resource changed but the change set has no values
    deployment: str = ""  # an ECS service updated with a blue/green, canary or linear strategy: how it runs

    @property
    def path(self) -> str:
        return "/".join(self.stack + (self.logical_id,))

    @property
    def replacement_causes(self) -> list[str]:
        seen: list[str] = []
        for c in self.causes:
            if c.forces_replacement and (c.name or c.attribute) not in seen:
                seen.append(c.name or c.attribute)
        return seen

    def as_dict(self) -> dict[str, Any]:
        return {
            "stack": "/".join(self.stack),
            "action": self.action,
            "logical_id": self.logical_id,
            "physical_id": self.physical_id,
            "type": self.resource_type,
            "replacement": self.replacement,
            "replacement_causes": self.replacement_causes,
            "details": [c.as_dict() for c in self.causes],
            "policy_action": self.policy_action,
            "risk": self.risk,
            "risk_reason": self.risk_reason,
            "nested_change_set": self.nested,
            "security": [f.as_dict() for f in self.security],
            "deployment": self.deployment,
        }


@dataclass(frozen=True)
class ParameterChange:
    stack: str
    key: str
    old: str | None  # None: the stack is new or did not have it
    new: str | None  # None: removed
    masked: bool = False  # a NoEcho parameter: values shown as MASK


@dataclass(frozen=True)
class Review:
    stack_name: str
    change_set_id: str
    change_set_name: str
    change_set_type: str  # CREATE or UPDATE
    status: str
    status_reason: str
    execution_status: str
    changes: tuple[Change, ...]  # display order: riskiest branch first, tree order within a risk
    parameters: tuple[ParameterChange, ...] = ()
    no_changes: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def dangers(self) -> list[Change]:
        return [c for c in self.changes if c.risk == "danger"]

    @property
    def security_changes(self) -> list[Change]:
        return [c for c in self.changes if c.security or c.security_unknown]

    def count(self, risk: str) -> int:
        return sum(1 for c in self.changes if c.risk == risk)

    @property
    def executable(self) -> bool:
        return not self.no_changes and self.status == "CREATE_COMPLETE" and self.execution_status == "AVAILABLE"


ALL = "*"  # --allow-replace without a name: every danger item


def is_accepted(change: Change, allowed: Iterable[str]) -> bool:
    """--allow-replace NAME accepts the danger item whose logical ID or path (`root/Child/Id`) is NAME."""
    return any(a == ALL or a in (change.logical_id, change.path) or change.path.endswith("/" + a) for a in allowed)


def unaccepted(review: Review, allowed: Iterable[str]) -> list[Change]:
    allowed = tuple(allowed)
    return [c for c in review.dangers if not is_accepted(c, allowed)]


# ---------------------------------------------------------------------------------------------- build


def is_no_change(response: dict[str, Any]) -> bool:
    """A change set the service refused because there is nothing to do. Decided from its Status
    (FAILED, not executable, no Changes); the reason only tells "nothing to do" from a real error."""
    return (
        response.get("Status") == "FAILED"
        and response.get("ExecutionStatus", "UNAVAILABLE") == "UNAVAILABLE"
        and not response.get("Changes")
        and any(r.lower() in (response.get("StatusReason") or "").lower() for r in NO_CHANGE_REASONS)
    )


def _change_set_fields(cs: dict[str, Any], *, status: str = "", execution_status: str = "") -> dict[str, Any]:
    """The Review fields a DescribeChangeSet response gives (these defaults where it has none)."""
    return {
        "change_set_id": cs.get("ChangeSetId", ""),
        "change_set_name": cs.get("ChangeSetName", ""),
        "status": cs.get("Status", status),
        "status_reason": cs.get("StatusReason") or "",
        "execution_status": cs.get("ExecutionStatus", execution_status),
    }


def no_change_review(stack_name: str, reason: str = "", change_set: dict[str, Any] | None = None) -> Review:
    fields = _change_set_fields(change_set or {}, status="FAILED", execution_status="UNAVAILABLE")
    fields["status_reason"] = reason or fields["status_reason"]
    return Review(stack_name=stack_name, change_set_type="UPDATE", changes=(), no_changes=True, **fields)


def build_review(
    responses: list[dict[str, Any]],
    *,
    change_set_type: str = "UPDATE",
    current_parameters: Iterable[dict[str, Any]] | None = None,
    secret_parameters: Iterable[str] = (),
) -> Review:
    """responses[0] is the root change set; nested ones are found through ResourceChange.ChangeSetId.
    Pages of one change set (NextToken) must already be merged. `secret_parameters` (NoEcho root
    parameters) are masked wherever their values show, as are properties named like secret material.
    A nested stack whose change set is not among `responses` (it could not be read) is a danger: what
    changes inside it is unknown."""
    # NoEcho parameters: those named, and those the change set itself shows as MASK (CloudFormation does).
    secrets = frozenset(secret_parameters) | {
        p["ParameterKey"] for p in responses[0].get("Parameters") or [] if p.get("ParameterValue") == MASK
    }
    if not responses:
        raise ValueError("no change set responses")
    root = responses[0]
    stack_name = root.get("StackName", "")
    if is_no_change(root):
        return no_change_review(stack_name, change_set=root)
    by_id = {r["ChangeSetId"]: r for r in responses if r.get("ChangeSetId")}
    notes: list[str] = []

    def walk(response: dict[str, Any], stack: tuple[str, ...], seen: frozenset[str]) -> list[tuple[Change, list]]:
        nodes: list[tuple[Change, list]] = []
        for change in response.get("Changes") or []:
            rc = change.get("ResourceChange")
            if change.get("Type", "Resource") != "Resource" or not rc:
                continue
            child_id = rc.get("ChangeSetId") or ""
            child = by_id.get(child_id) if child_id not in seen else None
            item = _change(rc, stack, nested=child is not None, secrets=secrets)
            if child_id and child is None and child_id not in seen:
                notes.append(f"the nested change set of {item.path} could not be read")
                item = replace(
                    item,
                    risk="danger",
                    risk_reason="its nested change set could not be read: what changes inside it is unknown "
                    "(refused until it can be reviewed)",
                )
            subtree = walk(child, stack + (item.logical_id,), seen | {child_id}) if child is not None else []
            nodes.append((item, subtree))
        return nodes

    tree = walk(root, (stack_name,), frozenset({root.get("ChangeSetId", "")}))
    ordered = tuple(_flatten(_sort(tree)))
    return Review(
        stack_name=stack_name,
        change_set_type=change_set_type,
        **_change_set_fields(root),
        changes=ordered,
        parameters=tuple(
            _mask_parameter(p, secrets)
            for p in _parameter_changes(stack_name, root.get("Parameters") or [], current_parameters)
        ),
        notes=tuple(notes),
    )


def _mask_parameter(p: ParameterChange, secrets: frozenset[str]) -> ParameterChange:
    if p.key not in secrets:
        return p
    return ParameterChange(
        p.stack, p.key, None if p.old is None else MASK, None if p.new is None else MASK, masked=True
    )


def _value(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _is_secret(d: dict[str, Any], target: dict[str, Any], secrets: frozenset[str]) -> bool:
    last = (target.get("Path") or "").rstrip("/").rsplit("/", 1)[-1] or target.get("Name") or ""
    return d.get("CausingEntity") in secrets or bool(SECRET_NAMES.search(last))


def causes_of(details: list[dict[str, Any]], secrets: frozenset[str] = frozenset()) -> tuple[Cause, ...]:
    """Details as AWS documents them: a Dynamic entry whose target a Static entry also names is the
    first half of a "Dynamic/Static pair" (a Ref to a changed parameter or resource), and the Static
    one says what caused it -- keep that one only. A lone Dynamic entry stays (only known at execution)."""
    out: list[Cause] = []
    for d in details:
        t = d.get("Target") or {}
        secret = _is_secret(d, t, secrets)
        out.append(
            Cause(
                attribute=t.get("Attribute", ""),
                name=t.get("Name", ""),
                requires_recreation=t.get("RequiresRecreation", ""),
                evaluation=d.get("Evaluation", ""),
                change_source=d.get("ChangeSource", ""),
                causing_entity=d.get("CausingEntity", ""),
                path=t.get("Path", ""),
                before=MASK if secret and "BeforeValue" in t else _value(t.get("BeforeValue")),
                after=MASK if secret and "AfterValue" in t else _value(t.get("AfterValue")),
                change_type=t.get("AttributeChangeType", ""),
            )
        )

    def target(c: Cause) -> tuple[str, str, str, str]:
        return (c.attribute, c.name, c.requires_recreation, c.path)

    static = {target(c) for c in out if c.evaluation == "Static"}
    return tuple(c for c in out if not (c.evaluation == "Dynamic" and target(c) in static))


def _context(text: Any) -> dict[str, Any] | None:
    """BeforeContext/AfterContext: a JSON string holding {"Properties": {...}, ...}; its Properties."""
    if not text:
        return None
    try:
        data = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None
    return data.get("Properties") if isinstance(data, dict) else None


def _change(rc: dict[str, Any], stack: tuple[str, ...], nested: bool, secrets: frozenset[str] = frozenset()) -> Change:
    causes = causes_of(rc.get("Details") or [], secrets)
    action, rtype, replacement = rc.get("Action", ""), rc.get("ResourceType", ""), rc.get("Replacement", "")
    security: tuple[sec.Finding, ...] = ()
    security_unknown = False
    if sec.is_security_type(rtype) and action in ("Add", "Modify", "Remove", "Import"):
        before, after = _context(rc.get("BeforeContext")), _context(rc.get("AfterContext"))
        if (before is None and action != "Add") or (after is None and action != "Remove"):
            security_unknown = True
        else:
            security = tuple(sec.findings(rtype, before, after))
    risk, reason = classify(action, rtype, replacement)
    broader = [f for f in security if f.change in ("added", "widened")]
    if broader and risk == "info":
        opened = any(f.open for f in broader)
        risk, reason = "warn", "grants more access" + (" (open to everything or everyone)" if opened else "")
    policy = rc.get("PolicyAction", "")
    if policy and risk != "info":
        reason += {
            "ReplaceAndSnapshot": "; the old one is snapshotted, then deleted",
            "ReplaceAndRetain": "; the old one is retained (orphaned), not deleted",
            "ReplaceAndDelete": "; the old one is DELETED",
            "Snapshot": "; it is snapshotted, then deleted",
            "Retain": "; it is retained (orphaned), not deleted",
            "Delete": "; it is DELETED",
        }.get(policy, "")
    return Change(
        stack=stack,
        action=action,
        logical_id=rc.get("LogicalResourceId", ""),
        resource_type=rtype,
        physical_id=rc.get("PhysicalResourceId", ""),
        replacement=replacement,
        causes=causes,
        policy_action=policy,
        risk=risk,
        risk_reason=reason,
        nested=nested,
        security=security,
        security_unknown=security_unknown,
    )


def classify(action: str, resource_type: str, replacement: str = "") -> tuple[str, str]:
    """(risk, reason) of one resource change."""
    replaces = action == "Modify" and replacement in REPLACING
    how = "may be replaced (Conditional)" if replacement == "Conditional" else "is replaced"
    if resource_type in DATA_TYPES:
        if action == "Remove":
            return "danger", "a data-bearing resource is removed"
        if replaces:
            return "danger", f"a data-bearing resource {how}: a new, empty one takes its place"
        if action == "Dynamic":
            return "warn", "data-bearing; whether it changes is only known at execution"
        if action == "Modify":
            return "warn", "in-place change to a data-bearing resource"
        return "info", ""
    if resource_type in ACCOUNT_WIDE and action in ("Add", "Modify", "Remove"):
        if action == "Remove":
            return "warn", ACCOUNT_WIDE[resource_type].split(":")[0] + " is emptied: nothing is replicated any more"
        return "warn", ACCOUNT_WIDE[resource_type]
    if resource_type == NESTED_STACK and action == "Remove":
        return "danger", "a whole nested stack is removed, with every resource in it"
    if resource_type in RETAINED_TYPES and (replaces or action == "Remove"):
        return "warn", f"{'removed' if action == 'Remove' else how}; its history stays only in the retained old one"
    if action == "Remove":
        return "warn", "removed"
    if replaces:
        return "warn", how
    if action == "Dynamic":
        return "warn", "only known at execution"
    return "info", ""


def _rank(risk: str) -> int:
    return RISKS.index(risk) if risk in RISKS else len(RISKS)


def _subtree_rank(node: tuple[Change, list]) -> int:
    item, children = node
    return min([_rank(item.risk)] + [_subtree_rank(c) for c in children])


def _sort(nodes: list[tuple[Change, list]]) -> list[tuple[Change, list]]:
    """Riskiest first at every level (a nested stack ranks as its riskiest change); stable otherwise."""
    indexed = sorted(enumerate(nodes), key=lambda p: (_subtree_rank(p[1]), p[0]))
    return [(item, _sort(children)) for _, (item, children) in indexed]


def _flatten(nodes: list[tuple[Change, list]]) -> Iterable[Change]:
    for item, children in nodes:
        yield item
        yield from _flatten(children)


def _parameter_changes(
    stack: str, new: list[dict[str, Any]], current: Iterable[dict[str, Any]] | None
) -> Iterable[ParameterChange]:
    old = {p["ParameterKey"]: p.get("ParameterValue") for p in current or []}
    new_values = {p["ParameterKey"]: p.get("ParameterValue") for p in new}
    for key in sorted(set(old) | set(new_values)):
        if current is not None and old.get(key) == new_values.get(key):
            continue
        if current is not None and key not in new_values:
            continue  # not passed: the service keeps or defaults it; not a change we can see
        yield ParameterChange(stack, key, old.get(key) if current is not None else None, new_values.get(key))


# --------------------------------------------------------------------------------------------- render


def to_json(review: Review) -> dict[str, Any]:
    """The machine form. Keys are stable; documented in README.md (Deploy > plan --format json)."""
    return {
        "version": JSON_VERSION,
        "stack": review.stack_name,
        "change_set": {
            "id": review.change_set_id,
            "name": review.change_set_name,
            "type": review.change_set_type,
            "status": review.status,
            "status_reason": review.status_reason,
            "execution_status": review.execution_status,
        },
        "no_changes": review.no_changes,
        "summary": {
            "changes": len(review.changes),
            **{risk: review.count(risk) for risk in RISKS},
            **{
                a.lower(): sum(1 for c in review.changes if c.action == a)
                for a in ("Add", "Modify", "Remove", "Import", "Dynamic")
            },
            "replacements": sum(1 for c in review.changes if c.replacement in REPLACING),
        },
        "parameters": [
            {"stack": p.stack, "key": p.key, "old": p.old, "new": p.new, "masked": p.masked} for p in review.parameters
        ],
        "changes": [c.as_dict() for c in review.changes],
        "security": [
            {"path": c.path, "type": c.resource_type, **f.as_dict()}
            for c in review.security_changes
            for f in c.security
        ]
        + [
            {
                "path": c.path,
                "type": c.resource_type,
                "kind": "unknown",
                "change": c.action.lower(),
                "text": "",
                "open": False,
            }
            for c in review.security_changes
            if c.security_unknown
        ],
        "notes": list(review.notes),
    }


def no_changes_line(review: Review) -> str:
    return f"No changes: stack {review.stack_name} is up to date with the templates and parameters."


def _headline(review: Review) -> str:
    kind = {"CREATE": "new stack", "UPDATE": "update"}.get(review.change_set_type, "saved change set")
    counts = ", ".join(f"{review.count(r)} {r}" for r in RISKS if review.count(r))
    n = len(review.changes)
    return f"Plan for {review.stack_name} ({kind}): {n} resource change{'s' if n != 1 else ''}" + (
        f" ({counts})" if counts else ""
    )


def _replacement_text(c: Change) -> str:
    if not c.replacement:
        return ""
    if c.replacement in REPLACING:
        forced = ", ".join(c.replacement_causes)
        return f"replace={c.replacement}" + (f" by {forced}" if forced else "")
    return "replace=False"


def render_text(review: Review) -> str:
    if review.no_changes:
        return no_changes_line(review)
    lines = [_headline(review)]
    if review.change_set_name:
        lines.append(f"change set: {review.change_set_name}")
    dangers = review.dangers
    if dangers:
        lines += [
            "",
            f"!! DANGER: {len(dangers)} change{'s' if len(dangers) != 1 else ''} that can lose data "
            "(refused without --allow-replace)",
        ]
        for c in dangers:
            rep = f", replacement {c.replacement}" if c.replacement in REPLACING else ""
            forced = f", forced by {', '.join(c.replacement_causes)}" if c.replacement_causes else ""
            lines.append(f"!!   {c.path} ({c.resource_type}): {c.action}{rep}{forced}")
            lines.append(f"!!     {c.risk_reason}")
    security = security_lines(review)
    if security:
        lines += ["", "Security changes (IAM statements, security-group rules; + added, ^ widened, - removed):"]
        lines += security
    deployments = deployment_lines(review)
    if deployments:
        lines += ["", "Deployments (a new task definition or image starts one):"] + deployments
    if review.parameters and not review.change_set_type:
        lines += ["", "Parameters (as the change set has them; the stack's current values are not known here):"]
        width = max(len(p.key) for p in review.parameters)
        lines += [f"  {p.key:<{width}}  {p.new}" for p in review.parameters]
    elif review.parameters:
        lines += ["", "Parameters:"]
        width = max(len(p.key) for p in review.parameters)
        for p in review.parameters:
            old = "(new)" if p.old is None else p.old
            secret = "  (NoEcho)" if p.masked else ""
            lines.append(f"  {p.key:<{width}}  {old} -> {p.new if p.new is not None else '(removed)'}{secret}")
    lines += ["", review.stack_name]
    if not review.changes:
        lines.append("  (no resource changes: only outputs, parameters or metadata differ)")
    lines += _tree_lines(review)
    if review.notes:
        lines += [""] + [f"note: {n}" for n in review.notes]
    return "\n".join(lines)


def _tree_lines(review: Review) -> list[str]:
    """One line per change: tree label, action, type, risk, replacement; then what causes it."""
    changes = list(review.changes)
    labels = []
    for i, c in enumerate(changes):
        depth = len(c.stack) - 1
        prefix = "".join("   " if _ancestor_done(changes, i, d) else "│  " for d in range(depth))
        labels.append((prefix, _is_last(changes, i)))
    w_label = max((len(p) + 3 + len(c.logical_id) for (p, _), c in zip(labels, changes, strict=False)), default=0)
    w_action = max((len(c.action) for c in changes), default=0)
    w_type = max((len(c.resource_type) for c in changes), default=0)
    out = []
    for (prefix, last), c in zip(labels, changes, strict=False):
        label = f"{prefix}{'└─ ' if last else '├─ '}{c.logical_id}"
        risk = {"danger": "DANGER", "warn": "warn"}.get(c.risk, "")
        rep = f"replacement={c.replacement}" if c.replacement and c.resource_type != NESTED_STACK else ""
        out.append(
            f"{label:<{w_label}}  {c.action:<{w_action}}  {c.resource_type:<{w_type}}  {risk:<6}  {rep}".rstrip()
        )
        cont = f"{prefix}{'   ' if last else '│  '}{'│  ' if c.nested else '   '}"
        if c.replacement_causes:
            forcing = [x.describe() for x in c.causes if x.forces_replacement]
            out.append(f"{cont}forced by: {', '.join(forcing)}")
        other = _unique(x.describe() for x in c.causes if not x.forces_replacement)
        if other and c.action == "Modify":
            out.append(f"{cont}changes: {', '.join(other)}")
        out += [f"{cont}  {line}" for line in value_lines(c)]
        if c.risk != "info" and c.risk_reason:
            out.append(f"{cont}{c.risk}: {c.risk_reason}")
        if c.deployment:
            out.append(f"{cont}deployment: {c.deployment}")
    return out


def _unique(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


VALUE_WIDTH = 100  # a longer value is cut in the text review (json has it whole)


def _shown_value(value: str | None, missing: str) -> str:
    if value is None:
        return missing
    return value if len(value) <= VALUE_WIDTH else value[: VALUE_WIDTH - 3] + "..."


def value_lines(c: Change) -> list[str]:
    """`Tags/0/Value: testing -> Test` for each property change the change set carries values for."""
    lines = []
    for x in c.causes:
        if not (x.before is not None or x.after is not None):
            continue
        before = _shown_value(x.before, "(none)" if x.change_type == "Add" else "(unknown)")
        after = _shown_value(x.after, "(removed)" if x.change_type == "Remove" else "(unknown)")
        lines.append(f"{x.shown_path}: {before} -> {after}")
    return _unique(lines)


SECURITY_MARK = {"added": "+", "widened": "^", "removed": "-"}


def security_lines(review: Review) -> list[str]:
    """The "Security changes" section: one line per IAM statement / security-group rule."""
    lines = []
    for c in review.security_changes:
        where = f"{c.path} ({c.resource_type})"
        for f in c.security:
            flag = "  [OPEN]" if f.open else ""
            lines.append(f"  {SECURITY_MARK[f.change]} {f.change:<7} {where}: {f.text}{flag}")
        if c.security_unknown:
            lines.append(
                f"  ? {c.action.lower():<7} {where}: the change set carries no property values to compare "
                "(describe it with --include-property-values)"
            )
    return lines


def _is_last(changes: list[Change], i: int) -> bool:
    depth = len(changes[i].stack)
    for c in changes[i + 1 :]:
        if len(c.stack) < depth:
            return True
        if len(c.stack) == depth:
            return False
    return True


def _ancestor_done(changes: list[Change], i: int, d: int) -> bool:
    """Whether the ancestor of changes[i] at depth d+1 (its nested-stack item) was the last of its level."""
    target_len = d + 1
    for j in range(i - 1, -1, -1):
        if len(changes[j].stack) == target_len:
            return _is_last(changes, j)
    return True


_MD_RISK = {"danger": "🔴 **danger**", "warn": "🟡 warn", "info": "info"}


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(review: Review) -> str:
    if review.no_changes:
        return f"### stackc plan: `{review.stack_name}`\n\n{no_changes_line(review)}\n"
    kind = "new stack" if review.change_set_type == "CREATE" else "update"
    lines = [f"### stackc plan: `{review.stack_name}` ({kind})", ""]
    counts = ", ".join(f"{review.count(r)} {r}" for r in RISKS if review.count(r)) or "no resource changes"
    lines.append(
        f"**{len(review.changes)} resource change{'s' if len(review.changes) != 1 else ''}**: {counts}"
        + (f" · change set `{review.change_set_name}`" if review.change_set_name else "")
    )
    dangers = review.dangers
    if dangers:
        lines += [
            "",
            "> [!CAUTION]",
            f"> **{len(dangers)} dangerous change{'s' if len(dangers) != 1 else ''}** "
            "(refused without `--allow-replace`):",
        ]
        for c in dangers:
            forced = f", forced by {', '.join(f'`{p}`' for p in c.replacement_causes)}" if c.replacement_causes else ""
            lines.append(f"> - **{c.action}** `{c.path}` ({c.resource_type}){forced}: {_md(c.risk_reason)}")
    security = security_lines(review)
    if security:
        lines += ["", "**Security changes** (+ added, ^ widened, - removed):", "", "```"] + security + ["```"]
    deployments = deployment_lines(review)
    if deployments:
        lines += ["", "**Deployments** (a new task definition or image starts one):", ""]
        lines += [f"- {_md(line.strip())}" for line in deployments]
    if review.parameters:
        lines += ["", "| Parameter | Old | New |", "|---|---|---|"]
        for p in review.parameters:
            old = "_(new)_" if p.old is None else f"`{_md(p.old)}`"
            new = "_(removed)_" if p.new is None else f"`{_md(p.new)}`"
            lines.append(f"| `{p.key}` | {old} | {new} |")
    if review.changes:
        lines += [
            "",
            "| Risk | Stack | Action | Logical ID | Type | Replacement | Caused by |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in review.changes:
            stack = "/".join(c.stack[1:]) or "(root)"
            rep = f"**{c.replacement}**" if c.replacement in REPLACING else c.replacement
            causes = ", ".join(f"`{p}`" for p in c.replacement_causes) or ", ".join(
                _unique(_md(x.describe()) for x in c.causes if x.name)
            )
            values = value_lines(c)
            if values:
                causes += ("<br>" if causes else "") + "<br>".join(f"`{_md(v)}`" for v in values)
            lines.append(
                f"| {_MD_RISK[c.risk]} | {_md(stack)} | {c.action} | `{c.logical_id}` | {c.resource_type} | {rep} | {causes} |"
            )
    for n in review.notes:
        lines += ["", f"_note: {_md(n)}_"]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------- ECS deployment strategies, from the build

ECS_SERVICE = "AWS::ECS::Service"


def _num(value: Any) -> str:
    """`5.0` -> `5`, `2.5` -> `2.5`, anything else as it is ("?" when absent)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "?" if value is None else str(value)


def describe_strategy(config: Any) -> str:
    """How ECS runs a deployment of a service with this DeploymentConfiguration (a template's), in words;
    "" for a rolling update (the default, nothing to say)."""
    if not isinstance(config, dict):
        return ""
    strategy = config.get("Strategy", "ROLLING")
    bake = config.get("BakeTimeInMinutes")
    after = f"; the old tasks stay {_num(bake)} min after the shift, to roll back to" if bake not in (None, "") else ""
    if strategy == "BLUE_GREEN":
        return f"blue/green: new tasks start beside the old ones, then all traffic moves at once{after}"
    if strategy == "CANARY":
        c = config.get("CanaryConfiguration") or {}
        return (
            f"canary: {_num(c.get('CanaryPercent'))}% of traffic to the new tasks for "
            f"{_num(c.get('CanaryBakeTimeInMinutes'))} min, then the rest{after}"
        )
    if strategy == "LINEAR":
        c = config.get("LinearConfiguration") or {}
        return f"linear: {_num(c.get('StepPercent'))}% more traffic every {_num(c.get('StepBakeTimeInMinutes'))} min{after}"
    return ""


def annotate_deployments(review: Review, strategies: dict[str, str]) -> Review:
    """`strategies`: change path -> how an update runs: of an ECS service, `describe_strategy` of the
    configuration it is updated to; of a nested stack whose own change set is not shown (the local endpoint
    lists the root's changes only), its services' (`<Service>: ...`). Each Modify of such an item carries it:
    an update that starts a new deployment runs that way. The first create of a service is no deployment."""
    changes = tuple(
        replace(c, deployment=strategies[c.path])
        if c.resource_type in (ECS_SERVICE, NESTED_STACK) and c.action == "Modify" and strategies.get(c.path)
        else c
        for c in review.changes
    )
    return replace(review, changes=changes)


def deployment_lines(review: Review) -> list[str]:
    return [f"  {c.path}: {c.deployment}" for c in review.changes if c.deployment]


# ------------------------------------------------------------------ Conditional, judged offline


def judge_conditional(review: Review, predictions: dict[str, Any]) -> Review:
    """A Conditional replacement of a data-bearing resource, judged against the offline prediction of
    templates_src/replacement.py (the resource schema's createOnlyProperties and the template diff), by
    change path (`root/Child/LogicalId`) -> Prediction (`.replacement`, `.forcing`). It stays a danger
    whenever a create-only property changes or no prediction can be made, naming the properties that
    force it; only when the prediction finds no create-only change is it lowered to a warning."""
    changes = []
    for c in review.changes:
        if not (c.risk == "danger" and c.replacement == "Conditional" and c.resource_type in DATA_TYPES):
            changes.append(c)
            continue
        p = predictions.get(c.path)
        verdict = getattr(p, "replacement", None)
        forcing = tuple(getattr(p, "forcing", ()) or ())
        if p is None or verdict in (None, "Unknown"):
            changes.append(replace(c, risk_reason=c.risk_reason + "; no offline prediction could be made"))
        elif verdict == "False" and not forcing:
            changes.append(
                replace(
                    c,
                    risk="warn",
                    risk_reason="CloudFormation says Conditional, but no create-only property of its schema changes "
                    "(offline prediction): expected in place",
                )
            )
        else:
            changes.append(
                replace(
                    c,
                    risk_reason=c.risk_reason
                    + f"; create-only properties that change: {', '.join(forcing) or verdict}",
                )
            )
    return replace(review, changes=tuple(changes))
