"""Read params/<system>/_base.yaml overlaid by <env>.yaml into a validated `System`.

Every problem becomes a `Problem` naming the file, the field path, the value and what was expected;
all of them are reported at once as a `ConfigError` (exit code 2)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, Problem, UsageError
from ..settings import settings
from .base import Finding, deep_merge, dotted
from .system import System

BASE_FILE = "_base.yaml"


@dataclass(frozen=True)
class Target:
    """Which system and environment, and where their params live."""

    system: str
    env: str
    params_dir: Path

    @property
    def system_dir(self) -> Path:
        return self.params_dir / self.system

    @property
    def base_file(self) -> Path:
        return self.system_dir / BASE_FILE

    @property
    def env_file(self) -> Path:
        return self.system_dir / f"{self.env}.yaml"


@dataclass(frozen=True)
class Loaded:
    target: Target
    config: System
    overlay: dict = field(default_factory=dict, compare=False, repr=False)  # the env file's mapping

    def file_of(self, path: tuple[Any, ...]) -> str:
        """The params file a value at `path` came from (the env file when it sets it, else the base)."""
        return _origin(self.target, self.overlay, path)

    def problem(self, path: tuple[Any, ...], message: str, value: Any) -> ConfigError:
        """A problem found after loading (e.g. a name clash the stack graph sees), as the loader reports one."""
        return ConfigError([Problem(self.file_of(path), dotted(path), message, value, True)])


def systems(params_dir: Path | None = None) -> list[str]:
    root = params_dir or settings().params_dir
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def envs(system: str, params_dir: Path | None = None) -> list[str]:
    root = (params_dir or settings().params_dir) / system
    return sorted(p.stem for p in root.glob("*.yaml") if not p.name.startswith("_"))


def all_targets(params_dir: Path | None = None) -> list[Target]:
    root = params_dir or settings().params_dir
    return [Target(s, e, root) for s in systems(root) for e in envs(s, root)]


def resolve_target(system: str | None, env: str | None, params_dir: Path | None = None) -> Target:
    """The target named on the command line (defaults from pyproject.toml), which must exist."""
    cfg = settings()
    root = params_dir or cfg.params_dir
    target = Target(system or cfg.default_system, env or cfg.default_env, root)
    if not target.system_dir.is_dir():
        known = ", ".join(systems(root)) or "none"
        raise UsageError(f"unknown system {target.system!r}: no folder {_rel(target.system_dir)} (systems: {known})")
    if not target.env_file.is_file():
        known = ", ".join(envs(target.system, root)) or "none"
        raise UsageError(
            f"unknown env {target.env!r} for system {target.system!r}: no file {_rel(target.env_file)} (envs: {known})"
        )
    return target


def load(target: Target) -> Loaded:
    if not target.base_file.is_file():
        raise ConfigError([Problem(_rel(target.env_file), "", f"has no base: expected {_rel(target.base_file)} beside it")])
    base = read_mapping(target.base_file)
    overlay = read_mapping(target.env_file)
    merged = deep_merge(base, overlay)

    def origin(path: tuple[Any, ...]) -> str:
        return _origin(target, overlay, path)

    try:
        config = System.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError([_problem_from_pydantic(err, origin) for err in exc.errors()]) from None
    findings = list(config.check())
    if findings:
        raise ConfigError([_problem_from_finding(f, origin) for f in findings])
    return Loaded(target, config, overlay)


# -- YAML --------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML keeps the last one silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    mapping: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_mapping(path: Path) -> dict:
    """A params file as a dict; an empty file is an empty mapping."""
    rel = _rel(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError([Problem(rel, "", "is not UTF-8 text: expected a YAML mapping")]) from None
    except OSError as exc:
        raise ConfigError([Problem(rel, "", f"cannot be read ({exc.strerror})")]) from None
    if "\x00" in text:
        raise ConfigError([Problem(rel, "", "is not text (contains NUL bytes): expected a YAML mapping")])
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise ConfigError([Problem(rel, "", f"is not valid YAML: {what}", line=line)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(rel, "", f"is not valid YAML: {exc}")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            [Problem(rel, "", f"expected a mapping of keys to values at the top, got a {_yaml_type(data)}")]
        )
    return data


def _origin(target: Target, overlay: dict, path: tuple[Any, ...]) -> str:
    """The file a value at `path` came from: the env file when it sets it, else the base."""
    return _rel(target.env_file if _has_path(overlay, path) else target.base_file)


def _has_path(data: Any, path: tuple[Any, ...]) -> bool:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return False
    return True


# -- messages -----------------------------------------------------------------------------------


def _problem_from_finding(f: Finding, origin) -> Problem:
    return Problem(origin(f.path), dotted(f.path), f.message, f.value, f.has_value)


def _problem_from_pydantic(err: dict, origin) -> Problem:
    # Drop pydantic's internal loc parts (union branch names like 'function-after[...]').
    loc = tuple(p for p in err["loc"] if isinstance(p, int) or not ("[" in p or p.startswith("function-")))
    kind = err["type"]
    value = err.get("input")
    has_value = True
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        message = f"unknown key {loc[-1]!r}" + (f"; expected one of: {', '.join(allowed)}" if allowed else "")
        has_value = False
    elif kind == "missing":
        message = "required field is missing"
        has_value = False
    else:
        message = _expected(err)
    return Problem(origin(loc), dotted(loc), message, value, has_value)


def _expected(err: dict) -> str:
    kind, msg, ctx = err["type"], err["msg"], err.get("ctx") or {}
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        from .base import NAME_HELP, PATTERN_HELP

        pattern = ctx.get("pattern", "")
        if pattern.startswith("^[a-z][a-z0-9-]"):
            return f"expected {NAME_HELP}"
        return f"expected {PATTERN_HELP.get(pattern, f'text matching {pattern}')}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bounds = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}
        limit = next(iter(ctx.values()), "")
        return f"expected a number {bounds[kind]} {limit}"
    if kind == "value_error":
        return "expected " + msg.removeprefix("Value error, ").removeprefix("expected ")
    if kind.endswith("_type"):
        return "expected " + _TYPE_NAMES.get(kind, kind.removesuffix("_type").replace("_", " "))
    return msg[0].lower() + msg[1:]


_TYPE_NAMES = {
    "int_type": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "dict_type": "a mapping (key: value)",
    "list_type": "a list",
    "float_type": "a number",
    "model_type": "a mapping (key: value)",
}


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model at `loc` accepts, for 'did you mean' style messages."""
    model: Any = System
    for part in loc:
        if isinstance(part, int) or model is None:
            model = _item_model(model) if model is not None else None
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            model = _item_model(model)
            continue
        model = _model_of(field.annotation)
    return sorted(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _model_of(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return (annotation, found) if typing.get_origin(annotation) in (dict, list) else found
    return None


def _item_model(model: Any) -> Any:
    if isinstance(model, tuple):
        return model[1]
    return model


def _yaml_type(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), type(value).__name__)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(settings().params_dir.parent))
    except ValueError:
        return str(path)
