"""Service stacks: one structural assertion per option (subset style)."""

from __future__ import annotations

import copy
import json

import pytest

from .helpers import build_config, count, has_resource, resources, skips

APP = {"image": "example/app", "tag": "1.2.3", "ports": [{"port": 8080}]}


def system(service: dict | None = None, *, lb: dict | None = None, **top) -> dict:
    """A system with service `api` (overridden by `service`) behind ALB `web` on HTTP 80."""
    svc = {"containers": {"app": copy.deepcopy(APP)}, **(service or {})}
    cfg = {
        "services": {"api": svc},
        "load_balancers": {"web": lb or {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]}},
    }
    cfg.update(top)
    return cfg


def build_service(tmp_path, service: dict | None = None, **kw) -> dict:
    return build_config(tmp_path, system(service, **kw))["service-api"]


def container(t: dict, name: str = "app") -> dict:
    td = has_resource(t, "AWS::ECS::TaskDefinition")
    return next(c for c in td["Properties"]["ContainerDefinitions"] if c["Name"] == name)


def policy_statements(t: dict, role: str) -> list[dict]:
    props = t["Resources"][role]["Properties"]
    return [s for p in props.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]


# -- stack layout ------------------------------------------------------------------------------


def test_one_stack_per_service_and_stable_ids(tmp_path):
    cfg = system()
    cfg["services"]["worker"] = {"containers": {"job": {"image": "example/job"}}}
    out = build_config(tmp_path, cfg)
    assert {"service-api", "service-worker"} <= set(out)
    assert {
        "ApiService",
        "ApiTaskDefinition",
        "ApiTaskRole",
        "ApiExecutionRole",
        "ApiSecurityGroup",
        "ApiLogGroup",
    } <= set(out["service-api"]["Resources"])
    assert "WorkerService" in out["service-worker"]["Resources"]
    assert out["root"]["Resources"]["ServiceApiStack"]["Type"] == "AWS::CloudFormation::Stack"


# -- ECR -----------------------------------------------------------------------------------------


