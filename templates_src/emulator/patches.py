"""Patches of moto 5.2.5's CloudFormation, each one making it behave as AWS does.

Every patch names the moto behaviour it replaces and how AWS behaves (the facts are measured in
../shared/EMULATOR.md and in this package's tests). They are applied in-process, before the server
thread starts, by `server.install()`; nothing outside the emulator sees them. Resource types moto
lacks are not patched here: they get a provider (providers/), listed in types.py.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_APPLIED = False

# The message AWS gives when a nested stack's Parameters hold a non-string value (a list, an object).
NESTED_PARAMETER_MESSAGE = "Value of property Parameters must be an object with String (or simple type) properties"

# Dynamic references AWS resolves in resource properties at create/update time.
# (`${` inside is a Fn::Sub still to be substituted: resolved once moto's Sub has replaced it.)
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}$]*)\}\}")


def replace(owner: Any, name: str, value: Any) -> None:
    """Replace moto's `owner.name` with `value`: the one way the emulator changes moto's classes and modules."""
    setattr(owner, name, value)


def _original(owner: Any, name: str) -> Any:
    """The function behind moto's classmethod `owner.name`, to call from its replacement."""
    return getattr(owner, name).__func__


def apply() -> None:
    """Apply every patch once."""
    global _APPLIED
    if _APPLIED:
        return
    _nested_stacks()
    _intrinsics()
    _load_balancers()
    _physical_ids()
    _record_set_groups()
    _fifo_queues()
    _ssm_parameter_tags()
    _security_group_rules()
    _bucket_configuration()
    _fargate_tasks()
    _change_sets()
    _dependents()
    _deletion_policies()
    _termination_protection()
    _record_sets()
    _deletes()
    _reset()
    from . import rollback

    rollback.apply()
    _APPLIED = True


def _nested_stacks() -> None:
    from moto.cloudformation import models
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.utils import get_stack_from_s3_url
    from moto.utilities.utils import get_partition

    Stack = models.Stack

    # moto: `Fn::GetAtt [ChildStack, Outputs.X]` in a parent -> HTTP 500, because its Stack model has
    # no get_cfn_attribute. AWS: resolves to the value of the child stack's output X.
    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name.startswith("Outputs."):
            key = attribute_name.split(".", 1)[1]
            for output in self.outputs or []:
                if output["OutputKey"] == key:
                    return output["OutputValue"]
            raise ValidationError(self.stack_id, message=f"Template error: stack {self.name} has no output {key!r}")
        raise NotImplementedError(f"Fn::GetAtt {attribute_name} on a nested stack")

    replace(Stack, "get_cfn_attribute", get_cfn_attribute)

    # moto: a child stack has no ParentId/RootId, and its PhysicalResourceId in the parent (so also
    # `Ref`) is the child's name. AWS: the child carries ParentId and RootId (stack ARNs), and the
    # parent's PhysicalResourceId for it is the child's stack ARN.
    replace(Stack, "parent_id", None)
    replace(Stack, "root_id", None)
    replace(Stack, "physical_resource_id", property(lambda self: self.stack_id))
    original_create = _original(Stack, "create_from_cloudformation_json")

    def _string_parameters(stack_name: str, parameters: dict[str, Any]) -> dict[str, Any]:
        # moto: passes whatever a nested stack's Parameters resolve to, so a Ref to a List<...>
        # parameter arrives as a Python list and the child splits nothing. AWS: refuses the stack
        # ("Value of property Parameters must be an object with String (or simple type) properties");
        # a list has to be joined (Fn::Join [",", ...]) and the child's List parameter splits it.
        for key, value in parameters.items():
            if isinstance(value, list | dict):
                raise ValidationError(
                    stack_name,
                    message=f"{NESTED_PARAMETER_MESSAGE} (parameter {key!r} of nested stack {stack_name} "
                    f"is a {type(value).__name__}: {value!r})",
                )
        return {key: "" if value is None else value for key, value in parameters.items()}

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        _string_parameters(resource_name, cloudformation_json["Properties"].get("Parameters", {}))
        child = original_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        parent: Any = models.cloudformation_backends[account_id][region_name].stacks.get(kwargs.get("StackId") or "")
        if parent is not None:
            child.parent_id = parent.stack_id
            child.root_id = parent.root_id or parent.stack_id
        return child

    # moto: an updated child stack is deleted and re-created (a new stack ARN, every resource new, and
    # fixed-name resources kept by DeletionPolicy collide with their re-created selves). AWS: the
    # nested stack is updated in place with its new template and parameters, so only the resources
    # whose properties change are touched -- which is how a parameter-only change (an image tag)
    # reaches the child's task definition.
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        properties = cloudformation_json["Properties"]
        parameters = _string_parameters(original_resource.name, properties.get("Parameters", {}))
        template = get_stack_from_s3_url(
            properties["TemplateURL"], account_id=account_id, partition=get_partition(region_name)
        )
        original_resource.update(template, parameters=parameters)
        original_resource.parameters = dict(parameters)
        return original_resource

    replace(Stack, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json))
    replace(Stack, "update_from_cloudformation_json", classmethod(update_from_cloudformation_json))


