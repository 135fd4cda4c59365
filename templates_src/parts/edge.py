"""CloudFront in front of an internet-facing ALB (`load_balancers.<n>.edge`, config/loadbalancing.Edge).

Three locks keep the ALB behind CloudFront:
- its security group admits the HTTPS listener's port only from CloudFront's origin-facing managed prefix list
  (`com.amazonaws.global.cloudfront.origin-facing`). CloudFormation cannot look a prefix list up by name and its
  ID differs per region, so the ID is the root parameter CloudFrontPrefixListId, filled at deploy from
  DescribeManagedPrefixLists (deploy/zones.py, manifest `prefix_lists_by_name`) unless given with -p;
- CloudFront adds a secret header (ORIGIN_HEADER) to every origin request; the value is a generated secret,
  put into the distribution and the ALB's rules by a `{{resolve:secretsmanager:...}}` dynamic reference, so it
  never appears in params, build/ or a change set's parameters. Every listener rule of the ALB also requires it
  (parts/targets.py), and the listener's default answer is 404: a request without it reaches no service;
- HTTPS between them: CloudFront connects to `origin_domain` (covered by the ALB's certificate) with TLS 1.2.
A web ACL of scope CLOUDFRONT (parts/waf.py) when the system is in us-east-1, or the one `web_acl_arn` names.
"""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, Sub, Template, cloudfront, secretsmanager

from ..config.loadbalancing import ALL_VIEWER_EXCEPT_HOST, CACHE_POLICIES, LoadBalancer
from ..naming import pascal
from . import waf

ORIGIN_HEADER = "X-Origin-Verify"
PREFIX_LIST_PARAMETER = "CloudFrontPrefixListId"
ORIGIN_ID = "alb"


def origin_secret_export(lb_name: str) -> str:
    return f"{pascal(lb_name)}OriginSecretArn"


def header_value(secret_arn: Any) -> Sub:
    """The secret header's value as CloudFormation resolves it at deploy (never its text in a template)."""
    return Sub("{{resolve:secretsmanager:${Secret}:SecretString}}", Secret=secret_arn)


def origin_secret(t: Template, lb_name: str) -> secretsmanager.Secret:
    return t.add_resource(
        secretsmanager.Secret(
            f"{pascal(lb_name)}OriginSecret",
            Description=f"the header value CloudFront sends to load balancer {lb_name} ({ORIGIN_HEADER})",
            GenerateSecretString=secretsmanager.GenerateSecretString(PasswordLength=48, ExcludePunctuation=True),
        )
    )


def distribution(
    t: Template,
    *,
    system: str,
    env: str,
    lb_name: str,
    lb: LoadBalancer,
    origin_domain: Any,
    secret: secretsmanager.Secret,
    web_acl: Any,
) -> cloudfront.Distribution:
    edge = lb.edge
    https = lb.https
    assert edge is not None and https is not None  # config: an internet-facing ALB with HTTPS
    viewer = (
        cloudfront.ViewerCertificate(
            AcmCertificateArn=edge.certificate_arn, SslSupportMethod="sni-only", MinimumProtocolVersion="TLSv1.2_2021"
        )
        if edge.certificate_arn
        else cloudfront.ViewerCertificate(CloudFrontDefaultCertificate=True)
    )
    config: dict[str, Any] = {
        "Enabled": True,
        "Comment": f"{system} {env}: load balancer {lb_name} (stackc)"[:128],
        "HttpVersion": "http2and3",
        "IPV6Enabled": True,
        "PriceClass": edge.price_class,
        "ViewerCertificate": viewer,
        "Origins": [
            cloudfront.Origin(
                Id=ORIGIN_ID,
                DomainName=origin_domain,
                CustomOriginConfig=cloudfront.CustomOriginConfig(
                    OriginProtocolPolicy="https-only", HTTPSPort=https.port, OriginSSLProtocols=["TLSv1.2"]
                ),
                OriginCustomHeaders=[
                    cloudfront.OriginCustomHeader(HeaderName=ORIGIN_HEADER, HeaderValue=header_value(Ref(secret)))
                ],
            )
        ],
        "DefaultCacheBehavior": cloudfront.DefaultCacheBehavior(
            TargetOriginId=ORIGIN_ID,
            ViewerProtocolPolicy="redirect-to-https",
            AllowedMethods=["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
            CachedMethods=["GET", "HEAD"],
            Compress=True,
            CachePolicyId=CACHE_POLICIES[edge.cache],
            OriginRequestPolicyId=ALL_VIEWER_EXCEPT_HOST,  # the viewer's headers, cookies, query; Host = the origin
        ),
    }
    if edge.aliases:
        config["Aliases"] = edge.aliases
    if web_acl is not None:
        config["WebACLId"] = web_acl
    return t.add_resource(
        cloudfront.Distribution(
            f"{pascal(lb_name)}Distribution", DistributionConfig=cloudfront.DistributionConfig(**config)
        )
    )


def edge_web_acl(t: Template, system: str, env: str, lb: LoadBalancer, *, prod: bool, region: str) -> Any:
    """The distribution's web ACL: the one named, else one made here (us-east-1, waf on or prod), else none
    (the load balancer's own regional ACL filters what CloudFront forwards)."""
    edge = lb.edge
    assert edge is not None
    if edge.web_acl_arn is not None:
        return edge.web_acl_arn
    if (edge.waf or (edge.waf is None and prod)) and region == "us-east-1":
        return waf.web_acl(t, system, env, scope="CLOUDFRONT")
    return None


def domain_name(resource: cloudfront.Distribution) -> GetAtt:
    return GetAtt(resource, "DomainName")
