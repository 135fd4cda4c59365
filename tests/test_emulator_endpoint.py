"""`python -m templates_src.emulator` (what `make emulator` runs) as a user runs it.

What this proves: it listens on 127.0.0.1 only, prints the endpoint and the commands to use, the README's
local-endpoint example works as written against it from a second process (only the port differs: the
test takes a free one), Ctrl-C stops it with exit 0; without moto it says how to install it (no
traceback); nothing the compiler, deploy or CLI imports pulls the emulator in.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time

import pytest

from templates_src.emulator import free_port

from .helpers import PROJECT_ROOT, ctrl_c_reaches_it

pytestmark = pytest.mark.emulator


def readme_example() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text()
    section = text[text.index("## Local endpoint") :]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block, "the Local endpoint section has no sh example"
    return [line for line in block.group(1).splitlines() if line.strip()]


def start(port: int) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "templates_src.emulator", "--port", str(port)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=ctrl_c_reaches_it,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("Stop:"):
            return proc, lines
    proc.kill()
    raise AssertionError("the endpoint did not start:\n" + "\n".join(lines))


def test_foreground_endpoint_runs_the_readme_example(tmp_path):
    port = free_port()
    proc, banner = start(port)
    try:
        url = f"http://127.0.0.1:{port}"
        assert banner[0].startswith(f"local endpoint: {url}")
        example = readme_example()
        # The README shows port 5000 (the default); the banner prints the same lines for the real port.
        for line in example:
            assert f"  {line.replace('5000', str(port))}" in banner, (line, banner)
        # 127.0.0.1 only: nothing listens on the other addresses of this host for that port.
        out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True)
        if out.returncode == 0:
            assert all("127.0.0.1:" in row for row in out.stdout.splitlines() if row.strip()), out.stdout

        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        for line in example:
            words = shlex.split(line.replace("5000", str(port)))
            if words[0] == "export":
                env.update(dict(word.split("=", 1) for word in words[1:]))
                continue
            assert words[0] == ".venv/bin/python", line
            result = subprocess.run(
                [sys.executable, *words[1:]], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
            )
            assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
            assert "Traceback" not in result.stderr
            if " destroy " in line:
                assert "DELETE_COMPLETE" in result.stdout
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "local endpoint stopped" in rest


def test_without_moto_a_clear_message_and_exit_2():
    code = (
        "import sys; sys.modules['moto'] = None; sys.modules['moto.server'] = None\n"
        "from templates_src.emulator.__main__ import main\n"
        f"sys.exit(main(['--port', '{free_port()}']))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "needs moto" in result.stderr and "stackc[emulator]" in result.stderr


def test_a_taken_port_is_a_clear_message():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "templates_src.emulator", "--port", str(port)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_compiler_deploy_and_cli_do_not_import_the_emulator():
    code = (
        "import sys, cli, templates_src.compiler, templates_src.deploy.flow, templates_src.lint\n"
        "bad = sorted(m for m in sys.modules if m.startswith('templates_src.emulator') or m == 'moto')\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
