"""cfn-lint in-process over built templates, plus the project's own rules (templates_src/lint_rules/).

Results are cached by content hash (a root's key covers its children, whose parameters cfn-lint checks
through the relative TemplateURLs). Uncached templates are linted by a pool forked after the rules are
loaded once, in small chunks, one template at a time. Nothing here imports cfn-lint until a template
must actually be linted."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

RULES_DIR = Path(__file__).parent / "lint_rules"
CACHE_DIR_NAME = ".lint-cache"
DEFAULT_REGIONS = ("us-east-1",)
# W3002: child TemplateURLs are relative in build/ by design; `package` rewrites them.
IGNORE_CHECKS = ["W3002"]


@dataclass(frozen=True)
class Finding:
    template: str
    rule: str
    level: str
    path: str
    line: int
    message: str

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _rules_fingerprint(regions: tuple[str, ...] = DEFAULT_REGIONS) -> str:
    """What a template's findings depend on besides its text: cfn-lint's version, the project's rules
    and whatever they import, the options. The input stamp's environment digest covers every file of
    the package and every installed distribution's version (read from metadata, not by importing
    cfn-lint, which costs a second)."""
    from .stamp import environment_digest

    h = hashlib.sha256(environment_digest().encode())
    h.update(json.dumps({"regions": list(regions), "ignore": IGNORE_CHECKS}).encode())
    return h.hexdigest()


def _cache_key(path: Path, fingerprint: str) -> str:
    h = hashlib.sha256(fingerprint.encode())
    h.update(path.read_bytes())
    if path.stem == "root":  # E3043 reads the children through TemplateURL
        for sibling in sorted(path.parent.glob("*.json")):
            h.update(sibling.name.encode())
            h.update(sibling.read_bytes())
    return h.hexdigest()


_RULES: list = []  # per process: cfn-lint's loaded rules (+ the project's), once


def _args(paths: list[str], regions: tuple[str, ...]):
    from cfnlint.api import ManualArgs

    args = ManualArgs(templates=paths, regions=_lint_regions(regions), ignore_checks=list(IGNORE_CHECKS))
    args["append_rules"] = [str(RULES_DIR)]
    return args


def _rules():
    """cfn-lint's rules and the project's, loaded once per process and reused for every template and
    every region: cfn-lint's own command line runs one loaded collection over all the templates and
    regions it is given (a rule is configured from each template's config when it runs; the regions
    belong to the template). One collection is ~70 MiB: loading one per region doubled a multi-region
    lint's memory."""
    if not _RULES:
        import sys

        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner

        project_root = str(RULES_DIR.parent.parent)
        if project_root not in sys.path:  # the rules import templates_src
            sys.path.insert(0, project_root)
        _share_child_parameters()
        _reuse_validator_classes()
        _RULES.append(_one_parse_per_data_file(lambda: Runner(ConfigMixIn(**_args([], DEFAULT_REGIONS))).rules))
    return _RULES[0]


def _one_parse_per_data_file(load_rules):
    """While the rules load, each of cfn-lint's data files is parsed once: two IAM rules (Permissions,
    StatementResources) each parsed their own copy of Policies.json (9 MiB in every lint process), and
    a few smaller files are read by several rules. Every rule that shares a file today only reads it
    (lookups, schemas handed to the validator). Afterwards cfn-lint's own loader is back in place,
    also in the rule modules that imported it by name."""
    import sys

    import cfnlint.helpers as helpers

    original = helpers.load_resource
    parsed: dict[tuple[str, str], object] = {}

    def load_resource(package, filename="us-east-1.json"):
        key = (getattr(package, "__name__", str(package)), filename)
        if key not in parsed:
            parsed[key] = original(package, filename)
        return parsed[key]

    helpers.load_resource = load_resource
    try:
        return load_rules()
    finally:
        helpers.load_resource = original
        for module in list(sys.modules.values()):
            if getattr(module, "load_resource", None) is load_resource:
                module.load_resource = original  # type: ignore[attr-defined]


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateKey
    return out


