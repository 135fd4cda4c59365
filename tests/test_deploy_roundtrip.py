"""Deploy round-trip on the local endpoint: moto's server on 127.0.0.1, real boto3 over HTTP.

What this proves: package (content-addressed, idempotent), change sets with nested stacks, execute,
event streaming, outputs wired through nested-stack GetAtt, stack policies on every stack, the
no-change path, status and destroy -- for the demo system (VPC, ECS cluster, an ALB and a Fargate
service), all resource types moto implements.
What it does not prove: moto's change sets carry no Replacement/Details and no nested change sets
(tests/test_review.py covers the review on realistic responses), moto runs synchronously and never
fails a resource with events (tests/test_failure_render.py), and it skips types it lacks (e.g.
AWS::ECS::ClusterCapacityProviderAssociations here) -- nothing is faked for them.
The moto gaps filled for nested stacks are in templates_src/emulator/patches.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest
import yaml
from click.testing import CliRunner

from cli import cli

pytestmark = pytest.mark.emulator


def run(aws_env, *args, ok=True):
    result = CliRunner().invoke(cli, [*args, "--endpoint-url", aws_env.url])
    assert "Traceback" not in result.output
    if ok:
        assert result.exit_code == 0, result.output
    return result


def clients(aws_env):
    kw = {"endpoint_url": aws_env.url, "region_name": "us-east-1"}
    return boto3.client("cloudformation", **kw), boto3.client("s3", **kw)


def live_stacks(cfn):
    return {s["StackName"]: s for s in cfn.describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"}


def bump_image_tag(params_root: Path, system: str = "demo") -> tuple[str, str, str]:
    """Change the first service's first container tag in _base.yaml; (service, old, new)."""
    path = params_root / system / "_base.yaml"
    data = yaml.safe_load(path.read_text())
    service, svc = next(iter(data["services"].items()))
    container = next(iter(svc["containers"].values()))
    old = str(container["tag"])
    new = old + ".1"
    text = path.read_text()
    pattern = rf'(tag:\s*)"?{re.escape(old)}"?'
    assert len(re.findall(pattern, text)) == 1, "expected one tag line to edit"
    path.write_text(re.sub(pattern, rf'\g<1>"{new}"', text))
    return service, old, new


