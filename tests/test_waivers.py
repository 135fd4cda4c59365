"""Waivers (config/waivers.py, templates_src/waivers.py): the only source of suppressed findings.

Life cycle: declared in params -> written into the matched resources' Metadata (checkov skip, cfn-lint
ignore_checks) -> listed by `build`; one that matches nothing is a config error (exit 2, file, line,
path). And over every params file in the repo: no template carries a suppression no waiver wrote."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from templates_src import compiler
from templates_src.cli import cli
from templates_src.config.load import Target, load
from templates_src.errors import ConfigError
from templates_src.waivers import in_template, matches

from .helpers import build, example_targets, skips, write_params

SERVICE = {"containers": {"app": {"image": "example/app", "ports": [{"port": 8080}]}}, "public_ip": True}
REASON = "Dev has no NAT to save its cost, so tasks pull images over their public IPs."


def system(waivers: list, **extra) -> dict:
    return {"network": {"nat": "none"}, "services": {"api": SERVICE}, "waivers": waivers, **extra}


def test_a_waiver_becomes_metadata_each_scanner_reads(tmp_path):
    out = build(
        write_params(
            tmp_path,
            "sys",
            system(
                [
                    {"id": "E9003", "resource": "service-api/ApiService", "reason": REASON},
                    {
                        "id": "CKV_AWS_158",
                        "resource": "*LogGroup",
                        "reason": "Logs stay under CloudWatch's own keys in dev.",
                    },
                ]
            ),
        ),
        "sys",
    )
    svc = out["service-api"]["Resources"]["ApiService"]["Metadata"]
    assert svc["cfn-lint"] == {"config": {"ignore_checks": ["E9003"]}}
    assert svc["stackc"]["waivers"] == {"E9003": REASON}
    group = out["service-api"]["Resources"]["ApiLogGroup"]["Metadata"]
    assert group["checkov"] == {
        "skip": [{"id": "CKV_AWS_158", "comment": "Logs stay under CloudWatch's own keys in dev."}]
    }
    # A pattern without a stack matches in every stack: the cluster's exec log group too.
    assert skips(out["cluster"]) == {"ExecLogGroup": ["CKV_AWS_158"]}


def test_build_lists_each_waiver_and_where_it_went(tmp_path, monkeypatch):
    params = write_params(tmp_path, "sys", system([{"id": "E9003", "resource": "ApiService", "reason": REASON}]))
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(params))
    monkeypatch.setenv("STACKC_BUILD_DIR", str(tmp_path / "build"))
    result = CliRunner().invoke(cli, ["build", "--system", "sys", "--env", "dev"])
    assert result.exit_code == 0, result.output
    assert f"waiver: E9003 on service-api/ApiService: {REASON}" in result.output


def test_a_waiver_that_matches_nothing_is_a_config_error(tmp_path):
    params = write_params(
        tmp_path,
        "sys",
        system(
            [
                {"id": "E9003", "resource": "service-api/ApiService", "reason": REASON},
                {"id": "CKV_AWS_91", "resource": "loadbalancing/GoneLoadBalancer", "reason": REASON},
            ]
        ),
    )
    with pytest.raises(ConfigError) as err:
        compiler.compile_target(Target("sys", "dev", params))
    (problem,) = err.value.problems
    assert problem.path == "waivers[1].resource" and problem.value == "loadbalancing/GoneLoadBalancer"
    assert problem.file.endswith("_base.yaml") and problem.line is not None
    assert "matches no resource" in problem.message


def test_unmatched_waiver_exits_2_with_file_line_and_path(tmp_path, monkeypatch):
    params = write_params(tmp_path, "sys", system([{"id": "E9003", "resource": "Nothing", "reason": REASON}]))
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(params))
    monkeypatch.setenv("STACKC_BUILD_DIR", str(tmp_path / "build"))
    result = CliRunner().invoke(cli, ["build", "--system", "sys", "--env", "dev"])
    assert result.exit_code == 2
    line = next(x for x in result.output.splitlines() if "waivers[0].resource" in x)
    assert "_base.yaml:" in line and "matches no resource" in line and "Traceback" not in result.output


@pytest.mark.parametrize(
    "waiver, path",
    [
        ({"id": "E9003", "resource": "ApiService", "reason": "because"}, "waivers[0].reason"),
        ({"id": "E9003", "resource": "ApiService"}, "waivers[0].reason"),
        ({"id": "NOPE", "resource": "ApiService", "reason": REASON}, "waivers[0].id"),
        ({"id": "E9003", "resource": "a/b/c", "reason": REASON}, "waivers[0].resource"),
    ],
)
def test_a_waiver_needs_a_known_id_a_resource_and_a_sentence(tmp_path, waiver, path):
    params = write_params(tmp_path, "sys", system([waiver]))
    with pytest.raises(ConfigError) as err:
        load(Target("sys", "dev", params))
    assert [p.path for p in err.value.problems] == [path]


@pytest.mark.parametrize(
    "pattern, stack, logical_id, hit",
    [
        ("ApiService", "service-api", "ApiService", True),
        ("service-*/ApiService", "service-api", "ApiService", True),
        ("data/ApiService", "service-api", "ApiService", False),
        ("*LogGroup", "cluster", "ExecLogGroup", True),
        ("Api", "service-api", "ApiService", False),  # whole IDs, not prefixes
    ],
)
def test_patterns(pattern, stack, logical_id, hit):
    assert matches(pattern, stack, logical_id) is hit


# -- every params file in the repo ------------------------------------------------------------------

TARGETS = example_targets()


@pytest.mark.parametrize("target", TARGETS, ids=[f"{t.system}/{t.env}" for t in TARGETS])
def test_every_suppression_in_build_comes_from_a_waiver(target):
    """Any checkov skip or cfn-lint ignore in a template must be one a params waiver wrote, with its reason."""
    compiled = compiler.compile_target(target)
    declared = {(w.id, w.reason) for w in load(target).config.waivers}
    written = {(folder, a.waiver.id, r) for folder, a in compiled.applied_waivers() for r in a.resources}
    for name, text in compiled.templates.items():
        folder, _, stack = name.rpartition("/")
        template = json.loads(text)
        for found in in_template(stack, template):
            where = f"{target.system}/{target.env}/{name}: {found.logical_id}"
            assert (found.id, found.reason) in declared, f"{where}: {found.id} suppressed by no waiver"
            assert (folder, found.id, f"{stack}/{found.logical_id}") in written, where
        ignored_by_template = ((template.get("Metadata") or {}).get("cfn-lint") or {}).get("config")
        assert not ignored_by_template, f"{name}: a template-wide ignore no waiver wrote"


# -- the plan shows them ----------------------------------------------------------------------------


def test_the_plan_section_lists_each_waiver_with_its_reason(tmp_path):
    from templates_src.deploy import waivers as plan_waivers
    from templates_src.deploy.multiregion import Layout
    from templates_src.deploy.target import BuiltTarget

    params = write_params(
        tmp_path / "params", "sys", system([{"id": "E9003", "resource": "ApiService", "reason": REASON}])
    )
    compiled = compiler.compile_target(Target("sys", "dev", params))
    out = tmp_path / "build"
    compiler.write(compiled, out)
    layout = Layout.single(BuiltTarget("sys", "dev", out, "sys-dev"), "us-east-1")
    text = plan_waivers.render(plan_waivers.in_layout(layout))
    assert text.splitlines() == [
        "Waivers (1): findings that stay, decided in params",
        f"  E9003 on service-api/ApiService: {REASON}",
    ]
    assert f"- `E9003` on `service-api/ApiService`: {REASON}" in plan_waivers.render(
        plan_waivers.in_layout(layout), markdown=True
    )
    assert plan_waivers.render([]) == ""


@pytest.mark.emulator
def test_plan_json_carries_the_waivers(tmp_path, monkeypatch, aws_env):
    """`plan --format json` on the local endpoint: the review document gains `waivers[]`, read back from
    the templates the plan packaged."""
    from .helpers import invoke

    root = write_params(
        tmp_path / "params", "sys", system([{"id": "E9003", "resource": "ApiService", "reason": REASON}])
    )
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(root))
    result = invoke(aws_env, "plan", "-s", "sys", "-e", "dev", "--format", "json", "--cleanup")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["stack"] == "sys-dev"
    assert document["waivers"] == [
        {
            "id": "E9003",
            "folder": "",
            "stack": "service-api",
            "logical_id": "ApiService",
            "resource": "service-api/ApiService",
            "scanner": "cfn-lint",
            "reason": REASON,
        }
    ]
