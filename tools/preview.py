"""Offline preview: run the real program under mocks with a stack's config; no AWS, no Pulumi CLI.

    python -m tools.preview --stack dev [--json plan.json]
    python -m tools.preview --config-file path/to/Pulumi.mystack.yaml
    python -m tools.preview --stack prod --diff old-plan.json   # what a config change does

Exit status: 0 the plan is fine; 1 a mandatory policy is violated; 2 the config is invalid (the
message is on stderr); 3 the program itself failed (a bug: the traceback is printed).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, Sequence, TextIO

from settings import ConfigError
from settings.loader import ignored_provider_keys
from settings.placeholders import find_placeholders
from pricing.engine import estimate
from pricing.from_plan import items_from_plan
from tools.diagram import mermaid
from tools.harness import run_program
from tools.plan import build_plan, sorted_violations, stable_order
from tools.plan_diff import diff_plans, print_diff
from tools.policy_check import check_plan
from tools.stack_config import load_for_command
from tools.timeline import timeline_summary

EXIT_OK, EXIT_VIOLATION, EXIT_CONFIG, EXIT_PROGRAM = 0, 1, 2, 3


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
    violations = plan["violations"]
    print(f"\nPolicy violations: {len(violations)}", file=out)
    for v in violations:
        print(f"  [{v['enforcement']}] {v['policy']}: {v['message']} ({v['urn']})", file=out)


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


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.preview", description="Offline preview of a stack under mocks.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="stack name: reads stacks/Pulumi.<stack>.yaml")
    source.add_argument("--config-file", type=Path, help="a stack config file to use instead")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the plan as JSON to PATH")
    parser.add_argument("--quiet", action="store_true", help="print no summary")
    parser.add_argument("--cost", action="store_true", help="print the estimated monthly bill by line item")
    parser.add_argument("--timeline", action="store_true", help="print the estimated first-deploy time")
    parser.add_argument("--diff", type=Path, metavar="OLD.json",
                        help="print what changed against a plan written earlier with --json")
    parser.add_argument("--diagram", type=Path, metavar="PATH", help="write a Mermaid diagram of the stack to PATH")
    args = parser.parse_args(argv)

    old_plan: dict[str, Any] | None = None
    if args.diff:
        try:
            old_plan = json.loads(args.diff.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            print(f"error: cannot read the plan to diff against, {args.diff}: {exc}", file=err)
            return EXIT_CONFIG
    config = load_for_command(args.stack, args.config_file, err)
    if config is None:
        return EXIT_CONFIG
    try:
        run = run_program(config.values, stack=config.stack, project=config.project,
                          secret_keys=config.secret_keys)
    except ConfigError as exc:
        print(f"error: {config.source}: {exc}", file=err)
        return EXIT_CONFIG
    except Exception:  # noqa: BLE001 - a bug in the program: show it whole
        traceback.print_exc(file=err)
        return EXIT_PROGRAM

    # Documentation values are fine for a preview, never for AWS: `pulumi up` refuses them.
    for warning in ignored_provider_keys(config.values):
        print(f"warning: {warning}", file=err)
    for placeholder in find_placeholders(config.values, config.secret_keys):
        print(f"warning: {placeholder.key} = {placeholder.value!r} is {placeholder.why} "
              "(`pulumi up` refuses to start until it is replaced)", file=err)
    plan = stable_order(build_plan(run))
    plan["violations"] = sorted_violations(check_plan(plan))
    region = str(config.values.get("aws:region", "us-east-1"))
    plan["cost"] = estimate(items_from_plan(plan), region).as_dict()
    plan["timeline"] = timeline_summary(plan)
    if args.diagram:
        args.diagram.write_text(mermaid(plan))
    if args.json:
        args.json.write_text(json.dumps(plan, indent=2, sort_keys=False) + "\n")
    if not args.quiet:
        summarize(plan, out)
    if args.cost:
        print_cost(plan["cost"], out)
    if args.timeline:
        print_timeline(plan["timeline"], out)
    if old_plan is not None:
        print_diff(diff_plans(old_plan, plan), out, old_label=str(args.diff))
    mandatory = [v for v in plan["violations"] if v["enforcement"] == "mandatory"]
    return EXIT_VIOLATION if mandatory else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