def test_deploy_update_noop_destroy_roundtrip(aws_env, params):
    cfn, _s3 = clients(aws_env)

    # 1. First deploy: root + every nested stack, outputs wired through nested GetAtt.
    first = run(aws_env, "deploy", "--system", "demo", "--env", "dev", "--yes")
    assert "Plan for demo-dev (new stack)" in first.output
    assert "demo-dev: CREATE_COMPLETE" in first.output
    stacks = live_stacks(cfn)
    root = stacks["demo-dev"]
    children = {n: s for n, s in stacks.items() if s.get("ParentId") == root["StackId"]}
    assert {n.split("-")[2] for n in children} >= {"NetworkStack", "ClusterStack", "LoadbalancingStack"}
    service_stacks = [n for n in children if "Service" in n]
    assert service_stacks, f"the demo should have a service stack; children: {sorted(children)}"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in root["Outputs"]}
    assert outputs["VpcId"].startswith("vpc-")
    assert any(k.endswith("DnsName") and ".elb.amazonaws.com" in v for k, v in outputs.items()), outputs
    for key, value in outputs.items():
        assert value and "Fn::" not in value, (key, value)  # every output really resolved
        assert f"{key}" in first.output and value in first.output  # and printed
    # Stack policies on the root and on every nested stack (a parent's policy does not cover children).
    for name in ["demo-dev", *children]:
        policy = json.loads(cfn.get_stack_policy(StackName=stacks[name]["StackId"])["StackPolicyBody"])
        assert policy["Statement"][0]["Effect"] == "Allow"
    root_policy = json.loads(cfn.get_stack_policy(StackName="demo-dev")["StackPolicyBody"])
    denied = root_policy["Statement"][1]["Resource"]
    assert "LogicalResourceId/NetworkStack" in denied  # removing a nested stack deletes its resources
    # The root stack carries the params' tags and stackc's own (CreateChangeSet Tags).
    root_tags = {t["Key"]: t["Value"] for t in root["Tags"]}
    assert root_tags["stackc:system"] == "demo" and root_tags["stackc:env"] == "dev", root_tags
    assert root_tags["stackc:stack"] == "root"

    # 2. Change an image tag: the plan shows the service stack modified, and nothing else.
    _service, old, new = bump_image_tag(params)
    plan = run(aws_env, "plan", "--system", "demo", "--env", "dev", "--format", "json", "--cleanup")
    review = json.loads(plan.stdout)
    modified = {(c["stack"], c["logical_id"], c["action"]) for c in review["changes"]}
    service_logical = next(c["logical_id"] for c in review["changes"] if "Service" in c["logical_id"])
    assert modified == {("demo-dev", service_logical, "Modify")}, review["changes"]
    assert any(p["old"] == old and p["new"] == new for p in review["parameters"]), review["parameters"]
    assert review["no_changes"] is False and review["summary"]["danger"] == 0

    # 3. Deploy applies it: the service stack gets the new tag.
    second = run(aws_env, "deploy", "--system", "demo", "--env", "dev", "--yes")
    assert "UPDATE_COMPLETE" in second.output
    svc_stack = next(s for n, s in live_stacks(cfn).items() if service_logical in n)
    assert new in {p["ParameterValue"] for p in svc_stack["Parameters"]}

    # 4. Nothing changed since: success, one line, no change set left behind.
    third = run(aws_env, "deploy", "--system", "demo", "--env", "dev", "--yes")
    assert third.stdout.strip().splitlines() == [
        "No changes: stack demo-dev is up to date with the templates and parameters."
    ]  # progress (change set, package) is on stderr; protections were all in place: nothing to say
    assert "restored" not in third.output
    left = [
        c for c in cfn.list_change_sets(StackName="demo-dev")["Summaries"] if c["ExecutionStatus"] != "EXECUTE_COMPLETE"
    ]
    assert not left, left  # the FAILED "no changes" change set was deleted (moto keeps executed ones)

    # 5. status and outputs read the live stacks.
    status = run(aws_env, "status", "--system", "demo", "--env", "dev")
    assert re.search(r"^demo-dev\s+UPDATE_COMPLETE", status.output, re.M)
    assert f"demo-dev/{service_logical}" in status.output
    machine = json.loads(run(aws_env, "status", "--system", "demo", "--env", "dev", "--format", "json").stdout)
    assert machine[0] == {
        "path": "demo-dev",
        "stack_name": "demo-dev",
        "status": "UPDATE_COMPLETE",
        "reason": machine[0]["reason"],
        "drift": None,
        "termination_protection": False,
    }
    assert f"demo-dev/{service_logical}" in {s["path"] for s in machine}
    out = run(aws_env, "outputs", "--system", "demo", "--env", "dev", "--format", "json")
    assert json.loads(out.output)["VpcId"] == outputs["VpcId"]

    # 6. destroy removes root and nested stacks and names what their DeletionPolicy keeps.
    gone = run(aws_env, "destroy", "--system", "demo", "--env", "dev", "--yes")
    assert "DELETE_COMPLETE" in gone.output
    assert "FlowLogGroup (AWS::Logs::LogGroup): retained" in gone.output
    assert not live_stacks(cfn)


def test_package_twice_uploads_nothing_the_second_time(aws_env, params):
    _cfn, s3 = clients(aws_env)
    first = run(aws_env, "package", "--system", "demo", "--env", "dev")
    bucket = "stackc-artifacts-123456789012-us-east-1"
    assert f"created artifact bucket {bucket}" in first.output
    keys = {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert all(re.fullmatch(r"stackc/demo/dev/[0-9a-f]{64}\.json", k) for k in keys), keys
    # Private and encrypted.
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    # The packaged root points at the uploaded children by https URL.
    packaged = json.loads(Path(re.search(r"written: (\S+)", first.output).group(1)).read_text())
    urls = [
        r["Properties"]["TemplateURL"]
        for r in packaged["Resources"].values()
        if r["Type"] == "AWS::CloudFormation::Stack"
    ]
    # The regional URL form (the global one redirects outside us-east-1); the emulator resolves it too.
    assert urls and all(u.startswith(f"https://{bucket}.s3.us-east-1.amazonaws.com/stackc/demo/dev/") for u in urls)
    # Versioned, with old versions expiring.
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30 and rules[0]["Status"] == "Enabled"
    assert "quick-create link: https://us-east-1.console.aws.amazon.com/cloudformation/home" in first.output
    assert "stackName=demo-dev" in first.output

    second = run(aws_env, "package", "--system", "demo", "--env", "dev")
    assert "(0 uploaded," in second.output
    assert {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]} == keys


