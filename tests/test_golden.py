"""Golden snapshots: every params file in the repo builds to exactly what tests/golden/ holds.

A diff here is a change to what users deploy: review it like code, then `make snapshots`."""

from __future__ import annotations

from pathlib import Path

import pytest

from templates_src import compiler

from .helpers import EXAMPLE_SYSTEMS, example_targets

GOLDEN = Path(__file__).parent / "golden"
TARGETS = example_targets()


@pytest.mark.parametrize("target", TARGETS, ids=[f"{t.system}/{t.env}" for t in TARGETS])
def test_matches_snapshot(target, request):
    compiled = compiler.compile_target(target)
    folder = GOLDEN / target.system / target.env
    expected_files = {n: text for n, text in compiled.files.items() if n.endswith(".json")}
    if request.config.getoption("--update-golden"):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.rglob("*.json"):  # multi-region: <region>/ and global/ sub-folders
            old.unlink()
        for name, text in expected_files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        return
    assert folder.is_dir(), f"no snapshot for {target.system}/{target.env}: run `make snapshots` and review it"
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*.json")}
    assert on_disk == set(expected_files), "the set of templates changed; run `make snapshots` and review"
    for name, text in expected_files.items():
        assert (folder / name).read_text() == text, f"{target.system}/{target.env}/{name} differs from its snapshot"


def test_every_snapshot_is_an_example_system():
    """A snapshot folder without its example system (renamed or dropped) is stale; the golden tests
    cover exactly EXAMPLE_SYSTEMS (tests/helpers.py), so a user's system never needs a snapshot."""
    assert sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()) == sorted(EXAMPLE_SYSTEMS)
