"""`cli.py diagram`: drawn from the config, deterministic, and the README's diagrams are the current ones.

`python -m tests.test_diagram --update` rewrites the README's diagram section (review the diff like code)."""

from __future__ import annotations

import re
import sys

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


def test_svg_with_graphviz_or_a_clear_error(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["diagram", "-s", "realworld", "-e", "prod", "-o", str(tmp_path / "d.svg")])
    if graphviz.available():
        assert result.exit_code == 0 and (tmp_path / "d.svg").read_text().lstrip().startswith("<")
    else:  # this machine has no Graphviz: the command says what to install, no traceback
        assert result.exit_code == 2 and "Graphviz" in result.output


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
