"""AWS::Timestream::Database, in moto's Timestream Write backend.

Reference: Ref is the database name; GetAtt Arn. Without DatabaseName, CloudFormation generates one.
"""

from __future__ import annotations

from typing import Any

from .base import Provider, tags


def _backend(account_id: str, region_name: str) -> Any:
    from moto.timestreamwrite.models import timestreamwrite_backends

    return timestreamwrite_backends[account_id][region_name]


class Database(Provider):
    TYPE = "AWS::Timestream::Database"
    NAME_PROPERTY = "DatabaseName"
    REPLACE_ON = frozenset({"DatabaseName"})
    ATTRIBUTES = frozenset({"Arn"})

    def create(self) -> None:
        self.database = _backend(self.account_id, self.region_name).create_database(
            self.name, self.properties.get("KmsKeyId"), tags(self.properties)
        )

    def update(self, old: dict[str, Any]) -> None:
        self.database = _backend(self.account_id, self.region_name).update_database(
            self.name, self.properties.get("KmsKeyId")
        )

    def remove(self) -> None:
        _backend(self.account_id, self.region_name).delete_database(self.name)

    @property
    def ref(self) -> str:
        return self.name

    def attributes(self) -> dict[str, Any]:
        return {"Arn": self.database.arn}