def _intrinsics() -> None:
    from moto.cloudformation import parsing
    from moto.cloudformation.exceptions import ValidationError

    original_clean_json = parsing.clean_json

    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        # moto: the argument of `Fn::GetAZs` is used raw, so `{"Fn::GetAZs": {"Ref": "AWS::Region"}}`
        # yields the zone "{'Ref': 'AWS::Region'}a". AWS: the argument is resolved first.
        if isinstance(resource_json, dict) and isinstance(resource_json.get("Fn::GetAZs"), dict):
            region = original_clean_json(resource_json["Fn::GetAZs"], resources_map)
            resource_json = {**resource_json, "Fn::GetAZs": region}
        cleaned = original_clean_json(resource_json, resources_map)
        # moto: dynamic references (`{{resolve:secretsmanager:<arn>:SecretString:password}}`) stay
        # literal text, so a database's master password is that text. AWS: the value is fetched from
        # Secrets Manager / SSM when the resource is created or updated.
        if isinstance(cleaned, str) and "{{resolve:" in cleaned:
            cleaned = _DYNAMIC_REFERENCE.sub(
                lambda m: _resolve(m.group(1), m.group(2), resources_map, ValidationError), cleaned
            )
        return cleaned

    replace(parsing, "clean_json", clean_json)


def _resolve(service: str, reference: str, resources_map: Any, error: Any) -> str:
    account, region = resources_map._account_id, resources_map._region_name
    if service == "secretsmanager":
        from moto.secretsmanager.models import secretsmanager_backends

        # secret-id may be an ARN (which contains ':'): arn:aws:secretsmanager:r:a:secret:name-abc
        parts = reference.split(":")
        if reference.startswith("arn:"):
            secret_id, rest = ":".join(parts[:7]), parts[7:]
        else:
            secret_id, rest = parts[0], parts[1:]
        kind = rest[0] if rest else "SecretString"
        key = rest[1] if len(rest) > 1 else ""
        stage = rest[2] if len(rest) > 2 and rest[2] else "AWSCURRENT"
        try:
            backend: Any = secretsmanager_backends[account][region]
            value = backend.get_secret_value(secret_id, None, stage)
        except Exception as exc:  # the service's own error, as AWS reports it on the resource
            raise error(
                message=f"Could not resolve dynamic reference {{{{resolve:{service}:{reference}}}}}: {exc}"
            ) from exc
        text = value.get("SecretString") if kind == "SecretString" else None
        if text is None:
            raise error(message=f"dynamic reference {reference}: the secret has no SecretString")
        if not key:
            return text
        try:
            return str(json.loads(text)[key])
        except (ValueError, KeyError, TypeError):
            raise error(message=f"dynamic reference {reference}: the secret's JSON has no key {key!r}") from None
    from moto.ssm.models import ssm_backends

    name = reference.split(":")[0]
    parameter = ssm_backends[account][region].get_parameter(name)
    if parameter is None:
        raise error(message=f"dynamic reference {{{{resolve:{service}:{reference}}}}}: no such parameter")
    return parameter.value


