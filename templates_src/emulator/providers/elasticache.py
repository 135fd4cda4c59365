"""AWS::ElastiCache::SubnetGroup and ::ReplicationGroup in moto's ElastiCache backend; ::ServerlessCache
as a placeholder (moto 5.2.5 has no serverless-cache API: CreateServerlessCache is not implemented).

Reference: SubnetGroup -- Ref is the subnet group name (lowercase). ReplicationGroup -- Ref is the
replication group ID; GetAtt PrimaryEndPoint.Address/.Port, ReaderEndPoint.Address/.Port,
ConfigurationEndPoint.Address/.Port (cluster mode). ServerlessCache -- Ref is the cache name; GetAtt
Endpoint.Address, Endpoint.Port, ReaderEndpoint.Address, ReaderEndpoint.Port, ARN, Status.
"""

from __future__ import annotations

from typing import Any

from .base import Provider, generated_identifier, tags
from .placeholders import Placeholder


def _backend(account_id: str, region_name: str) -> Any:
    from moto.elasticache.models import elasticache_backends

    return elasticache_backends[account_id][region_name]


def _bool(value: Any) -> bool:
    return value in (True, "true", "True")


class SubnetGroup(Provider):
    TYPE = "AWS::ElastiCache::SubnetGroup"
    NAME_PROPERTY = "CacheSubnetGroupName"
    REPLACE_ON = frozenset({"CacheSubnetGroupName"})

    @classmethod
    def physical_name(cls, resource_name: str) -> str:
        return generated_identifier(resource_name, 255)

    def create(self) -> None:
        _backend(self.account_id, self.region_name).create_cache_subnet_group(
            cache_subnet_group_name=self.name.lower(),
            cache_subnet_group_description=self.properties.get("Description", ""),
            subnet_ids=list(self.properties.get("SubnetIds") or []),
            tags=tags(self.properties),
        )

    def update(self, old: dict[str, Any]) -> None:
        group = _backend(self.account_id, self.region_name).cache_subnet_groups[self.ref]
        group.cache_subnet_group_description = self.properties.get("Description", "")
        group.subnet_ids = list(self.properties.get("SubnetIds") or [])

    def remove(self) -> None:
        # moto has no DeleteCacheSubnetGroup; its backend's own table is what DescribeCacheSubnetGroups reads.
        _backend(self.account_id, self.region_name).cache_subnet_groups.pop(self.ref, None)

    @property
    def ref(self) -> str:
        return self.name.lower()


