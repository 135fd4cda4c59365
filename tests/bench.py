#!/usr/bin/env python3
"""`make bench`: whole-process time and memory of build and lint, per system and by number of services.

A benchmark, not a test: it prints figures and writes build/bench.json; it asserts nothing.

For every params target (system/env) and for synthetic systems of 1/10/100/300 services (BENCH_SIZES),
each in its own build folder, it runs `cli.py` as a user does and measures whole processes:

- compile      `cli.py build` into an empty folder (imports, load, compile, YAML, write, stamp)
- no-op        `cli.py build` again (the input stamp answers)
- lint cold    `cli.py lint` with the lint cache removed (the build is up to date)
- lint warm    `cli.py lint` again (every result cached)
- peak RSS     the largest resident set of any process of the run (what `/usr/bin/time -v` reports: the
               command and its lint workers, each counted alone), over all runs of the case
- cpu          user+sys seconds of the compile and of the cold lint (workers included): what the run
               costs whatever the machine's load; on a quiet machine a compile's wall time is about its
               CPU time, a cold lint's about (its CPU time + the ~0.9 s of imports done before the two
               workers start) / 2
- peak total   the most memory the run held at once, lint workers included: the sum of the
               proportional set sizes (shared pages split between the processes sharing them) of the
               process tree, sampled every 20 ms during one extra lint-cold run

Each figure is the median of BENCH_REPEATS runs (default 3; a measure whose runs pass 20 s stops
early). The machine is shared: the load average before and after each case is recorded with it.
The last row, "every env", is `build --all` then `lint --all`, cold, as `make lint` runs them.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1,10,100,300").split(",") if s]
REPEATS = max(1, int(os.environ.get("BENCH_REPEATS", "3")))
SEEDS = os.environ.get("BENCH_SEEDS", "1") != "0"
BUDGET_S = 20.0


def system(n: int) -> dict:
    """N services behind one ALB, one path rule each."""
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


class TreeMemory(threading.Thread):
    """Samples the summed PSS (KiB) of a process and its descendants until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            total = sum(_pss_kib(p) for p in _tree(self.pid))
            self.peak_kib = max(self.peak_kib, total)
            self._done.wait(0.02)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak_kib


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(args: list[str], env: dict[str, str], sample: bool = False) -> dict:
    """One whole `cli.py` process: wall seconds, the largest RSS of it and its children, exit code."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "cli.py", *args], cwd=ROOT, env=env, stdout=out, stderr=out)
        sampler = TreeMemory(proc.pid) if sample and Path("/proc/self/smaps_rollup").exists() else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak_total = sampler.stop() if sampler else None
        if proc.returncode not in (0, 1):  # 1: lint findings, still a measurement
            out.seek(0)
            sys.exit(f"bench: `cli.py {' '.join(args)}` failed ({proc.returncode}):\n{out.read().decode()[-3000:]}")
    # Linux: ru_maxrss of a reaped child covers its own reaped children (the lint workers), in KiB.
    return {
        "s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,  # the process and its lint workers: load-independent
        "rss_mib": usage.ru_maxrss / 1024,
        "pss_total_mib": peak_total and peak_total / 1024,
    }


def measure(args: list[str], env: dict[str, str], before=None) -> list[dict]:
    runs: list[dict] = []
    spent = 0.0
    while len(runs) < REPEATS and (not runs or spent < BUDGET_S):
        if before:
            before()
        runs.append(run(args, env))
        spent += runs[-1]["s"]
    return runs


def case(name: str, params_dir: Path, select: list[str], build_dir: Path) -> dict:
    env = {**os.environ, "STACKC_PARAMS_DIR": str(params_dir), "STACKC_BUILD_DIR": str(build_dir)}
    env.pop("STACKC_DEBUG", None)

    def wipe() -> None:
        shutil.rmtree(build_dir, ignore_errors=True)

    def cold_lint() -> None:
        shutil.rmtree(build_dir / ".lint-cache", ignore_errors=True)

    load_before = os.getloadavg()
    compile_runs = measure(["build", *select], env, before=wipe)
    noop_runs = measure(["build", *select], env)
    lint_cold_runs = measure(["lint", *select], env, before=cold_lint)
    lint_warm_runs = measure(["lint", *select], env)
    cold_lint()
    sampled = run(["lint", *select], env, sample=True)
    all_runs = compile_runs + noop_runs + lint_cold_runs + lint_warm_runs + [sampled]
    manifest = _manifests(build_dir)
    return {
        "case": name,
        "templates": manifest[0],
        "resources": manifest[1],
        "compile_s": _median(compile_runs),
        "noop_s": _median(noop_runs),
        "lint_cold_s": _median(lint_cold_runs),
        "lint_warm_s": _median(lint_warm_runs),
        "build_lint_cold_s": _median(compile_runs) + _median(lint_cold_runs),
        "compile_cpu_s": _median(compile_runs, "cpu_s"),
        "lint_cold_cpu_s": _median(lint_cold_runs, "cpu_s"),
        "peak_rss_mib": max(r["rss_mib"] for r in all_runs),
        "peak_total_pss_mib": sampled["pss_total_mib"],
        "runs": {
            "compile": compile_runs,
            "noop": noop_runs,
            "lint_cold": lint_cold_runs,
            "lint_warm": lint_warm_runs,
            "lint_cold_sampled": sampled,
        },
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def _median(runs: list[dict], key: str = "s") -> float:
    return statistics.median(r[key] for r in runs)


def _manifests(build_dir: Path) -> tuple[int, int]:
    templates = resources = 0
    for path in build_dir.rglob("manifest.json"):
        if ".stamps" in path.parts:
            continue
        data = json.loads(path.read_text())
        for t in data.get("templates", {}).values():
            templates += 1
            resources += t.get("resources", 0)
    return templates, resources


COLUMNS = [
    ("case", "case", 24, "{}"),
    ("templates", "tmpl", 5, "{}"),
    ("resources", "res", 5, "{}"),
    ("compile_s", "compile s", 9, "{:.2f}"),
    ("noop_s", "no-op s", 8, "{:.2f}"),
    ("lint_cold_s", "lint cold", 9, "{:.2f}"),
    ("lint_warm_s", "lint warm", 9, "{:.2f}"),
    ("build_lint_cold_s", "build+lint", 10, "{:.2f}"),
    ("compile_cpu_s", "cpu compile", 11, "{:.2f}"),
    ("lint_cold_cpu_s", "cpu lint", 8, "{:.2f}"),
    ("peak_rss_mib", "RSS MiB", 7, "{:.0f}"),
    ("peak_total_pss_mib", "total MiB", 9, "{:.0f}"),
    ("load_before", "load", 5, "{:.1f}"),
]


def row(r: dict) -> str:
    cells = []
    for key, _, width, fmt in COLUMNS:
        value = r.get(key)
        if key == "load_before" and value is not None:
            value = value[0]
        text = "-" if value is None else fmt.format(value)
        cells.append(text.ljust(width) if key == "case" else text.rjust(width))
    return " ".join(cells)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import yaml

    from templates_src.targets import all_targets

    print(" ".join(h.ljust(w) if k == "case" else h.rjust(w) for k, h, w, _ in COLUMNS), flush=True)
    results = []
    # Under the project's build/ (the working directory): cfn-lint reads a root's children only below
    # the working directory, as it does for `make build`; a folder elsewhere would skip that work.
    (ROOT / "build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=ROOT / "build") as tmp:
        work = Path(tmp)
        params = ROOT / "params"
        if SEEDS:
            for target in all_targets(params):
                name = f"{target.system}/{target.env}"
                r = case(name, params, ["--system", target.system, "--env", target.env], work / name)
                results.append(r)
                print(row(r), flush=True)
        for n in SIZES:
            synthetic = work / f"params-{n}" / "bench"
            synthetic.mkdir(parents=True)
            (synthetic / "_base.yaml").write_text(yaml.safe_dump(system(n)))
            (synthetic / "dev.yaml").write_text("")
            r = case(f"{n} services", synthetic.parent, ["--system", "bench", "--env", "dev"], work / f"build-{n}")
            results.append(r)
            print(row(r), flush=True)
        if SEEDS:
            r = case("every env (--all)", params, ["--all"], work / "all")
            results.append(r)
            print(row(r), flush=True)
    report = {
        "what": "whole-process wall seconds (median of runs) and memory of `cli.py build` / `cli.py lint`",
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": sys.platform},
        "repeats": REPEATS,
        "results": results,
    }
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {out.relative_to(ROOT)}; the machine's load average is in the last column (1 min, before)")


if __name__ == "__main__":
    main()