def _load_balancers() -> None:
    from moto.elbv2.models import FakeListenerRule, FakeLoadBalancer, FakeTargetGroup, elbv2_backends

    # moto: `Fn::GetAtt [Alb, CanonicalHostedZoneID]` raises NotImplementedError, so the output holds
    # the raw GetAtt dict and DescribeStacks answers HTTP 500. AWS: the load balancer's Route 53 zone
    # ID, which moto's model already has (what its DescribeLoadBalancers returns).
    original_lb_attribute = FakeLoadBalancer.get_cfn_attribute

    # Likewise LoadBalancerFullName (`app/<name>/<id>`, the CloudWatch dimension: the ARN's tail) and
    # SecurityGroups; and a target group's TargetGroupFullName (`targetgroup/<name>/<id>`), which moto's
    # target group model does not answer at all.
    def lb_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name == "CanonicalHostedZoneID":
            return self.canonical_hosted_zone_id
        if attribute_name == "LoadBalancerFullName":
            return self.arn.split(":loadbalancer/", 1)[1]
        if attribute_name == "SecurityGroups":
            return list(self.security_groups)
        return original_lb_attribute(self, attribute_name)

    replace(FakeLoadBalancer, "get_cfn_attribute", lb_attribute)

    # moto: its CloudFormation model passes only name, security groups, subnets and scheme, so a
    # `Type: network` load balancer becomes an application one and its TCP listener is refused. AWS:
    # Type, SubnetMappings, IpAddressType and Tags are honoured, and LoadBalancerAttributes (access logs,
    # deletion protection, ...) set as ModifyLoadBalancerAttributes would: DescribeLoadBalancerAttributes
    # shows them (moto dropped them silently).
    def create_load_balancer(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = elbv2_backends[account_id][region_name]
        lb = backend.create_load_balancer(
            resource_name,
            p.get("SecurityGroups") or [],
            p.get("Subnets") or [],
            subnet_mappings=p.get("SubnetMappings"),
            scheme=p.get("Scheme", "internet-facing"),
            loadbalancer_type=p.get("Type", "application"),
            ip_address_type=p.get("IpAddressType", "ipv4"),
            tags=p.get("Tags"),
        )
        attributes = {a["Key"]: str(a["Value"]) for a in p.get("LoadBalancerAttributes") or []}
        if attributes:
            backend.modify_load_balancer_attributes(lb.arn, attributes)
        return lb

    replace(FakeLoadBalancer, "create_from_cloudformation_json", classmethod(create_load_balancer))

    def target_group_attribute(self: Any, attribute_name: str) -> Any:
        values = {
            "TargetGroupArn": self.arn,
            "TargetGroupFullName": self.arn.split(":", 5)[5],
            "TargetGroupName": self.name,
            "LoadBalancerArns": list(self.load_balancer_arns),
        }
        if attribute_name not in values:
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            raise UnformattedGetAttTemplateException()
        return values[attribute_name]

    replace(FakeTargetGroup, "get_cfn_attribute", target_group_attribute)

    # moto: AWS::ElasticLoadBalancingV2::ListenerRule has no delete, so deleting the stack that owns
    # it leaves the rule on its listener (a re-created rule then fails with PriorityInUse). AWS:
    # deleting the stack deletes its rules.
    def delete_rule(self: Any, account_id: str, region_name: str) -> None:
        elbv2_backends[account_id][region_name].delete_rule(self.arn)

    replace(FakeListenerRule, "delete", delete_rule)


def _physical_ids() -> None:
    from moto.rds.models import DBSubnetGroup

    # moto: AWS::RDS::DBSubnetGroup has no physical ID, so `Ref` hands the model object itself to the
    # resources that name it and DescribeStackResources shows no PhysicalResourceId. AWS: Ref is the
    # subnet group's name (lowercase). (providers/rds.py accepts either.)
    replace(DBSubnetGroup, "physical_resource_id", property(lambda self: self.name))

    from moto.ec2.models.security_groups import SecurityGroupIngress

    # moto: AWS::EC2::SecurityGroupIngress has no physical ID (DescribeStackResources shows none, Ref is
    # the model object). AWS: Ref is the rule's ID, `sgr-` and 17 hex digits; stable for the same rule here.
    def rule_id(self: Any) -> str:
        text = self.security_group.id + json.dumps(self.properties, sort_keys=True, default=str)
        return "sgr-" + hashlib.sha256(text.encode()).hexdigest()[:17]

    replace(SecurityGroupIngress, "physical_resource_id", property(rule_id))

    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.efs.models import AccessPoint, FileSystem, MountTarget

    # moto: its EFS models answer no Fn::GetAtt at all (AttributeError -> HTTP 500) and an access point
    # has no physical ID. AWS: FileSystem Arn/FileSystemId, AccessPoint Arn/AccessPointId (Ref: the ID),
    # MountTarget Id/IpAddress.
    def attributes(table: Any) -> Any:
        def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
            values = table(self)
            if attribute_name not in values:
                raise UnformattedGetAttTemplateException()
            return values[attribute_name]

        return get_cfn_attribute

    replace(
        FileSystem,
        "get_cfn_attribute",
        attributes(lambda f: {"Arn": f.file_system_arn, "FileSystemId": f.file_system_id}),
    )
    replace(AccessPoint, "physical_resource_id", property(lambda self: self.access_point_id))
    replace(
        AccessPoint,
        "get_cfn_attribute",
        attributes(lambda a: {"Arn": a.access_point_arn, "AccessPointId": a.access_point_id}),
    )
    replace(
        MountTarget, "get_cfn_attribute", attributes(lambda m: {"Id": m.mount_target_id, "IpAddress": m.ip_address})
    )


def _record_set_groups() -> None:
    from moto.route53.models import RecordSetGroup, route53_backends
    from moto.utilities.utils import get_partition

    # moto: AWS::Route53::RecordSetGroup has no update and no delete: a changed group (a failover
    # promotion swapping PRIMARY and SECONDARY) keeps its old records, and deleting the stack leaves
    # them in the zone. AWS: the group's records are changed in one batch (upserted, the dropped ones
    # deleted) and deleted with the stack -- ListResourceRecordSets shows it.
    def key(record: Any) -> tuple[str, str, str]:
        if isinstance(record, dict):
            return (record["Name"].rstrip(".") + ".", record["Type"], str(record.get("SetIdentifier") or ""))
        return (record.name.rstrip(".") + ".", record.type, str(record.set_identifier or ""))

    def zone_of(account_id: str, region_name: str, properties: dict[str, Any]) -> Any:
        backend = route53_backends[account_id][get_partition(region_name)]
        name = properties.get("HostedZoneName")
        zone = backend.get_hosted_zone_by_name(name) if name else None
        return zone if zone is not None else backend.get_hosted_zone(properties["HostedZoneId"])

    def drop(zone: Any, records: list[dict[str, Any]]) -> None:
        gone = {key(r) for r in records}
        zone.rrsets = [r for r in zone.rrsets if key(r) not in gone]

    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        properties = cloudformation_json["Properties"]
        zone = zone_of(account_id, region_name, properties)
        new_keys = {key(r) for r in properties["RecordSets"]}
        drop(zone, [r for r in original_resource.record_sets if key(r) not in new_keys])
        for record_set in properties["RecordSets"]:
            zone.upsert_rrset(dict(record_set))
        group: Any = RecordSetGroup  # moto's class, abstract only to the type checker
        return group(region_name, zone.resource_id, properties["RecordSets"])

    def delete(self: Any, account_id: str, region_name: str) -> None:
        backend = route53_backends[account_id][get_partition(region_name)]
        drop(backend.get_hosted_zone(self.hosted_zone_id), self.record_sets)

    replace(RecordSetGroup, "update_from_cloudformation_json", classmethod(update_from_cloudformation_json))
    replace(RecordSetGroup, "delete", delete)


def _record_sets() -> None:
    from moto.route53.exceptions import ResourceRecordAlreadyExists
    from moto.route53.models import RecordSet, route53_backends
    from moto.utilities.utils import get_partition

    # moto: its CloudFormation adds an AWS::Route53::RecordSet to the zone even when a record of that
    # name and type is already there (a second A record for the domain), although its own
    # ChangeResourceRecordSets refuses such a CREATE. AWS: the resource fails with Route 53's error
    # "Tried to create resource record set [name='app.example.com.', type='A'] but it already exists".
    original = _original(RecordSet, "create_from_cloudformation_json")

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = route53_backends[account_id][get_partition(region_name)]
        zone = backend.get_hosted_zone_by_name(p["HostedZoneName"]) if p.get("HostedZoneName") else None
        zone = zone if zone is not None else backend.get_hosted_zone(p["HostedZoneId"])
        name = str(p.get("Name", "")).rstrip(".").lower() + "."
        for record in zone.rrsets:
            same = (record.name.rstrip(".").lower() + ".", record.type, record.set_identifier or None)
            if same == (name, p.get("Type"), p.get("SetIdentifier") or None):
                raise ResourceRecordAlreadyExists(name, p.get("Type", ""))
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    replace(RecordSet, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json))


