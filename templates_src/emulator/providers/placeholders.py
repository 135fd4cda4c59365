"""Placeholders: resource types moto has no API for at all. They prove the wiring only.

A placeholder keeps a record (RECORDS, cleared by a reset of the endpoint) so that the stack deploys
and its Ref / GetAtt answer values shaped as the CloudFormation resource reference documents; no
service API can show the resource, so a test that leans on one says so. types.py lists them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .base import Provider

# (account, region, type, name) -> the properties last applied.
RECORDS: dict[tuple[str, str, str, str], dict[str, Any]] = {}


class Placeholder(Provider):
    def create(self) -> None:
        RECORDS[self.key] = dict(self.properties)

    def update(self, old: dict[str, Any]) -> None:
        RECORDS[self.key] = dict(self.properties)

    def remove(self) -> None:
        RECORDS.pop(self.key, None)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.account_id, self.region_name, self.TYPE, self.name)

    @property
    def token(self) -> str:
        """A stable 6-character id, like the random parts AWS puts in endpoints."""
        return hashlib.sha256("/".join(self.key).encode()).hexdigest()[:6]
