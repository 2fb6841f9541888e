"""The estimate: billable items times list prices.

Prices live in `pricing/prices/<region>.json` (each figure with its sources and date). A month is
the price file's `hours_per_month` (730). An item without a price is reported, never counted as
zero: the estimate's total is then unknown (`status` "partial" or "unpriced", total None), not a
smaller number. Usage-based charges (data transfer, NAT and LCU processing beyond the baseline, log
ingestion, S3 storage, backup storage) are not estimated and are listed as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

PRICES_DIR = Path(__file__).resolve().parent / "prices"
# Spot capacity is billed at the market price, which the price file does not hold. We estimate it
# at 35% of on-demand: AWS advertises "up to 90%" off; m5/m6i/m7i xlarge-2xlarge in us-east-1
# have mostly traded at 30-40% of on-demand. Marked on every line it applies to.
SPOT_FRACTION = 0.35
NOT_ESTIMATED = (
    "data transfer and NAT/interface-endpoint data processing",
    "ALB capacity units beyond one LCU",
    "CloudWatch log ingestion and storage, custom metrics and dashboards",
    "S3 storage and requests, ECR storage",
    "AWS Backup and RDS snapshot storage beyond the free allowance",
    "Route53 hosted zone, queries and health checks",
)


@dataclass(frozen=True)
class BillItem:
    category: str
    resource: str
    sku: str
    quantity: float
    price_field: str = "usd_per_hour"
    multiplier: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class CostLine:
    category: str
    resource: str
    sku: str
    quantity: float
    unit_price_usd: float
    monthly_usd: float
    note: str


@dataclass(frozen=True)
class UnpricedLine:
    """A bill item with no price: shown line by line, and it makes the total unknown (never zero)."""
    category: str
    resource: str
    sku: str
    quantity: float
    price_field: str
    reason: str

    def describe(self) -> str:
        return f"{self.category}: {self.sku} ({self.price_field}) x {self.quantity:g} for {self.resource}: {self.reason}"


# What an estimate says about its own total: every line priced, some lines priced, or none.
PRICED, PARTIAL, UNPRICED = "priced", "partial", "unpriced"


@dataclass
class CostEstimate:
    region: str
    currency: str
    prices_as_of: str
    lines: list[CostLine] = field(default_factory=list)
    unpriced_lines: list[UnpricedLine] = field(default_factory=list)
    not_estimated: tuple[str, ...] = NOT_ESTIMATED

    @property
    def unpriced(self) -> list[str]:
        return [u.describe() for u in self.unpriced_lines]

    @property
    def status(self) -> str:
        if not self.unpriced_lines:
            return PRICED
        return PARTIAL if self.lines else UNPRICED

    @property
    def priced_subtotal_usd(self) -> float:
        return round(sum(line.monthly_usd for line in self.lines), 2)

    @property
    def total_usd(self) -> float | None:
        """The monthly total, or None when any line has no price: a partial sum is not a total."""
        return self.priced_subtotal_usd if self.status == PRICED else None

    def by_category(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for line in self.lines:
            totals[line.category] = round(totals.get(line.category, 0.0) + line.monthly_usd, 2)
        return totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region, "currency": self.currency, "pricesAsOf": self.prices_as_of,
            "totalMonthlyUsd": self.total_usd, "byCategory": self.by_category(),
            "lines": [line.__dict__ for line in self.lines],
            "unpriced": self.unpriced, "notEstimated": list(self.not_estimated),
            "status": self.status, "pricedSubtotalUsd": self.priced_subtotal_usd,
            "unpricedLines": [u.__dict__ for u in self.unpriced_lines],
        }

    def stack_output(self) -> dict[str, Any]:
        """The stack's `monthlyCostEstimate` output: the same figures as the offline preview's."""
        return {"totalUsd": self.total_usd, "byCategory": self.by_category(), "pricesAsOf": self.prices_as_of,
                "unpriced": self.unpriced, "status": self.status, "region": self.region,
                "note": "on-demand list prices; usage-based charges not included"}


def price_file(region: str) -> Path:
    return PRICES_DIR / f"{region}.json"


def priced_regions() -> list[str]:
    return sorted(path.stem for path in PRICES_DIR.glob("*.json"))


@lru_cache(maxsize=16)
def load_prices(region: str) -> dict[str, Any] | None:
    path = price_file(region)
    return json.loads(path.read_text()) if path.is_file() else None


def estimate(items: Iterable[BillItem], region: str) -> CostEstimate:
    prices = load_prices(region)
    if prices is None:
        reason = f"no price file for {region}"
        return CostEstimate(region=region, currency="USD", prices_as_of="", unpriced_lines=[
            UnpricedLine(i.category, i.resource, i.sku, i.quantity, i.price_field, reason) for i in items])
    hours = float(prices["hours_per_month"])
    result = CostEstimate(region=region, currency=prices["currency"], prices_as_of=prices["as_of"])
    for item in items:
        entry = prices["items"].get(item.sku)
        unit = entry.get(item.price_field) if entry else None
        if unit is None:
            result.unpriced_lines.append(UnpricedLine(item.category, item.resource, item.sku, item.quantity,
                                                      item.price_field, f"not in the {region} price file"))
            continue
        monthly = float(unit) * item.quantity * item.multiplier * (hours if item.price_field.startswith("usd_per_hour") else 1)
        result.lines.append(CostLine(item.category, item.resource, item.sku, item.quantity, float(unit),
                                     round(monthly, 2), item.note))
    return result


def spot(item: BillItem) -> BillItem:
    return BillItem(item.category, item.resource, item.sku, item.quantity, item.price_field,
                    item.multiplier * SPOT_FRACTION, f"spot, estimated at {SPOT_FRACTION:.0%} of on-demand")
