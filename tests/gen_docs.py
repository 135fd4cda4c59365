#!/usr/bin/env python3
"""`make docs`: regenerate docs/params.md and docs/params.schema.json from the models in
templates_src/config/, with examples from the project's example systems. tests/test_docs.py fails when
either file differs from what this writes."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from templates_src import reference  # noqa: E402
from templates_src.config.load import load  # noqa: E402
from templates_src.config.system import System  # noqa: E402
from tests.helpers import example_targets  # noqa: E402

DOCS = ROOT / "docs"
FILES = {"params.md": "markdown", "params.schema.json": "schema"}


def example_configs() -> Iterator[System]:
    """Where the reference's examples come from, first found wins: the example systems, then the README's
    params blocks that are whole params files, then docs/examples.yaml (fields nothing else shows)."""
    for target in example_targets():
        yield load(target).config
    for block in re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S):
        try:
            yield System.model_validate(yaml.safe_load(block))
        except (ValidationError, yaml.YAMLError, TypeError):
            continue  # a fragment, not a params file
    yield System.model_validate(yaml.safe_load((DOCS / "examples.yaml").read_text()))


def generated() -> dict[Path, str]:
    """Each docs file and the text it should hold."""
    examples = reference.examples_from(example_configs())
    return {DOCS / "params.md": reference.markdown(examples), DOCS / "params.schema.json": reference.schema_text()}


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    for path, text in generated().items():
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
        else:
            print(f"{path.relative_to(ROOT)} is up to date")


if __name__ == "__main__":
    main()
