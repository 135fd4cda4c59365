"""What a built system needs from the account before its tasks can start, read from its templates.

Preflight (preflight.py) asks the account about each requirement; bootstrap (bootstrap.py) holds the
services whose inputs are missing at zero tasks. Both need, per ECS service: the images its tasks
pull, the secrets its containers read (and whether the stacks fill them or an operator must), and
the root parameters that set its task count. This module finds them in the built templates -- root
and children, as CloudFormation will see them -- not in the config, on purpose:

- it is general: whatever a builder writes (an image from another service's repository, a secret of a
  store, a sidecar's SSM parameter), preflight reads it the way ECS will, with nothing to keep in step
  with the compiler and nothing added to manifest.json;
- values are followed through the nesting the way CloudFormation passes them: a child Parameter is
  the value its root gives it (a root Parameter, or `Fn::GetAtt [Child, Outputs.X]`, whose value is
  that child's Output expression), else the child's default.

`Evaluator` is a small, partial evaluator of CloudFormation intrinsics: strings it can know before the
deploy (parameters, pseudo parameters, an ECR repository's URI from its fixed name, Join/Sub/If) come
back as strings; a reference to a resource of the system comes back as `Res`; anything else as
UNKNOWN. Pure: no AWS calls, no troposphere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .target import BuiltTarget

ROOT = "root"


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


UNKNOWN: Any = _Unknown()
NO_VALUE: Any = _NoValue()


@dataclass(frozen=True)
class Res:
    """A resource of the system: `Ref` (attr "") or `Fn::GetAtt` (attr) of it."""

    template: str  # template name (root, secrets, service-api, ...)
    logical_id: str
    type: str
    attr: str = ""

    def properties(self, templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return templates[self.template]["Resources"][self.logical_id].get("Properties", {})


# Fixed physical names: the property of each type that names it in the account.
NAME_PROPERTIES = {
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::ElastiCache::ServerlessCache": "ServerlessCacheName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SSM::Parameter": "Name",
}

ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<repo>[^:@]+)"
)


class Evaluator:
    """Evaluate intrinsics in one built system, with the root parameter values a deploy would pass."""

    def __init__(self, target: BuiltTarget, *, account: str, region: str, values: dict[str, str] | None = None):
        self.templates = target.templates()
        self.account, self.region = account, region
        self.values = (
            values if values is not None else {p["ParameterKey"]: p["ParameterValue"] for p in target.parameters()}
        )
        self._stack_of = target.children()  # root logical ID -> child template name
        self._logical_of = {name: lid for lid, name in self._stack_of.items()}

    def with_values(self, values: dict[str, str]) -> Evaluator:
        other = object.__new__(Evaluator)
        other.__dict__.update(self.__dict__)
        other.values = values
        return other

    # -- where a value comes from

    def parameter(self, template: str, name: str) -> Any:
        """A Parameter's value in `template`: the root's from the deploy's values (else its default);
        a child's from what the root passes it (else its default)."""
        declared = self.templates[template].get("Parameters", {}).get(name)
        if declared is None:
            return UNKNOWN
        if template == ROOT:
            if name in self.values:
                return self.values[name]
            return str(declared["Default"]) if "Default" in declared else UNKNOWN
        passed = self._root_stack(template).get("Properties", {}).get("Parameters", {})
        if name in passed:
            return self.eval(ROOT, passed[name])
        return str(declared["Default"]) if "Default" in declared else UNKNOWN

    def root_parameters(self, template: str, expr: Any) -> set[str]:
        """The root Parameters an expression of `template` depends on (through child Parameters and If
        conditions); what a deploy must set to change its value."""
        found: set[str] = set()
        for kind, value in _refs(expr):
            if kind == "Ref" and value in self.templates[template].get("Parameters", {}):
                if template == ROOT:
                    found.add(value)
                else:
                    passed = self._root_stack(template).get("Properties", {}).get("Parameters", {})
                    if value in passed:
                        found |= self.root_parameters(ROOT, passed[value])
            elif kind == "Condition":
                found |= self.root_parameters(template, self.templates[template].get("Conditions", {}).get(value))
        return found

    def _root_stack(self, template: str) -> dict[str, Any]:
        return self.templates[ROOT]["Resources"][self._logical_of[template]]

    # -- evaluation

    def eval(self, template: str, expr: Any) -> Any:
        if isinstance(expr, str | int | float | bool):
            return str(expr).lower() if isinstance(expr, bool) else str(expr)
        if isinstance(expr, list):
            return [self.eval(template, e) for e in expr]
        if not isinstance(expr, dict) or len(expr) != 1:
            return UNKNOWN
        ((fn, arg),) = expr.items()
        if fn == "Ref":
            return self._ref(template, arg)
        if fn == "Fn::GetAtt":
            logical_id, attr = arg if isinstance(arg, list) else arg.split(".", 1)
            return self._getatt(template, logical_id, attr)
        if fn == "Fn::Join":
            sep, items = arg
            parts = self.eval(template, items)
            if not isinstance(parts, list):
                return UNKNOWN
            parts = [p for p in parts if p is not NO_VALUE]
            if all(isinstance(p, str) for p in parts):
                return sep.join(parts)
            return next((p for p in parts if isinstance(p, Res)), UNKNOWN)
        if fn == "Fn::Sub":
            text, names = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
            return self._sub(template, text, names)
        if fn == "Fn::If":
            name, yes, no = arg
            chosen = self.condition(template, name)
            if chosen is UNKNOWN:
                return UNKNOWN
            return self.eval(template, yes if chosen else no)
        return UNKNOWN

    def condition(self, template: str, name: str) -> Any:
        return self._truth(template, self.templates[template].get("Conditions", {}).get(name))

    def _truth(self, template: str, expr: Any) -> Any:
        if not isinstance(expr, dict) or len(expr) != 1:
            return UNKNOWN
        ((fn, arg),) = expr.items()
        if fn == "Condition":
            return self.condition(template, arg)
        if fn == "Fn::Equals":
            a, b = (self.eval(template, x) for x in arg)
            return a == b if isinstance(a, str) and isinstance(b, str) else UNKNOWN
        values = [self._truth(template, x) for x in arg] if isinstance(arg, list) else []
        if UNKNOWN in values or not values:
            return UNKNOWN
        if fn == "Fn::Not":
            return not values[0]
        if fn == "Fn::And":
            return all(values)
        if fn == "Fn::Or":
            return any(values)
        return UNKNOWN

    def _ref(self, template: str, name: str) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": _partition(self.region),
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.templates[template].get("Parameters", {}):
            return self.parameter(template, name)
        resource = self.templates[template].get("Resources", {}).get(name)
        if resource is not None:
            return Res(template, name, resource.get("Type", ""))
        return UNKNOWN

    def _getatt(self, template: str, logical_id: str, attr: str) -> Any:
        resource = self.templates[template].get("Resources", {}).get(logical_id)
        if resource is None:
            return UNKNOWN
        kind = resource.get("Type", "")
        if kind == "AWS::CloudFormation::Stack" and attr.startswith("Outputs.") and template == ROOT:
            child = self._stack_of.get(logical_id)
            output = self.templates.get(child or "", {}).get("Outputs", {}).get(attr.split(".", 1)[1])
            return UNKNOWN if output is None else self.eval(child, output["Value"])  # type: ignore[arg-type]
        if kind == "AWS::ECR::Repository" and attr == "RepositoryUri":
            name = self.eval(template, resource.get("Properties", {}).get("RepositoryName"))
            if isinstance(name, str):
                return f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{name}"
        return Res(template, logical_id, kind, attr)

    def _sub(self, template: str, text: str, names: dict[str, Any]) -> Any:
        out: list[str] = []
        for literal, var in re.findall(r"((?:[^$]|\$(?!\{))*)(?:\$\{([^}]*)\})?", text):
            out.append(literal)
            if not var:
                continue
            if var.startswith("!"):
                out.append("${" + var[1:] + "}")
                continue
            if var in names:
                value = self.eval(template, names[var])
            elif "." in var:
                value = self._getatt(template, *var.split(".", 1))
            else:
                value = self._ref(template, var)
            if not isinstance(value, str):
                return value if isinstance(value, Res) else UNKNOWN
            out.append(value)
        return "".join(out)


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def _refs(expr: Any) -> Iterator[tuple[str, str]]:
    """Every ("Ref", name) and ("Condition", name) inside an expression (Fn::If names a condition)."""
    if isinstance(expr, list):
        for e in expr:
            yield from _refs(e)
    elif isinstance(expr, dict):
        for fn, arg in expr.items():
            if fn == "Ref" and isinstance(arg, str):
                yield "Ref", arg
            elif fn == "Fn::If" and isinstance(arg, list) and arg:
                yield "Condition", arg[0]
                yield from _refs(arg[1:])
            elif fn == "Condition" and isinstance(arg, str):
                yield "Condition", arg
            else:
                yield from _refs(arg)


