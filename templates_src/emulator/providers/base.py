"""What every provider shares: moto's CloudFormation model contract, once.

moto's CloudFormation creates a resource by calling `create_from_cloudformation_json` on the class
registered for its type, then asks the instance for `physical_resource_id` (what `Ref` returns) and
`get_cfn_attribute(name)` (what `Fn::GetAtt` returns); it updates through
`update_from_cloudformation_json` and deletes through `instance.delete(account, region)`. A provider
subclasses `Provider`, names its `TYPE`, and implements `create`, `update` and `remove` against moto's
own backend for its service, so that service's API shows the resource afterwards.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, ClassVar


class Provider:
    TYPE: ClassVar[str]
    # The property that carries the physical name, when the type has one ("" = generated).
    NAME_PROPERTY: ClassVar[str] = ""
    # Properties whose change makes AWS replace the resource (the resource reference's "Update requires:
    # Replacement"); any other change is applied in place by `update`.
    REPLACE_ON: ClassVar[frozenset[str]] = frozenset()
    # Fn::GetAtt attributes the CloudFormation resource reference documents for the type.
    ATTRIBUTES: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, account_id: str, region_name: str, name: str, resource_json: dict[str, Any]) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.name = name
        self.properties: dict[str, Any] = resource_json.get("Properties") or {}
        self.deletion_policy: str = resource_json.get("DeletionPolicy", "Delete")
        self.logical_resource_id = ""
        self.cf_resource_type = self.TYPE

    # --------------------------------------------------------------- what a provider implements
    def create(self) -> None:
        raise NotImplementedError

    def update(self, old: dict[str, Any]) -> None:
        """Apply `self.properties` in place (the previous properties are `old`)."""
        raise NotImplementedError

    def remove(self) -> None:
        raise NotImplementedError

    @property
    def ref(self) -> str:
        raise NotImplementedError

    def attributes(self) -> dict[str, Any]:
        return {}

    # --------------------------------------------------------------------- moto's contract
    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Provider:
        resource = cls(account_id, region_name, cls.physical_name(resource_name), cloudformation_json)
        resource.logical_resource_id = kwargs.get("LogicalId", "")
        resource.create()
        return resource

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Provider,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Provider:
        old = original_resource.properties
        new = cloudformation_json.get("Properties") or {}
        if any(old.get(key) != new.get(key) for key in cls.REPLACE_ON):
            # AWS replaces: the new resource first, then the old one is deleted (a fixed name collides,
            # as on AWS, unless the name changes too).
            replacement = cls.create_from_cloudformation_json(
                new_resource_name,
                cloudformation_json,
                account_id,
                region_name,
                LogicalId=original_resource.logical_resource_id,
            )
            if original_resource.deletion_policy not in ("Retain", "RetainExceptOnCreate"):
                original_resource.remove()
            return replacement
        original_resource.properties = new
        original_resource.deletion_policy = cloudformation_json.get("DeletionPolicy", "Delete")
        original_resource.update(old)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        raise NotImplementedError("providers delete through the instance")  # moto calls delete() first

    def delete(self, account_id: str, region_name: str) -> None:
        self.remove()

    def is_created(self) -> bool:
        return True

    @property
    def physical_resource_id(self) -> str:
        return self.ref

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        values = self.attributes()
        if attribute_name not in values:
            from moto.cloudformation.exceptions import ValidationError

            raise ValidationError(
                message=f"Template error: resource {self.logical_resource_id} ({self.TYPE}) does not support "
                f"attribute type {attribute_name} in Fn::GetAtt"
            )
        return values[attribute_name]

    @classmethod
    def physical_name(cls, resource_name: str) -> str:
        """The name CloudFormation gives when the template gives none (moto passes stack-logical-suffix)."""
        return resource_name


def generated_identifier(resource_name: str, limit: int = 63) -> str:
    """A lowercase identifier of letters, digits and single hyphens, as CloudFormation generates for RDS
    and ElastiCache (which refuse upper case and '--'), shortened with a hash when too long."""
    text = re.sub(r"[^a-z0-9-]+", "-", resource_name.lower())
    text = re.sub(r"-{2,}", "-", text).strip("-")
    if not text[:1].isalpha():
        text = "r" + text
    if len(text) > limit:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        text = text[: limit - 9].rstrip("-") + "-" + digest
    return text


def tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in properties.get("Tags") or []]