def _share_child_parameters() -> None:
    """A root's nested stacks are decoded through cfn-lint's YAML loader, again and again: by E3043 (the
    names of the child's Parameters and whether each has a Default) and by the context that resolves
    `GetAtt Child.Outputs.X` (the names of its Outputs). A root of 300 services paid thousands of YAML
    parses for that. For a child that is a JSON object without a duplicate key, json.loads reads the
    same names and the same Defaults (JSON is the YAML subset that loader parses it as; nulls stay
    None); both readers only read, so one parse per file content serves them all, with the same
    findings. Anything else (not .json, unreadable, invalid, duplicate keys, not an object) goes to
    cfn-lint's decoder as before. The template being linted itself is still decoded by cfn-lint's
    runner (line numbers; its `decode` was bound when the runner was imported, before this). Of a
    child, only its Parameters and Outputs are kept: the two readers (E3043's `tmp.get("Parameters")`,
    the context's `tmp.get("Outputs")`) read nothing else. tests/test_lint_scale.py checks the findings against unpatched cfn-lint."""
    import cfnlint.decode
    from cfnlint.rules.resources.cloudformation import NestedStackParameters as rule

    if getattr(rule.decode, "stackc_shared", False):
        return
    original = cfnlint.decode.decode
    parsed: dict[tuple[str, bytes], tuple[dict, list]] = {}

    def decode(filename):
        if not isinstance(filename, str) or not filename.endswith(".json"):
            return original(filename)
        try:
            data = Path(filename).read_bytes()
        except OSError:
            return original(filename)
        key = (filename, hashlib.sha256(data).digest())
        if key not in parsed:
            try:
                template = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
            except ValueError:  # invalid JSON or UTF-8, a duplicate key: cfn-lint's own answer
                return original(filename)
            if not isinstance(template, dict):
                return original(filename)
            # Both readers use only these two sections: keeping them alone is what lets a root of
            # 300 children hold them all (the children's Resources were ~30 MiB of that worker).
            parsed[key] = ({k: template[k] for k in ("Parameters", "Outputs") if k in template}, [])
        return parsed[key]

    decode.stackc_shared = True  # type: ignore[attr-defined]
    rule.decode = decode  # E3043's own binding
    cfnlint.decode.decode = decode  # what the context imports when it resolves a nested stack's outputs


def _reuse_validator_classes() -> None:
    """Two costs of cfn-lint's JSON-schema validation that do no checking, about a third of a service
    template's lint:
    - each time a rule extends a validator, `cfnlint.jsonschema.validators.create` makes a new
      Validator class (a dataclass: generated code run through exec), ~40 per template. The class
      depends only on the values of its three arguments (keyword -> function, a FunctionFilter's
      fields, resolver -> function): for equal arguments the class made the first time is returned.
      The FunctionFilter is compared by value because rules copy it (`evolve`) on every call;
      functions compare as Python does (a bound method: the same rule object and function).
    - `evolve` on a Context or a Validator calls dataclasses.fields() on every copy (thousands per
      template); the init fields of a class never change, so they are listed once per class.
    The same classes, called the same way: the findings do not change (tests/test_lint_scale.py
    compares with plain cfn-lint). Arguments that cannot be compared by value go to cfn-lint as before."""
    from dataclasses import fields

    import cfnlint.jsonschema.validators as validators_module
    from cfnlint.context.context import Context

    original = validators_module.create
    if getattr(original, "stackc_reused", False):
        return
    made: dict[tuple, type] = {}

    def value(obj: object) -> object:
        if obj is None:
            return None
        return type(obj), tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in vars(obj).items())

    def create(validators=None, function_filter=None, fn_resolvers=None):
        try:
            key = (
                tuple(validators.items()) if validators else None,
                value(function_filter),
                tuple(fn_resolvers.items()) if fn_resolvers else None,
            )
            cls = made.get(key)
        except TypeError:  # something unhashable: no reuse
            return _listing_fields(original(validators, function_filter, fn_resolvers))
        if cls is None:
            cls = made[key] = _listing_fields(original(validators, function_filter, fn_resolvers))
        return cls

    def _listing_fields(cls):
        names = tuple(f.name for f in fields(cls) if f.init)

        def evolve(self, **kwargs):  # cfn-lint's Validator.evolve, fields listed once
            for name in names:
                kwargs.setdefault(name, getattr(self, name))
            return self.__class__(**kwargs)

        cls.evolve = evolve
        return cls

    context_names = tuple(f.name for f in fields(Context) if f.init)

    def context_evolve(self, **kwargs):  # cfn-lint's Context.evolve, fields listed once
        if "ref_values" in kwargs:
            new_ref_values = self.ref_values.copy()
            new_ref_values.update(kwargs["ref_values"])
            kwargs["ref_values"] = new_ref_values
        for name in context_names:
            kwargs.setdefault(name, getattr(self, name))
        return self.__class__(**kwargs)

    create.stackc_reused = True  # type: ignore[attr-defined]
    validators_module.create = create  # what Validator.extend calls
    Context.evolve = context_evolve
    _getatts_once_per_template()


