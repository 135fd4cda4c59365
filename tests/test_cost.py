"""templates_src/cost: quantities read from templates, prices from the dated table, every assumption stated."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_queues_topics_and_their_paid_deliveries():
    est = run(
        {
            "Queue": res("AWS::SQS::Queue"),
            "Fifo": res(
                "AWS::SQS::Queue", FifoQueue=True, RedrivePolicy={"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}}
            ),
            "Dlq": res("AWS::SQS::Queue", FifoQueue=True),
            "Topic": res("AWS::SNS::Topic"),
            "ToQueue": res("AWS::SNS::Subscription", Protocol="sqs"),
            "ToHook": res("AWS::SNS::Subscription", Protocol="https"),
            "ToMail": res("AWS::SNS::Subscription", Protocol="email"),
            "ToPhone": res("AWS::SNS::Subscription", Protocol="sms"),
        },
        sqs_request_million=3,
        sns_publish_million=2,
    )
    by_id = {line.logical_id: line.monthly for line in est.lines}
    assert by_id["Queue"] == pytest.approx(3 * price("sqs_request_million"))
    assert by_id["Fifo"] == pytest.approx(3 * price("sqs_fifo_request_million"))
    assert by_id["Dlq"] == 0  # a dead-letter queue: only failed messages
    assert by_id["Topic"] == pytest.approx(2 * price("sns_publish_million"))
    assert by_id["ToHook"] == pytest.approx(2 * price("sns_http_delivery_million"))
    assert by_id["ToMail"] == pytest.approx(2 * 20.00)  # $2 per 100,000 e-mails
    assert "ToQueue" not in by_id  # SQS deliveries carry no charge
    assert any("ToPhone" in u and "vary by country" in u for u in est.unpriced)


def test_dynamodb_on_demand_provisioned_with_indexes_and_recovery():
    throughput = {"ReadCapacityUnits": {"Ref": "Read"}, "WriteCapacityUnits": 5}
    est = run(
        {
            "OnDemand": res(
                "AWS::DynamoDB::Table",
                BillingMode="PAY_PER_REQUEST",
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            ),
            "Provisioned": res(
                "AWS::DynamoDB::Table",
                BillingMode="PROVISIONED",
                ProvisionedThroughput=throughput,
                GlobalSecondaryIndexes=[{"IndexName": "i", "ProvisionedThroughput": throughput}],
            ),
            "Unknown": res(
                "AWS::DynamoDB::Table",
                ProvisionedThroughput={"ReadCapacityUnits": {"Ref": "Nope"}, "WriteCapacityUnits": 1},
            ),
        },
        parameters={"Read": "10"},
        dynamodb_gb=4,
        dynamodb_read_million=20,
        dynamodb_write_million=2,
    )
    by_id = {line.logical_id: line.monthly for line in est.lines}
    storage = 4 * price("dynamodb_gb_month")
    assert by_id["OnDemand"] == pytest.approx(
        storage
        + 20 * price("dynamodb_read_million")
        + 2 * price("dynamodb_write_million")
        + 4 * price("dynamodb_pitr_gb_month")
    )
    assert by_id["Provisioned"] == pytest.approx(
        storage + 20 * H * price("dynamodb_rcu_hour") + 10 * H * price("dynamodb_wcu_hour")
    )
    assert any("Unknown" in u and "capacity not known" in u for u in est.unpriced)


def test_replicated_images_are_stored_in_each_destination():
    repo = lambda name: res("AWS::ECR::Repository", RepositoryName=name)  # noqa: E731
    rule = {
        "Destinations": [{"Region": "us-west-2"}, {"Region": "eu-west-1"}],
        "RepositoryFilters": [{"Filter": "shop-prod-", "FilterType": "PREFIX_MATCH"}],
    }
    est = run(
        {
            "Api": repo("shop-prod-api"),
            "Web": repo("shop-prod-web"),
            "Other": repo("tools"),
            "Replication": res("AWS::ECR::ReplicationConfiguration", ReplicationConfiguration={"Rules": [rule]}),
        },
        ecr_gb=5,
    )
    replicas = [line for line in est.lines if line.logical_id == "Replication"]
    assert [line.monthly for line in replicas] == pytest.approx([2 * 5 * price("ecr_gb_month", region="us-west-2")] * 2)
    assert "2 repositories replicated to us-west-2" in replicas[0].quantity
    assert [line.region for line in replicas] == ["us-west-2", "eu-west-1"]  # billed where the replicas are stored


def test_a_distribution_is_priced_from_stated_traffic_wherever_its_stack_is():
    for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
        [line] = run(
            {"Cdn": res("AWS::CloudFront::Distribution")}, region=region, cdn_gb=200, cdn_request_million=3
        ).lines
        assert line.monthly == pytest.approx(200 * 0.085 + 3 * 1.00) and not line.approx  # a global price
        assert line.assumptions == ("cdn_gb", "cdn_request_million")


def test_an_edge_system_prices_its_distribution_and_leaves_nothing_unpriced(tmp_path, monkeypatch):
    """A built system with CloudFront in front of its load balancer (tests/test_edge.py's), priced by the CLI."""
    from .helpers import write_params
    from .test_edge import SYSTEM

    write_params(tmp_path, "shop", SYSTEM)
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["cost", "-s", "shop", "-e", "dev", "--format", "json", "--assume", "cdn_gb=50"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["unpriced"] == []
    [cdn] = [line for line in data["lines"] if line["type"] == "AWS::CloudFront::Distribution"]
    assert cdn["monthly"] == pytest.approx(50 * 0.085 + 10 * 1.00, abs=0.01) and cdn["component"] == "CloudFront"


def test_every_example_system_is_priced_whole():
    """Each env of every example system: every resource type the compiler emits for it has a price rule (or is
    free): a new type shows here as unpriced until cost learns it."""
    from .helpers import example_targets

    runner = CliRunner()
    for target in example_targets():
        result = runner.invoke(cli, ["cost", "-s", target.system, "-e", target.env, "--format", "json"])
        assert result.exit_code == 0, (target, result.output)
        assert json.loads(result.output)["unpriced"] == [], (target.system, target.env)


def test_buckets_are_priced_from_stated_usage():
    [line] = run({"Files": res("AWS::S3::Bucket")}, s3_gb=100, s3_put_thousand=5, s3_get_thousand=50).lines
    assert line.monthly == pytest.approx(100 * 0.023 + 5 * 0.005 + 50 * 0.0004)
    assert line.assumptions == ("s3_gb", "s3_put_thousand", "s3_get_thousand")


@pytest.mark.parametrize(
    "expression, runs",
    [
        ("rate(5 minutes)", 730 * 12),
        ("rate(1 hour)", 730),
        ("rate(1 day)", 730 / 24),
        ("cron(0 3 * * ? *)", 730 / 24),
        ("cron(0/15 9-17 ? * MON-FRI *)", 4 * 9 * (730 / 24) * 5 / 7),
        ("cron(30 2 1 * ? *)", 1 * (730 / 24) / (730 / 24)),
        ("cron(0 8 ? * MON#1 *)", 1),
        ("at(2027-01-01T00:00:00)", 1),
        ("every tuesday", None),
    ],
)
def test_schedule_runs_per_month(expression, runs):
    got = estimate.runs_per_month(expression, H)
    assert got == (None if runs is None else pytest.approx(runs))


def test_a_scheduled_task_prices_its_runs_and_their_fargate_time():
    task = res("AWS::ECS::TaskDefinition", Cpu="512", Memory="1024")
    schedule = res(
        "AWS::Scheduler::Schedule",
        ScheduleExpression="rate(1 hour)",
        Target={
            "EcsParameters": {
                "TaskDefinitionArn": {"Ref": "Task"},
                "TaskCount": 2,
                "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}],
            }
        },
    )
    est = run({"Task": task, "Nightly": schedule}, scheduled_task_minutes=6)
    lines = {line.component: line for line in est.lines}
    assert lines["Scheduler"].monthly == pytest.approx(730 / 1e6 * price("scheduler_invocation_million"))
    task_hours = 2 * 730 * 6 / 60
    assert lines["Fargate"].monthly == pytest.approx(
        task_hours * (0.5 * price("fargate_spot_vcpu_hour") + 1 * price("fargate_spot_gb_hour"))
    )
    assert "100% Spot" in lines["Fargate"].quantity and lines["Fargate"].assumptions == ("scheduled_task_minutes",)
    disabled = run({"Task": task, "Off": {**schedule, "Properties": {**schedule["Properties"], "State": "DISABLED"}}})
    assert sum(line.monthly for line in disabled.lines) == 0


def test_missing_class_and_unknown_types_are_listed_as_unpriced():
    est = run(
        {
            "Db": res("AWS::RDS::DBInstance", Engine="postgres", DBInstanceClass="db.x99.huge"),
            "Machine": res("AWS::StepFunctions::StateMachine"),
            "Sg": res("AWS::EC2::SecurityGroup"),
        }
    )
    assert est.lines == ()
    assert any("Db" in u and "no price in the table" in u for u in est.unpriced)
    assert any("Machine (AWS::StepFunctions::StateMachine): no price rule" in u for u in est.unpriced)
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


README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLE = "<!-- cost:start -->\n```\n$ cli.py cost -s realworld -e prod\n"


def readme_example() -> str:
    return README.read_text().split(EXAMPLE, 1)[1].split("```", 1)[0]


def test_cli_formats_compare_and_determinism():
    runner = CliRunner()
    text = runner.invoke(cli, ["cost", "-s", "realworld", "-e", "prod"])
    assert text.exit_code == 0, text.output
    assert "NAT gateways" in text.output and "assumptions" in text.output and "nat_gb = 100" in text.output
    assert runner.invoke(cli, ["cost", "-s", "realworld", "-e", "prod"]).output == text.output
    assert readme_example() == text.output, (
        "README's cost example differs from what `cli.py cost -s realworld -e prod` prints: "
        "`python -m tests.test_cost --update` rewrites it (review the diff)"
    )
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


if __name__ == "__main__":
    import sys

    if "--update" in sys.argv:
        printed = CliRunner().invoke(cli, ["cost", "-s", "realworld", "-e", "prod"]).output
        text = README.read_text()
        README.write_text(text.replace(EXAMPLE + readme_example(), EXAMPLE + printed, 1))
