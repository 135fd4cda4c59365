"""Network stack structure for each NAT mode, endpoints, flow logs and existing-VPC mode."""

from __future__ import annotations

import pytest

from .helpers import build_config, count, has_resource, resources, skips


def network(tmp_path, **net):
    return build_config(tmp_path, {"network": net})


@pytest.mark.parametrize("mode, nats", [("none", 0), ("single", 1), ("per-az", 3)])
def test_nat_modes(tmp_path, mode, nats):
    t = network(tmp_path, azs=3, nat=mode)["network"]
    assert count(t, "AWS::EC2::NatGateway") == nats
    assert count(t, "AWS::EC2::EIP") == nats
    routes = {
        k: v["Properties"] for k, v in resources(t, "AWS::EC2::Route").items() if "NatGatewayId" in v["Properties"]
    }
    assert len(routes) == (3 if nats else 0)  # every private route table gets a default route when NAT exists
    if mode == "per-az":  # each AZ egresses through its own NAT
        assert {r["NatGatewayId"]["Ref"] for r in routes.values()} == {"NatGatewayA", "NatGatewayB", "NatGatewayC"}
    if mode == "single":
        assert {r["NatGatewayId"]["Ref"] for r in routes.values()} == {"NatGatewayA"}


def test_subnets_per_tier_and_az_with_computed_cidrs(tmp_path):
    t = network(tmp_path, cidr="10.1.0.0/16", azs=2)["network"]
    subnets = {k: v["Properties"]["CidrBlock"] for k, v in resources(t, "AWS::EC2::Subnet").items()}
    assert subnets == {
        "PublicSubnetA": "10.1.0.0/24",
        "PublicSubnetB": "10.1.1.0/24",
        "PrivateSubnetA": "10.1.4.0/24",
        "PrivateSubnetB": "10.1.5.0/24",
        "IsolatedSubnetA": "10.1.8.0/24",
        "IsolatedSubnetB": "10.1.9.0/24",
    }
    # No tier hands out public addresses at launch (NAT and load balancers bring their own; tasks ask).
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in resources(t, "AWS::EC2::Subnet").values())
    has_resource(
        t, "AWS::EC2::Subnet", {"CidrBlock": "10.1.0.0/24", "Tags": [{"Key": "stackc:tier", "Value": "public"}]}
    )
    has_resource(t, "AWS::EC2::VPC", {"CidrBlock": "10.1.0.0/16", "EnableDnsHostnames": True})


def test_growing_to_three_azs_moves_no_subnet(tmp_path):
    two = {
        k: v["Properties"]["CidrBlock"]
        for k, v in resources(network(tmp_path / "a", azs=2)["network"], "AWS::EC2::Subnet").items()
    }
    three = {
        k: v["Properties"]["CidrBlock"]
        for k, v in resources(network(tmp_path / "b", azs=3)["network"], "AWS::EC2::Subnet").items()
    }
    assert all(three[k] == v for k, v in two.items())
    assert len(three) == 9


def test_explicit_subnet_cidrs(tmp_path):
    t = network(
        tmp_path,
        cidr="10.0.0.0/16",
        azs=2,
        subnets={
            "public": ["10.0.101.0/24", "10.0.102.0/24"],
            "private": ["10.0.1.0/24", "10.0.2.0/24"],
            "isolated": ["10.0.201.0/24", "10.0.202.0/24"],
        },
    )["network"]
    has_resource(
        t, "AWS::EC2::Subnet", {"CidrBlock": "10.0.102.0/24", "Tags": [{"Key": "stackc:tier", "Value": "public"}]}
    )


def test_isolated_subnets_have_no_default_route(tmp_path):
    t = network(tmp_path, nat="single")["network"]
    isolated_tables = {"IsolatedRouteTable"}
    for route in resources(t, "AWS::EC2::Route").values():
        assert route["Properties"]["RouteTableId"]["Ref"] not in isolated_tables


