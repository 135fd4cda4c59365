"""Typed errors. Library code raises these; only cli.py turns them into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where, what was there, what was expected."""

    file: str
    path: str
    message: str
    value: Any = None
    has_value: bool = False
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        at = f" {self.path}:" if self.path else ""
        got = f" (got {_show(self.value)})" if self.has_value else ""
        return f"{where}:{at} {self.message}{got}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class StackcError(Exception):
    """Base for every error the CLI reports without a traceback."""

    exit_code = 1

    def lines(self) -> list[str]:
        return [str(self)]


class ConfigError(StackcError):
    """The params are wrong. Carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class UsageError(StackcError):
    """The command line names something that does not exist (system, env, ...)."""

    exit_code = 2


class BuildError(StackcError):
    """The config is valid but cannot be compiled (broken wiring, a CloudFormation limit)."""

    exit_code = 1


class NameClash(BuildError):
    """A name chosen in the config (at `path`, e.g. services.api.url_output) is one the compiler already
    gives another output. The compiler reports it as a config problem at that path (exit 2)."""

    def __init__(self, path: tuple, value: str, message: str):
        self.path, self.value, self.message = path, value, message
        super().__init__(message)


class LintFailed(StackcError):
    exit_code = 1


class DeployError(StackcError):
    """A deploy step failed; the message says what failed and what to do next."""

    exit_code = 1


class DangerousChange(DeployError):
    """The change set replaces or deletes a stateful resource and --allow-replace was not given."""

    exit_code = 3


class InputsMissing(DeployError):
    """What the system's tasks need from the operator is not there yet: an image not pushed, a secret
    without a value, a required parameter without one (preflight, templates_src/deploy/preflight.py).
    `missing` holds one line per input, each saying what to do."""

    exit_code = 4

    def __init__(self, missing: list[str], headline: str = "inputs missing"):
        self.missing, self.headline = list(missing), headline
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.headline}:", *(f"  {line}" for line in self.missing)]
