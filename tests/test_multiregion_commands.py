"""package, plan, status, outputs and destroy of a multi-region system on the local endpoint: two regions
and the global DNS stack (the system of tests/two_regions.py).

What this proves: each command walks every regional root and the DNS stack, each in its own region,
through the single-region functions: `package` uploads to each region's artifact bucket under
stackc/<system>/<env>/<folder>/ and links each root; `plan` shows one review over the three roots (json,
markdown), leaves the change sets for review or deletes them with --cleanup; `status` and `outputs`
read each region's live stacks and say which do not exist; `destroy` deletes the DNS stack first, then
the regions, and refuses a protected env before any AWS call.
What it does not prove: moto's change sets carry no replacement details and no nested change sets
(tests/test_review.py), so the reviews here only list the roots' own changes; moto leaves the records
of an AWS::Route53::RecordSetGroup behind when its stack is deleted, so only the stacks' deletion is
checked (on AWS the failover records go with the DNS stack).
"""

from __future__ import annotations

import json
import re

import boto3
import pytest

from .two_regions import REGIONS, cfn, live, outputs, run, system  # noqa: F401  (system: a fixture)

pytestmark = pytest.mark.emulator

FOLDERS = [
    ("us-east-1", "us-east-1", "primary", "shop-dev"),
    ("us-west-2", "us-west-2", "secondary", "shop-dev"),
    ("global", "us-east-1", "dns", "shop-dev-dns"),
]
HEADERS = [
    "=== us-east-1: primary region, stack shop-dev in us-east-1 ===",
    "=== us-west-2: secondary region, stack shop-dev in us-west-2 ===",
    "=== global: global DNS stack, stack shop-dev-dns in us-east-1 ===",
]


def headers(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("=== ")]


def stacks_in_any_state(aws_env) -> dict[str, list[str]]:
    """Region -> statuses of every stack not deleted (REVIEW_IN_PROGRESS included)."""
    return {
        region: [
            s["StackStatus"]
            for s in cfn(aws_env, region).describe_stacks()["Stacks"]
            if s["StackStatus"] != "DELETE_COMPLETE"
        ]
        for region in REGIONS
    }


def test_package_and_plan_cover_every_region_and_the_dns_stack(aws_env, system):
    packaged = run(aws_env, "package", "-s", "shop", "-e", "dev")
    assert headers(packaged.stdout) == HEADERS
    for region in REGIONS:
        bucket = f"stackc-artifacts-123456789012-{region}"
        assert packaged.stdout.count(f"created artifact bucket {bucket}") == 1  # the DNS stack reuses us-east-1's
        s3 = boto3.client("s3", endpoint_url=aws_env.url, region_name=region)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
        folders = {k.split("/")[3] for k in keys}
        assert folders == ({region, "global"} if region == "us-east-1" else {region}), keys
        assert (
            f"quick-create link: https://{region}.console.aws.amazon.com/cloudformation/home?region={region}"
            in packaged.stdout
        )
    # Before the regions exist, the DNS stack's link carries the placeholders the review calls pending.
    assert "param_UsWest2LoadBalancerDnsName=pending-us-west-2.invalid" in packaged.stdout

    planned = run(aws_env, "plan", "-s", "shop", "-e", "dev", "--format", "json")
    doc = json.loads(planned.stdout)  # nothing else on stdout
    assert [(s["folder"], s["region"], s["role"], s["stack"]) for s in doc["stacks"]] == FOLDERS
    assert doc["no_changes"] is False and doc["pending"] == list(REGIONS)
    assert all(s["change_set"]["type"] == "CREATE" and s["changes"] for s in doc["stacks"])
    assert "change sets left for review (us-east-1: stackc-" in planned.stderr
    assert stacks_in_any_state(aws_env) == {
        "us-east-1": ["REVIEW_IN_PROGRESS"] * 2,
        "us-west-2": ["REVIEW_IN_PROGRESS"],
    }

    markdown = run(aws_env, "plan", "-s", "shop", "-e", "dev", "--format", "markdown", "--cleanup").stdout
    assert markdown.startswith("## stackc plan: `shop/dev` (3 stacks)")
    sections = [markdown.index(f"**{h.strip('= ')}**") for h in HEADERS]  # each folder's, in deploy order
    assert sections == sorted(sections)
    assert "### stackc plan: `shop-dev-dns` (new stack)" in markdown
    assert "_note: the load balancer inputs of us-east-1, us-west-2 are pending" in markdown
    # --cleanup deleted the change sets and the stacks that only existed for their review.
    assert stacks_in_any_state(aws_env) == {"us-east-1": [], "us-west-2": []}


