"""Helpers that build IAM policy documents as JSON text, so tests can read them back."""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

Statement = Mapping[str, Any]

# The permissions boundary every role of the stack carries (iam/role-boundary.json, created once per
# account by its admin): the deployer may create and change roles only with it attached, so no role
# it makes can manage IAM or reach past what the stacks' roles need (docs/security.md).
ROLE_BOUNDARY_NAME = "langsmith-role-boundary"


def role_boundary_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:policy/{ROLE_BOUNDARY_NAME}"


def account_of(arn: str) -> str:
    """The account ID field of an ARN."""
    return arn.split(":")[4]


def policy_document(statements: Sequence[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def plain_service_trust_policy(service: str) -> str:
    """Trust policy for a service principal that sends no source-account context when it assumes
    the role: a condition on aws:SourceAccount would never match, and the service could never use it."""
    return policy_document([{
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }])


def service_trust_policy(service: str, account_id: str, source_arn_like: str | None = None) -> str:
    """Trust policy for an AWS service principal, bound to our account (confused-deputy guard)."""
    condition: dict[str, Any] = {"StringEquals": {"aws:SourceAccount": account_id}}
    if source_arn_like is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn_like}
    return policy_document([{
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        "Condition": condition,
    }])