# ------------------------------------------------------------------------------------------ requirements


@dataclass(frozen=True)
class Image:
    """An image a container pulls. `repository` is set for a private ECR image (this account's or
    another's); `own` when one of the system's templates creates that repository."""

    uri: str  # repository URI with the tag (or digest), as ECS pulls it
    repository: str | None = None
    registry: str | None = None  # the ECR registry's account
    region: str | None = None
    tag: str | None = None
    digest: str | None = None
    own: bool = False

    @property
    def private_ecr(self) -> bool:
        return self.repository is not None

    @property
    def repository_uri(self) -> str:
        return self.uri.split("@", 1)[0].rsplit(":", 1)[0] if self.tag else self.uri.split("@", 1)[0]


@dataclass(frozen=True)
class SecretNeed:
    """A container secret. `source`: "secret" (a Secrets Manager secret of the system, `resource` set),
    "store" (a value a resource of the system generates, e.g. a database's), "ssm" (a parameter path),
    "arn" (a secret outside the system), "unknown"."""

    variable: str
    source: str
    resource: Res | None = None
    generated: bool = False  # the stack creates it with a value (GenerateSecretString / SecretString)
    name: str | None = None  # the secret's fixed physical name, if the template sets one
    path: str | None = None  # ssm: parameter name; arn: the ARN
    created_by_stack: bool = False  # ssm: an AWS::SSM::Parameter of the system has this name

    @property
    def label(self) -> str:
        if self.source == "secret" and self.resource is not None:
            return self.name or f"{self.resource.template}/{self.resource.logical_id}"
        return self.path or self.variable


