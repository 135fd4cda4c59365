"""A first create that fails leaves nothing behind, and says what failed, why and what to run next
(local endpoint: moto's server on 127.0.0.1, real boto3 over HTTP, with the emulator's rollback).

The cause is one preflight cannot see and AWS really refuses: the system's domain already has an A record
in its hosted zone (the old server's), so the alias record the compiler writes for the certificate's
domain fails ("Tried to create resource record set ... but it already exists") -- late in the create,
after the network, the load balancer, the cluster and the service's ECR repository were made.
What it proves: the deploy reports the failed resource, Route 53's reason, ROLLBACK_COMPLETE and the
command to run; the rollback deleted everything the create made, the cluster's log group too (its
DeletionPolicy is RetainExceptOnCreate); once the record is moved out of the way, the next command and a
new deploy create the system. With --disable-rollback the stack stays CREATE_FAILED with what it made,
and a later destroy keeps the RetainExceptOnCreate log group (that delete is not the create's rollback).
The same cause in an *update* (the domain added to a running system, with a new service) rolls back to
UPDATE_ROLLBACK_COMPLETE: the new service's stack and repository are deleted again, the next deploy (the
record moved) goes through without a destroy. What it cannot: the emulator's rollback is sequential (no "Resource
creation cancelled" siblings) and a successful create writes no per-resource events.
"""

from __future__ import annotations

import boto3
import pytest

from .helpers import invoke, write_params

pytestmark = pytest.mark.emulator

REPO = "failapp-dev-api"
SELECT = ("-s", "failapp", "-e", "dev")


def system() -> dict:
    return {
        "regions": ["us-east-1"],
        "network": {"cidr": "10.31.0.0/16", "azs": 2, "nat": "none", "flow_logs": {"enabled": False}},
        "cluster": {"container_insights": "disabled"},
        "services": {
            "api": {
                "public_ip": True,
                "desired_count": 1,
                "ecr": {"keep_images": 5},
                "containers": {"api": {"tag": "1.0.0", "ports": [{"port": 8080}]}},
                "target": {"health_check": {"path": "/health"}},
                "uses": ["uploads"],
            }
        },
        "data": {"uploads": {"kind": "s3"}},  # a data-bearing bucket: DeletionPolicy RetainExceptOnCreate
        "load_balancers": {
            "web": {
                "certificate": {"domain": "app.example.com", "hosted_zone_name": "example.com"},
                "listeners": [{"port": 443, "protocol": "HTTPS", "service": "api"}],
            }
        },
    }


def client(aws_env, service):
    return boto3.client(service, endpoint_url=aws_env.url, region_name="us-east-1")


def what_exists(aws_env) -> dict[str, list[str]]:
    """What a create of this system makes, read back through each service's API."""
    ec2, elb, ecs = client(aws_env, "ec2"), client(aws_env, "elbv2"), client(aws_env, "ecs")
    return {
        "repositories": [r["repositoryName"] for r in client(aws_env, "ecr").describe_repositories()["repositories"]],
        "clusters": [
            c["clusterName"]
            for c in ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"]
            if c["status"] == "ACTIVE"
        ],
        "load balancers": [lb["LoadBalancerName"] for lb in elb.describe_load_balancers()["LoadBalancers"]],
        "target groups": [tg["TargetGroupName"] for tg in elb.describe_target_groups()["TargetGroups"]],
        "log groups": [g["logGroupName"] for g in client(aws_env, "logs").describe_log_groups()["logGroups"]],
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.31.0.0/16"]}])["Vpcs"]],
        "certificates": [c["DomainName"] for c in client(aws_env, "acm").list_certificates()["CertificateSummaryList"]],
        "roles": [r["RoleName"] for r in client(aws_env, "iam").list_roles()["Roles"]],
        "buckets": [  # (the artifact bucket the deploy packages into stays: it is not the stack's)
            b["Name"]
            for b in client(aws_env, "s3").list_buckets()["Buckets"]
            if not b["Name"].startswith("stackc-artifacts-")
        ],
    }


