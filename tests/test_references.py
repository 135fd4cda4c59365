"""`${...}` references in container environment values: each becomes `ctx.ref` plumbing written by the
graph (a child Parameter and the root's GetAtt), never a hand-written value."""

from __future__ import annotations

import pytest

from templates_src.config.references import Reference, parse

from .helpers import build_config, has_resource

GETATT_DNS = {"Fn::GetAtt": ["LoadbalancingStack", "Outputs.UiLoadBalancerDnsName"]}


def app(port: int, env: dict | None = None) -> dict:
    return {"containers": {"app": {"image": "x/app", "ports": [{"port": port}], "environment": env or {}}}}


def two_albs(api_env: dict | None = None, ui_env: dict | None = None, **top) -> dict:
    """vmx-ai's shape: services api and ui, each behind its own ALB (named like the service)."""
    return {
        "services": {"api": app(3000, api_env), "ui": app(3001, ui_env)},
        "load_balancers": {
            "api": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "api"}]},
            "ui": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "ui"}]},
        },
        **top,
    }


def env_of(template: dict) -> dict:
    td = has_resource(template, "AWS::ECS::TaskDefinition")
    return {e["Name"]: e["Value"] for e in td["Properties"]["ContainerDefinitions"][0].get("Environment", [])}


def test_own_service_url(tmp_path):
    out = build_config(tmp_path, two_albs({"BASE_URL": "${services.api.url}"}))
    api = out["service-api"]
    assert env_of(api)["BASE_URL"] == {"Fn::Sub": "http://${ApiLoadBalancerDnsName}/"}
    assert env_of(api)["BASE_URL"] == api["Outputs"]["ApiServiceUrl"]["Value"]  # the same value as its output


