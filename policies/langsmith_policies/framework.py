"""Policy rules as plain functions over a resource's type and camelCase properties.

The same rules run three ways: inside `pulumi preview --policy-pack policies` (wrapped into
CrossGuard policies by `policies/__main__.py`), in the tests, and over a saved offline plan
(`tools.check_plan`). A rule never sees the engine directly, only `ResourceView`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

Enforcement = Literal["mandatory", "advisory"]


@dataclass(frozen=True)
class ResourceView:
    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    parent: str | None = None
    dependencies: Sequence[str] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    protect: bool = False
    # The physical ID once known (plans carry it; CrossGuard has it in props after create).
    id: str | None = None


@dataclass(frozen=True)
class StackContext:
    """What stack-level rules may know besides the resources: the stack's profile, from its tags."""

    production: bool


@dataclass(frozen=True)
class ResourceRule:
    name: str
    description: str
    enforcement: Enforcement
    types: frozenset[str]
    check: Callable[[ResourceView, StackContext], Iterable[str]]


@dataclass(frozen=True)
class StackRule:
    name: str
    description: str
    enforcement: Enforcement
    check: Callable[[Sequence[ResourceView], StackContext], Iterable[tuple[str, str]]]


Rule = ResourceRule | StackRule


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: Enforcement
    urn: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"policy": self.policy, "enforcement": self.enforcement, "urn": self.urn, "message": self.message}


def evaluate(rules: Sequence[Rule], resources: Sequence[ResourceView], context: StackContext) -> list[Violation]:
    violations: list[Violation] = []
    for rule in rules:
        if isinstance(rule, ResourceRule):
            for resource in resources:
                if resource.type in rule.types:
                    violations.extend(Violation(rule.name, rule.enforcement, resource.urn, message)
                                      for message in rule.check(resource, context))
        else:
            violations.extend(Violation(rule.name, rule.enforcement, urn, message)
                              for urn, message in rule.check(resources, context))
    return violations


PROFILE_TAG = "langsmith:profile"


def stack_context(resources: Sequence[ResourceView]) -> StackContext:
    """Production unless the AWS provider's default tags say the profile is dev."""
    import json
    for r in resources:
        if r.type == "pulumi:providers:aws":
            tags = r.props.get("defaultTags") or {}
            if isinstance(tags, str):
                tags = json.loads(tags)
            profile = (tags.get("tags") or {}).get(PROFILE_TAG) if isinstance(tags, Mapping) else None
            if profile is not None:
                return StackContext(production=profile != "dev")
    return StackContext(production=True)
