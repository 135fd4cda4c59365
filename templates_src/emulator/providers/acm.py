"""AWS::CertificateManager::Certificate, in moto's ACM backend (DescribeCertificate shows it).

Reference: Ref is the certificate ARN. With `ValidationMethod: DNS` and a `HostedZoneId` in
DomainValidationOptions, CloudFormation writes the validation CNAME into that zone and completes the
resource once ACM has issued the certificate. The emulator does the same: it writes the CNAME
(visible through ListResourceRecordSets) and marks the certificate ISSUED. A zone that does not exist
fails the resource (on AWS the certificate would stay PENDING_VALIDATION until the stack times out).
Without a zone (DNS validated by hand) the certificate stays PENDING_VALIDATION, as on AWS.
"""

from __future__ import annotations

from typing import Any

from .base import Provider, tags


def _backend(account_id: str, region_name: str) -> Any:
    from moto.acm.models import acm_backends

    return acm_backends[account_id][region_name]


class Certificate(Provider):
    TYPE = "AWS::CertificateManager::Certificate"
    REPLACE_ON = frozenset(
        {"DomainName", "SubjectAlternativeNames", "DomainValidationOptions", "ValidationMethod", "KeyAlgorithm"}
    )
    ATTRIBUTES = frozenset({"Id"})

    def create(self) -> None:
        p = self.properties
        backend = _backend(self.account_id, self.region_name)
        self.arn = backend.request_certificate(
            domain_name=p["DomainName"],
            idempotency_token=None,
            subject_alt_names=list(p.get("SubjectAlternativeNames") or []),
            tags=tags(p) or None,
        )
        if p.get("ValidationMethod", "DNS") != "DNS":
            return  # e-mail validation waits for a person; moto keeps it PENDING_VALIDATION
        zones = {o["DomainName"]: o.get("HostedZoneId") for o in p.get("DomainValidationOptions") or []}
        if not zones or not all(zones.values()):
            return
        from moto.cloudformation.exceptions import ValidationError
        from moto.route53.models import route53_backends

        route53 = route53_backends[self.account_id]["aws"]
        certificate = backend.get_certificate(self.arn)
        for option in certificate.describe()["Certificate"]["DomainValidationOptions"]:
            zone_id = zones.get(option["DomainName"]) or next(iter(zones.values()))
            if zone_id.replace("/hostedzone/", "") not in route53.zones:
                backend.delete_certificate(self.arn)
                raise ValidationError(
                    message=f"Certificate for {option['DomainName']}: hosted zone {zone_id} does not exist, so "
                    "the DNS validation record cannot be written (on AWS the certificate stays "
                    "PENDING_VALIDATION until the stack times out)"
                )
            record = option["ResourceRecord"]
            route53.change_resource_record_sets(
                zone_id,
                [
                    {
                        "Action": "UPSERT",
                        "ResourceRecordSet": {
                            "Name": record["Name"],
                            "Type": record["Type"],
                            "TTL": "300",
                            "ResourceRecords": [{"Value": record["Value"]}],
                        },
                    }
                ],
            )
        certificate.status = "ISSUED"

    def update(self, old: dict[str, Any]) -> None:
        pass  # every property but Tags requires replacement; tags are not compared by the diff

    def remove(self) -> None:
        _backend(self.account_id, self.region_name).delete_certificate(self.arn)

    @property
    def ref(self) -> str:
        return self.arn

    def attributes(self) -> dict[str, Any]:
        return {"Id": self.arn.rsplit("/", 1)[-1]}
