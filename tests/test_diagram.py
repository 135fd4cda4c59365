"""`cli.py diagram`: drawn from the config, deterministic, and the README's diagrams are the current ones.

`python -m tests.test_diagram --update` rewrites the README's diagram section (review the diff like code)."""

from __future__ import annotations

import re
import sys

import pytest
from click.testing import CliRunner

from templates_src.cli import cli
from templates_src.config.load import Target, load
from templates_src.diagram import build, graphviz, mermaid

from .helpers import PARAMS_DIR, PROJECT_ROOT, write_params

SEED_SYSTEMS = [
    ("ash", "prod"),
    ("docuthinker", "prod"),
    ("fargate-api", "prod"),
    ("realworld", "prod"),
    ("vmx-ai", "prod"),
]
START, END = "<!-- diagrams:start (python -m tests.test_diagram --update) -->", "<!-- diagrams:end -->"


def drawing(system: str, env: str, params_dir=PARAMS_DIR):
    return build.build(load(Target(system, env, params_dir)).config, f"{system}/{env}")


def readme_section() -> str:
    parts = [START]
    for system, env in SEED_SYSTEMS:
        parts += ["", f"#### {system} ({env})", "", "```mermaid", mermaid.render(drawing(system, env)).rstrip(), "```"]
    return "\n".join([*parts, "", END])


def test_readme_diagrams_are_current():
    text = (PROJECT_ROOT / "README.md").read_text()
    found = re.search(re.escape(START) + r".*?" + re.escape(END), text, flags=re.S)
    assert found, "README.md has no diagram section"
    assert found.group(0) == readme_section(), "README diagrams are stale: python -m tests.test_diagram --update"


def test_drawn_from_the_config(tmp_path):
    root = write_params(
        tmp_path / "params",
        "shop",
        {
            "regions": ["eu-west-1"],
            "network": {"azs": 3, "nat": "per-az", "interface_endpoints": ["logs"]},
            "data": {"db": {"kind": "rds-postgres"}, "files": {"kind": "s3"}},
            "services": {
                "web": {"containers": {"web": {"image": "nginx", "ports": [{"port": 80}]}}, "uses": ["db", "files"]},
                "admin": {"containers": {"admin": {"image": "nginx", "ports": [{"port": 81}]}}, "public_ip": True},
            },
            "load_balancers": {
                "edge": {
                    "listeners": [
                        {
                            "port": 80,
                            "protocol": "HTTP",
                            "service": "web",
                            "rules": [{"priority": 5, "service": "admin", "paths": ["/admin/*"]}],
                        }
                    ]
                }
            },
        },
    )
    text = mermaid.render(drawing("shop", "dev", root))
    assert 'eu_west_1_vpc["VPC 10.0.0.0/16, 3 AZs, 3 NAT gateways"]' in text
    assert "eu_west_1_nat[" in text and "interface endpoints<br/>logs" in text
    # tiers: the db in isolated subnets, the bucket outside the VPC, the public-IP service in public subnets
    isolated = text.split('eu_west_1_isolated["isolated subnets"]')[1].split("end")[0]
    assert "eu_west_1_data_db" in isolated
    public = text.split('eu_west_1_public["public subnets"]')[1].split("end")[0]
    assert "eu_west_1_svc_admin" in public and "eu_west_1_lb_edge(" in public
    assert 'eu_west_1_data_files[("files<br/>S3 bucket")]' in text
    # load balancer -> listener -> services (rules labelled) -> stores
    assert "internet --> eu_west_1_lb_edge" in text
    assert "eu_west_1_lb_edge --> eu_west_1_lb_edge_80" in text
    assert 'eu_west_1_lb_edge_80 -->|"default"| eu_west_1_svc_web' in text
    assert 'eu_west_1_lb_edge_80 -->|"/admin/*"| eu_west_1_svc_admin' in text
    assert 'eu_west_1_svc_web -->|"uses"| eu_west_1_data_db' in text


def test_failover_draws_both_regions_behind_route53():
    text = mermaid.render(drawing("docuthinker", "prod"))
    assert 'us_east_1_region["us-east-1 (primary)"]' in text and 'us_west_2_region["us-west-2 (secondary)"]' in text
    assert 'route53 -->|"PRIMARY"| us_east_1_lb_web' in text and 'route53 -->|"SECONDARY"| us_west_2_lb_web' in text
    assert "1-10 tasks" in text  # the pilot-light secondary runs at its minimum


def test_every_edge_joins_drawn_nodes_and_ids_are_unique():
    for system, env in SEED_SYSTEMS:
        d = drawing(system, env)
        ids = [n.id for n in _all_nodes(d.top)]
        assert len(ids) == len(set(ids)), system
        assert all(e.source in ids and e.target in ids for e in d.edges), system


def _all_nodes(group):
    yield from group.nodes
    for sub in group.groups:
        yield from _all_nodes(sub)


