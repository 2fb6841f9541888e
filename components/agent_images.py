"""Where LangSmith Deployment's agent images come from: an ECR repository of the stack.

The langsmith chart names no agent registry: each deployment made in the LangSmith UI gives its
image URI (the operator's LGP `spec.serverSpec.image`). Pushing `langgraph build` images here keeps
them in the account, scanned and immutable:

- scan on push (basic scanning), so a pushed image has its findings before it is deployed;
- immutable tags: a tag a deployment runs is never rewritten under it;
- encrypted with the stack's data key; untagged images expire after UNTAGGED_DAYS.
- Pull rights: the nodes' role already has AmazonEC2ContainerRegistryReadOnly (components/cluster.py),
  which covers every repository of the account; no pull secret, no IRSA.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

UNTAGGED_DAYS = 14


def lifecycle_policy(untagged_days: int = UNTAGGED_DAYS) -> str:
    return json.dumps({"rules": [{
        "rulePriority": 1,
        "description": f"Expire untagged images after {untagged_days} days",
        "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                      "countNumber": untagged_days},
        "action": {"type": "expire"},
    }]})


@dataclass(frozen=True)
class AgentImagesArgs:
    name_prefix: str
    data_kms_key_arn: pulumi.Input[str]
    protect: bool


class AgentImages(pulumi.ComponentResource):
    repository: aws.ecr.Repository

    def __init__(self, name: str, args: AgentImagesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:AgentImages", name, None, opts)
        self.repository = aws.ecr.Repository(
            f"{name}-repository",
            name=repository_name(args.name_prefix),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                encryption_type="KMS", kms_key=args.data_kms_key_arn)],
            # Protected stacks keep the images with the repository; others may delete it with them.
            force_delete=not args.protect,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.ecr.LifecyclePolicy(f"{name}-lifecycle", repository=self.repository.name, policy=lifecycle_policy(),
                                opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"repositoryUrl": self.repository.repository_url})


def repository_name(name_prefix: str) -> str:
    """ECR repository names: lowercase, digits, . _ - and / (the name prefix already is)."""
    return f"{name_prefix}/agents"
