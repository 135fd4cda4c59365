"""What a deploy works on: one compiled build folder (build/<system>/<env>/) and its stack name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DeployError, UsageError


@dataclass(frozen=True)
class BuiltTarget:
    system: str
    env: str
    build_dir: Path  # build/<system>/<env>/
    stack_name: str  # <system>-<env> unless overridden
    protect: bool = False  # env marked `protect: true`: termination protection, no destroy
    overrides: tuple[tuple[str, str], ...] = ()  # --parameter Key=Value
    # Values for this one deploy that are not the operator's: the task counts bootstrap holds at zero
    # while an image or secret is missing (bootstrap.py). Applied last; never remembered as overrides.
    held: tuple[tuple[str, str], ...] = ()

    @property
    def manifest(self) -> dict[str, Any]:
        path = self.build_dir / "manifest.json"
        if not path.is_file():
            raise DeployError(f"{path} is missing: run `cli.py build --system {self.system} --env {self.env}`")
        return json.loads(path.read_text())

    @property
    def region(self) -> str | None:
        regions = self.manifest.get("regions") or []
        return regions[0] if regions else None

    def template(self, name: str) -> dict[str, Any]:
        return json.loads((self.build_dir / f"{name}.json").read_text())

    def templates(self) -> dict[str, dict[str, Any]]:
        """root and every child, by template name."""
        return {name: self.template(name) for name in self.manifest["templates"]}

    def children(self) -> dict[str, str]:
        """Nested-stack logical ID in the root -> child template name."""
        out = {}
        for logical_id, res in self.template("root").get("Resources", {}).items():
            if res.get("Type") == "AWS::CloudFormation::Stack":
                url = res.get("Properties", {}).get("TemplateURL", "")
                if isinstance(url, str) and url.endswith(".json") and "/" not in url:
                    out[logical_id] = url.removesuffix(".json")
        return out

    def parameters(self) -> list[dict[str, str]]:
        """parameters.json with --parameter overrides applied; an override must name a root parameter."""
        params = json.loads((self.build_dir / "parameters.json").read_text())
        known = set(self.template("root").get("Parameters", {}))
        values = {p["ParameterKey"]: p["ParameterValue"] for p in params}
        for key, value in self.overrides:
            if key not in known:
                raise UsageError(
                    f"--parameter {key}: the root template of {self.system}/{self.env} has no such parameter "
                    f"(parameters: {', '.join(sorted(known)) or 'none'})"
                )
            values[key] = value
        values.update(self.held)
        return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]


def parse_overrides(items: tuple[str, ...] | list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--parameter {item!r}: expected Key=Value")
        out.append((key.strip(), value))
    return tuple(out)
