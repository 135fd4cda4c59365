"""What the secure prod defaults add (README "Security"), in moto's own backends: AWS::S3::BucketPolicy
(S3), AWS::WAFv2::WebACL and AWS::WAFv2::WebACLAssociation (WAFv2), AWS::RDS::DBParameterGroup and
AWS::RDS::DBClusterParameterGroup (RDS). moto's CloudFormation has none of them but DBParameterGroup,
whose native model is replaced here: its Ref is the moto object instead of the group's name (an
instance naming it fails with HTTP 500), its name is the bare logical ID (two stacks collide), and it
cannot be updated.

Reference: BucketPolicy sets the bucket's policy (GetBucketPolicy shows it), Ref is a generated ID;
WebACL -- Ref is "name|id|scope", GetAtt Arn and Id; WebACLAssociation associates the ACL with the
resource ARN (GetWebACLForResource shows it); DBParameterGroup / DBClusterParameterGroup -- Ref is the
group's name (generated from the stack and logical ID when absent, lowercase as RDS keeps it), family,
description and `Parameters` kept (DescribeDBParameters / DescribeDBClusterParameters show them); an
update applies the new `Parameters` and resets the ones removed, as RDS does.
"""

from __future__ import annotations

import json
from typing import Any

from .base import Provider, generated_identifier, tags


def _text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


class BucketPolicy(Provider):
    TYPE = "AWS::S3::BucketPolicy"

    def _backend(self) -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[self.account_id]["global"]

    def create(self) -> None:
        self._backend().put_bucket_policy(self.properties["Bucket"], _text(self.properties["PolicyDocument"]).encode())

    def update(self, old: dict[str, Any]) -> None:
        self.create()

    def remove(self) -> None:
        self._backend().delete_bucket_policy(self.properties["Bucket"])

    @property
    def ref(self) -> str:
        return self.name


class WebACL(Provider):
    TYPE = "AWS::WAFv2::WebACL"
    NAME_PROPERTY = "Name"
    REPLACE_ON = frozenset({"Name", "Scope"})
    ATTRIBUTES = frozenset({"Arn", "Id"})

    def _backend(self) -> Any:
        from moto.wafv2.models import wafv2_backends

        return wafv2_backends[self.account_id][self.region_name]

    def create(self) -> None:
        p = self.properties
        self.acl = self._backend().create_web_acl(
            self.name,
            p["VisibilityConfig"],
            p["DefaultAction"],
            p["Scope"],
            p.get("Description", ""),
            tags(p),
            p.get("Rules") or [],
            None,
            None,
            None,
            None,
            None,
        )

    def update(self, old: dict[str, Any]) -> None:
        self.acl.rules = self.properties.get("Rules") or []
        self.acl.default_action = self.properties["DefaultAction"]
        self.acl.description = self.properties.get("Description", "")

    def remove(self) -> None:
        self._backend().delete_web_acl(self.name, self.properties["Scope"], self.acl.id, self.acl.lock_token)

    @property
    def ref(self) -> str:
        return f"{self.name}|{self.acl.id}|{self.properties['Scope']}"

    def attributes(self) -> dict[str, Any]:
        return {"Arn": self.acl.arn, "Id": self.acl.id}


class WebACLAssociation(Provider):
    TYPE = "AWS::WAFv2::WebACLAssociation"
    REPLACE_ON = frozenset({"ResourceArn", "WebACLArn"})

    def _backend(self) -> Any:
        from moto.wafv2.models import wafv2_backends

        return wafv2_backends[self.account_id][self.region_name]

    def create(self) -> None:
        self._backend().associate_web_acl(self.properties["WebACLArn"], self.properties["ResourceArn"])

    def update(self, old: dict[str, Any]) -> None:
        self.create()

    def remove(self) -> None:
        self._backend().disassociate_web_acl(self.properties["ResourceArn"])

    @property
    def ref(self) -> str:
        return self.name


def _rds(account_id: str, region_name: str) -> Any:
    from moto.rds.models import rds_backends

    return rds_backends[account_id][region_name]


def _parameters(properties: dict[str, Any]) -> list[dict[str, str]]:
    """CloudFormation's `Parameters` map as ModifyDB(Cluster)ParameterGroup's list (values are strings)."""
    return [
        {"ParameterName": name, "ParameterValue": str(value), "ApplyMethod": "pending-reboot"}
        for name, value in sorted((properties.get("Parameters") or {}).items())
    ]


class _ParameterGroup(Provider):
    """What both RDS parameter-group types share: a generated lowercase name, parameters set by the
    service's Modify call, and those removed from the template reset (dropped from the group)."""

    REPLACE_ON = frozenset({"Family", "Description"})

    @classmethod
    def physical_name(cls, resource_name: str) -> str:
        return generated_identifier(resource_name, 255)

    def group(self) -> Any:
        raise NotImplementedError

    def modify(self, parameters: list[dict[str, str]]) -> None:
        raise NotImplementedError

    def update(self, old: dict[str, Any]) -> None:
        removed = set(old.get("Parameters") or {}) - set(self.properties.get("Parameters") or {})
        for name in removed:  # ResetDB(Cluster)ParameterGroup: back to the engine default (moto: not set)
            self.group().parameters.pop(name, None)
        self.modify(_parameters(self.properties))

    @property
    def ref(self) -> str:
        return self.name


class DBParameterGroup(_ParameterGroup):
    TYPE = "AWS::RDS::DBParameterGroup"
    NAME_PROPERTY = "DBParameterGroupName"
    REPLACE_ON = frozenset({"DBParameterGroupName", "Family", "Description"})

    def create(self) -> None:
        p = self.properties
        self.name = self.name.lower()
        _rds(self.account_id, self.region_name).create_db_parameter_group(
            {
                "db_parameter_group_name": self.name,
                "db_parameter_group_family": p["Family"],
                "description": p["Description"],
                "tags": tags(p),
            }
        )
        self.modify(_parameters(p))

    def group(self) -> Any:
        return _rds(self.account_id, self.region_name).db_parameter_groups[self.name]

    def modify(self, parameters: list[dict[str, str]]) -> None:
        if parameters:
            _rds(self.account_id, self.region_name).modify_db_parameter_group(self.name, parameters)

    def remove(self) -> None:
        _rds(self.account_id, self.region_name).delete_db_parameter_group(self.name)


class DBClusterParameterGroup(_ParameterGroup):
    TYPE = "AWS::RDS::DBClusterParameterGroup"
    NAME_PROPERTY = "DBClusterParameterGroupName"
    REPLACE_ON = frozenset({"DBClusterParameterGroupName", "Family", "Description"})

    def create(self) -> None:
        p = self.properties
        self.name = self.name.lower()
        _rds(self.account_id, self.region_name).create_db_cluster_parameter_group(
            self.name, p["Family"], p["Description"], tags(p)
        )
        self.modify(_parameters(p))

    def group(self) -> Any:
        return _rds(self.account_id, self.region_name).db_cluster_parameter_groups[self.name]

    def modify(self, parameters: list[dict[str, str]]) -> None:
        if parameters:
            _rds(self.account_id, self.region_name).modify_db_cluster_parameter_group(self.name, parameters)

    def remove(self) -> None:
        _rds(self.account_id, self.region_name).delete_db_cluster_parameter_group(self.name)
