"""The rules of the pack."""

from __future__ import annotations

from langsmith_policies.framework import Rule

ALL_RULES: tuple[Rule, ...] = ()
