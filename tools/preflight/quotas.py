"""Account quotas against what the plan creates (`needs`): VPCs, internet gateways, Elastic IPs, NAT
gateways per AZ, EKS clusters, Application Load Balancers, and the Standard vCPU quotas the node
pools count against at their maximum size. Current usage is counted from the account."""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Mapping

from settings.instance_types import shape_of
from tools.preflight.context import FAIL, PASS, UNCHECKED, WARN, Checks, Context
from tools.preflight.errors import error_code, one_line
from tools.preflight.needs import Needs

# Service Quotas codes (AWS Service Quotas console / `aws service-quotas list-service-quotas`).
QUOTA_ON_DEMAND_STANDARD_VCPU = ("ec2", "L-1216C47A")  # Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances
QUOTA_SPOT_STANDARD_VCPU = ("ec2", "L-34B43A08")  # All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests
QUOTA_ELASTIC_IPS = ("ec2", "L-0263D0A3")  # EC2-VPC Elastic IPs
QUOTA_VPCS = ("vpc", "L-F678F1CE")  # VPCs per Region
QUOTA_INTERNET_GATEWAYS = ("vpc", "L-A4707A72")  # Internet gateways per Region
QUOTA_NAT_PER_AZ = ("vpc", "L-FE5A380F")  # NAT gateways per Availability Zone
QUOTA_EKS_CLUSTERS = ("eks", "L-1194D53C")  # Clusters (per Region)
QUOTA_ALBS = ("elasticloadbalancing", "L-53DA6B97")  # Application Load Balancers per Region
STANDARD_FAMILIES = frozenset("acdhimrtz")  # the instance families the two "Standard" vCPU quotas count
# Families whose first letter is a standard one but that AWS counts under quotas of their own
# (Inferentia, Trainium, DL, HPC, Mac: Service Quotas, "Running On-Demand Inf/Trn/DL/HPC/Mac instances").
NON_STANDARD_PREFIXES = ("inf", "trn", "dl", "hpc", "mac")
# The fix of a quota too small: {} {} are the service and quota codes.
INCREASE = "request an increase: aws service-quotas request-service-quota-increase --service-code {} " \
           "--quota-code {} --desired-value N (or free some)"


def is_standard_family(instance_type: str) -> bool:
    """Whether the Standard (A, C, D, H, I, M, R, T, Z) vCPU quotas count this instance type."""
    letters = re.match(r"[a-z]+", instance_type)
    family = letters.group(0) if letters else ""
    return family[:1] in STANDARD_FAMILIES and not family.startswith(NON_STANDARD_PREFIXES)


def read_quota(ctx: Context, service_code: str, quota_code: str) -> tuple[float | None, str]:
    """The applied quota value (or the AWS default when none is applied), else why not."""
    client = ctx.client("service-quotas")
    try:
        return float(client.get_service_quota(ServiceCode=service_code, QuotaCode=quota_code)["Quota"]["Value"]), ""
    except Exception as exc:  # noqa: BLE001
        first = exc
    if error_code(first) in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
        # Denied, not absent: the account may have a raised value, so AWS's default proves nothing.
        return None, (f"{service_code} {quota_code}: servicequotas:GetServiceQuota is denied ({one_line(first)}); "
                      "allow it to check this quota")
    try:  # NoSuchResource: no value applied to the account, the default holds
        return float(client.get_aws_default_service_quota(
            ServiceCode=service_code, QuotaCode=quota_code)["Quota"]["Value"]), ""
    except Exception as exc:  # noqa: BLE001
        return None, (f"{service_code} {quota_code} not readable from Service Quotas (GetServiceQuota: "
                      f"{one_line(first)}; GetAWSDefaultServiceQuota: {one_line(exc)})")


def quota_check(ctx: Context, name: str, code: tuple[str, str], need: int, usage: int | None, usage_note: str,
                fix: str) -> Checks:
    """One quota: what the stack needs on top of what is in use (None: unknown, `usage_note` says why)."""
    checks = Checks()
    value, why = read_quota(ctx, *code)
    what = f"needs {need}"
    if value is None:
        checks.add(name, UNCHECKED, f"{what}; {why}; check it in the Service Quotas console")
        return checks
    if usage is None:
        checks.add(name, WARN if need > value else PASS,
                   f"{what} of quota {value:g} ({code[1]}); current usage unknown ({usage_note})",
                   fix if need > value else "")
        return checks
    if usage + need > value:
        checks.add(name, FAIL, f"{what}, {usage} in use, quota {value:g} ({code[0]} {code[1]})", fix)
    else:
        checks.add(name, PASS, f"{what}, {usage} in use, quota {value:g} ({code[1]})")
    return checks


def count(call: Callable[[], int]) -> tuple[int | None, str]:
    """How many are in use, else None and why the count failed."""
    try:
        return call(), ""
    except Exception as exc:  # noqa: BLE001
        return None, one_line(exc)


