"""The CI job summary per stack: resource count, cost and its change against the base, violations."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from tools import ci_summary

URN = "urn:pulumi:prod::langsmith-aws::langsmith:data:Postgres$aws:rds/instance:Instance::ls-prod-pg"


def plan(resources: int, total: float | None, violations: list[dict[str, str]] | None = None,
         subtotal: float | None = None) -> dict[str, Any]:
    return {"project": "langsmith-aws", "stack": "prod",
            "resources": [{"urn": f"u{i}", "custom": True} for i in range(resources)]
            + [{"urn": "component", "custom": False}],
            "outputs": {}, "violations": violations or [],
            "cost": {"totalMonthlyUsd": total, "pricedSubtotalUsd": subtotal}}


def summary(tmp_path: Path, new: dict[str, Any] | None, base: dict[str, Any] | None, exit_code: int) -> str:
    args = ["--stack", "prod", "--plan", str(tmp_path / "plan.json"), "--exit-code", str(exit_code)]
    if new is not None:
        (tmp_path / "plan.json").write_text(json.dumps(new))
    if base is not None:
        (tmp_path / "base.json").write_text(json.dumps(base))
        args += ["--base", str(tmp_path / "base.json")]
    out = io.StringIO()
    assert ci_summary.main(args, out=out) == 0
    return out.getvalue()


def test_a_failing_plan_shows_count_cost_change_and_violations_mandatory_first(tmp_path: Path) -> None:
    violations = [{"policy": "advice", "enforcement": "advisory", "urn": "urn:x", "message": "consider"},
                  {"policy": "rds-encrypted", "enforcement": "mandatory", "urn": URN, "message": "a | b"}]
    text = summary(tmp_path, plan(120, 1100.0, violations), plan(118, 1000.0), exit_code=1)
    assert "### Offline plan `prod`: fails: mandatory policy violated" in text
    assert "| 120 (base: 118) | 1,100.00 USD | +100.00 USD (+10.0%) | 1 mandatory, 1 advisory |" in text
    rows = [line for line in text.splitlines() if line.startswith("| mandatory") or line.startswith("| advisory")]
    assert rows == ["| mandatory | `rds-encrypted` | ls-prod-pg (aws:rds/instance:Instance) | a \\| b |",
                    "| advisory | `advice` | urn:x | consider |"]


def test_a_passing_plan_without_a_base_says_so(tmp_path: Path) -> None:
    text = summary(tmp_path, plan(10, 50.0), None, exit_code=0)
    assert "`prod`: passes" in text
    assert "| 10 | 50.00 USD | no base plan | 0 mandatory, 0 advisory |" in text
    assert "| enforcement |" not in text


def test_partial_and_unchanged_costs(tmp_path: Path) -> None:
    text = summary(tmp_path, plan(3, None, subtotal=20.0), plan(3, None, subtotal=20.0), exit_code=0)
    assert "20.00 USD (partial: some lines unpriced) | no change |" in text


def test_a_missing_plan_still_writes_a_summary(tmp_path: Path) -> None:
    text = summary(tmp_path, None, None, exit_code=2)
    assert "fails: config invalid" in text and "No plan was written" in text
