"""Your repo, not ours: the project file (stackc.toml / [tool.stackc]) found from the working directory
up, `stackc init`, and the command line's own options (--version, -h, completion, --verbose/--debug,
usage errors, NO_COLOR)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import cli
from templates_src.cli.common import reports_errors
from templates_src.settings import settings

from .helpers import PROJECT_ROOT


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty folder as the working directory, with none of the test suite's folder overrides."""
    for var in ("STACKC_PARAMS_DIR", "STACKC_BUILD_DIR", "STACKC_DEFAULT_SYSTEM", "STACKC_DEFAULT_ENV"):
        monkeypatch.delenv(var, raising=False)
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def run(*args, **kwargs):
    return CliRunner().invoke(cli.cli, list(args), **kwargs)


def test_init_in_an_empty_folder_then_build_and_lint_pass(project):
    result = run("init", "myapp")
    assert result.exit_code == 0, result.output
    assert (project / "stackc.toml").is_file()
    for name in ("_base.yaml", "dev.yaml", "prod.yaml"):
        text = (project / "params" / "myapp" / name).read_text()
        assert text.startswith("# yaml-language-server: $schema=../params.schema.json\n")
        assert "myapp" in text  # commented for this system, not a template placeholder
        assert "$name" not in text
    schema = json.loads((project / "params" / "params.schema.json").read_text())
    assert "services" in schema["properties"]

    built = run("build")  # the defaults init wrote: myapp / dev
    assert built.exit_code == 0, built.output
    assert (project / "build" / "myapp" / "dev" / "root.json").is_file()
    linted = run("lint")
    assert linted.exit_code == 0, linted.output
    assert "0 finding(s)" in linted.output
    everything = run("lint", "--all")  # prod too: the scaffold is meant to be deployed
    assert everything.exit_code == 0, everything.output
    assert "linted 11 template(s): 0 finding(s)" in everything.output  # prod: + keys (the logs key)


def test_init_refuses_an_existing_system_and_a_bad_name(project):
    assert run("init", "myapp").exit_code == 0
    before = (project / "params" / "myapp" / "dev.yaml").read_text()
    (project / "params" / "myapp" / "dev.yaml").write_text(before + "# mine\n")
    again = run("init", "myapp")
    assert again.exit_code == 2
    assert "already exists" in again.output
    assert (project / "params" / "myapp" / "dev.yaml").read_text().endswith("# mine\n")
    bad = run("init", "My_App")
    assert bad.exit_code == 2
    assert "lowercase name" in bad.output
    assert not (project / "params" / "My_App").exists()


def test_init_in_an_existing_project_writes_no_project_file(project):
    (project / "stackc.toml").write_text('params_dir = "infra/params"\nbuild_dir = "out"\n')
    sub = project / "deep" / "er"
    sub.mkdir(parents=True)
    os.chdir(sub)
    assert run("init", "one").exit_code == 0
    assert run("init", "two").exit_code == 0
    assert not (sub / "stackc.toml").exists()
    assert (project / "infra" / "params" / "one" / "_base.yaml").is_file()
    # two systems and no default_system: the command asks which, naming them
    which = run("build")
    assert which.exit_code == 2
    assert "--system" in which.output and "one, two" in which.output
    assert run("build", "-s", "two").exit_code == 2  # two envs, no default_env: which env?
    assert run("build", "-s", "two", "-e", "dev").exit_code == 0
    assert (project / "out" / "two" / "dev" / "root.json").is_file()


def test_project_file_found_walking_up_and_stackc_toml_wins(project):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.stackc]\nparams_dir = "from-pyproject"\n')
    sub = project / "a" / "b"
    sub.mkdir(parents=True)
    assert settings(sub).params_dir == project / "from-pyproject"
    assert settings(sub).project_file == project / "pyproject.toml"
    (sub / "stackc.toml").write_text('params_dir = "here"\n')
    assert settings(sub).params_dir == sub / "here"
    (project / "a" / "pyproject.toml").write_text('[project]\nname = "no-stackc-table"\n')
    assert settings(project / "a").params_dir == project / "from-pyproject"  # skipped: no [tool.stackc]


def test_no_project_file_means_the_working_directory(project):
    cfg = settings(project)
    assert cfg.project_file is None
    assert (cfg.params_dir, cfg.build_dir) == (project / "params", project / "build")
    result = run("build")
    assert result.exit_code == 2
    assert "stackc init" in result.output


def test_environment_overrides_the_project_folders(project, monkeypatch):
    (project / "stackc.toml").write_text('params_dir = "p"\n')
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(project / "elsewhere"))
    monkeypatch.setenv("STACKC_BUILD_DIR", str(project / "b2"))
    assert (settings().params_dir, settings().build_dir) == (project / "elsewhere", project / "b2")


