"""The settings every bucket of the stack gets, as separate resources (pulumi-aws v7 style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.args_form import from_args


@dataclass(frozen=True)
class BucketBaseline:
    public_access_block: aws.s3.BucketPublicAccessBlock
    ownership: aws.s3.BucketOwnershipControls
    versioning: aws.s3.BucketVersioning
    encryption: aws.s3.BucketServerSideEncryptionConfiguration


def stack_bucket(name: str, bucket_prefix: str, *, protect: bool, keep_contents: bool,
                 parent: pulumi.Resource) -> aws.s3.Bucket:
    """A bucket of the stack, `{name}-bucket`: protected with the stack's data, and emptied on delete
    only where nothing asks to keep it (unprotected dev stacks; a bucket that holds objects or
    versions cannot be deleted)."""
    return from_args(
        aws.s3.Bucket, f"{name}-bucket",
        aws.s3.BucketArgs(bucket_prefix=bucket_prefix, force_destroy=not (protect or keep_contents)),
        pulumi.ResourceOptions(parent=parent, protect=protect),
    )


def secure_bucket_baseline(
    name: str,
    bucket: aws.s3.Bucket,
    *,
    parent: pulumi.Resource,
    sse_algorithm: str,
    kms_key_arn: pulumi.Input[str] | None = None,
) -> BucketBaseline:
    """All four public-access blocks, owner-enforced ownership (no ACLs), versioning, default encryption."""
    child = pulumi.ResourceOptions(parent=parent)
    return BucketBaseline(
        public_access_block=aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        ),
        ownership=aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        ),
        versioning=aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        ),
        encryption=aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm=sse_algorithm,
                    kms_master_key_id=kms_key_arn,
                ),
                bucket_key_enabled=sse_algorithm == "aws:kms",
            )],
            opts=child,
        ),
    )


def deny_insecure_transport(bucket_arn: str) -> dict[str, Any]:
    """Bucket-policy statement refusing every request that is not over TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