@dataclass(frozen=True)
class Container:
    name: str
    image: Image | None  # None: the image could not be known before the deploy
    image_text: str  # what the template says, for messages
    secrets: tuple[SecretNeed, ...] = ()


@dataclass(frozen=True)
class ServiceNeeds:
    """One AWS::ECS::Service: its containers' needs and what sets its task count."""

    template: str
    logical_id: str
    containers: tuple[Container, ...]
    count_parameters: tuple[str, ...]  # root Parameters that set its count (DesiredCount, Min/MaxCapacity)
    holdable: bool  # setting those to 0 starts no task (checked by evaluation, on create too)
    why_not_holdable: str = ""

    @property
    def path(self) -> str:
        return f"{self.template}/{self.logical_id}"


@dataclass(frozen=True)
class FixedName:
    template: str
    logical_id: str
    type: str
    name: str


@dataclass
class Requirements:
    services: list[ServiceNeeds] = field(default_factory=list)
    fixed_names: list[FixedName] = field(default_factory=list)
    hosted_zones: list[tuple[str, str]] = field(default_factory=list)  # (where, zone id)
    certificates: list[tuple[str, str]] = field(default_factory=list)  # (where, ARN)
    missing_parameters: list[str] = field(default_factory=list)  # root Parameters without a value
    counts: dict[str, int] = field(default_factory=dict)  # resource type -> how many the templates create

    def images(self) -> list[Image]:
        seen: dict[str, Image] = {}
        for s in self.services:
            for c in s.containers:
                if c.image is not None:
                    seen.setdefault(c.image.uri, c.image)
        return list(seen.values())


def read(target: BuiltTarget, *, account: str, region: str, values: dict[str, str] | None = None) -> Requirements:
    """Everything preflight checks, from the built templates and the deploy's root parameter values."""
    ev = Evaluator(target, account=account, region=region, values=values)
    req = Requirements()
    own_repos = set()
    for tname, template in ev.templates.items():
        for lid, res in sorted(template.get("Resources", {}).items()):
            kind = res.get("Type", "")
            if "Condition" not in res:
                req.counts[kind] = req.counts.get(kind, 0) + 1
            prop = NAME_PROPERTIES.get(kind)
            if prop and prop in res.get("Properties", {}):
                name = ev.eval(tname, res["Properties"][prop])
                if isinstance(name, str):
                    req.fixed_names.append(FixedName(tname, lid, kind, name))
                    if kind == "AWS::ECR::Repository":
                        own_repos.add(name)
    ssm_names = {f.name for f in req.fixed_names if f.type == "AWS::SSM::Parameter"}
    for tname, template in ev.templates.items():
        resources = template.get("Resources", {})
        for lid, res in sorted(resources.items()):
            if res.get("Type") == "AWS::ECS::Service":
                req.services.append(_service(ev, tname, lid, res, own_repos, ssm_names))
            for where, key, expr in _property_values(res.get("Properties", {}), f"{tname}/{lid}"):
                value = ev.eval(tname, expr)
                if not isinstance(value, str) or not value:
                    continue
                if key == "HostedZoneId" and "AliasTarget" not in where:
                    req.hosted_zones.append((where, value))
                elif key == "CertificateArn":
                    req.certificates.append((where, value))
    root_params = ev.templates[ROOT].get("Parameters", {})
    for name, declared in sorted(root_params.items()):
        if name not in ev.values and "Default" not in declared:
            req.missing_parameters.append(name)
        elif declared.get("Type") == "AWS::Route53::HostedZone::Id":
            req.hosted_zones.append((f"parameter {name}", ev.parameter(ROOT, name)))
    req.hosted_zones = sorted(set(req.hosted_zones))
    req.certificates = sorted(set(req.certificates))
    return req


