"""Broken service, secret and load balancer params through the real CLI: exit 2, file and field path,
what was expected, no traceback."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

import cli


def svc(**over) -> dict:
    return {"containers": {"app": {"image": "x/app", "ports": [{"port": 8080}]}}, **over}


def alb(*rules, service="api") -> dict:
    listener = {"port": 80, "protocol": "HTTP", "service": service}
    if rules:
        listener["rules"] = list(rules)
    return {"listeners": [listener]}


def env_svc(value: str) -> dict:
    """Service `api`-shaped: container `app` on 8080 with X set to `value`."""
    return {"containers": {"app": {"image": "x/app", "ports": [{"port": 8080}], "environment": {"X": value}}}}


CASES = [
    ("fargate-cpu", {"services": {"api": svc(cpu=300)}}, ["services.api.cpu:", "Fargate CPU size", "got 300"]),
    (
        "fargate-memory",
        {"services": {"api": svc(cpu=256, memory=4096)}},
        ["services.api.memory:", "with cpu 256", "512, 1024, 2048", "got 4096"],
    ),
    (
        "fargate-16vcpu-memory",
        {"services": {"api": svc(cpu=16384, memory=16384)}},
        ["services.api.memory:", "with cpu 16384", "32768-122880"],
    ),
    (
        "rule-unknown-service",
        {
            "services": {"api": svc()},
            "load_balancers": {"web": alb({"priority": 1, "service": "apii", "paths": ["/x"]})},
        },
        ["load_balancers.web.listeners[0].rules[0].service:", "expected a service under services: (api)", "'apii'"],
    ),
    (
        "listener-unknown-service",
        {"services": {"api": svc()}, "load_balancers": {"web": alb(service="nope")}},
        ["load_balancers.web.listeners[0].service:", "expected a service", "'nope'"],
    ),
    (
        "sidecar-depends-on-unknown",
        {"services": {"api": svc(sidecars={"xray": {"depends_on": [{"container": "ap"}]}})}},
        [
            "services.api.sidecars.xray.depends_on[0].container:",
            "expected a container of this service: one of app, xray",
            "'ap'",
        ],
    ),
    (
        "depends-on-missing-sidecar",
        {
            "services": {
                "api": {
                    "containers": {
                        "app": {"image": "x/app", "depends_on": [{"container": "otel", "condition": "START"}]}
                    }
                }
            }
        },
        ["services.api.containers.app.depends_on[0].container:", "one of app", "'otel'"],
    ),
    (
        "bad-depends-condition",
        {
            "services": {
                "api": {
                    "containers": {
                        "app": {"image": "x/app", "depends_on": [{"container": "app", "condition": "READY"}]}
                    }
                }
            }
        },
        ["services.api.containers.app.depends_on[0].condition:", "expected one of", "HEALTHY"],
    ),
    (
        "unknown-secret",
        {"services": {"api": {"containers": {"app": {"image": "x/a", "secrets": {"X": {"secret": "nope"}}}}}}},
        ["services.api.containers.app.secrets.X.secret:", "expected a secret under secrets:", "'nope'"],
    ),
    (
        "secret-and-ssm",
        {
            "secrets": {"s": {}},
            "services": {
                "api": {"containers": {"app": {"image": "x/a", "secrets": {"X": {"secret": "s", "ssm": "/a"}}}}}
            },
        },
        ["services.api.containers.app.secrets.X:", "exactly one of 'secret'"],
    ),
    (
        "json-secret-without-key",
        {"secrets": {"db": {"generate": {"template": {"u": "a"}}}}},
        ["secrets.db.generate.key:", "needs both 'template'"],
    ),
    (
        "no-image-no-ecr",
        {"services": {"api": {"containers": {"app": {}}}}},
        ["services.api.containers.app.image:", "no 'ecr:' repository"],
    ),
    (
        "unknown-log-key",
        {"keys": {"ops": {}}, "services": {"api": svc(log_key="opps")}},
        ["services.api.log_key:", "expected a key under keys: (ops)", "'opps'"],
    ),
    (
        "log-key-and-arn",
        {
            "keys": {"ops": {}},
            "services": {"api": svc(log_key="ops", log_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/abcd")},
        },
        ["services.api.log_key:", "keep one"],
    ),
    (
        "egress-port-range",
        {"services": {"api": svc(egress=[{"port": 90, "to_port": 80, "cidr": "10.0.0.0/8"}])}},
        ["services.api.egress[0].to_port:", "must not be below port (90)"],
    ),
    ("egress-word", {"services": {"api": svc(egress="none")}}, ["services.api.egress:", "'all'"]),
    (
        "ecr-encryption",
        {"services": {"api": svc(ecr={"encryption": "KMS"})}},
        ["services.api.ecr.encryption:", "'kms'"],
    ),
    (
        "wildcard-action",
        {"services": {"api": svc(iam={"task": [{"actions": ["s3:*"], "resources": ["*"]}]})}},
        ["services.api.iam.task[0].actions[0]:", "without wildcards", "'s3:*'"],
    ),
    (
        "https-without-certificate",
        {
            "services": {"api": svc()},
            "load_balancers": {"web": {"listeners": [{"port": 443, "protocol": "HTTPS", "service": "api"}]}},
        },
        ["load_balancers.web.listeners[0].protocol:", "needs a 'certificate'"],
    ),
    (
        "certificate-arn-and-domain",
        {
            "services": {"api": svc()},
            "load_balancers": {
                "web": {
                    "certificate": {
                        "arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                        "domain": "a.example.com",
                    },
                    "listeners": [{"port": 443, "protocol": "HTTPS", "service": "api"}],
                }
            },
        },
        ["load_balancers.web.certificate:", "exactly one of 'arn'"],
    ),
    (
        "old-tls-policy",
        {"load_balancers": {"web": {"ssl_policy": "ELBSecurityPolicy-2016-08", "listeners": [{"port": 80}]}}},
        ["load_balancers.web.ssl_policy:", "expected one of", "TLS13"],
    ),
    (
        "nlb-http-listener",
        {
            "services": {"api": svc()},
            "load_balancers": {
                "n": {"type": "network", "listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]}
            },
        },
        ["load_balancers.n.listeners[0].protocol:", "network load balancer listens on TCP"],
    ),
    (
        "duplicate-priority",
        {
            "services": {"api": svc()},
            "load_balancers": {
                "web": alb(
                    {"priority": 5, "service": "api", "paths": ["/a"]},
                    {"priority": 5, "service": "api", "paths": ["/b"]},
                )
            },
        },
        ["load_balancers.web.listeners[0].rules[1].priority:", "same priority"],
    ),
    (
        "service-on-two-lbs",
        {"services": {"api": svc()}, "load_balancers": {"a": alb(), "b": alb()}},
        ["load_balancers.b.listeners[0].service:", "already behind load balancer 'a'"],
    ),
    (
        "scaling-min-above-max",
        {"services": {"api": svc(desired_count=3, scaling={"min": 5, "max": 2, "cpu": 50})}},
        ["services.api.scaling.min:", "must not exceed max"],
    ),
    (
        "requests-scaling-without-lb",
        {"services": {"api": svc(scaling={"requests_per_target": 100})}},
        ["services.api.scaling.requests_per_target:", "needs a load balancer"],
    ),
    (
        "unknown-service-key",
        {"services": {"api": svc(desired=2)}},
        ["services.api.desired:", "unknown key 'desired'", "desired_count"],
    ),
    ("bad-service-name", {"services": {"Api": svc()}}, ["services.Api", "lowercase name"]),
    (
        "target-unknown-container",
        {"services": {"api": svc(target={"container": "ap"})}},
        ["services.api.target.container:", "expected an app container: one of app", "'ap'"],
    ),
    (
        "running-alarm-without-insights",
        {"cluster": {"container_insights": "disabled"}, "services": {"api": svc(alarms={})}},
        ["services.api.alarms.running_below_desired:", "Container Insights"],
    ),
    # secrets.<name>.name / secret_prefix: what Secrets Manager accepts, one physical name per secret
    (
        "secret-name-characters",
        {"secrets": {"s": {"name": "app/my secret"}}},
        ["secrets.s.name:", "ASCII letters, digits and /_+=.@-", "'app/my secret'"],
    ),
    ("secret-name-too-long", {"secrets": {"s": {"name": "a" * 513}}}, ["secrets.s.name:", "at most 512 characters"]),
    (
        "secret-name-random-suffix",
        {"secrets": {"s": {"name": "app/db-passwd"}}},
        ["secrets.s.name:", "must not end with '-' and six characters", "'app/db-passwd'"],
    ),
    (
        "secret-prefix-characters",
        {"secret_prefix": "app:", "secrets": {"s": {}}},
        ["secret_prefix:", "ASCII letters, digits and /_+=.@-", "'app:'"],
    ),
    (
        "secret-prefix-makes-random-suffix",
        {"secret_prefix": "app-", "secrets": {"abcdef": {}}},
        ["secrets.abcdef:", "six characters", "secret_prefix + name = 'app-abcdef'"],
    ),
    (
        "secret-names-collide",
        {"secret_prefix": "app/", "secrets": {"a": {}, "b": {"name": "app/a"}}},
        ["secrets.b.name:", "secret 'a' already has the physical name 'app/a'"],
    ),
    # services.<name>.url_output: an output name, only behind a load balancer, unique across the system
    (
        "url-output-characters",
        {"services": {"api": svc(url_output="api-url")}, "load_balancers": {"web": alb()}},
        ["services.api.url_output:", "CloudFormation output name", "'api-url'"],
    ),
    (
        "url-output-without-lb",
        {"services": {"api": svc(url_output="ApiUrl")}},
        ["services.api.url_output:", "behind no load balancer"],
    ),
    (
        "url-output-two-services",
        {
            "services": {"api": svc(url_output="Url"), "ui": svc(url_output="Url")},
            "load_balancers": {"a": alb(), "u": alb(service="ui")},
        },
        ["services.ui.url_output:", "service 'api' already outputs its URL as 'Url'", "unique across the system"],
    ),
    (
        "url-output-takes-a-default",
        {
            "services": {"api": svc(url_output="UiServiceUrl"), "ui": svc()},
            "load_balancers": {"a": alb(), "u": alb(service="ui")},
        },
        ["services.api.url_output:", "service 'ui' already outputs its URL as 'UiServiceUrl'"],
    ),
    # ... and the compiler's own output names, found by the stack graph and reported at the same path
    (
        "url-output-takes-a-compiler-output",
        {"services": {"api": svc(url_output="ClusterName")}, "load_balancers": {"web": alb()}},
        ["services.api.url_output:", "'ClusterName' is also the name of an output of stack 'cluster'"],
    ),
    (
        "url-output-takes-an-export",
        {"services": {"api": svc(url_output="WebLoadBalancerDnsName")}, "load_balancers": {"web": alb()}},
        ["services.api.url_output:", "'WebLoadBalancerDnsName' is also the name of an output of stack 'loadbalancing'"],
    ),
    (
        "url-output-takes-own-stack-output",
        {"services": {"api": svc(url_output="ApiServiceName")}, "load_balancers": {"web": alb()}},
        ["services.api.url_output:", "another output of stack 'service-api'"],
    ),
    # ${...} references in container environment values
    (
        "env-reference-unknown-kind",
        {"services": {"api": env_svc("${data.db.host}")}, "load_balancers": {"web": alb()}},
        [
            "services.api.containers.app.environment.X:",
            "no kind 'data'",
            "known references: ${services.api.url}, ${services.api.base_url}, ${load_balancers.web.dns_name}",
        ],
    ),
    (
        "env-reference-unknown-attribute",
        {"services": {"api": env_svc("${services.api.arn}")}, "load_balancers": {"web": alb()}},
        ["services.api.containers.app.environment.X:", "services offer url, base_url, not 'arn'", "known references:"],
    ),
    (
        "env-reference-unknown-service",
        {"services": {"api": env_svc("${services.uii.url}")}, "load_balancers": {"web": alb()}},
        ["services.api.containers.app.environment.X:", "there is no services.uii", "${services.api.url}"],
    ),
    (
        "env-reference-unknown-lb",
        {"services": {"api": env_svc("http://${load_balancers.api.dns_name}")}, "load_balancers": {"web": alb()}},
        [
            "services.api.containers.app.environment.X:",
            "there is no load_balancers.api",
            "${load_balancers.web.dns_name}",
        ],
    ),
    (
        "env-reference-service-without-lb",
        {"services": {"api": env_svc("${services.worker.url}"), "worker": svc()}, "load_balancers": {"web": alb()}},
        ["services.api.containers.app.environment.X:", "service 'worker' is behind no load balancer"],
    ),
    (
        "env-reference-none-offered",
        {"services": {"api": env_svc("${services.api.url}")}},
        [
            "services.api.containers.app.environment.X:",
            "known references: none in this system",
            "${services.<name>.url}, ${services.<name>.base_url}, ${load_balancers.<name>.dns_name}",
        ],
    ),
    (
        "env-reference-unclosed",
        {"services": {"api": env_svc("${services.api.url")}, "load_balancers": {"web": alb()}},
        ["services.api.containers.app.environment.X:", "is not closed", "write '$${' for a literal '${'"],
    ),
    # ALB rule quotas: 3 values per condition, 5 values and 5 wildcards per rule (deploy failures before)
    (
        "rule-too-many-paths",
        {
            "services": {"api": svc()},
            "load_balancers": {"web": alb({"priority": 1, "service": "api", "paths": ["/a", "/b", "/c", "/d"]})},
        },
        ["load_balancers.web.listeners[0].rules[0].paths:", "expected at most 3 items"],
    ),
    (
        "rule-too-many-values",
        {
            "services": {"api": svc()},
            "load_balancers": {
                "web": alb(
                    {
                        "priority": 1,
                        "service": "api",
                        "paths": ["/a", "/b", "/c"],
                        "hosts": ["a.example.com", "b.example.com", "c.example.com"],
                    }
                )
            },
        },
        ["load_balancers.web.listeners[0].rules[0]:", "at most 5 paths and hosts together"],
    ),
    (
        "rule-too-many-wildcards",
        {
            "services": {"api": svc()},
            "load_balancers": {"web": alb({"priority": 1, "service": "api", "paths": ["/a/*/*/*", "/b/*/*/*"]})},
        },
        ["load_balancers.web.listeners[0].rules[0]:", "at most 5 wildcards", "these have 6"],
    ),
    (
        "rule-path-characters",
        {
            "services": {"api": svc()},
            "load_balancers": {"web": alb({"priority": 1, "service": "api", "paths": ["/a b"]})},
        },
        ["load_balancers.web.listeners[0].rules[0].paths[0]:", "an ALB path pattern", "'/a b'"],
    ),
    # names that differ only in '-' make one logical ID (a build crash before)
    (
        "service-ids-collide",
        {"services": {"api-2": svc(), "api2": svc()}},
        ["services.api2:", "becomes Api2 in logical IDs, as 'api-2' does", "(got 'api2')"],
    ),
    (
        "container-ids-collide",
        {"services": {"api": {"containers": {"web-1": {"image": "x/a"}, "web1": {"image": "x/b"}}}}},
        ["services.api.containers.web1:", "becomes Web1 in logical IDs"],
    ),
    (
        "load-balancer-ids-collide",
        {"services": {"api": svc(), "ui": svc()}, "load_balancers": {"pub-1": alb(), "pub1": alb(service="ui")}},
        ["load_balancers.pub1:", "becomes Pub1 in logical IDs"],
    ),
    (
        "secret-ids-collide",
        {"secrets": {"token": {}, "token-": {}, "to--ken": {}, "to-ken": {}}},
        ["secrets.token-:", "becomes Token in logical IDs, as 'token' does", "secrets.to-ken:", "as 'to--ken' does"],
    ),
    (
        "env-reference-malformed",
        {"services": {"api": env_svc("${services.api}")}, "load_balancers": {"web": alb()}},
        ["services.api.containers.app.environment.X:", "'${services.api}' is not a reference"],
    ),
]


@pytest.mark.parametrize("case_id, base, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_service_params_exit_2(tmp_path, monkeypatch, case_id, base, expected):
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    (folder / "dev.yaml").write_text("")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = CliRunner().invoke(cli.cli, ["build", "--system", "s", "--env", "dev"])
    out = result.output
    assert result.exit_code == 2, out
    assert "Traceback" not in out and "internal error" not in out, out
    assert "params/s/_base.yaml" in out, out
    for fragment in expected:
        assert fragment in out, f"{fragment!r} not in:\n{out}"


def test_a_clash_set_in_the_env_file_names_the_env_file(tmp_path, monkeypatch):
    """The stack graph finds the clash after loading; the message still names the file that set it."""
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text(yaml.safe_dump({"services": {"api": svc()}, "load_balancers": {"web": alb()}}))
    (folder / "dev.yaml").write_text("services:\n  api:\n    url_output: VpcId\n")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    result = CliRunner().invoke(cli.cli, ["build", "--system", "s", "--env", "dev"])
    assert result.exit_code == 2, result.output
    assert (
        "params/s/dev.yaml:3: services.api.url_output: 'VpcId' is also the name of an output of stack 'network'"
        in result.output
    ), result.output
