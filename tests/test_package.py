"""The installed tool: `pip install <repo>` into a fresh virtualenv outside the repository gives a
`stackc` command that starts a project in an empty folder, builds and lints it.

Slow (a virtualenv and the dependencies from pip's cache or PyPI: about a minute), so it is marked
`package`; `make test` runs it. The copy of the repository holds only what git tracks, as a clean clone."""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest

from .helpers import PROJECT_ROOT

pytestmark = pytest.mark.package


def _clean_copy(dest: Path) -> Path:
    """The repository's tracked files (and not-yet-committed new ones), nothing built or installed."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src = PROJECT_ROOT / name.decode()
        if src.is_file():
            (dest / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            (dest / name.decode()).write_bytes(src.read_bytes())
    return dest


def test_pip_install_gives_a_stackc_command(tmp_path):
    repo = _clean_copy(tmp_path / "repo")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python, stackc = env_dir / "bin" / "python", env_dir / "bin" / "stackc"
    install = subprocess.run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", str(repo)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    work = tmp_path / "empty"
    work.mkdir()
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}

    def stackc_ok(*args: str) -> str:
        done = subprocess.run([stackc, *args], cwd=work, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"stackc {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    from templates_src import __version__

    assert stackc_ok("--version") == f"stackc {__version__}\n"
    stackc_ok("init", "myapp")
    assert "built myapp/dev" in stackc_ok("build")
    assert "0 finding(s)" in stackc_ok("lint")
    # the installed code, not the checkout: nothing of the repository is on the path
    where = subprocess.run(
        [python, "-c", "import templates_src; print(templates_src.__file__)"], cwd=work, env=env, capture_output=True
    )
    assert str(env_dir) in where.stdout.decode()
    # runtime dependencies only: the emulator (moto) is an extra
    missing = subprocess.run([python, "-c", "import moto"], cwd=work, env=env, capture_output=True)
    assert missing.returncode != 0
    dash_m = subprocess.run([python, "-m", "templates_src", "--version"], cwd=work, env=env, capture_output=True)
    assert dash_m.returncode == 0 and dash_m.stdout.startswith(b"stackc ")
