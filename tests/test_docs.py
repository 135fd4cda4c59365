"""docs/params.md and docs/params.schema.json are what the models say: regenerate with `make docs`."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

import cli
from templates_src.config.system import System
from templates_src.reference import schema

from . import gen_docs


@pytest.mark.parametrize("path, text", list(gen_docs.generated().items()), ids=lambda v: getattr(v, "name", ""))
def test_docs_are_up_to_date(path, text):
    assert path.is_file(), f"{path.name} is missing: run `make docs`"
    assert path.read_text() == text, f"{path.name} is out of date with the models: run `make docs` and commit it"


def test_every_field_of_every_model_is_in_the_reference():
    text = (gen_docs.DOCS / "params.md").read_text()
    seen: set[type] = set()

    def fields(model: type) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            assert f"| `{name}` |" in text, f"{model.__name__}.{name} is not in docs/params.md"
            for sub in _models(field.annotation):
                fields(sub)

    fields(System)
    assert len(seen) > 20


def _models(annotation):
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def test_schema_command_prints_the_committed_schema():
    result = CliRunner().invoke(cli.cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == json.loads((gen_docs.DOCS / "params.schema.json").read_text())


def test_the_schema_accepts_every_example_params_file_and_rejects_unknown_keys():
    import jsonschema  # cfn-lint depends on it

    validator = jsonschema.Draft202012Validator(schema())
    from .helpers import EXAMPLE_SYSTEMS, PARAMS_DIR

    files = sorted(p for s in EXAMPLE_SYSTEMS for p in (PARAMS_DIR / s).glob("*.yaml"))
    assert files
    for path in files:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text()) or {}))
        assert errors == [], f"{path}: {errors[0].message}"
    assert list(validator.iter_errors({"netwrok": {}}))
    assert list(validator.iter_errors({"network": {"nat": "sometimes"}}))