def _getatts_once_per_template() -> None:
    """`Template.get_valid_getatts` builds the table of every resource's attributes in every region each
    time a rule asks, and E1010 asks once per `Fn::GetAtt`: a root of 300 services rebuilt it ~2,000
    times (a fifth of that root's lint). The table is a function of the template's context (its
    resources) and regions, and its readers only read it (`match`, `json_schema`): it is built once per
    template and built again if the context object or the regions are replaced (a transform does)."""
    from cfnlint.template.template import Template

    original = Template.get_valid_getatts

    def get_valid_getatts(self):
        key = (self.context, tuple(self.regions))
        cached = self.__dict__.get("_stackc_getatts")
        if cached is not None and cached[0][0] is key[0] and cached[0][1] == key[1]:
            return cached[1]
        table = original(self)
        self._stackc_getatts = (key, table)
        return table

    Template.get_valid_getatts = get_valid_getatts


def _lint_batch(paths: list[str], regions: tuple[str, ...] = DEFAULT_REGIONS) -> dict[str, list[dict]]:
    """One template at a time through the loaded rules, each with a configuration of its own (cfn-lint
    reads per-template settings into it), exactly as a separate run would lint it."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner.template import run_template_by_file_paths

    rules = _rules()
    out: dict[str, list[dict]] = {}
    for path in paths:
        found = out[path] = []
        for match in run_template_by_file_paths(ConfigMixIn(**_args([path], regions)), rules):
            found.append(
                {
                    "rule": match.rule.id,
                    "level": {"E": "error", "W": "warning", "I": "info"}.get(match.rule.id[0], "error"),
                    "path": "/".join(str(p) for p in (getattr(match, "path", None) or [])),  # E0002 has none
                    "line": match.linenumber,
                    "message": match.message,
                }
            )
    return out


def _lint_all(names: list[str], regions: tuple[str, ...], workers: int) -> dict[str, list[dict]]:
    """Lint `names` with `workers` processes. The rules are loaded before the pool forks, so every
    worker starts with cfn-lint imported and its rules loaded; small chunks keep the cores busy when
    some templates (a root with many children) take longer than others."""
    from .build import tune_gc

    _rules()
    tune_gc()  # after the imports and rules: they are frozen out of the collector, and shared by the fork
    if workers <= 1 or len(names) < 2:
        return _lint_batch(names, regions)
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Each root (it reads every child: the longest job) alone and first, so it never starts last.
    roots = [n for n in names if Path(n).stem == "root"]
    rest = [n for n in names if Path(n).stem != "root"]
    size = max(1, min(8, len(rest) // (workers * 4)))
    chunks = [[r] for r in roots] + [rest[i : i + size] for i in range(0, len(rest), size)]
    linted: dict[str, list[dict]] = {}
    with ctx.Pool(min(workers, len(chunks))) as pool:
        for part in pool.imap_unordered(_lint_chunk, [(chunk, regions) for chunk in chunks]):
            linted.update(part)
    return linted


def _lint_chunk(job: tuple[list[str], tuple[str, ...]]) -> dict[str, list[dict]]:
    """One chunk in a pool worker, then a full collection: with tune_gc's thresholds a worker never runs
    one by itself, so the cyclic garbage of each template's lint (cfn-lint's graphs and validators) piled
    up across chunks (a 300-service lint peaked at 159 MiB in one worker; 150 with this, ~2% more CPU)."""
    import gc

    try:
        return _lint_batch(*job)
    finally:
        gc.collect()


def lint_paths(
    paths: list[Path],
    cache_root: Path | None = None,
    workers: int | None = None,
    regions: tuple[str, ...] = DEFAULT_REGIONS,
) -> list[Finding]:
    """Lint templates (JSON files); informational findings are dropped. Templates with the same cache
    key (the same text, and for a root the same children) are linted once: their findings are the same."""
    fingerprint = _rules_fingerprint(regions)
    cache_dir = cache_root / CACHE_DIR_NAME if cache_root else None
    results: dict[str, list[dict]] = {}
    todo: dict[str, list[Path]] = {}  # cache key -> templates with it
    for path in paths:
        key = _cache_key(path, fingerprint)
        cached = cache_dir / f"{key}.json" if cache_dir else None
        if cached is not None and cached.is_file():
            results[str(path)] = json.loads(cached.read_text())
        else:
            todo.setdefault(key, []).append(path)

    if todo:
        names = [str(same[0]) for same in todo.values()]
        linted = _lint_all(names, regions, workers or min(os.cpu_count() or 1, 4))
        for key, same in todo.items():
            found = linted.get(str(same[0]), [])
            for path in same:
                results[str(path)] = found
            if cache_dir is not None:
                cache_dir.mkdir(parents=True, exist_ok=True)
                (cache_dir / f"{key}.json").write_text(json.dumps(found))

    findings = []
    for path in paths:
        for f in results[str(path)]:
            if f["level"] != "info":
                findings.append(Finding(template=str(path), **f))
    return findings


def lint_targets(targets: list, build_dir: Path | None = None) -> tuple[list[Path], list[Finding]]:
    """Build what is stale (the input stamp skips what `build` just wrote), then lint every template of
    the targets."""
    from .build import build_targets
    from .settings import settings

    build_dir = build_dir or settings().build_dir
    return lint_built(build_targets(targets, build_dir), build_dir)


def lint_built(builds: list, build_dir: Path | None = None) -> tuple[list[Path], list[Finding]]:
    """Lint every template of targets `build_targets` has just built (the first failed one is raised)."""
    from .settings import settings

    regions: dict[Path, str] = {}
    for built in builds:
        if built.error is not None:
            raise built.error
        regions.update(template_regions(built.out_dir, built.templates))
    return list(regions), lint_in_regions(regions, cache_root=build_dir or settings().build_dir)


def lint_in_regions(regions: dict[Path, str], cache_root: Path | None = None) -> list[Finding]:
    """Each template linted for the region it deploys to (`template_regions`): a resource type or
    property a region lacks is found here, not by a failed deploy there. Findings in template order."""
    findings: list[Finding] = []
    for region in sorted(set(regions.values())):
        group = [p for p, r in regions.items() if r == region]
        findings += lint_paths(group, cache_root=cache_root, regions=(region,))
    order = {str(p): i for i, p in enumerate(regions)}
    return sorted(findings, key=lambda f: order.get(f.template, 0))


def template_regions(out_dir: Path, templates: list[str]) -> dict[Path, str]:
    """Each template file of a built target -> the region it deploys to, from the build's manifest: the
    system's region, or for a multi-region build each folder's own (the global DNS stack's is the region
    that stack lives in)."""
    manifest = json.loads((out_dir / "manifest.json").read_text())
    folders = manifest.get("folders") or {}
    default = (manifest.get("regions") or DEFAULT_REGIONS)[0]
    out: dict[Path, str] = {}
    for name in templates:
        folder = name.split("/", 1)[0] if "/" in name else ""
        out[out_dir / f"{name}.json"] = (folders.get(folder) or {}).get("region") or default
    return out


def _lint_regions(regions: tuple[str, ...]) -> list[str]:
    """`regions`, a region newer than the installed cfn-lint's data (params accept every region botocore
    knows; cfn-lint refuses one it does not) replaced by the default one. Imports cfn-lint: only called
    when a template is really linted."""
    from cfnlint.helpers import REGIONS

    return sorted({r if r in REGIONS else DEFAULT_REGIONS[0] for r in regions})