def _deletes() -> None:
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.elastic_ip_addresses import ElasticAddress
    from moto.ec2.models.flow_logs import FlowLogs
    from moto.ec2.models.internet_gateways import InternetGateway
    from moto.ec2.models.nat_gateways import NatGateway
    from moto.ec2.models.route_tables import Route, RouteTable
    from moto.ec2.models.subnets import SubnetRouteTableAssociation
    from moto.ec2.models.vpcs import VPCEndPoint
    from moto.ec2.models.vpn_gateway import VPCGatewayAttachment
    from moto.ecs.models import Cluster, ecs_backends
    from moto.elbv2.models import FakeListener, FakeTargetGroup, elbv2_backends
    from moto.route53.models import HealthCheck, route53_backends
    from moto.utilities.utils import get_partition

    # moto: its CloudFormation has no delete for route tables, routes, subnet associations, internet
    # gateways and their attachments, NAT gateways, EIPs, VPC endpoints, flow logs, ECS clusters, listeners,
    # target groups and Route 53 health checks: deleting the stack leaves them (and so the VPC, which moto
    # refuses to delete while a route table is in it). AWS: each is deleted with its stack -- and with a
    # failed create's rollback. Each delete goes through moto's backend for the service.
    def ec2(account_id: str, region_name: str) -> Any:
        return ec2_backends[account_id][region_name]

    def delete_route_table(self: Any, account_id: str, region_name: str) -> None:
        ec2(account_id, region_name).delete_route_table(self.id)

    def delete_route(self: Any, account_id: str, region_name: str) -> None:
        self.route_table._routes.pop(self.id, None)

    def delete_association(self: Any, account_id: str, region_name: str) -> None:
        ec2(account_id, region_name).subnet_associations.pop(f"{self.route_table_id}:{self.subnet_id}", None)

    def delete_internet_gateway(self: Any, account_id: str, region_name: str) -> None:
        backend = ec2(account_id, region_name)
        if self.vpc is not None:
            backend.detach_internet_gateway(self.id, self.vpc.id)
        backend.delete_internet_gateway(self.id)

    def delete_attachment(self: Any, account_id: str, region_name: str) -> None:
        backend = ec2(account_id, region_name)
        gateway = backend.internet_gateways.get(self.gateway_id or "")
        if gateway is not None and gateway.vpc is not None and gateway.vpc.id == self.vpc_id:
            backend.detach_internet_gateway(self.gateway_id, self.vpc_id)

    def delete_nat_gateway(self: Any, account_id: str, region_name: str) -> None:
        ec2(account_id, region_name).delete_nat_gateway(self.id)

    def release_address(self: Any, account_id: str, region_name: str) -> None:
        if self in ec2(account_id, region_name).addresses:
            ec2(account_id, region_name).release_address(address=self.public_ip)

    def delete_endpoint(self: Any, account_id: str, region_name: str) -> None:
        ec2(account_id, region_name).delete_vpc_endpoints([self.id])

    def delete_flow_log(self: Any, account_id: str, region_name: str) -> None:
        ec2(account_id, region_name).delete_flow_logs([self.id])

    def delete_cluster(self: Any, account_id: str, region_name: str) -> None:
        ecs_backends[account_id][region_name].delete_cluster(self.arn)  # INACTIVE, as on AWS

    def delete_listener(self: Any, account_id: str, region_name: str) -> None:
        elbv2_backends[account_id][region_name].delete_listener(self.arn)

    def delete_target_group(self: Any, account_id: str, region_name: str) -> None:
        elbv2_backends[account_id][region_name].delete_target_group(self.arn)

    def delete_health_check(self: Any, account_id: str, region_name: str) -> None:
        route53_backends[account_id][get_partition(region_name)].delete_health_check(self.id)

    replace(FlowLogs, "delete", delete_flow_log)
    replace(Cluster, "delete", delete_cluster)
    replace(FakeListener, "delete", delete_listener)
    replace(FakeTargetGroup, "delete", delete_target_group)
    replace(HealthCheck, "delete", delete_health_check)
    replace(RouteTable, "delete", delete_route_table)
    replace(Route, "delete", delete_route)
    replace(SubnetRouteTableAssociation, "delete", delete_association)
    replace(InternetGateway, "delete", delete_internet_gateway)
    replace(VPCGatewayAttachment, "delete", delete_attachment)
    replace(NatGateway, "delete", delete_nat_gateway)
    replace(ElasticAddress, "delete", release_address)
    replace(VPCEndPoint, "delete", delete_endpoint)


