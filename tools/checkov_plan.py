"""Convert an offline plan (`tools.preview --json`) into the Terraform plan JSON checkov reads
(`checkov --framework terraform_plan`), and gate checkov's result on the accepted findings.

    .venv/bin/python -m tools.checkov_plan convert plan-prod.json plan-prod.tf.json
    .venv/bin/python -m tools.checkov_plan gate checkov-prod.json --stack prod --plan plan-prod.tf.json
        # exit 1 on a finding not accepted, or when checkov did not read every converted resource

checkov has no Pulumi framework. The conversion (tools/engine/tf_plan.py) writes what
`terraform show -json` prints for a first plan of the same resources: Terraform types and
attribute names, and the references between resources in the `configuration` section, from which
checkov's graph draws the edges its connection checks (CKV2_*) follow. Every finding fails the
gate unless policies/checkov-accepted.json accepts it for the stack, with its reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Mapping, Sequence, TextIO

from tools.engine.tf_plan import TF_TYPES, convert

__all__ = ["TF_TYPES", "convert", "coverage_problems", "failed_checks", "findings", "gate", "main"]

_ACCEPTED = Path(__file__).resolve().parent.parent / "policies" / "checkov-accepted.json"


def _reports(report: Any) -> list[Mapping[str, Any]]:
    return report if isinstance(report, list) else [report]


def findings(report: Any) -> set[tuple[str, str]]:
    """(check ID, resource address) of every failed check in checkov's JSON output (one report or
    a list of them)."""
    return {(c["check_id"], str(c.get("resource", ""))) for r in _reports(report)
            for c in (r.get("results") or {}).get("failed_checks") or []}


def failed_checks(report: Any) -> set[str]:
    """The IDs of the failed checks."""
    return {check for check, _ in findings(report)}


def _accepts(entry: Any, resource: str) -> bool:
    """An accepted finding is a reason (every resource) or {"why", "resources": [address globs]}."""
    if isinstance(entry, str):
        return True
    return any(fnmatch(resource, pattern) for pattern in entry.get("resources", []))


def gate(report: Any, stack: str, accepted: Mapping[str, Any]) -> list[str]:
    """Findings ("CHECK on RESOURCE") that policies/checkov-accepted.json does not accept for this stack."""
    entries = [accepted.get("every stack", {}), accepted.get(stack, {})]
    return sorted(f"{check} on {resource}" for check, resource in findings(report)
                  if not any(check in e and _accepts(e[check], resource) for e in entries))


def coverage_problems(report: Any, converted: Mapping[str, Any]) -> list[str]:
    """Why the report does not cover the converted plan, if it does not: checkov answers a plan it
    cannot read (or an empty one) with an empty summary and no failed check, which would pass the gate."""
    expected = len(converted["planned_values"]["root_module"]["resources"])
    plans = [r for r in _reports(report) if r.get("check_type") == "terraform_plan"]
    if not plans:
        return [f"checkov reported no terraform_plan results ({expected} resources converted): it read nothing"]
    summary = plans[0].get("summary") or {}
    problems = []
    if summary.get("parsing_errors"):
        problems.append(f"checkov could not parse the plan ({summary['parsing_errors']} parsing errors)")
    if summary.get("resource_count") != expected:
        problems.append(f"checkov read {summary.get('resource_count')} resources of the {expected} converted")
    return problems


def unused(report: Any, stack: str, accepted: Mapping[str, Any]) -> list[str]:
    """Findings accepted for this stack alone that no longer fail: the list should shrink with them."""
    return sorted(set(accepted.get(stack, {})) - failed_checks(report))


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.checkov_plan",
                                     description="Offline plans for checkov, and the gate on its findings.")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert")
    c.add_argument("plan", type=Path)
    c.add_argument("out", type=Path)
    g = sub.add_parser("gate")
    g.add_argument("report", type=Path)
    g.add_argument("--stack", required=True)
    g.add_argument("--plan", type=Path, required=True, help="the converted plan checkov read (its resources are counted)")
    args = parser.parse_args(argv)
    if args.command == "convert":
        document = convert(json.loads(args.plan.read_text()))
        args.out.write_text(json.dumps(document, indent=1))
        print(f"{args.out}: {len(document['planned_values']['root_module']['resources'])} resources; not converted: "
              f"{', '.join(document['skipped']) or 'none'}", file=out)
        return 0
    report = json.loads(args.report.read_text())
    accepted = json.loads(_ACCEPTED.read_text())
    uncovered = coverage_problems(report, json.loads(args.plan.read_text()))
    for problem in uncovered:
        print(f"{args.stack}: {problem}", file=out)
    unexpected = gate(report, args.stack, accepted)
    for check in unused(report, args.stack, accepted):
        print(f"{args.stack}: {check} is accepted for {args.stack} but no longer fails: remove it from "
              f"policies/checkov-accepted.json", file=out)
    for finding in unexpected:
        print(f"{args.stack}: checkov {finding} fails and is not accepted in policies/checkov-accepted.json",
              file=out)
    return 1 if unexpected or uncovered else 0


if __name__ == "__main__":
    sys.exit(main())
