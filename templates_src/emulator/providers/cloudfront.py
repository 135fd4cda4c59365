"""AWS::CloudFront::Distribution, in moto's CloudFront backend (global: the partition's backend).

Reference: Ref is the distribution ID; GetAtt DomainName (`<id>.cloudfront.net`) and Id. The template's
DistributionConfig is handed to moto in the API's spelling (lists as {Quantity, Items}); GetDistribution then
shows the origin, its custom headers, the cache behaviour's policies, aliases, certificate and web ACL.
moto serves no traffic and does not check the certificate, the policies' IDs or the web ACL's scope.
"""

from __future__ import annotations

import uuid
from typing import Any

from .base import Provider, tags


def _backend(account_id: str) -> Any:
    from moto.cloudfront.models import cloudfront_backends

    return cloudfront_backends[account_id]["aws"]


def _items(values: list[Any]) -> dict[str, Any]:
    return {"Quantity": len(values), "Items": values}


def api_config(config: dict[str, Any], caller_reference: str) -> dict[str, Any]:
    """The template's DistributionConfig as CreateDistribution takes it."""
    origins = []
    for o in config.get("Origins", []):
        origin = {k: v for k, v in o.items() if k not in ("CustomOriginConfig", "OriginCustomHeaders")}
        if "CustomOriginConfig" in o:
            custom = dict(o["CustomOriginConfig"])
            custom["OriginSslProtocols"] = _items(custom.pop("OriginSSLProtocols", []))
            origin["CustomOriginConfig"] = custom
        origin["CustomHeaders"] = _items(o.get("OriginCustomHeaders", []))
        origins.append(origin)
    behavior = dict(config["DefaultCacheBehavior"])
    methods = behavior.pop("AllowedMethods", ["GET", "HEAD"])
    behavior["AllowedMethods"] = {**_items(methods), "CachedMethods": _items(behavior.pop("CachedMethods", []))}
    viewer = dict(config.get("ViewerCertificate", {}))
    if "AcmCertificateArn" in viewer:
        viewer["ACMCertificateArn"] = viewer.pop("AcmCertificateArn")
        viewer["CloudFrontDefaultCertificate"] = False
    if "SslSupportMethod" in viewer:
        viewer["SSLSupportMethod"] = viewer.pop("SslSupportMethod")
    out = {
        "CallerReference": caller_reference,
        "Origins": _items(origins),
        "DefaultCacheBehavior": behavior,
        "Comment": config.get("Comment", ""),
        "Enabled": config.get("Enabled", True),
        "PriceClass": config.get("PriceClass", "PriceClass_All"),
        "HttpVersion": config.get("HttpVersion", "http2"),
        "IsIPV6Enabled": config.get("IPV6Enabled", True),
        "ViewerCertificate": viewer,
        "WebACLId": config.get("WebACLId", ""),
    }
    if config.get("Aliases"):
        out["Aliases"] = _items(config["Aliases"])
    return out


class Distribution(Provider):
    TYPE = "AWS::CloudFront::Distribution"
    ATTRIBUTES = frozenset({"DomainName", "Id"})

    def create(self) -> None:
        self.reference = f"{self.name}-{uuid.uuid4()}"
        config = api_config(self.properties["DistributionConfig"], self.reference)
        self.distribution, _, _ = _backend(self.account_id).create_distribution(config, tags(self.properties))

    def update(self, old: dict[str, Any]) -> None:
        config = api_config(self.properties["DistributionConfig"], self.reference)
        self.distribution, _, _ = _backend(self.account_id).update_distribution(
            config, self.distribution.distribution_id, True
        )

    def remove(self) -> None:
        _backend(self.account_id).delete_distribution(self.distribution.distribution_id, True)

    @property
    def ref(self) -> str:
        return str(self.distribution.distribution_id)

    def attributes(self) -> dict[str, Any]:
        return {"DomainName": self.distribution.domain_name, "Id": self.distribution.distribution_id}
