"""The dated price table shipped with stackc (prices.yaml): look up a price for a region, say where it came from.

A price missing for a region falls back to us-east-1 and is marked approximate, so an estimate for a
region the table does not list still answers, and says how far to trust it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import UsageError

TABLE = Path(__file__).with_name("prices.yaml")
FALLBACK_REGION = "us-east-1"


@dataclass(frozen=True)
class Price:
    key: str
    value: float
    unit: str
    source: str
    region: str  # the region the value is for ("global" for Route 53)
    approx: bool  # True when the asked region had no value and FALLBACK_REGION's was used


@dataclass(frozen=True)
class PriceTable:
    date: str
    hours_per_month: float
    prices: Mapping[str, Any]
    sources: Mapping[str, Any]
    assumptions: Mapping[str, float]  # defaults, overridden per run
    about: Mapping[str, str] = field(default_factory=dict)  # assumption -> what it means

    def price(self, key: str, region: str, variant: str | None = None) -> Price | None:
        """The price of `key` in `region` (for `variant`, an instance class, when the key has classes)."""
        entry = self.prices.get(key)
        if entry is None:
            return None
        values = entry
        source = entry.get("source", "")
        if "classes" in entry:
            values = entry["classes"].get(variant or "")
            if values is None:
                return None
            source = values.get("source", source)
        for candidate, approx in ((region, False), ("global", False), (FALLBACK_REGION, True)):
            if isinstance(values.get(candidate), (int, float)):
                return Price(key, float(values[candidate]), entry.get("unit", ""), source, candidate, approx)
        return None

    def with_assumptions(self, overrides: Mapping[str, float]) -> PriceTable:
        unknown = sorted(set(overrides) - set(self.assumptions))
        if unknown:
            raise UsageError(
                f"--assume: unknown key {unknown[0]!r}; expected one of: {', '.join(sorted(self.assumptions))}"
            )
        return PriceTable(
            self.date, self.hours_per_month, self.prices, self.sources, {**self.assumptions, **overrides}, self.about
        )


@cache
def load(path: Path = TABLE) -> PriceTable:
    data = yaml.safe_load(path.read_text())
    assumptions = {k: float(v["value"]) for k, v in data["assumptions"].items()}
    about = {k: str(v["about"]) for k, v in data["assumptions"].items()}
    return PriceTable(
        str(data["date"]), float(data["hours_per_month"]), data["prices"], data["sources"], assumptions, about
    )


def parse_assumptions(items: tuple[str, ...] | list[str]) -> dict[str, float]:
    """`alb_lcu=2 nat_gb=500` -> {"alb_lcu": 2.0, "nat_gb": 500.0}; a malformed item is a usage error."""
    out: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise UsageError(f"--assume {item!r}: expected KEY=NUMBER (e.g. alb_lcu=2)") from None
    return out
