"""Build output: layout, determinism, no-op rebuilds, manifest, parameters, closure, limits, lint."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner

import cli
from templates_src import compiler, limits
from templates_src.config.load import Target
from templates_src.errors import BuildError
from templates_src.lint import lint_in_regions, lint_paths, template_regions

from .helpers import PARAMS_DIR, build_digests_per_hash_seed, example_targets

TARGETS = example_targets()
IDS = [f"{t.system}/{t.env}" for t in TARGETS]


def run(*args):
    result = CliRunner().invoke(cli.cli, list(args))
    return result


def test_demo_layout(tmp_path):
    result = run("build")  # the default system and env from pyproject.toml
    assert result.exit_code == 0, result.output
    out = tmp_path / "build" / "demo" / "dev"
    names = {p.name for p in out.iterdir() if p.is_file()}
    for stack in ("root", "network", "cluster"):
        assert {f"{stack}.json", f"{stack}.yaml"} <= names
    assert {"parameters.json", "manifest.json"} <= names


def test_second_build_changes_no_byte_and_touches_no_file(tmp_path):
    assert run("build").exit_code == 0
    out = tmp_path / "build" / "demo" / "dev"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    result = run("build")
    assert "up to date" in result.output
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_two_compiles_are_byte_identical(target):
    a = compiler.compile_target(target).files
    b = compiler.compile_target(target).files
    assert a == b


def test_deterministic_across_processes(tmp_path):
    """Hash seeds differ between processes: set ordering must not leak into the output."""
    assert len(build_digests_per_hash_seed(tmp_path)) == 1


def test_stale_templates_are_removed(tmp_path):
    assert run("build").exit_code == 0
    stale = tmp_path / "build" / "demo" / "dev" / "gone.json"
    stale.write_text("{}")
    run("build")
    assert not stale.exists()


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_manifest_describes_every_template(target):
    for _, part in compiler.compile_target(target).parts():  # multi-region: one manifest per folder
        _check_manifest(part)


def _check_manifest(compiled):
    manifest = json.loads(compiled.files["manifest.json"])
    for name, text in compiled.templates.items():
        entry = manifest["templates"][name]
        template = json.loads(text)
        assert entry["sha256"] == hashlib.sha256(text.encode()).hexdigest()
        assert entry["bytes"] == len(text.encode())
        assert entry["resources"] == len(template.get("Resources", {}))
        assert entry["parameters"] == len(template.get("Parameters", {}))
        assert entry["outputs"] == len(template.get("Outputs", {}))


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_parameters_json_matches_root_defaults(target):
    for _, compiled in compiler.compile_target(target).parts():
        _check_parameters(compiled)


def _check_parameters(compiled):
    root = json.loads(compiled.files["root.json"])
    params = json.loads(compiled.files["parameters.json"])
    expected = {k: v["Default"] for k, v in root.get("Parameters", {}).items() if "Default" in v}
    assert {p["ParameterKey"]: p["ParameterValue"] for p in params} == expected
    assert len(params) == len(expected)


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_closure_root_wiring_matches_children(target):
    """Every root GetAtt Outputs.X names an output the child has; every child Parameter is passed
    (or has a default); nothing is passed that the child does not declare."""
    for _, part in compiler.compile_target(target).parts():
        _check_closure({n: json.loads(t) for n, t in part.templates.items()})


def _check_closure(templates):
    root = templates.pop("root")
    by_logical = {}
    for logical, res in root["Resources"].items():
        if res["Type"] == "AWS::CloudFormation::Stack":
            child = res["Properties"]["TemplateURL"].removesuffix(".json")
            by_logical[logical] = templates[child]

    def getatts(node):
        if isinstance(node, dict):
            if "Fn::GetAtt" in node:
                yield node["Fn::GetAtt"]
            for v in node.values():
                yield from getatts(v)
        elif isinstance(node, list):
            for v in node:
                yield from getatts(v)

    for logical, attr in getatts(root):
        assert attr.startswith("Outputs.")
        assert attr.removeprefix("Outputs.") in by_logical[logical].get("Outputs", {}), f"{logical}.{attr}"
    for logical, res in root["Resources"].items():
        if logical not in by_logical:
            continue
        child_params = by_logical[logical].get("Parameters", {})
        passed = res["Properties"].get("Parameters", {})
        assert set(passed) <= set(child_params), f"{logical} passes undeclared {set(passed) - set(child_params)}"
        for name, p in child_params.items():
            assert name in passed or "Default" in p, f"{logical} does not pass {name}"


def test_yaml_is_the_same_template_as_json(tmp_path):
    from cfnlint.decode import decode_str

    compiled = compiler.compile_target(TARGETS[0])
    for name in compiled.templates:
        from_yaml, errors = decode_str(compiled.files[f"{name}.yaml"])
        assert not errors
        assert json.loads(json.dumps(from_yaml)) == json.loads(compiled.files[f"{name}.json"])


def test_limits_fail_the_build_naming_template_count_and_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_RESOURCES", 10)
    with pytest.raises(BuildError, match=r"template 'network' has \d+ resources; CloudFormation allows 10"):
        compiler.compile_target(Target("demo", "dev", PARAMS_DIR))


def test_large_root_is_reported(monkeypatch):
    monkeypatch.setattr(compiler, "MAX_BYTES_INLINE", 100)
    notes = compiler.compile_target(Target("demo", "dev", PARAMS_DIR)).notes
    assert any("must be deployed from S3" in n for n in notes)


def test_every_params_file_lints_clean(tmp_path):
    """cfn-lint (in-process) plus the project's rules over every template of every params file, each
    for the region it deploys to."""
    regions = {}
    for target in TARGETS:
        compiled = compiler.compile_target(target)
        out = tmp_path / target.system / target.env
        compiler.write(compiled, out)
        regions.update(template_regions(out, list(compiled.templates)))
    assert "us-west-2" in regions.values()  # docuthinker's second region is linted as itself
    findings = lint_in_regions(regions)
    assert findings == [], "\n".join(f"{f.template} {f.rule} {f.path}: {f.message}" for f in findings)


def test_lint_reports_findings_and_exits_1(tmp_path, monkeypatch):
    """A template that breaks a project rule (a log group without policies) fails lint."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}}}}))
    findings = lint_paths([bad])
    assert [f.rule for f in findings] == ["E9001", "E9001"]


def test_lint_command_groups_findings_by_template(tmp_path, monkeypatch):
    shutil.copytree(PARAMS_DIR / "demo", tmp_path / "params" / "demo")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = run("lint", "--system", "demo", "--env", "dev")
    assert result.exit_code == 0, result.output
    assert "0 finding(s)" in result.output
