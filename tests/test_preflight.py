"""Preflight's checks on recorded AWS responses, and what it reads from the built templates.

Each check asks the account through one seam, `preflight.Reader` (service, operation, arguments). Here a
`Recorded` reader answers from tests/fixtures/preflight/responses.json: every response is validated
against botocore's output shape for its operation, every error code against the operation's modeled
errors, so a fixture cannot drift from the real API. The same checks run against moto's server in
tests/test_first_deploy.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.session
import pytest

from templates_src import compiler
from templates_src.config.load import Target
from templates_src.deploy import bootstrap as bs
from templates_src.deploy import preflight as pf
from templates_src.deploy import requirements as rq
from templates_src.deploy.target import BuiltTarget
from templates_src.errors import InputsMissing

from .aws_shapes import FIXTURES, validate
from .helpers import PARAMS_DIR, write_params

ACCOUNT, REGION = "123456789012", "us-east-1"
RESPONSES = json.loads((FIXTURES / "preflight" / "responses.json").read_text())


def _modeled_errors(service: str, operation: str) -> set[str]:
    model = botocore.session.get_session().get_service_model(service).operation_model(operation)
    return {shape.name for shape in model.error_shapes}


class Recorded:
    """A Reader that answers (service, operation) with a named fixture, validated on the way out."""

    def __init__(self, **answers: str | tuple[str, ...]):
        """`operation=fixture`, or a tuple of fixtures: the one whose response names every value of the request
        (GetServiceQuota's QuotaCode), else the last one (an error answering whatever the others do not)."""
        self.answers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for key, names in answers.items():
            for name in (names,) if isinstance(names, str) else names:
                fixture = RESPONSES[name]
                assert key == f"{fixture['service']}_{fixture['operation']}".replace("-", "_"), (key, name)
                self.answers.setdefault((fixture["service"], fixture["operation"]), []).append(fixture)
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def __call__(self, service: str, operation: str, region: str | None = None, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((service, operation, kwargs))
        candidates = self.answers.get((service, operation))
        assert candidates, f"unexpected call {service} {operation} {kwargs}"
        named = [
            f
            for f in candidates
            if "response" in f
            and all(str(v) in json.dumps(f["response"]) for v in kwargs.values() if isinstance(v, str))
        ]
        fixture = named[0] if named else candidates[-1]
        if "error" in fixture:
            assert fixture["error"] in _modeled_errors(service, operation), fixture
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": fixture["error"], "Message": "recorded"}}, operation
            )
        return validate(operation, json.loads(json.dumps(fixture["response"])), service=service)


def built(tmp_path: Path, system: str = "fargate-api", env: str = "prod", params_dir: Path = PARAMS_DIR) -> BuiltTarget:
    out = tmp_path / "build" / system / env
    compiler.write(compiler.compile_target(Target(system, env, params_dir)), out)
    # fargate-api names its zone by name (a root parameter without default, which deploy fills from the
    # account's zones, deploy/zones.py); here it is given, as `-p` would.
    zone = (("ApiHostedZoneId", "Z0123456789EXAMPLE"),) if system == "fargate-api" else ()
    return BuiltTarget(system, env, out, f"{system}-{env}", overrides=zone)


def report_for(target: BuiltTarget, *, exists: bool = False, values: dict[str, str] | None = None) -> pf.Report:
    req = rq.read(target, account=ACCOUNT, region=REGION, values=values)
    return pf.Report(target.stack_name, ACCOUNT, REGION, req, exists)


def context(target: BuiltTarget, reader: Recorded) -> pf.Context:
    return pf.Context(
        target, reader, f" --system {target.system} --env {target.env}", {"DatabaseUrlSecret": "database-url"}
    )


# ------------------------------------------------------------------------------------ what templates need


def test_requirements_of_fargate_api(tmp_path):
    target = built(tmp_path)
    req = rq.read(target, account=ACCOUNT, region=REGION)
    (service,) = req.services
    assert service.path == "service-api/ApiService"
    (container,) = service.containers
    image = container.image
    assert image is not None and image.own and image.tag == "1.0.0"
    assert image.uri == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/fargate-api-prod-api:1.0.0"
    (secret,) = container.secrets
    assert (secret.variable, secret.source, secret.generated) == ("DATABASE_URL", "secret", False)
    assert secret.resource == rq.Res("secrets", "DatabaseUrlSecret", "AWS::SecretsManager::Secret")
    assert [(f.type, f.name) for f in req.fixed_names] == [
        ("AWS::Logs::LogGroup", "/ecs/my-api"),  # its runbook's name (params/fargate-api/prod.yaml)
        ("AWS::ECR::Repository", "fargate-api-prod-api"),
    ]
    assert ("parameter ApiHostedZoneId", "Z0123456789EXAMPLE") in req.hosted_zones
    assert req.counts["AWS::EC2::EIP"] == 1 and req.counts["AWS::EC2::VPC"] == 1


def test_a_scaling_service_is_held_by_its_capacity_parameters_and_starts_no_task_on_create(tmp_path):
    """With auto scaling the template has no DesiredCount (ECS would start one task on create); holding
    MinCapacity and MaxCapacity at 0 makes it 0, and back above zero it is left out again."""
    target = built(tmp_path)
    req = rq.read(target, account=ACCOUNT, region=REGION)
    (service,) = req.services
    assert service.count_parameters == ("ApiMaxCapacity", "ApiMinCapacity") and service.holdable
    ev = rq.Evaluator(target, account=ACCOUNT, region=REGION)
    desired = ev.templates["service-api"]["Resources"]["ApiService"]["Properties"]["DesiredCount"]
    assert ev.eval("service-api", desired) is rq.NO_VALUE
    held = ev.with_values({**ev.values, "ApiMinCapacity": "0", "ApiMaxCapacity": "0"})
    assert held.eval("service-api", desired) == "0"


def test_a_service_whose_count_no_root_parameter_sets_cannot_be_held(tmp_path):
    target = built(tmp_path)
    root = target.template("root")
    del root["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]["ApiMaxCapacity"]
    (target.build_dir / "root.json").write_text(json.dumps(root))
    (service,) = rq.read(target, account=ACCOUNT, region=REGION).services
    assert not service.holdable and "task count is not set by root parameters" in service.why_not_holdable


def test_sidecar_images_and_store_secrets_need_nothing_from_the_operator(tmp_path):
    params = write_params(
        tmp_path / "params",
        "side",
        {
            "regions": ["us-east-1"],
            "network": {"azs": 2, "nat": "none"},
            "services": {
                "api": {
                    "public_ip": True,
                    "containers": {
                        "api": {
                            "image": "123456789012.dkr.ecr.us-west-2.amazonaws.com/shared/api",
                            "tag": "7",
                            "secrets": {"KEY": {"secret": "key"}, "FLAGS": {"ssm": "/side/flags"}},
                        }
                    },
                    "sidecars": {"xray": {}},
                    "uses": ["db"],
                }
            },
            "data": {"db": {"kind": "aurora-postgres", "engine_version": "17.6"}},
            "secrets": {"key": {"generate": {}}},
        },
    )
    target = built(tmp_path, "side", "dev", params)
    (service,) = rq.read(target, account=ACCOUNT, region=REGION).services
    images = {c.name: c.image for c in service.containers}
    shared = images["api"]
    assert shared is not None and shared.private_ecr and not shared.own
    assert (shared.registry, shared.region, shared.repository) == ("123456789012", "us-west-2", "shared/api")
    assert all(not i.private_ecr for n, i in images.items() if n != "api" and i is not None)
    needs = {s.variable: s for c in service.containers for s in c.secrets}
    assert needs["KEY"].generated and needs["FLAGS"].source == "ssm" and needs["FLAGS"].path == "/side/flags"
    stores = [s for s in needs.values() if s.source == "store"]
    assert stores and all(s.generated for s in stores)  # the database's own secret


def test_a_root_parameter_without_default_or_value_is_missing(tmp_path):
    target = built(tmp_path)
    root = target.template("root")
    del root["Parameters"]["ApiImageTag"]["Default"]
    (target.build_dir / "root.json").write_text(json.dumps(root))
    params = [
        p for p in json.loads((target.build_dir / "parameters.json").read_text()) if p["ParameterKey"] != "ApiImageTag"
    ]
    (target.build_dir / "parameters.json").write_text(json.dumps(params))
    report = report_for(target)
    (finding,) = pf.check_parameters(context(target, Recorded()), report)
    assert finding.kind == pf.MISSING and "pass `-p ApiImageTag=...`" in finding.message


# ------------------------------------------------------------------------------------------------ checks


@pytest.mark.parametrize(
    ("answer", "expect"),
    [
        ("image_found", None),
        ("image_not_found", "is not pushed (the repository exists)"),
        ("repository_not_found", "is not pushed (the repository is created by this deploy)"),
    ],
)
def test_images(tmp_path, answer, expect):
    target = built(tmp_path)
    reader = Recorded(ecr_DescribeImages=answer)
    findings = [f for f in pf.check_images(context(target, reader), report_for(target)) if f.kind != pf.NOTE]
    assert reader.calls == [
        (
            "ecr",
            "DescribeImages",
            {"registryId": ACCOUNT, "repositoryName": "fargate-api-prod-api", "imageIds": [{"imageTag": "1.0.0"}]},
        )
    ]
    if expect is None:
        assert findings == []
        return
    (finding,) = findings
    assert finding.kind == pf.MISSING and expect in finding.message and finding.service == "service-api/ApiService"
    uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/fargate-api-prod-api"
    assert finding.commands == (
        f"aws ecr get-login-password --region {REGION} | docker login --username AWS --password-stdin "
        f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com",
        f"docker push {uri}:1.0.0",
    )


def test_secret_of_a_new_stack_is_created_empty_so_it_is_missing(tmp_path):
    target = built(tmp_path)
    reader = Recorded()
    (finding,) = pf.check_secrets(context(target, reader), report_for(target, exists=False))
    assert reader.calls == []  # nothing to ask: the stack will create it empty
    assert "secret database-url is created empty by this deploy" in finding.message
    assert finding.commands == ("stackc secret set --system fargate-api --env prod database-url",)


@pytest.mark.parametrize(("answer", "missing"), [("secret_empty", True), ("secret_set", False)])
def test_secret_of_a_deployed_stack_is_read_from_its_metadata_never_its_value(tmp_path, answer, missing):
    target = built(tmp_path)

    class Nested(Recorded):
        def __call__(self, service, operation, region=None, **kwargs):
            if operation == "DescribeStackResource":  # the nested secrets stack, then the secret in it
                name = "secrets_stack" if kwargs["LogicalResourceId"] == "SecretsStack" else "secret_resource"
                return validate(operation, json.loads(json.dumps(RESPONSES[name]["response"])))
            return super().__call__(service, operation, region, **kwargs)

    reader = Nested(secretsmanager_DescribeSecret=answer)
    findings = pf.check_secrets(context(target, reader), report_for(target, exists=True))
    assert [c[1] for c in reader.calls] == ["DescribeSecret"]
    assert "GetSecretValue" not in {c[1] for c in reader.calls}
    assert reader.calls[0][2] == {
        "SecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:DatabaseUrlSecret-AbCdEfGhIjKl-x1Y2z3"
    }
    if missing:
        (finding,) = findings
        assert "secret database-url has no value" in finding.message
    else:
        assert findings == []


def test_ssm_parameter(tmp_path):
    assert pf.ssm_parameter_exists(Recorded(ssm_DescribeParameters="parameter_found"), "/shop/prod/flags")
    assert not pf.ssm_parameter_exists(Recorded(ssm_DescribeParameters="parameter_absent"), "/shop/prod/flags")


@pytest.mark.parametrize(("answer", "missing"), [("zone_found", False), ("zone_absent", True)])
def test_hosted_zones(tmp_path, answer, missing):
    target = built(tmp_path)
    reader = Recorded(route53_GetHostedZone=answer)
    findings = pf.check_zones(context(target, reader), report_for(target))
    assert [c[2] for c in reader.calls] == [{"Id": "Z0123456789EXAMPLE"}]  # asked once, though named twice
    if missing:
        (finding,) = findings
        assert finding.kind == pf.MISSING and "hosted zone Z0123456789EXAMPLE does not exist" in finding.message
        assert "pass `-p ApiHostedZoneId=<zone id>`" in finding.message
    else:
        assert findings == []


CERT = "arn:aws:acm:{region}:123456789012:certificate/5c4f8a2e-1b3d-4e6f-9a0b-7c8d9e0f1a2b"


def _with_certificate(tmp_path, region="us-east-1") -> BuiltTarget:
    params = write_params(
        tmp_path / "params",
        "tls",
        {
            "regions": ["us-east-1"],
            "network": {"azs": 2, "nat": "none"},
            "services": {
                "web": {
                    "public_ip": True,
                    "containers": {"web": {"image": "public.ecr.aws/nginx/nginx", "ports": [{"port": 80}]}},
                }
            },
            "load_balancers": {
                "web": {
                    "certificate": {"arn": CERT.format(region=region)},
                    "listeners": [{"port": 443, "protocol": "HTTPS", "service": "web"}],
                }
            },
        },
    )
    return built(tmp_path, "tls", "dev", params)


@pytest.mark.parametrize(
    ("answer", "kind", "text"),
    [
        ("certificate_issued", None, ""),
        ("certificate_expired", pf.BLOCKED, "is EXPIRED: request a new one"),
        ("certificate_absent", pf.MISSING, "does not exist in account 123456789012"),
    ],
)
def test_certificates(tmp_path, answer, kind, text):
    target = _with_certificate(tmp_path)
    findings = pf.check_certificates(context(target, Recorded(acm_DescribeCertificate=answer)), report_for(target))
    if kind is None:
        assert findings == []
    else:
        (finding,) = findings
        assert finding.kind == kind and text in finding.message


def test_a_certificate_of_another_region_is_refused_without_asking(tmp_path):
    try:
        target = _with_certificate(tmp_path, region="eu-west-1")
    except Exception as exc:  # the compiler may refuse it first (certificate ARNs are checked per region)
        assert "eu-west-1" in str(exc)
        return
    reader = Recorded()
    (finding,) = pf.check_certificates(context(target, reader), report_for(target))
    assert finding.kind == pf.BLOCKED and "needs one issued in us-east-1" in finding.message and not reader.calls


@pytest.mark.parametrize(("answer", "blocked"), [("repository_exists", True), ("repository_absent", False)])
def test_fixed_names_taken_by_a_leftover(tmp_path, answer, blocked):
    target = built(tmp_path)
    reader = Recorded(ecr_DescribeRepositories=answer, logs_DescribeLogGroups="log_group_absent")
    findings = pf.check_names(context(target, reader), report_for(target))
    if not blocked:
        assert findings == []
        return
    (finding,) = findings
    assert finding.kind == pf.BLOCKED
    assert (
        "AWS::ECR::Repository fargate-api-prod-api (service-api/ApiRepository) already exists outside stack"
        in finding.message
    )
    assert finding.commands == (
        "aws ecr delete-repository --region us-east-1 --force --repository-name fargate-api-prod-api",
    )


QUOTAS = ("vpc_quota", "nat_quota", "endpoint_quota", "alb_quota_denied")  # by QuotaCode; the last answers ELB


@pytest.mark.parametrize(
    ("addresses", "vpcs", "nat_gateways", "blocked"),
    [
        (
            "addresses_full",
            "vpcs_full",
            "nat_gateways_full",
            ["Elastic IPs (NAT gateways)", "VPCs", "NAT gateways in us-east-1a"],
        ),
        ("addresses_some", "vpcs_some", "nat_gateways_none", []),
    ],
)
def test_quotas_on_a_first_create(tmp_path, addresses, vpcs, nat_gateways, blocked):
    target = built(tmp_path)  # fargate-api prod: one NAT gateway (nat: single), one ALB, a VPC
    reader = Recorded(
        ec2_DescribeAccountAttributes="eip_limit",
        ec2_DescribeAddresses=addresses,
        ec2_DescribeVpcs=vpcs,
        ec2_DescribeAvailabilityZones="zones",
        ec2_DescribeNatGateways=nat_gateways,
        ec2_DescribeSubnets="subnets_in_a",
        elbv2_DescribeLoadBalancers="load_balancers_some",
        service_quotas_GetServiceQuota=QUOTAS,
    )
    findings = pf.check_quotas(context(target, reader), report_for(target))
    stops = [f for f in findings if f.kind == pf.BLOCKED]
    assert [f.message.split(":")[0] for f in stops] == blocked
    for f in stops:
        assert "request-service-quota-increase" in f.commands[0] and f.check == "quota" and f.subject
    # NAT gateway 1 goes to the region's first zone by name (us-east-1a), where the account has 5 of 5 live.
    if blocked:
        nat = stops[-1]
        assert nat.message.startswith(
            "NAT gateways in us-east-1a: the deploy needs 1, the account uses 5 of 5 in this zone"
        )
        assert "--service-code vpc --quota-code L-FE5A380F --desired-value 6" in nat.commands[0]
    # Service Quotas refused the ALB quota: checked against AWS's default (1 used + 1 < 50), said in a note.
    (note,) = [f for f in findings if f.kind == pf.NOTE]
    assert note.message.startswith("Application Load Balancers per Region (elasticloadbalancing L-53DA6B97): ")
    assert note.message.endswith("checked against AWS's default, 50")
    assert pf.check_quotas(context(target, Recorded()), report_for(target, exists=True)) == []  # an update


def test_the_target_region_is_the_systems(tmp_path):
    target = built(tmp_path)
    report = report_for(target)
    assert pf.check_region(context(target, Recorded()), report) == []
    report.region = "eu-west-1"
    (finding,) = pf.check_region(context(target, Recorded()), report)
    assert finding.kind == pf.BLOCKED and "deploys to us-east-1, not eu-west-1" in finding.message


# ---------------------------------------------------------------------------------------------- bootstrap


def _missing_image_report(tmp_path) -> pf.Report:
    target = built(tmp_path)
    report = report_for(target)
    report.findings = pf.check_images(context(target, Recorded(ecr_DescribeImages="image_not_found")), report)
    return report


def test_bootstrap_holds_a_new_service_whose_image_is_missing(tmp_path):
    holds = bs.decide(_missing_image_report(tmp_path), deployed=None)
    assert holds.services == ["service-api/ApiService"]
    assert holds.values == {"ApiMaxCapacity": "0", "ApiMinCapacity": "0"}
    # A former first deploy held it: still held, not "running".
    assert bs.decide(_missing_image_report(tmp_path), {"ApiMinCapacity": "0", "ApiMaxCapacity": "0"}).services


def test_bootstrap_never_holds_a_running_service(tmp_path):
    with pytest.raises(InputsMissing) as caught:
        bs.decide(_missing_image_report(tmp_path), {"ApiMinCapacity": "2", "ApiMaxCapacity": "10"})
    assert caught.value.exit_code == 4
    text = "\n".join(caught.value.lines())
    assert "nothing was deployed" in text and "is running: holding it at zero would stop it" in text
    assert "docker push" in text


def test_held_values_are_not_the_operators_overrides(tmp_path):
    """Parameter memory keeps `overrides`; bootstrap's zeros are `temporary` and win only for this deploy."""
    target = built(tmp_path)
    held = BuiltTarget(
        target.system,
        target.env,
        target.build_dir,
        target.stack_name,
        overrides=(("ApiMinCapacity", "3"),),
        temporary=(("ApiMinCapacity", "0"),),
    )
    values = {p["ParameterKey"]: p["ParameterValue"] for p in held.parameters()}
    assert values["ApiMinCapacity"] == "0" and held.overrides == (("ApiMinCapacity", "3"),)
