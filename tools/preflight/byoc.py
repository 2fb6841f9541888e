"""BYOC: what only the account can tell about LangChain's contracts.

Both contracts: the region is one BYOC serves and the credentials are the customer's account, not the
control plane's. eks with `byoc.vpc: byovpc` on `network.existing`: the network rules of
docs.langchain.com/langsmith/byoc-byovpc ("Meet the network requirements") that config cannot tell:
the VPC's CIDR, tenancy and DNS attributes, each tier's zones, sizes and free addresses, routes and ACLs.
Each failure names the rule as the docs list it.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Sequence

from settings import Shape
from settings.byoc import BYOC_REGIONS, BYOC_REGIONS_SOURCE, EKS_CONTROL_PLANE_ACCOUNT_ID, EKS_VPC_PREFIXES, RFC1918
from tools.preflight.context import FAIL, PASS, UNCHECKED, Checks, Context
from tools.preflight.errors import one_line
from tools.preflight.network import route_targets

# byoc-byovpc: tier -> (largest prefix, fewest available IPv4 addresses) per subnet.
TIER_SIZES = {"application": (20, 256), "database": (26, 16), "public": (26, 16)}
# byoc-byovpc, network ACLs: what each tier's ACL must allow to and from 0.0.0.0/0 besides the VPC CIDR
# (egress?, protocol, from port, to port).
ACL_INTERNET = {
    "application": [(True, "6", 443, 443), (False, "6", 1024, 65535)],
    "public": [(False, "6", 443, 443), (True, "6", 1024, 65535)],
    "database": [],
}


def acl_allows(entries: Sequence[dict[str, Any]], egress: bool, protocol: str, port: int, peer: str) -> bool:
    """First match wins, in rule-number order, as AWS evaluates a network ACL."""
    peer_net = ipaddress.ip_network(peer)
    for entry in sorted((e for e in entries if e.get("Egress") == egress), key=lambda e: e["RuleNumber"]):
        block = entry.get("CidrBlock")
        if not block or not peer_net.subnet_of(ipaddress.ip_network(block)):  # type: ignore[arg-type]
            continue
        if entry.get("Protocol") not in ("-1", protocol):
            continue
        ports = entry.get("PortRange")
        if entry.get("Protocol") != "-1" and ports and not ports["From"] <= port <= ports["To"]:
            continue
        return entry.get("RuleAction") == "allow"
    return False


def check_byoc(ctx: Context, principal: str | None) -> Checks:
    checks = Checks()
    s = ctx.settings
    if s.shape is not Shape.BYOC:
        return checks
    if s.byoc.contract == "eks":
        if s.region in BYOC_REGIONS:
            checks.add("BYOC region", PASS, f"{s.region} is a BYOC data-plane region ({BYOC_REGIONS_SOURCE})")
        else:
            checks.add("BYOC region", FAIL, f"{s.region} is not a BYOC data-plane region ({BYOC_REGIONS_SOURCE})",
                       f"set aws:region to one of {', '.join(BYOC_REGIONS)}")
    if principal is not None:
        account = principal.split(":")[4] if principal.count(":") >= 5 else ""
        if account == EKS_CONTROL_PLANE_ACCOUNT_ID:
            checks.add("BYOC target account", FAIL, "the credentials are LangChain's control-plane account",
                       "run with credentials of the account the data plane goes into (langsmith-byoc-role README)")
        else:
            checks.add("BYOC target account", PASS, f"{account or principal}: not LangChain's control-plane account "
                       "(a dedicated account is recommended, docs.langchain.com/langsmith/byoc-faq)")
    if s.byoc.contract == "eks" and s.byoc.vpc == "byovpc" and s.network.existing is not None and principal is not None:
        checks += check_byovpc(ctx)
    return checks


def check_byovpc(ctx: Context) -> Checks:
    checks = Checks()
    existing = ctx.settings.network.existing
    assert existing is not None
    ec2 = ctx.client("ec2")
    try:
        vpc = ec2.describe_vpcs(VpcIds=[existing.vpc_id])["Vpcs"][0]
        dns_support = ec2.describe_vpc_attribute(VpcId=existing.vpc_id, Attribute="enableDnsSupport")
        dns_hostnames = ec2.describe_vpc_attribute(VpcId=existing.vpc_id, Attribute="enableDnsHostnames")
        tiers = {"application": list(existing.private_subnet_ids), "database": list(existing.data_subnet_ids),
                 "public": list(existing.public_subnet_ids)}
        ids = [i for ids in tiers.values() for i in ids]
        subnets = {x["SubnetId"]: x for x in ec2.describe_subnets(SubnetIds=ids)["Subnets"]}
        acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [existing.vpc_id]}])["NetworkAcls"]
    except Exception as exc:  # noqa: BLE001
        checks.add("BYOVPC network contract", UNCHECKED, f"ec2 did not answer: {one_line(exc)}")
        return checks
    problems: list[str] = []
    cidr = ipaddress.IPv4Network(vpc["CidrBlock"])
    low, high = EKS_VPC_PREFIXES
    if not low <= cidr.prefixlen <= high or not any(cidr.subnet_of(b) for b in RFC1918):
        problems.append(f"[cidr] VPC CIDR {cidr} is not a /{low}-/{high} RFC 1918 range")
    if vpc.get("InstanceTenancy", "default") != "default":
        problems.append(f"[tenancy] instance tenancy is {vpc['InstanceTenancy']}, not default")
    if not dns_support["EnableDnsSupport"]["Value"] or not dns_hostnames["EnableDnsHostnames"]["Value"]:
        problems.append("[dns] enableDnsSupport and enableDnsHostnames must both be true")
    app_zones = sorted(subnets[i]["AvailabilityZone"] for i in tiers["application"] if i in subnets)
    if len(set(app_zones)) != len(app_zones) or not 2 <= len(app_zones) <= 3:
        problems.append(f"[azs] application subnets must be one in each of 2-3 zones (found {', '.join(app_zones)})")
    acl_of = {assoc["SubnetId"]: acl for acl in acls for assoc in acl.get("Associations", [])}
    default_acl = next((acl for acl in acls if acl.get("IsDefault")), None)
    placed = []
    for tier, tier_ids in tiers.items():
        zones = sorted(subnets[i]["AvailabilityZone"] for i in tier_ids if i in subnets)
        if tier_ids and zones != app_zones:
            problems.append(f"[azs] {tier} subnets are in {', '.join(zones)}, not the application subnets' zones")
        max_prefix, min_free = TIER_SIZES[tier]
        for subnet_id in tier_ids:
            subnet = subnets.get(subnet_id)
            if subnet is None:
                problems.append(f"[ownership] {subnet_id} is not a subnet of this account and region")
                continue
            net = ipaddress.IPv4Network(subnet["CidrBlock"])
            placed.append((subnet_id, net))
            if subnet["VpcId"] != existing.vpc_id or not net.subnet_of(cidr):
                problems.append(f"[in-vpc] {subnet_id} ({net}) is not inside {existing.vpc_id} ({cidr})")
            if net.prefixlen > max_prefix:
                problems.append(f"[sizes] {tier} subnet {subnet_id} is a /{net.prefixlen}; /{max_prefix} or larger is required")
            if int(subnet.get("AvailableIpAddressCount", 0)) < min_free:
                problems.append(f"[sizes] {tier} subnet {subnet_id} has {subnet.get('AvailableIpAddressCount')} free "
                                f"addresses; {min_free} are required")
            try:
                kinds, table = route_targets(ctx, existing.vpc_id, subnet_id)
            except Exception as exc:  # noqa: BLE001
                problems.append(f"[routes] routes of {subnet_id} unreadable ({one_line(exc)})")
                continue
            if tier == "application" and (not kinds & {"nat", "tgw"} or "igw" in kinds):
                problems.append(f"[app-egress] application subnet {subnet_id} needs 0.0.0.0/0 to a NAT or transit "
                                f"gateway, not an internet gateway ({table})")
            if tier == "public" and "igw" not in kinds:
                problems.append(f"[public-igw] public subnet {subnet_id} has no 0.0.0.0/0 to an internet gateway ({table})")
            if tier == "database" and kinds:
                problems.append(f"[db-isolated] database subnet {subnet_id} has a default route ({table}); the "
                                "reference module keeps database subnets without one")
            acl = acl_of.get(subnet_id, default_acl)
            entries = acl.get("Entries", []) if acl else []
            needed = [(e, p, lo, str(cidr)) for e in (True, False) for p in ("6", "17") for lo in (1, 65535)]
            needed += [(e, p, port, "0.0.0.0/0") for e, p, port, _ in ACL_INTERNET[tier]]
            needed += [(e, p, hi, "0.0.0.0/0") for e, p, _, hi in ACL_INTERNET[tier]]
            refused = sorted({f"{'out' if e else 'in'} {'tcp' if p == '6' else 'udp'} {port} {peer}"
                              for e, p, port, peer in needed if not acl_allows(entries, e, p, port, peer)})
            if refused:
                problems.append(f"[nacl] the network ACL of {subnet_id} refuses: {'; '.join(refused)}")
    for i, (a_id, a) in enumerate(placed):
        for b_id, b in placed[i + 1:]:
            if a.overlaps(b):
                problems.append(f"[overlap] {a_id} ({a}) overlaps {b_id} ({b})")
    if problems:
        checks.add("BYOVPC network contract", FAIL, "; ".join(problems),
                   "fix the network or list other subnets under network.existing (docs.langchain.com/langsmith/byoc-byovpc)")
    else:
        checks.add("BYOVPC network contract", PASS, f"{existing.vpc_id} ({cidr}): {len(placed)} subnets meet the "
                   "CIDR, zone, size, route and ACL rules")
    return checks
