"""Run the policy pack's rules over an offline plan (the preview's JSON format)."""

from __future__ import annotations

import sys
from typing import Any, Mapping

from tools.engine.harness import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "policies"))  # the pack's own import root

from langsmith_policies import ALL_RULES, ResourceView, evaluate, stack_context  # noqa: E402
from langsmith_policies.rules import WHY  # noqa: E402

__all__ = ["ALL_RULES", "WHY", "check_plan", "plan_views"]


def plan_views(plan: Mapping[str, Any]) -> list[ResourceView]:
    return [ResourceView(
        urn=r["urn"], type=r["type"], name=r["name"], props=r.get("inputs") or {},
        parent=r.get("parent"), dependencies=r.get("dependencies") or [],
        protect=bool(r.get("protect")), id=r.get("id"),
    ) for r in plan.get("resources", [])]


def check_plan(plan: Mapping[str, Any]) -> list[dict[str, str]]:
    views = plan_views(plan)
    return [v.as_dict() for v in evaluate(ALL_RULES, views, stack_context(views))]
