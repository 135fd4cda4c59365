"""Bad input to the deploy commands: a clear message, a non-zero exit, never a traceback."""

from __future__ import annotations

import json

import boto3
import pytest
from click.testing import CliRunner

from cli import cli

from .emulator import DUMMY_ENV, free_port


def invoke(*args):
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    assert not (result.exception and not isinstance(result.exception, SystemExit)), result.exception
    return result


@pytest.mark.parametrize("command", ["package", "plan", "deploy", "outputs", "status", "destroy"])
def test_unknown_system(command):
    result = invoke(command, "--system", "nope", "--env", "dev", "--endpoint-url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "error: unknown system 'nope'" in result.output


@pytest.mark.parametrize("command", ["plan", "destroy"])
def test_unknown_env(command):
    result = invoke(command, "--system", "demo", "--env", "staging", "--endpoint-url", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "error: unknown env 'staging' for system 'demo'" in result.output and "envs: dev, prod" in result.output


def test_unknown_parameter_override(aws_env):
    result = invoke(
        "plan", "--system", "demo", "--env", "dev", "--endpoint-url", aws_env.url, "--parameter", "NoSuchTag=2"
    )
    assert result.exit_code == 2
    assert "--parameter NoSuchTag: the root template of demo/dev has no such parameter" in result.output
    bad = invoke("plan", "--system", "demo", "--env", "dev", "--endpoint-url", aws_env.url, "--parameter", "oops")
    assert bad.exit_code == 2 and "expected Key=Value" in bad.output


def test_endpoint_not_listening(monkeypatch):
    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)
    port = free_port()  # bound and released: nothing listens there now
    result = invoke("deploy", "--system", "demo", "--env", "dev", "--yes", "--endpoint-url", f"http://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert f"cannot reach the AWS endpoint http://127.0.0.1:{port}" in result.output


@pytest.mark.emulator
def test_bucket_that_denies_uploads(aws_env):
    """The endpoint answers PutObject with 403, as S3 does for a bucket policy deny."""
    s3 = boto3.client("s3", endpoint_url=aws_env.url, region_name="us-east-1")
    s3.create_bucket(Bucket="locked-artifacts")
    s3.put_bucket_policy(
        Bucket="locked-artifacts",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::locked-artifacts/*",
                    }
                ],
            }
        ),
    )
    result = invoke(
        "deploy",
        "--system",
        "demo",
        "--env",
        "dev",
        "--yes",
        "--bucket",
        "locked-artifacts",
        "--endpoint-url",
        aws_env.url,
    )
    assert result.exit_code == 1
    assert (
        "error: access denied while uploading templates to s3://locked-artifacts/stackc/demo/dev/ (PutObject)"
        in result.output
    )


def test_no_credentials(monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = invoke(
        "package",
        "--system",
        "demo",
        "--env",
        "dev",
        "--region",
        "us-east-1",
        "--endpoint-url",
        f"http://127.0.0.1:{free_port()}",
    )
    assert result.exit_code == 1
    assert "no AWS credentials" in result.output and "--profile" in result.output


@pytest.mark.emulator
def test_bucket_that_does_not_exist(aws_env):
    result = invoke(
        "package", "--system", "demo", "--env", "dev", "--bucket", "no-such-bucket", "--endpoint-url", aws_env.url
    )
    assert result.exit_code == 1
    assert "artifact bucket 'no-such-bucket' does not exist" in result.output


@pytest.mark.emulator
def test_status_of_a_stack_that_does_not_exist(aws_env):
    result = invoke("status", "--system", "demo", "--env", "dev", "--endpoint-url", aws_env.url)
    assert result.exit_code == 1
    assert "stack demo-dev does not exist in us-east-1" in result.output


def test_build_and_lint_never_import_boto3(tmp_path):
    """boto3 costs ~0.3 s to import; only the deploy commands may pay it."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    code = (
        "import runpy, sys\n"
        "sys.argv = ['cli.py', 'build', '--system', 'demo', '--env', 'dev']\n"
        "try:\n    runpy.run_path('cli.py', run_name='__main__')\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "import templates_src.deploy.review, templates_src.deploy.target, templates_src.deploy.policy\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'moto')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "STACKC_BUILD_DIR": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_only_the_cli_imports_click():
    """templates_src/cli/ is the only click face; the library returns results and raises typed errors."""
    import re
    from pathlib import Path

    library = Path(__file__).resolve().parent.parent / "templates_src"
    importing = [
        str(p.relative_to(library))
        for p in sorted(library.rglob("*.py"))
        if p.relative_to(library).parts[0] != "cli"
        and re.search(r"^\s*(import click|from click\b)", p.read_text(), re.M)
    ]
    assert importing == []