def _fifo_queues() -> None:
    from moto.sqs.models import Queue

    # moto: a FIFO queue without QueueName gets the generated name as it is, and then refuses it ("Queue
    # name must end in .fifo"). AWS: the generated name of a FIFO queue ends in `.fifo` (at most 80 chars).
    original = _original(Queue, "create_from_cloudformation_json")

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties") or {}
        if str(p.get("FifoQueue")).lower() == "true" and not resource_name.endswith(".fifo"):
            resource_name = resource_name[:75] + ".fifo"
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    replace(Queue, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json))


def _ssm_parameter_tags() -> None:
    from moto.ssm.models import Parameter

    # moto: an AWS::SSM::Parameter's Tags are read as a list of Key/Value pairs, so the map the resource
    # reference documents (`Tags: {team: web}`) fails the stack with a TypeError (HTTP 500). AWS: Tags of this
    # type is a JSON object of key -> value.
    original = _original(Parameter, "create_from_cloudformation_json")

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties") or {}
        if isinstance(p.get("Tags"), dict):
            tags = [{"Key": k, "Value": str(v)} for k, v in p["Tags"].items()]
            cloudformation_json = {**cloudformation_json, "Properties": {**p, "Tags": tags}}
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    replace(Parameter, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json))


def _security_group_rules() -> None:
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.security_groups import SecurityGroup

    # moto: an AWS::EC2::SecurityGroup's SecurityGroupEgress is ignored (the group keeps the default allow-all
    # egress), and its ingress rules lose their Description, CidrIpv6 and SourcePrefixListId. AWS: a group
    # given SecurityGroupEgress has exactly those egress rules (the default one is removed), and every rule
    # keeps its description. (Drift detection compares these rules with the template's; see drift.py.)
    def rule_args(group_id: str, rule: dict[str, Any], side: str, vpc_id: Any) -> dict[str, Any]:
        described = {"Description": rule["Description"]} if rule.get("Description") else {}
        ip_ranges = [{key: rule[key], **described} for key in ("CidrIp", "CidrIpv6") if rule.get(key)]
        group = rule.get(f"{side}SecurityGroupId")
        prefix_list = rule.get(f"{side}PrefixListId")
        return {
            "group_name_or_id": group_id,
            "ip_protocol": str(rule["IpProtocol"]),
            "from_port": rule.get("FromPort"),
            "to_port": rule.get("ToPort"),
            "ip_ranges": ip_ranges,
            "source_groups": [{"GroupId": group, **described}] if group else [],
            "prefix_list_ids": [{"PrefixListId": prefix_list, **described}] if prefix_list else [],
            "vpc_id": vpc_id,
        }

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json["Properties"]
        backend = ec2_backends[account_id][region_name]
        vpc_id = p.get("VpcId")
        group = backend.create_security_group(name=resource_name, description=p.get("GroupDescription"), vpc_id=vpc_id)
        for tag in p.get("Tags") or []:
            group.add_tag(tag["Key"], str(tag["Value"]))
        for rule in p.get("SecurityGroupIngress") or []:
            backend.authorize_security_group_ingress(**rule_args(group.id, rule, "Source", vpc_id))
        if p.get("SecurityGroupEgress") is not None and vpc_id:
            group.egress_rules = []
            for rule in p["SecurityGroupEgress"]:
                backend.authorize_security_group_egress(**rule_args(group.id, rule, "Destination", vpc_id))
        return group

    replace(SecurityGroup, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json))

    from moto.ec2.models.security_groups import SecurityGroupRule

    # moto: a rule from a prefix list keeps only the list's ID, not the rule's Description. AWS: it keeps it
    # (DescribeSecurityGroups' PrefixListIds[].Description), which drift.py compares.
    original_init = SecurityGroupRule.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        prefix_list = (
            kwargs.get("prefix_list_id") if "prefix_list_id" in kwargs else (args[7] if len(args) > 7 else None)
        )
        self.prefix_list_description = (prefix_list or {}).get("Description")

    replace(SecurityGroupRule, "__init__", init)


