"""Check that a recorded AWS response has the shape botocore says the API returns.

Fixtures for the review and the failure report are realistic responses written by hand (moto does
not produce Replacement, Details or nested change sets). This validator walks botocore's own output
shape for the operation and rejects unknown keys, wrong types and values outside an enum, so a
fixture cannot drift from the real API. Timestamps may be ISO strings in JSON; they come back as
timezone-aware datetimes, as boto3 returns them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class ShapeError(AssertionError):
    pass


@functools.cache
def output_shape(service: str, operation: str):
    import botocore.session

    return botocore.session.get_session().get_service_model(service).operation_model(operation).output_shape


def validate(operation: str, response: Any, service: str = "cloudformation") -> Any:
    """The response with timestamps parsed; raises ShapeError naming the path of the first problem."""
    return _walk(output_shape(service, operation), response, operation)


def _walk(shape: Any, value: Any, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise ShapeError(f"{path}: expected an object ({shape.name}), got {type(value).__name__}")
        unknown = sorted(set(value) - set(shape.members) - {"ResponseMetadata"})
        if unknown:
            raise ShapeError(f"{path}: unknown key(s) {unknown} for {shape.name}; known: {sorted(shape.members)}")
        missing = [m for m in getattr(shape, "required_members", []) if m not in value]
        if missing:
            raise ShapeError(f"{path}: missing required {missing}")
        return {
            k: (v if k == "ResponseMetadata" else _walk(shape.members[k], v, f"{path}.{k}")) for k, v in value.items()
        }
    if kind == "list":
        if not isinstance(value, list):
            raise ShapeError(f"{path}: expected a list ({shape.name}), got {type(value).__name__}")
        return [_walk(shape.member, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise ShapeError(f"{path}: expected a map")
        return {_walk(shape.key, k, path): _walk(shape.value, v, f"{path}[{k}]") for k, v in value.items()}
    if kind == "string":
        if not isinstance(value, str):
            raise ShapeError(f"{path}: expected a string, got {value!r}")
        if shape.enum and value not in shape.enum:
            raise ShapeError(f"{path}: {value!r} is not one of {shape.enum}")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ShapeError(f"{path}: expected a boolean, got {value!r}")
        return value
    if kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ShapeError(f"{path}: expected an integer, got {value!r}")
        return value
    if kind in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ShapeError(f"{path}: expected a number, got {value!r}")
        return value
    if kind == "timestamp":
        if isinstance(value, dt.datetime):
            return value
        if not isinstance(value, str):
            raise ShapeError(f"{path}: expected a timestamp, got {value!r}")
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ShapeError(f"{path}: {value!r} is not an ISO timestamp") from None
        if parsed.tzinfo is None:
            raise ShapeError(f"{path}: {value!r} has no time zone (AWS timestamps are UTC)")
        return parsed
    raise ShapeError(f"{path}: shape type {kind} not handled")


def load_fixture(kind: str, name: str) -> dict[str, Any]:
    """A fixture file: {"<Operation>": response or [responses] or {key: response}, "expect": {...}}.
    Every response is validated against its operation's output shape."""
    data = json.loads((FIXTURES / kind / name).read_text())
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key[:1].isupper():  # an operation name
            if isinstance(value, list):
                out[key] = [validate(key, v) for v in value]
            elif isinstance(value, dict) and value and all(k.startswith("arn:") for k in value):
                out[key] = {k: validate(key, v) for k, v in value.items()}
            else:
                out[key] = validate(key, value)
        else:
            out[key] = value
    return out
