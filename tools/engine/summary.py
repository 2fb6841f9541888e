"""The offline preview's text report of a plan: resources by type, the component tree, outputs,
policy violations, and on request the estimated monthly cost and first-deploy timeline."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TextIO


def _tree(plan: dict[str, Any]) -> list[str]:
    """Component tree: components with their children's type counts, indented by depth."""
    by_parent: dict[str | None, list[dict[str, Any]]] = {}
    urns = {r["urn"] for r in plan["resources"]}
    for r in plan["resources"]:
        parent = r["parent"] if r["parent"] in urns else None
        by_parent.setdefault(parent, []).append(r)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        children = by_parent.get(parent, [])
        components = [c for c in children if not c["custom"]]
        counts = Counter(c["type"] for c in children if c["custom"])
        for type_, count in sorted(counts.items()):
            lines.append(f"{'  ' * depth}{count:>3} x {type_}")
        for c in components:
            lines.append(f"{'  ' * depth}{c['name']} ({c['type']})")
            walk(c["urn"], depth + 1)

    walk(None, 1)
    return lines


def summarize(plan: dict[str, Any], out: TextIO) -> None:
    resources = plan["resources"]
    custom = [r for r in resources if r["custom"]]
    print(f"Offline plan of {plan['project']}/{plan['stack']}: {len(custom)} resources, "
          f"{len(resources) - len(custom)} components", file=out)
    print("\nResources by type:", file=out)
    for type_, count in sorted(Counter(r["type"] for r in custom).items()):
        print(f"  {count:>3}  {type_}", file=out)
    print("\nComponents:", file=out)
    for line in _tree(plan):
        print(line, file=out)
    print("\nOutputs:", file=out)
    for name, value in plan["outputs"].items():
        print(f"  {name}: {json.dumps(value)}", file=out)
    print_violations(plan["violations"], out)


def resource_of(urn: str) -> str:
    """`name (type)` from a Pulumi URN (urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME); the URN when it is not one."""
    parts = urn.split("::")
    if len(parts) < 4:
        return urn
    return f"{parts[3]} ({parts[2].split('$')[-1]})"


def ordered_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mandatory first (they fail the plan), then advisory; stable within each."""
    return sorted(violations, key=lambda v: v["enforcement"] != "mandatory")


def violation_line(v: dict[str, Any]) -> str:
    return f"[{v['enforcement']}] {v['policy']} on {resource_of(str(v['urn']))}: {v['message']}"


def print_violations(violations: list[dict[str, Any]], out: TextIO) -> None:
    mandatory = sum(1 for v in violations if v["enforcement"] == "mandatory")
    print(f"\nPolicy violations: {len(violations)} ({mandatory} mandatory, {len(violations) - mandatory} advisory)",
          file=out)
    for v in ordered_violations(violations):
        print(f"  {violation_line(v)}", file=out)


def print_cost(cost: dict[str, Any], out: TextIO) -> None:
    as_of = cost["pricesAsOf"] or "none: no price file for this region"
    print(f"\nEstimated monthly cost ({cost['region']}, on-demand list prices as of {as_of}):", file=out)
    for line in cost["lines"]:
        note = f"  ({line['note']})" if line["note"] else ""
        print(f"  {line['category']:<28} {line['sku']:<38} x {line['quantity']:>6g}  {line['monthly_usd']:>9.2f} USD{note}",
              file=out)
    unpriced = cost.get("unpricedLines", [])
    for line in unpriced:
        print(f"  {line['category']:<28} {line['sku']:<38} x {line['quantity']:>6g}  {'UNPRICED':>13}  ({line['reason']})",
              file=out)
    total = cost["totalMonthlyUsd"]
    if total is not None:
        print(f"  {'Total':<28} {'':<38}   {'':>6}  {total:>9.2f} USD", file=out)
    else:
        # A partial sum is not a total: say how much is unknown instead of printing a smaller number.
        subtotal = (f"priced lines sum to {cost['pricedSubtotalUsd']:.2f} USD" if cost["lines"]
                    else "no line has a price")
        print(f"  {'Total':<28} {'':<38}   {'':>6}  {'UNPRICED':>13}  ({len(unpriced)} of "
              f"{len(unpriced) + len(cost['lines'])} lines have no price; {subtotal})", file=out)
    if not cost["pricesAsOf"]:
        print(f"  No price file pricing/prices/{cost['region']}.json: build it with "
              f"`python -m pricing.refresh --region {cost['region']}` (needs AWS credentials)", file=out)
    print("  Not estimated: " + "; ".join(cost["notEstimated"]), file=out)


def print_timeline(timeline: dict[str, Any], out: TextIO) -> None:
    print(f"\nEstimated first `pulumi up`: about {timeline['estimatedMinutes']} minutes; the longest chain:", file=out)
    for step in timeline["criticalPath"]:
        print(f"  {step['finishSeconds'] // 60:>3}:{step['finishSeconds'] % 60:02d}  +{step['seconds']:>4}s  "
              f"{step['name']} ({step['type']})", file=out)
