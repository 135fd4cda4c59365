"""Service stack (one per service, `service-<name>`): ECR repository, log group, task definition with
app containers and sidecars, execution and task roles, security group, the ECS service, auto
scaling and alarms.

One stack per service keeps resource placement stable (adding a service never moves another) and
each template far from CloudFormation's limits whatever the number of services."""

from __future__ import annotations

import functools
import json
from typing import Any

from awacs import ecr as awsecr
from awacs import kms as awskms
from awacs import logs as awslogs
from awacs import ssmmessages
from awacs.aws import Statement
from troposphere import Equals, GetAtt, If, Join, NoValue, Ref, Sub, Template, ec2, ecr, ecs
from troposphere import applicationautoscaling as aas

from ..config.loadbalancing import LoadBalancer
from ..config.services import DIGEST, TAG, Service, is_digest
from ..config.services_check import ecr_owner, load_balancer_of
from ..config.system import System
from ..graph import StackContext
from ..naming import ecr_repository_name, pascal
from ..parts import alarms, containers, iam, lb_exports, references, schedules, secret_refs, targets
from ..parts.logs import awslogs as awslogs_config
from ..parts.logs import log_group, logs_key
from ..parts.sidecars import Sidecar, sidecars
from ..parts.wiring import ServiceWiring, wire
from . import observability
from .cluster import EXEC_LOG_GROUP_ARN

STRATEGIES = {"blue_green": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}
# AWS's managed policy for ECS's infrastructure role for load balancers (what blue/green needs, kept current by AWS).
LOAD_BALANCER_ROLE_POLICY = "arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"


# The OpenTelemetry collector's and X-Ray daemon's images run as this non-root user.
SIDECAR_USER = "10001"


def stack_name(service: str) -> str:
    return f"service-{service}"


def builder(service: str):
    """The stack builder for one service, as compiler.stack_units expects it."""
    return functools.partial(build, service)


def build(service: str, cfg: System, ctx: StackContext) -> None:
    svc = cfg.services[service]
    ServiceBuilder(cfg, ctx, service, svc).build()


