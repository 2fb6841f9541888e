"""The IAM principal behind a caller ARN, as EKS access entries see it.

`sts get-caller-identity` answers with the session ARN of an assumed role
(`arn:aws:sts::111122223333:assumed-role/Deployer/session-1`); EKS grants the cluster creator's
admin access entry to the role itself (`arn:aws:iam::111122223333:role/Deployer`), so every
comparison with configured role ARNs goes through `principal_arn`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping, Sequence

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


_ROLE = re.compile(r"arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]+)")


def same_principal(one: str, other: str) -> bool:
    """Whether two ARNs name the same IAM principal: roles match on partition, account and name
    whatever path either spells (a role name is unique in an account; an SSO role's path is
    /aws-reserved/sso.amazonaws.com/ and a listed ARN may omit it); anything else matches exactly."""
    one, other = principal_arn(one), principal_arn(other)
    a, b = _ROLE.fullmatch(one), _ROLE.fullmatch(other)
    if a is None or b is None:
        return one == other
    return all(a[k] == b[k] for k in ("partition", "account", "name"))


# -- who may be listed in cluster.adminRoleArns ------------------------------------------------------
#
# The cluster is created with bootstrapClusterCreatorAdminPermissions (pulumi-eks sets it), so EKS
# itself gives the principal that calls CreateCluster an admin access entry. The stack makes one
# more entry per cluster.adminRoleArns item (CreateAccessEntry); for a principal that already has
# an entry the stack did not make, that call fails with ResourceInUseException
# (pulumi/pulumi-eks#2373). Which principal that is depends on whether the cluster exists yet:
# - creating it: the caller becomes the creator, so the caller must not be listed;
# - it exists: the creator is whoever holds the entry EKS made with the cluster (ListAccessEntries
#   shows it, DescribeAccessEntry dates it: created with the cluster, while every entry the stack
#   makes follows the cluster's creation by the minutes EKS takes to make the control plane).
#   A caller that is not the creator may be listed: its entry is the stack's own (the in-VPC
#   runner's role, added by a deploy from a machine that had access).

# An entry created this close to the cluster is the one CreateCluster made; the stack's own
# entries wait for the cluster to be ACTIVE, which takes EKS several minutes.
BOOTSTRAP_ENTRY_WINDOW = timedelta(minutes=2)


@dataclass(frozen=True)
class ExistingCluster:
    """What the account says about a cluster that already exists."""

    name: str
    created_at: datetime
    # Access entries' principals -> when each was made (None: not read); None when they could not be listed.
    entries: Mapping[str, datetime | None] | None


@dataclass(frozen=True)
class ListedCreator:
    """An item of cluster.adminRoleArns that names the cluster's creator: CreateAccessEntry would fail."""

    index: int
    arn: str
    why: str


def creators(cluster: ExistingCluster) -> list[str]:
    """The principals whose access entry EKS made with the cluster (its creator's, normally one)."""
    return sorted(arn for arn, made in (cluster.entries or {}).items()
                  if made is not None and abs(made - cluster.created_at) <= BOOTSTRAP_ENTRY_WINDOW)


def listed_creators(admin_role_arns: Sequence[str], caller: str,
                    cluster: ExistingCluster | None) -> list[ListedCreator]:
    """The items of cluster.adminRoleArns that name the cluster creator, for a cluster about to be
    created by `caller` (cluster None) or one that exists (its creator read from its entries)."""
    if cluster is None:
        return [ListedCreator(i, arn, f"is the principal running this deployment ({caller}), which creates the "
                              "cluster and which EKS therefore makes cluster admin itself; a second access entry "
                              "for it fails cluster creation (ResourceInUseException, pulumi/pulumi-eks#2373)")
                for i, arn in enumerate(admin_role_arns) if same_principal(arn, caller)]
    made_with_cluster = creators(cluster)
    return [ListedCreator(i, arn, f"is the principal that created cluster {cluster.name} (its access entry dates "
                          f"from the cluster's creation, {cluster.created_at:%Y-%m-%d %H:%M} UTC), which EKS made "
                          "cluster admin itself; the stack cannot add a second access entry for it "
                          "(ResourceInUseException, pulumi/pulumi-eks#2373)")
            for i, arn in enumerate(admin_role_arns) if any(same_principal(arn, c) for c in made_with_cluster)]


def has_entry(cluster: ExistingCluster, principal: str) -> bool | None:
    """Whether the principal has an access entry (None: the entries could not be read)."""
    if cluster.entries is None:
        return None
    return any(same_principal(arn, principal) for arn in cluster.entries)
