"""The local endpoint: moto's server on 127.0.0.1 with the patches and providers of this package.

boto3 talks to it over real HTTP, exactly as the CLI talks to AWS (`--endpoint-url`). The tests and
`make emulator` start it through `Emulator` below, so both run the same code. It binds to 127.0.0.1
only: moto's server would listen on every interface without `ip_address`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

HOST = "127.0.0.1"
DEFAULT_PORT = 5000

# Dummy credentials: the endpoint accepts any, and real ones must never be needed or sent.
DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
# Keep a developer's real profile/config away from the endpoint's clients.
UNSET_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


class EmulatorUnavailable(RuntimeError):
    """moto (the `test` extra) is not installed; the message says how to install it."""


def free_port() -> int:
    """A port nothing listens on right now (bound then released; good enough for a test run)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def install() -> None:
    """Apply the moto patches and register the providers (idempotent). Needs moto."""
    try:
        import moto.server  # noqa: F401
    except ImportError as exc:
        raise EmulatorUnavailable(
            "the local endpoint needs moto (the `emulator` extra): run `make emulator` from a checkout (it "
            "installs it into .venv) or `pip install 'stackc[emulator]'`, then try again"
        ) from exc
    from . import drift, patches, providers

    patches.apply()
    providers.register()
    drift.apply()


class Emulator:
    """moto's server on 127.0.0.1:<port> in this process, patched; `reset()` empties every backend."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port if port is not None else free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._server: Any = None

    def start(self) -> Emulator:
        install()
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log line per call
        # moto's server thread swallows a bind error, so a taken port is found out here, as an OSError.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((HOST, self.port))
        self._server = ThreadedMotoServer(ip_address=HOST, port=self.port, verbose=False)
        self._server.start()
        self._wait_until_listening()
        return self

    def _wait_until_listening(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def reset(self) -> None:
        """Forget every resource (moto's reset endpoint; patches.py makes it empty the placeholders too)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


@contextlib.contextmanager
def dummy_credentials() -> Iterator[None]:
    """Dummy credentials and no developer profile in os.environ, restored afterwards."""
    saved = {k: os.environ.get(k) for k in (*DUMMY_ENV, *UNSET_ENV)}
    os.environ.update(DUMMY_ENV)
    for k in UNSET_ENV:
        os.environ.pop(k, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
