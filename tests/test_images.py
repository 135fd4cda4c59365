"""ECR and images: tag mutability per repository, `latest` refused where it cannot work, one image shared
by services (`repository:`), pull permission on exactly the private ECR repository a URI names."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

import cli
from templates_src import compiler
from templates_src.config.load import Target
from templates_src.lint import lint_paths

from .helpers import build_config, has_resource, write_params

PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def web_and_worker(**worker_container) -> dict:
    """`web` owns a repository; `worker` runs its image with another command."""
    return {
        "services": {
            "web": {
                "ecr": {},
                "containers": {"web": {"tag": "1.4.2", "ports": [{"port": 8080}], "command": ["serve"]}},
            },
            "worker": {
                "containers": {"worker": {"repository": "web", "tag": "1.4.2", "command": ["work"], **worker_container}}
            },
        },
        "load_balancers": {"web": {"listeners": [{"port": 80, "protocol": "HTTP", "service": "web"}]}},
    }


def container(t: dict, name: str) -> dict:
    td = has_resource(t, "AWS::ECS::TaskDefinition")
    return next(c for c in td["Properties"]["ContainerDefinitions"] if c["Name"] == name)


def execution_statements(t: dict, role: str) -> list[dict]:
    props = t["Resources"][role]["Properties"]
    return [s for p in props.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]


def pull_resources(t: dict, role: str) -> list:
    return [r for s in execution_statements(t, role) if "ecr:BatchGetImage" in s["Action"] for r in s["Resource"]]


def lint_clean(tmp_path, config: dict) -> None:
    write_params(tmp_path / "p", "sys", config)
    compiled = compiler.compile_target(Target("sys", "dev", tmp_path / "p"))
    out = tmp_path / "out"
    compiler.write(compiled, out)
    findings = lint_paths([out / f"{n}.json" for n in compiled.templates])
    assert findings == [], "\n".join(f"{f.template} {f.rule}: {f.message}" for f in findings)


# -- tag mutability ------------------------------------------------------------------------------


def test_tags_are_immutable_by_default(tmp_path):
    t = build_config(tmp_path, web_and_worker())["service-web"]
    repo = has_resource(t, "AWS::ECR::Repository", {"ImageTagMutability": "IMMUTABLE"})
    assert "Metadata" not in repo


def test_a_mutable_repository_is_said_so_and_lints_clean(tmp_path):
    config = web_and_worker()
    config["services"]["web"]["ecr"] = {"tag_mutability": "mutable"}
    config["services"]["web"]["containers"]["web"]["tag"] = "latest"  # a mutable tag may move
    t = build_config(tmp_path, config)["service-web"]
    repo = has_resource(t, "AWS::ECR::Repository", {"ImageTagMutability": "MUTABLE"})
    assert repo["Metadata"]["stackc"]["mutable_tags"] == "services.web.ecr.tag_mutability is mutable"
    lint_clean(tmp_path, config)


# -- one image, several services ----------------------------------------------------------------


def test_a_service_runs_another_services_image(tmp_path):
    out = build_config(tmp_path, web_and_worker())
    web, worker, root = out["service-web"], out["service-worker"], out["root"]
    assert "AWS::ECR::Repository" not in {r["Type"] for r in worker["Resources"].values()}
    c = container(worker, "worker")
    assert c["Image"] == {"Fn::Join": [":", [{"Ref": "WebRepositoryUri"}, {"Ref": "WorkerImageTag"}]]}
    assert c["Command"] == ["work"] and container(web, "web")["Command"] == ["serve"]
    # Pull permission on exactly web's repository, wired through the root from web's stack.
    assert pull_resources(worker, "WorkerExecutionRole") == [{"Ref": "WebRepositoryArn"}]
    assert {"WebRepositoryArn", "WebRepositoryUri"} <= set(web["Outputs"])
    params = root["Resources"]["ServiceWorkerStack"]["Properties"]["Parameters"]
    assert params["WebRepositoryArn"] == {"Fn::GetAtt": ["ServiceWebStack", "Outputs.WebRepositoryArn"]}
    assert params["WebRepositoryUri"] == {"Fn::GetAtt": ["ServiceWebStack", "Outputs.WebRepositoryUri"]}
    lint_clean(tmp_path, web_and_worker())


def test_repository_arn_is_an_output_only_when_another_service_uses_it(tmp_path):
    config = web_and_worker()
    config["services"]["worker"]["containers"]["worker"] = {"image": "example/worker"}
    web = build_config(tmp_path, config)["service-web"]
    assert "WebRepositoryArn" not in web.get("Outputs", {})


# -- private ECR images by URI -------------------------------------------------------------------


@pytest.mark.parametrize(
    "image, arn",
    [
        (
            "210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/app",
            "arn:${AWS::Partition}:ecr:eu-west-1:210987654321:repository/team/app",
        ),
        (
            "210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/app",
            "arn:${AWS::Partition}:ecr:cn-north-1:210987654321:repository/app",
        ),
    ],
)
def test_a_private_ecr_image_gets_pull_permission_on_exactly_its_repository(tmp_path, image, arn):
    config = {"services": {"job": {"containers": {"job": {"image": image, "tag": "7"}}}}}
    t = build_config(tmp_path, config)["service-job"]
    assert pull_resources(t, "JobExecutionRole") == [{"Fn::Sub": arn}]
    token = [s for s in execution_statements(t, "JobExecutionRole") if "ecr:GetAuthorizationToken" in s["Action"]]
    assert token and token[0]["Resource"] == ["*"]  # the token is account-wide; ECR has no narrower one
    assert all(
        a in PULL or a == "ecr:GetAuthorizationToken"
        for s in execution_statements(t, "JobExecutionRole")
        for a in s["Action"]
        if a.startswith("ecr:")
    )


@pytest.mark.parametrize("image", ["nginx", "ghcr.io/ash-ai-org/ash", "public.ecr.aws/nginx/nginx"])
def test_other_registries_need_no_ecr_permission(tmp_path, image):
    config = {"services": {"job": {"containers": {"job": {"image": image, "tag": "7"}}}}}
    t = build_config(tmp_path, config)["service-job"]
    assert not any(a.startswith("ecr:") for s in execution_statements(t, "JobExecutionRole") for a in s["Action"])


# -- bad input -----------------------------------------------------------------------------------


def run(tmp_path, monkeypatch, config: dict):
    folder = tmp_path / "params" / "s"
    folder.mkdir(parents=True)
    (folder / "_base.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (folder / "dev.yaml").write_text("")
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(tmp_path / "params"))
    monkeypatch.setenv("STACKC_BUILD_DIR", str(tmp_path / "build"))
    return CliRunner().invoke(cli.cli, ["build", "-s", "s", "-e", "dev"])


def _with(change) -> dict:
    config = web_and_worker()
    change(config)
    return config


BAD = [
    (
        "latest-in-own-immutable-repo",
        _with(lambda c: c["services"]["web"]["containers"]["web"].update(tag="latest")),
        ["services.web.containers.web.tag:", "'latest' cannot stay on one image", "tag_mutability: mutable"],
    ),
    (
        "latest-by-default",
        _with(lambda c: c["services"]["web"]["containers"]["web"].pop("tag")),
        ["services.web.containers.web.tag:", "('latest' is the default tag)"],
    ),
    (
        "latest-in-another-services-repo",
        _with(lambda c: c["services"]["worker"]["containers"]["worker"].update(tag="latest")),
        ["services.worker.containers.worker.tag:", "repository of service 'web'", "services.web.ecr.tag_mutability"],
    ),
    (
        "repository-without-ecr",
        _with(
            lambda c: (c["services"]["web"].pop("ecr"), c["services"]["web"]["containers"]["web"].update(image="x/web"))
        ),
        ["services.worker.containers.worker.repository:", "expected a service with an `ecr:` repository", "got 'web'"],
    ),
    (
        "repository-unknown",
        _with(lambda c: c["services"]["worker"]["containers"]["worker"].update(repository="wbe")),
        ["services.worker.containers.worker.repository:", "(web)", "got 'wbe'"],
    ),
    (
        "image-and-repository",
        _with(lambda c: c["services"]["worker"]["containers"]["worker"].update(image="x/worker")),
        ["services.worker.containers.worker.repository:", "keep one of image and repository"],
    ),
    (
        "mutability-typo",
        _with(lambda c: c["services"]["web"]["ecr"].update(tag_mutability="IMMUTABLE")),
        ["services.web.ecr.tag_mutability:", "expected one of 'immutable' or 'mutable'"],
    ),
]


@pytest.mark.parametrize("config, expected", [(c, e) for _, c, e in BAD], ids=[i for i, _, _ in BAD])
def test_bad_image_params_exit_2(tmp_path, monkeypatch, config, expected):
    result = run(tmp_path, monkeypatch, config)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "params/s/_base.yaml:" in result.output
    for fragment in expected:
        assert fragment in result.output, f"{fragment!r} not in:\n{result.output}"