class ServiceBuilder:
    """Builds one service into its stack; each method adds one concern and returns what it made."""

    def __init__(self, cfg: System, ctx: StackContext, name: str, svc: Service):
        self.cfg, self.ctx, self.name, self.svc = cfg, ctx, name, svc
        self.t: Template = ctx.template
        self.owner = pascal(name)
        self.group = f"Service {name}"
        lb_name = load_balancer_of(cfg, name)
        self.lb: tuple[str, LoadBalancer] | None = (lb_name, cfg.load_balancers[lb_name]) if lb_name else None
        self.execution_statements: list[Statement] = []
        self.task_statements: list[Statement] = []
        self.attachment: targets.Attachment | None = None
        self.role_arns: list[Any] = []  # execution and task role ARNs (what RunTask passes)
        self.pull_token = False  # ecr:GetAuthorizationToken granted
        self.volumes: list[ecs.Volume] = []  # task storage behind the containers' writable_paths

    def build(self) -> None:
        wiring = wire(self.cfg, self.name, self.ctx)
        repo = self.repository()
        key = logs_key(self.cfg, self.ctx, self.name)  # also the sidecars' log groups
        logs = log_group(self.t, f"{self.owner}LogGroup", self.svc.log_retention_days, key, self.svc.log_group_name)
        self.execution_statements.append(
            iam.allow([awslogs.CreateLogStream, awslogs.PutLogEvents], [GetAtt(logs, "Arn")])
        )
        cars = sidecars(self.t, self.name, self.svc, system=self.ctx.system, env=self.ctx.env, log_key=key)
        definitions = self.app_containers(repo, logs, cars, wiring) + [self.sidecar_container(c, logs) for c in cars]
        self.execution_statements += wiring.execution_statements
        self.task_statements += wiring.task_statements
        task_definition = self.task_definition(definitions, wiring)
        sg = self.security_group(wiring)
        if self.svc.schedule is not None:
            self.scheduled(task_definition, sg)
        else:
            self.long_running(task_definition, sg)
        self.ctx.output(
            f"{self.owner}LogGroupName", Ref(logs), description=f"log group of service {self.name}'s containers"
        )

    def long_running(self, task_definition: ecs.TaskDefinition, sg: ec2.SecurityGroup) -> None:
        self.attachment = self.attach()
        service = self.service(task_definition, sg, self.attachment)
        if self.svc.scaling is not None:
            self.scaling(service)
        if self.svc.alarms is not None:
            self.alarms(service)
        # For runbooks: `aws ecs update-service --service <ServiceName>`, `aws logs tail <LogGroupName>`.
        self.ctx.output(
            f"{self.owner}ServiceName", GetAtt(service, "Name"), description=f"ECS service name of {self.name}"
        )

    def scheduled(self, task_definition: ecs.TaskDefinition, sg: ec2.SecurityGroup) -> None:
        """`schedule:` -- no ECS service: EventBridge Scheduler runs the task definition (parts/schedules.py)."""
        spec = self.svc.schedule
        assert spec is not None
        expression = self.ctx.tunable(
            f"{self.owner}ScheduleExpression", default=spec.expression, label=f"{self.name}: schedule", group=self.group
        )
        state = self.ctx.tunable(
            f"{self.owner}ScheduleState",
            default="ENABLED" if spec.enabled else "DISABLED",
            label=f"{self.name}: schedule on or off",
            group=self.group,
            AllowedValues=["ENABLED", "DISABLED"],
        )
        capacity = (
            [{"CapacityProvider": c.provider, "Weight": c.weight, "Base": c.base} for c in self.svc.capacity]
            if self.svc.capacity
            else None
        )
        run = schedules.scheduled_task(
            self.t,
            self.owner,
            spec,
            expression=expression,
            state=state,
            cluster_arn=self.ctx.ref("cluster", "ClusterArn"),
            task_definition=Ref(task_definition),
            roles=self.role_arns,
            network={
                "Subnets": self.ctx.ref("network", "PublicSubnetIds" if self.svc.public_ip else "PrivateSubnetIds"),
                "SecurityGroups": [GetAtt(sg, "GroupId")],
                "AssignPublicIp": "ENABLED" if self.svc.public_ip else "DISABLED",
            },
            capacity=capacity,
        )
        if self.svc.alarms is not None:
            schedules.failed_runs_alarm(self.t, self.owner, run, observability.topic_ref(self.ctx))
        self.ctx.output(
            f"{self.owner}ScheduleName", Ref(run.schedule), description=f"EventBridge Scheduler schedule of {self.name}"
        )

    # -- images and containers -----------------------------------------------------------------

    def repository(self) -> Any | None:
        """The service's own ECR repository, as the URI its containers pull from (None: it has none).
        In a region that reads the primary's replicas (config/replication.py) it is referenced by name,
        not created: ECR creates the copy at the first replicated push."""
        if self.svc.ecr is None:
            return None
        primary = self.cfg.images_replicated_from()
        if primary is not None:
            return self.replica_repository(primary)
        policy = {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"keep the newest {self.svc.ecr.keep_images} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": self.svc.ecr.keep_images,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
        extra: dict[str, Any] = {}
        if self.svc.ecr.tag_mutability == "mutable":  # lint rule E9011 looks for this: mutable on purpose, and why
            extra["Metadata"] = {"stackc": {"mutable_tags": f"services.{self.name}.ecr.tag_mutability is mutable"}}
        repo = self.t.add_resource(
            ecr.Repository(
                f"{self.owner}Repository",
                # An explicit name: deploy scripts push to it, and the local emulator requires one.
                RepositoryName=ecr_repository_name(self.ctx.system, self.ctx.env, self.name),
                ImageScanningConfiguration=ecr.ImageScanningConfiguration(ScanOnPush=True),
                ImageTagMutability=self.svc.ecr.tag_mutability.upper(),
                EncryptionConfiguration=ecr.EncryptionConfiguration(EncryptionType=self.svc.ecr.encryption.upper()),
                LifecyclePolicy=ecr.LifecyclePolicy(LifecyclePolicyText=json.dumps(policy, sort_keys=True)),
                **extra,
            )
        )
        self.allow_pull(GetAtt(repo, "Arn"))
        self.ctx.output(
            f"{self.owner}RepositoryUri",
            GetAtt(repo, "RepositoryUri"),
            description=f"ECR repository of service {self.name} (push images here)",
        )
        # For services whose containers name this repository (`repository:`); an Output only if one does.
        self.ctx.export(
            f"{self.owner}RepositoryArn", GetAtt(repo, "Arn"), description=f"ECR repository ARN of service {self.name}"
        )
        return GetAtt(repo, "RepositoryUri")

    def replica_repository(self, primary: str) -> Any:
        name = ecr_repository_name(self.ctx.system, self.ctx.env, self.name)
        uri = Sub(f"${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.${{AWS::URLSuffix}}/{name}")
        arn = Sub(f"arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{name}")
        self.allow_pull(arn)
        self.ctx.output(
            f"{self.owner}RepositoryUri",
            uri,
            description=f"ECR replica of service {self.name}'s repository in {primary} (push there, not here)",
        )
        self.ctx.export(f"{self.owner}RepositoryArn", arn, description=f"ECR repository ARN of service {self.name}")
        return uri

    def allow_pull(self, repository_arn: Any) -> None:
        """The execution role may pull images from exactly this repository."""
        if not self.pull_token:
            self.execution_statements.append(iam.allow([awsecr.GetAuthorizationToken], ["*"]))  # account-wide by design
            self.pull_token = True
        self.execution_statements.append(
            iam.allow(
                [awsecr.BatchCheckLayerAvailability, awsecr.GetDownloadUrlForLayer, awsecr.BatchGetImage],
                [repository_arn],
            )
        )

    def image_repository(self, cname: str, repo: Any | None) -> Any:
        """Where container `cname` pulls from: its own service's repository, another service's
        (`repository:`, wired from that service's stack), or an image by name; pull permission on
        each ECR repository used, and on a private ECR image given by URI."""
        c = self.svc.containers[cname]
        owner = ecr_owner(self.cfg, self.name, cname)
        if owner == self.name:
            assert repo is not None
            return repo
        if owner is not None:
            other = pascal(owner)
            self.allow_pull(self.ctx.ref(stack_name(owner), f"{other}RepositoryArn"))
            return self.ctx.ref(stack_name(owner), f"{other}RepositoryUri")
        assert c.image is not None
        arn = containers.private_ecr_arn(c.image)
        if arn is not None:
            self.allow_pull(arn)
        return c.image

    def app_containers(self, repo, logs, cars: list[Sidecar], wiring: ServiceWiring) -> list[ecs.ContainerDefinition]:
        """App containers get the sidecars' and `uses:` environment; essential ones also the wired
        secrets and mounts. A container's own `environment` wins over both."""
        shared_env = {k: v for car in cars for k, v in car.app_environment.items()}
        shared_env.update(wiring.environment)
        out = []
        for cname, c in self.svc.containers.items():
            # `ApiImageTag` for the container named like its service (the common case), else `ApiWorkerImageTag`.
            # A digest default makes the parameter a digest (`repository@sha256:...`): a deploy that overrides
            # it passes another digest, never a tag (the separator is fixed when the template is built).
            digest = is_digest(c.tag)
            tag = self.ctx.tunable(
                f"{self.owner}{'' if cname == self.name else pascal(cname)}ImageTag",
                default=c.tag,
                label=f"{self.name}/{cname}: image {'digest' if digest else 'tag'}",
                group=self.group,
                AllowedPattern=f"^{DIGEST}$" if digest else f"^{TAG}$",
            )
            repository = self.image_repository(cname, repo)
            secrets: dict[str, Any] = {}
            for var, ref in c.secrets.items():
                replica = self.cfg.replicated_secret(ref.secret) if ref.secret in self.cfg.secrets else None
                resolved = secret_refs.resolve(ref, self.ctx, self.cfg.secret_config(ref.secret or ""), replica)
                secrets[var] = resolved.value_from
                self.execution_statements.append(resolved.statement)
                if resolved.key_statement is not None:
                    self.execution_statements.append(resolved.key_statement)
            own = {var: references.environment_value(value, self.cfg, self.ctx) for var, value in c.environment.items()}
            environment = {**shared_env, **own}
            mounts = [
                ecs.MountPoint(SourceVolume=containers.writable_volume(cname, i), ContainerPath=path, ReadOnly=False)
                for i, path in enumerate(c.writable_paths)
            ]
            self.volumes += [
                ecs.Volume(Name=containers.writable_volume(cname, i)) for i in range(len(c.writable_paths))
            ]
            if c.essential:
                secrets = {**wiring.secrets, **secrets}
                mounts = list(wiring.mount_points) + mounts
            out.append(
                containers.definition(
                    cname,
                    c,
                    image=containers.image(repository, tag, digest),
                    log_configuration=awslogs_config(logs, cname),
                    environment=environment,
                    secrets=secrets,
                    mount_points=mounts or None,
                    readonly_root=self.cfg.readonly_root(c.readonly_root_filesystem),
                    user=c.user,
                )
            )
        return out

    def sidecar_container(self, car: Sidecar, logs) -> ecs.ContainerDefinition:
        self.task_statements += car.task_statements
        self.execution_statements += car.execution_statements
        return containers.definition(
            car.name,
            car.spec,
            image=car.image,
            log_configuration=awslogs_config(logs, car.name),
            environment=car.environment,
            secrets=car.secrets,
            # Both images run as uid 10001 and write nothing to their root file system.
            readonly_root=self.cfg.prod,
            user=SIDECAR_USER,
        )

    # -- task ----------------------------------------------------------------------------------

    def task_definition(self, definitions: list[ecs.ContainerDefinition], wiring: ServiceWiring) -> ecs.TaskDefinition:
        execution_role = iam.role(
            self.t,
            f"{self.owner}ExecutionRole",
            "ecs-tasks.amazonaws.com",
            self.execution_statements + [iam.from_config(s) for s in self.svc.iam.execution],
            description=f"ECS pulls images, writes logs and reads secrets for {self.name}",
            conditioned=False,  # AWS documents source conditions for the task role only (trust_sources.py)
        )
        task_statements = self.task_statements + [iam.from_config(s) for s in self.svc.iam.task]
        if self.svc.exec:
            task_statements += self.exec_statements()
        task_role = iam.role(
            self.t,
            f"{self.owner}TaskRole",
            "ecs-tasks.amazonaws.com",
            task_statements,
            description=f"What the code of {self.name} may call",
        )
        self.role_arns = [GetAtt(execution_role, "Arn"), GetAtt(task_role, "Arn")]
        props: dict[str, Any] = {}
        if wiring.volumes or self.volumes:
            props["Volumes"] = [*wiring.volumes, *self.volumes]
        return self.t.add_resource(
            ecs.TaskDefinition(
                f"{self.owner}TaskDefinition",
                Cpu=str(self.svc.cpu),
                Memory=str(self.svc.memory),
                NetworkMode="awsvpc",
                RequiresCompatibilities=["FARGATE"],
                ExecutionRoleArn=GetAtt(execution_role, "Arn"),
                TaskRoleArn=GetAtt(task_role, "Arn"),
                ContainerDefinitions=definitions,
                **props,
            )
        )

    def exec_statements(self) -> list[Statement]:
        """ECS Exec: the SSM agent's channels, and the cluster's exec log group when it logs."""
        out = [
            iam.allow(
                [
                    ssmmessages.CreateControlChannel,
                    ssmmessages.CreateDataChannel,
                    ssmmessages.OpenControlChannel,
                    ssmmessages.OpenDataChannel,
                ],
                ["*"],
            )
        ]
        key = logs_key(self.cfg, self.ctx)
        if self.cfg.prod and self.cfg.cluster.exec_logging.enabled and key is not None:
            # The cluster encrypts exec sessions with the system's log key in prod (stacks/cluster.py).
            out.append(iam.allow([awskms.Decrypt], [key]))
        if self.cfg.cluster.exec_logging.enabled:
            # DescribeLogGroups has no resource-level permission; the streams are the cluster's exec group's only.
            out.append(iam.allow([awslogs.DescribeLogGroups], ["*"]))
            out.append(
                iam.allow(
                    [awslogs.CreateLogStream, awslogs.DescribeLogStreams, awslogs.PutLogEvents],
                    [self.ctx.ref("cluster", EXEC_LOG_GROUP_ARN)],
                )
            )
        return out

    # -- network and service -------------------------------------------------------------------

    def security_group(self, wiring: ServiceWiring) -> ec2.SecurityGroup:
        ingress = []
        if self.lb is not None:
            lb_name, _ = self.lb
            _, port = self.svc.target_container()  # type: ignore[misc]  # checked: behind an LB => a port
            ingress.append(
                ec2.SecurityGroupRule(
                    IpProtocol="tcp",
                    FromPort=port,
                    ToPort=port,
                    SourceSecurityGroupId=self.ctx.ref(lb_exports.STACK, lb_exports.security_group(lb_name)),
                    Description=f"container port from load balancer {lb_name}",
                )
            )
        props: dict[str, Any] = {"SecurityGroupIngress": ingress} if ingress else {}
        if isinstance(self.cfg.egress_of(self.name), list):
            props["SecurityGroupEgress"] = self.egress(wiring)
        sg = self.t.add_resource(
            ec2.SecurityGroup(
                f"{self.owner}SecurityGroup",
                GroupDescription=f"Tasks of service {self.name}",
                VpcId=self.ctx.ref("network", "VpcId"),
                **props,
            )
        )
        for rule in wiring.ingress:
            self.t.add_resource(
                ec2.SecurityGroupIngress(
                    f"{self.owner}To{pascal(rule.store)}Ingress",
                    GroupId=rule.group_id,
                    SourceSecurityGroupId=GetAtt(sg, "GroupId"),
                    IpProtocol="tcp",
                    FromPort=rule.port,
                    ToPort=rule.port,
                    Description=rule.description,
                )
            )
        return sg

    def egress(self, wiring: ServiceWiring) -> list[ec2.SecurityGroupRule]:
        """Narrowed egress (`egress:` a list): HTTPS anywhere, the used stores on their ports, the rules
        given. DNS, task metadata and time sync are not subject to security groups."""
        extra = self.cfg.egress_of(self.name)
        assert isinstance(extra, list)
        rules = [
            ec2.SecurityGroupRule(
                IpProtocol="tcp",
                FromPort=443,
                ToPort=443,
                CidrIp="0.0.0.0/0",
                Description="HTTPS: AWS APIs, image pulls, external APIs",
            )
        ]
        rules += [
            ec2.SecurityGroupRule(
                IpProtocol="tcp",
                FromPort=r.port,
                ToPort=r.port,
                DestinationSecurityGroupId=r.group_id,
                Description=r.description,
            )
            for r in wiring.ingress
        ]
        rules += [
            ec2.SecurityGroupRule(
                IpProtocol=r.protocol,
                FromPort=r.port,
                ToPort=r.to_port or r.port,
                CidrIp=r.cidr,
                Description=r.description or f"services.{self.name}.egress[{i}]",
            )
            for i, r in enumerate(extra)
        ]
        return rules

    def attach(self) -> targets.Attachment | None:
        """Target group and forwarding rules (or NLB listener) in this stack; the service's URL."""
        if self.lb is None:
            return None
        lb_name, lb = self.lb
        attachment = targets.attach(self.t, self.ctx, self.name, self.svc, lb_name, lb)
        self.ctx.output(
            self.svc.url_output_name(self.name),
            targets.url(self.ctx, self.name, lb_name, lb),
            description=f"URL of service {self.name}",
            origin=("services", self.name, "url_output") if self.svc.url_output else None,
        )
        return attachment

    def service(
        self, task_definition: ecs.TaskDefinition, sg: ec2.SecurityGroup, attachment: targets.Attachment | None
    ) -> ecs.Service:
        svc = self.svc
        props: dict[str, Any] = {}
        if svc.scaling is None:
            props["DesiredCount"] = self.ctx.tunable(
                f"{self.owner}DesiredCount",
                default=svc.desired_count,
                param_type="Number",
                label=f"{self.name}: desired task count",
                group=self.group,
                MinValue=0,
            )
        else:
            # With auto scaling, DesiredCount stays out of the template: CloudFormation would reset the running
            # count to it on every update; the scalable target's MinCapacity sets the floor instead. Except
            # when MaxCapacity is 0 (a service held at zero tasks, e.g. by a first deploy whose image is not
            # pushed yet, templates_src/deploy/bootstrap.py): without DesiredCount ECS starts one task when it
            # creates the service. Back above zero, DesiredCount is omitted (left as it is) and the scalable
            # target's MinCapacity scales the service out.
            held = f"{self.owner}HeldAtZero"
            self.t.add_condition(held, Equals(Ref(f"{self.owner}MaxCapacity"), "0"))
            props["DesiredCount"] = If(held, 0, NoValue)
        if attachment is not None:
            container, port = svc.target_container()  # type: ignore[misc]
            props["LoadBalancers"] = [
                ecs.LoadBalancer(
                    ContainerName=container,
                    ContainerPort=port,
                    TargetGroupArn=Ref(attachment.target_group),
                    **self.traffic_shifting(attachment),
                )
            ]
            props["HealthCheckGracePeriodSeconds"] = svc.health_check_grace
            # ECS refuses a target group that no listener forwards to yet (the rules the blue/green
            # configuration names are waited for through that reference already).
            waits = [
                f.title for f in attachment.forwarders if f not in (attachment.production_rule, attachment.test_rule)
            ]
            if waits:
                props["DependsOn"] = waits
        if svc.capacity is not None:
            props["CapacityProviderStrategy"] = [
                ecs.CapacityProviderStrategyItem(CapacityProvider=s.provider, Weight=s.weight, Base=s.base)
                for s in svc.capacity
            ]
        # Neither launch type nor strategy: the cluster's default capacity provider strategy applies.
        return self.t.add_resource(
            ecs.Service(
                f"{self.owner}Service",
                Cluster=self.ctx.ref("cluster", "ClusterName"),
                TaskDefinition=Ref(task_definition),
                NetworkConfiguration=ecs.NetworkConfiguration(
                    AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                        Subnets=self.ctx.ref("network", "PublicSubnetIds" if svc.public_ip else "PrivateSubnetIds"),
                        SecurityGroups=[GetAtt(sg, "GroupId")],
                        AssignPublicIp="ENABLED" if svc.public_ip else "DISABLED",
                    )
                ),
                DeploymentConfiguration=ecs.DeploymentConfiguration(
                    DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(
                        Enable=svc.circuit_breaker, Rollback=svc.circuit_breaker
                    ),
                    MinimumHealthyPercent=svc.min_healthy_percent,
                    MaximumPercent=svc.max_percent,
                    **self.strategy(),
                ),
                EnableExecuteCommand=svc.exec,
                **({"ServiceName": svc.service_name} if svc.service_name is not None else {}),
                EnableECSManagedTags=True,
                PropagateTags="SERVICE",
                **props,
            )
        )

    def strategy(self) -> dict[str, Any]:
        """DeploymentConfiguration for ECS's blue/green, canary and linear deployments (none for rolling)."""
        d = self.svc.deployment
        if d.strategy == "rolling":
            return {}
        props: dict[str, Any] = {"Strategy": STRATEGIES[d.strategy], "BakeTimeInMinutes": d.bake_minutes}
        if d.strategy == "canary":
            props["CanaryConfiguration"] = ecs.CanaryConfiguration(
                CanaryPercent=d.canary_percent, CanaryBakeTimeInMinutes=d.canary_bake_minutes
            )
        elif d.strategy == "linear":
            props["LinearConfiguration"] = ecs.LinearConfiguration(
                StepPercent=d.step_percent, StepBakeTimeInMinutes=d.step_bake_minutes
            )
        return props

    def traffic_shifting(self, attachment: targets.Attachment) -> dict[str, Any]:
        """The alternate target group, the rules ECS re-weights, and the role it does that with."""
        if attachment.alternate is None:
            return {}
        role = iam.role(
            self.t,
            f"{self.owner}DeploymentRole",
            "ecs.amazonaws.com",
            [],
            description=f"ECS moves traffic between {self.name}'s target groups during a deployment",
            managed_policies=[Sub(LOAD_BALANCER_ROLE_POLICY)],
        )
        advanced: dict[str, Any] = {
            "AlternateTargetGroupArn": Ref(attachment.alternate),
            "ProductionListenerRule": Ref(attachment.production_rule),
            "RoleArn": GetAtt(role, "Arn"),
        }
        if attachment.test_rule is not None:
            advanced["TestListenerRule"] = Ref(attachment.test_rule)
        return {"AdvancedConfiguration": ecs.AdvancedConfiguration(**advanced)}

    # -- scaling and alarms --------------------------------------------------------------------

    def _lb_dimensions(self) -> tuple[str, Any, Any]:
        """(load balancer type, LoadBalancer dimension, TargetGroup dimension)."""
        assert self.lb is not None and self.attachment is not None
        lb_name, lb = self.lb
        return (
            lb.type,
            self.ctx.ref(lb_exports.STACK, lb_exports.full_name(lb_name)),
            GetAtt(self.attachment.target_group, "TargetGroupFullName"),
        )

    def scaling(self, service: ecs.Service) -> None:
        sc = self.svc.scaling
        assert sc is not None
        lo = self.ctx.tunable(
            f"{self.owner}MinCapacity",
            default=sc.min,
            param_type="Number",
            label=f"{self.name}: minimum tasks",
            group=self.group,
            MinValue=0,
        )
        hi = self.ctx.tunable(
            f"{self.owner}MaxCapacity",
            default=sc.max,
            param_type="Number",
            label=f"{self.name}: maximum tasks (0 holds the service at zero tasks)",
            group=self.group,
            MinValue=0,
        )
        target = self.t.add_resource(
            aas.ScalableTarget(
                f"{self.owner}ScalableTarget",
                MinCapacity=lo,
                MaxCapacity=hi,
                ResourceId=Join("/", ["service", self.ctx.ref("cluster", "ClusterName"), GetAtt(service, "Name")]),
                ScalableDimension="ecs:service:DesiredCount",
                ServiceNamespace="ecs",
            )
        )
        policies: list[tuple[str, int | None, str, Any]] = [
            ("Cpu", sc.cpu, "ECSServiceAverageCPUUtilization", None),
            ("Memory", sc.memory, "ECSServiceAverageMemoryUtilization", None),
        ]
        if sc.requests_per_target is not None:
            _, lb_dim, tg_dim = self._lb_dimensions()
            policies.append(
                ("Requests", sc.requests_per_target, "ALBRequestCountPerTarget", Join("/", [lb_dim, tg_dim]))
            )
        for suffix, value, metric, label in policies:
            if value is None:
                continue
            spec = aas.PredefinedMetricSpecification(PredefinedMetricType=metric)
            if label is not None:
                spec.ResourceLabel = label
            self.t.add_resource(
                aas.ScalingPolicy(
                    f"{self.owner}{suffix}Scaling",
                    PolicyName=f"{self.name}-{suffix.lower()}",
                    PolicyType="TargetTrackingScaling",
                    ScalingTargetId=Ref(target),
                    TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
                        PredefinedMetricSpecification=spec,
                        TargetValue=float(value),
                        ScaleInCooldown=sc.scale_in_cooldown,
                        ScaleOutCooldown=sc.scale_out_cooldown,
                    ),
                )
            )

    def alarms(self, service: ecs.Service) -> None:
        a = self.svc.alarms
        assert a is not None
        topic = observability.topic_ref(self.ctx)
        ecs_dims = {"ClusterName": self.ctx.ref("cluster", "ClusterName"), "ServiceName": GetAtt(service, "Name")}
        specs: list[alarms.AlarmSpec] = []
        if a.cpu is not None:
            specs.append(
                alarms.AlarmSpec(
                    "Cpu",
                    f"{self.name}: CPU above {a.cpu}%",
                    alarms.Metric("AWS/ECS", "CPUUtilization", ecs_dims),
                    a.cpu,
                )
            )
        if a.memory is not None:
            specs.append(
                alarms.AlarmSpec(
                    "Memory",
                    f"{self.name}: memory above {a.memory}%",
                    alarms.Metric("AWS/ECS", "MemoryUtilization", ecs_dims),
                    a.memory,
                )
            )
        if self.lb is not None:
            kind, lb_dim, tg_dim = self._lb_dimensions()
            lb_dims = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
            ns = "AWS/ApplicationELB" if kind == "application" else "AWS/NetworkELB"
            if kind == "application" and a.http_5xx is not None:
                specs.append(
                    alarms.AlarmSpec(
                        "Http5xx",
                        f"{self.name}: more than {a.http_5xx} 5XX responses a minute",
                        alarms.Metric(ns, "HTTPCode_Target_5XX_Count", lb_dims, "Sum"),
                        a.http_5xx,
                    )
                )
            if kind == "application" and a.response_time is not None:
                specs.append(
                    alarms.AlarmSpec(
                        "ResponseTime",
                        f"{self.name}: responses slower than {a.response_time}s",
                        alarms.Metric(ns, "TargetResponseTime", lb_dims),
                        a.response_time,
                    )
                )
            if a.unhealthy_hosts is not None:
                specs.append(
                    alarms.AlarmSpec(
                        "UnhealthyHosts",
                        f"{self.name}: {a.unhealthy_hosts}+ unhealthy targets",
                        alarms.Metric(ns, "UnHealthyHostCount", lb_dims, "Maximum"),
                        a.unhealthy_hosts,
                        "GreaterThanOrEqualToThreshold",
                    )
                )
        for spec in specs:
            alarms.metric_alarm(self.t, self.owner, spec, topic)
        if a.running_below_desired:
            alarms.below_desired_alarm(self.t, self.owner, ecs_dims, topic)
