"""Property tests of the params loader through the real CLI (`build -s s -e dev`).

Whatever is in `_base.yaml` and `dev.yaml` — junk, wrong types at known keys, unicode, huge numbers,
bytes that are not UTF-8, or a real system's params with one thing broken — the build exits 0 or 2,
never with a traceback or an "internal error", and every error line names a params file. A broken
real file (a required key dropped, a value of the wrong type, an unknown key) exits 2 naming the
field path.

Three kinds of input:
- junk: arbitrary YAML-able structures and raw bytes;
- schema-guided: mappings built from the config model's JSON schema, so keys are real and values are
  mostly plausible (realistic values harvested from params/, regex-generated ones, out-of-range
  numbers) with some of the wrong type; these get past the loader into the builders;
- mutations of params/*/_base.yaml.

`STACKC_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_params.py` searches longer than the default."""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

import cli
from templates_src.config.base import dotted
from templates_src.config.system import System
from tests.helpers import EXAMPLE_SYSTEMS, PARAMS_DIR

EXAMPLES = int(os.environ.get("STACKC_FUZZ_EXAMPLES", "80"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)
FILES = ("params/s/_base.yaml", "params/s/dev.yaml")


# -- running the CLI ------------------------------------------------------------------------------


def run_build(base: bytes | str | None, env: bytes | str, system: str = "s"):
    """`build -s <system> -e dev` on a fresh params folder holding these two files."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "params" / system
        folder.mkdir(parents=True)
        if base is not None:
            (folder / "_base.yaml").write_bytes(base if isinstance(base, bytes) else base.encode("utf-8"))
        (folder / "dev.yaml").write_bytes(env if isinstance(env, bytes) else env.encode("utf-8"))
        result = CliRunner().invoke(
            cli.cli,
            ["build", "-s", system, "-e", "dev"],
            env={"STACKC_PARAMS_DIR": str(Path(tmp) / "params"), "STACKC_BUILD_DIR": str(Path(tmp) / "build")},
        )
    return result


def assert_clean_outcome(result, files=FILES) -> list[str]:
    """Exit 0 or 2, no traceback, no internal error, every error line names one of `files`.
    Returns the error lines."""
    out = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{out}"
    )
    assert "Traceback" not in out and "internal error" not in out, out
    assert result.exit_code in (0, 2), out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    for line in errors:
        assert any(line.startswith(f"error: {f}") for f in files), f"an error line names no params file: {line!r}"
    assert (result.exit_code == 2) == bool(errors), out
    if currently_in_test_context():  # --hypothesis-show-statistics: how many inputs got through to a build
        event(f"exit {result.exit_code}")
    return errors


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# -- junk ---------------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=10),
    st.sampled_from(["", "~", "yes", "no", "0x1F", "1e3", "2024-01-01", "${services.api.url}", "*", "-", "null"]),
)
keys = st.one_of(
    st.text(max_size=12),
    st.integers(-3, 3),
    st.none(),
    st.booleans(),
    st.sampled_from(["network", "services", "data", "api", "kind", "containers", "listeners"]),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=25,
)
# Raw file contents: bytes, text, and YAML that PyYAML reads into odd Python values.
RAW_SNIPPETS = [
    "? [a, b]\n: 1\n",
    "? {a: 1}\n: 1\n",
    "x: !!binary aGVsbG8=\n",
    "x: !!python/object:os.system a\n",
    "network: &a {subnets: *a}\n",
    "description: " + "9" * 5000 + "\n",
    "network: {azs: " + "9" * 5000 + "}\n",
    'tags: {"\\ud800": x}\n',
    'description: "\\udfff"\n',
    "---\na: 1\n---\nb: 2\n",
    "%YAML 1.1\n---\n",
    "\ufeffnetwork: {}\n",
    "network: {azs: 2}\n" * 2,
    "!!set {a, b}\n",
    "regions: !!omap [{a: 1}]\n",
    "tags: {a: !!timestamp 2001-12-14}\n",
    "<<: {network: {azs: 3}}\n",
    "network:\n  <<: [{azs: 3}, {nat: none}]\n",
    "\x00",
    "\t",
    "...\n",
]
raw_files = st.one_of(
    st.binary(max_size=64), st.text(max_size=64), st.sampled_from(RAW_SNIPPETS), yaml_values.map(dump)
)


@FUZZ
@given(base=yaml_values, env=yaml_values)
def test_arbitrary_structures(base, env):
    assert_clean_outcome(run_build(dump(base), dump(env)))


@FUZZ
@given(base=raw_files, env=raw_files)
def test_arbitrary_files(base, env):
    assert_clean_outcome(run_build(base, env))


@pytest.mark.parametrize("snippet", RAW_SNIPPETS)
@pytest.mark.parametrize("which", ["base", "env"])
def test_odd_yaml(which, snippet):
    base, env = (snippet, "") if which == "base" else ("", snippet)
    assert_clean_outcome(run_build(base, env))


# -- schema-guided --------------------------------------------------------------------------------

SCHEMA = System.model_json_schema()
DEFS = SCHEMA["$defs"]
NAMES = ["api", "web", "db", "cache", "main", "worker", "ui", "files", "bucket", "api-2", "api2"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]


def _harvest() -> dict[str, list]:
    """Scalar values by key name, from every params file: realistic values to draw from."""
    pool: dict[str, set] = {}

    def walk(data: Any, key: str) -> None:
        if isinstance(data, dict):
            for k, v in data.items():
                walk(v, str(k))
        elif isinstance(data, list):
            for v in data:
                walk(v, key)
        else:
            pool.setdefault(key, set()).add(data)

    for path in sorted(p for s in EXAMPLE_SYSTEMS for p in (PARAMS_DIR / s).glob("*.yaml")):
        walk(yaml.safe_load(path.read_text()) or {}, "")
    return {k: sorted(v, key=repr) for k, v in pool.items()}


POOL = _harvest()
# Realistic values for keys the params files do not show (or too few of).
for _key, _values in {
    "cidr": ["10.0.0.0/16", "10.20.0.0/16", "172.16.0.0/20"],
    "allowed_cidrs": ["0.0.0.0/0", "10.0.0.0/8", "192.168.1.0/24"],
    "actions": ["sqs:SendMessage", "s3:GetObject", "dynamodb:GetItem"],
    "resources": ["arn:aws:sqs:us-east-1:123456789012:orders", "arn:aws:s3:::bucket/*"],
    "regions": ["us-east-1", "us-west-2"],
    "image": ["public.ecr.aws/nginx/nginx", "ghcr.io/example/app"],
    "command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
}.items():
    POOL[_key] = sorted(set(POOL.get(_key, [])) | set(_values), key=repr)
wrong = st.one_of(
    st.text(max_size=6),
    st.integers(-2, 10**6),
    st.booleans(),
    st.none(),
    st.floats(),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["x", "kind"]), st.integers(0, 3), max_size=1),
)


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = DEFS[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _mostly(good: st.SearchStrategy, junk: bool, bad: st.SearchStrategy = wrong) -> st.SearchStrategy:
    """With junk: `good` nine times in ten, else a value of (probably) the wrong type."""
    return st.integers(0, 9).flatmap(lambda n: bad if n == 0 else good) if junk else good


def _string(node: dict, key: str, junk: bool) -> st.SearchStrategy:
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "const" in node:
        return st.just(node["const"])
    options = []
    if key in POOL and any(isinstance(v, str) for v in POOL[key]):
        options.append(st.sampled_from([v for v in POOL[key] if isinstance(v, str)]))
    pattern = node.get("pattern")
    if pattern == r"^[a-z][a-z0-9-]{0,39}$":
        options.append(st.sampled_from(NAMES))
    elif pattern:
        options.append(st.from_regex(pattern, fullmatch=True).filter(lambda s: len(s) < 80))
    if junk or not options:
        options.append(st.text(max_size=12))
    return st.one_of(*options)


def _number(node: dict, key: str, integer: bool, junk: bool) -> st.SearchStrategy:
    if "enum" in node:
        return st.sampled_from(node["enum"])
    lo, hi = node.get("minimum", node.get("exclusiveMinimum")), node.get("maximum", node.get("exclusiveMaximum"))
    make = (
        st.integers
        if integer
        else (
            lambda a, b: st.floats(a, b, allow_nan=False, allow_infinity=False, exclude_min="exclusiveMinimum" in node)
        )
    )
    inside = make(lo if lo is not None else 0, hi if hi is not None else (lo or 0) + 10**4)
    options = [inside]
    if key in POOL:
        known = [
            v
            for v in POOL[key]
            if isinstance(v, (int, float)) and not isinstance(v, bool) and (not integer or isinstance(v, int))
        ]
        if known:
            options.append(st.sampled_from(known))
    if junk:
        edge = [v for v in (lo, hi) if v is not None] + [0, -1, 10**12]
        options.append(st.sampled_from([int(v) if integer else v for v in edge]))
        if not integer:
            options.append(st.sampled_from([math.inf, -math.inf, 0.25]))
    return st.one_of(*options)


def from_schema(node: dict, key: str = "", depth: int = 0, junk: bool = True) -> st.SearchStrategy:
    """Values for a JSON schema node of the config model. Without junk: the right types (and the
    constraints the schema states), realistic values first; with junk: also wrong types and edges."""
    node = _resolve(node)
    if "anyOf" in node or "oneOf" in node:
        branches = [b for b in node.get("anyOf", node.get("oneOf")) if b.get("type") != "null"]
        nullable = len(branches) < len(node.get("anyOf", node.get("oneOf")))
        good = st.one_of(*(from_schema(b, key, depth, junk) for b in branches))
        return st.one_of(good, st.none()) if nullable else good
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return _object(node, key, depth, junk)
    if kind == "array":
        items = _mostly(from_schema(node.get("items", {}), key, depth + 1, junk), junk)
        return st.lists(items, min_size=node.get("minItems", 0), max_size=min(node.get("maxItems", 3), 3))
    if kind == "string" or "enum" in node or "const" in node:
        return _string(node, key, junk)
    if kind in ("integer", "number"):
        return _number(node, key, kind == "integer", junk)
    if kind == "boolean":
        return st.booleans()
    return yaml_values if junk else st.just({})


def _object(node: dict, key: str, depth: int, junk: bool) -> st.SearchStrategy:
    props = node.get("properties")
    if props is not None:
        required = set(node.get("required", ()))
        if not junk:  # plausible systems: one region's, containers with an image
            props = {k: v for k, v in props.items() if k != "region_overrides"}
            required |= {"image"} & set(props) if "ports" in props else set()
        fields = {k: _mostly(from_schema(v, k, depth + 1, junk), junk) for k, v in props.items()}
        if depth >= 6:  # keep the deepest levels small: required keys only
            return st.fixed_dictionaries({k: fields[k] for k in required})
        return st.fixed_dictionaries(
            {k: fields[k] for k in props if k in required}, optional={k: fields[k] for k in props if k not in required}
        )
    pattern_props = node.get("patternProperties")
    if pattern_props:
        ((pattern, value),) = pattern_props.items()
        names = st.sampled_from(REGIONS if "gov" in pattern else NAMES)
        if value.get("additionalProperties") is True:  # region_overrides: a partial System (not nested)
            value = {
                "type": "object",
                "properties": {k: v for k, v in SCHEMA["properties"].items() if k != "region_overrides"},
            }
        return st.dictionaries(
            _mostly(names, junk, st.text(max_size=6)),
            from_schema(value, key, depth + 1, junk),
            min_size=node.get("minProperties", 0),
            max_size=2,
        )
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        keys_ = st.text(max_size=8) if junk else st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
        return st.dictionaries(keys_, from_schema(extra, key, depth + 1, junk), max_size=3)
    return yaml_values if junk else st.just({})


TOP = {"type": "object", "properties": SCHEMA["properties"]}
system_configs = st.one_of(from_schema(TOP, junk=False), from_schema(TOP, junk=True))


@FUZZ
@given(base=system_configs, env=st.one_of(st.just({}), system_configs))
def test_schema_guided_configs(base, env):
    assert_clean_outcome(run_build(dump(base), dump(env)))


# -- mutations of real params files -----------------------------------------------------------------

SYSTEMS = sorted(EXAMPLE_SYSTEMS)
INCOMPATIBLE = {  # a value of each YAML type, and the schema types that accept it
    "text": ("zz-not-this", {"string"}),
    "whole number": (4242, {"integer", "number"}),
    "fraction": (0.375, {"number"}),
    "boolean": (True, {"boolean"}),
    "list": ([1], {"array"}),
    "mapping": ({"zz": 1}, {"object"}),
}


def schema_at(path: tuple) -> dict | None:
    """The schema node of the value at `path` in a params file (None: free-form, e.g. tags values)."""
    node: dict | None = {"type": "object", "properties": SCHEMA["properties"]}
    for _i, part in enumerate(path):
        node = _resolve(node)
        branches = [b for b in node.get("anyOf", node.get("oneOf", [node])) if b.get("type") != "null"]
        node = _resolve(branches[0]) if len(branches) == 1 else None
        if node is None:
            return None
        if isinstance(part, int):
            node = node.get("items")
        elif "properties" in node:
            node = node["properties"].get(part)
        elif "patternProperties" in node:
            node = next(iter(node["patternProperties"].values()))
            if node.get("additionalProperties") is True:
                node = {"type": "object", "properties": SCHEMA["properties"]}  # region_overrides.<region>
        else:
            return None
        if node is None:
            return None
    return node


def accepted_types(node: dict) -> set[str] | None:
    node = _resolve(node)
    if "anyOf" in node or "oneOf" in node:
        out: set[str] = set()
        for b in node.get("anyOf", node.get("oneOf")):
            types = accepted_types(b)
            if types is None:
                return None
            out |= types
        return out
    if "type" in node:
        return {node["type"]}
    return None


def walk(data: Any, path: tuple = ()):
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from walk(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from walk(v, path + (i,))


def _under_overrides(path: tuple) -> bool:
    return bool(path) and path[0] == "region_overrides"


def mutations(system: str) -> list[tuple[str, tuple, Any]]:
    """Every (kind, path, new value) that must make `system`'s _base.yaml invalid at `path`."""
    data = yaml.safe_load((PARAMS_DIR / system / "_base.yaml").read_text())
    out = []
    for path, value in walk(data):
        if not path:
            continue
        node = schema_at(path)
        parent = schema_at(path[:-1])
        parent = _resolve(parent) if parent is not None else None
        if node is None or parent is None:
            continue
        if isinstance(path[-1], str) and path[-1] in set(parent.get("required", ())) and not _under_overrides(path):
            out.append(("drop", path, None))
        types = accepted_types(node)
        if types is not None and "null" not in types:
            for label, (new, accepting) in INCOMPATIBLE.items():
                if not types & accepting:
                    out.append((f"type:{label}", path, new))
        if isinstance(value, dict) and _resolve(node).get("additionalProperties") is False:
            out.append(("unknown-key", path + ("zz_unknown",), 1))
    if isinstance(data, dict):
        out.append(("unknown-key", ("zz_unknown",), 1))
    return out


def apply(data: Any, kind: str, path: tuple, value: Any) -> Any:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if kind == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


def _error_paths(errors: list[str], file: str) -> list[str]:
    """The field path of each error line about `file` ("error: FILE[:LINE]: PATH: message")."""
    pattern = re.compile(rf"^error: {re.escape(file)}(?::\d+)?: ([^:]*):")
    return [m.group(1) for m in map(pattern.match, errors) if m]


def _names(error_path: str, field: str) -> bool:
    """The error is at `field`, or below it (a mapping replaced by one of the wrong shape)."""
    return error_path == field or error_path.startswith((field + ".", field + "["))


MUTATIONS = [(s, m) for s in SYSTEMS for m in mutations(s)]


@FUZZ
@given(case=st.sampled_from(MUTATIONS))
def test_broken_real_params_name_the_field(case):
    system, (kind, path, value) = case
    data = apply(yaml.safe_load((PARAMS_DIR / system / "_base.yaml").read_text()), kind, path, value)
    result = run_build(dump(data), "", system=system)
    files = (f"params/{system}/_base.yaml", f"params/{system}/dev.yaml")
    errors = assert_clean_outcome(result, files)
    assert result.exit_code == 2, f"{kind} at {dotted(path)} was accepted:\n{result.output}"
    field = dotted(path)
    if path[-1] == "kind" and path[0] == "data":  # the store's kind picks its model: reported on the store
        field = dotted(path[:-1])
    found = _error_paths(errors, files[0])
    assert any(_names(p, field) for p in found), f"{kind} at {field}: no error names it:\n{result.output}"


def test_every_system_offers_mutations():
    """The mutation table covers every params system and each kind of mutation."""
    assert {s for s, _ in MUTATIONS} == set(SYSTEMS)
    kinds = {m[0].split(":")[0] for _, m in MUTATIONS}
    assert kinds == {"drop", "type", "unknown-key"}, kinds
    assert len(MUTATIONS) > 500
