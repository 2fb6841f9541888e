"""An IAM role for exactly one Kubernetes service account (IRSA).

The trust policy names the cluster's OIDC provider and pins both `:sub` to
`system:serviceaccount:<namespace>:<name>` and `:aud` to `sts.amazonaws.com`, with StringEquals
(never a wildcard). The role gets one inline policy and, where AWS publishes the exact one a
controller needs, managed policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import pulumi
import pulumi_aws as aws

from components.iam import account_of, policy_document, role_boundary_arn

STS_AUDIENCE = "sts.amazonaws.com"


def irsa_trust_policy(provider_arn: str, issuer: str, namespace: str, service_account: str) -> str:
    """Trust for one service account; `issuer` is the OIDC issuer without its scheme."""
    issuer = issuer.removeprefix("https://")
    return policy_document([{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
            f"{issuer}:aud": STS_AUDIENCE,
        }},
    }])


@dataclass(frozen=True)
class IrsaRoleArgs:
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    namespace: str
    service_account: str
    description: str
    policy: pulumi.Input[str] | None = None
    managed_policy_arns: Sequence[str] = field(default_factory=tuple)
    # Where the component's name would make too long a role name (Pulumi's auto-name: the logical
    # name and 8 characters; IAM allows 64): a short prefix, the provider adds a unique suffix.
    name_prefix: str | None = None


class IrsaRole(pulumi.ComponentResource):
    role: aws.iam.Role
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: IrsaRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:IrsaRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        trust = pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
            lambda values: irsa_trust_policy(str(values[0]), str(values[1]), args.namespace, args.service_account))
        self.role = aws.iam.Role(
            f"{name}-role",
            permissions_boundary=pulumi.Output.from_input(args.oidc_provider_arn).apply(
                lambda arn: role_boundary_arn(account_of(arn))),
            description=f"{args.description} ({args.namespace}/{args.service_account})",
            assume_role_policy=trust,
            name_prefix=args.name_prefix,
            opts=child,
        )
        if args.policy is not None:
            aws.iam.RolePolicy(f"{name}-policy", role=self.role.id, policy=args.policy, opts=child)
        for i, arn in enumerate(args.managed_policy_arns):
            aws.iam.RolePolicyAttachment(f"{name}-managed-{i}", role=self.role.name, policy_arn=arn, opts=child)
        self.arn = self.role.arn
        self.register_outputs({"arn": self.arn, "serviceAccount": f"{args.namespace}/{args.service_account}"})

