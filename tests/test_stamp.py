"""The input stamp: a no-op build compiles nothing, and nothing that changes the output is missed.

Each test builds a small system into its own folders, changes one input, and checks whether the next
build compiled (`Built.compiled` is set) or trusted the stamp (`compiled is None`)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys

import pytest

from templates_src import build, stamp
from templates_src.targets import Target

from .helpers import PARAMS_DIR, PROJECT_ROOT, write_params

BASE = {
    "network": {"azs": 2, "nat": "single"},
    "services": {"api": {"containers": {"api": {"image": "public.ecr.aws/nginx/nginx", "tag": "1.27"}}}},
}


@pytest.fixture(autouse=True)
def _fresh_digest_cache():
    stamp.cache_clear()
    yield
    stamp.cache_clear()


@pytest.fixture
def system(tmp_path):
    params = write_params(tmp_path / "params", "shop", BASE)
    return Target("shop", "dev", params), tmp_path / "build"


def built(target, build_dir):
    [result] = build.build_targets([target], build_dir)
    assert result.error is None, result.error
    return result


def compiled_again(target, build_dir) -> bool:
    return built(target, build_dir).compiled is not None


def test_second_build_trusts_the_stamp_and_reports_the_same(system):
    target, build_dir = system
    first = built(target, build_dir)
    assert first.compiled is not None and first.changed
    second = built(target, build_dir)
    assert second.compiled is None and second.changed == [] and second.up_to_date
    assert (second.templates, second.summary, second.notes) == (first.templates, first.summary, first.notes)


def test_a_params_change_rebuilds(system):
    target, build_dir = system
    built(target, build_dir)
    (target.env_file).write_text("tags: {team: a}\n")
    again = built(target, build_dir)
    assert again.compiled is not None and again.changed
    assert not compiled_again(target, build_dir)


def test_a_shared_params_file_counts_and_another_system_does_not(system):
    target, build_dir = system
    built(target, build_dir)
    write_params(target.params_dir, "other", BASE)  # another system's folder: not an input of shop
    assert not compiled_again(target, build_dir)
    (target.params_dir / "_shared.yaml").write_text("a: 1\n")  # something at the top: maybe an input
    assert compiled_again(target, build_dir)


def test_a_source_change_rebuilds(system, tmp_path, monkeypatch):
    target, build_dir = system
    sources = tmp_path / "src"
    shutil.copytree(stamp.PACKAGE_DIR, sources, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(stamp, "PACKAGE_DIR", sources)
    built(target, build_dir)
    assert not compiled_again(target, build_dir)
    with (sources / "lint_rules" / "tls_listeners.py").open("a") as f:  # any file, even a rule
        f.write("# changed\n")
    stamp.cache_clear()
    assert compiled_again(target, build_dir)
    (sources / "new_data.json").write_text("{}")  # a new file, not only .py
    stamp.cache_clear()
    assert compiled_again(target, build_dir)


def test_a_settings_change_rebuilds(system, tmp_path, monkeypatch):
    target, build_dir = system
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECT_ROOT / "pyproject.toml", project / "pyproject.toml")
    monkeypatch.setattr(stamp, "PROJECT_ROOT", project)
    built(target, build_dir)
    with (project / "pyproject.toml").open("a") as f:
        f.write("\n# changed\n")
    assert compiled_again(target, build_dir)
    (project / "stackc.toml").write_text("[stackc]\n")
    assert compiled_again(target, build_dir)
    monkeypatch.setenv("STACKC_SOMETHING", "1")
    assert compiled_again(target, build_dir)
    assert not compiled_again(target, build_dir)


def test_a_dependency_version_change_rebuilds(system, tmp_path, monkeypatch):
    target, build_dir = system
    site = tmp_path / "site"
    (site / "somedep-1.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    built(target, build_dir)
    assert not compiled_again(target, build_dir)
    (site / "somedep-1.0.dist-info").rename(site / "somedep-1.1.dist-info")
    stamp.cache_clear()
    assert compiled_again(target, build_dir)


def test_installed_versions_are_importlib_metadata_s():
    """The folder names the stamp reads say what importlib.metadata says, for every distribution."""
    names = {d.partition("-")[0].replace(".", "_").lower() for d in stamp.installed_distributions()}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        assert name.replace("-", "_").replace(".", "_").lower() in names, name
        assert stamp.distribution_version(name) == dist.version, name


@pytest.mark.parametrize("change", ["edit", "delete", "stray"])
def test_a_touched_output_is_rebuilt(system, change):
    target, build_dir = system
    first = built(target, build_dir)
    out = first.out_dir
    wanted = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    if change == "edit":
        (out / "network.yaml").write_text((out / "network.yaml").read_text().replace("10.", "11.", 1))
    elif change == "delete":
        (out / "service-api.json").unlink()
    else:
        (out / "old-service.yaml").write_text("Resources: {}\n")
    again = built(target, build_dir)
    assert again.compiled is not None and again.changed
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == wanted


def test_a_failed_build_is_never_up_to_date(system):
    target, build_dir = system
    built(target, build_dir)
    target.env_file.write_text("network: {azs: 9}\n")
    [failed] = build.build_targets([target], build_dir)
    assert failed.error is not None and failed.compiled is None
    [still] = build.build_targets([target], build_dir)
    assert still.error is not None  # reported again, not "up to date"


def test_no_op_build_and_lint_import_no_heavy_package(tmp_path):
    """After `build` and `lint`, a second run of each (and of `build --lint`) decides from the stamp and the lint cache alone:
    no pydantic, troposphere or cfn-lint import, no compile."""
    env = {**os.environ, "STACKC_BUILD_DIR": str(tmp_path / "build"), "STACKC_PARAMS_DIR": str(PARAMS_DIR)}
    select = ["--system", "fargate-api", "--env", "prod"]
    for command in ("build", "lint"):
        subprocess.run([sys.executable, "cli.py", command, *select], cwd=PROJECT_ROOT, env=env, check=True)
    probe = (
        "import sys, runpy; sys.argv = ['cli.py', *sys.argv[1:]]\n"
        "try:\n    runpy.run_path('cli.py', run_name='__main__')\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        "heavy = ('pydantic', 'troposphere', 'cfnlint', 'yaml', 'templates_src.compiler')\n"
        "print(__import__('json').dumps([m for m in heavy if m in sys.modules]))\n"
    )
    for command in ("build", "lint", "build --lint"):
        done = subprocess.run(
            [sys.executable, "-c", probe, *command.split(), *select],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(done.stdout.strip().splitlines()[-1]) == [], (command, done.stdout)


def test_lint_never_compiles_what_build_wrote(system, monkeypatch):
    from templates_src import compiler, lint

    target, build_dir = system
    built(target, build_dir)

    def no_compile(*_args, **_kwargs):
        raise AssertionError("lint compiled again what build had just written")

    monkeypatch.setattr(compiler, "compile_target", no_compile)
    paths, findings = lint.lint_targets([target], build_dir)
    assert sorted(p.stem for p in paths) == sorted(n for n in built(target, build_dir).templates)
    assert findings == []


def test_build_then_lint_in_one_process_says_what_the_two_commands_say(system, monkeypatch):
    """`build --lint` prints build's lines, then lint's, and exits as they do;
    a target that fails to build is reported and nothing is linted."""
    from click.testing import CliRunner

    import cli

    target, build_dir = system
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(target.params_dir))
    monkeypatch.setenv("STACKC_BUILD_DIR", str(build_dir))
    select = ["--system", "shop", "--env", "dev"]
    apart = [CliRunner().invoke(cli.cli, [command, *select]) for command in ("build", "lint")]
    assert [r.exit_code for r in apart] == [0, 0]
    shutil.rmtree(build_dir)  # from scratch again: the same lines, "N file(s) changed" included
    both = CliRunner().invoke(cli.cli, ["build", "--lint", *select])
    assert both.exit_code == 0, both.output
    assert both.output == apart[0].output + apart[1].output
    assert "linted " in both.output

    write_params(target.params_dir, "shop", {**BASE, "network": {"azs": "two"}})
    broken = CliRunner().invoke(cli.cli, ["build", "--lint", *select])
    assert broken.exit_code == 2 and "network.azs" in broken.output
    assert "linted " not in broken.output