def test_other_service_url_is_plumbed_by_the_graph(tmp_path):
    out = build_config(tmp_path, two_albs({"UI_BASE_URL": "${services.ui.url}"}))
    api, root = out["service-api"], out["root"]
    assert env_of(api)["UI_BASE_URL"] == {"Fn::Sub": "http://${UiLoadBalancerDnsName}/"}
    assert api["Parameters"]["UiLoadBalancerDnsName"]["Type"] == "String"
    assert root["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]["UiLoadBalancerDnsName"] == GETATT_DNS
    assert "UiLoadBalancerDnsName" in out["loadbalancing"]["Outputs"]


def test_https_service_url_uses_the_certificate_domain(tmp_path):
    cfg = two_albs({"UI_BASE_URL": "${services.ui.url}"})
    cfg["load_balancers"]["ui"] = {
        "certificate": {"domain": "app.example.com", "hosted_zone_id": "Z1D633PJN98FT9"},
        "listeners": [{"port": 80, "protocol": "HTTP"}, {"port": 443, "protocol": "HTTPS", "service": "ui"}],
    }
    out = build_config(tmp_path, cfg)
    assert env_of(out["service-api"])["UI_BASE_URL"] == {"Fn::Sub": "https://${UiCertificateDomain}/"}
    assert out["root"]["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]["UiCertificateDomain"] == {
        "Ref": "UiCertificateDomain"
    }


def test_service_url_with_path_and_host_rules(tmp_path):
    cfg = {
        "services": {"api": app(3000, {"DOCS": "${services.docs.url}"}), "docs": app(8080)},
        "load_balancers": {
            "web": {
                "listeners": [
                    {
                        "port": 80,
                        "protocol": "HTTP",
                        "service": "api",
                        "rules": [
                            {"priority": 10, "service": "docs", "paths": ["/docs/*"], "hosts": ["docs.example.com"]}
                        ],
                    }
                ]
            }
        },
    }
    assert env_of(build_config(tmp_path, cfg)["service-api"])["DOCS"] == "http://docs.example.com/docs/"


def test_base_url_is_the_url_without_its_trailing_slash(tmp_path):
    """For apps that append paths: BASE_URL + "/oauth2" must not become "...//oauth2"."""
    out = build_config(
        tmp_path, two_albs({"BASE_URL": "${services.api.base_url}", "OAUTH": "${services.api.base_url}/oauth2"})
    )
    env = env_of(out["service-api"])
    assert env["BASE_URL"] == {"Fn::Sub": "http://${ApiLoadBalancerDnsName}"}
    assert env["OAUTH"] == {"Fn::Sub": "http://${ApiLoadBalancerDnsName}/oauth2"}


def test_base_url_keeps_a_port_and_a_path_prefix(tmp_path):
    cfg = {
        "services": {"api": app(3000, {"DOCS": "${services.docs.base_url}"}), "docs": app(8080)},
        "load_balancers": {
            "web": {
                "listeners": [
                    {
                        "port": 8080,
                        "protocol": "HTTP",
                        "service": "api",
                        "rules": [
                            {"priority": 10, "service": "docs", "paths": ["/docs/*"], "hosts": ["d.example.com"]}
                        ],
                    }
                ]
            }
        },
    }
    assert env_of(build_config(tmp_path, cfg)["service-api"])["DOCS"] == "http://d.example.com:8080/docs"


def test_load_balancer_dns_name_with_text_around(tmp_path):
    out = build_config(tmp_path, two_albs({"UI": "http://${load_balancers.ui.dns_name}:80/app"}))
    assert env_of(out["service-api"])["UI"] == {"Fn::Sub": "http://${UiLoadBalancerDnsName}:80/app"}
    assert (
        out["root"]["Resources"]["ServiceApiStack"]["Properties"]["Parameters"]["UiLoadBalancerDnsName"] == GETATT_DNS
    )


def test_a_reference_alone_is_the_value_itself(tmp_path):
    out = build_config(tmp_path, two_albs({"UI_HOST": "${load_balancers.ui.dns_name}"}))
    assert env_of(out["service-api"])["UI_HOST"] == {"Ref": "UiLoadBalancerDnsName"}


def test_several_references_in_one_value(tmp_path):
    out = build_config(tmp_path, two_albs({"ORIGINS": "${services.api.url},${services.ui.url}"}))
    assert env_of(out["service-api"])["ORIGINS"] == {
        "Fn::Sub": "http://${ApiLoadBalancerDnsName}/,http://${UiLoadBalancerDnsName}/"
    }


def test_escaped_dollar_brace_is_literal_and_plain_values_are_untouched(tmp_path):
    out = build_config(tmp_path, two_albs({"TEMPLATE": "$${HOME}/x", "PLAIN": "a$b}{c", "PORT": "3000"}))
    env = env_of(out["service-api"])
    assert env["TEMPLATE"] == "${HOME}/x" and env["PLAIN"] == "a$b}{c" and env["PORT"] == "3000"
    assert "UiLoadBalancerDnsName" not in out["service-api"]["Parameters"]


def test_services_may_refer_to_each_other_without_a_cycle(tmp_path):
    """api -> ui and ui -> api: URLs come from the loadbalancing stack, so no service stack waits for another."""
    out = build_config(tmp_path, two_albs({"UI_BASE_URL": "${services.ui.url}"}, {"API_URL": "${services.api.url}"}))
    stacks = out["root"]["Resources"]
    for consumer, other in (("ServiceApiStack", "ServiceUiStack"), ("ServiceUiStack", "ServiceApiStack")):
        params = stacks[consumer]["Properties"]["Parameters"]
        assert other not in str(params), params  # no GetAtt on the other service's stack
    assert env_of(out["service-ui"])["API_URL"] == {"Fn::Sub": "http://${ApiLoadBalancerDnsName}/"}


@pytest.mark.parametrize(
    "value, parts",
    [
        ("plain", ["plain"]),
        ("${services.ui.url}", [Reference("services", "ui", "url")]),
        ("a${load_balancers.web-1.dns_name}b", ["a", Reference("load_balancers", "web-1", "dns_name"), "b"]),
        ("$${x}${services.a.url}", ["${x}", Reference("services", "a", "url")]),
    ],
)
def test_parse(value, parts):
    assert parse(value) == parts


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("${services.ui.url", "is not closed"),
        ("${services.ui}", "is not a reference"),
        ("${Services.ui.url}", "is not a reference"),
    ],
)
def test_parse_refuses(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse(value)
