"""The network the stack runs in: an existing VPC (`network.existing`) and its subnets' routes, and
whether this machine can reach the cluster's Kubernetes API endpoint."""

from __future__ import annotations

import ipaddress

from settings import Shape
from tools.preflight.context import FAIL, PASS, UNCHECKED, WARN, Checks, Context
from tools.preflight.errors import error_code, one_line


def route_targets(ctx: Context, vpc_id: str, subnet_id: str) -> tuple[set[str], str]:
    """Gateway kinds (igw, nat, tgw, ...) of the subnet's default routes, and its route table."""
    ec2 = ctx.client("ec2")
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["RouteTables"]
    if not tables:  # no explicit association: the VPC's main table applies
        tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                     {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    kinds: set[str] = set()
    for route in (tables[0]["Routes"] if tables else []):
        if route.get("DestinationCidrBlock") != "0.0.0.0/0" or route.get("State") == "blackhole":
            continue
        for field_name, kind in (("GatewayId", "igw"), ("NatGatewayId", "nat"), ("TransitGatewayId", "tgw"),
                                 ("NetworkInterfaceId", "eni"), ("VpcPeeringConnectionId", "pcx")):
            target = route.get(field_name)
            if target and (kind != "igw" or str(target).startswith("igw-")):
                kinds.add(kind)
    return kinds, str(tables[0]["RouteTableId"]) if tables else "(none)"


def check_existing_network(ctx: Context) -> Checks:
    """`network.existing`: the VPC and subnets exist, span two AZs per tier, and route as their tiers require."""
    checks = Checks()
    existing = ctx.settings.network.existing
    if existing is None:
        return checks
    ec2 = ctx.client("ec2")
    try:
        ec2.describe_vpcs(VpcIds=[existing.vpc_id])
    except Exception as exc:  # noqa: BLE001
        verdict = FAIL if error_code(exc).startswith("InvalidVpc") else UNCHECKED
        checks.add("existing VPC", verdict, f"network.existing.vpcId {existing.vpc_id}: {one_line(exc)}",
                   "set network.existing.vpcId to a VPC of this account and region" if verdict == FAIL else "")
        return checks
    tiers = (("public", existing.public_subnet_ids, {"igw"}),
             ("private", existing.private_subnet_ids, {"nat", "tgw", "eni"}),
             ("data", existing.data_subnet_ids, set()))
    all_ids = sorted({i for _, ids, _ in tiers for i in ids})
    try:
        subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(SubnetIds=all_ids)["Subnets"]}
    except Exception as exc:  # noqa: BLE001
        checks.add("existing subnets", FAIL if error_code(exc).startswith("InvalidSubnet") else UNCHECKED,
                   f"network.existing subnets: {one_line(exc)}", "list subnets of network.existing.vpcId")
        return checks
    problems: list[str] = []
    outside = [i for i in all_ids if subnets[i]["VpcId"] != existing.vpc_id]
    if outside:
        problems.append(f"not in {existing.vpc_id}: {', '.join(outside)}")
    for tier, ids, allowed in tiers:
        if not ids:
            continue
        zones = sorted({subnets[i]["AvailabilityZone"] for i in ids})
        if len(zones) < 2:
            problems.append(f"{tier} subnets span one AZ ({zones[0]}); two or more are needed")
        for subnet_id in ids:
            try:
                kinds, table = route_targets(ctx, existing.vpc_id, subnet_id)
            except Exception as exc:  # noqa: BLE001
                problems.append(f"routes of {subnet_id} unreadable ({one_line(exc)})")
                continue
            if tier == "public" and "igw" not in kinds:
                problems.append(f"public subnet {subnet_id} has no default route to an internet gateway ({table})")
            if tier == "private" and not kinds & allowed:
                problems.append(f"private subnet {subnet_id} has no default route to a NAT gateway ({table}): "
                                "nodes cannot pull images or reach AWS APIs")
            if tier == "private" and "igw" in kinds:
                problems.append(f"private subnet {subnet_id} routes to an internet gateway ({table})")
            if tier == "data" and kinds:
                problems.append(f"data subnet {subnet_id} has a default route ({', '.join(sorted(kinds))}, "
                                f"{table}): the data tier must have no internet route")
    if problems:
        checks.add("existing network", FAIL, "; ".join(problems),
                   "fix the routes or list other subnets under network.existing (public: 0.0.0.0/0 -> igw; "
                   "private: 0.0.0.0/0 -> NAT; data: no default route)")
    else:
        checks.add("existing network", PASS, f"{existing.vpc_id}: {len(all_ids)} subnets over their AZs, routed as "
                   "their tiers require")
    return checks


def check_api_reachability(ctx: Context, can_ask_aws: bool) -> Checks:
    """pulumi can reach the Kubernetes API of the cluster it creates, from where it runs."""
    checks = Checks()
    if ctx.settings.shape is Shape.BYOC:
        return checks
    cluster = ctx.settings.cluster
    allowed = [*cluster.public_access_cidrs, *cluster.deployer_access_cidrs]
    name = "Kubernetes API reachable from here"
    exists: bool | None = None
    if can_ask_aws:
        try:
            ctx.client("eks").describe_cluster(name=ctx.settings.cluster_name)
            exists = True
        except Exception as exc:  # noqa: BLE001
            exists = False if error_code(exc) == "ResourceNotFoundException" else None
    if not allowed:
        if not cluster.deployer_inside_vpc:
            checks.add(name, FAIL, "the endpoint is private (no publicAccessCidrs, no deployerAccessCidrs) and "
                       "cluster.deployerInsideVpc is false: pulumi could not reach the cluster it creates",
                       "list this machine's egress CIDR in cluster.deployerAccessCidrs, or run pulumi inside the "
                       "VPC and set cluster.deployerInsideVpc: true")
        elif ctx.settings.network.existing is None and exists is not True:
            checks.add(name, FAIL, "private-only endpoint on a VPC this stack creates: on the first deploy no "
                       "machine is inside that VPC yet, so every Kubernetes resource would time out after the "
                       "cluster is built",
                       "for the first deploy list this machine's egress CIDR in cluster.deployerAccessCidrs; remove "
                       "it once a runner inside the VPC deploys")
        else:
            where = ctx.settings.network.existing.vpc_id if ctx.settings.network.existing else "the stack's VPC"
            checks.add(name, WARN, f"private-only endpoint: pulumi must run inside {where} "
                       "(cluster.deployerInsideVpc), which this check cannot see")
        return checks
    if "0.0.0.0/0" in allowed:
        checks.add(name, PASS, "the endpoint is open to every address (0.0.0.0/0)")
        return checks
    if ctx.egress_ip is None:
        checks.add(name, UNCHECKED, f"the public endpoint allows {', '.join(allowed)}; this check cannot tell this "
                   "machine's egress IP: rerun with --egress-ip $(curl -s https://checkip.amazonaws.com)")
        return checks
    address = ipaddress.ip_address(ctx.egress_ip)
    if any(address in ipaddress.ip_network(c) for c in allowed):
        checks.add(name, PASS, f"{ctx.egress_ip} is inside the endpoint's allow list ({', '.join(allowed)})")
    else:
        checks.add(name, FAIL, f"{ctx.egress_ip} is outside the endpoint's allow list ({', '.join(allowed)})",
                   f"add {ctx.egress_ip}/32 (or your NAT's CIDR) to cluster.deployerAccessCidrs")
    return checks
