"""The LangSmith-on-AWS policy pack's rules, importable without starting the pack."""

from langsmith_policies.framework import (
    ResourceRule,
    ResourceView,
    Rule,
    StackContext,
    StackRule,
    Violation,
    evaluate,
    stack_context,
)
from langsmith_policies.rules import ALL_RULES

__all__ = ["ALL_RULES", "ResourceRule", "ResourceView", "Rule", "StackContext", "StackRule", "Violation", "evaluate", "stack_context"]
