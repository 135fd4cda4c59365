#!/usr/bin/env python3
"""`make bench`: build and lint time and memory by number of services. Prints its figures; asserts nothing.

Each size runs in a fresh process so its peak memory (max RSS of the compiling process; lint workers
are separate processes) is that size's own. A synthetic system
with N services behind one ALB is written to a temporary params folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1,10,50,100,300").split(",")]
LINT_SIZES = {int(s) for s in os.environ.get("BENCH_LINT_SIZES", "1,10,50,100").split(",")}


def system(n: int) -> dict:
    services = {
        f"svc{i:03d}": {
            "containers": {"app": {"image": "public.ecr.aws/nginx/nginx", "tag": "1.27", "ports": [{"port": 8080}]}},
            "target": {"health_check": {"path": "/health"}},
        }
        for i in range(n)
    }
    rules = [{"service": name, "paths": [f"/{name}/*"], "priority": i + 1} for i, name in enumerate(services)]
    return {
        "network": {"azs": 2, "nat": "single"},
        "services": services,
        "load_balancers": {
            "web": {
                "type": "application",
                "listeners": [{"port": 80, "protocol": "HTTP", "service": "svc000", "rules": rules[1:]}],
            }
        },
    }


CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from templates_src import compiler
from templates_src.config.load import Target
from pathlib import Path
t1 = time.perf_counter()
compiled = compiler.compile_target(Target("bench", "dev", Path(sys.argv[2])))
t2 = time.perf_counter()
out = Path(sys.argv[3]); compiler.write(compiled, out)
lint_s = None
if sys.argv[4] == "1":
    from templates_src.lint import lint_paths
    t3 = time.perf_counter()
    findings = lint_paths([out / f"{n}.json" for n in compiled.templates])
    lint_s = time.perf_counter() - t3
print(json.dumps({"import_s": t1 - t0, "build_s": t2 - t1, "lint_s": lint_s, "templates": len(compiled.templates),
                  "resources": sum(s.resources for s in compiled.stats), "bytes": sum(s.bytes for s in compiled.stats),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    import yaml

    print(
        f"{'services':>8} {'stacks':>6} {'resources':>9} {'KiB':>7} {'import s':>8} {'build s':>8} {'lint s':>8} {'RSS MiB':>11}"
    )
    for n in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            params = Path(tmp) / "params" / "bench"
            params.mkdir(parents=True)
            (params / "_base.yaml").write_text(yaml.safe_dump(system(n)))
            (params / "dev.yaml").write_text("")
            started = time.perf_counter()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    str(ROOT),
                    str(Path(tmp) / "params"),
                    str(Path(tmp) / "out"),
                    "1" if n in LINT_SIZES else "0",
                ],
                capture_output=True,
                text=True,
            )
            if proc.returncode:
                print(proc.stderr, file=sys.stderr)
                sys.exit(1)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            lint = f"{r['lint_s']:.2f}" if r["lint_s"] is not None else "-"
            print(
                f"{n:>8} {r['templates']:>6} {r['resources']:>9} {r['bytes'] / 1024:>7.0f} {r['import_s']:>8.2f} "
                f"{r['build_s']:>8.2f} {lint:>8} {r['max_rss_mb']:>11.0f}"
            )
    # Build must not pay for deploy's imports.
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "cli.py", "build", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    print("boto3 imported by `cli.py build`:", "yes" if "boto3" in probe.stderr else "no")


if __name__ == "__main__":
    main()