def test_internet_gateway_and_public_route(tmp_path):
    t = network(tmp_path)["network"]
    has_resource(t, "AWS::EC2::VPCGatewayAttachment", {"InternetGatewayId": {"Ref": "InternetGateway"}})
    has_resource(t, "AWS::EC2::Route", {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": "InternetGateway"}})


def test_s3_gateway_endpoint_on_every_route_table(tmp_path):
    t = network(tmp_path, azs=2)["network"]
    ep = has_resource(t, "AWS::EC2::VPCEndpoint", {"VpcEndpointType": "Gateway"})
    assert len(ep["Properties"]["RouteTableIds"]) == 4  # public, private A/B, isolated
    assert count(network(tmp_path / "off", s3_endpoint=False)["network"], "AWS::EC2::VPCEndpoint") == 0


def test_interface_endpoints(tmp_path):
    t = network(tmp_path, interface_endpoints=["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "kms"])["network"]
    eps = resources(t, "AWS::EC2::VPCEndpoint")
    interface = [e for e in eps.values() if e["Properties"]["VpcEndpointType"] == "Interface"]
    assert len(interface) == 6
    assert all(e["Properties"]["PrivateDnsEnabled"] for e in interface)
    assert "EcrDkrEndpoint" in eps
    has_resource(t, "AWS::EC2::SecurityGroup", {"SecurityGroupIngress": [{"FromPort": 443, "CidrIp": "10.0.0.0/16"}]})


def test_flow_logs_to_retained_log_group(tmp_path):
    t = network(tmp_path, flow_logs={"enabled": True, "retention_days": 90, "traffic": "REJECT"})["network"]
    has_resource(
        t,
        "AWS::Logs::LogGroup",
        {"RetentionInDays": 90},
        DeletionPolicy="RetainExceptOnCreate",
        UpdateReplacePolicy="Retain",
    )
    has_resource(
        t,
        "AWS::EC2::FlowLog",
        {"ResourceType": "VPC", "TrafficType": "REJECT", "LogDestinationType": "cloud-watch-logs"},
    )
    role = has_resource(t, "AWS::IAM::Role")
    actions = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"]
    assert "logs:PutLogEvents" in actions and "*" not in actions


def test_network_exports_are_wired_to_the_root(tmp_path):
    templates = network(tmp_path)
    assert templates["root"]["Outputs"]["VpcId"]["Value"] == {"Fn::GetAtt": ["NetworkStack", "Outputs.VpcId"]}
    assert templates["network"]["Outputs"]["VpcId"]["Value"] == {"Ref": "Vpc"}


def test_existing_vpc_mode_takes_typed_parameters_and_creates_no_network(tmp_path):
    templates = build_config(
        tmp_path,
        {
            "network": {
                "mode": "existing",
                "existing": {
                    "vpc_id": "vpc-0123456789abcdef0",
                    "public_subnet_ids": ["subnet-0aaa1111", "subnet-0bbb2222"],
                },
            }
        },
    )
    assert "network" not in templates  # nothing to create: the IDs are root Parameters
    params = templates["root"]["Parameters"]
    assert params["VpcId"] == {"Type": "AWS::EC2::VPC::Id", "Default": "vpc-0123456789abcdef0", "Description": "VPC"}
    assert params["PublicSubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    assert params["PublicSubnetIds"]["Default"] == "subnet-0aaa1111,subnet-0bbb2222"
    labels = templates["root"]["Metadata"]["AWS::CloudFormation::Interface"]["ParameterLabels"]
    assert labels["VpcId"] == {"default": "VPC"}


def test_existing_vpc_ids_reach_consumers_directly(tmp_path):
    """A consumer's ref to network.VpcId becomes the root Parameter, not a GetAtt on a missing stack."""
    from templates_src.config.network import ExistingVpc, Network
    from templates_src.config.system import System
    from templates_src.graph import StackGraph
    from templates_src.stacks import network as network_stack

    cfg = System(network=Network(mode="existing", existing=ExistingVpc(vpc_id="vpc-0123456789abcdef0")))
    graph = StackGraph("s", "e")
    network_stack.build(cfg, graph.context("network", "n"))
    consumer = graph.context("consumer", "c")
    from troposphere import ec2

    consumer.template.add_resource(
        ec2.SecurityGroup("Sg", GroupDescription="x", VpcId=consumer.ref("network", "VpcId"))
    )
    resolved = graph.resolve()
    assert [u.name for u in resolved.units] == ["consumer"]
    from templates_src.stacks import root

    r = root.build(graph, resolved, "d", {}).to_dict()
    assert r["Resources"]["ConsumerStack"]["Properties"]["Parameters"] == {"VpcId": {"Ref": "VpcId"}}
    assert "DependsOn" not in r["Resources"]["ConsumerStack"]


def test_interface_endpoints_never_connect_out(tmp_path):
    t = network(tmp_path, interface_endpoints=["logs"])["network"]
    (rule,) = t["Resources"]["EndpointSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert rule["CidrIp"] == "255.255.255.255/32" and rule["Description"] == "no egress: endpoints never connect out"


def test_flow_logs_encrypted_with_the_observability_key(tmp_path):
    out = build_config(
        tmp_path, {"network": {"flow_logs": {"enabled": True}}, "keys": {"ops": {}}, "observability": {"key": "ops"}}
    )
    group = has_resource(out["network"], "AWS::Logs::LogGroup", {"KmsKeyId": {"Ref": "OpsKeyArn"}})
    assert "Metadata" not in group
    plain = network(tmp_path / "plain", flow_logs={"enabled": True})["network"]
    assert skips(plain) == {}  # without a key: a finding, unless params waive it
