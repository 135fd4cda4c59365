"""What the secure prod defaults add (README "Security"), in moto's own backends: AWS::S3::BucketPolicy
(S3), AWS::WAFv2::WebACL and AWS::WAFv2::WebACLAssociation (WAFv2), AWS::RDS::DBClusterParameterGroup
(RDS). moto's CloudFormation has none of them.

Reference: BucketPolicy sets the bucket's policy (GetBucketPolicy shows it), Ref is a generated ID;
WebACL -- Ref is "name|id|scope", GetAtt Arn and Id; WebACLAssociation associates the ACL with the
resource ARN (GetWebACLForResource shows it); DBClusterParameterGroup -- Ref is its name (generated
when absent), its family and description kept (DescribeDBClusterParameterGroups).
"""

from __future__ import annotations

import json
from typing import Any

from .base import Provider, tags


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


class DBClusterParameterGroup(Provider):
    TYPE = "AWS::RDS::DBClusterParameterGroup"
    NAME_PROPERTY = "DBClusterParameterGroupName"
    REPLACE_ON = frozenset({"DBClusterParameterGroupName", "Family", "Description"})

    def _backend(self) -> Any:
        from moto.rds.models import rds_backends

        return rds_backends[self.account_id][self.region_name]

    def create(self) -> None:
        p = self.properties
        self._backend().create_db_cluster_parameter_group(self.name, p["Family"], p["Description"], tags(p))

    def update(self, old: dict[str, Any]) -> None:
        pass  # Parameters only: moto keeps no parameter values for a cluster parameter group

    def remove(self) -> None:
        self._backend().delete_db_cluster_parameter_group(self.name)

    @property
    def ref(self) -> str:
        return self.name
