"""Security-group rules more than one stack writes."""

from __future__ import annotations

from troposphere import ec2


def no_egress(who: str) -> ec2.SecurityGroupRule:
    """A security group with no egress rule gets CloudFormation's allow-all; for a group whose members
    never open a connection, this rule (an address no packet reaches) stands in for "none", as CDK does."""
    return ec2.SecurityGroupRule(
        IpProtocol="icmp",
        FromPort=252,
        ToPort=86,
        CidrIp="255.255.255.255/32",
        Description=f"no egress: {who} never connect out",
    )
