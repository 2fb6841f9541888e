"""Run the policy pack's rules over an offline plan (the preview's JSON format)."""

from __future__ import annotations

import sys
from typing import Any, Mapping

from tools.harness import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "policies"))  # the pack's own import root

from langsmith_policies import ALL_RULES, ResourceView, StackContext, evaluate  # noqa: E402

PROFILE_TAG = "langsmith:profile"


def _views(plan: Mapping[str, Any]) -> list[ResourceView]:
    return [ResourceView(
        urn=r["urn"], type=r["type"], name=r["name"], props=r.get("inputs") or {},
        parent=r.get("parent"), dependencies=r.get("dependencies") or [],
        protect=bool(r.get("protect")),
    ) for r in plan.get("resources", [])]


def stack_context(plan: Mapping[str, Any]) -> StackContext:
    """Production unless the AWS provider's default tags say the profile is dev."""
    for r in plan.get("resources", []):
        if r["type"] == "pulumi:providers:aws":
            tags = (r.get("inputs") or {}).get("defaultTags") or {}
            if isinstance(tags, str):
                import json
                tags = json.loads(tags)
            profile = (tags.get("tags") or {}).get(PROFILE_TAG)
            if profile is not None:
                return StackContext(production=profile != "dev")
    return StackContext(production=True)


def check_plan(plan: Mapping[str, Any]) -> list[dict[str, str]]:
    return [v.as_dict() for v in evaluate(ALL_RULES, _views(plan), stack_context(plan))]