def _bucket_configuration() -> None:
    from moto.s3.models import FakeBucket, s3_backends
    from moto.utilities.utils import get_partition

    # moto: an AWS::S3::Bucket's VersioningConfiguration and PublicAccessBlockConfiguration are ignored
    # (GetBucketVersioning answers nothing, GetPublicAccessBlock NoSuchPublicAccessBlockConfiguration), and its
    # encryption rule's BucketKeyEnabled is dropped. AWS: the bucket is created, and updated, with all three.
    original_create = _original(FakeBucket, "create_from_cloudformation_json")
    original_update = _original(FakeBucket, "update_from_cloudformation_json")

    def configure(bucket: Any, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Any:
        p = cloudformation_json.get("Properties") or {}
        backend = s3_backends[account_id][get_partition(region_name)]
        status = (p.get("VersioningConfiguration") or {}).get("Status")
        if status:
            backend.put_bucket_versioning(bucket.name, status)
        block = p.get("PublicAccessBlockConfiguration")
        if block:
            backend.put_public_access_block(bucket.name, block)
        rules = (p.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or [{}]
        if bucket.encryption and rules[0].get("BucketKeyEnabled") is not None:
            enabled = rules[0]["BucketKeyEnabled"] in (True, "true", "True")
            bucket.encryption["Rule"]["BucketKeyEnabled"] = "true" if enabled else "false"
        return bucket

    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        bucket = original_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        return configure(bucket, cloudformation_json, account_id, region_name)

    def update_from_cloudformation_json(cls, original_resource, new_name, cloudformation_json, account_id, region_name):
        bucket = original_update(cls, original_resource, new_name, cloudformation_json, account_id, region_name)
        return configure(bucket, cloudformation_json, account_id, region_name)

    replace(FakeBucket, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json))
    replace(FakeBucket, "update_from_cloudformation_json", classmethod(update_from_cloudformation_json))


def _fargate_tasks() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    # moto: RunTask sums each container's own `memory`/`memoryReservation` to place the task and fails with a
    # TypeError (HTTP 500) when a container has none -- the usual Fargate task definition, whose memory is set
    # once for the task. AWS: a Fargate task's resources are the task definition's CPU and memory; containers
    # need no limits of their own. Count a container without one as 0 (placement on Fargate needs no instance).
    original = EC2ContainerServiceBackend._calculate_task_resource_requirements

    def requirements(self: Any, task_definition: Any) -> Any:
        containers = task_definition.container_definitions
        missing = [
            c
            for c in containers
            if not any(k in c for k in ("Memory", "MemoryReservation", "memory", "memoryReservation"))
        ]
        for container in missing:
            container["memoryReservation"] = 0
        try:
            return original(task_definition)  # a staticmethod in moto
        finally:
            for container in missing:
                container.pop("memoryReservation", None)

    replace(EC2ContainerServiceBackend, "_calculate_task_resource_requirements", requirements)

    from moto.ec2.models.elastic_network_interfaces import NetworkInterface

    # moto: an awsvpc task's network interface is described with `eni.private_dns_name`, which moto's
    # NetworkInterface lacks (AttributeError, HTTP 500 on RunTask). AWS: the interface's private DNS name,
    # ip-10-0-1-5.ec2.internal in us-east-1 and ip-10-0-1-5.<region>.compute.internal elsewhere.
    if not hasattr(NetworkInterface, "private_dns_name"):

        def private_dns_name(self: Any) -> str:
            region = self.ec2_backend.region_name
            domain = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
            return f"ip-{str(self.private_ip_address).replace('.', '-')}.{domain}"

        replace(NetworkInterface, "private_dns_name", property(private_dns_name))


def _change_sets() -> None:
    from moto.cloudformation import models

    Backend, ChangeSet = models.CloudFormationBackend, models.ChangeSet

    # moto: ExecuteChangeSet stores the new template text but does not re-parse it, so the stack's
    # Outputs stay `None` (a CREATE change set starts from an empty template); a change set without
    # parameters keeps the old ones. AWS: after execution the stack has the change set's template,
    # parameters and outputs. The parameters are compared *before* execution (not replaced first),
    # so a parameter-only change still reaches every resource that references it.
    original_execute = Backend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        pending = self.describe_change_set(change_set_name)
        if not pending.parameters:
            self.stacks[pending.stack_id].resource_map.input_parameters = {}
        original_execute(self, change_set_name, stack_name)
        stack = self.stacks[pending.stack_id]
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.parameters = dict(pending.parameters)
        stack.output_map = stack._create_output_map()

    replace(Backend, "execute_change_set", execute_change_set)

    # moto: a change set diffs the Resources sections only, so a change of a root Parameter (an image
    # tag) lists no change although executing it updates the children. AWS: every resource whose
    # properties reference a changed parameter is listed as Modify (a nested stack: its Parameters).
    def diff(self: Any) -> list:
        by_action = self.stack.resource_map.build_resource_diff(self.template_dict, self.parameters)
        changes = []
        for action, names in by_action.items():
            for name in names:
                source = (
                    self.template_dict["Resources"]
                    if action != "Remove"
                    else self.stack.resource_map._resource_json_map
                )
                changes.append(
                    models.Change(action=action, logical_resource_id=name, resource_type=source[name]["Type"])
                )
        return changes

    replace(ChangeSet, "diff", diff)

    # moto: every CREATE change set makes a new stack object, so after `plan` (which leaves a
    # REVIEW_IN_PROGRESS stack) a `deploy` creates a second stack of the same name. AWS: the
    # REVIEW_IN_PROGRESS stack is reused (same stack ID).
    original_create_change_set = Backend.create_change_set

    def create_change_set(
        self: Any,
        stack_name: str,
        change_set_name: str,
        template: str,
        parameters: Any,
        description: str,
        change_set_type: str,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[str, str]:
        reviewing = [s for s in self.stacks.values() if s.name == stack_name and s.status == "REVIEW_IN_PROGRESS"]
        if change_set_type != "CREATE" or not reviewing:
            return original_create_change_set(
                self, stack_name, change_set_name, template, parameters, description, change_set_type, *args, **kwargs
            )
        reviewing[0].template = "{}"  # moto keeps the empty template as a dict, which its diff cannot parse
        cs_id, stack_id = original_create_change_set(
            self, stack_name, change_set_name, template, parameters, description, "UPDATE", *args, **kwargs
        )
        self.change_sets[cs_id].change_set_type = "CREATE"
        return cs_id, stack_id

    replace(Backend, "create_change_set", create_change_set)


def _condition_references(conditions: dict[str, Any]) -> dict[str, set[str]]:
    """What each Condition depends on (parameters, through other conditions too)."""
    direct = {name: _references(body) for name, body in conditions.items()}
    resolved: dict[str, set[str]] = {}

    def expand(name: str, seen: frozenset[str]) -> set[str]:
        if name in resolved:
            return resolved[name]
        out = set(direct.get(name, set()))
        for other in direct.get(name, set()) & set(direct):
            if other not in seen:
                out |= expand(other, seen | {other})
        resolved[name] = out
        return out

    return {name: expand(name, frozenset({name})) for name in conditions}


def _references(node: Any, conditions: dict[str, set[str]] | None = None) -> set[str]:
    """Names a template fragment refers to: Ref, Fn::GetAtt, the ${Name} / ${Name.Attr} of Fn::Sub, and --
    with `conditions` -- what the conditions it uses (Fn::If, Condition) depend on."""
    conditions = conditions or {}
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Condition", "Fn::If") and conditions:
                name = value[0] if isinstance(value, list) and value else value
                if isinstance(name, str):
                    found |= conditions.get(name, set()) | {name}
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                if isinstance(text, str):
                    found.update(m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text))
                found |= _references(value[1] if isinstance(value, list) and len(value) > 1 else {}, conditions)
            else:
                found |= _references(value, conditions)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item, conditions)
    return found


