"""templates_src/cost: quantities read from templates, prices from the dated table, every assumption stated."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from templates_src.cli import cli
from templates_src.cost import estimate, prices, render
from templates_src.cost.estimate import StackInput, _split
from templates_src.cost.stacks import resolve

TABLE = prices.load()
H = TABLE.hours_per_month


def run(resources: dict, region: str = "us-east-1", parameters: dict | None = None, **assume) -> estimate.Estimate:
    stack = StackInput(region, "s", {"Resources": resources}, parameters or {})
    return estimate.estimate([stack], TABLE.with_assumptions(assume))


def res(rtype: str, **props) -> dict:
    return {"Type": rtype, "Properties": props}


def price(key: str, variant: str | None = None, region: str = "us-east-1") -> float:
    p = TABLE.price(key, region, variant)
    assert p is not None
    return p.value


def test_table_is_dated_and_every_price_names_a_known_source():
    assert TABLE.date and TABLE.hours_per_month == 730
    for key, entry in TABLE.prices.items():
        assert entry["source"] in TABLE.sources, key
        for cls in entry.get("classes", {}).values():
            assert cls.get("source", entry["source"]) in TABLE.sources, key
    for source in TABLE.sources.values():
        assert source["url"] and source["seen"] and source["about"]


def test_fargate_task_size_count_and_spot_split():
    task = res("AWS::ECS::TaskDefinition", Cpu="512", Memory="1024")
    svc = res(
        "AWS::ECS::Service",
        TaskDefinition={"Ref": "Task"},
        DesiredCount=4,
        CapacityProviderStrategy=[
            {"CapacityProvider": "FARGATE", "Weight": 1, "Base": 1},
            {"CapacityProvider": "FARGATE_SPOT", "Weight": 3},
        ],
    )
    (line,) = run({"Task": task, "Svc": svc}).lines
    on_demand = 1 + 3 * 0.25  # the base task, then a quarter of the other three
    spot = 3 * 0.75
    expected = on_demand * (0.5 * price("fargate_vcpu_hour") + price("fargate_gb_hour")) * H
    expected += spot * (0.5 * price("fargate_spot_vcpu_hour") + price("fargate_spot_gb_hour")) * H
    assert line.monthly == pytest.approx(expected)
    assert "4 tasks (desired count" in line.quantity and "Spot" in line.quantity


def test_scaling_minimum_wins_over_desired_count_and_parameters_resolve():
    resources = {
        "Task": res("AWS::ECS::TaskDefinition", Cpu={"Ref": "Cpu"}, Memory="2048"),
        "Svc": res("AWS::ECS::Service", TaskDefinition={"Ref": "Task"}, DesiredCount=5),
        "Scale": res(
            "AWS::ApplicationAutoScaling::ScalableTarget",
            MinCapacity={"Ref": "Min"},
            ResourceId={"Fn::Join": ["/", ["service", "c", {"Fn::GetAtt": ["Svc", "Name"]}]]},
        ),
    }
    (line,) = run(resources, parameters={"Cpu": "1024", "Min": "3"}).lines
    assert line.monthly == pytest.approx(3 * (price("fargate_vcpu_hour") + 2 * price("fargate_gb_hour")) * H)
    assert "auto scaling minimum" in line.quantity


def test_unknown_task_size_is_reported_not_guessed():
    resources = {
        "Task": res("AWS::ECS::TaskDefinition", Cpu={"Ref": "Cpu"}, Memory="2048"),
        "Svc": res("AWS::ECS::Service", TaskDefinition={"Ref": "Task"}),
    }
    est = run(resources)
    assert est.lines == () and "task size is not known" in est.unpriced[0]


def test_split_follows_bases_then_weights():
    assert _split(2, [("FARGATE", 1, 0)]) == (2, 0)
    assert _split(1, [("FARGATE_SPOT", 1, 0)]) == (0, 1)
    assert _split(2, [("FARGATE", 1, 2), ("FARGATE_SPOT", 10, 0)]) == (2, 0)


def test_load_balancers_nat_and_interface_endpoints():
    est = run(
        {
            "Alb": res("AWS::ElasticLoadBalancingV2::LoadBalancer", Type="application"),
            "Nlb": res("AWS::ElasticLoadBalancingV2::LoadBalancer", Type="network"),
            "Nat": res("AWS::EC2::NatGateway"),
            "Ecr": res(
                "AWS::EC2::VPCEndpoint",
                VpcEndpointType="Interface",
                SubnetIds=[{"Ref": "A"}, {"Ref": "B"}, {"Ref": "C"}],
            ),
            "S3": res("AWS::EC2::VPCEndpoint", VpcEndpointType="Gateway"),
        },
        alb_lcu=2,
        nat_gb=1000,
    )
    by_id = {line.logical_id: line for line in est.lines}
    assert by_id["Alb"].monthly == pytest.approx((price("alb_hour") + 2 * price("alb_lcu_hour")) * H)
    assert by_id["Nlb"].monthly == pytest.approx((price("nlb_hour") + price("nlb_nlcu_hour")) * H)
    assert by_id["Nat"].monthly == pytest.approx(price("nat_hour") * H + 1000 * price("nat_gb"))
    assert by_id["Ecr"].monthly == pytest.approx(3 * price("endpoint_az_hour") * H + 10 * price("endpoint_gb"))
    assert "S3" not in by_id  # gateway endpoints are free
    assert est.assumptions_used() == {"alb_lcu": 2, "endpoint_gb": 10, "nat_gb": 1000, "nlb_nlcu": 1}


def test_databases_multi_az_doubles_and_serverless_v2_runs_at_its_minimum():
    est = run(
        {
            "Rds": res(
                "AWS::RDS::DBInstance",
                Engine="postgres",
                DBInstanceClass="db.t4g.small",
                MultiAZ=True,
                AllocatedStorage="50",
            ),
            "Cluster": res(
                "AWS::RDS::DBCluster", Engine="aurora-postgresql", ServerlessV2ScalingConfiguration={"MinCapacity": 2}
            ),
            "Writer": res(
                "AWS::RDS::DBInstance",
                Engine="aurora-postgresql",
                DBClusterIdentifier={"Ref": "Cluster"},
                DBInstanceClass="db.serverless",
            ),
        }
    )
    by_id = {line.logical_id: line for line in est.lines}
    assert by_id["Rds"].monthly == pytest.approx(
        2 * price("rds_postgres_hour", "db.t4g.small") * H + 2 * 50 * price("rds_gp3_gb_month")
    )
    assert by_id["Writer"].monthly == pytest.approx(2 * price("aurora_acu_hour") * H)
    assert "Cluster" in by_id and by_id["Cluster"].assumptions == ("aurora_storage_gb", "aurora_io_million")


def test_caches_serverless_minimum_and_nodes():
    est = run(
        {
            "Valkey": res("AWS::ElastiCache::ServerlessCache", Engine="valkey"),
            "Redis": res("AWS::ElastiCache::ServerlessCache", Engine="redis"),
            "Group": res(
                "AWS::ElastiCache::ReplicationGroup",
                CacheNodeType="cache.t4g.small",
                NumCacheClusters=2,
                Engine="redis",
            ),
        },
        cache_ecpu_million=0,
    )
    by_id = {line.logical_id: line for line in est.lines}
    assert by_id["Valkey"].monthly == pytest.approx(0.1 * price("valkey_serverless_gb_hour") * H)
    assert by_id["Redis"].monthly == pytest.approx(1.0 * price("redis_serverless_gb_hour") * H)
    assert by_id["Group"].monthly == pytest.approx(2 * price("cache_node_hour", "cache.t4g.small") * H)


def test_flat_monthly_items_and_log_retention():
    est = run(
        {
            "Alarm": res("AWS::CloudWatch::Alarm"),
            "Dash": res("AWS::CloudWatch::Dashboard"),
            "Secret": res("AWS::SecretsManager::Secret"),
            "Key": res("AWS::KMS::Key"),
            "Zone": res("AWS::Route53::HostedZone"),
            "Check": res("AWS::Route53::HealthCheck", HealthCheckConfig={"Type": "HTTPS"}),
            "Acl": res("AWS::WAFv2::WebACL", Rules=[{}, {}]),
            "Logs": res("AWS::Logs::LogGroup", RetentionInDays=90),
        },
        log_gb=4,
    )
    by_id = {line.logical_id: line.monthly for line in est.lines}
    assert by_id["Alarm"] == pytest.approx(0.10) and by_id["Dash"] == pytest.approx(3.00)
    assert by_id["Secret"] == pytest.approx(0.40) and by_id["Key"] == pytest.approx(1.00)
    assert by_id["Zone"] == pytest.approx(0.50) and by_id["Check"] == pytest.approx(1.50)
    assert by_id["Acl"] == pytest.approx(5 + 2 + 10 * 0.60)
    assert by_id["Logs"] == pytest.approx(4 * 0.50 + 4 * 3 * 0.03)  # 90 days = 3 months kept


def test_missing_class_and_unknown_types_are_listed_as_unpriced():
    est = run(
        {
            "Db": res("AWS::RDS::DBInstance", Engine="postgres", DBInstanceClass="db.x99.huge"),
            "Q": res("AWS::SQS::Queue"),
            "Sg": res("AWS::EC2::SecurityGroup"),
        }
    )
    assert est.lines == ()
    assert any("Db" in u and "no price in the table" in u for u in est.unpriced)
    assert any("Q (AWS::SQS::Queue)" in u for u in est.unpriced)
    assert not any("Sg" in u for u in est.unpriced)


def test_region_without_a_price_falls_back_to_us_east_1_and_says_so():
    (line,) = run({"Nat": res("AWS::EC2::NatGateway")}, region="ap-southeast-2").lines
    assert line.approx
    (line,) = run({"Nat": res("AWS::EC2::NatGateway")}, region="eu-west-1").lines
    assert not line.approx and line.monthly == pytest.approx(price("nat_hour", region="eu-west-1") * H + 100 * 0.048)


def test_child_parameters_resolve_through_the_root():
    root = {
        "Parameters": {"Size": {"Type": "String", "Default": "db.t4g.micro"}},
        "Resources": {
            "DataStack": res(
                "AWS::CloudFormation::Stack",
                Parameters={"Class": {"Ref": "Size"}, "Vpc": {"Fn::GetAtt": ["N", "Outputs.V"]}},
            )
        },
    }
    child = {"Parameters": {"Class": {"Type": "String"}, "Vpc": {"Type": "String"}}, "Resources": {}}
    stacks = resolve("us-east-1", root, {"DataStack": ("data", child)}, {"Size": "db.t4g.small"})
    assert stacks[1].parameters == {"Class": "db.t4g.small"}


def test_assumption_errors_are_usage_errors(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["cost", "-s", "realworld", "-e", "prod", "--assume", "nope=1"])
    assert result.exit_code == 2 and "unknown key 'nope'" in result.output
    result = runner.invoke(cli, ["cost", "-s", "realworld", "-e", "prod", "--assume", "nat_gb"])
    assert result.exit_code == 2 and "KEY=NUMBER" in result.output
    result = runner.invoke(cli, ["cost", "-s", "nosuch", "-e", "prod"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_cli_formats_compare_and_determinism():
    runner = CliRunner()
    text = runner.invoke(cli, ["cost", "-s", "realworld", "-e", "prod"])
    assert text.exit_code == 0, text.output
    assert "NAT gateways" in text.output and "assumptions" in text.output and "nat_gb = 100" in text.output
    assert runner.invoke(cli, ["cost", "-s", "realworld", "-e", "prod"]).output == text.output
    data = json.loads(runner.invoke(cli, ["cost", "-s", "realworld", "-e", "prod", "--format", "json"]).output)
    assert data["monthly_total"] == pytest.approx(sum(line["monthly"] for line in data["lines"]), abs=0.05)
    assert data["assumptions"]["nat_gb"]["value"] == 100 and data["prices_date"] == TABLE.date
    assert all(line["sources"] for line in data["lines"])
    md = runner.invoke(cli, ["cost", "-s", "realworld", "-e", "dev", "--compare", "prod", "--format", "markdown"])
    assert md.exit_code == 0 and "| VPC endpoints | $0.00 |" in md.output
    cmp = json.loads(
        runner.invoke(cli, ["cost", "-s", "realworld", "-e", "dev", "--compare", "prod", "--format", "json"]).output
    )
    assert cmp["total_change"] == pytest.approx(cmp["other"]["monthly_total"] - cmp["base"]["monthly_total"], abs=0.02)


def test_multi_region_system_counts_every_region():
    runner = CliRunner()
    data = json.loads(runner.invoke(cli, ["cost", "-s", "docuthinker", "-e", "prod", "--format", "json"]).output)
    assert set(data["by_region"]) == {"us-east-1", "us-west-2"}
    assert any(line["component"] == "Route 53" for line in data["lines"])


def test_change_line_names_what_moves():
    a = run({"Nat": res("AWS::EC2::NatGateway")})
    b = run({"Nat": res("AWS::EC2::NatGateway"), "Nat2": res("AWS::EC2::NatGateway")})
    assert render.change_line(a, b).startswith("cost: +$37.35 a month")
    assert "no change" in render.change_line(a, a)
