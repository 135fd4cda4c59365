"""pytest fixtures for the local endpoint. The endpoint itself is templates_src/emulator/ (the same
code `make emulator` runs); this file only starts it per test module and isolates the environment.

tests/conftest.py makes `emulator` and `aws_env` available to every test module. The server is
module-scoped: with `--dist loadfile` each test file runs in one worker, on its own free port.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from templates_src.emulator import DUMMY_ENV, UNSET_ENV, Emulator, dummy_credentials, free_port

__all__ = ["DUMMY_ENV", "UNSET_ENV", "Emulator", "aws_env", "dummy_credentials", "emulator", "free_port"]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emu = Emulator().start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def aws_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """A fresh emulator state, dummy credentials, no developer profile."""
    emulator.reset()
    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)
    for key in UNSET_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.delenv("STACKC_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return emulator
