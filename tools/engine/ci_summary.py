"""The CI job summary of one stack's offline plan: resource count, estimated monthly cost and its
change against the base branch's plan, and the policy violations (mandatory first).

Markdown, for `$GITHUB_STEP_SUMMARY` (written by `python -m tools.ci_summary`)."""

from __future__ import annotations

from typing import Any, Mapping

from tools.engine.summary import ordered_violations, resource_of

EXIT_MEANINGS = {0: "passes", 1: "fails: mandatory policy violated", 2: "fails: config invalid",
                 3: "fails: the program crashed"}


def resource_count(plan: Mapping[str, Any]) -> int:
    return sum(1 for r in plan.get("resources", []) if r.get("custom"))


def monthly_cost(plan: Mapping[str, Any]) -> tuple[float | None, bool]:
    """(USD per month, complete?): a partial sum when some lines have no price, None when none has."""
    cost = plan.get("cost") or {}
    if cost.get("totalMonthlyUsd") is not None:
        return float(cost["totalMonthlyUsd"]), True
    subtotal = cost.get("pricedSubtotalUsd")
    return (float(subtotal) if subtotal is not None else None), False


def _usd(amount: float | None, complete: bool) -> str:
    if amount is None:
        return "not priced"
    return f"{amount:,.2f} USD" + ("" if complete else " (partial: some lines unpriced)")


def cost_change(plan: Mapping[str, Any], base: Mapping[str, Any] | None) -> str:
    if base is None:
        return "no base plan"
    new, _ = monthly_cost(plan)
    old, _ = monthly_cost(base)
    if new is None or old is None:
        return "not comparable (unpriced)"
    delta = new - old
    if abs(delta) < 0.005:
        return "no change"
    percent = f" ({delta / old:+.1%})" if old else ""
    return f"{delta:+,.2f} USD{percent}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(stack: str, plan: Mapping[str, Any] | None, base: Mapping[str, Any] | None, exit_code: int) -> str:
    verdict = EXIT_MEANINGS.get(exit_code, f"fails: exit status {exit_code}")
    lines = [f"### Offline plan `{stack}`: {verdict}", ""]
    if plan is None:
        lines.append("No plan was written: the error is in the step's log above.")
        return "\n".join(lines) + "\n"
    violations = list(plan.get("violations", []))
    mandatory = sum(1 for v in violations if v["enforcement"] == "mandatory")
    base_count = f" (base: {resource_count(base)})" if base is not None else ""
    amount, complete = monthly_cost(plan)
    lines += ["| resources | estimated monthly cost | change against the base branch | violations |",
              "| --- | --- | --- | --- |",
              f"| {resource_count(plan)}{base_count} | {_usd(amount, complete)} | {cost_change(plan, base)} "
              f"| {mandatory} mandatory, {len(violations) - mandatory} advisory |"]
    if violations:
        lines += ["", "| enforcement | rule | resource | message |", "| --- | --- | --- | --- |"]
        for v in ordered_violations(violations):
            lines.append(f"| {v['enforcement']} | `{v['policy']}` | {_cell(resource_of(str(v['urn'])))} "
                         f"| {_cell(str(v['message']))} |")
    return "\n".join(lines) + "\n"
