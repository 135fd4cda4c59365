"""Broken params files through the real CLI: exit 2, one readable message per problem, no traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import cli

GOOD_BASE = "network:\n  azs: 2\n"

# (case id, _base.yaml text or None for no file, dev.yaml text, expected fragments of the message)
CASES = [
    ("yaml-syntax", "network:\n  azs: [2\n", "", ["params/s/_base.yaml:", "is not valid YAML", ":3"]),
    ("yaml-tab", GOOD_BASE, "network:\n\tazs: 2\n", ["params/s/dev.yaml", "is not valid YAML"]),
    ("duplicate-key", "network:\n  azs: 2\n  azs: 3\n", "", ["duplicate key 'azs'"]),
    (
        "endpoint-twice",
        "network:\n  interface_endpoints: [logs, ecr.api, logs]\n",
        "",
        ["network.interface_endpoints[2]:", "listed twice", "got 'logs'"],
    ),
    ("not-a-mapping", "- a\n- b\n", "", ["params/s/_base.yaml", "expected a mapping", "got a list"]),
    ("scalar-file", "just text\n", "", ["expected a mapping", "got a string"]),
    ("not-text", b"\xff\xfe\x00\x01binary".decode("latin-1"), "", ["is not UTF-8 text"]),
    (
        "unknown-top-key",
        GOOD_BASE,
        "netwrok:\n  azs: 2\n",
        ["params/s/dev.yaml:1: netwrok:", "unknown key 'netwrok'; did you mean 'network'?", "expected one of:"],
    ),
    (
        "unknown-nested-key",
        "network:\n  azz: 2\n",
        "",
        ["network.azz:", "unknown key 'azz'", "expected one of:", "azs"],
    ),
    ("wrong-type", GOOD_BASE, "network:\n  azs: two\n", ["params/s/dev.yaml:2: network.azs:", "whole number", "'two'"]),
    ("out-of-range", GOOD_BASE, "network:\n  azs: 4\n", ["network.azs:", "<= 3", "got 4"]),
    ("bad-cidr", "network:\n  cidr: 10.0.0.300/16\n", "", ["network.cidr:", "IPv4 CIDR", "10.0.0.300/16"]),
    ("cidr-host-bits", "network:\n  cidr: 10.0.0.1/16\n", "", ["network.cidr:", "host bits set"]),
    ("vpc-too-large", "network:\n  cidr: 10.0.0.0/8\n", "", ["network.cidr:", "between /16 and /24"]),
    (
        "overlapping-subnets",
        """network:
  cidr: 10.0.0.0/16
  azs: 2
  subnets:
    public: [10.0.0.0/24, 10.0.1.0/24]
    private: [10.0.1.0/24, 10.0.2.0/24]
    isolated: [10.0.3.0/24, 10.0.4.0/24]
""",
        "",
        ["network.subnets.private[0]:", "overlaps network.subnets.public[1]"],
    ),
    (
        "subnet-outside-vpc",
        """network:
  cidr: 10.0.0.0/16
  azs: 2
  subnets:
    public: [10.1.0.0/24, 10.0.1.0/24]
    private: [10.0.2.0/24, 10.0.3.0/24]
    isolated: [10.0.4.0/24, 10.0.5.0/24]
""",
        "",
        ["network.subnets.public[0]:", "inside the VPC CIDR"],
    ),
    (
        "subnet-count",
        """network:
  azs: 3
  subnets:
    public: [10.0.0.0/24]
    private: [10.0.2.0/24, 10.0.3.0/24, 10.0.4.0/24]
    isolated: [10.0.5.0/24, 10.0.6.0/24, 10.0.7.0/24]
