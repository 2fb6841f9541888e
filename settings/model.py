"""Typed, validated settings of one stack.

Every stack-config key of the project namespace maps to a field here (camelCase alias = config
key). Models are frozen and reject unknown keys, so a typo is an error rather than a silently
ignored setting. Cross-field rules live in `Settings.check_cross_field_rules` and report the keys
they concern, so the loader can name them.
"""

from __future__ import annotations

import enum
import ipaddress
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.alias_generators import to_camel

from settings.profiles import LOG_RETENTION_DAYS


class Shape(str, enum.Enum):
    SELF_HOSTED = "self-hosted"
    HYBRID = "hybrid"
    BYOC = "byoc"


class Profile(str, enum.Enum):
    DEV = "dev"
    PRODUCTION = "production"
    PRODUCTION_LARGE = "production-large"

    @property
    def is_production(self) -> bool:
        return self is not Profile.DEV


class ConfigModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )


def _check_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise ValueError(f"must be one of the CloudWatch Logs retention periods: {allowed}")
    return days


def _check_vpc_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 CIDR block such as 10.0.0.0/16 ({exc})") from None
    if not 16 <= network.prefixlen <= 20:
        raise ValueError("must have a prefix length between /16 and /20 (AWS allows /16 at most; "
                         "smaller than /20 leaves too few pod IPs for EKS)")
    if not network.is_private:
        raise ValueError("must be a private (RFC 1918) range")
    return str(network)


def _check_cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value, strict=True))
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 CIDR block such as 203.0.113.0/24 ({exc})") from None


RetentionDays = Annotated[int, AfterValidator(_check_retention)]
VpcCidr = Annotated[str, AfterValidator(_check_vpc_cidr)]
Cidr = Annotated[str, AfterValidator(_check_cidr)]
VpcId = Annotated[str, StringConstraints(pattern=r"^vpc-[0-9a-f]{8,17}$")]
SubnetId = Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]{8,17}$")]
AvailabilityZone = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$")]
Region = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")]
NamePrefix = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,22}[a-z0-9]$")]

def _check_tag_key(key: str) -> str:
    if key.lower().startswith("aws:"):
        raise ValueError("tag keys starting with 'aws:' are reserved by AWS")
    return key


TagKey = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(_check_tag_key)]
TagValue = Annotated[str, StringConstraints(max_length=256)]

InterfaceEndpoint = Literal[
    "sts", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ec2", "elasticloadbalancing", "autoscaling"
]


class ExistingNetworkSettings(ConfigModel):
    """Bring your own VPC: the stack creates no VPC, subnets, gateways or routes."""

    vpc_id: VpcId = Field(description="ID of the existing VPC")
    public_subnet_ids: list[SubnetId] = Field(
        default_factory=list, description="Subnets for internet-facing load balancers only")
    private_subnet_ids: list[SubnetId] = Field(
        min_length=2, description="Subnets with NAT egress for the EKS nodes (two AZs or more)")
    data_subnet_ids: list[SubnetId] = Field(
        default_factory=list,
        description="Subnets without internet routes for RDS and ElastiCache (default: the private subnets)")


class NetworkSettings(ConfigModel):
    cidr: VpcCidr = Field(default="10.0.0.0/16", description="VPC CIDR block (/16 to /20)")
    az_count: int = Field(ge=2, le=6, description="Availability zones to spread subnets over")
    availability_zones: Optional[list[AvailabilityZone]] = Field(
        default=None, description="Explicit AZ names (default: the first azCount available in the region)")
    nat_gateways: Literal["single", "per-az"] = Field(
        description="One NAT gateway for the VPC, or one per AZ (no cross-AZ egress dependency)")
    interface_endpoints: list[InterfaceEndpoint] = Field(
        description="AWS services reached through interface VPC endpoints instead of NAT")
    existing: Optional[ExistingNetworkSettings] = Field(
        default=None, description="Use an existing VPC and subnets instead of creating them")

    @field_validator("interface_endpoints")
    @classmethod
    def _unique_endpoints(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a service twice")
        return value


class Settings(ConfigModel):
    """The whole, validated configuration of one stack."""

    project: str = Field(description="Pulumi project name (from the runtime)")
    stack: str = Field(description="Pulumi stack name (from the runtime)")
    region: Region = Field(description="the AWS region to deploy into, e.g. us-east-1")
    shape: Shape = Field(description="What this stack builds: self-hosted, hybrid or byoc")
    profile: Profile = Field(description="Sizing profile: dev, production or production-large")
    name_prefix: NamePrefix = Field(description="Prefix of physical resource names (default: ls-<stack>)")
    protect_data: bool = Field(description="Protect stateful resources from `pulumi destroy`")
    log_retention_days: RetentionDays = Field(description="Retention of every CloudWatch log group the stack creates")
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, description="Extra tags on every AWS resource")
    network: NetworkSettings

    def check_cross_field_rules(self) -> list[tuple[str, Any, str]]:
        """Rules spanning several keys: (key, value, what is allowed) for each violation."""
        problems: list[tuple[str, Any, str]] = []
        net = self.network
        if net.availability_zones is not None and len(net.availability_zones) != net.az_count:
            problems.append((
                "network.availabilityZones", net.availability_zones,
                f"must list exactly network.azCount ({net.az_count}) zones"))
        if net.availability_zones is not None and len(set(net.availability_zones)) != len(net.availability_zones):
            problems.append(("network.availabilityZones", net.availability_zones, "must not repeat a zone"))
        if net.availability_zones is not None and any(
                not z.startswith(self.region) for z in net.availability_zones):
            problems.append(("network.availabilityZones", net.availability_zones,
                             f"must be zones of the region {self.region}"))
        if self.profile.is_production and self.log_retention_days < 365:
            problems.append(("logRetentionDays", self.log_retention_days,
                             "must be 365 or more with a production profile (audit trail)"))
        existing = net.existing
        if existing is not None:
            if existing.data_subnet_ids and len(existing.data_subnet_ids) < 2:
                problems.append(("network.existing.dataSubnetIds", existing.data_subnet_ids,
                                 "must list two subnets or more (RDS subnet groups span two AZs), or be omitted"))
            if self.shape is Shape.SELF_HOSTED and len(existing.public_subnet_ids) < 2:
                problems.append(("network.existing.publicSubnetIds", existing.public_subnet_ids,
                                 "must list two subnets or more: the self-hosted ALB spans two AZs"))
            public_private = set(existing.public_subnet_ids) & set(existing.private_subnet_ids)
            if public_private:
                problems.append(("network.existing.publicSubnetIds", sorted(public_private),
                                 "must not also be private subnets: nodes never sit in public subnets"))
        return problems

    @property
    def cluster_name(self) -> str:
        """Stable EKS cluster name, known before deploy (subnet tags and add-ons need it)."""
        return f"{self.name_prefix}-eks"

    def resource_tags(self) -> dict[str, str]:
        """Tags applied to every AWS resource through the provider's default tags."""
        base = {
            "app": "langsmith",
            "langsmith:stack": self.stack,
            "langsmith:profile": self.profile.value,
            "langsmith:shape": self.shape.value,
            "managed-by": "pulumi",
        }
        return {**base, **self.tags}


# Config keys (dotted paths) whose values are credentials: they must be set with
# `pulumi config set --secret`, and their values never appear in error messages.
SECRET_KEYS: frozenset[str] = frozenset()
