"""Secrets Manager rotation of a database's generated credentials with AWS's hosted rotation function.

`AWS::SecretsManager::RotationSchedule` with `HostedRotationLambda` makes CloudFormation deploy the
rotation Lambda AWS publishes for the engine (PostgreSQL single user: the secret's own user gets a new
password); that needs the template's `AWS::SecretsManager-2024-09-16` transform (deploy adds
CAPABILITY_AUTO_EXPAND for it, deploy/package.py). The function runs in the private subnets (Secrets
Manager through NAT or the interface endpoint) with a security group of its own that the database admits
on its port.

Single-user rotation changes the password the running tasks hold: only safe for apps that read the
secret themselves (`credentials: app`); a task given the password at start (`credentials: container`)
cannot open new connections after a rotation until it restarts, so the prod default leaves those off and
lint rule E9117 asks for a waiver that says so.
"""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Join, Ref, Template, ec2, secretsmanager

TRANSFORM = "AWS::SecretsManager-2024-09-16"
ROTATION_TYPE = "PostgreSQLSingleUser"


def rotate(
    t: Template,
    owner: str,
    *,
    secret: Any,
    attachment: Any,
    database_security_group: Any,
    port: int,
    vpc_id: Any,
    subnets: Any,
    key: Any,
    days: int,
) -> secretsmanager.RotationSchedule:
    """The rotation schedule of `secret` (after its attachment adds host and port, which the function reads)."""
    t.set_transform(TRANSFORM)
    function_sg = t.add_resource(
        ec2.SecurityGroup(
            f"{owner}RotationSecurityGroup",
            GroupDescription=f"{owner}: the hosted rotation function (Secrets Manager and the database only)",
            VpcId=vpc_id,
            SecurityGroupEgress=[
                ec2.SecurityGroupRule(
                    IpProtocol="tcp",
                    FromPort=443,
                    ToPort=443,
                    CidrIp="0.0.0.0/0",
                    Description="Secrets Manager API (NAT or interface endpoint)",
                ),
                ec2.SecurityGroupRule(
                    IpProtocol="tcp",
                    FromPort=port,
                    ToPort=port,
                    DestinationSecurityGroupId=GetAtt(database_security_group, "GroupId"),
                    Description="the database whose password it changes",
                ),
            ],
        )
    )
    t.add_resource(
        ec2.SecurityGroupIngress(
            f"{owner}RotationIngress",
            GroupId=GetAtt(database_security_group, "GroupId"),
            IpProtocol="tcp",
            FromPort=port,
            ToPort=port,
            SourceSecurityGroupId=GetAtt(function_sg, "GroupId"),
            Description="the hosted rotation function",
        )
    )
    hosted: dict[str, Any] = {
        "RotationType": ROTATION_TYPE,
        "VpcSubnetIds": Join(",", subnets),
        "VpcSecurityGroupIds": GetAtt(function_sg, "GroupId"),
    }
    if key is not None:
        hosted["KmsKeyArn"] = key
    return t.add_resource(
        secretsmanager.RotationSchedule(
            f"{owner}SecretRotation",
            DependsOn=[attachment.title],
            SecretId=Ref(secret),
            HostedRotationLambda=secretsmanager.HostedRotationLambda(**hosted),
            RotationRules=secretsmanager.RotationRules(AutomaticallyAfterDays=days),
        )
    )
