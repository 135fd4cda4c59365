"""Lint at scale stays exact: rules loaded once and reused, one template at a time, children parsed once
for the root's nested-stack checks, cfn-lint's validator classes reused, identical templates linted once. Each test compares with plain
cfn-lint (`lint_by_config` over the same files, the way lint.py ran it before) in a fresh process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from templates_src import lint

from .helpers import PARAMS_DIR, PROJECT_ROOT, write_params

CHILD = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Needed": {"Type": "String"}, "Optional": {"Type": "String", "Default": "a"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}},
}


def stack(url: str, parameters: dict) -> dict:
    return {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url, "Parameters": parameters}}


ROOT = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "ChildStack": stack("child.json", {"Optional": "b", "Unknown": "c"}),
        "Other": stack("child.json", {"Needed": {"Fn::GetAtt": ["ChildStack", "Outputs.NoSuch"]}}),
        "Dup": stack("dup.json", {}),  # a child with a duplicate key: cfn-lint's own decoder answers
        "Yaml": stack("child.yaml", {"Needed": "x"}),
    },
    "Outputs": {
        "Arn": {"Value": {"Fn::GetAtt": ["ChildStack", "Outputs.TopicArn"]}},
        "Bad": {"Value": {"Fn::GetAtt": ["ChildStack", "Outputs.Missing"]}},
    },
}

PLAIN = r"""
import json, os, sys
from cfnlint.api import ManualArgs, lint_by_config
sys.path.insert(0, sys.argv[1])
from templates_src import lint
paths = sys.argv[2:]
out = {p: [] for p in paths}
for path in paths:  # one run per template: a root's findings are its own
    args = ManualArgs(templates=[path], regions=list(lint.DEFAULT_REGIONS), ignore_checks=list(lint.IGNORE_CHECKS))
    args["append_rules"] = [str(lint.RULES_DIR)]
    for m in lint_by_config(args):
        out[path].append([m.rule.id, "/".join(str(p) for p in (getattr(m, "path", None) or [])), m.linenumber, m.message])
print(json.dumps(out))
"""

OURS = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from templates_src import lint
paths = sys.argv[2:]
found = lint._lint_all(paths, lint.DEFAULT_REGIONS, workers=2)
print(json.dumps({p: [[f["rule"], f["path"], f["line"], f["message"]] for f in found[p]] for p in paths}))
"""


