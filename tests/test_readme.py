"""The README's params examples are real: each full example builds (and lints clean)."""

from __future__ import annotations

import re

import yaml

from templates_src import compiler
from templates_src.config.load import Target
from templates_src.lint import lint_paths

from .helpers import PROJECT_ROOT, write_params


def yaml_blocks() -> list[str]:
    text = (PROJECT_ROOT / "README.md").read_text()
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_services_and_data_example_builds_and_lints(tmp_path):
    block = next(b for b in yaml_blocks() if b.lstrip().startswith("services:") and "load_balancers:" in b)
    write_params(tmp_path / "params", "readme", yaml.safe_load(block))
    compiled = compiler.compile_target(Target("readme", "dev", tmp_path / "params"))
    out = tmp_path / "out"
    compiler.write(compiled, out)
    assert {"service-api", "service-admin", "data", "keys", "loadbalancing"} <= set(compiled.templates)
    findings = lint_paths([out / f"{n}.json" for n in compiled.templates])
    assert findings == [], "\n".join(f"{f.template} {f.rule} {f.path}: {f.message}" for f in findings)


def test_network_example_builds(tmp_path):
    block = next(b for b in yaml_blocks() if "network:" in b and "cluster:" in b)
    write_params(tmp_path / "params", "readme", yaml.safe_load(block))
    compiled = compiler.compile_target(Target("readme", "dev", tmp_path / "params"))
    assert {"network", "cluster"} <= set(compiled.templates)
