"""Security-scanner waivers (parts/scanners.py): written only from the builders' reasons, each with its
comment, each listed in README "Security scanners". Which resource gets one is asserted per area
(test_data, test_loadbalancing, test_services, test_network, test_cluster); this file checks the
whole set over every params file."""

from __future__ import annotations

import json
import re

import pytest
from troposphere import logs

from templates_src import compiler
from templates_src.parts.scanners import CHECKS, skip, skips

from .helpers import PROJECT_ROOT, example_targets


@pytest.fixture(scope="module")
def templates() -> dict[str, dict]:
    out = {}
    for target in example_targets():
        for name, text in compiler.compile_target(target).templates.items():
            out[f"{target.system}/{target.env}/{name}"] = json.loads(text)
    return out


def readme_table() -> dict[str, str]:
    text = (PROJECT_ROOT / "README.md").read_text()
    section = text.split("## Security scanners", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `(CKV_AWS_\d+)`.*$", section, flags=re.M)}


def test_readme_lists_every_check_a_builder_may_skip():
    assert set(readme_table()) == set(CHECKS)


def test_every_waiver_is_known_and_explained(templates):
    seen = set()
    for where, template in templates.items():
        for name, res in template.get("Resources", {}).items():
            for waiver in (res.get("Metadata") or {}).get("checkov", {}).get("skip", []):
                assert waiver["id"] in CHECKS, f"{where}: {name}"
                assert len(waiver["comment"]) > 40, f"{where}: {name}"
                seen.add(waiver["id"])
    # The params in the repo exercise most of them; the rest are asserted in the area tests.
    assert {"CKV_AWS_91", "CKV_AWS_158", "CKV_AWS_260"} <= seen


def test_no_waiver_on_what_the_params_configure(templates):
    """Where the params name a key, the resources it encrypts carry no 'no key configured' waiver."""
    for where in ("vmx-ai/prod/network", "vmx-ai/prod/cluster", "vmx-ai/prod/observability", "vmx-ai/prod/service-api"):
        assert not {i for ids in skips(templates[where]).values() for i in ids} & {"CKV_AWS_158", "CKV_AWS_26"}, where


def test_skip_keeps_other_metadata_and_refuses_unknown_checks():
    group = logs.LogGroup("G", Metadata={"cfn-lint": {"config": {"ignore_checks": ["W1"]}}})
    skip(group, "CKV_AWS_158", "why one")
    skip(group, "CKV_AWS_7", "why two")
    assert group.Metadata["cfn-lint"] == {"config": {"ignore_checks": ["W1"]}}
    assert group.Metadata["checkov"]["skip"] == [
        {"id": "CKV_AWS_158", "comment": "why one"},
        {"id": "CKV_AWS_7", "comment": "why two"},
    ]
    with pytest.raises(ValueError, match="not a check stackc skips"):
        skip(group, "CKV_AWS_999", "nope")
