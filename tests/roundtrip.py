"""One round-trip of a params/ system on the local endpoint, driven through the real CLI.

deploy from nothing (exit 4 when images or secret values are the operator's: supplied, then deployed again,
exit 0; then `drift` finds every checked resource in sync) -> a second deploy is a no-op (exit 0) -> a
parameter-only change (`-p <X>ImageTag=...`) reaches the child: the service's new task definition, read back through ECS, names the new tag -> destroy
(or, for a `protect: true` env, the documented refusal with exit 3 and the stack still there).

Inputs a user supplies: hosted zones the certificates validate in (created through Route 53, passed as the
`*HostedZoneId` parameters), an existing VPC for `network.mode: existing` (created through EC2 by the
caller), images and secret values (tests/first_deploy.py, after the first deploy: moto's ECS pulls nothing).
Every stack resource must have a physical ID afterwards -- a type the emulator skipped would have none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from click.testing import CliRunner

from cli import cli

from .first_deploy import (
    images_in_task_definitions,
    push_missing_images,
    push_retagged,
    replicate_images,
    set_empty_secrets,
)


@dataclass
class Deployed:
    system: str
    env: str
    overrides: list[str]  # -p Key=Value given on every deploy
    roots: list[dict] = field(default_factory=list)  # root templates (one per folder)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # stack name@region -> outputs


def cli_run(url: str, *args: str, ok: bool = True):
    result = CliRunner().invoke(cli, [*args, "--endpoint-url", url] if url else list(args))
    assert "Traceback" not in result.output, result.output
    if ok:
        assert result.exit_code == 0, f"{' '.join(args)} -> exit {result.exit_code}\n{result.output}"
    return result


def client(url: str, service: str, region: str = "us-east-1"):
    return boto3.client(service, endpoint_url=url, region_name=region)


def root_templates(url: str, system: str, env: str, build_dir: Path) -> list[dict]:
    cli_run("", "build", "--system", system, "--env", env)
    return [json.loads(p.read_text()) for p in sorted((build_dir / system / env).rglob("root.json"))]


def hosted_zone_overrides(url: str, roots: list[dict]) -> list[str]:
    """Create the hosted zone each certificate validates in; `-p <X>HostedZoneId=<id>` for each."""
    route53 = client(url, "route53")
    overrides: dict[str, str] = {}
    for root in roots:
        parameters = root.get("Parameters", {})
        for name, spec in parameters.items():
            if spec.get("Type") != "AWS::Route53::HostedZone::Id" or name in overrides:
                continue
            domain = parameters.get(name.replace("HostedZoneId", "CertificateDomain"), {}).get("Default")
            assert domain, f"{name}: no matching CertificateDomain parameter to name the zone after"
            zone_name = domain.split(".", 1)[1] + "."
            zones = route53.list_hosted_zones_by_name(DNSName=zone_name)["HostedZones"]
            zone = next((z for z in zones if z["Name"] == zone_name), None)
            if zone is None:
                zone = route53.create_hosted_zone(Name=zone_name, CallerReference=zone_name)["HostedZone"]
            overrides[name] = zone["Id"].rsplit("/", 1)[-1]
    return [f"{k}={v}" for k, v in sorted(overrides.items())]


def live_stacks(url: str, region: str) -> dict[str, dict]:
    cfn = client(url, "cloudformation", region)
    return {s["StackName"]: s for s in cfn.describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"}


def assert_every_resource_exists(url: str, region: str) -> int:
    """Every resource of every live stack has a physical ID (moto leaves none for a type it skips)."""
    cfn = client(url, "cloudformation", region)
    count = 0
    for name in live_stacks(url, region):
        for resource in cfn.describe_stack_resources(StackName=name)["StackResources"]:
            assert resource.get("PhysicalResourceId"), (name, resource["LogicalResourceId"], resource["ResourceType"])
            count += 1
    return count


def service_images(url: str, region: str) -> set[str]:
    return images_in_task_definitions(url, region)


def deploy_from_nothing(url: str, system: str, env: str, build_dir: Path, overrides: list[str] = ()) -> Deployed:
    roots = root_templates(url, system, env, build_dir)
    deployed = Deployed(system, env, [*hosted_zone_overrides(url, roots), *overrides], roots)
    flags = [x for o in deployed.overrides for x in ("-p", o)]
    # The first-deploy path: a system whose images or secret values the operator supplies exits 4 with
    # those services held at zero tasks; they are supplied below and the next deploy starts them.
    first = cli_run(url, "deploy", "--system", system, "--env", env, "--yes", *flags, ok=False)
    assert first.exit_code in (0, 4), f"first deploy -> exit {first.exit_code}\n{first.output}"
    assert "CREATE_COMPLETE" in first.output, first.output
    for region in all_regions(url):
        for name, stack in live_stacks(url, region).items():
            assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), (name, stack["StackStatus"])
            for output in stack.get("Outputs") or []:
                value = output.get("OutputValue")
                assert value and "Fn::" not in value and value != "None", (name, output)
            if "ParentId" not in stack:
                deployed.outputs[f"{name}@{region}"] = {
                    o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []
                }
        assert_every_resource_exists(url, region)
        push_missing_images(url, region)
        replicate_images(url, region)  # ECR replication's part (moto copies nothing): the primary comes first
        set_empty_secrets(url, region)
    if first.exit_code == 4:
        assert "Inputs missing" in first.output, first.output
        started = cli_run(url, "deploy", "--system", system, "--env", env, "--yes", *flags)
        assert "UPDATE_COMPLETE" in started.output or "No changes" in started.output, started.output
    # What was just deployed is what the services hold: the emulator's drift detection (templates_src/emulator/
    # drift.py) compares each checked resource's template properties with moto's service backends.
    drift = cli_run(url, "drift", "--system", system, "--env", env, "--exit-code", ok=False)
    assert drift.exit_code == 0, (
        f"drifted right after the deploy (an emulator create path loses a property?):\n{drift.output}"
    )
    return deployed


def all_regions(url: str) -> list[str]:
    """Regions holding any stack (a multi-region system uses several)."""
    return [
        r
        for r in ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1")
        if live_stacks(url, r)
    ]


def second_deploy_is_a_no_op(url: str, d: Deployed) -> None:
    flags = [x for o in d.overrides for x in ("-p", o)]
    again = cli_run(url, "deploy", "--system", d.system, "--env", d.env, "--yes", *flags)
    assert "No changes" in again.output, again.output


def image_tag_change_reaches_the_task_definition(url: str, d: Deployed) -> str:
    """Change one `*ImageTag` root parameter only; the new tag must be in a service's task definition."""
    name, old = next(
        (k, str(v.get("Default")))
        for root in d.roots
        for k, v in sorted(root.get("Parameters", {}).items())
        if k.endswith("ImageTag")
    )
    new = f"{old}-rt2"
    regions = all_regions(url)
    before = {r: service_images(url, r) for r in regions}
    assert not any(i.endswith(f":{new}") for images in before.values() for i in images)
    for region in regions:
        push_retagged(url, region, old, new)  # the new image is in the registry before the deploy, as on AWS
        replicate_images(url, region)
    flags = [x for o in [*d.overrides, f"{name}={new}"] for x in ("-p", o)]
    result = cli_run(url, "deploy", "--system", d.system, "--env", d.env, "--yes", *flags)
    assert "UPDATE_COMPLETE" in result.output, result.output
    for region in regions:
        after = service_images(url, region)
        changed = {i for i in after if i.endswith(f":{new}")}
        assert changed, f"{name}={new} did not reach a task definition in {region}: {sorted(after)}"
        assert {i.rsplit(":", 1)[0] for i in changed} <= {i.rsplit(":", 1)[0] for i in before[region]}
        for stack in live_stacks(url, region).values():  # every stack still whole after the update
            assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE"), stack["StackName"]
        assert_every_resource_exists(url, region)
    return name


def destroy_or_refuse(url: str, d: Deployed, protected: bool) -> None:
    regions = all_regions(url)
    if protected:
        refused = cli_run(url, "destroy", "--system", d.system, "--env", d.env, "--yes", ok=False)
        assert refused.exit_code == 3, refused.output
        assert "protect: true" in refused.output
        for region in regions:
            assert live_stacks(url, region), f"a protected env lost its stacks in {region}"
        return
    gone = cli_run(url, "destroy", "--system", d.system, "--env", d.env, "--yes")
    assert "DELETE_COMPLETE" in gone.output
    for region in regions:
        assert not live_stacks(url, region), sorted(live_stacks(url, region))


def protected(system: str, env: str) -> bool:
    """`protect: true` in the env's params (termination protection, destroy refused)."""
    from templates_src.config.load import Target, load

    from .helpers import PARAMS_DIR

    return load(Target(system, env, PARAMS_DIR)).config.protect


def full_roundtrip(url: str, system: str, env: str, build_dir: Path, overrides: list[str] = ()) -> Deployed:
    deployed = deploy_from_nothing(url, system, env, build_dir, list(overrides))
    second_deploy_is_a_no_op(url, deployed)
    image_tag_change_reaches_the_task_definition(url, deployed)
    return deployed
