"""`cluster`: the EKS cluster, who reaches its API, and its two node pools (general, ClickHouse), with
the rules about pool sizes, instance types and API access.

Whether the pods fit the pools is arithmetic over every area: settings/capacity.py; whether the
images run on arm64: settings/architecture.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from settings import catalogue
from settings.base import Cidr, ConfigModel, Problem, Profile, RoleArn, Shape
from settings.instance_types import shape_of


def _check_instance_type(value: str) -> str:
    known = catalogue.ec2_instance_types()
    if value not in known:
        raise ValueError("is not an EC2 instance type (botocore's EC2 service model)"
                         f"{catalogue.nearest(value, known)}")
    return value


InstanceType = Annotated[str, AfterValidator(_check_instance_type)]


class NodePoolSettings(ConfigModel):
    instance_types: list[InstanceType] = Field(
        min_length=1, description="EC2 instance types, first preferred (several help spot capacity)")
    capacity_type: Literal["ON_DEMAND", "SPOT"] = Field(description="ON_DEMAND or SPOT")
    min_size: int = Field(ge=0, le=100, description="Fewest nodes")
    desired_size: int = Field(ge=0, le=100, description="Nodes at creation (then Cluster Autoscaler decides)")
    max_size: int = Field(ge=1, le=100, description="Most nodes")
    disk_size_gb: int = Field(default=50, ge=20, le=1000, description="Encrypted gp3 root volume (GiB)")



SSO_ROLE_PATH = "aws-reserved/sso.amazonaws.com/"


def _check_sso_role_path(arn: str) -> str:
    """An IAM Identity Center role, named with its path: EKS refuses an access entry for the
    path-less ARN ("InvalidParameterException: The specified principalArn is invalid",
    terraform-aws-modules/terraform-aws-eks#2969), twenty minutes into the first deploy. The path is
    not in the session ARN `aws sts get-caller-identity` prints (it carries the role name only)."""
    name = arn.rsplit("/", 1)[-1]
    if name.startswith("AWSReservedSSO_") and f":role/{SSO_ROLE_PATH}" not in arn:
        raise ValueError(
            f"is an IAM Identity Center role without its path, which EKS refuses as an access entry: use the "
            f"role's full ARN, arn:aws:iam::ACCOUNT:role/{SSO_ROLE_PATH}REGION/{name} "
            f"(aws iam get-role --role-name {name} --query Role.Arn)")
    return arn


AccessEntryRoleArn = Annotated[RoleArn, AfterValidator(_check_sso_role_path)]

class ClusterSettings(ConfigModel):
    public_access_cidrs: list[Cidr] = Field(
        default_factory=list,
        description="CIDRs allowed to reach the public API endpoint; empty keeps the endpoint private only")
    deployer_access_cidrs: list[Cidr] = Field(
        default_factory=list,
        description="Egress CIDRs of the machine running `pulumi` (bootstrap: a VPC this stack creates has no machine "
                    "inside it on the first deploy); added to the public endpoint's allow list until removed")
    deployer_inside_vpc: bool = Field(
        default=False,
        description="`pulumi` runs inside the VPC (a CI runner in its private subnets, a VPN): the API may stay "
                    "fully private once the cluster exists")
    admin_role_arns: list[AccessEntryRoleArn] = Field(
        default_factory=list, description="IAM roles given cluster-admin access entries (CI, platform team)")
    architecture: Literal["x86_64", "arm64"] = Field(
        default="x86_64",
        description="CPU architecture of every node: x86_64, or arm64 (Graviton types such as m7g/r7g; only where "
                    "every image the shape runs is published for arm64, see settings/architecture.py)")
    general_pool: NodePoolSettings = Field(description="Node pool for LangSmith services and controllers")
    clickhouse_pool: NodePoolSettings = Field(description="Dedicated, tainted node pool for in-cluster ClickHouse")


def cluster_problems(c: ClusterSettings, shape: Shape, profile: Profile) -> list[Problem]:
    """Pool sizes in order, instance types of known size, and an API the deployer can reach."""
    problems: list[Problem] = []
    for pool_key, pool in (("generalPool", c.general_pool), ("clickhousePool", c.clickhouse_pool)):
        if not pool.min_size <= pool.desired_size <= pool.max_size:
            problems.append((f"cluster.{pool_key}.desiredSize", pool.desired_size,
                             f"must lie between minSize ({pool.min_size}) and maxSize ({pool.max_size})"))
        unknown = [t for t in pool.instance_types if shape_of(t) is None]
        if unknown:
            problems.append((f"cluster.{pool_key}.instanceTypes", unknown,
                             "have no recorded size (data/nodes/instance-types.json, from Karpenter's "
                             "instance-type reference): their size is needed to check what fits on them; "
                             "choose a current-generation type or regenerate the table (python -m data.nodes.generate)"))
    if shape is not Shape.BYOC and not c.public_access_cidrs and not c.deployer_access_cidrs \
            and not c.deployer_inside_vpc:
        # The VPC is created by this very `pulumi up`: with a private-only API and no machine
        # inside it yet, every Kubernetes object would time out once the cluster exists.
        problems.append(("cluster.deployerAccessCidrs", [],
                         "the machine running `pulumi` cannot reach the Kubernetes API: with "
                         "cluster.publicAccessCidrs empty, list its egress CIDR in cluster.deployerAccessCidrs "
                         "(bootstrap), or set cluster.deployerInsideVpc: true when pulumi runs inside the VPC"))
    if profile.is_production:
        for list_key, cidrs in (("cluster.publicAccessCidrs", c.public_access_cidrs),
                                ("cluster.deployerAccessCidrs", c.deployer_access_cidrs)):
            if "0.0.0.0/0" in cidrs:
                problems.append((list_key, cidrs,
                                 "must not contain 0.0.0.0/0 with a production profile: list your egress CIDRs"))
    return problems


def pool_architecture_problems(c: ClusterSettings) -> list[Problem]:
    """Each pool's instance types share one CPU architecture (settings/catalogue.py)."""
    problems: list[Problem] = []
    for pool_key, pool in (("generalPool", c.general_pool), ("clickhousePool", c.clickhouse_pool)):
        by_arch: dict[str, list[str]] = {}
        for instance_type in pool.instance_types:
            by_arch.setdefault(catalogue.architecture(instance_type), []).append(instance_type)
        if len(by_arch) > 1:
            problems.append((f"cluster.{pool_key}.instanceTypes", pool.instance_types,
                             "must share one CPU architecture: a node group runs one AMI "
                             f"(arm64: {', '.join(by_arch['arm64'])}; x86_64: {', '.join(by_arch['x86_64'])})"))
    return problems
