"""Errors name the file and line that introduced the problem (env overlay or base), and suggest the
closest name ("did you mean") for unknown keys and names."""

from __future__ import annotations

from click.testing import CliRunner

import cli


def build(tmp_path, monkeypatch, base: str, dev: str) -> str:
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text(base)
    (folder / "dev.yaml").write_text(dev)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = CliRunner().invoke(cli.cli, ["build", "-s", "s", "-e", "dev"])
    assert result.exit_code == 2, result.output
    return result.output


BASE = """\
services:
  web:
    containers:
      web:
        image: public.ecr.aws/nginx/nginx
        ports: [{port: 80}]
load_balancers:
  web:
    listeners:
      - {port: 80, protocol: HTTP, service: web}
"""


def test_a_misspelt_service_in_the_env_file_is_the_env_files(tmp_path, monkeypatch):
    out = build(tmp_path, monkeypatch, BASE, "# dev\nservices:\n  wbe:\n    desired_count: 1\n")
    assert "params/s/dev.yaml:3: services.wbe.containers: required field is missing" in out, out
    assert "did you mean 'web' from params/s/_base.yaml?" in out, out
    assert "_base.yaml:" not in out.replace("from params/s/_base.yaml", ""), out


def test_a_reference_to_an_unknown_name_suggests_the_closest(tmp_path, monkeypatch):
    dev = "load_balancers:\n  web:\n    listeners:\n      - {port: 80, protocol: HTTP, service: wbe}\n"
    out = build(tmp_path, monkeypatch, BASE, dev)
    assert "params/s/dev.yaml:4: load_balancers.web.listeners[0].service:" in out, out
    assert "did you mean 'web'?" in out, out


def test_an_unknown_literal_suggests_the_closest(tmp_path, monkeypatch):
    out = build(tmp_path, monkeypatch, BASE, "network:\n  nat: per_az\n")
    assert "params/s/dev.yaml:2: network.nat:" in out and "did you mean 'per-az'?" in out, out


def test_a_semantic_error_in_the_base_has_its_line(tmp_path, monkeypatch):
    base = BASE.replace("service: web}", "service: api}")
    out = build(tmp_path, monkeypatch, base, "")
    assert "params/s/_base.yaml:10: load_balancers.web.listeners[0].service:" in out, out


def test_a_nested_unknown_key_in_the_env_file(tmp_path, monkeypatch):
    out = build(tmp_path, monkeypatch, BASE, "services:\n  web:\n    memroy: 1024\n")
    assert "params/s/dev.yaml:3: services.web.memroy: unknown key 'memroy'; did you mean 'memory'?" in out, out
