"""The Makefile's set-up: a plain message for a Python older than 3.11, and .venv rebuilt when the
interpreter changes (checked with `make -n`: what make would run, without running it)."""

from __future__ import annotations

import subprocess

from .helpers import PROJECT_ROOT


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=PROJECT_ROOT, capture_output=True, text=True)


def test_old_python_gets_a_plain_message(tmp_path):
    fake = tmp_path / "python3.10"
    fake.write_text('#!/bin/sh\n[ "$1" = --version ] && { echo "Python 3.10.12"; exit 0; }\nexit 1\n')
    fake.chmod(0o755)
    result = make("-s", "python", f"PYTHON={fake}")
    assert result.returncode != 0
    assert f"stackc needs Python 3.11 or newer; '{fake}' is Python 3.10.12." in result.stdout
    assert "PYTHON=python3.11" in result.stdout


def test_a_missing_python_gets_a_plain_message():
    result = make("-s", "python", "PYTHON=/nonexistent/python3")
    assert result.returncode != 0
    assert "'/nonexistent/python3' is not found." in result.stdout


def test_another_interpreter_rebuilds_the_venv(tmp_path):
    fake = tmp_path / "python3"  # answers like a different Python 3.12 installation
    fake.write_text('#!/bin/sh\ncase "$2" in *base_prefix*) echo "/opt/other 3 12 1";; *) exit 0;; esac\n')
    fake.chmod(0o755)
    plan = make("-n", "build", f"PYTHON={fake}").stdout
    assert "rm -rf .venv" in plan and f"{fake} -m venv .venv" in plan
    same = make("-n", "build").stdout  # the interpreter .venv came from: nothing rebuilt
    assert "rm -rf .venv" not in same
