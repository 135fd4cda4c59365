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
    # Root parameter values on top of parameters.json, in this order (a later kind wins):
    remembered: tuple[tuple[str, str], ...] = ()  # earlier `-p` values still in force (memory.py)
    overrides: tuple[tuple[str, str], ...] = ()  # --parameter Key=Value given now: remembered next time
    # Values for one execution only (first deploy's bootstrap, e.g. desired counts 0): packaged as the
    # root parameter's Default too, so parameter memory never mistakes them for a `-p` (memory.py).
    temporary: tuple[tuple[str, str], ...] = ()
    tags: tuple[tuple[str, str], ...] = ()  # the root stack's tags (CreateChangeSet Tags)

    @property
    def manifest(self) -> dict[str, Any]:
        path = self.build_dir / "manifest.json"
        if not path.is_file():
            raise DeployError(f"{path} is missing: run `stackc build --system {self.system} --env {self.env}`")
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

    def params_values(self) -> dict[str, str]:
        """parameters.json: the root parameter values the params files give."""
        params = json.loads((self.build_dir / "parameters.json").read_text())
        return {p["ParameterKey"]: p["ParameterValue"] for p in params}

    def parameters(self) -> list[dict[str, str]]:
        """parameters.json with remembered, --parameter and temporary values applied (in that order);
        each must name a root parameter."""
        known = set(self.template("root").get("Parameters", {}))
        values = self.params_values()
        for key, value in self.remembered + self.overrides + self.temporary:
            if key not in known:
                raise UsageError(
                    f"--parameter {key}: the root template of {self.system}/{self.env} has no such parameter "
                    f"(parameters: {', '.join(sorted(known)) or 'none'})"
                )
            values[key] = value
        return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(values.items())]

    def noecho_parameters(self) -> set[str]:
        """Root parameters declared NoEcho: their values are masked in every review."""
        params = self.template("root").get("Parameters", {})
        return {k for k, v in params.items() if str(v.get("NoEcho", "")).lower() == "true"}


def parse_overrides(items: tuple[str, ...] | list[str], option: str = "--parameter") -> tuple[tuple[str, str], ...]:
    """KEY=VALUE items in command-line order (a later one for the same key wins where they are applied)."""
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} {item!r}: expected Key=Value")
        out.append((key.strip(), value))
    return tuple(out)