def check_quotas(ctx: Context, needs: Needs) -> Checks:
    """Every quota the plan's resources count against, each with its current usage."""
    checks = Checks()
    ec2 = ctx.client("ec2")
    if needs.vpcs:
        usage, note = count(lambda: len(ctx.every("ec2", "describe_vpcs", "Vpcs")))
        checks += quota_check(ctx, "quota: VPCs per region", QUOTA_VPCS, needs.vpcs, usage, note,
                              INCREASE.format(*QUOTA_VPCS) + ", or reuse a VPC with network.existing")
    if needs.internet_gateways:
        usage, note = count(lambda: len(ctx.every("ec2", "describe_internet_gateways", "InternetGateways")))
        checks += quota_check(ctx, "quota: internet gateways per region", QUOTA_INTERNET_GATEWAYS,
                              needs.internet_gateways, usage, note, INCREASE.format(*QUOTA_INTERNET_GATEWAYS))
    if needs.elastic_ips:
        usage, note = count(lambda: len(ec2.describe_addresses()["Addresses"]))
        checks += quota_check(ctx, "quota: Elastic IPs (NAT gateways)", QUOTA_ELASTIC_IPS, needs.elastic_ips, usage,
                              note, INCREASE.format(*QUOTA_ELASTIC_IPS) + ", or network.natGateways: single")
    if needs.nat_gateways_per_az:
        checks += check_nat_per_az(ctx, needs.nat_gateways_per_az, INCREASE.format(*QUOTA_NAT_PER_AZ))
    if needs.eks_clusters:
        usage, note = count(lambda: len(ctx.every("eks", "list_clusters", "clusters")))
        checks += quota_check(ctx, "quota: EKS clusters", QUOTA_EKS_CLUSTERS, needs.eks_clusters, usage, note,
                              INCREASE.format(*QUOTA_EKS_CLUSTERS))
    if needs.albs:
        usage, note = count(lambda: sum(
            1 for lb in ctx.every("elbv2", "describe_load_balancers", "LoadBalancers")
            if lb.get("Type") == "application"))
        checks += quota_check(ctx, "quota: Application Load Balancers", QUOTA_ALBS, needs.albs, usage, note,
                              INCREASE.format(*QUOTA_ALBS))
    checks += check_vcpus(ctx, needs)
    return checks


def check_nat_per_az(ctx: Context, need: Mapping[str, int], fix: str) -> Checks:
    """NAT gateways are counted per AZ: each zone that gets one must have room for it."""
    checks = Checks()
    value, why = read_quota(ctx, *QUOTA_NAT_PER_AZ)
    name = "quota: NAT gateways per AZ"
    if value is None:
        checks.add(name, UNCHECKED, f"needs {max(need.values())} per AZ; {why}")
        return checks
    try:
        ec2 = ctx.client("ec2")
        gateways = ctx.every("ec2", "describe_nat_gateways", "NatGateways",
                             Filter=[{"Name": "state", "Values": ["pending", "available"]}])
        subnet_ids = sorted({g["SubnetId"] for g in gateways})
        subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"] if subnet_ids else []
        az_of = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}
        usage = Counter(az_of.get(g["SubnetId"], "?") for g in gateways)
    except Exception as exc:  # noqa: BLE001
        checks.add(name, WARN, f"needs {max(need.values())} per AZ of quota {value:g}; usage unknown ({one_line(exc)})")
        return checks
    full = [f"{az} ({usage[az]} in use)" for az, n in sorted(need.items()) if usage[az] + n > value]
    if full:
        checks.add(name, FAIL, f"quota {value:g} per AZ reached in {', '.join(full)}", fix)
    else:
        checks.add(name, PASS, f"needs {max(need.values())} per AZ in {', '.join(sorted(need))}, quota {value:g}")
    return checks


def vcpus_in_use(ctx: Context) -> tuple[dict[str, int] | None, str]:
    """vCPUs of running standard-family instances, by on-demand / spot."""
    try:
        reservations = ctx.every("ec2", "describe_instances", "Reservations", Filters=[
            {"Name": "instance-state-name", "Values": ["pending", "running"]}])
    except Exception as exc:  # noqa: BLE001
        return None, one_line(exc)
    used = {"ON_DEMAND": 0, "SPOT": 0}
    for reservation in reservations:
        for instance in reservation["Instances"]:
            type_ = str(instance["InstanceType"])
            if not is_standard_family(type_):
                continue
            cpu = instance.get("CpuOptions") or {}
            vcpu = int(cpu.get("CoreCount", 0)) * int(cpu.get("ThreadsPerCore", 1))
            shape = shape_of(type_)
            vcpu = vcpu or (int(shape.vcpu) if shape else 0)
            used["SPOT" if instance.get("InstanceLifecycle") == "spot" else "ON_DEMAND"] += vcpu
    return used, ""


def check_vcpus(ctx: Context, needs: Needs, increase: str = INCREASE) -> Checks:
    """The node pools at maximum size, by capacity type, against the Standard vCPU quotas."""
    checks = Checks()
    by_capacity: dict[str, int] = {}
    unknown: list[str] = []
    for pool in needs.pools:  # node pool types are all Standard families (data/nodes/instance-types.json)
        vcpu = pool.max_vcpu
        if vcpu is None:
            unknown.append(pool.name)
            continue
        by_capacity[pool.capacity_type] = by_capacity.get(pool.capacity_type, 0) + vcpu
    if unknown:
        checks.add("quota: vCPUs", WARN, f"vCPUs of {', '.join(unknown)} unknown (instance sizes not catalogued)")
    if not by_capacity:
        return checks
    used, note = vcpus_in_use(ctx)
    for capacity, code, label in (("ON_DEMAND", QUOTA_ON_DEMAND_STANDARD_VCPU, "On-Demand"),
                                  ("SPOT", QUOTA_SPOT_STANDARD_VCPU, "Spot")):
        if capacity not in by_capacity:
            continue
        pools = ", ".join(p.name for p in needs.pools if p.capacity_type == capacity and p.name not in unknown)
        checks += quota_check(ctx, f"quota: {label} standard vCPUs ({pools} at maxSize)", code, by_capacity[capacity],
                              None if used is None else used[capacity], note, increase.format(*code))
    return checks