def test_ecr_repository_scan_immutable_lifecycle(tmp_path):
    t = build_service(
        tmp_path, {"ecr": {"keep_images": 7}, "containers": {"app": {"tag": "1.2.3", "ports": [{"port": 8080}]}}}
    )
    repo = has_resource(
        t,
        "AWS::ECR::Repository",
        {
            "RepositoryName": "sys-dev-api",
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "ImageTagMutability": "IMMUTABLE",
        },
        DeletionPolicy="RetainExceptOnCreate",
    )
    rules = json.loads(repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert rules[0]["selection"]["countNumber"] == 7
    assert container(t)["Image"] == {
        "Fn::Join": [":", [{"Fn::GetAtt": ["ApiRepository", "RepositoryUri"]}, {"Ref": "ApiAppImageTag"}]]
    }
    pull = [s for s in policy_statements(t, "ApiExecutionRole") if "ecr:BatchGetImage" in s["Action"]]
    assert pull[0]["Resource"] == [{"Fn::GetAtt": ["ApiRepository", "Arn"]}]


def test_no_ecr_no_pull_permissions(tmp_path):
    t = build_service(tmp_path)
    assert count(t, "AWS::ECR::Repository") == 0
    assert not any(a.startswith("ecr:") for s in policy_statements(t, "ApiExecutionRole") for a in s["Action"])


# -- task definition ---------------------------------------------------------------------------


def test_task_size(tmp_path):
    t = build_service(tmp_path, {"cpu": 1024, "memory": 4096})
    has_resource(
        t,
        "AWS::ECS::TaskDefinition",
        {"Cpu": "1024", "Memory": "4096", "NetworkMode": "awsvpc", "RequiresCompatibilities": ["FARGATE"]},
    )


def test_several_containers_essential_and_depends_on(tmp_path):
    t = build_service(
        tmp_path,
        {
            "containers": {
                "app": {
                    **APP,
                    "depends_on": [
                        {"container": "migrate", "condition": "SUCCESS"},
                        {"container": "proxy", "condition": "HEALTHY"},
                    ],
                },
                "migrate": {"image": "example/migrate", "essential": False},
                "proxy": {"image": "example/proxy", "health_check": {"command": ["CMD", "true"]}},
            }
        },
    )
    app = container(t)
    assert app["DependsOn"] == [
        {"ContainerName": "migrate", "Condition": "SUCCESS"},
        {"ContainerName": "proxy", "Condition": "HEALTHY"},
    ]
    assert container(t, "migrate")["Essential"] is False
    assert container(t, "proxy")["Essential"] is True


def test_port_mappings_and_environment(tmp_path):
    t = build_service(
        tmp_path,
        {
            "containers": {
                "app": {
                    **APP,
                    "ports": [{"port": 8080}, {"port": 9000, "protocol": "udp"}],
                    "environment": {"B": "2", "A": "1"},
                }
            }
        },
    )
    app = container(t)
    assert app["PortMappings"] == [
        {"ContainerPort": 8080, "Protocol": "tcp"},
        {"ContainerPort": 9000, "Protocol": "udp"},
    ]
    assert app["Environment"] == [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]  # sorted: stable


def test_secret_whole_and_json_key_and_ssm(tmp_path):
    t = build_service(
        tmp_path,
        {
            "containers": {
                "app": {
                    **APP,
                    "secrets": {
                        "DATABASE_URL": {"secret": "db-url"},
                        "DB_PASSWORD": {"secret": "db", "key": "password"},
                        "FLAG": {"ssm": "/app/flag"},
                    },
                }
            }
        },
        secrets={"db-url": {}, "db": {"generate": {"template": {"username": "app"}, "key": "password"}}},
    )
    assert container(t)["Secrets"] == [
        {"Name": "DATABASE_URL", "ValueFrom": {"Ref": "DbUrlSecretArn"}},
        {"Name": "DB_PASSWORD", "ValueFrom": {"Fn::Sub": "${DbSecretArn}:password::"}},
        {
            "Name": "FLAG",
            "ValueFrom": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/flag"},
        },
    ]
    statements = policy_statements(t, "ApiExecutionRole")
    reads = {json.dumps(s["Resource"]): s["Action"] for s in statements}
    assert reads[json.dumps([{"Ref": "DbUrlSecretArn"}])] == ["secretsmanager:GetSecretValue"]
    assert reads[json.dumps([{"Ref": "DbSecretArn"}])] == ["secretsmanager:GetSecretValue"]
    assert reads[
        json.dumps([{"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/flag"}])
    ] == ["ssm:GetParameters"]


def test_execution_role_reads_only_referenced_secrets(tmp_path):
    t = build_service(
        tmp_path,
        {"containers": {"app": {**APP, "secrets": {"A": {"secret": "used"}}}}},
        secrets={"used": {}, "unused": {}},
    )
    text = json.dumps(t["Resources"]["ApiExecutionRole"])
    assert "UsedSecretArn" in text and "UnusedSecretArn" not in text


def test_container_health_check(tmp_path):
    t = build_service(
        tmp_path,
        {
            "containers": {
                "app": {
                    **APP,
                    "health_check": {
                        "command": ["CMD-SHELL", "curl -f localhost:8080/health"],
                        "interval": 10,
                        "retries": 5,
                        "start_period": 60,
                    },
                }
            }
        },
    )
    assert container(t)["HealthCheck"] == {
        "Command": ["CMD-SHELL", "curl -f localhost:8080/health"],
        "Interval": 10,
        "Timeout": 5,
        "Retries": 5,
        "StartPeriod": 60,
    }


def test_readonly_root_and_non_root_user(tmp_path):
    t = build_service(tmp_path, {"containers": {"app": {**APP, "readonly_root_filesystem": True, "user": "1001:1001"}}})
    app = container(t)
    assert app["ReadonlyRootFilesystem"] is True and app["User"] == "1001:1001"


def test_awslogs_to_service_log_group_with_retention_and_kms(tmp_path):
    key = "arn:aws:kms:us-east-1:123456789012:key/abcd"
    t = build_service(tmp_path, {"log_retention_days": 14, "log_kms_key_arn": key})
    has_resource(t, "AWS::Logs::LogGroup", {"RetentionInDays": 14, "KmsKeyId": key})
    assert container(t)["LogConfiguration"] == {
        "LogDriver": "awslogs",
        "Options": {
            "awslogs-group": {"Ref": "ApiLogGroup"},
            "awslogs-region": {"Ref": "AWS::Region"},
            "awslogs-stream-prefix": "app",
        },
    }


# -- sidecars ------------------------------------------------------------------------------------


def test_otel_sidecar_config_in_ssm(tmp_path):
    t = build_service(
        tmp_path, {"sidecars": {"otel": {}}, "containers": {"app": {**APP, "depends_on": [{"container": "otel"}]}}}
    )
    param = has_resource(t, "AWS::SSM::Parameter", {"Name": "/sys/dev/api/otel-config", "Type": "String"})
    assert "awsxray" in json.dumps(param["Properties"]["Value"])
    otel = container(t, "otel")
    assert otel["Essential"] is False and "aws-otel-collector" in otel["Image"]
    assert otel["Secrets"][0]["Name"] == "AOT_CONFIG_CONTENT"
    assert {"Name": "OTEL_EXPORTER_OTLP_ENDPOINT", "Value": "http://localhost:4318"} in container(t)["Environment"]
    exec_actions = [a for s in policy_statements(t, "ApiExecutionRole") for a in s["Action"]]
    assert "ssm:GetParameters" in exec_actions
    task_actions = [a for s in policy_statements(t, "ApiTaskRole") for a in s["Action"]]
    assert "xray:PutTraceSegments" in task_actions and "logs:PutLogEvents" in task_actions


def test_otel_custom_config(tmp_path):
    t = build_service(tmp_path, {"sidecars": {"otel": {"config": "receivers: {}\n"}}})
    has_resource(t, "AWS::SSM::Parameter", {"Value": "receivers: {}\n"})


def test_xray_sidecar(tmp_path):
    t = build_service(tmp_path, {"sidecars": {"xray": {}}})
    xray = container(t, "xray")
    assert "aws-xray-daemon" in xray["Image"] and xray["Cpu"] == 32
    assert {"Name": "AWS_XRAY_DAEMON_ADDRESS", "Value": "localhost:2000"} in container(t)["Environment"]
    assert "xray:PutTraceSegments" in [a for s in policy_statements(t, "ApiTaskRole") for a in s["Action"]]


# -- roles -----------------------------------------------------------------------------------------


def test_task_role_starts_empty(tmp_path):
    t = build_service(tmp_path)
    assert "Policies" not in t["Resources"]["ApiTaskRole"]["Properties"]


def test_extra_statements_from_config(tmp_path):
    t = build_service(
        tmp_path,
        {
            "iam": {
                "task": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}],
                "execution": [{"actions": ["kms:Decrypt"], "resources": ["arn:aws:kms:us-east-1:1:key/x"]}],
            }
        },
    )
    assert {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]} in policy_statements(
        t, "ApiTaskRole"
    )
    assert {
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": ["arn:aws:kms:us-east-1:1:key/x"],
    } in policy_statements(t, "ApiExecutionRole")


