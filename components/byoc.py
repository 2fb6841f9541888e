"""BYOC: what LangChain's control plane needs in the user's account to run deployments there.

- The cross-account role it assumes: trusted only for the control plane's role, only with the
  ExternalId the user shares with LangChain. Its permissions are the AWS managed policies of the
  BYOC documentation, nothing added: ECS service autoscaling is covered by AmazonECS_FullAccess.
- The network tags the control plane discovers the VPC and subnets by (tags created here on an
  existing VPC; a new VPC gets them from the Network component, see `BYOC_*_TAGS`).
- The ECR repository the `langgraph build` image is pushed to: immutable tags, scan on push, KMS,
  a lifecycle policy, and a policy that lets only this account and the BYOC role pull.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_aws as aws

from components.iam import policy_document, role_boundary_arn

# Source of the managed policies, the tag keys and values and the role name: LangChain's BYOC module,
# langchain-ai/terraform modules/langgraph_cloud_setup/main.tf (`role_attachments`, `aws_ec2_tag`).
BYOC_MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonVPCReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonECS_FullAccess",
    "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonRDSFullAccess",
)
ENABLED_TAG = "langgraph-cloud-enabled"
PRIVATE_TAG = "langgraph-cloud-private"
BYOC_VPC_TAGS = {ENABLED_TAG: "1"}
BYOC_PUBLIC_SUBNET_TAGS = {ENABLED_TAG: "1", PRIVATE_TAG: "0"}
BYOC_PRIVATE_SUBNET_TAGS = {ENABLED_TAG: "1", PRIVATE_TAG: "1"}
PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
UNTAGGED_IMAGE_DAYS = 14


def byoc_trust_policy(principal_arn: str, external_id: str) -> str:
    return policy_document([{
        "Effect": "Allow",
        "Principal": {"AWS": principal_arn},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
    }])


@dataclass(frozen=True)
class ExistingNetworkToTag:
    vpc_id: str
    public_subnet_ids: Sequence[str]
    private_subnet_ids: Sequence[str]


@dataclass(frozen=True)
class ByocRoleArgs:
    account_id: str
    role_name: str
    trusted_principal_arn: str
    external_id: pulumi.Input[str]
    max_session_duration_seconds: int
    permissions_boundary_arn: str | None
    ecr_repository_name: str
    ecr_kms_key_arn: pulumi.Input[str]
    keep_tagged_images: int
    tag_existing_network: ExistingNetworkToTag | None = None
    # Unprotected stacks delete the repository with its images (its name is fixed, so a kept
    # repository would block the next `pulumi up`).
    protect: bool = True


class ByocRole(pulumi.ComponentResource):
    role: aws.iam.Role
    repository: aws.ecr.Repository

    def __init__(self, name: str, args: ByocRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:ByocRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description="Assumed by LangChain's control plane to run LangGraph deployments in this account",
            assume_role_policy=pulumi.Output.secret(args.external_id).apply(
                lambda external_id: byoc_trust_policy(args.trusted_principal_arn, external_id)),
            max_session_duration=args.max_session_duration_seconds,
            # the user's own boundary, else the stack's (the deployer may create roles only with one)
            permissions_boundary=args.permissions_boundary_arn or role_boundary_arn(args.account_id),
            opts=child,
        )
        for policy_arn in BYOC_MANAGED_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy_arn.rsplit('/', 1)[-1]}", role=self.role.name, policy_arn=policy_arn, opts=child)

        if args.tag_existing_network is not None:
            self._tag_existing(name, args.tag_existing_network)

        self.repository = aws.ecr.Repository(
            f"{name}-images",
            name=args.ecr_repository_name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                encryption_type="KMS", kms_key=args.ecr_kms_key_arn)],
            force_delete=not args.protect,
            opts=child,
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-images",
            repository=self.repository.name,
            policy=json.dumps({"rules": [
                {"rulePriority": 1, "description": f"Drop untagged images after {UNTAGGED_IMAGE_DAYS} days",
                 "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                               "countNumber": UNTAGGED_IMAGE_DAYS},
                 "action": {"type": "expire"}},
                {"rulePriority": 2, "description": f"Keep the newest {args.keep_tagged_images} tagged images",
                 "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                               "countNumber": args.keep_tagged_images},
                 "action": {"type": "expire"}},
            ]}, sort_keys=True),
            opts=child,
        )
        account_root = f"arn:aws:iam::{args.account_id}:root"
        aws.ecr.RepositoryPolicy(
            f"{name}-images",
            repository=self.repository.name,
            policy=self.role.arn.apply(lambda role_arn: policy_document([
                {"Sid": "PullByAccountAndByocRole", "Effect": "Allow",
                 "Principal": {"AWS": [account_root, role_arn]}, "Action": PULL_ACTIONS},
                {"Sid": "NobodyOutsideTheAccount", "Effect": "Deny", "Principal": "*", "Action": "ecr:*",
                 "Condition": {"StringNotEquals": {"aws:PrincipalAccount": args.account_id}}},
            ])),
            opts=child,
        )
        self.register_outputs({"roleArn": self.role.arn, "repositoryUrl": self.repository.repository_url})

    def _tag_existing(self, name: str, network: ExistingNetworkToTag) -> None:
        targets: list[tuple[str, str, dict[str, str]]] = [("vpc", network.vpc_id, BYOC_VPC_TAGS)]
        targets += [(f"public-{i}", sid, BYOC_PUBLIC_SUBNET_TAGS) for i, sid in enumerate(network.public_subnet_ids)]
        targets += [(f"private-{i}", sid, BYOC_PRIVATE_SUBNET_TAGS) for i, sid in enumerate(network.private_subnet_ids)]
        for label, resource_id, tags in targets:
            for key, value in tags.items():
                aws.ec2.Tag(f"{name}-{label}-{key}", resource_id=resource_id, key=key, value=value,
                            opts=pulumi.ResourceOptions(parent=self))