def test_protected_env_gets_protection_and_destroy_refuses(aws_env, params):
    # This test is about protection: demo's prod as protect: true, without the real prod.yaml's domain
    # (no hosted zone to validate a certificate in). It is still prod by its name, so the secure prod
    # defaults (access-log bucket and policy, WAF web ACL, system KMS key, flow logs) deploy with it.
    (params / "demo" / "prod.yaml").write_text("protect: true\n")
    cfn, _ = clients(aws_env)
    result = run(aws_env, "deploy", "--system", "demo", "--env", "prod", "--yes")
    assert "demo-prod: CREATE_COMPLETE" in result.output
    # UpdateTerminationProtection (an emulator patch, as AWS): the root is protected and says so.
    assert "termination protection on" in result.output
    assert live_stacks(cfn)["demo-prod"]["EnableTerminationProtection"] is True
    # The prod defaults are live, read back through their services' APIs: the web ACL on the load
    # balancer, which logs to the system's bucket under its ELB delivery policy.
    kw = {"endpoint_url": aws_env.url, "region_name": "us-east-1"}
    elb = boto3.client("elbv2", **kw)
    (lb,) = [b for b in elb.describe_load_balancers()["LoadBalancers"] if b["LoadBalancerName"].startswith("demo-prod")]
    assert boto3.client("wafv2", **kw).get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])["WebACL"]["Rules"]
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    }
    assert attributes["access_logs.s3.enabled"] == "true"
    policy = json.loads(
        boto3.client("s3", **kw).get_bucket_policy(Bucket=attributes["access_logs.s3.bucket"])["Policy"]
    )
    assert any(st["Sid"] == "ElbLogDelivery" and "s3:PutObject" in st["Action"] for st in policy["Statement"])
    refused = run(aws_env, "destroy", "--system", "demo", "--env", "prod", "--yes", ok=False)
    assert refused.exit_code == 3
    assert "protect: true" in refused.output
    assert live_stacks(cfn)["demo-prod"]["StackStatus"] == "CREATE_COMPLETE"
    # And the endpoint itself refuses, as AWS does, whoever asks.
    with pytest.raises(cfn.exceptions.ClientError, match="cannot be deleted while TerminationProtection is enabled"):
        cfn.delete_stack(StackName="demo-prod")
    assert "demo-prod" in live_stacks(cfn)


def test_removing_a_nested_stack_is_refused_then_allowed(aws_env, params):
    """Removing a whole nested stack is danger on the emulator too (moto lists the root's Remove):
    exit 3 and no change set left without --allow-replace; with it, the stack goes and the stack
    policies are put back on what remains."""
    cfn, _ = clients(aws_env)
    run(aws_env, "deploy", "--system", "demo", "--env", "dev", "--yes")
    base = params / "demo" / "_base.yaml"
    data = yaml.safe_load(base.read_text())
    del data["services"], data["load_balancers"]
    base.write_text(yaml.safe_dump(data, sort_keys=False))

    refused = run(aws_env, "deploy", "--system", "demo", "--env", "dev", "--yes", ok=False)
    assert refused.exit_code == 3, refused.output
    assert "!! DANGER" in refused.output and "a whole nested stack is removed" in refused.output
    assert "refusing to deploy demo-dev" in refused.output
    pending = [
        c for c in cfn.list_change_sets(StackName="demo-dev")["Summaries"] if c["ExecutionStatus"] == "AVAILABLE"
    ]
    assert not pending
    assert any("ServiceWebStack" in n for n in live_stacks(cfn))
    assert "--allow-replace LoadbalancingStack --allow-replace ServiceWebStack" in refused.output

    # --allow-replace NAME accepts that one item only: the other still stops the deploy.
    one = run(aws_env, "deploy", "-s", "demo", "-e", "dev", "--yes", "--allow-replace", "ServiceWebStack", ok=False)
    assert one.exit_code == 3, one.output
    assert "1 dangerous change(s) (demo-dev/LoadbalancingStack)" in one.output

    allowed = run(
        aws_env,
        "deploy",
        "-s",
        "demo",
        "-e",
        "dev",
        "--yes",
        "--allow-replace",
        "ServiceWebStack",
        "--allow-replace",
        "demo-dev/LoadbalancingStack",  # a path works too
    )
    assert "UPDATE_COMPLETE" in allowed.output
    assert "WARNING: a bare --allow-replace" not in allowed.output
    names = set(live_stacks(cfn))
    assert not any("ServiceWebStack" in n or "LoadbalancingStack" in n for n in names), names
    root_policy = json.loads(cfn.get_stack_policy(StackName="demo-dev")["StackPolicyBody"])
    assert root_policy["Statement"][1]["Resource"] == [
        "LogicalResourceId/ClusterStack",
        "LogicalResourceId/NetworkStack",
    ]
