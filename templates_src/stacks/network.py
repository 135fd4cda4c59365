"""Network stack: VPC, subnets per AZ and tier, IGW, NAT, route tables, endpoints, flow logs.

In existing-VPC mode it creates nothing: the VPC and subnet IDs are typed root Parameters that the
graph hands straight to the stacks that need them."""

from __future__ import annotations

from awacs import logs as awslogs
from awacs.aws import Allow, PolicyDocument, Statement
from troposphere import GetAtt, GetAZs, Join, Ref, Region, Select, Sub, ec2, iam

from ..config.network import TIERS, Network
from ..config.system import System
from ..graph import StackContext
from ..naming import pascal
from ..parts.iam import trust_policy
from ..parts.logs import log_group, logs_key
from ..parts.security_groups import no_egress

AZ_LETTERS = "ABC"
SUBNET_LIST = "List<AWS::EC2::Subnet::Id>"


# An endpoint policy filters what IAM already allows through the endpoint: here, the callers must be
# this account's principals (a stolen credential of another account cannot use the path out).
ACCOUNT_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OnlyThisAccount",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": Ref("AWS::AccountId")}},
        }
    ],
}


def build(cfg: System, ctx: StackContext) -> None:
    net = cfg.network
    if net.mode == "existing":
        _existing(net, ctx)
    else:
        _create(net, ctx, logs_key(cfg, ctx) if cfg.flow_logs_on() else None, cfg.flow_logs_on(), cfg.prod)


def _existing(net: Network, ctx: StackContext) -> None:
    existing = net.existing
    assert existing is not None  # guaranteed by Network.check
    group = "Network (existing VPC)"
    vpc = ctx.tunable("VpcId", param_type="AWS::EC2::VPC::Id", default=existing.vpc_id, label="VPC", group=group)
    public = ctx.tunable(
        "PublicSubnetIds",
        param_type=SUBNET_LIST,
        default=existing.public_subnet_ids or None,
        label="Public subnets (load balancers)",
        group=group,
    )
    ctx.export("VpcId", vpc, param_type="AWS::EC2::VPC::Id", description="VPC ID")
    ctx.export("PublicSubnetIds", public, param_type=SUBNET_LIST, description="Public subnet IDs")
    if existing.private_subnet_ids:
        private = ctx.tunable(
            "PrivateSubnetIds",
            param_type=SUBNET_LIST,
            default=existing.private_subnet_ids,
            label="Private subnets (tasks, data)",
            group=group,
        )
    else:  # e.g. a default VPC: everything runs in its public subnets
        private = public
    ctx.export("PrivateSubnetIds", private, param_type=SUBNET_LIST, description="Private subnet IDs")
    ctx.export("IsolatedSubnetIds", private, param_type=SUBNET_LIST, description="Data subnet IDs")


def _create(
    net: Network, ctx: StackContext, flow_logs_key=None, flow_logs: bool = False, account_only: bool = False
) -> None:
    """`account_only` (prod): endpoint policies let only this account's principals through (E9114)."""
    policy = {"PolicyDocument": ACCOUNT_ONLY} if account_only else {}
    t = ctx.template
    vpc = t.add_resource(
        ec2.VPC(
            "Vpc",
            CidrBlock=net.cidr,
            EnableDnsHostnames=True,
            EnableDnsSupport=True,
            Tags=[{"Key": "Name", "Value": Sub("${AWS::StackName}")}],
        )
    )
    igw = t.add_resource(ec2.InternetGateway("InternetGateway"))
    attach = t.add_resource(
        ec2.VPCGatewayAttachment("InternetGatewayAttachment", VpcId=Ref(vpc), InternetGatewayId=Ref(igw))
    )

    cidrs = net.subnet_cidrs()
    subnets: dict[str, list[ec2.Subnet]] = {}
    for tier in TIERS:
        subnets[tier] = [
            t.add_resource(
                ec2.Subnet(
                    f"{pascal(tier)}Subnet{AZ_LETTERS[az]}",
                    VpcId=Ref(vpc),
                    CidrBlock=cidrs[tier][az],
                    AvailabilityZone=Select(az, GetAZs(Region)),
                    # Nothing here needs an address handed out at launch: NAT gateways have their EIPs,
                    # load balancers manage their own, and tasks say AssignPublicIp explicitly.
                    MapPublicIpOnLaunch=False,
                    Tags=[
                        {"Key": "Name", "Value": Sub(f"${{AWS::StackName}}-{tier}-{AZ_LETTERS[az].lower()}")},
                        {"Key": "stackc:tier", "Value": tier},
                    ],
                )
            )
            for az in range(net.azs)
        ]

    public_rt = _route_table(t, "PublicRouteTable", vpc, subnets["public"])
    t.add_resource(
        ec2.Route(
            "PublicDefaultRoute",
            RouteTableId=Ref(public_rt),
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=Ref(igw),
            DependsOn=attach.title,
        )
    )

    nats = _nat_gateways(t, net, subnets["public"], attach)
    # One private route table per AZ whatever the NAT mode, so changing the mode replaces no table.
    private_rts = []
    for az, subnet in enumerate(subnets["private"]):
        letter = AZ_LETTERS[az]
        rt = _route_table(t, f"PrivateRouteTable{letter}", vpc, [subnet])
        if nats:
            nat = nats[az] if len(nats) > 1 else nats[0]
            t.add_resource(
                ec2.Route(
                    f"PrivateDefaultRoute{letter}",
                    RouteTableId=Ref(rt),
                    DestinationCidrBlock="0.0.0.0/0",
                    NatGatewayId=Ref(nat),
                )
            )
        private_rts.append(rt)
    isolated_rt = _route_table(t, "IsolatedRouteTable", vpc, subnets["isolated"])

    if net.s3_endpoint:
        t.add_resource(
            ec2.VPCEndpoint(
                "S3GatewayEndpoint",
                VpcId=Ref(vpc),
                VpcEndpointType="Gateway",
                ServiceName=Sub("com.amazonaws.${AWS::Region}.s3"),
                RouteTableIds=[Ref(rt) for rt in [public_rt, *private_rts, isolated_rt]],
                **policy,
            )
        )
    if net.interface_endpoints:
        _interface_endpoints(t, net, vpc, subnets["private"], policy)
    if flow_logs:
        _flow_logs(t, net, vpc, flow_logs_key)

    ctx.output("VpcId", Ref(vpc), param_type="AWS::EC2::VPC::Id", description="VPC ID")
    ctx.export("VpcCidr", GetAtt(vpc, "CidrBlock"), description="VPC CIDR block")
    for tier in TIERS:
        ctx.export(
            f"{pascal(tier)}SubnetIds",
            Join(",", [Ref(s) for s in subnets[tier]]),
            param_type=SUBNET_LIST,
            description=f"{tier.capitalize()} subnet IDs",
        )