""",
        "",
        ["network.subnets.public:", "expected 3 CIDRs"],
    ),
    ("bad-nat-mode", GOOD_BASE, "network:\n  nat: always\n", ["network.nat:", "expected one of", "per-az"]),
    (
        "subnet-prefix-too-large",
        "network:\n  cidr: 10.0.0.0/24\n  subnet_prefix: 26\n",
        "",
        ["network.subnet_prefix:", "the layout needs 12"],
    ),
    ("existing-without-ids", "network:\n  mode: existing\n", "", ["network.existing:", "needs an 'existing' block"]),
    (
        "bad-vpc-id",
        "network:\n  mode: existing\n  existing:\n    vpc_id: vpc-XYZ\n",
        "",
        ["network.existing.vpc_id:", "vpc-XYZ"],
    ),
    ("bad-bool", GOOD_BASE, "network:\n  s3_endpoint: 'yes'\n", ["network.s3_endpoint:", "true or false"]),
    (
        "capacity-duplicate",
        "cluster:\n  capacity:\n    - {provider: FARGATE}\n    - {provider: FARGATE}\n",
        "",
        ["cluster.capacity[1].provider:", "once"],
    ),
    (
        "capacity-two-bases",
        "cluster:\n  capacity:\n    - {provider: FARGATE, base: 1}\n    - {provider: FARGATE_SPOT, base: 1}\n",
        "",
        ["cluster.capacity:", "only one provider may have a base"],
    ),
    (
        "bad-retention",
        GOOD_BASE,
        "network:\n  flow_logs:\n    retention_days: 10\n",
        ["network.flow_logs.retention_days:", "expected one of"],
    ),
    ("bad-region", "regions: [mars-north-1x]\n", "", ["regions[0]:", "mars-north-1x"]),
    (
        "missing-field",
        "network:\n  subnets:\n    public: [10.0.0.0/24, 10.0.1.0/24]\n",
        "",
        ["network.subnets.private:", "required field is missing"],
    ),
    ("no-base", None, "network:\n  azs: 2\n", ["params/s/dev.yaml", "has no base", "_base.yaml"]),
    ("several-problems-at-once", "network:\n  azs: 9\n  nat: sometimes\n", "", ["network.azs:", "network.nat:"]),
    # found by tests/test_fuzz_params.py: YAML that PyYAML reads into values no template can hold
    ("list-as-key", "? [a, b]\n: 1\n", "", ["params/s/_base.yaml:1:", "is not valid YAML", "found a list as a key"]),
    ("mapping-as-key", GOOD_BASE, "network:\n  ? {a: 1}\n  : 2\n", ["params/s/dev.yaml:2:", "found a dict as a key"]),
    (
        "number-too-long",
        "network:\n  azs: " + "9" * 5000 + "\n",
        "",
        ["params/s/_base.yaml:2:", "is not valid YAML", "cannot read '9999", "4300 digits"],
    ),
    (
        "impossible-date",
        "description: 2001-13-45\n",
        "",
        ["params/s/_base.yaml:1:", "cannot read '2001-13-45'", "month must be in 1..12"],
    ),
    ("lone-surrogate", 'tags: {team: "\\ud800"}\n', "", ["params/s/_base.yaml", "tags.team:", "lone surrogate"]),
    (
        "infinite-number",
        GOOD_BASE,
        "data:\n  db: {kind: aurora-postgres, serverless_v2: {max_acu: .inf}}\n",
        ["params/s/dev.yaml", "data.db.serverless_v2.max_acu:", "finite number", "got inf"],
    ),
    (
        "not-a-number",
        GOOD_BASE,
        "data:\n  db: {kind: aurora-postgres, serverless_v2: {min_acu: .nan}}\n",
        ["data.db.serverless_v2.min_acu:", "finite number"],
    ),
    (
        "bool-for-a-choice-of-numbers",
        "network:\n  flow_logs: {retention_days: true}\n",
        "",
        ["network.flow_logs.retention_days:", "expected one of 1, 3, 5", "a number, not true"],
    ),
    ("key-like-a-pydantic-branch", "'[':\n  x: 1\n", "", ["params/s/_base.yaml:1: [:", "unknown key '['"]),
    ("non-text-key", "tags: {1: a}\n", "", ["params/s/_base.yaml:1: tags.1:", "expected text"]),
    (
        "unknown-key-of-a-store-kind",
        "data:\n  b: {kind: s3, sise: 1}\n",
        "",
        ["data.b.sise:", "unknown key 'sise'; expected one of: access,", "lifecycle, versioning"],
    ),
]


@pytest.mark.parametrize("case_id, base, env, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_params_exit_2_with_a_clear_message(tmp_path, monkeypatch, case_id, base, env, expected):
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    if base is not None:
        (folder / "_base.yaml").write_bytes(base.encode("latin-1") if case_id == "not-text" else base.encode())
    (folder / "dev.yaml").write_text(env)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = CliRunner().invoke(cli.cli, ["build", "--system", "s", "--env", "dev"])
    out = result.output
    assert result.exit_code == 2, out
    assert "Traceback" not in out and "internal error" not in out, out
    for fragment in expected:
        assert fragment in out, f"{fragment!r} not in:\n{out}"


def test_problems_are_one_line_each(tmp_path, monkeypatch):
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text("network:\n  azs: 9\n  nat: sometimes\n  cidr: nope\n")
    (folder / "dev.yaml").write_text("")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = CliRunner().invoke(cli.cli, ["build", "-s", "s", "-e", "dev"])
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 3, result.output


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--system", "nope", "--env", "dev"], "unknown system 'nope'"),
        (["--system", "s", "--env", "staging"], "unknown env 'staging' for system 's'"),
    ],
)
def test_unknown_system_or_env(tmp_path, monkeypatch, args, expected):
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text(GOOD_BASE)
    (folder / "dev.yaml").write_text("")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = CliRunner().invoke(cli.cli, ["build", *args])
    assert result.exit_code == 2
    assert (expected in result.output and "(envs: dev)" in result.output) or "(systems: s)" in result.output
    assert "Traceback" not in result.output


def test_env_value_errors_name_the_env_file_and_base_errors_the_base(tmp_path, monkeypatch):
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text("network:\n  nat: sometimes\n")
    (folder / "dev.yaml").write_text("network:\n  azs: 7\n")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    out = CliRunner().invoke(cli.cli, ["build", "-s", "s", "-e", "dev"]).output
    assert "params/s/dev.yaml:2: network.azs:" in out
    assert "params/s/_base.yaml:2: network.nat:" in out
