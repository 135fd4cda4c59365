from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from .emulator import aws_env, emulator  # noqa: F401  (the local endpoint's fixtures, for every test module)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current build")


@pytest.fixture(autouse=True)
def _isolated_build_dir(tmp_path, monkeypatch):
    """Every test builds into its own folder; the repo's build/ is never touched by tests."""
    monkeypatch.setenv("STACKC_BUILD_DIR", str(tmp_path / "build"))


@pytest.fixture
def params(tmp_path, monkeypatch):
    """A private copy of params/ that the CLI reads (so a test may change a value of a system)."""
    from .helpers import PARAMS_DIR

    root = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, root)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(root))
    return root