def test_no_wildcard_actions_anywhere(tmp_path):
    out = build_config(
        tmp_path, system({"cpu": 512, "memory": 1024, "exec": True, "sidecars": {"otel": {}, "xray": {}}, "ecr": {}})
    )
    for name, t in out.items():
        for role in resources(t, "AWS::IAM::Role"):
            for s in policy_statements(t, role):
                assert all(a != "*" and not a.endswith(":*") for a in s["Action"]), (name, role, s)


# -- service ---------------------------------------------------------------------------------------


def test_private_subnets_no_public_ip_by_default(tmp_path):
    t = build_service(tmp_path)
    has_resource(
        t,
        "AWS::ECS::Service",
        {
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {"AssignPublicIp": "DISABLED", "Subnets": {"Ref": "PrivateSubnetIds"}}
            }
        },
    )


def test_public_ip_flag(tmp_path):
    t = build_service(tmp_path, {"public_ip": True})
    svc = has_resource(
        t,
        "AWS::ECS::Service",
        {
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {"AssignPublicIp": "ENABLED", "Subnets": {"Ref": "PublicSubnetIds"}}
            }
        },
    )
    assert "Metadata" not in svc  # E9003 finds it unless params waive it


def test_circuit_breaker_and_healthy_percents(tmp_path):
    t = build_service(tmp_path, {"min_healthy_percent": 50, "max_percent": 150})
    has_resource(
        t,
        "AWS::ECS::Service",
        {
            "DeploymentConfiguration": {
                "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
                "MinimumHealthyPercent": 50,
                "MaximumPercent": 150,
            }
        },
    )


def test_exec_toggle(tmp_path):
    t = build_service(tmp_path, {"exec": True})
    has_resource(t, "AWS::ECS::Service", {"EnableExecuteCommand": True})
    assert "ssmmessages:CreateControlChannel" in [a for s in policy_statements(t, "ApiTaskRole") for a in s["Action"]]