def test_dot_output_and_cli(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["diagram", "-s", "realworld", "-e", "prod"])
    assert out.exit_code == 0 and out.output.startswith("flowchart LR")
    assert runner.invoke(cli, ["diagram", "-s", "realworld", "-e", "prod"]).output == out.output
    dot = runner.invoke(
        cli, ["diagram", "-s", "realworld", "-e", "prod", "--format", "dot", "-o", str(tmp_path / "d.dot")]
    )
    assert dot.exit_code == 0
    text = (tmp_path / "d.dot").read_text()
    assert text.startswith("digraph stackc {") and "subgraph cluster_us_east_1_vpc" in text
    assert runner.invoke(cli, ["diagram", "-s", "nosuch", "-e", "prod"]).exit_code == 2


# DOT's grammar as graphviz.render writes it: a quoted string (with \\ and \" escapes), an ID, statements.
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_VALUE = rf"(?:{_QUOTED}|{_ID}|[0-9]+(?:\.[0-9]+)?)"
_ATTRS = rf"\[{_ID}={_VALUE}(?:, {_ID}={_VALUE})*\]"
_STATEMENTS = {
    "open": re.compile(rf"^(?:digraph {_ID}|subgraph cluster_{_ID}) \{{$"),
    "graph attribute": re.compile(rf"^{_ID}={_VALUE};$"),
    "node defaults": re.compile(rf"^node {_ATTRS};$"),
    "node": re.compile(rf"^({_ID}) {_ATTRS};$"),
    "edge": re.compile(rf"^({_ID}) -> ({_ID})(?: {_ATTRS})?;$"),
}


def check_dot(text: str) -> None:
    """Every line one statement of the grammar above, braces balanced, each node declared once, every edge between
    declared nodes, each cluster's name unique: what `dot` needs to parse the text."""
    depth, nodes, edges, clusters = 0, [], [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line == "}":
            depth -= 1
            assert depth >= 0, f"line {number}: a brace closes nothing"
            continue
        kind = next((k for k, pattern in _STATEMENTS.items() if pattern.match(line)), None)
        assert kind, f"line {number} is not a DOT statement stackc writes: {line!r}"
        if kind == "open":
            depth += 1
            clusters.append(line)
        elif kind == "node":
            nodes.append(_STATEMENTS["node"].match(line).group(1))
        elif kind == "edge":
            edges.append(_STATEMENTS["edge"].match(line).groups())
    assert depth == 0, "unbalanced braces"
    assert len(nodes) == len(set(nodes)), "a node declared twice"
    assert len(clusters) == len(set(clusters)), "two clusters of one name"
    assert all(a in nodes and b in nodes for a, b in edges), "an edge to an undeclared node"


def test_dot_text_is_well_formed_and_deterministic():
    """The text fed to `dot`, for every seed system: checked without Graphviz, so it holds on any machine."""
    for system, env in SEED_SYSTEMS:
        text = graphviz.render(drawing(system, env))
        check_dot(text)
        assert graphviz.render(drawing(system, env)) == text, system
    escaped = graphviz.render(build.build(load(Target("realworld", "prod", PARAMS_DIR)).config, 'a "quoted" \\ title'))
    check_dot(escaped)
    assert 'label="a \\"quoted\\" \\\\ title";' in escaped


def test_missing_dot_is_said_plainly(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on the PATH, whatever this machine has
    result = CliRunner().invoke(cli, ["diagram", "-s", "realworld", "-e", "prod", "-o", str(tmp_path / "d.svg")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (
        "SVG needs Graphviz's `dot` (apt-get install graphviz)" in result.output
        and "--format mermaid or dot" in result.output
    )
    assert not (tmp_path / "d.svg").exists()


@pytest.mark.skipif(
    not graphviz.available(),
    reason="Graphviz's dot is not installed (apt-get install graphviz): the SVG itself is drawn by it; the DOT text it "
    "would read is checked by test_dot_text_is_well_formed_and_deterministic",
)
def test_svg_drawn_by_graphviz(tmp_path):
    """With Graphviz installed: every seed's SVG parses as XML and holds each node (dot titles a node by its ID)."""
    import xml.etree.ElementTree as ET

    runner = CliRunner()
    for system, env in SEED_SYSTEMS:
        out = tmp_path / f"{system}.svg"
        result = runner.invoke(cli, ["diagram", "-s", system, "-e", env, "-o", str(out)])
        assert result.exit_code == 0, result.output
        root = ET.fromstring(out.read_text())
        assert root.tag == "{http://www.w3.org/2000/svg}svg", system
        titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
        ids = {n.id for n in _all_nodes(drawing(system, env).top)}
        assert ids <= titles, (system, sorted(ids - titles))


if __name__ == "__main__":
    if "--update" in sys.argv:
        path = PROJECT_ROOT / "README.md"
        text = path.read_text()
        section = readme_section()
        new, n = re.subn(re.escape(START) + r".*?" + re.escape(END), lambda _: section, text, flags=re.S)
        if n != 1:
            sys.exit("README.md has no diagram section to update")
        path.write_text(new)
    else:
        print(readme_section())
