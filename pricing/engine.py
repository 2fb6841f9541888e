"""The estimate: billable items times list prices.

Prices live in `pricing/prices/<region>.json` (each figure with its sources and date). A month is
the price file's `hours_per_month` (730). An item without a price is reported, never counted as
zero. Usage-based charges (data transfer, NAT and LCU processing beyond the baseline, log
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


@dataclass
class CostEstimate:
    region: str
    currency: str
    prices_as_of: str
    lines: list[CostLine] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)
    not_estimated: tuple[str, ...] = NOT_ESTIMATED

    @property
    def total_usd(self) -> float:
        return round(sum(line.monthly_usd for line in self.lines), 2)

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
        }


@lru_cache(maxsize=8)
def load_prices(region: str) -> dict[str, Any] | None:
    path = PRICES_DIR / f"{region}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def estimate(items: Iterable[BillItem], region: str) -> CostEstimate:
    prices = load_prices(region)
    if prices is None:
        items = list(items)
        return CostEstimate(region=region, currency="USD", prices_as_of="",
                            unpriced=[f"no price file for {region} (pricing/prices/{region}.json): "
                                      f"{len(items)} items unpriced"])
    hours = float(prices["hours_per_month"])
    result = CostEstimate(region=region, currency=prices["currency"], prices_as_of=prices["as_of"])
    for item in items:
        entry = prices["items"].get(item.sku)
        unit = entry.get(item.price_field) if entry else None
        if unit is None:
            result.unpriced.append(f"{item.category}: {item.sku} ({item.price_field}) for {item.resource}")
            continue
        monthly = float(unit) * item.quantity * item.multiplier * (hours if item.price_field.startswith("usd_per_hour") else 1)
        result.lines.append(CostLine(item.category, item.resource, item.sku, item.quantity, float(unit),
                                     round(monthly, 2), item.note))
    return result


def spot(item: BillItem) -> BillItem:
    return BillItem(item.category, item.resource, item.sku, item.quantity, item.price_field,
                    item.multiplier * SPOT_FRACTION, f"spot, estimated at {SPOT_FRACTION:.0%} of on-demand")