def test_health_check_grace_and_target_group(tmp_path):
    t = build_service(tmp_path, {"health_check_grace": 120})
    has_resource(
        t,
        "AWS::ECS::Service",
        {
            "HealthCheckGracePeriodSeconds": 120,
            "LoadBalancers": [
                {"ContainerName": "app", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "ApiTargetGroup"}}
            ],
        },
    )


def test_no_load_balancer_no_grace(tmp_path):
    cfg = {"services": {"job": {"containers": {"run": {"image": "example/job"}}}}}
    t = build_config(tmp_path, cfg)["service-job"]
    props = has_resource(t, "AWS::ECS::Service")["Properties"]
    assert "HealthCheckGracePeriodSeconds" not in props and "LoadBalancers" not in props
    assert "SecurityGroupIngress" not in has_resource(t, "AWS::EC2::SecurityGroup")["Properties"]


def test_capacity_provider_strategy(tmp_path):
    t = build_service(tmp_path, {"capacity": [{"provider": "FARGATE_SPOT", "weight": 1}]})
    has_resource(
        t,
        "AWS::ECS::Service",
        {"CapacityProviderStrategy": [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1, "Base": 0}]},
    )


def test_default_capacity_is_the_clusters(tmp_path):
    props = has_resource(build_service(tmp_path), "AWS::ECS::Service")["Properties"]
    assert "CapacityProviderStrategy" not in props and "LaunchType" not in props


def test_ingress_only_from_load_balancer_on_container_port(tmp_path):
    t = build_service(tmp_path)
    has_resource(
        t,
        "AWS::EC2::SecurityGroup",
        {
            "SecurityGroupIngress": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "SourceSecurityGroupId": {"Ref": "WebLoadBalancerSecurityGroupId"},
                }
            ]
        },
    )
    sg = has_resource(t, "AWS::EC2::SecurityGroup")["Properties"]
    assert len(sg["SecurityGroupIngress"]) == 1 and "CidrIp" not in sg["SecurityGroupIngress"][0]


# -- tunables --------------------------------------------------------------------------------------


def test_tunables_are_root_parameters_with_labels(tmp_path):
    out = build_config(tmp_path, system({"desired_count": 3}))
    root = out["root"]
    params = root["Parameters"]
    assert params["ApiAppImageTag"]["Default"] == "1.2.3"
    assert params["ApiDesiredCount"]["Default"] == "3" and params["ApiDesiredCount"]["Type"] == "Number"
    interface = root["Metadata"]["AWS::CloudFormation::Interface"]
    group = next(g for g in interface["ParameterGroups"] if g["Label"]["default"] == "Service api")
    assert group["Parameters"] == ["ApiAppImageTag", "ApiDesiredCount"]
    assert interface["ParameterLabels"]["ApiDesiredCount"] == {"default": "api: desired task count"}
    assert root["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]["ApiDesiredCount"] == {
        "Ref": "ApiDesiredCount"
    }
    assert has_resource(out["service-api"], "AWS::ECS::Service")["Properties"]["DesiredCount"] == {
        "Ref": "ApiDesiredCount"
    }


def test_with_auto_scaling_min_and_max_are_the_tunables_and_desired_count_stays_out(tmp_path):
    """CloudFormation would reset the running count to DesiredCount on every update, undoing scaling: it is
    left out (AWS::NoValue) unless MaxCapacity is 0, a service held at zero tasks (deploy/bootstrap.py) --
    without DesiredCount, ECS would start one task when it creates the service."""
    out = build_config(tmp_path, system({"desired_count": 3, "scaling": {"min": 2, "max": 6, "cpu": 60}}))
    params = out["root"]["Parameters"]
    assert params["ApiMinCapacity"]["Default"] == "2" and params["ApiMaxCapacity"]["Default"] == "6"
    assert params["ApiMaxCapacity"]["MinValue"] == 0
    assert "ApiDesiredCount" not in params
    service = out["service-api"]
    desired = has_resource(service, "AWS::ECS::Service")["Properties"]["DesiredCount"]
    assert desired == {"Fn::If": ["ApiHeldAtZero", 0, {"Ref": "AWS::NoValue"}]}
    assert service["Conditions"]["ApiHeldAtZero"] == {"Fn::Equals": [{"Ref": "ApiMaxCapacity"}, "0"]}
    group = next(
        g
        for g in out["root"]["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"]
        if g["Label"]["default"] == "Service api"
    )
    assert group["Parameters"] == ["ApiAppImageTag", "ApiMinCapacity", "ApiMaxCapacity"]