def _dependents() -> None:
    from moto.cloudformation import parsing

    # moto: a resource counts as changed by a parameter only through `Ref` (not `${Param}` in
    # Fn::Sub, which is how an image tag reaches a container image), and a resource whose properties
    # name a changed resource (a service naming its task definition) is not updated. AWS: both are
    # updated -- the new values flow to everything that refers to them. Dependents are updated after
    # what they depend on.
    replace(parsing, "get_references_from_template", lambda template: sorted(_references(template)))
    original_diff = parsing.ResourceMap.build_resource_diff

    def build_resource_diff(self: Any, other_template: dict[str, Any], parameters: Any = None) -> dict[str, Any]:
        by_action = original_diff(self, other_template, parameters)
        new = other_template["Resources"]
        conditions = _condition_references(other_template.get("Conditions") or {})
        refs = {name: _references(body, conditions) for name, body in new.items()}
        changed = set(by_action["Modify"])
        if parameters:  # a parameter reached through a Condition (Fn::If, a resource's Condition) counts too
            moved = {p for p in parameters if self.input_parameters.get(p) != parameters[p]}
            changed |= {n for n in new if n in self._resource_json_map and refs[n] & moved}
        added = set(by_action["Add"])
        while True:
            more = {
                name
                for name in new
                if name not in changed
                and name not in added
                and name in self._resource_json_map
                and refs[name] & changed
            }
            if not more:
                break
            changed |= more
        ordered: list[str] = []

        def visit(name: str, path: frozenset[str] = frozenset()) -> None:
            if name in ordered or name in path:
                return
            for dependency in sorted(refs.get(name, set()) & changed):
                visit(dependency, path | {name})
            ordered.append(name)

        for name in sorted(changed):
            visit(name)
        by_action["Modify"] = ordered
        return by_action

    replace(parsing.ResourceMap, "build_resource_diff", build_resource_diff)


