"""An `Estimate` (or two compared) as text, markdown or json. Pure: strings out, no I/O."""

from __future__ import annotations

import json
from typing import Any

from .estimate import Estimate

JSON_VERSION = 1


def _usd(x: float) -> str:
    return f"${x:,.2f}"


def _delta(x: float) -> str:
    return ("+" if x >= 0.005 else "-" if x <= -0.005 else "") + _usd(abs(x))


def to_json(est: Estimate, title: str) -> str:
    return json.dumps(_json(est, title), indent=2, sort_keys=True) + "\n"


def _json(est: Estimate, title: str) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "title": title,
        "currency": "USD",
        "prices_date": est.table.date,
        "hours_per_month": est.table.hours_per_month,
        "monthly_total": round(est.total, 2),
        "by_component": {k: round(v, 2) for k, v in est.by_component().items()},
        "by_region": {k: round(v, 2) for k, v in est.by_region().items()},
        "lines": [line.to_json() for line in est.lines],
        "assumptions": {
            k: {"value": v, "about": est.table.about.get(k, "")} for k, v in est.assumptions_used().items()
        },
        "unpriced": list(est.unpriced),
        "sources": {
            s: est.table.sources[s]
            for s in sorted({src for line in est.lines for src in line.sources})
            if s in est.table.sources
        },
    }


def to_text(est: Estimate, title: str) -> str:
    out = [f"{title}: {_usd(est.total)} a month (on-demand list prices of {est.table.date})", ""]
    width = max([len(c) for c in est.by_component()] + [9])
    for component, amount in est.by_component().items():
        out.append(f"  {component:<{width}}  {_usd(amount):>11}")
    regions = est.by_region()
    if len(regions) > 1:
        out.append("")
        out.extend(f"  {region:<{width}}  {_usd(amount):>11}" for region, amount in regions.items())
    out += ["", "per resource:"]
    for line in sorted(est.lines, key=lambda x: (x.region, x.stack, -x.monthly, x.logical_id)):
        mark = " ~" if line.approx else ""
        out.append(f"  {_usd(line.monthly):>10}  {line.region} {line.stack} {line.logical_id}: {line.quantity}{mark}")
    out += _footer(est)
    return "\n".join(out) + "\n"


def to_markdown(est: Estimate, title: str) -> str:
    out = [f"### {title}: {_usd(est.total)} a month", "", f"On-demand list prices of {est.table.date}.", ""]
    out += ["| Component | Monthly |", "|---|---:|"]
    out += [f"| {c} | {_usd(a)} |" for c, a in est.by_component().items()]
    out += [f"| **Total** | **{_usd(est.total)}** |", ""]
    out += ["| Region | Stack | Resource | Monthly | How |", "|---|---|---|---:|---|"]
    for line in sorted(est.lines, key=lambda x: (x.region, x.stack, -x.monthly, x.logical_id)):
        mark = " (approx.)" if line.approx else ""
        out.append(
            f"| {line.region} | {line.stack} | {line.logical_id} | {_usd(line.monthly)} | {line.quantity}{mark} |"
        )
    out += [""] + [f"- {x.strip()}" if x.strip() and not x.startswith("  -") else x for x in _footer(est) if x.strip()]
    return "\n".join(out) + "\n"


def _footer(est: Estimate) -> list[str]:
    out = ["", "assumptions (change one with --assume KEY=VALUE):"]
    out += [f"  {k} = {v:g}: {est.table.about.get(k, '')}" for k, v in est.assumptions_used().items()]
    out += [
        "",
        "not counted: data transfer out, API calls (but the stated queue, topic, table and bucket requests), backups",
        "  beyond the free allowance, free tiers, Container Insights metrics, public IPv4 of load balancers",
        "  ('~': a us-east-1 price or a guessed quantity)",
    ]
    if est.unpriced:
        out += ["", "not priced:"] + [f"  {u}" for u in est.unpriced]
    out += ["", "prices and their sources: templates_src/cost/prices.yaml"]
    return out


def compare_text(a: Estimate, b: Estimate, name_a: str, name_b: str) -> str:
    rows = _compare_rows(a, b)
    width = max([len(c) for c, *_ in rows] + [9])
    wa, wb = max(11, len(name_a)), max(11, len(name_b))
    out = [f"{name_a} {_usd(a.total)} vs {name_b} {_usd(b.total)} a month: {_delta(b.total - a.total)}", ""]
    out.append(f"  {'component':<{width}}  {name_a:>{wa}}  {name_b:>{wb}}  {'change':>11}")
    out += [f"  {c:<{width}}  {_usd(x):>{wa}}  {_usd(y):>{wb}}  {_delta(y - x):>11}" for c, x, y in rows]
    return "\n".join(out) + "\n"


def compare_markdown(a: Estimate, b: Estimate, name_a: str, name_b: str) -> str:
    out = [f"### {name_a} vs {name_b}: {_delta(b.total - a.total)} a month", ""]
    out += [f"| Component | {name_a} | {name_b} | Change |", "|---|---:|---:|---:|"]
    out += [f"| {c} | {_usd(x)} | {_usd(y)} | {_delta(y - x)} |" for c, x, y in _compare_rows(a, b)]
    out.append(f"| **Total** | **{_usd(a.total)}** | **{_usd(b.total)}** | **{_delta(b.total - a.total)}** |")
    return "\n".join(out) + "\n"


def compare_json(a: Estimate, b: Estimate, name_a: str, name_b: str) -> str:
    data = {
        "version": JSON_VERSION,
        "base": _json(a, name_a),
        "other": _json(b, name_b),
        "change": {c: round(y - x, 2) for c, x, y in _compare_rows(a, b)},
        "total_change": round(b.total - a.total, 2),
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _compare_rows(a: Estimate, b: Estimate) -> list[tuple[str, float, float]]:
    ca, cb = a.by_component(), b.by_component()
    names = sorted(set(ca) | set(cb), key=lambda c: (-max(ca.get(c, 0), cb.get(c, 0)), c))
    return [(c, ca.get(c, 0.0), cb.get(c, 0.0)) for c in names]


def change_line(before: Estimate, after: Estimate) -> str:
    """One line for the plan: what the deploy does to the monthly estimate, by component."""
    rows = [(c, y - x) for c, x, y in _compare_rows(before, after) if abs(y - x) >= 0.005]
    if not rows:
        return f"cost: no change ({_usd(after.total)} a month at list prices of {after.table.date})"
    parts = ", ".join(f"{c} {_delta(d)}" for c, d in rows[:6])
    return f"cost: {_delta(after.total - before.total)} a month ({_usd(before.total)} -> {_usd(after.total)}): {parts}"
