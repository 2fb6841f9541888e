"""BYOC as LangChain runs it today: the role its control plane (us-east-2) assumes through Crossplane to
build and operate an EKS data plane in this account, and the break-glass role for its engineers.

Built from the facts of LangChain's `langsmith-byoc-role` Terraform module (langchain-ai/terraform@e27a2af,
modules/byoc/aws/langsmith-byoc-role: main.tf, policies.tf, break_glass_role.tf):
- the data-plane role trusts exactly the control plane's reconcile role, only with the external ID
  (`sts:ExternalId`, StringEquals); it carries the tag `langsmith-byoc-role=true`;
- its permissions are ten customer-managed policies `<role name>-<group>` (components/byoc_eks_policies.py),
  each under IAM's 6,144-character limit (compact JSON; tests/test_byoc_eks.py measures every option);
- `LangSmithBYOCBreakGlass` (a fixed name: one per account) denies everyone until break glass is opened,
  and even then only LangChain's break-glass SSO role, for the named Identity Store users and source
  identities; it may only describe the data plane's EKS cluster.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import pulumi
import pulumi_aws as aws

from components.byoc_eks_policies import GROUPS, RoleOptions, group_statements, render

ROLE_TAG = {"langsmith-byoc-role": "true"}  # main.tf: tags = merge(var.tags, {...})
BREAK_GLASS_ROLE_NAME = "LangSmithBYOCBreakGlass"
# The module's policies sit at path "/"; ours sit under this path (names unchanged), so that the deploying
# principal's policy can scope its iam:*Policy* actions to them rather than to every policy of the account
# (iam:CreatePolicyVersion on any policy is a privilege escalation).
POLICY_PATH = "/langsmith-byoc/"  # break_glass_role.tf: fixed, not configurable
# break_glass_role.tf: empty identity lists become values no caller has, so nothing opens without names.
NO_USER_IDS = "__no_identitystore_user_ids_configured__"
NO_SOURCE_IDENTITIES = "__no_source_identities_configured__"


def compact_policy(statements: Sequence[dict[str, Any]]) -> str:
    """IAM counts a managed policy's characters without whitespace; compact JSON keeps the margin visible."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def data_plane_trust_policy(control_plane_role_arn: str, external_id: str) -> str:
    return compact_policy([{
        "Effect": "Allow",
        "Principal": {"AWS": control_plane_role_arn},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
    }])


@dataclass(frozen=True)
class BreakGlass:
    """Who may open the break-glass role (variables.tf `langsmith_*`/`break_glass_*`)."""
    control_plane_account_id: str
    principal_arn_patterns: Sequence[str]
    allow: bool = False
    identitystore_user_ids: Sequence[str] = ()
    source_identities: Sequence[str] = ()


def break_glass_trust_policy(bg: BreakGlass) -> str:
    return compact_policy([{
        "Effect": "Allow" if bg.allow else "Deny",
        "Principal": {"AWS": f"arn:aws:iam::{bg.control_plane_account_id}:root"},
        "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
        "Condition": {
            "ArnLike": {"aws:PrincipalArn": list(bg.principal_arn_patterns)},
            "StringEquals": {
                "identitystore:UserId": list(bg.identitystore_user_ids) or [NO_USER_IDS],
                "sts:SourceIdentity": list(bg.source_identities) or [NO_SOURCE_IDENTITIES],
            },
        },
    }])


def policy_documents(options: RoleOptions, *, account_id: str, control_plane_account_id: str,
                     role_name: str) -> dict[str, str]:
    """The ten managed policy documents, by group."""
    vpc_ids = tuple(options.byovpc_vpc_ids or ())
    return {group: compact_policy([render(s, account=account_id, control_plane_account=control_plane_account_id,
                                          role_name=role_name, vpc_ids=vpc_ids) for s in statements])
            for group, statements in group_statements(options).items()}


@dataclass(frozen=True)
class ByocEksRoleArgs:
    account_id: str
    role_name: str
    control_plane_role_arn: str
    external_id: pulumi.Input[str]
    options: RoleOptions
    break_glass: BreakGlass
    # BYOVPC on a VPC this stack builds: its ID, known once built (options.byovpc_vpc_ids is then []).
    byovpc_vpc_id: pulumi.Input[str] | None = None
    tags: dict[str, str] = field(default_factory=dict)


class ByocEksRole(pulumi.ComponentResource):
    role: aws.iam.Role
    break_glass_role: aws.iam.Role
    policies: dict[str, aws.iam.Policy]

    def __init__(self, name: str, args: ByocEksRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:ByocEksRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description="Role for LangSmith Control Plane to manage resources",
            # The trust carries the external ID: a secret from config to the state.
            assume_role_policy=pulumi.Output.secret(args.external_id).apply(
                lambda external_id: data_plane_trust_policy(args.control_plane_role_arn, external_id)),
            tags={**args.tags, **ROLE_TAG},
            opts=child,
        )
        control_plane_account_id = args.control_plane_role_arn.split(":")[4]  # main.tf: split(":", arn)[4]
        def documents(vpc_ids: Sequence[str] | None) -> dict[str, str]:
            options = args.options if vpc_ids is None else replace(args.options, byovpc_vpc_ids=list(vpc_ids))
            return policy_documents(options, account_id=args.account_id,
                                    control_plane_account_id=control_plane_account_id, role_name=args.role_name)
        built_vpc = args.byovpc_vpc_id
        self.policies = {}
        for group in GROUPS:
            document: pulumi.Input[str] = documents(None)[group] if built_vpc is None else \
                pulumi.Output.from_input(built_vpc).apply(lambda vpc_id, g=group: documents([vpc_id])[g])
            policy = aws.iam.Policy(f"{name}-{group}", name=f"{args.role_name}-{group}", path=POLICY_PATH,
                                    policy=document, tags=args.tags, opts=child)
            aws.iam.RolePolicyAttachment(f"{name}-{group}", role=self.role.name, policy_arn=policy.arn, opts=child)
            self.policies[group] = policy

        self.break_glass_role = aws.iam.Role(
            f"{name}-break-glass",
            name=BREAK_GLASS_ROLE_NAME,
            assume_role_policy=break_glass_trust_policy(args.break_glass),
            tags={**args.tags, "managed_by": "langsmith"},
            opts=child,
        )
        # Kubernetes access comes from the cluster's access entries; the role itself only finds the cluster.
        aws.iam.RolePolicy(
            f"{name}-break-glass-eks-describe",
            name="eks-describe",
            role=self.break_glass_role.id,
            policy=compact_policy([{"Effect": "Allow", "Action": "eks:DescribeCluster",
                                    "Resource": f"arn:aws:eks:*:{args.account_id}:cluster/*-smith-eks"}]),
            opts=child,
        )
        self.register_outputs({"roleArn": self.role.arn, "breakGlassRoleArn": self.break_glass_role.arn})
