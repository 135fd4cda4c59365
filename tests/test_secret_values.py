"""Deploy-time secret values on the local endpoint: `secret set` / `secret list`, and a canary value that
must appear nowhere but in Secrets Manager (stdout, stderr, build/, the packaged templates, params/)."""

from __future__ import annotations

import secrets as random

import boto3
import pytest
from click.testing import CliRunner

from cli import cli

from .helpers import write_params

pytestmark = pytest.mark.emulator

SYSTEM = {
    "regions": ["us-east-1"],
    "network": {"cidr": "10.31.0.0/16", "azs": 2, "nat": "none", "flow_logs": {"enabled": False}},
    "cluster": {"container_insights": "disabled"},
    "secrets": {"database-url": {"description": "set at deploy time"}, "token": {"generate": {}}},
    "services": {
        "api": {
            "public_ip": True,
            "desired_count": 1,
            "containers": {
                "api": {
                    "image": "public.ecr.aws/nginx/nginx",
                    "tag": "1.27",
                    "ports": [{"port": 80}],
                    "secrets": {"DATABASE_URL": {"secret": "database-url"}, "TOKEN": {"secret": "token"}},
                }
            },
        }
    },
}
SELECT = ("-s", "keyed", "-e", "dev")


def test_secret_set_and_list_never_show_a_value(aws_env, tmp_path, monkeypatch):
    params = write_params(tmp_path / "params", "keyed", SYSTEM, {"dev": {}})
    monkeypatch.setenv("STACKC_PARAMS_DIR", str(params))
    canary = "canary-" + random.token_hex(12)
    outputs: list[str] = []

    def run(*args, code=0, **kw):
        result = CliRunner().invoke(cli, [*args, "--endpoint-url", aws_env.url], **kw)
        outputs.extend([result.stdout, result.stderr])
        assert "Traceback" not in result.output and result.exit_code == code, result.output
        return result

    before = run("secret", "list", *SELECT)  # nothing deployed: every secret "not created"
    assert "database-url  not created  operator" in before.stdout
    first = run("deploy", *SELECT, "--yes", code=4)  # the image is external: only the secret is missing
    assert "stackc secret set --system keyed --env dev database-url" in first.stdout
    assert "database-url  empty" in run("secret", "list", *SELECT).stdout

    monkeypatch.setenv("APP_DATABASE_URL", canary)
    done = run("secret", "set", *SELECT, "database-url", "--from-env", "APP_DATABASE_URL")
    assert "secret database-url: value set (version " in done.stdout
    run("secret", "set", *SELECT, "database-url", input=canary + "\n")  # stdin: the trailing newline dropped
    listed = run("secret", "list", *SELECT).stdout
    assert "database-url  set" in listed and "token         set          generated" in listed
    assert run("deploy", *SELECT, "--yes").exit_code == 0  # the held service starts

    missing = run("secret", "set", *SELECT, "no-such", "--from-env", "APP_DATABASE_URL", code=2)
    assert "has no secret 'no-such' (its secrets: database-url, token)" in missing.output

    sm = boto3.client("secretsmanager", endpoint_url=aws_env.url, region_name="us-east-1")
    values = [
        sm.get_secret_value(SecretId=s["ARN"])["SecretString"]  # the test reads it back; stackc never does
        for s in sm.list_secrets()["SecretList"]
        if "DatabaseUrl" in s["Name"]
    ]
    assert values == [canary]
    assert not any(canary in text for text in outputs if text)
    for folder in (tmp_path / "build", params):
        for path in folder.rglob("*"):
            if path.is_file():
                assert canary not in path.read_text(errors="replace"), path
