"""The code-quality gate's own checks: what type checkers see matches what runs."""

from __future__ import annotations

import re

from templates_src.config import data

from .helpers import PROJECT_ROOT


def test_the_store_union_mypy_sees_lists_every_store_kind():
    """config/data.py spells AnyStore out for type checkers (a Union built at run time is opaque to
    them); a store kind added to STORE_KINDS must be added there too."""
    source = (PROJECT_ROOT / "templates_src" / "config" / "data.py").read_text()
    spelled = re.search(r"if TYPE_CHECKING:.*\n    AnyStore = (.*)\n", source)
    assert spelled, "the TYPE_CHECKING spelling of AnyStore is gone"
    assert [n.strip() for n in spelled.group(1).split("|")] == [k.__name__ for k in data.STORE_KINDS]


def test_make_test_runs_the_gate_first():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    test_rule = re.search(r"^test: (.*)$", makefile, re.M)
    assert test_rule and "check" in test_rule.group(1).split()
    check = makefile[makefile.index("\ncheck:") :].split("\n\n")[0]
    for command in ("ruff check", "ruff format --check", "mypy"):
        assert command in check
