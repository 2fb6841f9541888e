"""The VPC every shape runs in: three subnet tiers across the zones, NAT, flow logs, endpoints.

Tiers:
- public: load balancers and NAT gateways only (no public IPs on launch, tagged for the AWS Load
  Balancer Controller's internet-facing discovery);
- private: EKS nodes and pods, egress through NAT (tagged for internal load balancers);
- data: RDS and ElastiCache, no route to the internet at all, only the VPC and the S3 endpoint.

Or, with `existing`, the IDs of a VPC and subnets the user already has; nothing is created then.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Literal, Mapping, NamedTuple, Sequence

import pulumi
import pulumi_aws as aws

from components.iam import policy_document, role_boundary_arn, service_trust_policy
from components.logs import log_group

ELB_ROLE_TAG = "kubernetes.io/role/elb"
INTERNAL_ELB_ROLE_TAG = "kubernetes.io/role/internal-elb"
FLOW_LOG_AGGREGATION_SECONDS = 60


class SubnetPlan(NamedTuple):
    public: list[str]
    private: list[str]
    data: list[str]


def plan_subnets(vpc_cidr: str, az_count: int) -> SubnetPlan:
    """Carve the VPC CIDR into per-AZ subnets.

    The VPC is split in eight blocks: the first `az_count` are the private subnets (pods take VPC
    IPs, so they get the room), block 6 is cut into eight public subnets and block 7 into eight
    data subnets. For a /16 that is /19 private, /22 public and /22 data subnets.
    """
    if not 1 <= az_count <= 6:
        raise ValueError(f"az_count must be between 1 and 6, got {az_count}")
    network = ipaddress.IPv4Network(vpc_cidr)
    blocks = list(network.subnets(prefixlen_diff=3))
    public = list(blocks[6].subnets(prefixlen_diff=3))
    data = list(blocks[7].subnets(prefixlen_diff=3))
    return SubnetPlan(
        public=[str(s) for s in public[:az_count]],
        private=[str(s) for s in blocks[:az_count]],
        data=[str(s) for s in data[:az_count]],
    )


def plan_byoc_subnets(vpc_cidr: str, az_count: int) -> SubnetPlan:
    """Carve the VPC CIDR as LangChain's BYOVPC reference module does (langchain-ai/terraform@17858884,
    modules/byoc/aws/byovpc/main.tf): app `cidrsubnet(vpc, 2, i)`, DB `cidrsubnet(vpc, 8, n*64 + i)`,
    public `cidrsubnet(vpc, 8, n*64 + n + i)` for n zones. A /18 VPC gives /20 app and /26 DB and public
    subnets, the minimums of docs.langchain.com/langsmith/byoc-byovpc; a /16 gives /18 and /24."""
    if not 2 <= az_count <= 3:
        raise ValueError(f"BYOVPC needs 2 or 3 zones, got {az_count}")
    network = ipaddress.IPv4Network(vpc_cidr)
    quarters = list(network.subnets(prefixlen_diff=2))
    eighths = list(network.subnets(prefixlen_diff=8))
    n = az_count
    return SubnetPlan(
        public=[str(eighths[n * 64 + n + i]) for i in range(n)],
        private=[str(quarters[i]) for i in range(n)],
        data=[str(eighths[n * 64 + i]) for i in range(n)],
    )


@dataclass(frozen=True)
class ExistingNetwork:
    vpc_id: str
    public_subnet_ids: Sequence[str]
    private_subnet_ids: Sequence[str]
    data_subnet_ids: Sequence[str]


@dataclass(frozen=True)
class NetworkArgs:
    name_prefix: str
    region: str
    account_id: str
    availability_zones: Sequence[str]
    cidr: str = "10.0.0.0/16"
    nat_gateways: Literal["single", "per-az"] = "per-az"
    interface_endpoints: Sequence[str] = ()
    log_retention_days: int = 365
    logs_kms_key_arn: pulumi.Input[str] | None = None
    cluster_name: str | None = None
    existing: ExistingNetwork | None = None
    # The subnets of LangChain's BYOVPC reference layout (plan_byoc_subnets) instead of plan_subnets.
    byoc_subnet_layout: bool = False
    # Extra tags per tier, e.g. the BYOC control plane's subnet discovery tags.
    public_subnet_tags: Mapping[str, str] = field(default_factory=dict)
    private_subnet_tags: Mapping[str, str] = field(default_factory=dict)
    vpc_tags: Mapping[str, str] = field(default_factory=dict)


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]
    data_subnet_ids: pulumi.Output[list[str]]
    nat_gateway_ids: pulumi.Output[list[str]]
    # The NAT gateways' public addresses (one Output each; none for an existing network).
    nat_public_ips: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:Network", name, None, opts)
        self._name = name
        self._args = args
        if args.existing is not None:
            self._adopt(args.existing)
        else:
            self._create()
        self.register_outputs({
            "vpcId": self.vpc_id,
            "publicSubnetIds": self.public_subnet_ids,
            "privateSubnetIds": self.private_subnet_ids,
            "dataSubnetIds": self.data_subnet_ids,
        })

    def _opts(self, depends_on: list[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, depends_on=depends_on)

    def _adopt(self, existing: ExistingNetwork) -> None:
        vpc = aws.ec2.get_vpc_output(id=existing.vpc_id, opts=pulumi.InvokeOutputOptions(parent=self))
        self.vpc_id = pulumi.Output.from_input(existing.vpc_id)
        self.vpc_cidr = vpc.cidr_block
        self.public_subnet_ids = pulumi.Output.from_input(list(existing.public_subnet_ids))
        self.private_subnet_ids = pulumi.Output.from_input(list(existing.private_subnet_ids))
        self.data_subnet_ids = pulumi.Output.from_input(
            list(existing.data_subnet_ids or existing.private_subnet_ids))
        self.nat_gateway_ids = pulumi.Output.from_input([])
        self.nat_public_ips = []

    def _create(self) -> None:
        args, name = self._args, self._name
        zones = list(args.availability_zones)
        plan = (plan_byoc_subnets if args.byoc_subnet_layout else plan_subnets)(args.cidr, len(zones))
        cluster_tags = {f"kubernetes.io/cluster/{args.cluster_name}": "shared"} if args.cluster_name else {}

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_hostnames=True,  # required for private endpoint DNS (EKS, interface endpoints)
            enable_dns_support=True,
            tags={"Name": f"{args.name_prefix}-vpc", **args.vpc_tags},
            opts=self._opts(),
        )
        # Adopt the default security group and strip all its rules: nothing should use it.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            tags={"Name": f"{args.name_prefix}-default-unused"},
            opts=self._opts(),
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={"Name": f"{args.name_prefix}-igw"}, opts=self._opts())

        public = [self._subnet(f"public-{i}", vpc, cidr, zone, "public",
                               {ELB_ROLE_TAG: "1", **cluster_tags, **args.public_subnet_tags})
                  for i, (cidr, zone) in enumerate(zip(plan.public, zones))]
        private = [self._subnet(f"private-{i}", vpc, cidr, zone, "private",
                                {INTERNAL_ELB_ROLE_TAG: "1", **cluster_tags, **args.private_subnet_tags})
                   for i, (cidr, zone) in enumerate(zip(plan.private, zones))]
        data = [self._subnet(f"data-{i}", vpc, cidr, zone, "data", {})
                for i, (cidr, zone) in enumerate(zip(plan.data, zones))]

        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=vpc.id, tags={"Name": f"{args.name_prefix}-public"}, opts=self._opts())
        aws.ec2.Route(f"{name}-public-default", route_table_id=public_rt.id,
                      destination_cidr_block="0.0.0.0/0", gateway_id=igw.id, opts=self._opts())
        for i, subnet in enumerate(public):
            aws.ec2.RouteTableAssociation(f"{name}-public-{i}", subnet_id=subnet.id,
                                          route_table_id=public_rt.id, opts=self._opts())

        nat_count = len(zones) if args.nat_gateways == "per-az" else 1
        nats = []
        self.nat_public_ips = []
        for i in range(nat_count):
            eip = aws.ec2.Eip(f"{name}-nat-{i}", domain="vpc",
                              tags={"Name": f"{args.name_prefix}-nat-{zones[i]}"}, opts=self._opts())
            self.nat_public_ips.append(eip.public_ip)
            nats.append(aws.ec2.NatGateway(
                f"{name}-nat-{i}", allocation_id=eip.id, subnet_id=public[i].id,
                tags={"Name": f"{args.name_prefix}-nat-{zones[i]}"},
                opts=self._opts(depends_on=[igw])))

        private_rts = []
        for i, subnet in enumerate(private):
            rt = aws.ec2.RouteTable(f"{name}-private-rt-{i}", vpc_id=vpc.id,
                                    tags={"Name": f"{args.name_prefix}-private-{zones[i]}"}, opts=self._opts())
            # Each AZ egresses through its own NAT when there is one per AZ.
            nat = nats[i] if args.nat_gateways == "per-az" else nats[0]
            aws.ec2.Route(f"{name}-private-default-{i}", route_table_id=rt.id,
                          destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id, opts=self._opts())
            aws.ec2.RouteTableAssociation(f"{name}-private-{i}", subnet_id=subnet.id,
                                          route_table_id=rt.id, opts=self._opts())
            private_rts.append(rt)

        # Data subnets share one route table with no default route: isolated from the internet.
        data_rt = aws.ec2.RouteTable(f"{name}-data-rt", vpc_id=vpc.id,
                                     tags={"Name": f"{args.name_prefix}-data"}, opts=self._opts())
        for i, subnet in enumerate(data):
            aws.ec2.RouteTableAssociation(f"{name}-data-{i}", subnet_id=subnet.id,
                                          route_table_id=data_rt.id, opts=self._opts())

        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[rt.id for rt in private_rts] + [data_rt.id],
            tags={"Name": f"{args.name_prefix}-s3"},
            opts=self._opts(),
        )
        if args.interface_endpoints:
            self._interface_endpoints(vpc, private)
        self._flow_logs(vpc)

        self.vpc_id = vpc.id
        self.vpc_cidr = vpc.cidr_block
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in public])
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in private])
        self.data_subnet_ids = pulumi.Output.all(*[s.id for s in data])
        self.nat_gateway_ids = pulumi.Output.all(*[n.id for n in nats])

    def _subnet(self, suffix: str, vpc: aws.ec2.Vpc, cidr: str, zone: str, tier: str,
                tags: Mapping[str, str]) -> aws.ec2.Subnet:
        return aws.ec2.Subnet(
            f"{self._name}-{suffix}",
            vpc_id=vpc.id,
            cidr_block=cidr,
            availability_zone=zone,
            map_public_ip_on_launch=False,
            tags={"Name": f"{self._args.name_prefix}-{tier}-{zone}", "tier": tier, **tags},
            opts=self._opts(),
        )

    def _interface_endpoints(self, vpc: aws.ec2.Vpc, private: list[aws.ec2.Subnet]) -> None:
        args, name = self._args, self._name
        endpoint_sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            vpc_id=vpc.id,
            description="Interface VPC endpoints: HTTPS from inside the VPC",
            tags={"Name": f"{args.name_prefix}-endpoints"},
            opts=self._opts(),
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-https",
            security_group_id=endpoint_sg.id,
            description="HTTPS to AWS APIs from the VPC",
            ip_protocol="tcp", from_port=443, to_port=443,
            cidr_ipv4=vpc.cidr_block,
            opts=self._opts(),
        )
        for service in args.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in private],
                security_group_ids=[endpoint_sg.id],
                tags={"Name": f"{args.name_prefix}-{service}"},
                opts=self._opts(),
            )

    def _flow_logs(self, vpc: aws.ec2.Vpc) -> None:
        args, name = self._args, self._name
        flow_log_group = log_group(
            f"{name}-flow-logs", f"/aws/vpc/{args.name_prefix}/flow-logs",
            retention_days=args.log_retention_days, kms_key_arn=args.logs_kms_key_arn, parent=self,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs",
            permissions_boundary=role_boundary_arn(args.account_id),
            description="VPC flow logs delivery to CloudWatch Logs",
            assume_role_policy=service_trust_policy(
                "vpc-flow-logs.amazonaws.com", args.account_id,
                f"arn:aws:ec2:{args.region}:{args.account_id}:vpc-flow-log/*"),
            opts=self._opts(),
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            policy=flow_log_group.arn.apply(lambda arn: policy_document([{
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": [arn, f"{arn}:*"],
            }])),
            opts=self._opts(),
        )
        aws.ec2.FlowLog(
            f"{name}-flow-logs",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=flow_log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=FLOW_LOG_AGGREGATION_SECONDS,
            tags={"Name": f"{args.name_prefix}-flow-logs"},
            opts=self._opts(),
        )
