"""The IAM principal behind a caller ARN, as EKS access entries see it.

`sts get-caller-identity` answers with the session ARN of an assumed role
(`arn:aws:sts::111122223333:assumed-role/Deployer/session-1`); EKS grants the cluster creator's
admin access entry to the role itself (`arn:aws:iam::111122223333:role/Deployer`), so every
comparison with configured role ARNs goes through `principal_arn`.
"""

from __future__ import annotations

import re

_ASSUMED_ROLE = re.compile(r"arn:(?P<partition>aws[a-z-]*):sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/.+")


def principal_arn(caller_arn: str, role_path: str = "/") -> str:
    """The IAM principal ARN of a caller: the role for an assumed-role session, else the ARN itself.

    An STS session ARN omits the role's path; pass it (`/ci/`) when the role has one, since the
    access entry names the role with its path.
    """
    match = _ASSUMED_ROLE.fullmatch(caller_arn)
    if not match:
        return caller_arn
    path = role_path if role_path.startswith("/") and role_path.endswith("/") else "/"
    return f"arn:{match['partition']}:iam::{match['account']}:role{path}{match['role']}"


def role_name(role_arn: str) -> str:
    """The last path element of a role ARN (`arn:aws:iam::1:role/ci/Deployer` -> `Deployer`)."""
    return role_arn.rsplit("/", 1)[-1]