def a_records(aws_env, zone_id: str) -> list[dict]:
    sets = client(aws_env, "route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return [r for r in sets if r["Name"].rstrip(".") == "app.example.com" and r["Type"] == "A"]


@pytest.fixture
def zone(aws_env, tmp_path, monkeypatch):
    r53 = client(aws_env, "route53")
    zone_id = r53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    root = tmp_path / "params"
    write_params(root, "failapp", system(), {"dev": {}})
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(root))
    return zone_id


def old_server_record(aws_env, zone_id: str, action: str) -> None:
    record = {"Name": "app.example.com", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "192.0.2.10"}]}
    client(aws_env, "route53").change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": record}]}
    )


def test_a_failed_first_create_leaves_nothing_and_says_what_to_do(aws_env, zone):
    old_server_record(aws_env, zone, "CREATE")  # the domain still points at the old server
    before = what_exists(aws_env)

    failed = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert failed.exit_code == 1, failed.output
    assert "deploy of failapp-dev failed: the stack is ROLLBACK_COMPLETE" in failed.output
    assert "(AWS::Route53::RecordSet) CREATE_FAILED: Tried to create resource record set " in failed.output
    assert "[name='app.example.com.', type='A'] but it already exists" in failed.output
    assert "next: the stack was never created and cannot be updated: fix the cause, run " in failed.output
    assert "`stackc destroy --system failapp --env dev` and deploy again" in failed.output

    # The rollback deleted everything the create made: the uploads bucket and the cluster's log group too
    # (both RetainExceptOnCreate: kept by any later delete, not by the rollback of the create that made them).
    assert what_exists(aws_env) == before
    for made in ("UploadsBucket", "ExecLogGroup"):
        assert [line for line in failed.output.splitlines() if made in line and "DELETE_COMPLETE" in line], made
    cfn = client(aws_env, "cloudformation")
    statuses = {s["StackName"]: s["StackStatus"] for s in cfn.list_stacks()["StackSummaries"]}
    assert statuses.pop("failapp-dev") == "ROLLBACK_COMPLETE"
    assert statuses and set(statuses.values()) == {"DELETE_COMPLETE"}, statuses  # every nested stack it made
    assert [r["ResourceRecords"] for r in a_records(aws_env, zone)] == [[{"Value": "192.0.2.10"}]]

    # A ROLLBACK_COMPLETE stack cannot be updated: deploy says so (nothing is created) ...
    blocked = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert blocked.exit_code == 1, blocked.output
    assert "stack failapp-dev is ROLLBACK_COMPLETE" in blocked.output and "stackc destroy" in blocked.output

    # ... the operator moves the old record away and runs the next command, then deploys again: created
    # (exit 4: the service's image is still to be pushed into the repository the create made).
    old_server_record(aws_env, zone, "DELETE")
    gone = invoke(aws_env, "destroy", *SELECT, "--yes")
    assert gone.exit_code == 0, gone.output
    again = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert again.exit_code == 4, again.output
    assert "failapp-dev: CREATE_COMPLETE" in again.output
    assert REPO in what_exists(aws_env)["repositories"]
    assert [r["AliasTarget"]["DNSName"] for r in a_records(aws_env, zone)]  # the alias to the load balancer


