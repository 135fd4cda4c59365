"""Region names: checked against botocore's partition data when params load, and lint runs cfn-lint for
the region each template deploys to."""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from templates_src.config.aws_regions import check_region, known_regions
from templates_src.lint import lint_targets

from .helpers import write_params


def _botocore_endpoint_regions() -> set[str]:
    """The regions of botocore's other region table (endpoints.json), read independently."""
    folder = Path(next(iter(find_spec("botocore").submodule_search_locations)))
    data = json.loads((folder / "data" / "endpoints.json").read_text())
    return {r for p in data["partitions"] for r in p["regions"]}


def test_known_regions_come_from_botocore():
    known = known_regions()
    assert {"us-east-1", "eu-west-3", "ap-southeast-2", "cn-north-1", "us-gov-west-1"} <= known
    assert not any(r.endswith("-global") for r in known)  # endpoint aliases are not regions
    assert _botocore_endpoint_regions() <= known
    assert "eu-west-9" not in known


def test_check_region_suggests_close_names():
    assert check_region("eu-west-1") == "eu-west-1"
    with pytest.raises(ValueError, match=r"did you mean eu-west-3 or eu-west-2\? known regions: af-south-1, "):
        check_region("eu-west-9")


def _build(tmp_path, monkeypatch, base: str):
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text(base)
    (folder / "dev.yaml").write_text("")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    monkeypatch.setenv("STACKC_BUILD_DIR", str(tmp_path / "build"))
    return CliRunner().invoke(cli.cli, ["build", "-s", "s", "-e", "dev"])


@pytest.mark.parametrize(
    "base, expected",
    [
        ("description: x\nregions: [eu-west-9]\n", "params/s/_base.yaml:2: regions[0]: expected a region AWS has"),
        (
            "regions: [us-east-1, us-west-2]\nregion_overrides:\n  us-esat-1: {}\n",
            "params/s/_base.yaml:3: region_overrides.us-esat-1: expected a region AWS has",
        ),
        (
            "regions: [us-east-1, us-west-2]\n"
            "failover: {domain: a.example.com, hosted_zone_id: Z1, primary: us-west-9}\n",
            "params/s/_base.yaml:2: failover.primary: expected a region AWS has",
        ),
    ],
    ids=["regions", "region-overrides", "failover-primary"],
)
def test_an_unknown_region_is_a_config_error(tmp_path, monkeypatch, base, expected):
    result = _build(tmp_path, monkeypatch, base)
    assert result.exit_code == 2, result.output
    assert expected in result.output, result.output
    assert "known regions: af-south-1," in result.output and "us-east-1" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "build" / "s").exists()  # nothing built


def test_lint_checks_each_template_for_its_own_region(tmp_path):
    """Timestream has no endpoint in af-south-1: cfn-lint says so only when it lints for that region."""
    system = {"data": {"metrics": {"kind": "timestream"}}}
    write_params(tmp_path / "params", "here", {"regions": ["af-south-1"], **system})
    write_params(tmp_path / "params", "there", {"regions": ["us-east-1"], **system})
    from templates_src.config.load import Target

    def e3006(system: str) -> list[str]:
        target = Target(system, "dev", tmp_path / "params")
        _, findings = lint_targets([target], build_dir=tmp_path / "build")
        return [f.message for f in findings if f.rule == "E3006"]

    assert any("does not exist in 'af-south-1'" in m for m in e3006("here"))
    assert e3006("there") == []
