"""Run the policy pack over a plan file in the offline preview's JSON format.

    python -m tools.check_plan plan.json

Prints each violation with its rule, level, resource and message. Exit status: 0 no mandatory
violation, 1 at least one, 2 the file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence, TextIO

from tools.engine.policy_check import check_plan


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.check_plan", description="Check a plan against the policy pack.")
    parser.add_argument("plan", type=Path, help="plan JSON written by python -m tools.preview --json")
    args = parser.parse_args(argv)
    try:
        plan = json.loads(args.plan.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read {args.plan}: {exc}", file=err)
        return 2
    violations = check_plan(plan)
    for v in violations:
        print(f"[{v['enforcement']}] {v['policy']}: {v['message']}\n    resource: {v['urn']}", file=out)
    mandatory = sum(v["enforcement"] == "mandatory" for v in violations)
    print(f"{len(violations)} violations ({mandatory} mandatory)", file=out)
    return 1 if mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