def _deletion_policies() -> None:
    from moto.cloudformation import parsing

    ResourceMap = parsing.ResourceMap

    # moto: deleting a stack keeps only `DeletionPolicy: Retain`, and removing a resource from the
    # template deletes it whatever its policy. AWS: Retain and RetainExceptOnCreate keep the resource
    # in both cases (RetainExceptOnCreate deletes only while rolling back the create that made it:
    # rollback.py).
    from .rollback import kept_on_delete

    original_delete_resource = ResourceMap._delete_resource

    def _delete_resource(self: Any, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
        if kept_on_delete(resource_json.get("DeletionPolicy")):
            return
        original_delete_resource(self, parsed_resource, resource_json)

    replace(ResourceMap, "_delete_resource", _delete_resource)


def _termination_protection() -> None:
    from moto.cloudformation import models
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.responses import CloudFormationResponse

    # moto: no UpdateTerminationProtection action (HTTP 400 "not yet implemented"), and DeleteStack
    # deletes a protected stack. AWS: the flag is set on the root stack (a nested stack refuses it:
    # protection is inherited from the root), DescribeStacks shows it, and DeleteStack refuses with
    # "Stack [name] cannot be deleted while TerminationProtection is enabled".
    def update_termination_protection(self: Any) -> str:
        name = self._get_param("StackName")
        enabled = self._get_param("EnableTerminationProtection") in (True, "true", "True")
        stack = self.cloudformation_backend.get_stack(name)
        if stack.parent_id:
            raise ValidationError(
                name,
                message="Termination protection cannot be updated on a nested stack: set it on the root stack "
                f"{stack.root_id}",
            )
        stack.enable_termination_protection = enabled
        return (
            '<UpdateTerminationProtectionResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
            f"<UpdateTerminationProtectionResult><StackId>{stack.stack_id}</StackId>"
            "</UpdateTerminationProtectionResult>"
            "<ResponseMetadata><RequestId>emulator</RequestId></ResponseMetadata>"
            "</UpdateTerminationProtectionResponse>"
        )

    replace(CloudFormationResponse, "update_termination_protection", update_termination_protection)

    original_delete_stack = models.CloudFormationBackend.delete_stack

    def delete_stack(self: Any, name_or_stack_id: str) -> None:
        for stack in self.stacks.values():
            if name_or_stack_id in (stack.stack_id, stack.name) and stack.enable_termination_protection:
                raise ValidationError(
                    name_or_stack_id,
                    message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled",
                )
        original_delete_stack(self, name_or_stack_id)

    replace(models.CloudFormationBackend, "delete_stack", delete_stack)


def _reset() -> None:
    from moto.moto_api._internal.models import MotoAPIBackend

    from .providers import placeholders

    # moto: POST /moto-api/reset empties moto's backends. The placeholders' records live outside them;
    # they are emptied with them, so a reset forgets every resource.
    original_reset = MotoAPIBackend.reset

    def reset(self: Any) -> None:
        placeholders.RECORDS.clear()
        original_reset(self)

    replace(MotoAPIBackend, "reset", reset)
