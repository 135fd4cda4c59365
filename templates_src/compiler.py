"""Config -> stack graph -> templates -> build/<system>/<env>/ (+ parameters.json, manifest.json)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import troposphere

from . import waivers
from .build import Built, build_targets, output_dir  # the stamp-aware entry (build.py), importable here too
from .config.load import Loaded, Target, load
from .config.system import System
from .errors import BuildError, ConfigError, NameClash
from .graph import StackContext, StackGraph, parameter_value
from .limits import MAX_BYTES_INLINE, TemplateStats
from .naming import ecr_repository_name
from .parts import lb_exports, stateful
from .render import dumps, json_to_yaml, to_json
from .stacks import cluster, data, keys, loadbalancing, network, observability, root, secrets, service
from .waivers import Applied

Builder = Callable[[System, StackContext], None]
__all__ = ["Built", "Compiled", "build_targets", "compile_loaded", "compile_target", "output_dir", "write"]

# troposphere refuses the 201st output (or 501st resource) with a bare ValueError; the compiler checks
# CloudFormation's limits itself after building (limits.py), naming the template, the count and the limit.
troposphere.MAX_OUTPUTS = troposphere.MAX_PARAMETERS = troposphere.MAX_RESOURCES = troposphere.MAX_MAPPINGS = 10**9


def stack_units(cfg: System) -> Iterator[tuple[str, str, Builder]]:
    """Every child stack of a system, in a stable order keyed by name (never by position), so
    adding a stack never moves the resources of another."""
    yield "network", "VPC, subnets, routing, endpoints and flow logs", network.build
    yield "cluster", "ECS cluster and capacity providers", cluster.build
    yield "secrets", "Secrets Manager secrets", secrets.build
    yield "keys", "KMS keys and their key policies", keys.build
    yield "data", "data stores, their security groups and generated credentials", data.build
    yield "loadbalancing", "load balancers, their security groups, listeners and certificates", loadbalancing.build
    for name in sorted(cfg.services):
        yield service.stack_name(name), f"Fargate service {name}", service.builder(name)
    yield "observability", "alarm topic and dashboard", observability.build


@dataclass
class Compiled:
    target: Target
    files: dict[str, str]  # file name in the output folder -> text
    stats: list[TemplateStats]
    notes: list[str] = field(default_factory=list)  # things worth saying that are not errors
    # Multi-region (see `compile_loaded`): folder ("us-east-1", ..., "global") -> that folder's own
    # Compiled; `files` then holds every folder's files under "<folder>/" plus a top manifest.json.
    folders: dict[str, Compiled] = field(default_factory=dict)
    region: str | None = None  # where this folder's root deploys (None: the system's region)
    dns_inputs: list = field(default_factory=list)  # global folder: [stacks.dns.Input]
    waivers: list[Applied] = field(default_factory=list)  # params' waivers, where each was written

    def applied_waivers(self) -> list[tuple[str, Applied]]:
        """(folder, applied waiver) of every part: what `build` lists."""
        return [(folder, a) for folder, part in self.parts() for a in part.waivers]

    @property
    def templates(self) -> dict[str, str]:
        """Template name -> JSON text (root and children; "<folder>/root" when multi-region)."""
        return {
            n.removesuffix(".json"): text
            for n, text in self.files.items()
            if n.endswith(".json") and n.rsplit("/", 1)[-1] not in ("parameters.json", "manifest.json")
        }

    def parts(self) -> list[tuple[str, Compiled]]:
        """(folder relative to output_dir, Compiled) for each deployable root: ("", self) for a
        single-region system; the regional folders, then "global", for a multi-region one."""
        return list(self.folders.items()) if self.folders else [("", self)]


def compile_target(target: Target) -> Compiled:
    return compile_loaded(load(target))


def compile_loaded(loaded: Loaded) -> Compiled:
    cfg, target = loaded.config, loaded.target
    try:
        if is_multi_region(cfg):
            from . import regions

            compiled = regions.compile_regions(cfg, target, _compile_single)
        else:
            compiled = _compile_single(cfg, target)
    except NameClash as exc:  # a name the config chose: report it at its path, like any config problem
        raise loaded.problem(exc.path, exc.message, exc.value) from None
    unused = waivers.unmatched([part.waivers for _, part in compiled.parts() if part.waivers])
    if unused:
        raise ConfigError(
            [
                loaded.problem_at(
                    ("waivers", a.index, "resource"),
                    f"waiver for {a.waiver.id} matches no resource: the finding it waives is gone or the pattern "
                    "is wrong (`<stack>/<LogicalId>` as in build/, `*` wildcards); remove or correct it",
                    a.waiver.resource,
                )
                for a in unused
            ]
        )
    return compiled


def is_multi_region(cfg: System) -> bool:
    """Several regions or a failover block: build/S/E/<region>/ per region (+ global/), not build/S/E/."""
    return len(cfg.regions) > 1 or cfg.failover is not None


def _compile_single(cfg: System, target: Target) -> Compiled:
    graph = StackGraph(target.system, target.env)
    for name, description, builder in stack_units(cfg):
        ctx = graph.context(name, f"{target.system} {target.env}: {description} (stackc)")
        try:
            builder(cfg, ctx)
        except ValueError as exc:  # troposphere: 'duplicate key "FABAccessPoint" detected'
            if "duplicate key" not in str(exc):
                raise
            raise BuildError(
                f"stack {name!r}: {exc}: names joined into one logical ID collide (e.g. store 'f' with access point "
                "'a-b' and store 'f-a' with access point 'b' both make FAB...); rename one"
            ) from None
    resolved = graph.resolve()

    templates: dict[str, dict] = {}
    for unit in resolved.units:
        stateful.apply(unit.template)
        templates[unit.name] = unit.template.to_dict()
    root_t = root.build(graph, resolved, f"{target.system} {target.env}: root stack (stackc)", dict(cfg.tags))
    stateful.apply(root_t)
    templates = {"root": root_t.to_dict(), **templates}
    applied = waivers.apply(templates, cfg.waivers)
    if cfg.prod:  # the prod rules (lint_rules/) apply to these templates
        for tdict in templates.values():
            tdict.setdefault("Metadata", {}).update(waivers.PROD_MARK)

    files: dict[str, str] = {}
    stats: list[TemplateStats] = []
    for name, tdict in templates.items():
        body = to_json(tdict)
        files[f"{name}.json"] = body
        files[f"{name}.yaml"] = json_to_yaml(body)
        stats.append(TemplateStats.of(name, tdict, body))

    violations = [v for s in stats for v in s.violations()]
    if violations:
        raise BuildError("\n".join(violations))
    notes = []
    root_stats = stats[0]
    if root_stats.bytes > MAX_BYTES_INLINE:
        notes.append(
            f"root template is {root_stats.bytes} bytes (> {MAX_BYTES_INLINE}): it must be deployed from S3 (`cli.py package`)"
        )

    parameters = [
        {"ParameterKey": t.name, "ParameterValue": parameter_value(t.default)}
        for t in resolved.root_tunables
        if t.default is not None
    ]
    files["parameters.json"] = dumps(parameters)
    files["manifest.json"] = dumps(_manifest(target, cfg, resolved, files, stats))
    return Compiled(target, files, stats, notes, region=cfg.region, waivers=applied)


def _manifest(target: Target, cfg: System, resolved, files: dict[str, str], stats: list[TemplateStats]) -> dict:
    return (
        _hosted_zones_by_name(cfg)
        | _prefix_lists_by_name(cfg)
        | _replicas(cfg, target)
        | {
            "system": target.system,
            "env": target.env,
            "regions": list(cfg.regions),
            "stacks": resolved.order,
            "templates": {
                s.name: {
                    "file": f"{s.name}.json",
                    "sha256": hashlib.sha256(files[f"{s.name}.json"].encode()).hexdigest(),
                    "bytes": s.bytes,
                    "resources": s.resources,
                    "parameters": s.parameters,
                    "outputs": s.outputs,
                }
                for s in stats
            },
            # Where each tunable lives: root Parameters (console form) or, past the budget, the child's default.
            "tunables": {
                "root": [t.name for t in resolved.root_tunables],
                "child_defaults": {
                    stack: sorted(t.name for s, t in resolved.child_tunables if s == stack)
                    for stack in sorted({s for s, _ in resolved.child_tunables})
                },
            },
            # Outputs for people: on the root up to its budget, past it only on their own stack.
            "outputs": {
                "root": [name for _, name, _ in resolved.root_outputs],
                "child_only": {
                    stack: sorted(o for s, o in resolved.child_outputs if s == stack)
                    for stack in sorted({s for s, _ in resolved.child_outputs})
                },
            },
        }
    )


def _hosted_zones_by_name(cfg: System) -> dict:
    """Root parameters deploy fills with the ID of a hosted zone named in params (deploy/zones.py)."""
    zones = {
        lb_exports.hosted_zone_id(name): lb.certificate.hosted_zone_name.rstrip(".")
        for name, lb in sorted(cfg.load_balancers.items())
        if lb.certificate is not None and lb.certificate.hosted_zone_name
    }
    return {"hosted_zones_by_name": zones} if zones else {}


def _prefix_lists_by_name(cfg: System) -> dict:
    """Root parameters deploy fills with the ID of an AWS-managed prefix list of that name (deploy/zones.py)."""
    from .config.loadbalancing import CLOUDFRONT_PREFIX_LIST
    from .parts.edge import PREFIX_LIST_PARAMETER

    if any(lb.edge is not None for lb in cfg.load_balancers.values()):
        return {"prefix_lists_by_name": {PREFIX_LIST_PARAMETER: CLOUDFRONT_PREFIX_LIST}}
    return {}


def _replicas(cfg: System, target: Target) -> dict:
    """What this region reads as copies of the primary's (config/replication.py), for deploy: preflight looks
    for a missing image or secret value in the primary too, and `secret set` writes the primary only."""
    images_from, secrets_from = cfg.images_replicated_from(), cfg.secrets_replicated_from()
    out: dict = {}
    if images_from is not None:
        out["repositories"] = {
            ecr_repository_name(target.system, target.env, n): images_from
            for n, svc in sorted(cfg.services.items())
            if svc.ecr is not None
        }
    if secrets_from is not None:
        out["secrets"] = {
            name: {"name": physical, "from": secrets_from} | ({"generated": True} if cfg.secrets[name].generate else {})
            for name in sorted(cfg.secrets)
            if (physical := cfg.replicated_secret(name)) is not None
        }
    return {"replicas": out} if any(out.values()) else {}


def write(compiled: Compiled, out_dir: Path) -> list[Path]:
    """Write what differs and nothing else; remove stale files of this target. Returns changed paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, text in sorted(compiled.files.items()):
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        changed.append(path)
    from .regions import layout_folders

    for folder in [out_dir, *layout_folders(out_dir)]:  # also the region folders of a former layout
        for stale in sorted(folder.glob("*.json")) + sorted(folder.glob("*.yaml")):
            if stale.relative_to(out_dir).as_posix() not in compiled.files:
                stale.unlink()
                changed.append(stale)
    return changed