def _property_values(props: Any, where: str) -> Iterator[tuple[str, str, Any]]:
    """(path, key, expression) for every property key anywhere in a resource's properties."""
    if isinstance(props, dict):
        for key, value in props.items():
            intrinsic = isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))
            if intrinsic or isinstance(value, str):
                yield f"{where}.{key}", key, value
            else:
                yield from _property_values(value, f"{where}.{key}")
    elif isinstance(props, list):
        for i, item in enumerate(props):
            yield from _property_values(item, f"{where}[{i}]")


def _service(
    ev: Evaluator, tname: str, lid: str, res: dict[str, Any], own_repos: set[str], ssm_names: set[str]
) -> ServiceNeeds:
    template = ev.templates[tname]
    props = res.get("Properties", {})
    containers: tuple[Container, ...] = ()
    task = ev.eval(tname, props.get("TaskDefinition"))
    if isinstance(task, Res) and task.type == "AWS::ECS::TaskDefinition":
        definitions = task.properties(ev.templates).get("ContainerDefinitions", [])
        containers = tuple(_container(ev, task.template, d, own_repos, ssm_names) for d in definitions)
    # What sets the count: DesiredCount and the scalable targets of this service (ResourceId names it).
    exprs = [props["DesiredCount"]] if "DesiredCount" in props else []
    targets = [
        r.get("Properties", {})
        for r in template.get("Resources", {}).values()
        if r.get("Type") == "AWS::ApplicationAutoScaling::ScalableTarget"
        and lid in json.dumps(r.get("Properties", {}).get("ResourceId"))
    ]
    for t in targets:
        exprs += [t.get("MinCapacity"), t.get("MaxCapacity")]
    params: set[str] = set()
    for e in exprs:
        params |= ev.root_parameters(tname, e)
    held = ev.with_values({**ev.values, **{p: "0" for p in params}})
    why = ""
    if "DesiredCount" not in props:
        why = "without DesiredCount, ECS starts one task when it creates the service"
    elif held.eval(tname, props["DesiredCount"]) != "0":
        why = "its task count is not set by root parameters (DesiredCount)"
    elif any(held.eval(tname, t.get(k)) != "0" for t in targets for k in ("MinCapacity", "MaxCapacity")):
        why = "its task count is not set by root parameters (scaling capacity)"
    return ServiceNeeds(tname, lid, containers, tuple(sorted(params)), not why, why)


def _container(ev: Evaluator, tname: str, definition: dict[str, Any], own: set[str], ssm_names: set[str]) -> Container:
    raw = definition.get("Image")
    value = ev.eval(tname, raw)
    image = _image(value, own) if isinstance(value, str) else None
    needs = []
    for s in definition.get("Secrets", []) or []:
        needs.append(_secret(ev, tname, s.get("Name", ""), s.get("ValueFrom"), ssm_names))
    text = value if isinstance(value, str) else json.dumps(raw, sort_keys=True)
    return Container(definition.get("Name", ""), image, text, tuple(needs))


def _image(uri: str, own: set[str]) -> Image:
    digest = uri.split("@", 1)[1] if "@" in uri else None
    base = uri.split("@", 1)[0]
    last = base.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else (None if digest else "latest")
    match = ECR_URI.match(base)
    if match is None:
        return Image(uri, tag=tag, digest=digest)
    repo = match["repo"].split(":", 1)[0]
    return Image(uri, repo, match["account"], match["region"], tag, digest, repo in own)


def _secret(ev: Evaluator, tname: str, variable: str, value_from: Any, ssm_names: set[str]) -> SecretNeed:
    value = ev.eval(tname, value_from)
    if isinstance(value, Res):
        if value.type == "AWS::SecretsManager::Secret" and not value.attr:
            props = value.properties(ev.templates)
            name = ev.eval(value.template, props.get("Name")) if "Name" in props else None
            generated = "GenerateSecretString" in props or "SecretString" in props
            return SecretNeed(variable, "secret", value, generated, name if isinstance(name, str) else None)
        if value.type == "AWS::SSM::Parameter":
            return SecretNeed(variable, "ssm", value, True, created_by_stack=True)
        return SecretNeed(variable, "store", value, True)  # e.g. an RDS cluster's MasterUserSecret
    if isinstance(value, str):
        match = re.match(r"^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(/.*)$", value)
        if match or value.startswith("/"):
            path = match[1] if match else value
            return SecretNeed(variable, "ssm", None, path in ssm_names, path=path, created_by_stack=path in ssm_names)
        return SecretNeed(variable, "arn", None, False, path=value)
    return SecretNeed(variable, "unknown", None, False, path=json.dumps(value_from, sort_keys=True))