def test_unknown_project_key_is_named_with_a_suggestion(project):
    (project / "stackc.toml").write_text('param_dir = "p"\n')
    result = run("build")
    assert result.exit_code == 2
    assert "stackc.toml: param_dir: unknown key 'param_dir'; did you mean 'params_dir'?" in result.output


def test_version_and_short_help():
    from templates_src import __version__

    assert run("--version").output == f"stackc {__version__}\n"
    short = run("-h")
    assert short.exit_code == 0 and "init" in short.output and "--verbose" in short.output
    assert run("build", "-h").exit_code == 0


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script(shell):
    result = run("completion", shell)
    assert result.exit_code == 0
    assert "_STACKC_COMPLETE" in result.output


def test_completion_offers_commands_and_options():
    """What the shell gets back: the script calls stackc with _STACKC_COMPLETE set."""
    env = {**os.environ, "_STACKC_COMPLETE": "bash_complete", "COMP_WORDS": "stackc bu", "COMP_CWORD": "1"}
    out = subprocess.run([sys.executable, "cli.py"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert "plain,build" in out.stdout.split()


def test_usage_error_exits_2_with_usage_text():
    result = run("build", "--all", "-s", "x")
    assert result.exit_code == 2
    assert "Usage: " in result.output and "--all goes without --system/--env" in result.output


def test_base_is_not_an_env():
    result = run("build", "-s", "demo", "-e", "_base")
    assert result.exit_code == 2
    assert "'_base' is not an env" in result.output
    assert "envs: dev, prod" in result.output


def test_unknown_system_and_env_suggest_the_closest():
    assert "did you mean 'demo'?" in run("build", "-s", "dmeo").output
    assert "did you mean 'prod'?" in run("build", "-s", "demo", "-e", "prd").output


def test_verbose_names_the_project_file_and_folders(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STACKC_")}
    env["STACKC_BUILD_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "cli.py", "--verbose", "build"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "project file: pyproject.toml" in out.stderr


def _in_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """stderr of `python cli.py ARGS` run on a pseudo-terminal (where colour would be on)."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout/stderr are the terminal
        os.chdir(PROJECT_ROOT)
        os.execve(sys.executable, [sys.executable, "cli.py", *args], env)
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def test_no_color_is_honoured_on_a_terminal():
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _in_a_terminal(["build", "-s", "nope"], env)
    assert "\x1b[31m" in coloured  # the check can fail: a terminal gets red error lines...
    plain = _in_a_terminal(["build", "-s", "nope"], {**env, "NO_COLOR": "1"})
    assert "error: unknown system 'nope'" in plain
    assert "\x1b[" not in plain  # ...and NO_COLOR takes it away


def test_output_that_is_not_a_terminal_has_no_colour():
    out = subprocess.run([sys.executable, "cli.py", "build", "-s", "nope"], cwd=PROJECT_ROOT, capture_output=True)
    assert out.returncode == 2
    assert b"\x1b[" not in out.stderr and b"unknown system" in out.stderr


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "templates_src", "--version"], cwd=PROJECT_ROOT, capture_output=True)
    assert out.returncode == 0 and out.stdout.startswith(b"stackc ")


def test_pre_commit_hooks_name_real_commands():
    import yaml

    hooks = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} >= {"stackc-lint"}
    for hook in hooks:
        program, command, *args = hook["entry"].split()
        assert program == "stackc"
        found = cli.cli.get_command(None, command)
        assert found is not None, hook["entry"]
        known = {opt for p in found.params for opt in p.opts}
        assert set(args) <= known, hook["entry"]


def test_debug_shows_the_traceback_of_an_internal_error():
    @click.command("boom")
    @reports_errors
    def boom():
        raise RuntimeError("a bug")

    cli.cli.add_command(boom)
    try:
        plain = run("boom")
        assert plain.exit_code == 1
        assert "internal error: RuntimeError: a bug (run with --debug for the traceback)" in plain.output
        debug = run("--debug", "boom")
        assert isinstance(debug.exception, RuntimeError)  # raised: click's runner (or Python) shows the traceback
    finally:
        cli.cli.commands.pop("boom")


def test_a_build_folder_that_cannot_be_written_is_a_plain_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("STACKC_BUILD_DIR", str(blocker))
    result = run("build", "-s", "demo", "-e", "dev")
    assert result.exit_code == 1
    assert f"error: cannot use {blocker}/demo/dev: Not a directory" in result.output
    assert "internal error" not in result.output
