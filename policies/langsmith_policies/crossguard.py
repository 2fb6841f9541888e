"""Wrap the plain rules as CrossGuard policies for `pulumi preview --policy-pack policies`."""

from __future__ import annotations

from typing import Any, Callable

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from langsmith_policies.framework import ResourceRule, ResourceView, Rule, StackContext, stack_context

LEVELS = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY}


def _resource_view(args: ResourceValidationArgs) -> ResourceView:
    props = args.props
    return ResourceView(urn=args.urn, type=args.resource_type, name=args.name, props=props,
                        protect=bool(getattr(args.opts, "protect", False)), id=props.get("id"))


def _stack_views(args: StackValidationArgs) -> list[ResourceView]:
    return [ResourceView(
        urn=r.urn, type=r.resource_type, name=r.name, props=r.props,
        parent=r.parent.urn if r.parent is not None else None,
        dependencies=[d.urn for d in r.dependencies],
        property_dependencies={k: [d.urn for d in v] for k, v in r.property_dependencies.items()},
        protect=bool(getattr(r.opts, "protect", False)), id=r.props.get("id"),
    ) for r in args.resources]


def _resource_validator(rule: ResourceRule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type in rule.types:
            # Resource rules do not depend on the profile; production-only checks are stack rules.
            for message in rule.check(_resource_view(args), StackContext(production=True)):
                report(message, None)
    return validate


def to_policy(rule: Rule) -> Any:
    if isinstance(rule, ResourceRule):
        return ResourceValidationPolicy(name=rule.name, description=rule.description,
                                        enforcement_level=LEVELS[rule.enforcement],
                                        validate=_resource_validator(rule))

    def validate_stack(args: StackValidationArgs, report: ReportViolation) -> None:
        views = _stack_views(args)
        for urn, message in rule.check(views, stack_context(views)):
            report(message, urn)

    return StackValidationPolicy(name=rule.name, description=rule.description,
                                 enforcement_level=LEVELS[rule.enforcement], validate=validate_stack)