def findings(script: str, folder: Path, names: list[str]) -> dict:
    """Run in `folder`: cfn-lint reads a nested template only below the working directory."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(PROJECT_ROOT), *names], cwd=folder, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {k: sorted(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def test_nested_stack_checks_find_what_plain_cfn_lint_finds(tmp_path):
    (tmp_path / "child.json").write_text(json.dumps(CHILD, indent=2))
    (tmp_path / "root.json").write_text(json.dumps(ROOT, indent=2))
    (tmp_path / "dup.json").write_text('{"Parameters": {"A": {"Type": "String"}}, "Parameters": {}}')
    shutil.copy(tmp_path / "child.json", tmp_path / "child.yaml")
    names = ["root.json", "child.json"]
    ours, plain = findings(OURS, tmp_path, names), findings(PLAIN, tmp_path, names)
    assert ours == plain
    assert {f[0] for f in ours["root.json"]} >= {"E3043", "E6101", "E1010"}  # the checks that read children


def test_a_system_lints_as_plain_cfn_lint_does(tmp_path):
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR / "fargate-api", params / "fargate-api")
    from templates_src import compiler
    from templates_src.targets import Target

    out = tmp_path / "out"
    compiled = compiler.compile_target(Target("fargate-api", "prod", params))
    compiler.write(compiled, out)
    names = [f"{n}.json" for n in compiled.templates]
    assert findings(OURS, out, names) == findings(PLAIN, out, names)


def test_templates_full_of_mistakes_lint_as_plain_cfn_lint_does(tmp_path):
    """Errors from many rules (types, properties, references, functions, conditions; today also a rule
    that fails, E0002, whose finding has no path): the same findings, in every field, as plain cfn-lint.
    This is what shows the reused validator classes (lint._reuse_validator_classes) change nothing."""
    from templates_src import compiler
    from templates_src.targets import Target

    compiled = compiler.compile_target(Target("fargate-api", "prod", PARAMS_DIR))
    compiler.write(compiled, tmp_path)
    names = [f"{n}.json" for n in compiled.templates]
    for name in names:
        path = tmp_path / name
        path.write_text(json.dumps(broken(json.loads(path.read_text())), indent=1))
    ours, plain = findings(OURS, tmp_path, names), findings(PLAIN, tmp_path, names)
    assert ours == plain
    assert len({f[0] for found in plain.values() for f in found}) >= 10, plain


def broken(template: dict) -> dict:
    """The same template with a different mistake in each resource, in turn: findings from many rule
    families (types, properties, references, functions, conditions), so both paths show their errors."""
    mistakes = [
        lambda r: r.setdefault("Properties", {}).update(NoSuchProperty=1),
        lambda r: r.update(Type=r["Type"] + "x"),
        lambda r: r.update(DependsOn="NoSuchResource"),
        lambda r: r.update(Condition="NoSuchCondition"),
        lambda r: r.setdefault("Properties", {}).update(Tags={"Fn::GetAtt": ["NoSuch", "Arn"]}),
        lambda r: r.update(Properties={k: {"Ref": "Nope"} for k in r.get("Properties", {})}),
        lambda r: r.update(Properties={k: [v] for k, v in r.get("Properties", {}).items()}),
        lambda r: r.update(Properties={k: {"Fn::Sub": "${Missing}-${AWS::Region}"} for k in r.get("Properties", {})}),
        lambda r: r.update(
            Properties={k: {"Fn::If": ["Nope", 1, {"Ref": "AWS::NoValue"}]} for k in r.get("Properties", {})}
        ),
        lambda r: r.update(Properties={k: {"Fn::Join": [",", "x"]} for k in r.get("Properties", {})}),
        lambda r: r.update(DeletionPolicy="Keep"),
        lambda r: r.update(Properties={k: True for k in r.get("Properties", {})}),
    ]
    for i, resource in enumerate(template.get("Resources", {}).values()):
        mistakes[i % len(mistakes)](resource)
    for output in template.get("Outputs", {}).values():
        output["Value"] = {"Fn::GetAtt": [next(iter(template["Resources"]), "X"), "NoSuchAttribute"]}
    template.setdefault("Conditions", {})["Odd"] = {"Fn::Equals": [{"Ref": "NoSuchParameter"}, 1, 2]}
    return template


def test_identical_templates_are_linted_once_and_reported_for_each(tmp_path, monkeypatch):
    write_params(tmp_path / "params", "a", {"network": {"azs": 2, "nat": "single"}})
    from templates_src import compiler
    from templates_src.targets import Target

    compiled = compiler.compile_target(Target("a", "dev", tmp_path / "params"))
    first, second = tmp_path / "one", tmp_path / "two"
    compiler.write(compiled, first)
    compiler.write(compiled, second)
    linted: list[str] = []
    real = lint._lint_all

    def counting(names, regions, workers):
        linted.extend(names)
        return real(names, regions, 1)

    monkeypatch.setattr(lint, "_lint_all", counting)
    bad = second / "network.json"  # one template made to differ: it must be linted on its own
    bad.write_text(bad.read_text().replace('"Type": "AWS::EC2::VPC"', '"Type": "AWS::EC2::Nope"', 1))
    paths = [first / "network.json", second / "network.json", first / "cluster.json", second / "cluster.json"]
    found = lint.lint_paths(paths)
    assert sorted(Path(p).parent.name + "/" + Path(p).name for p in linted) == [
        "one/cluster.json",
        "one/network.json",
        "two/network.json",
    ]
    assert {f.template for f in found} == {str(second / "network.json")}


def test_loading_the_rules_imports_no_compiler_package():
    """Every lint process (and each worker forked from it) holds what loading the rules imported: the
    project's rules read plain data, never the pydantic models or troposphere (15 MiB and 0.1 s)."""
    probe = (
        "import json, sys\nsys.path.insert(0, sys.argv[1])\nfrom templates_src import lint\nlint._rules()\n"
        "print(json.dumps([m for m in ('pydantic', 'troposphere', 'templates_src.config.base') if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(PROJECT_ROOT)], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
