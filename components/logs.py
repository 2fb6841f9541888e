"""Every log group the stack creates: a fixed name, the stack's retention, the logs KMS key."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def log_group(resource_name: str, log_group_name: str, *, retention_days: int,
              kms_key_arn: pulumi.Input[str] | None, parent: pulumi.Resource) -> aws.cloudwatch.LogGroup:
    """A log group created before the service that writes to it, so our retention and key apply."""
    return aws.cloudwatch.LogGroup(
        resource_name,
        name=log_group_name,
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        opts=pulumi.ResourceOptions(parent=parent),
    )