def test_disable_rollback_leaves_the_failed_create_in_place(aws_env, zone):
    old_server_record(aws_env, zone, "CREATE")
    failed = invoke(aws_env, "deploy", *SELECT, "--yes", "--disable-rollback")
    assert failed.exit_code == 1, failed.output
    assert "deploy of failapp-dev failed: the stack is CREATE_FAILED" in failed.output
    assert "already exists" in failed.output
    assert (
        "next: rollback was disabled: fix the cause, then `stackc destroy --system failapp --env dev`" in failed.output
    )
    cfn = client(aws_env, "cloudformation")
    assert cfn.describe_stacks(StackName="failapp-dev")["Stacks"][0]["StackStatus"] == "CREATE_FAILED"
    made = what_exists(aws_env)
    assert made["clusters"] and made["load balancers"] and made["vpcs"] and made["log groups"] and made["buckets"]

    # A later delete is not the create's rollback: the RetainExceptOnCreate log group is kept, and listed.
    gone = invoke(aws_env, "destroy", *SELECT, "--yes")
    assert gone.exit_code == 0, gone.output
    assert "failapp-dev/ClusterStack/ExecLogGroup (AWS::Logs::LogGroup): retained -- " in gone.output
    left = what_exists(aws_env)
    assert left["log groups"] == made["log groups"] and left["buckets"] == made["buckets"]
    assert not left["clusters"] and not left["load balancers"] and not left["vpcs"]


def test_a_failed_update_rolls_back_to_the_previous_state(aws_env, zone, tmp_path):
    # First the system without its domain: created.
    base = system()
    del base["load_balancers"]["web"]["certificate"]
    base["load_balancers"]["web"]["listeners"] = [{"port": 80, "protocol": "HTTP", "service": "api"}]
    root = tmp_path / "params"
    write_params(root, "failapp", base, {"dev": {}})
    assert invoke(aws_env, "deploy", *SELECT, "--yes").exit_code == 4  # created; the image is still to push
    before = what_exists(aws_env)
    acm, elb = client(aws_env, "acm"), client(aws_env, "elbv2")
    assert not acm.list_certificates()["CertificateSummaryList"]
    (lb,) = elb.describe_load_balancers()["LoadBalancers"]
    http = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]

    # Then the domain (HTTPS instead of HTTP), whose name already has the old server's record: the update
    # fails at the alias record.
    old_server_record(aws_env, zone, "CREATE")
    with_domain = system()
    worker = {"public_ip": True, "ecr": {"keep_images": 5}, "containers": {"worker": {"tag": "1.0.0"}}}
    with_domain["services"]["worker"] = worker  # and a new service: its stack and repository come first
    write_params(root, "failapp", with_domain, {"dev": {}})
    failed = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert failed.exit_code == 1, failed.output
    assert "deploy of failapp-dev failed: the stack is UPDATE_ROLLBACK_COMPLETE" in failed.output
    assert "LoadbalancingStack/WebAliasRecord (AWS::Route53::RecordSet) CREATE_FAILED: Tried to create" in failed.output
    assert "next: the stack is back at its previous state: fix the cause and deploy again" in failed.output
    # What the update made is gone again -- the new service's stack and its repository (RetainExceptOnCreate:
    # the operation that made it rolled back); the rest is as it was.
    assert what_exists(aws_env) == before
    assert "failapp-dev-worker" not in what_exists(aws_env)["repositories"]
    statuses = {
        s["StackName"]: s["StackStatus"] for s in client(aws_env, "cloudformation").list_stacks()["StackSummaries"]
    }
    assert [v for k, v in statuses.items() if k.startswith("failapp-dev-ServiceWorkerStack-")] == ["DELETE_COMPLETE"]
    # The HTTP listener the update removes is still the same one: removals wait for the cleanup after success.
    assert elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"] == http
    cfn = client(aws_env, "cloudformation")
    assert cfn.describe_stacks(StackName="failapp-dev")["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"

    # Fixed (the old record moved away), the same deploy goes through: no destroy needed after an update.
    old_server_record(aws_env, zone, "DELETE")
    again = invoke(aws_env, "deploy", *SELECT, "--yes")
    assert again.exit_code == 4, again.output
    assert "failapp-dev: UPDATE_COMPLETE" in again.output
    assert [r["AliasTarget"]["DNSName"] for r in a_records(aws_env, zone)]