def test_status_outputs_then_destroy_dns_first(aws_env, system):
    run(aws_env, "deploy", "-s", "shop", "-e", "dev", "--yes")
    east, west = live(aws_env, "us-east-1"), live(aws_env, "us-west-2")

    status = run(aws_env, "status", "-s", "shop", "-e", "dev").stdout
    assert headers(status) == HEADERS
    sections = dict(
        zip(("us-east-1", "us-west-2", "global"), re.split(r"^=== .* ===$", status, flags=re.M)[1:], strict=False)
    )
    for folder in REGIONS:
        assert re.search(r"^shop-dev\s+CREATE_COMPLETE", sections[folder], re.M), sections[folder]
        assert re.search(r"^shop-dev/NetworkStack\s+CREATE_COMPLETE", sections[folder], re.M)
    assert re.search(r"^shop-dev-dns\s+CREATE_COMPLETE", sections["global"], re.M)

    values = json.loads(run(aws_env, "outputs", "-s", "shop", "-e", "dev", "--format", "json").stdout)
    assert values == {
        "us-east-1": outputs(east["shop-dev"]),
        "us-west-2": outputs(west["shop-dev"]),
        "global": outputs(east["shop-dev-dns"]),
    }
    text = run(aws_env, "outputs", "-s", "shop", "-e", "dev").stdout
    assert headers(text) == HEADERS and values["us-west-2"]["WebLoadBalancerDnsName"] in text

    again = json.loads(run(aws_env, "plan", "-s", "shop", "-e", "dev", "--format", "json").stdout)
    assert again["no_changes"] is True and all(s["no_changes"] for s in again["stacks"])

    gone = run(aws_env, "destroy", "-s", "shop", "-e", "dev", input="y\n").output
    assert (
        "Delete shop-dev-dns in us-east-1, shop-dev in us-west-2, shop-dev in us-east-1 and their nested stacks?"
        in gone
    )
    assert headers(gone) == HEADERS[::-1]  # the DNS stack first, then the regions
    assert gone.count("shop-dev: DELETE_COMPLETE") == 2 and "shop-dev-dns: DELETE_COMPLETE" in gone
    assert gone.count("shop-dev/ServiceApiStack/ApiLogGroup (AWS::Logs::LogGroup): retained") == 2
    assert not live(aws_env, "us-east-1") and not live(aws_env, "us-west-2")


def test_missing_stacks_protected_env_and_options_that_do_not_apply(aws_env, system):
    (system["params"] / "shop" / "prod.yaml").write_text("protect: true\n")
    refused = run(aws_env, "destroy", "-s", "shop", "-e", "prod", "--yes", ok=False)
    assert refused.exit_code == 3 and "shop/prod is marked `protect: true`: destroy refuses it" in refused.output

    nothing = run(aws_env, "status", "-s", "shop", "-e", "dev", ok=False)
    assert nothing.exit_code == 1
    assert (
        "no stack of shop/dev exists (shop-dev in us-east-1, shop-dev in us-west-2, shop-dev-dns in us-east-1)"
        in nothing.output
    )

    # Only the secondary's root exists (say, left from an earlier attempt): the others are named, it is read and deleted.
    cfn(aws_env, "us-west-2").create_stack(
        StackName="shop-dev",
        TemplateBody=json.dumps(
            {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"Name": {"Value": "x"}}}
        ),
    )
    status = run(aws_env, "status", "-s", "shop", "-e", "dev")
    assert headers(status.stdout) == [HEADERS[1]]
    assert "us-east-1: stack shop-dev does not exist in us-east-1" in status.stderr
    assert "global: stack shop-dev-dns does not exist in us-east-1" in status.stderr
    assert json.loads(run(aws_env, "outputs", "-s", "shop", "-e", "dev", "--format", "json").stdout) == {
        "us-west-2": {"Name": "x"}
    }
    gone = run(aws_env, "destroy", "-s", "shop", "-e", "dev", "--yes")
    assert "shop-dev: DELETE_COMPLETE" in gone.stdout and not live(aws_env, "us-west-2")

    bucket = run(aws_env, "plan", "-s", "shop", "-e", "dev", "--bucket", "mine", ok=False)
    assert bucket.exit_code == 2 and "--bucket does not apply to a multi-region system" in bucket.output
    region = run(aws_env, "status", "-s", "shop", "-e", "dev", "--region", "us-east-1", ok=False)
    assert region.exit_code == 2 and "--region us-east-1: shop/dev deploys to us-east-1, us-west-2" in region.output
    other = run(aws_env, "deploy", "-s", "shop", "-e", "dev", "--region", "eu-west-1", ok=False)
    assert (
        other.exit_code == 2
        and "--region eu-west-1: shop/dev deploys to us-east-1, us-west-2 (not one of its regions)" in other.output
    )
