"""LangSmith on AWS: read the stack's settings, then build the stack's shape from components.

Settings are validated before anything is registered: a bad config stops here, with one message.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.kms import EncryptionKeys, EncryptionKeysArgs
from components.network import ExistingNetwork, Network, NetworkArgs
from settings import ConfigError, ConfigIssue, Settings, load_settings

settings: Settings = load_settings()


def availability_zones(settings: Settings) -> list[str]:
    """The zones to use: from config, or the first available ones of the region."""
    configured = settings.network.availability_zones
    if configured is not None:
        return list(configured)
    available = aws.get_availability_zones(
        state="available",
        filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
    ).names
    if len(available) < settings.network.az_count:
        raise ConfigError([ConfigIssue(
            "network.azCount", settings.network.az_count,
            f"the region {settings.region} has only {len(available)} available zones: {', '.join(available)}")],
            settings.project)
    return list(available[: settings.network.az_count])


# Lookups first, so that a region mismatch is still a config error with nothing registered.
account_id = aws.get_caller_identity().account_id
zones = availability_zones(settings) if settings.network.existing is None else []

# Every AWS resource goes through this provider, so every resource carries the stack's tags.
aws_provider = aws.Provider(
    "aws",
    region=settings.region,
    default_tags=aws.ProviderDefaultTagsArgs(tags=settings.resource_tags()),
)
with_aws = pulumi.ResourceOptions(providers=[aws_provider])

keys = EncryptionKeys("keys", EncryptionKeysArgs(
    name_prefix=settings.name_prefix,
    account_id=account_id,
    region=settings.region,
    protect=settings.protect_data,
), opts=with_aws)

existing = settings.network.existing
network = Network("network", NetworkArgs(
    name_prefix=settings.name_prefix,
    region=settings.region,
    account_id=account_id,
    availability_zones=zones,
    cidr=settings.network.cidr,
    nat_gateways=settings.network.nat_gateways,
    interface_endpoints=settings.network.interface_endpoints,
    log_retention_days=settings.log_retention_days,
    logs_kms_key_arn=keys.logs_key.arn,
    cluster_name=settings.cluster_name,
    existing=ExistingNetwork(
        vpc_id=existing.vpc_id,
        public_subnet_ids=existing.public_subnet_ids,
        private_subnet_ids=existing.private_subnet_ids,
        data_subnet_ids=existing.data_subnet_ids,
    ) if existing else None,
), opts=with_aws)

pulumi.export("region", settings.region)
pulumi.export("shape", settings.shape.value)
pulumi.export("profile", settings.profile.value)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("dataSubnetIds", network.data_subnet_ids)
