"""Every resource type the compiler emits, and what the local endpoint does with it.

Three kinds of backing:
- NATIVE: moto's own CloudFormation model creates it in moto's backend for the service (some with a
  patch in patches.py, named in the row);
- PROVIDER: a provider in providers/ creates it through moto's API for the service, so that API shows
  it afterwards (the row names the service);
- PLACEHOLDER: moto has no API for the service; the provider records the resource so the stack
  deploys. It proves the wiring only (Ref/GetAtt values shaped as documented), and every test leaning
  on one says so.

tests/test_emulator_types.py checks that this table covers every type a build of params/ emits, that
its kinds match the registered providers, and that the README's table is `markdown()` of it.
"""

from __future__ import annotations

from dataclasses import dataclass

NATIVE = "moto native"
PROVIDER = "provider"
PLACEHOLDER = "placeholder"


@dataclass(frozen=True)
class Coverage:
    type: str
    kind: str  # NATIVE | PROVIDER | PLACEHOLDER
    service: str  # the moto backend that holds it ("" for a placeholder)
    proves: str  # what a round-trip shows for it
    not_proven: str  # what it cannot show

    @property
    def backing(self) -> str:
        if self.kind == NATIVE:
            return NATIVE
        if self.kind == PROVIDER:
            return f"provider backed by moto's {self.service} API"
        return "placeholder — proves the wiring only"


_NET = "created in moto's EC2; read back through its API"
_NO_RUNTIME = "no traffic flows; nothing runs"