# -- auto scaling ----------------------------------------------------------------------------------


def test_scaling_target(tmp_path):
    t = build_service(tmp_path, {"scaling": {"min": 2, "max": 10, "cpu": 70}})
    has_resource(
        t,
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {
            "MinCapacity": {"Ref": "ApiMinCapacity"},
            "MaxCapacity": {"Ref": "ApiMaxCapacity"},
            "ScalableDimension": "ecs:service:DesiredCount",
            "ServiceNamespace": "ecs",
            "ResourceId": {
                "Fn::Join": ["/", ["service", {"Ref": "ClusterName"}, {"Fn::GetAtt": ["ApiService", "Name"]}]]
            },
        },
    )


@pytest.mark.parametrize(
    "key, metric",
    [
        ("cpu", "ECSServiceAverageCPUUtilization"),
        ("memory", "ECSServiceAverageMemoryUtilization"),
        ("requests_per_target", "ALBRequestCountPerTarget"),
    ],
)
def test_target_tracking_with_cooldowns(tmp_path, key, metric):
    t = build_service(tmp_path, {"scaling": {key: 70, "scale_in_cooldown": 200, "scale_out_cooldown": 30}})
    policy = has_resource(
        t,
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                "TargetValue": 70.0,
                "ScaleInCooldown": 200,
                "ScaleOutCooldown": 30,
            },
        },
    )
    if key == "requests_per_target":
        label = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
            "ResourceLabel"
        ]
        assert label == {
            "Fn::Join": [
                "/",
                [{"Ref": "WebLoadBalancerFullName"}, {"Fn::GetAtt": ["ApiTargetGroup", "TargetGroupFullName"]}],
            ]
        }


# -- alarms ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "alarm, metric, namespace",
    [
        ("ApiCpuAlarm", "CPUUtilization", "AWS/ECS"),
        ("ApiMemoryAlarm", "MemoryUtilization", "AWS/ECS"),
        ("ApiHttp5xxAlarm", "HTTPCode_Target_5XX_Count", "AWS/ApplicationELB"),
        ("ApiResponseTimeAlarm", "TargetResponseTime", "AWS/ApplicationELB"),
        ("ApiUnhealthyHostsAlarm", "UnHealthyHostCount", "AWS/ApplicationELB"),
    ],
)
def test_alarms_to_the_topic(tmp_path, alarm, metric, namespace):
    t = build_service(tmp_path, {"alarms": {}})
    props = t["Resources"][alarm]["Properties"]
    assert props["MetricName"] == metric and props["Namespace"] == namespace
    assert props["AlarmActions"] == [{"Ref": "AlarmTopicArn"}]


def test_running_below_desired_alarm(tmp_path):
    t = build_service(tmp_path, {"alarms": {}})
    props = t["Resources"]["ApiRunningTasksAlarm"]["Properties"]
    assert {"Id": "missing", "Expression": "desired - running", "Label": "tasks missing", "ReturnData": True} in props[
        "Metrics"
    ]


def test_alarm_can_be_dropped(tmp_path):
    t = build_service(tmp_path, {"alarms": {"cpu": None, "running_below_desired": False}})
    assert "ApiCpuAlarm" not in t["Resources"] and "ApiRunningTasksAlarm" not in t["Resources"]
    assert "ApiMemoryAlarm" in t["Resources"]


def test_alarm_topic_and_dashboard(tmp_path):
    out = build_config(
        tmp_path, system({"alarms": {}}, observability={"alarm_emails": ["ops@example.com"], "dashboard": True})
    )
    obs = out["observability"]
    has_resource(obs, "AWS::SNS::Topic", {"Subscription": [{"Protocol": "email", "Endpoint": "ops@example.com"}]})
    body = json.dumps(has_resource(obs, "AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    assert "CPUUtilization" in body and "WebLoadBalancerFullName" in body
    assert out["root"]["Outputs"]["AlarmTopicArn"]


def test_no_alarms_no_observability_stack(tmp_path):
    assert "observability" not in build_config(tmp_path, system())


# -- uses: wiring ----------------------------------------------------------------------------------


def test_uses_wiring_is_applied(tmp_path, monkeypatch):
    from awacs import s3
    from awacs.aws import Allow, Statement
    from troposphere import ecs

    from templates_src.parts import wiring
    from templates_src.stacks import service as service_stack

    def fake_wire(cfg, name, ctx):
        return wiring.ServiceWiring(
            ingress=[wiring.Ingress("db", "sg-0123", 5432, "api to db")],
            execution_statements=[Statement(Effect=Allow, Action=[s3.GetObject], Resource=["arn:aws:s3:::exec/*"])],
            task_statements=[Statement(Effect=Allow, Action=[s3.PutObject], Resource=["arn:aws:s3:::task/*"])],
            environment={"DB_HOST": "db.internal"},
            secrets={"DB_PASSWORD": "arn:aws:secretsmanager:us-east-1:1:secret:db"},
            volumes=[ecs.Volume(Name="files")],
            mount_points=[ecs.MountPoint(SourceVolume="files", ContainerPath="/data", ReadOnly=False)],
        )

    monkeypatch.setattr(service_stack, "wire", fake_wire)
    t = build_service(tmp_path, {"containers": {"app": APP, "helper": {"image": "x/y", "essential": False}}})
    has_resource(
        t,
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": "sg-0123",
            "FromPort": 5432,
            "ToPort": 5432,
            "SourceSecurityGroupId": {"Fn::GetAtt": ["ApiSecurityGroup", "GroupId"]},
        },
    )
    assert {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::exec/*"]} in policy_statements(
        t, "ApiExecutionRole"
    )
    assert {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": ["arn:aws:s3:::task/*"]} in policy_statements(
        t, "ApiTaskRole"
    )
    app = container(t)
    assert {"Name": "DB_HOST", "Value": "db.internal"} in app["Environment"]
    assert {"Name": "DB_PASSWORD", "ValueFrom": "arn:aws:secretsmanager:us-east-1:1:secret:db"} in app["Secrets"]
    assert app["MountPoints"] == [{"SourceVolume": "files", "ContainerPath": "/data", "ReadOnly": False}]
    assert "Secrets" not in container(t, "helper") and "MountPoints" not in container(t, "helper")
    assert has_resource(t, "AWS::ECS::TaskDefinition")["Properties"]["Volumes"] == [{"Name": "files"}]


# -- what security scanners check (README "Security") -----------------------------------------


def test_ecr_repository_encrypted_with_kms_by_default(tmp_path):
    t = build_service(tmp_path, {"ecr": {}, "containers": {"app": {"tag": "1.0", "ports": [{"port": 8080}]}}})
    repo = has_resource(t, "AWS::ECR::Repository", {"EncryptionConfiguration": {"EncryptionType": "KMS"}})
    assert "Metadata" not in repo


def test_ecr_aes256_kept_for_an_existing_repository_carries_no_suppression(tmp_path):
    t = build_service(
        tmp_path, {"ecr": {"encryption": "aes256"}, "containers": {"app": {"tag": "1.0", "ports": [{"port": 8080}]}}}
    )
    has_resource(t, "AWS::ECR::Repository", {"EncryptionConfiguration": {"EncryptionType": "AES256"}})
    assert skips(t) == {}


def test_log_groups_encrypted_with_the_observability_key(tmp_path):
    t = build_service(tmp_path, {"sidecars": {"otel": {}}}, keys={"ops": {}}, observability={"key": "ops"})
    groups = resources(t, "AWS::Logs::LogGroup")
    assert sorted(groups) == ["ApiLogGroup", "ApiOtelMetricsLogGroup"]
    assert all(g["Properties"]["KmsKeyId"] == {"Ref": "OpsKeyArn"} and "Metadata" not in g for g in groups.values())


def test_service_log_key_wins_over_the_observability_key(tmp_path):
    out = build_config(tmp_path, system({"log_key": "app"}, keys={"ops": {}, "app": {}}, observability={"key": "ops"}))
    has_resource(out["service-api"], "AWS::Logs::LogGroup", {"KmsKeyId": {"Ref": "AppKeyArn"}})
    sids = [s["Sid"] for s in out["keys"]["Resources"]["AppKey"]["Properties"]["KeyPolicy"]["Statement"]]
    assert "CloudWatchLogs" in sids and "CloudWatchAlarms" not in sids  # the topic uses ops


def test_unencrypted_log_group_carries_no_suppression(tmp_path):
    t = build_service(tmp_path)
    assert "KmsKeyId" not in t["Resources"]["ApiLogGroup"]["Properties"]
    assert skips(t) == {}


def test_alarm_topic_encrypted_with_the_observability_key(tmp_path):
    out = build_config(tmp_path, system({"alarms": {}}, keys={"ops": {}}, observability={"key": "ops"}))
    topic = has_resource(out["observability"], "AWS::SNS::Topic", {"KmsMasterKeyId": {"Ref": "OpsKeyArn"}})
    assert topic["Metadata"] == {"stackc": {"alarm_topic": True}}  # what lint W9120 reads; no suppression
    plain = build_config(tmp_path / "plain", system({"alarms": {}}))["observability"]
    assert skips(plain) == {}


def test_exec_writes_only_to_the_cluster_exec_log_group(tmp_path):
    out = build_config(tmp_path, system({"exec": True}))
    statements = policy_statements(out["service-api"], "ApiTaskRole")
    streams = next(s for s in statements if "logs:PutLogEvents" in s["Action"])
    assert streams["Resource"] == [{"Ref": "ExecLogGroupArn"}]
    assert out["root"]["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]["ExecLogGroupArn"] == {
        "Fn::GetAtt": ["ClusterStack", "Outputs.ExecLogGroupArn"]
    }


def test_egress_is_open_by_default(tmp_path):
    sg = build_service(tmp_path)["Resources"]["ApiSecurityGroup"]["Properties"]
    assert "SecurityGroupEgress" not in sg  # EC2's allow-all: AWS APIs through NAT, external APIs


def test_egress_narrowed_to_https_used_stores_and_listed_rules(tmp_path):
    t = build_service(
        tmp_path,
        {
            "uses": ["db"],
            "egress": [
                {"port": 27017, "cidr": "0.0.0.0/0", "description": "MongoDB Atlas"},
                {"port": 7000, "to_port": 7010, "protocol": "udp", "cidr": "10.0.0.0/8"},
            ],
        },
        data={"db": {"kind": "aurora-postgres"}},
    )
    has_resource(
        t,
        "AWS::EC2::SecurityGroup",
        {
            "SecurityGroupEgress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
                {
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "DestinationSecurityGroupId": {"Ref": "DbSecurityGroupId"},
                },
                {
                    "IpProtocol": "tcp",
                    "FromPort": 27017,
                    "ToPort": 27017,
                    "CidrIp": "0.0.0.0/0",
                    "Description": "MongoDB Atlas",
                },
                {
                    "IpProtocol": "udp",
                    "FromPort": 7000,
                    "ToPort": 7010,
                    "CidrIp": "10.0.0.0/8",
                    "Description": "services.api.egress[1]",
                },
            ]
        },
    )
    assert len(t["Resources"]["ApiSecurityGroup"]["Properties"]["SecurityGroupEgress"]) == 4


# -- image digests -------------------------------------------------------------------------------------

DIGEST = "sha256:" + "0123456789abcdef" * 4


def test_a_digest_pins_the_image_by_content(tmp_path):
    """`tag: sha256:...` -> `<repository>@sha256:...`; the parameter then only takes another digest."""
    out = build_config(tmp_path, system({"containers": {"app": {**APP, "tag": DIGEST}}}))
    param = out["root"]["Parameters"]["ApiAppImageTag"]
    assert param["Default"] == DIGEST
    assert param["AllowedPattern"] == "^sha256:[a-f0-9]{64}$"
    assert container(out["service-api"])["Image"] == {"Fn::Join": ["@", ["example/app", {"Ref": "ApiAppImageTag"}]]}
    tagged = build_service(tmp_path / "tagged")
    assert container(tagged)["Image"] == {"Fn::Join": [":", ["example/app", {"Ref": "ApiAppImageTag"}]]}


def test_sidecars_take_digests_too(tmp_path):
    t = build_service(tmp_path, {"sidecars": {"xray": {"tag": DIGEST}}})
    assert container(t, "xray")["Image"] == f"public.ecr.aws/xray/aws-xray-daemon@{DIGEST}"


@pytest.mark.parametrize("tag", ["sha256:abc", "sha256:" + "G" * 64, "sha512:" + "0" * 128, "@sha256:" + "0" * 64])
def test_a_malformed_digest_is_refused(tmp_path, monkeypatch, tag):
    from .helpers import assert_refused

    bad = system({"containers": {"app": {**APP, "tag": tag}}})
    assert_refused(tmp_path, monkeypatch, bad, {}, ["services.api.containers.app.tag", "sha256"])
