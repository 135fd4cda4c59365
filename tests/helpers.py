"""Test helpers: build a system from YAML written by the test, and subset assertions on templates."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import yaml

from templates_src import compiler
from templates_src.config.load import Target, all_targets

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PARAMS_DIR = PROJECT_ROOT / "params"
# The project's own systems: its examples, covered by the golden snapshots and the whole-repo tests.
# A system anyone else puts under params/ (`stackc init` in the checkout) is theirs, never a test of
# the tool. A new example system goes here, then `make snapshots`.
EXAMPLE_SYSTEMS = ("ash", "demo", "docuthinker", "fargate-api", "orders", "realworld", "vmx-ai")


def example_targets() -> list[Target]:
    """Every env of every example system, in a stable order."""
    return [t for t in all_targets(PARAMS_DIR) if t.system in EXAMPLE_SYSTEMS]


def write_params(root: Path, system: str, base: Any, envs: dict[str, Any] | None = None) -> Path:
    """Write params/<system>/_base.yaml (and env files; default one empty `dev`) under `root`."""
    folder = root / system
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "_base.yaml", base)
    for env, data in (envs or {"dev": {}}).items():
        _write(folder / f"{env}.yaml", data)
    return root


def _write(path: Path, data: Any) -> None:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))


def build(params_dir: Path, system: str, env: str = "dev") -> dict[str, dict]:
    """Compile and return {template name: template dict}."""
    compiled = compiler.compile_target(Target(system, env, params_dir))
    return {name: json.loads(text) for name, text in compiled.templates.items()}


def build_config(tmp_path: Path, config: dict, env_overlay: dict | None = None, system: str = "sys") -> dict[str, dict]:
    write_params(tmp_path, system, config, {"dev": env_overlay or {}})
    return build(tmp_path, system, "dev")


def resources(template: dict, rtype: str) -> dict[str, dict]:
    return {k: v for k, v in template.get("Resources", {}).items() if v["Type"] == rtype}


def is_subset(expected: Any, actual: Any) -> bool:
    """Dicts match on the keys given; lists match when every expected item matches some actual item."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and is_subset(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and all(any(is_subset(e, a) for a in actual) for e in expected)
    return expected == actual


def has_resource(template: dict, rtype: str, props: dict | None = None, **attrs: Any) -> dict:
    """The first resource of `rtype` whose Properties contain `props` (subset) and whose top-level
    attributes (DeletionPolicy=...) equal `attrs`; fails the test with the candidates otherwise."""
    candidates = resources(template, rtype)
    for _name, res in candidates.items():
        if is_subset(props or {}, res.get("Properties", {})) and all(res.get(k) == v for k, v in attrs.items()):
            return res
    raise AssertionError(
        f"no {rtype} with {json.dumps(props)} {attrs or ''}; candidates:\n"
        + json.dumps({k: v.get("Properties") for k, v in candidates.items()}, indent=1)[:3000]
    )


def count(template: dict, rtype: str) -> int:
    return len(resources(template, rtype))


def build_digests_per_hash_seed(out_root: Path, params_dir: Path | None = None, seeds=("1", "2")) -> set[str]:
    """`cli.py build --all` in one process per PYTHONHASHSEED; the sha256 of each build tree.
    One digest means no set or dict ordering leaked into the output."""
    import hashlib
    import os
    import shutil
    import subprocess
    import sys

    if params_dir is None:  # the example systems only (a user's system in the checkout is not the tool's)
        params_dir = out_root / "examples"
        for system in EXAMPLE_SYSTEMS:
            shutil.copytree(PARAMS_DIR / system, params_dir / system, dirs_exist_ok=True)
    digests = set()
    for seed in seeds:
        out = out_root / f"build-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "STACKC_BUILD_DIR": str(out)}
        env["STACKC_PARAMS_DIR"] = str(params_dir)
        subprocess.run(
            [sys.executable, "cli.py", "build", "--all"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True
        )
        h = hashlib.sha256()
        for p in sorted(out.rglob("*")):
            if p.is_file() and not p.relative_to(out).parts[0].startswith("."):  # .stamps/: bookkeeping
                h.update(str(p.relative_to(out)).encode() + p.read_bytes())
        digests.add(h.hexdigest())
    return digests


def assert_refused(params_root: Path, monkeypatch: Any, base: Any, overlay: Any, fragments: list[str]) -> None:
    """`build -s s -e dev` of `base` (+ `overlay` as dev.yaml) exits 2 naming every fragment, without a traceback."""
    from click.testing import CliRunner

    import cli

    write_params(params_root, "s", base, {"dev": overlay})
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(params_root))
    result = CliRunner().invoke(cli.cli, ["build", "--system", "s", "--env", "dev"])
    message = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2, message
    assert "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def invoke(aws_env: Any, *args: str) -> Any:
    """The real CLI against the local endpoint; never a traceback."""
    from click.testing import CliRunner

    from cli import cli

    result = CliRunner().invoke(cli, [*args, "--endpoint-url", aws_env.url])
    assert "Traceback" not in result.output
    return result


def skips(template: dict) -> dict[str, list[str]]:
    """{logical ID: [suppressed rule/check ids]} of a built template (checkov skips and cfn-lint ignores)."""
    from templates_src.waivers import in_template

    out: dict[str, list[str]] = {}
    for found in in_template("", template):
        out.setdefault(found.logical_id, []).append(found.id)
    return out


def lint_rule(tmp_path: Path, rule: str, resources: dict, prod: bool = True, **top: Any) -> list[str]:
    """Lint one tiny template (prod-marked unless `prod=False`) and return `rule`'s findings' paths."""
    from templates_src.lint import lint_paths
    from templates_src.waivers import PROD_MARK

    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources, **top}
    if prod:
        template["Metadata"] = PROD_MARK
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    return [f.path for f in lint_paths([path]) if f.rule == rule]


def ctrl_c_reaches_it() -> None:
    """preexec_fn for a child a test interrupts with SIGINT, as a person at a terminal would. A shell
    starts a background job (`make test &`, nohup, some CI runners) with SIGINT ignored, and children
    inherit that: Python then never raises KeyboardInterrupt, so the child waits on and the test hangs.
    A terminal's Ctrl-C reaches a foreground program with the default disposition; this restores it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
