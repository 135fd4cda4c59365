"""A zoo of diverse, valid systems: each builds, all of them lint clean (one cfn-lint batch), and two
compiles are byte-identical. The shapes are the ones other params files are likely to take, beyond
the systems under params/: no load balancer, internal and network load balancers, several of each,
host routing, multi-container tasks, every data store, existing VPCs, KMS everywhere, NAT none,
2 and 3 AZs, and 40 services behind one load balancer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from templates_src import compiler
from templates_src.config.load import Target
from templates_src.limits import MAX_OUTPUTS, MAX_PARAMETERS, MAX_RESOURCES
from templates_src.lint import lint_paths
from templates_src.naming import dns_label_name, ecr_repository_name

from .helpers import build_digests_per_hash_seed, count, has_resource, resources, write_params

CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f3a1b2c-1111-2222-3333-444455556666"
VPC = "vpc-0123456789abcdef0"
PUBLIC = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
PRIVATE = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]
LONG = "a" * 38  # + two characters: the longest name params allow


def app(port: int | None = 8080, **over) -> dict:
    c = {"image": "public.ecr.aws/example/app", "tag": "1.0.0", **over}
    if port is not None:
        c["ports"] = [{"port": port}]
    return c


def svc(name: str = "app", port: int | None = 8080, **over) -> dict:
    return {"containers": {name: app(port)}, **over}


def http(service: str | None = None, port: int = 80, **over) -> dict:
    return {"port": port, "protocol": "HTTP", **({"service": service} if service else {}), **over}


ON_CALL = {"alarm_emails": ["oncall@example.com"]}  # alarms reach someone (lint W9120)


def many_services(n: int) -> dict:
    """`n` services behind one ALB: svc00 its default, a path rule for each other one."""
    return {
        "services": {
            f"svc{i:02d}": svc(
                port=8000 + i,
                desired_count=1,
                alarms={},
                scaling={"min": 1, "max": 3, "cpu": 70, "requests_per_target": 500},
            )
            for i in range(n)
        },
        "observability": ON_CALL,
        "load_balancers": {
            "web": {
                "listeners": [
                    http(
                        "svc00",
                        rules=[
                            {"priority": 100 + i, "service": f"svc{i:02d}", "paths": [f"/svc{i:02d}/*"]}
                            for i in range(1, n)
                        ],
                    )
                ]
            }
        },
    }


# Findings these systems keep on purpose: waived in params, as any system must (README "Waivers").
PUBLIC_TASKS = {
    "id": "E9003",
    "resource": "service-*/*Service",
    "reason": "No NAT here: tasks pull images over public IPs, and their security groups admit only the load balancer.",
}
TIMESTREAM = [
    {
        "id": "W3697",
        "resource": f"data/*{kind}",
        "reason": "Timestream for LiveAnalytics takes no new customers; an existing user keeps its database.",
    }
    for kind in ("Database", "Table")
]


ZOO: dict[str, dict] = {
    "worker-no-lb": {
        "network": {"azs": 2, "nat": "single"},
        "services": {
            "worker": {
                "containers": {"worker": app(None, command=["python", "-m", "worker"])},
                "desired_count": 1,
                "scaling": {"min": 1, "max": 5, "cpu": 60},
                "alarms": {},
            }
        },
        "observability": ON_CALL,
    },
    "internal-alb": {
        "services": {"api": svc(target={"health_check": {"path": "/health"}}, alarms={})},
        "observability": ON_CALL,
        "load_balancers": {
            "private": {"scheme": "internal", "allowed_cidrs": ["10.0.0.0/16"], "listeners": [http("api")]}
        },
    },
    "nlb-two-tcp": {
        "services": {"grpc": svc(port=5000), "ingest": svc(port=6000, scaling={"min": 1, "max": 3, "memory": 70})},
        "load_balancers": {
            "edge": {
                "type": "network",
                "listeners": [
                    {"port": 5000, "protocol": "TCP", "service": "grpc"},
                    {"port": 6000, "protocol": "TCP", "service": "ingest"},
                ],
            }
        },
    },
    "two-albs": {
        "services": {"web": svc(port=3000, alarms={}), "admin": svc(port=9000)},
        "observability": ON_CALL,
        "load_balancers": {
            "public": {"listeners": [http("web")]},
            "admin": {"scheme": "internal", "allowed_cidrs": ["10.0.0.0/8"], "listeners": [http("admin")]},
        },
    },
    "host-routing": {
        "services": {"shop": svc(), "blog": svc(port=2368), "docs": svc(port=3000)},
        "load_balancers": {
            "web": {
                "certificate": {
                    "domain": "example.com",
                    "alternative_names": ["*.example.com"],
                    "hosted_zone_name": "example.com",
                },
                "listeners": [
                    http(),
                    {
                        "port": 443,
                        "protocol": "HTTPS",
                        "rules": [
                            {"priority": 10, "service": "shop", "hosts": ["shop.example.com"]},
                            {"priority": 20, "service": "blog", "hosts": ["blog.example.com", "www.blog.example.com"]},
                            {"priority": 30, "service": "docs", "hosts": ["docs.example.com"]},
                        ],
                    },
                ],
            }
        },
    },
    "two-containers-sidecars": {
        "services": {
            "api": {
                "cpu": 1024,
                "memory": 2048,
                "containers": {
                    "api": app(
                        8080,
                        depends_on=[
                            {"container": "migrate", "condition": "SUCCESS"},
                            {"container": "cache", "condition": "HEALTHY"},
                            {"container": "otel", "condition": "START"},
                        ],
                        readonly_root_filesystem=True,
                        user="1001",
                    ),
                    "cache": {
                        "image": "public.ecr.aws/docker/library/redis",
                        "tag": "7",
                        "ports": [{"port": 6379}],
                        "health_check": {"command": ["CMD", "redis-cli", "ping"], "start_period": 10},
                        "memory": 256,
                    },
                    "migrate": {
                        "image": "public.ecr.aws/example/app",
                        "tag": "1.0.0",
                        "essential": False,
                        "command": ["migrate"],
                    },
                },
                "sidecars": {"otel": {}, "xray": {}},
                "target": {"container": "api", "port": 8080},
                "exec": True,
            }
        },
        "load_balancers": {"web": {"listeners": [http("api")]}},
    },
    "spot-only": {
        "cluster": {"capacity": [{"provider": "FARGATE_SPOT", "weight": 1}]},
        "services": {
            "batch": svc(port=None, desired_count=1),
            "web": svc(capacity=[{"provider": "FARGATE_SPOT", "weight": 1, "base": 1}]),
        },
        "load_balancers": {"web": {"listeners": [http("web")]}},
    },
    "existing-vpc-private": {
        "network": {
            "mode": "existing",
            "existing": {"vpc_id": VPC, "public_subnet_ids": PUBLIC, "private_subnet_ids": PRIVATE},
        },
        "data": {"db": {"kind": "rds-postgres"}},
        "services": {"api": svc(uses=["db"])},
        "load_balancers": {"web": {"listeners": [http("api")]}},
    },
    "existing-vpc-public-only": {
        "network": {"mode": "existing", "existing": {"vpc_id": VPC, "public_subnet_ids": PUBLIC}},
        "data": {"cache": {"kind": "valkey-serverless"}},
        "services": {"api": svc(public_ip=True, uses=["cache"])},
        "waivers": [PUBLIC_TASKS],
        "load_balancers": {"web": {"listeners": [http("api")]}},
    },
    "existing-vpc-asked": {  # no IDs at all: the console form asks for them
        "network": {"mode": "existing", "existing": {}},
        "data": {"bucket": {"kind": "s3"}},
        "services": {"api": svc(public_ip=True, uses=["bucket"])},
        "waivers": [PUBLIC_TASKS],
        "load_balancers": {"web": {"listeners": [http("api")]}},
    },
    "every-store": {
        "network": {"azs": 3},
        "data": {
            "aurora": {"kind": "aurora-postgres", "readers": 2, "instance_class": "db.r6g.large"},
            "serverless": {
                "kind": "aurora-postgres",
                "serverless_v2": {"min_acu": 0.5, "max_acu": 8},
                "credentials": "app",
            },
            "rds": {"kind": "rds-postgres", "multi_az": True, "max_allocated_storage": 100},
            "valkey": {"kind": "valkey-serverless", "max_data_storage_gb": 10, "max_ecpu_per_second": 5000},
            "redis": {"kind": "redis", "replicas": 2},
            "files": {
                "kind": "efs",
                "access_points": {
                    "uploads": {"path": "/uploads", "mount_path": "/mnt/uploads"},
                    "models": {"path": "/models", "mount_path": "/mnt/models", "read_only": True, "uid": 0, "gid": 0},
                },
            },
            "metrics": {"kind": "timestream", "tables": {"events": {}, "usage": {"memory_retention_hours": 48}}},
            "bucket": {"kind": "s3", "lifecycle": {"expire_days": 365, "transition_ia_days": 30}},
        },
        "services": {
            "api": svc(
                cpu=1024,
                memory=2048,
                uses=["aurora", "serverless", "rds", "valkey", "redis", "files", "metrics", "bucket"],
            )
        },
        "load_balancers": {"web": {"listeners": [http("api")]}},
        "waivers": TIMESTREAM,
    },
    "kms-everywhere": {
        "keys": {"main": {"logs": True, "alias": "alias/zoo-main"}, "side": {"rotation_days": None}},
        "secrets": {
            "token": {"key": "main"},
            "creds": {"key": "main", "generate": {"template": {"username": "app"}, "key": "password"}},
        },
        "data": {
            "db": {"kind": "aurora-postgres", "key": "main"},
            "cache": {"kind": "redis", "key": "main"},
            "kv": {"kind": "valkey-serverless", "key": "side"},
            "files": {
                "kind": "efs",
                "key": "main",
                "access_points": {"data": {"path": "/data", "mount_path": "/data"}},
            },
            "bucket": {"kind": "s3", "key": "main"},
            "series": {"kind": "timestream", "key": "side"},
        },
        "services": {
            "api": {
                "containers": {
                    "api": app(
                        8080,
                        secrets={
                            "TOKEN": {"secret": "token"},
                            "DB_PASSWORD_JSON": {"secret": "creds", "key": "password"},
                        },
                    )
                },
                "sidecars": {"otel": {}},
                "exec": True,
                "uses": ["db", "cache", "kv", "files", "bucket", "series", "main"],
            },
            "worker": {
                "containers": {"worker": app(None)},
                "log_key": "side",  # its own key for its log groups
                "alarms": {},
            },
        },
        "load_balancers": {"web": {"listeners": [http("api")]}},
        "network": {"flow_logs": {"enabled": True}},
        "observability": {"key": "main", "alarm_emails": ["oncall@example.com"]},  # every log group, the topic
        "waivers": [TIMESTREAM[0]],
    },
    "nat-none-public": {
        "network": {"nat": "none", "interface_endpoints": []},
        "services": {"site": svc(public_ip=True)},
        "waivers": [PUBLIC_TASKS],
        "load_balancers": {"web": {"listeners": [http("site")]}},
    },
    "two-azs": {
        "network": {
            "azs": 2,
            "nat": "per-az",
            "interface_endpoints": ["ecr.api", "ecr.dkr", "logs"],
            "flow_logs": {"enabled": True},
        },
        "data": {"db": {"kind": "rds-postgres"}},
        "services": {"api": svc(uses=["db"])},
        "load_balancers": {"web": {"listeners": [http("api")]}},
    },
    "three-azs": {
        "network": {
            "azs": 3,
            "nat": "per-az",
            "cidr": "10.8.0.0/20",
            "subnet_prefix": 24,
            "interface_endpoints": ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "kms"],
            "flow_logs": {"enabled": True, "traffic": "REJECT"},
        },
        "data": {"db": {"kind": "aurora-postgres", "readers": 1}},
        "services": {"api": svc(uses=["db"])},
        "load_balancers": {"web": {"listeners": [http("api")]}},
    },
    "forty-services": many_services(40),
    # Every option away from its default at once.
    "kitchen-sink": {
        "protect": True,
        "tags": {"owner": "x", "cost-center": "1234", "a:b": "c d"},
        "network": {
            "nat": "none",
            "interface_endpoints": ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "kms"],
            "flow_logs": {"enabled": True, "traffic": "ACCEPT", "retention_days": 7},
        },
        "cluster": {
            "container_insights": "enhanced",
            "exec_logging": {"enabled": False},
            "capacity": [{"provider": "FARGATE", "weight": 1, "base": 2}, {"provider": "FARGATE_SPOT", "weight": 4}],
        },
        "keys": {
            "k": {
                "admins": ["arn:aws:iam::123456789012:role/admin"],
                "users": ["arn:aws:iam::123456789012:role/user"],
                "rotation_days": None,
                "logs": True,
            }
        },
        "secrets": {
            "tok": {"generate": {"length": 64, "exclude_punctuation": False, "exclude_characters": '"@/\\'}},
            "plain": {"description": "x"},
        },
        "data": {
            "db": {
                "kind": "aurora-postgres",
                "credentials": "app",
                "performance_insights": True,
                "deletion_protection": True,
                "key": "k",
                "readers": 3,
                "backup_retention_days": 35,
                "monitoring_interval": 0,
                "iam_auth": False,
            },
            "r": {"kind": "redis", "replicas": 0, "engine_version": "6.2", "snapshot_retention_days": 0},
            "f": {
                "kind": "efs",
                "performance_mode": "maxIO",
                "throughput_mode": "bursting",
                "transition_to_ia_days": None,
                "backup": False,
                "access_points": {
                    "ro": {"path": "/", "mount_path": "/mnt/ro", "read_only": True, "permissions": "0700"}
                },
            },
            "b": {
                "kind": "s3",
                "access": "read",
                "versioning": False,
                "lifecycle": {"expire_days": None, "noncurrent_expire_days": None, "transition_ia_days": None},
            },
            "t": {"kind": "timestream", "access": "write"},
            "pg": {
                "kind": "rds-postgres",
                "multi_az": False,
                "allocated_storage": 100,
                "max_allocated_storage": 1000,
                "engine_version": "14.18",
                "instance_class": "db.m7g.large",
            },
        },
        "services": {
            "api": {
                "cpu": 1024,
                "memory": 2048,
                "containers": {
                    "api": app(
                        8080,
                        readonly_root_filesystem=True,
                        secrets={"T": {"secret": "tok"}, "P": {"ssm": "/x/y"}, "D": {"secret": "plain"}},
                        environment={
                            "UI": "${services.ui.url}",
                            "LB": "http://${load_balancers.pub.dns_name}/",
                            "LIT": "$${x}",
                        },
                    )
                },
                "ecr": {"keep_images": 5, "encryption": "aes256"},
                "exec": True,
                "circuit_breaker": False,
                "min_healthy_percent": 0,
                "max_percent": 100,
                "desired_count": 0,
                "scaling": {"min": 0, "max": 10, "requests_per_target": 100, "memory": 50, "cpu": 40},
                "alarms": {"cpu": None, "memory": None, "http_5xx": 1, "response_time": 0.5, "unhealthy_hosts": 3},
                "iam": {
                    "task": [{"actions": ["sqs:SendMessage"], "resources": ["arn:aws:sqs:us-east-1:123456789012:q"]}],
                    "execution": [
                        {
                            "actions": ["ssm:GetParameters"],
                            "resources": ["arn:aws:ssm:us-east-1:123456789012:parameter/x/y"],
                        }
                    ],
                },
                "sidecars": {"otel": {"config": "receivers: {}\n"}, "xray": {"cpu": 64}},
                "uses": ["db", "r", "f", "b", "t", "pg", "k"],
                "url_output": "ApiUrl",
                "public_ip": True,
                "target": {
                    "health_check": {
                        "path": "/h",
                        "matcher": "200,204",
                        "interval": 10,
                        "healthy_threshold": 5,
                        "unhealthy_threshold": 2,
                    },
                    "deregistration_delay": 0,
                    "stickiness": 86400,
                },
                "log_retention_days": 3653,
                "health_check_grace": 0,
            },
            "ui": {
                "containers": {"ui": app(3000, environment={"API": "${services.api.url}"})},
                "public_ip": True,
                "capacity": [{"provider": "FARGATE_SPOT", "base": 1}],
            },
            "tcp": {
                "containers": {"tcp": app(None, ports=[{"port": 7000}, {"port": 7001, "protocol": "udp"}])},
                "public_ip": True,
                "target": {"port": 7000},
            },
        },
        "load_balancers": {
            "pub": {
                "idle_timeout": 4000,
                "http2": False,
                "access_logs": {"bucket": "my-logs", "prefix": "alb"},
                "ssl_policy": "ELBSecurityPolicy-TLS13-1-3-2021-06",
                "certificate": {"arn": CERT_ARN},
                "listeners": [
                    http(),
                    {
                        "port": 443,
                        "protocol": "HTTPS",
                        "service": "api",
                        "rules": [
                            {"priority": 1, "service": "ui", "paths": ["/ui/*", "/ui"], "hosts": ["ui.example.com"]}
                        ],
                    },
                    {
                        "port": 8443,
                        "protocol": "HTTPS",
                        "rules": [{"priority": 5, "service": "ui", "hosts": ["*.example.org"]}],
                    },
                ],
            },
            "nlb": {
                "type": "network",
                "scheme": "internal",
                "allowed_cidrs": ["10.0.0.0/8", "192.168.0.0/16"],
                "listeners": [{"port": 7000, "protocol": "TCP", "service": "tcp"}],
            },
        },
        "observability": {"alarm_emails": ["a@b.co", "c@d.io"], "dashboard": True, "key": "k"},
        "waivers": [PUBLIC_TASKS, TIMESTREAM[0]],
    },
    "failover-two-regions": {
        "regions": ["us-east-1", "us-west-2"],
        "failover": {
            "domain": "api.example.com",
            "hosted_zone_name": "example.com",
            "primary": "us-east-1",
            "secondary": "pilot-light",
            "record_types": ["A", "AAAA"],
        },
        "region_overrides": {
            "us-west-2": {"network": {"azs": 3, "cidr": "10.1.0.0/16"}, "services": {"api": {"desired_count": 3}}}
        },
        "services": {"api": svc(desired_count=2, scaling={"min": 2, "max": 6, "cpu": 50})},
        "load_balancers": {
            "web": {
                "certificate": {"domain": "api.example.com", "hosted_zone_id": "Z123ABC"},
                "listeners": [http(), {"port": 443, "protocol": "HTTPS", "service": "api"}],
            }
        },
    },
    # Names at the edges of what params allow: a system folder that is no DNS label, names ending in '-' or
    # with '--', 40 characters long; physical names derived from them must still be valid and distinct.
    "Edge_Names.1": {
        "services": {
            "api-": {"containers": {"web--x": {"tag": "1"}}, "ecr": {}},
            LONG + "-s": {"containers": {"app": app()}, "ecr": {}},
        },
        "data": {
            "cache-": {"kind": "valkey-serverless"},
            "cach--e": {"kind": "redis"},
            LONG + "c1": {"kind": "valkey-serverless"},
            LONG + "c2": {"kind": "valkey-serverless"},
            LONG + "fs": {"kind": "efs", "access_points": {LONG: {"path": "/x", "mount_path": "/x"}}},
            LONG + "ts": {"kind": "timestream", "tables": {LONG: {}}},
        },
        "keys": {"k-": {}},
        "secrets": {"s-": {}, LONG + "se": {}},
        "load_balancers": {LONG + "lb": {"listeners": [http(LONG + "-s")]}},
        "waivers": TIMESTREAM,
    },
}


@pytest.fixture(scope="module")
def zoo(tmp_path_factory) -> dict[str, tuple[compiler.Compiled, Path]]:
    """Every zoo system compiled and written once: {name: (compiled, output folder)}."""
    params = tmp_path_factory.mktemp("zoo") / "params"
    out: dict[str, tuple[compiler.Compiled, Path]] = {}
    for name, config in ZOO.items():
        write_params(params, name, config)
        compiled = compiler.compile_target(Target(name, "dev", params))
        folder = params.parent / "build" / name / "dev"
        compiler.write(compiled, folder)
        out[name] = (compiled, folder)
    return out


def templates(compiled: compiler.Compiled) -> dict[str, dict]:
    return {name: json.loads(text) for name, text in compiled.templates.items()}


def test_the_zoo_lints_clean(zoo):
    paths = [folder / f"{name}.json" for compiled, folder in zoo.values() for name in compiled.templates]
    findings = lint_paths(paths)
    assert not findings, "\n".join(f"{f.template}: {f.rule} {f.path}: {f.message}" for f in findings)


@pytest.mark.parametrize("name", sorted(ZOO))
def test_two_compiles_are_byte_identical(tmp_path, name):
    write_params(tmp_path, name, ZOO[name])
    target = Target(name, "dev", tmp_path)
    assert compiler.compile_target(target).files == compiler.compile_target(target).files


def test_byte_identical_across_processes(tmp_path):
    """Hash seeds differ between processes: no set or dict order of the zoo may leak into the output."""
    for name, config in ZOO.items():
        write_params(tmp_path / "params", name, config)
    assert len(build_digests_per_hash_seed(tmp_path, tmp_path / "params")) == 1


# -- what each shape builds -------------------------------------------------------------------------


def test_worker_has_no_load_balancer_wiring(zoo):
    t = templates(zoo["worker-no-lb"][0])
    assert "loadbalancing" not in t
    service = has_resource(t["service-worker"], "AWS::ECS::Service")
    assert "LoadBalancers" not in service["Properties"]
    assert count(t["service-worker"], "AWS::ElasticLoadBalancingV2::TargetGroup") == 0


def test_internal_alb_sits_in_private_subnets(zoo):
    t = templates(zoo["internal-alb"][0])
    lb = has_resource(t["loadbalancing"], "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internal"})
    assert "Private" in json.dumps(lb["Properties"]["Subnets"])


def test_nlb_listeners_forward_to_their_services(zoo):
    t = templates(zoo["nlb-two-tcp"][0])
    for svc_name, port in (("grpc", 5000), ("ingest", 6000)):
        has_resource(
            t[f"service-{svc_name}"],
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            {"Protocol": "TCP", "Port": port, "TargetType": "ip"},
        )
        has_resource(
            t[f"service-{svc_name}"], "AWS::ElasticLoadBalancingV2::Listener", {"Protocol": "TCP", "Port": port}
        )


def test_two_albs(zoo):
    t = templates(zoo["two-albs"][0])
    assert count(t["loadbalancing"], "AWS::ElasticLoadBalancingV2::LoadBalancer") == 2


def test_host_routing_rules(zoo):
    t = templates(zoo["host-routing"][0])
    rule = has_resource(t["service-blog"], "AWS::ElasticLoadBalancingV2::ListenerRule", {"Priority": 20})
    hosts = [c for c in rule["Properties"]["Conditions"] if c["Field"] == "host-header"]
    assert hosts and hosts[0]["HostHeaderConfig"]["Values"] == ["blog.example.com", "www.blog.example.com"]


def test_two_app_containers_and_both_sidecars(zoo):
    t = templates(zoo["two-containers-sidecars"][0])["service-api"]
    task = has_resource(t, "AWS::ECS::TaskDefinition")
    defs = {c["Name"]: c for c in task["Properties"]["ContainerDefinitions"]}
    assert set(defs) == {"api", "cache", "migrate", "otel", "xray"}
    assert {"ContainerName": "cache", "Condition": "HEALTHY"} in defs["api"]["DependsOn"]
    assert defs["cache"]["HealthCheck"]["Command"] == ["CMD", "redis-cli", "ping"]


def test_spot_only_capacity(zoo):
    t = templates(zoo["spot-only"][0])
    cluster = has_resource(t["cluster"], "AWS::ECS::ClusterCapacityProviderAssociations")
    assert cluster["Properties"]["DefaultCapacityProviderStrategy"] == [
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 1, "Base": 0}
    ] or [s["CapacityProvider"] for s in cluster["Properties"]["DefaultCapacityProviderStrategy"]] == ["FARGATE_SPOT"]


@pytest.mark.parametrize("name", ["existing-vpc-private", "existing-vpc-public-only", "existing-vpc-asked"])
def test_existing_vpc_creates_no_network(zoo, name):
    t = templates(zoo[name][0])
    assert not any(
        r["Type"].startswith("AWS::EC2::VPC") or r["Type"] == "AWS::EC2::Subnet"
        for tmpl in t.values()
        for r in tmpl.get("Resources", {}).values()
    )
    assert t["root"]["Parameters"]["VpcId"]["Type"] == "AWS::EC2::VPC::Id"


def test_every_store_kind_is_built_and_wired(zoo):
    t = templates(zoo["every-store"][0])
    data = t["data"]
    for rtype in (
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::ElastiCache::ServerlessCache",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::EFS::FileSystem",
        "AWS::EFS::AccessPoint",
        "AWS::Timestream::Database",
        "AWS::Timestream::Table",
        "AWS::S3::Bucket",
    ):
        assert count(data, rtype) >= 1, rtype
    assert count(data, "AWS::EFS::AccessPoint") == 2 and count(data, "AWS::Timestream::Table") == 2
    instances = resources(data, "AWS::RDS::DBInstance")
    assert len(instances) == 1 + 2 + 1 + 1  # aurora writer + 2 readers, serverless writer, rds
    has_resource(data, "AWS::RDS::DBInstance", {"MultiAZ": True})
    ingress = resources(t["service-api"], "AWS::EC2::SecurityGroupIngress") | resources(
        data, "AWS::EC2::SecurityGroupIngress"
    )
    assert len(ingress) >= 6


def test_kms_key_encrypts_secrets_stores_and_logs(zoo):
    t = templates(zoo["kms-everywhere"][0])
    text = {name: json.dumps(tmpl) for name, tmpl in t.items()}
    assert "MainKeyArn" in text["secrets"] and "MainKeyArn" in text["data"]
    groups = {(name, lid): g for name, tmpl in t.items() for lid, g in resources(tmpl, "AWS::Logs::LogGroup").items()}
    assert {name for name, _ in groups} >= {"network", "cluster", "service-api", "service-worker"}
    for (name, lid), group in groups.items():
        key = json.dumps(group["Properties"].get("KmsKeyId"))
        assert ("SideKeyArn" if name == "service-worker" else "MainKeyArn") in key, (name, lid, key)


def test_nat_none(zoo):
    t = templates(zoo["nat-none-public"][0])
    assert count(t["network"], "AWS::EC2::NatGateway") == 0
    svc_props = has_resource(t["service-site"], "AWS::ECS::Service")["Properties"]
    assert svc_props["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"


@pytest.mark.parametrize("name, azs", [("two-azs", 2), ("three-azs", 3)])
def test_azs(zoo, name, azs):
    t = templates(zoo[name][0])
    assert count(t["network"], "AWS::EC2::Subnet") == 3 * azs
    assert count(t["network"], "AWS::EC2::NatGateway") == azs


def test_forty_services_respect_the_budgets(zoo):
    compiled, _folder = zoo["forty-services"]
    manifest = json.loads(compiled.files["manifest.json"])
    assert sum(1 for s in manifest["stacks"] if s.startswith("service-")) == 40
    for name, stats in manifest["templates"].items():
        assert stats["resources"] <= MAX_RESOURCES and stats["parameters"] <= MAX_PARAMETERS, name
        assert stats["outputs"] <= MAX_OUTPUTS, name
    root = manifest["templates"]["root"]
    assert root["resources"] == len(manifest["stacks"])
    assert len(manifest["tunables"]["root"]) == root["parameters"] <= MAX_PARAMETERS
    assert len(manifest["outputs"]["root"]) == root["outputs"] <= MAX_OUTPUTS
    # every tunable lives somewhere: the root form, or its child's own default past the budget
    children = sum(len(v) for v in manifest["tunables"]["child_defaults"].values())
    # image tag, min and max per service (with auto scaling DesiredCount stays out of the template)
    assert len(manifest["tunables"]["root"]) + children >= 40 * 3


# What ECR and ElastiCache accept as names.
ECR_NAME = re.compile(r"^(?=.{2,256}$)[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$")
CACHE_NAME = re.compile(r"^(?=.{1,40}$)(?!.*--)[a-z]([a-z0-9-]*[a-z0-9])?$")


def test_edge_names_make_valid_and_distinct_physical_names(zoo):
    t = templates(zoo["Edge_Names.1"][0])
    repos = [
        r["Properties"]["RepositoryName"]
        for tmpl in t.values()
        for r in resources(tmpl, "AWS::ECR::Repository").values()
    ]
    caches = [
        r["Properties"]["ServerlessCacheName"]
        for r in resources(t["data"], "AWS::ElastiCache::ServerlessCache").values()
    ]
    assert len(repos) == 2 and all(ECR_NAME.match(n) for n in repos), repos
    assert len(set(caches)) == 3 and all(CACHE_NAME.match(n) for n in caches), caches


words = st.text(alphabet="abcz09-_. A", max_size=70)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(words, min_size=1, max_size=3))
def test_physical_names_are_valid_and_keep_valid_names(parts):
    ecr = ecr_repository_name(*parts)
    cache = dns_label_name(*parts, max_length=40)
    assert ECR_NAME.match(ecr), ecr
    assert CACHE_NAME.match(cache), cache
    assert ecr_repository_name(ecr) == ecr and dns_label_name(cache, max_length=40) == cache  # valid: kept
    joined = "-".join(parts)
    if ECR_NAME.match(joined):
        assert ecr == joined
    if CACHE_NAME.match(joined):
        assert cache == joined


def test_adding_a_service_moves_nothing(zoo, tmp_path):
    """Service 41 gets its own stack; the 40 others' templates do not change by a byte."""
    before = zoo["forty-services"][0].files
    write_params(tmp_path, "forty-services", many_services(41))
    after = compiler.compile_target(Target("forty-services", "dev", tmp_path)).files
    for i in range(40):
        assert after[f"service-svc{i:02d}.json"] == before[f"service-svc{i:02d}.json"], i
    assert "service-svc40.json" in after
