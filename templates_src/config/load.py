"""Read params/<system>/_base.yaml overlaid by <env>.yaml into a validated `System`.

Every problem becomes a `Problem` naming the file, the field path, the value and what was expected;
all of them are reported at once as a `ConfigError` (exit code 2)."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, Problem
from ..targets import BASE_FILE, Target, all_targets, envs, resolve_target, systems
from ..targets import rel as _rel
from .base import Finding, deep_merge, dotted
from .system import System

__all__ = [
    "BASE_FILE",
    "Loaded",
    "Target",
    "all_targets",
    "envs",
    "load",
    "read_mapping",
    "resolve_target",
    "systems",
]


def is_prod_name(env: str) -> bool:
    """An env whose params do not say `prod:` is prod when its name says so."""
    return env in ("prod", "production") or env.startswith(("prod-", "production-"))


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
        file = self.target.env_file if _has_path(self.overlay, path) else self.target.base_file
        line = _Where.line_in(file, path)
        return ConfigError([Problem(_rel(file), dotted(path), message, value, True, line)])

    def problem_at(self, path: tuple[Any, ...], message: str, value: Any) -> Problem:
        """One such problem, to report with others."""
        (problem,) = self.problem(path, message, value).problems
        return problem


def load(target: Target) -> Loaded:
    if not target.base_file.is_file():
        raise ConfigError(
            [Problem(_rel(target.env_file), "", f"has no base: expected {_rel(target.base_file)} beside it")]
        )
    base = read_mapping(target.base_file)
    overlay = read_mapping(target.env_file)
    merged = deep_merge(base, overlay)
    if isinstance(merged, dict) and "prod" not in merged and is_prod_name(target.env):
        merged["prod"] = True
    where = _Where(target, base, overlay)
    try:
        config = System.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError([_problem_from_pydantic(err, where, merged) for err in exc.errors()]) from None
    findings = list(config.check())
    if findings:
        raise ConfigError([_problem_from_finding(f, where) for f in findings])
    return Loaded(target, config, overlay)


# -- YAML --------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML keeps the last one silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    mapping: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"found a {_yaml_type(key)} as a key", key_node.start_mark
            )
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


def _construct_checked(construct):
    """A scalar constructor whose ValueError (a 5000-digit number, the date 2001-13-45) becomes a
    YAML error at the value, like any other."""

    def checked(loader: _StrictLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {str(node.value)[:40]!r} ({str(exc).split(';')[0]})", node.start_mark
            ) from None

    return checked


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
for _tag, _construct in list(yaml.SafeLoader.yaml_constructors.items()):
    if _tag is not None and _tag != yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG:
        _StrictLoader.add_constructor(_tag, _construct_checked(_construct))


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
        data = yaml.load(text, Loader=_StrictLoader)
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
    unencodable = _unencodable_text(data)
    if unencodable:
        raise ConfigError(
            [
                Problem(
                    rel,
                    dotted(path),
                    "is not Unicode text: a lone surrogate escape (\\ud800-\\udfff) in a string; expected text",
                    value,
                    True,
                )
                for path, value in unencodable
            ]
        )
    return data


def _unencodable_text(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, string) of every key or value that UTF-8 cannot encode: a "\\udc80" escape in YAML
    reads as a lone surrogate, which no template can hold."""

    def bad(value: Any) -> bool:
        return isinstance(value, str) and not value.isascii() and _has_surrogate(value)

    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            if bad(key):
                out.append((path, key))
            out.extend(_unencodable_text(value, path + (key,)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.extend(_unencodable_text(value, path + (i,)))
    elif bad(data):
        out.append((path, data))
    return out


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _origin(target: Target, overlay: dict, path: tuple[Any, ...]) -> str:
    """The file a value at `path` came from: the env file when it sets it, else the base."""
    return _rel(target.env_file if _has_path(overlay, path) else target.base_file)


class _Where:
    """Which file, and which line of it, a problem at a field path belongs to: the file that sets the
    value, or else the file that introduced the item holding it (a service named only in dev.yaml is
    dev.yaml's, even when the missing field is one _base.yaml would have had). Lines are read only when
    there is a problem to report."""

    def __init__(self, target: Target, base: dict, overlay: dict):
        self.target, self.base, self.overlay = target, base, overlay
        self._lines: dict[Path, dict[tuple[str, ...], int]] = {}

    def __call__(self, path: tuple[Any, ...]) -> tuple[str, int | None]:
        in_env, in_base = _depth(self.overlay, path), _depth(self.base, path)
        file = self.target.env_file if in_env == len(path) or in_env > in_base else self.target.base_file
        depth = in_env if file == self.target.env_file else in_base
        return _rel(file), self.line(file, path[:depth])

    def line(self, file: Path, path: tuple[Any, ...]) -> int | None:
        if file not in self._lines:
            self._lines[file] = _key_lines(file)
        return self._deepest(self._lines[file], path)

    @staticmethod
    def line_in(file: Path, path: tuple[Any, ...]) -> int | None:
        return _Where._deepest(_key_lines(file), path)

    @staticmethod
    def _deepest(lines: dict[tuple[str, ...], int], path: tuple[Any, ...]) -> int | None:
        for end in range(len(path), 0, -1):  # the deepest key of the path the file has
            found = lines.get(tuple(str(p) for p in path[:end]))
            if found is not None:
                return found
        return None

    def base_names(self, path: tuple[Any, ...]) -> list[str]:
        """The names the base file has beside the last part of `path` (for 'did you mean')."""
        data: Any = self.base
        for part in path[:-1]:
            data = data.get(part) if isinstance(data, dict) else None
        return [str(k) for k in data] if isinstance(data, dict) else []


def _depth(data: Any, path: tuple[Any, ...]) -> int:
    """How many leading parts of `path` exist in `data`."""
    for depth, part in enumerate(path):
        in_mapping = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_mapping or in_list):
            return depth
        data = data[part]
    return len(path)


def _key_lines(file: Path) -> dict[tuple[str, ...], int]:
    """Path (each part as text) -> 1-based line of its key (list items: of the item), from the YAML nodes."""
    out: dict[tuple[str, ...], int] = {}
    try:
        root = yaml.compose(file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return out

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*path, str(key.value))
                out.setdefault(here, key.start_mark.line + 1)
                walk(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                here = (*path, str(i))
                out.setdefault(here, item.start_mark.line + 1)
                walk(item, here)

    if root is not None:
        walk(root, ())
    return out


def _has_path(data: Any, path: tuple[Any, ...]) -> bool:
    return _depth(data, path) == len(path)


# -- messages -----------------------------------------------------------------------------------


def _problem_from_finding(f: Finding, where: _Where) -> Problem:
    file, line = where(f.path)
    return Problem(file, dotted(f.path), _with_suggestion(f.message, f.value), f.value, f.has_value, line)


def _with_suggestion(message: str, value: Any) -> str:
    """'...; did you mean 'web'?' when `value` is close to one of the names the message lists
    ("expected one of: a, b", "expected a secret under secrets: (a, b)")."""
    if not isinstance(value, str) or "did you mean" in message:
        return message
    listed = re.findall(r"[(:]\s*([^():]*,[^():]*|[^():,\s]+)\)?\s*$", message)
    names = [n.strip(" '\"") for n in listed[-1].split(",")] if listed else []
    close = difflib.get_close_matches(value, [n for n in names if n and n != value], n=1)
    return f"{message}; did you mean {close[0]!r}?" if close else message


def user_path(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """A pydantic error location as (path in `data`, path to show): without pydantic's own parts
    (union branch names like 'function-after[...]' or '[aurora-postgres]', '[key]'), which a key of
    the same spelling in the params file keeps. Shown, a mapping key that is not text reads as YAML
    writes it (`tags.1`, not the list index `tags[1]`)."""
    path: list[Any] = []
    shown: list[Any] = []
    missing = object()
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
            shown.append(part if isinstance(part, str) else _yaml_key(part))
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            shown.append(part)
        elif isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue  # pydantic's, not the file's
        else:
            data = missing
            shown.append(part)
        path.append(part)
    return tuple(path), tuple(shown)


def _yaml_key(key: Any) -> str:
    if key is None:
        return "null"
    return str(key).lower() if isinstance(key, bool) else str(key)


def _problem_from_pydantic(err: Mapping[str, Any], where: _Where, data: Any = None) -> Problem:
    loc, shown = user_path(tuple(err["loc"]), data)
    kind = err["type"]
    value = err.get("input")
    has_value = True
    if kind == "extra_forbidden":
        allowed = _allowed_keys(tuple(err["loc"])[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        listed = f"expected one of: {', '.join(allowed)}" if allowed else ""
        if close:
            message = f"unknown key {loc[-1]!r}; did you mean {close[0]!r}? ({listed})"
        else:
            message = f"unknown key {loc[-1]!r}" + (f"; {listed}" if listed else "")
        has_value = False
    elif kind == "missing":
        message = "required field is missing" + _new_item_hint(loc, where)
        has_value = False
    elif kind == "literal_error" and isinstance(value, str):
        choices = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        close = difflib.get_close_matches(value, choices, n=1)
        message = _expected(err) + (f"; did you mean {close[0]!r}?" if close else "")
    else:
        message = _with_suggestion(_expected(err), value)
    file, line = where(loc)
    return Problem(file, dotted(shown), message, value, has_value, line)


def _new_item_hint(loc: tuple[Any, ...], where: _Where) -> str:
    """For a required field missing from an item only the env file names (`services.wbe` in dev.yaml
    beside `services.web` in _base.yaml): the env file starts a new item; say which one it may mean."""
    for end in range(len(loc) - 1, 0, -1):
        item = loc[:end]
        if _depth(where.overlay, item) == len(item) and _depth(where.base, item) == len(item) - 1:
            names = where.base_names(item)
            close = difflib.get_close_matches(str(item[-1]), names, n=1)
            if close:
                return (
                    f" ({item[-1]!r} is new in {_rel(where.target.env_file)}: did you mean {close[0]!r} "
                    f"from {_rel(where.target.base_file)}?)"
                )
            return f" ({item[-1]!r} is new in {_rel(where.target.env_file)}, not in {_rel(where.target.base_file)})"
    return ""


def _expected(err: Mapping[str, Any]) -> str:
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
    if kind in ("too_long", "too_short"):
        if kind == "too_long":
            return f"expected at most {ctx.get('max_length')} item{'s' if ctx.get('max_length') != 1 else ''}"
        return f"expected at least {ctx.get('min_length')} item{'s' if ctx.get('min_length') != 1 else ''}"
    if kind == "finite_number":
        return "expected a finite number (not .inf or .nan)"
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
    """The keys the model at `loc` (a pydantic location, union branch tags included) accepts, for
    'did you mean' style messages; [] when that is not one model."""
    annotation: Any = System
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    model = _unwrap(annotation)
    return sorted(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _unwrap(annotation: Any) -> Any:
    """Without `Annotated[...]` and `| None`."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _step(annotation: Any, part: Any) -> Any:
    """The annotation one location part below `annotation`, or None."""
    if isinstance(annotation, str) or annotation is None:
        return None
    inner = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if isinstance(part, str) and part.startswith("[") and part.endswith("]"):  # a tagged union branch
        if origin in (typing.Union, types.UnionType):
            for arg in typing.get_args(inner):
                if any(getattr(m, "tag", None) == part for m in getattr(arg, "__metadata__", ())):
                    return arg
        return annotation
    if isinstance(part, str) and part.startswith("function-"):
        return annotation
    if origin is dict:
        return typing.get_args(inner)[1]
    if origin is list:
        return typing.get_args(inner)[0]
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        field = inner.model_fields.get(part) if isinstance(part, str) else None
        return field.annotation if field is not None else None
    return None


def _yaml_type(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )
