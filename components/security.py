"""Security group rules shared by the data-service components."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def allow_tcp_from_security_group(
    name: str,
    *,
    security_group_id: pulumi.Input[str],
    port: int,
    source_security_group_id: pulumi.Input[str],
    description: str,
    parent: pulumi.Resource,
) -> aws.vpc.SecurityGroupIngressRule:
    """One ingress rule: `port`/tcp from members of another security group (never a CIDR)."""
    return aws.vpc.SecurityGroupIngressRule(
        name,
        security_group_id=security_group_id,
        description=description,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        referenced_security_group_id=source_security_group_id,
        opts=pulumi.ResourceOptions(parent=parent),
    )