def _route_table(t, name: str, vpc, subnets: list) -> ec2.RouteTable:
    rt = t.add_resource(ec2.RouteTable(name, VpcId=Ref(vpc)))
    for subnet in subnets:
        t.add_resource(
            ec2.SubnetRouteTableAssociation(
                f"{subnet.title}RouteTableAssociation", RouteTableId=Ref(rt), SubnetId=Ref(subnet)
            )
        )
    return rt


def _nat_gateways(t, net: Network, public_subnets: list, attach) -> list:
    count = {"none": 0, "single": 1, "per-az": net.azs}[net.nat]
    nats = []
    for az in range(count):
        letter = AZ_LETTERS[az]
        eip = t.add_resource(ec2.EIP(f"NatEip{letter}", Domain="vpc", DependsOn=attach.title))
        nats.append(
            t.add_resource(
                ec2.NatGateway(
                    f"NatGateway{letter}", AllocationId=GetAtt(eip, "AllocationId"), SubnetId=Ref(public_subnets[az])
                )
            )
        )
    return nats


def _interface_endpoints(t, net: Network, vpc, private_subnets: list, policy: dict) -> None:
    sg = t.add_resource(
        ec2.SecurityGroup(
            "EndpointSecurityGroup",
            GroupDescription="Interface VPC endpoints: HTTPS from inside the VPC",
            VpcId=Ref(vpc),
            SecurityGroupIngress=[
                ec2.SecurityGroupRule(
                    IpProtocol="tcp", FromPort=443, ToPort=443, CidrIp=net.cidr, Description="HTTPS from the VPC"
                )
            ],
            SecurityGroupEgress=[no_egress("endpoints")],  # they answer; they never open connections
        )
    )
    for service in net.interface_endpoints:
        t.add_resource(
            ec2.VPCEndpoint(
                f"{pascal(service)}Endpoint",
                VpcId=Ref(vpc),
                VpcEndpointType="Interface",
                ServiceName=Sub(f"com.amazonaws.${{AWS::Region}}.{service}"),
                PrivateDnsEnabled=True,
                SubnetIds=[Ref(s) for s in private_subnets],
                SecurityGroupIds=[Ref(sg)],
                **policy,
            )
        )


def _flow_logs(t, net: Network, vpc, key) -> None:
    group = log_group(t, "FlowLogGroup", net.flow_logs.retention_days, key)
    role = t.add_resource(
        iam.Role(
            "FlowLogRole",
            AssumeRolePolicyDocument=trust_policy("vpc-flow-logs.amazonaws.com"),
            Policies=[
                iam.Policy(
                    PolicyName="deliver-flow-logs",
                    PolicyDocument=PolicyDocument(
                        Version="2012-10-17",
                        Statement=[
                            Statement(
                                Effect=Allow,
                                Action=[awslogs.CreateLogStream, awslogs.PutLogEvents, awslogs.DescribeLogStreams],
                                Resource=[GetAtt(group, "Arn")],
                            )
                        ],
                    ),
                )
            ],
        )
    )
    t.add_resource(
        ec2.FlowLog(
            "VpcFlowLog",
            ResourceId=Ref(vpc),
            ResourceType="VPC",
            TrafficType=net.flow_logs.traffic,
            LogDestinationType="cloud-watch-logs",
            LogGroupName=Ref(group),
            DeliverLogsPermissionArn=GetAtt(role, "Arn"),
        )
    )