class ReplicationGroup(Provider):
    TYPE = "AWS::ElastiCache::ReplicationGroup"
    NAME_PROPERTY = "ReplicationGroupId"
    REPLACE_ON = frozenset(
        {"ReplicationGroupId", "Engine", "CacheSubnetGroupName", "AtRestEncryptionEnabled", "KmsKeyId", "Port"}
    )
    ATTRIBUTES = frozenset(
        {
            "PrimaryEndPoint.Address",
            "PrimaryEndPoint.Port",
            "ReaderEndPoint.Address",
            "ReaderEndPoint.Port",
            "ConfigurationEndPoint.Address",
            "ConfigurationEndPoint.Port",
        }
    )

    @classmethod
    def physical_name(cls, resource_name: str) -> str:
        return generated_identifier(resource_name, 40)

    def create(self) -> None:
        p = self.properties
        self.group = _backend(self.account_id, self.region_name).create_replication_group(
            replication_group_id=self.name,
            replication_group_description=p.get("ReplicationGroupDescription", ""),
            global_replication_group_id=p.get("GlobalReplicationGroupId"),
            primary_cluster_id=p.get("PrimaryClusterId"),
            automatic_failover_enabled=_bool(p.get("AutomaticFailoverEnabled")),
            multi_az_enabled=_bool(p.get("MultiAZEnabled")),
            num_cache_clusters=int(p.get("NumCacheClusters") or 0) or None,
            preferred_cache_cluster_azs=p.get("PreferredCacheClusterAZs") or [],
            num_node_groups=int(p.get("NumNodeGroups") or 0) or None,
            replicas_per_node_group=int(p.get("ReplicasPerNodeGroup") or 0) or None,
            node_group_configuration=p.get("NodeGroupConfiguration") or [],
            cache_node_type=p.get("CacheNodeType"),
            engine=p.get("Engine", "redis"),
            engine_version=p.get("EngineVersion"),
            cache_parameter_group_name=p.get("CacheParameterGroupName"),
            cache_subnet_group_name=p.get("CacheSubnetGroupName"),
            cache_security_group_names=p.get("CacheSecurityGroupNames") or [],
            security_group_ids=p.get("SecurityGroupIds") or [],
            tags=tags(p),
            snapshot_arns=p.get("SnapshotArns") or [],
            snapshot_name=p.get("SnapshotName"),
            preferred_maintenance_window=p.get("PreferredMaintenanceWindow"),
            port=int(p.get("Port") or 6379),
            notification_topic_arn=p.get("NotificationTopicArn"),
            auto_minor_version_upgrade=_bool(p.get("AutoMinorVersionUpgrade", True)),
            snapshot_retention_limit=int(p.get("SnapshotRetentionLimit") or 0),
            snapshot_window=p.get("SnapshotWindow"),
            auth_token=p.get("AuthToken"),
            transit_encryption_enabled=_bool(p.get("TransitEncryptionEnabled")),
            at_rest_encryption_enabled=_bool(p.get("AtRestEncryptionEnabled")),
            kms_key_id=p.get("KmsKeyId"),
            user_group_ids=p.get("UserGroupIds") or [],
            log_delivery_configurations=p.get("LogDeliveryConfigurations") or [],
            data_tiering_enabled=_bool(p.get("DataTieringEnabled")),
            network_type=p.get("NetworkType"),
            ip_discovery=p.get("IpDiscovery"),
            transit_encryption_mode=p.get("TransitEncryptionMode"),
            cluster_mode=p.get("ClusterMode"),
            serverless_cache_snapshot_name=None,
        )

    def update(self, old: dict[str, Any]) -> None:
        p = self.properties
        self.group = _backend(self.account_id, self.region_name).modify_replication_group(
            replication_group_id=self.name,
            replication_group_description=p.get("ReplicationGroupDescription"),
            engine=p.get("Engine"),
            cache_node_type=p.get("CacheNodeType"),
            automatic_failover_enabled=_bool(p.get("AutomaticFailoverEnabled")),
            multi_az_enabled=_bool(p.get("MultiAZEnabled")),
            snapshot_retention_limit=int(p.get("SnapshotRetentionLimit") or 0),
        )

    def remove(self) -> None:
        _backend(self.account_id, self.region_name).delete_replication_group(self.name, False)

    @property
    def ref(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        port = str(self.group.port)
        if getattr(self.group, "configuration_endpoint", None):
            address = self.group.configuration_endpoint["address"]
            return {"ConfigurationEndPoint.Address": address, "ConfigurationEndPoint.Port": port}
        node_group = self.group.node_groups[0]
        return {
            "PrimaryEndPoint.Address": node_group["primary_endpoint_address"],
            "PrimaryEndPoint.Port": port,
            "ReaderEndPoint.Address": node_group["reader_endpoint_address"],
            "ReaderEndPoint.Port": port,
        }


class ServerlessCache(Placeholder):
    TYPE = "AWS::ElastiCache::ServerlessCache"
    NAME_PROPERTY = "ServerlessCacheName"
    REPLACE_ON = frozenset({"ServerlessCacheName", "Engine", "KmsKeyId", "SubnetIds"})
    ATTRIBUTES = frozenset(
        {
            "ARN",
            "CreateTime",
            "Endpoint.Address",
            "Endpoint.Port",
            "FullEngineVersion",
            "ReaderEndpoint.Address",
            "ReaderEndpoint.Port",
            "Status",
        }
    )

    @property
    def ref(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        # The shape of a real endpoint: <name>-<id>.serverless.<short region>.cache.amazonaws.com, port
        # 6379 for the primary and 6380 for reads.
        short = "".join(part[0] if not part.isdigit() else part for part in self.region_name.split("-"))
        host = f"{self.name}-{self.token}.serverless.{short}.cache.amazonaws.com"
        return {
            "ARN": f"arn:aws:elasticache:{self.region_name}:{self.account_id}:serverlesscache:{self.name}",
            "CreateTime": "2026-01-01T00:00:00Z",
            "Endpoint.Address": host,
            "Endpoint.Port": "6379",
            "FullEngineVersion": str(self.properties.get("MajorEngineVersion", "")),
            "ReaderEndpoint.Address": host,
            "ReaderEndpoint.Port": "6380",
            "Status": "available",
        }


class User(Provider):
    """AWS::ElastiCache::User in moto's backend (CreateUser / DescribeUsers / DeleteUser). Ref is the UserId.
    The password arrives resolved (a `{{resolve:secretsmanager:...}}` dynamic reference, patches.py)."""

    TYPE = "AWS::ElastiCache::User"
    REPLACE_ON = frozenset({"UserId", "UserName", "Engine"})

    def create(self) -> None:
        p = self.properties
        mode = p.get("AuthenticationMode") or {}
        passwords = list(mode.get("Passwords") or p.get("Passwords") or [])
        kind = mode.get("Type") or ("no-password-required" if _bool(p.get("NoPasswordRequired")) else "password")
        self.user_id = p["UserId"]
        _backend(self.account_id, self.region_name).create_user(
            user_id=self.user_id,
            user_name=p["UserName"],
            engine=p["Engine"],
            passwords=passwords,
            access_string=p.get("AccessString", ""),
            no_password_required=kind == "no-password-required",
            authentication_type=kind,
            tags=tags(p),
        )

    def update(self, old: dict[str, Any]) -> None:
        # ModifyUser: moto's keeps no history, so the user is made again with the new access and passwords.
        _backend(self.account_id, self.region_name).delete_user(self.user_id)
        self.create()

    def remove(self) -> None:
        _backend(self.account_id, self.region_name).delete_user(self.user_id)

    @property
    def ref(self) -> str:
        return self.user_id


class UserGroup(Placeholder):
    """A placeholder: moto 5.2.5 has no user-group API. Ref is the UserGroupId; every user it names must
    exist in moto's backend (as CreateUserGroup checks), so the wiring to the users is proven."""

    TYPE = "AWS::ElastiCache::UserGroup"
    REPLACE_ON = frozenset({"UserGroupId", "Engine"})

    def create(self) -> None:
        users = _backend(self.account_id, self.region_name).users
        missing = [u for u in self.properties.get("UserIds") or [] if u not in users]
        if missing:
            from moto.cloudformation.exceptions import ValidationError

            raise ValidationError(message=f"user group {self.properties['UserGroupId']}: no such user(s) {missing}")
        super().create()

    def update(self, old: dict[str, Any]) -> None:
        self.create()

    @property
    def ref(self) -> str:
        return str(self.properties["UserGroupId"])
