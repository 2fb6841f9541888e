"""`network`: the VPC the stack creates (CIDR, zones, NAT, endpoints) or the existing one it uses,
and the rules about its zones and subnets."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, field_validator

from settings.base import ConfigModel, Problem, Shape, matching
from settings.edge import EdgeSettings


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


VpcCidr = Annotated[str, AfterValidator(_check_vpc_cidr)]
VpcId = Annotated[str, matching(r"vpc-[0-9a-f]{8,17}", "vpc-0123456789abcdef0")]
SubnetId = Annotated[str, matching(r"subnet-[0-9a-f]{8,17}", "subnet-0123456789abcdef0")]
AvailabilityZone = Annotated[str, matching(r"[a-z]{2}(-gov)?-[a-z]+-\d[a-z]", "us-east-1a")]

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


def availability_zone_problems(net: NetworkSettings, region: str) -> list[Problem]:
    """Explicit zones: as many as azCount, none twice, all in the stack's region."""
    problems: list[Problem] = []
    if net.availability_zones is not None and len(net.availability_zones) != net.az_count:
        problems.append((
            "network.availabilityZones", net.availability_zones,
            f"must list exactly network.azCount ({net.az_count}) zones"))
    if net.availability_zones is not None and len(set(net.availability_zones)) != len(net.availability_zones):
        problems.append(("network.availabilityZones", net.availability_zones, "must not repeat a zone"))
    if net.availability_zones is not None and any(
            not z.startswith(region) for z in net.availability_zones):
        problems.append(("network.availabilityZones", net.availability_zones,
                         f"must be zones of the region {region}"))
    return problems


def existing_network_problems(net: NetworkSettings, shape: Shape, edge: EdgeSettings) -> list[Problem]:
    """An existing VPC's subnets: enough of each kind for what sits in them, and no public node subnet."""
    problems: list[Problem] = []
    existing = net.existing
    if existing is not None:
        if existing.data_subnet_ids and len(existing.data_subnet_ids) < 2:
            problems.append(("network.existing.dataSubnetIds", existing.data_subnet_ids,
                             "must list two subnets or more (RDS subnet groups span two AZs), or be omitted"))
        # Only an internet-facing ALB sits in public subnets; an internal one uses the private subnets.
        if shape is not Shape.BYOC and not edge.internal and len(existing.public_subnet_ids) < 2:
            problems.append(("network.existing.publicSubnetIds", existing.public_subnet_ids,
                             "must list two subnets or more: the internet-facing ALB spans two AZs "
                             "(or set edge.internal: true for an ALB in the private subnets)"))
        public_private = set(existing.public_subnet_ids) & set(existing.private_subnet_ids)
        if public_private:
            problems.append(("network.existing.publicSubnetIds", sorted(public_private),
                             "must not also be private subnets: nodes never sit in public subnets"))
    return problems
