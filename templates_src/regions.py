"""Multi-region layout: one regional root set per region, plus the global DNS stack.

```
build/<system>/<env>/
  manifest.json            layout: folders, regions, primary, which regional output feeds which DNS parameter
  us-east-1/               root.json + children, parameters.json, manifest.json (as a single-region build)
  us-west-2/               ditto, compiled from the system as `config.failover.for_region` makes it
  global/root.json         the DNS stack (only with `failover:`), parameters.json, manifest.json
```
A single-region system keeps `build/<system>/<env>/` as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .config.base import REGION_PATTERN
from .config.failover import for_region
from .config.load import Target
from .config.system import System
from .errors import BuildError
from .limits import TemplateStats
from .render import dumps, json_to_yaml, to_json
from .stacks import dns

if TYPE_CHECKING:
    from .compiler import Compiled

GLOBAL = "global"


def layout_folders(out_dir: Path) -> list[Path]:
    """The sub-folders a multi-region build owns in `out_dir` (regions and global), present on disk."""
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.iterdir() if p.is_dir() and (p.name == GLOBAL or re.match(REGION_PATTERN, p.name)))


def compile_regions(cfg: System, target: Target, compile_single: Callable) -> Compiled:
    from .compiler import Compiled

    folders: dict[str, Compiled] = {}
    for region in cfg.regions:
        folders[region] = compile_single(for_region(cfg, region), target)
    if cfg.failover is not None:
        folders[GLOBAL] = _compile_dns(cfg, target, folders)

    files: dict[str, str] = {}
    stats: list[TemplateStats] = []
    notes: list[str] = []
    for folder, part in folders.items():
        files.update({f"{folder}/{name}": text for name, text in part.files.items()})
        stats.extend(
            TemplateStats(f"{folder}/{s.name}", s.resources, s.parameters, s.outputs, s.bytes) for s in part.stats
        )
        notes.extend(f"{folder}: {n}" for n in part.notes)
    files["manifest.json"] = dumps(_manifest(cfg, target, folders))
    return Compiled(
        target,
        files,
        stats,
        notes,
        folders=folders,
        region=cfg.region,
        dns_inputs=folders[GLOBAL].dns_inputs if GLOBAL in folders else [],
    )


def _compile_dns(cfg: System, target: Target, regional: dict) -> Compiled:
    from .compiler import Compiled

    fo = cfg.failover
    assert fo is not None
    inputs = dns.inputs(cfg)
    for inp in inputs:  # closure: every parameter the DNS stack takes is an output of that region's root
        outputs = json.loads(regional[inp.region].files["root.json"]).get("Outputs", {})
        if inp.output not in outputs:
            raise BuildError(
                f"failover: the {inp.region} root has no output {inp.output!r} for the DNS stack "
                f"(root outputs: {', '.join(sorted(outputs)) or 'none'})"
            )
    tdict = dns.build(cfg, target.system, target.env).to_dict()
    body = to_json(tdict)
    stats = TemplateStats.of("root", tdict, body)
    violations = stats.violations()
    if violations:
        raise BuildError("\n".join(violations))
    files = {"root.json": body, "root.yaml": json_to_yaml(body)}
    files["parameters.json"] = dumps(
        [
            {"ParameterKey": name, "ParameterValue": str(p["Default"])}
            for name, p in tdict.get("Parameters", {}).items()
            if "Default" in p
        ]
    )
    files["manifest.json"] = dumps(
        {
            "system": target.system,
            "env": target.env,
            "regions": [fo.stack_region],  # where the stack lives (Route 53 itself is global)
            "stacks": [],  # no nested stacks: the root is the whole DNS stack
            "templates": {
                "root": {
                    "file": "root.json",
                    "sha256": hashlib.sha256(body.encode()).hexdigest(),
                    "bytes": stats.bytes,
                    "resources": stats.resources,
                    "parameters": stats.parameters,
                    "outputs": stats.outputs,
                }
            },
            "inputs": _inputs(inputs),
        }
    )
    return Compiled(target, files, [stats], [], region=fo.stack_region, dns_inputs=inputs)


def _inputs(inputs: list[dns.Input]) -> dict:
    return {i.parameter: {"region": i.region, "output": i.output} for i in inputs}


def _manifest(cfg: System, target: Target, folders: dict) -> dict:
    fo = cfg.failover
    return {
        "system": target.system,
        "env": target.env,
        "layout": "multi-region",
        "regions": list(cfg.regions),
        "primary": fo.primary if fo else cfg.region,
        "folders": {
            name: {
                "region": part.region,
                "role": "dns" if name == GLOBAL else (fo.role(name) if fo else "region"),
                "manifest": f"{name}/manifest.json",
            }
            for name, part in folders.items()
        },
        "dns_inputs": _inputs(folders[GLOBAL].dns_inputs) if GLOBAL in folders else {},
    }
