"""Run the CLI at a real terminal: a subprocess whose stdin, stdout and stderr are a pseudo-terminal.

`deploy`, `destroy` and `failover promote` ask only when stdin is a terminal (else they need --yes), so
a test that answers the question does it here, as a person would; Ctrl-C is a real SIGINT.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from dataclasses import dataclass

from .helpers import PROJECT_ROOT, ctrl_c_reaches_it


class Terminal:
    """`python cli.py ARGS` with a pseudo-terminal as stdin, stdout and stderr."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "cli.py"), *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=PROJECT_ROOT,
            close_fds=True,
            preexec_fn=ctrl_c_reaches_it,
        )
        os.close(slave)
        self.text = ""

    def read_until(self, marker: str, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while marker not in self.text:
            if time.monotonic() > deadline or (self.proc.poll() is not None and not self._ready(0)):
                raise AssertionError(f"{marker!r} never came; got:\n{self.text}")
            if self._ready(0.2):
                self._read()
        return self.text

    def _ready(self, wait: float) -> bool:
        return bool(select.select([self.master], [], [], wait)[0])

    def _read(self) -> bool:
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the child closed the terminal
            return False
        self.text += chunk.decode(errors="replace")
        return bool(chunk)

    def write(self, text: str) -> None:
        os.write(self.master, text.encode())

    def wait(self, timeout: float = 300) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if self._ready(0.2):
                self._read()
        code = self.proc.wait(timeout=max(deadline - time.monotonic(), 1))
        while self._ready(0.1) and self._read():
            pass
        os.close(self.master)
        return code


def terminal_env(aws_env) -> dict[str, str]:
    """This process's environment (dummy credentials, STACKC_PARAMS_DIR/STACKC_BUILD_DIR as the
    fixtures set them) with the endpoint, for the CLI in the subprocess."""
    env = dict(os.environ)
    env.update({"STACKC_ENDPOINT_URL": aws_env.url, "TERM": "dumb", "COLUMNS": "200", "NO_COLOR": "1"})
    return env


@dataclass
class Answered:
    """What CliRunner's Result gives the tests: the text (stdout and stderr interleaved) and the code."""

    output: str
    exit_code: int

    @property
    def stdout(self) -> str:
        return self.output


def answer(aws_env, args: list[str], reply: str) -> Answered:
    """Run the command at a terminal, wait for its question, type `reply`, return what it did."""
    term = Terminal(args, terminal_env(aws_env))
    term.read_until("[y/N]")
    term.write(reply)
    code = term.wait()
    return Answered(term.text.replace("\r\n", "\n"), code)
