"""secret set / secret list: deploy-time secret values (templates_src/deploy/secret_values.py).

The value of `secret set` comes from `--from-env VAR`, a hidden prompt on a terminal, or stdin (one
trailing newline dropped), never from an argument: arguments end up in shell history and process lists.
"""

from __future__ import annotations

import os
import sys

import click

from .common import _exit, _flow, _sink, aws_options, opens_deployment, reports_errors


@click.group()
def secret() -> None:
    """Set secret values at deploy time; list which secrets have one (never a value)."""


def _value(from_env: str | None) -> str:
    if from_env:
        if from_env not in os.environ:
            raise click.UsageError(f"--from-env {from_env}: no such environment variable")
        return os.environ[from_env]
    if sys.stdin.isatty():
        return click.prompt("Value", hide_input=True, confirmation_prompt=True, default="", show_default=False)
    text = sys.stdin.read()
    return text[:-1] if text.endswith("\n") else text


@secret.command("set")
@aws_options
@click.argument("name")
@click.option("--from-env", metavar="VAR", help="Read the value from this environment variable (else stdin/prompt).")
@reports_errors
@opens_deployment()
def set_(deployment, name, from_env):
    """Put a value into secret NAME (its `secrets:` name) of the deployed system: from stdin, a hidden
    prompt on a terminal, or --from-env VAR."""
    value = _value(from_env)
    _exit(_flow().secret_set(deployment, name, value, _sink()))


@secret.command("list")
@aws_options
@reports_errors
@opens_deployment()
def list_(deployment):
    """Each secret: set / empty / not created, who fills it, when it last changed. Never a value."""
    _exit(_flow().secret_list(deployment, _sink()))
