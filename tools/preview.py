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
from pathlib import Path
from typing import Any, Sequence, TextIO

from settings import ConfigError
from settings.loader import ignored_provider_keys
from settings.placeholders import find_placeholders
from pricing.engine import estimate
from pricing.from_plan import items_from_plan
from tools.engine.diagram import mermaid
from tools.engine.harness import run_program
from tools.engine.plan import build_plan, sorted_violations, stable_order
from tools.engine.plan_diff import diff_plans, print_diff
from tools.engine.policy_check import check_plan
from tools.engine.stack_config import load_for_command
from tools.engine.summary import print_cost, print_timeline, print_violations, summarize
from tools.engine.timeline import timeline_summary

EXIT_OK, EXIT_VIOLATION, EXIT_CONFIG, EXIT_PROGRAM = 0, 1, 2, 3


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.preview", description="Offline preview of a stack under mocks.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="stack name: reads stacks/Pulumi.<stack>.yaml")
    source.add_argument("--config-file", type=Path, help="a stack config file to use instead")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the plan as JSON to PATH")
    parser.add_argument("--quiet", action="store_true",
                        help="print no summary (policy violations are printed all the same)")
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
                          secret_keys=config.secret_keys, secret_paths=config.secret_paths)
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
    elif plan["violations"]:
        # --quiet drops the report, never the reasons: a plan that fails (or warns) says why.
        print_violations(plan["violations"], out)
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