TABLE: tuple[Coverage, ...] = (
    Coverage(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        PROVIDER,
        "application-autoscaling",
        "registered on the ECS service (which must exist); DescribeScalableTargets shows min/max",
        "no scaling happens",
    ),
    Coverage(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        PROVIDER,
        "application-autoscaling",
        "target-tracking policy on its target; DescribeScalingPolicies shows it",
        "no metric drives it",
    ),
    Coverage(
        "AWS::CertificateManager::Certificate",
        PROVIDER,
        "acm",
        "requested, DNS validation CNAME written in the hosted zone, ISSUED; a missing zone fails the resource",
        "no real CA; validation is not checked against DNS",
    ),
    Coverage(
        "AWS::CloudFormation::Stack",
        NATIVE,
        "cloudformation",
        "nested stacks with ParentId/RootId, GetAtt Outputs.X, in-place updates, string-only Parameters (patches.py); "
        "a failed create rolls back to ROLLBACK_COMPLETE (RetainExceptOnCreate deleted, Retain kept) or, with "
        "DisableRollback, stays CREATE_FAILED; a failed update rolls back to UPDATE_ROLLBACK_COMPLETE; with the "
        "failure's events (rollback.py)",
        "no nested change sets; sequential (no cancelled siblings), adds before modifies; a success writes stack "
        "events only",
    ),
    Coverage(
        "AWS::CloudFront::Distribution",
        PROVIDER,
        "cloudfront",
        "GetDistribution shows the origin, its custom header, cache and origin-request policies, aliases, web ACL",
        "no traffic is served; certificate, policy IDs and the web ACL's scope are not checked",
    ),
    Coverage(
        "AWS::CloudWatch::Alarm",
        PROVIDER,
        "cloudwatch",
        "DescribeAlarms shows metric, dimensions (resolved), threshold and actions",
        "alarms never change state",
    ),
    Coverage(
        "AWS::CloudWatch::Dashboard", NATIVE, "cloudwatch", "GetDashboard shows the body", "widgets are not rendered"
    ),
    Coverage("AWS::EC2::EIP", NATIVE, "ec2", _NET + " (released with its stack: patched)", _NO_RUNTIME),
    Coverage("AWS::EC2::FlowLog", NATIVE, "ec2", _NET, "no logs are delivered"),
    Coverage("AWS::EC2::InternetGateway", NATIVE, "ec2", _NET + " (deleted with its stack: patched)", _NO_RUNTIME),
    Coverage("AWS::EC2::NatGateway", NATIVE, "ec2", _NET + " (deleted with its stack: patched)", _NO_RUNTIME),
    Coverage("AWS::EC2::Route", NATIVE, "ec2", _NET, _NO_RUNTIME),
    Coverage("AWS::EC2::RouteTable", NATIVE, "ec2", _NET + " (deleted with its stack: patched)", _NO_RUNTIME),
    Coverage("AWS::EC2::SecurityGroup", NATIVE, "ec2", _NET, "rules are not enforced"),
    Coverage(
        "AWS::EC2::SecurityGroupIngress",
        NATIVE,
        "ec2",
        _NET + " (a rule ID for Ref patched)",
        "rules are not enforced; moto keeps the rule when its stack is deleted",
    ),
    Coverage("AWS::EC2::Subnet", NATIVE, "ec2", _NET + " (Fn::GetAZs of a Ref patched)", _NO_RUNTIME),
    Coverage("AWS::EC2::SubnetRouteTableAssociation", NATIVE, "ec2", _NET, _NO_RUNTIME),
    Coverage("AWS::EC2::VPC", NATIVE, "ec2", _NET, _NO_RUNTIME),
    Coverage("AWS::EC2::VPCEndpoint", NATIVE, "ec2", _NET, "endpoint policies are not enforced"),
    Coverage("AWS::EC2::VPCGatewayAttachment", NATIVE, "ec2", _NET, _NO_RUNTIME),
    Coverage(
        "AWS::DynamoDB::Table",
        NATIVE,
        "dynamodb",
        "DescribeTable shows keys and indexes",
        "no items are written; point-in-time recovery is not checked",
    ),
    Coverage(
        "AWS::ECR::Repository",
        NATIVE,
        "ecr",
        "DescribeRepositories shows it; images can be put through the ECR API",
        "lifecycle policies and scanning do not run",
    ),
    Coverage(
        "AWS::ECR::ReplicationConfiguration",
        PROVIDER,
        "ecr",
        "DescribeRegistry shows the rule (destinations, repository filters); delete empties it",
        "no image is copied to the destination regions; moto accepts one rule only",
    ),
    Coverage(
        "AWS::ECS::Cluster", NATIVE, "ecs", "DescribeClusters shows it", "container insights and exec are not checked"
    ),
    Coverage(
        "AWS::ECS::ClusterCapacityProviderAssociations",
        PROVIDER,
        "ecs",
        "DescribeClusters shows the capacity providers and default strategy",
        "no capacity is placed",
    ),
    Coverage(
        "AWS::ECS::Service",
        PROVIDER,
        "ecs",
        "DescribeServices shows its name, task definition, desired count, load balancers, network configuration "
        "and launch type (what run-task reads); an update registers the new task definition",
        "no task starts (moto pulls no image), so health checks, circuit breaker and blue/green are untested",
    ),
    Coverage(
        "AWS::ECS::TaskDefinition",
        PROVIDER,
        "ecs",
        "DescribeTaskDefinition shows CPU/memory, roles, images, environment, secrets; a change registers a new "
        "revision of the family (moto's own model drops most properties)",
        "nothing runs",
    ),
    Coverage(
        "AWS::EFS::AccessPoint", NATIVE, "efs", "DescribeAccessPoints shows it (Ref, GetAtt patched)", "nothing mounts"
    ),
    Coverage("AWS::EFS::FileSystem", NATIVE, "efs", "DescribeFileSystems shows it (GetAtt patched)", "nothing mounts"),
    Coverage(
        "AWS::EFS::MountTarget", NATIVE, "efs", "DescribeMountTargets shows it (GetAtt patched)", "nothing mounts"
    ),
    Coverage(
        "AWS::ElastiCache::ReplicationGroup",
        PROVIDER,
        "elasticache",
        "DescribeReplicationGroups shows it; PrimaryEndPoint/ReaderEndPoint as moto reports them",
        "no Redis runs; the auth token is not checked",
    ),
    Coverage(
        "AWS::ElastiCache::ServerlessCache",
        PLACEHOLDER,
        "",
        "the stack deploys; Ref and Endpoint.Address/Port are shaped as documented",
        "moto has no serverless-cache API: nothing can read the cache back",
    ),
    Coverage(
        "AWS::ElastiCache::User",
        PROVIDER,
        "elasticache",
        "DescribeUsers shows it: access string, authentication type and password count",
        "no cache checks a password",
    ),
    Coverage(
        "AWS::ElastiCache::UserGroup",
        PLACEHOLDER,
        "",
        "the users it names exist (DescribeUsers); Ref is its ID, which the cache names",
        "moto has no user-group API: nothing reads the group back",
    ),
    Coverage(
        "AWS::ElastiCache::SubnetGroup",
        PROVIDER,
        "elasticache",
        "DescribeCacheSubnetGroups shows its subnets",
        "moto has no DeleteCacheSubnetGroup (the provider removes it from moto's table)",
    ),
    Coverage(
        "AWS::ElasticLoadBalancingV2::Listener", NATIVE, "elbv2", "DescribeListeners shows it", "no traffic flows"
    ),
    Coverage(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        NATIVE,
        "elbv2",
        "DescribeRules shows it (deleted with its stack: patches.py)",
        "no traffic flows",
    ),
    Coverage(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        NATIVE,
        "elbv2",
        "DescribeLoadBalancers shows it with its type (network too: patched); DNSName, CanonicalHostedZoneID and "
        "LoadBalancerFullName resolve (patched)",
        "no traffic flows",
    ),
    Coverage(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        NATIVE,
        "elbv2",
        "DescribeTargetGroups shows it; TargetGroupFullName resolves (patched)",
        "no health checks",
    ),
    Coverage(
        "AWS::RDS::DBParameterGroup",
        PROVIDER,
        "rds",
        "DescribeDBParameters shows its parameters (rds.force_ssl); the instance names it",
        "parameters are not applied to a running engine",
    ),
    Coverage(
        "AWS::RDS::DBClusterParameterGroup",
        PROVIDER,
        "rds",
        "DescribeDBClusterParameters shows its parameters (rds.force_ssl); the cluster names it",
        "parameters are not applied to a running engine",
    ),
    Coverage("AWS::S3::Bucket", NATIVE, "s3", "HeadBucket / GetBucketEncryption show it", "no objects are written"),
    Coverage("AWS::S3::BucketPolicy", PROVIDER, "s3", "GetBucketPolicy shows it", "the policy is not enforced"),
    Coverage(
        "AWS::WAFv2::WebACL",
        PROVIDER,
        "wafv2",
        "GetWebACL shows its rules and default action",
        "no request is inspected",
    ),
    Coverage(
        "AWS::WAFv2::WebACLAssociation",
        PROVIDER,
        "wafv2",
        "GetWebACLForResource shows the load balancer's ACL",
        "no request is inspected",
    ),
    Coverage("AWS::IAM::Role", NATIVE, "iam", "GetRole shows trust and inline policies", "policies are not enforced"),
    Coverage(
        "AWS::KMS::Key", NATIVE, "kms", "DescribeKey shows it", "key policies are not enforced; nothing is encrypted"
    ),
    Coverage("AWS::Logs::LogGroup", NATIVE, "logs", "DescribeLogGroups shows it", "no logs are written"),
    Coverage(
        "AWS::RDS::DBCluster",
        PROVIDER,
        "rds",
        "DescribeDBClusters shows it with the master password resolved from its secret; Endpoint/ReadEndpoint",
        "no database runs",
    ),
    Coverage(
        "AWS::RDS::DBInstance",
        PROVIDER,
        "rds",
        "DescribeDBInstances shows it, in its cluster for an Aurora member (moto's own model drops that)",
        "no database runs",
    ),
    Coverage(
        "AWS::RDS::DBSubnetGroup",
        NATIVE,
        "rds",
        "DescribeDBSubnetGroups shows it (Ref is its name: patched)",
        _NO_RUNTIME,
    ),
    Coverage("AWS::Route53::HealthCheck", NATIVE, "route53", "GetHealthCheck shows it", "health is never measured"),
    Coverage(
        "AWS::Route53::RecordSet",
        NATIVE,
        "route53",
        "ListResourceRecordSets shows the load balancer's alias record; a record of that name and type already in "
        "the zone fails the resource, as on AWS (patched)",
        "no DNS answers",
    ),
    Coverage(
        "AWS::Route53::RecordSetGroup",
        NATIVE,
        "route53",
        "ListResourceRecordSets shows the failover alias records, their changes (a promotion) and their deletion "
        "(moto has neither: patched)",
        "no DNS answers, no failover happens",
    ),
    Coverage(
        "AWS::SNS::Subscription",
        PROVIDER,
        "sns",
        "ListSubscriptionsByTopic shows it with raw delivery and filter policy",
        "nothing is delivered; an e-mail subscription is not confirmed",
    ),
    Coverage("AWS::SNS::Topic", NATIVE, "sns", "ListTopics shows it", "no e-mail is sent"),
    Coverage(
        "AWS::SNS::TopicPolicy", PROVIDER, "sns", "GetTopicAttributes shows the Policy", "the policy is not enforced"
    ),
    Coverage("AWS::SQS::Queue", NATIVE, "sqs", "GetQueueAttributes shows it (redrive, KMS key)", "no messages flow"),
    Coverage(
        "AWS::SQS::QueuePolicy", PROVIDER, "sqs", "GetQueueAttributes shows the Policy", "the policy is not enforced"
    ),
    Coverage("AWS::SSM::Parameter", NATIVE, "ssm", "GetParameter shows it", _NO_RUNTIME),
    Coverage(
        "AWS::Scheduler::Schedule",
        PROVIDER,
        "scheduler",
        "GetSchedule shows its expression, state and ECS RunTask target (what run-task reads)",
        "nothing runs on the schedule",
    ),
    Coverage(
        "AWS::SecretsManager::RotationSchedule",
        PROVIDER,
        "secretsmanager",
        "RotateSecret registers the schedule: DescribeSecret shows RotationEnabled and RotationRules",
        "the hosted rotation function (the transform's application) is not deployed; the password never changes",
    ),
    Coverage(
        "AWS::SecretsManager::Secret",
        PROVIDER,
        "secretsmanager",
        "DescribeSecret shows it; GenerateSecretString gives a value, an operator secret has no version",
        "KMS encryption is not applied",
    ),
    Coverage(
        "AWS::SecretsManager::SecretTargetAttachment",
        PROVIDER,
        "secretsmanager",
        "the secret's JSON gains engine/host/port of its database (GetSecretValue)",
        "no rotation",
    ),
    Coverage(
        "AWS::Timestream::Database",
        PROVIDER,
        "timestream-write",
        "DescribeDatabase shows it",
        "no records are written",
    ),
)

BY_TYPE: dict[str, Coverage] = {row.type: row for row in TABLE}


def drift_checked(resource_type: str) -> str:
    """The table's drift column: what the emulator's drift detection (drift.py) compares for the type."""
    from .drift import CHECKED

    if resource_type not in CHECKED:
        return "NOT_CHECKED"
    return "checked: " + ", ".join(CHECKED[resource_type])


def markdown() -> str:
    """The README's table, generated from TABLE (a test keeps the two equal)."""
    lines = [
        "| resource type | backing | a round-trip proves | it does not prove | drift detection |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{r.type}` | {r.backing} | {r.proves} | {r.not_proven} | {drift_checked(r.type)} |" for r in TABLE]
    return "\n".join(lines) + "\n"
