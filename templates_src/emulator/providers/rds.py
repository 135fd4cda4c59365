"""AWS::RDS::DBCluster and AWS::RDS::DBInstance, in moto's RDS backend.

moto's CloudFormation has no DBCluster model, and its DBInstance model drops DBClusterIdentifier (an
Aurora writer becomes a stand-alone instance outside its cluster) and most other properties; both
types are therefore created here through the same backend calls as CreateDBCluster/CreateDBInstance.
Reference: DBCluster -- Ref is the cluster identifier; GetAtt Endpoint.Address, Endpoint.Port,
ReadEndpoint.Address, DBClusterArn, DBClusterResourceId. DBInstance -- Ref is the instance identifier;
GetAtt Endpoint.Address, Endpoint.Port, DBInstanceArn, DbiResourceId. A `DeletionPolicy: Snapshot`
takes a final snapshot on delete.
"""

from __future__ import annotations

from typing import Any

from .base import Provider, generated_identifier, tags

# CloudFormation property -> the backend's keyword, where the plain snake_case form is not it.
_RENAMES = {"DBName": "db_name", "DatabaseName": "database_name"}
# Properties that are not CreateDB* parameters (CloudFormation-only or handled apart).
_SKIP = {"Tags", "DBSubnetGroupName", "DBClusterIdentifier", "DBInstanceIdentifier"}


def _backend(account_id: str, region_name: str) -> Any:
    from moto.rds.models import rds_backends

    return rds_backends[account_id][region_name]


def _kwargs(properties: dict[str, Any]) -> dict[str, Any]:
    from moto.core.utils import camelcase_to_underscores

    kwargs = {
        _RENAMES.get(key, camelcase_to_underscores(key)): value for key, value in properties.items() if key not in _SKIP
    }
    for key in ("port", "backup_retention_period", "allocated_storage", "monitoring_interval", "promotion_tier"):
        if isinstance(kwargs.get(key), str):
            kwargs[key] = int(kwargs[key])
    for key in ("storage_encrypted", "deletion_protection", "copy_tags_to_snapshot", "multi_az", "publicly_accessible"):
        if isinstance(kwargs.get(key), str):
            kwargs[key] = kwargs[key].lower() == "true"
    group = properties.get("DBSubnetGroupName")
    if group is not None:
        kwargs["db_subnet_group_name"] = getattr(group, "name", group)  # moto's Ref of a subnet group is the object
    kwargs["tags"] = tags(properties)
    return kwargs


def _final_snapshot(identifier: str) -> str:
    return generated_identifier(f"{identifier}-final-snapshot", 255)


class DBCluster(Provider):
    TYPE = "AWS::RDS::DBCluster"
    NAME_PROPERTY = "DBClusterIdentifier"
    REPLACE_ON = frozenset(
        {"DBClusterIdentifier", "DatabaseName", "Engine", "KmsKeyId", "StorageEncrypted", "DBSubnetGroupName"}
    )
    ATTRIBUTES = frozenset(
        {"Endpoint.Address", "Endpoint.Port", "ReadEndpoint.Address", "DBClusterArn", "DBClusterResourceId"}
    )

    @classmethod
    def physical_name(cls, resource_name: str) -> str:
        return generated_identifier(resource_name)

    def create(self) -> None:
        self.cluster = _backend(self.account_id, self.region_name).create_db_cluster(
            {**_kwargs(self.properties), "db_cluster_identifier": self.name}
        )

    def update(self, old: dict[str, Any]) -> None:
        changed = {k: v for k, v in self.properties.items() if old.get(k) != v}
        self.cluster = _backend(self.account_id, self.region_name).modify_db_cluster(
            {**_kwargs(changed), "db_cluster_identifier": self.name, "apply_immediately": True}
        )

    def remove(self) -> None:
        snapshot = _final_snapshot(self.name) if self.deletion_policy == "Snapshot" else None
        _backend(self.account_id, self.region_name).delete_db_cluster(self.name, snapshot)

    @property
    def ref(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        c = self.cluster
        return {
            "Endpoint.Address": c.endpoint,
            "Endpoint.Port": str(c.port),
            "ReadEndpoint.Address": c.reader_endpoint,
            "DBClusterArn": c.db_cluster_arn,
            "DBClusterResourceId": c.resource_id,
        }


class DBInstance(Provider):
    TYPE = "AWS::RDS::DBInstance"
    NAME_PROPERTY = "DBInstanceIdentifier"
    REPLACE_ON = frozenset(
        {"DBInstanceIdentifier", "DBClusterIdentifier", "DBName", "Engine", "KmsKeyId", "StorageEncrypted"}
    )
    ATTRIBUTES = frozenset({"Endpoint.Address", "Endpoint.Port", "DBInstanceArn", "DbiResourceId"})

    @classmethod
    def physical_name(cls, resource_name: str) -> str:
        return generated_identifier(resource_name)

    def create(self) -> None:
        kwargs = {**_kwargs(self.properties), "db_instance_identifier": self.name}
        if self.properties.get("DBClusterIdentifier"):
            kwargs["db_cluster_identifier"] = self.properties["DBClusterIdentifier"]
        self.instance = _backend(self.account_id, self.region_name).create_db_instance(kwargs)

    def update(self, old: dict[str, Any]) -> None:
        changed = {k: v for k, v in self.properties.items() if old.get(k) != v}
        self.instance = _backend(self.account_id, self.region_name).modify_db_instance(
            self.name, {**_kwargs(changed), "apply_immediately": True}
        )

    def remove(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        if self.properties.get("DBClusterIdentifier"):  # a cluster member: the cluster keeps the data
            backend.delete_db_instance(self.name, None, True)
        elif self.deletion_policy == "Snapshot":
            backend.delete_db_instance(self.name, _final_snapshot(self.name), False)
        else:
            backend.delete_db_instance(self.name, None, True)

    @property
    def ref(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        i = self.instance
        return {
            "Endpoint.Address": i.address,
            "Endpoint.Port": str(i.port),
            "DBInstanceArn": i.db_instance_arn,
            "DbiResourceId": i.dbi_resource_id,
        }
