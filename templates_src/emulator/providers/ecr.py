"""AWS::ECR::ReplicationConfiguration, in moto's ECR backend (its PutReplicationConfiguration).

Reference: one per registry (account and region); Ref is the registry ID (the account). Creating or
updating it replaces the registry's replication configuration; deleting it leaves the registry with none.
moto keeps the configuration (DescribeRegistry shows it) but copies no image, and accepts one rule only.
"""

from __future__ import annotations

from typing import Any

from .base import Provider


def _backend(account_id: str, region_name: str) -> Any:
    from moto.ecr.models import ecr_backends

    return ecr_backends[account_id][region_name]


def api_config(template: dict[str, Any]) -> dict[str, Any]:
    """The template's ReplicationConfiguration in the API's spelling."""
    return {
        "rules": [
            {
                "destinations": [
                    {"region": d["Region"], "registryId": str(d["RegistryId"])} for d in rule.get("Destinations", [])
                ],
                "repositoryFilters": [
                    {"filter": f["Filter"], "filterType": f["FilterType"]} for f in rule.get("RepositoryFilters") or []
                ],
            }
            for rule in template.get("Rules", [])
        ]
    }


class ReplicationConfiguration(Provider):
    TYPE = "AWS::ECR::ReplicationConfiguration"
    ATTRIBUTES = frozenset({"RegistryId"})

    def create(self) -> None:
        self._put(api_config(self.properties["ReplicationConfiguration"]))

    def update(self, old: dict[str, Any]) -> None:
        self.create()

    def remove(self) -> None:
        self._put({"rules": []})

    def _put(self, config: dict[str, Any]) -> None:
        _backend(self.account_id, self.region_name).put_replication_configuration(config)

    @property
    def ref(self) -> str:
        return self.account_id

    def attributes(self) -> dict[str, Any]:
        return {"RegistryId": self.account_id}
