"""Where the stack goes: its region is enabled, and the availability zones it will use are there."""

from __future__ import annotations

from tools.preflight.context import FAIL, PASS, UNCHECKED, Checks, Context
from tools.preflight.errors import error_code, one_line


def check_region(ctx: Context) -> Checks:
    """The stack's region is enabled for the account (opt-in regions are not by default)."""
    checks = Checks()
    region = ctx.settings.region
    try:
        status = str(ctx.client("account").get_region_opt_status(RegionName=region)["RegionOptStatus"])
        enabled = status in ("ENABLED", "ENABLED_BY_DEFAULT")
        source = "account:GetRegionOptStatus"
    except Exception:  # noqa: BLE001 - not allowed or not served: ask EC2 instead
        try:
            regions = ctx.client("ec2").describe_regions(AllRegions=True, RegionNames=[region])["Regions"]
        except Exception as exc:  # noqa: BLE001
            code = error_code(exc)
            # UnauthorizedOperation is the caller's policy denying ec2:DescribeRegions, not the
            # region: only AuthFailure / OptInRequired say the region is not enabled.
            if code in ("AuthFailure", "OptInRequired"):
                checks.add("region enabled", FAIL, f"{region}: EC2 refuses the call ({code})",
                           f"enable the region: aws account enable-region --region-name {region}")
            else:
                checks.add("region enabled", UNCHECKED, f"neither the Account nor the EC2 API answered: {one_line(exc)}")
            return checks
        status = str(regions[0].get("OptInStatus", "")) if regions else "unknown"
        enabled = status in ("opt-in-not-required", "opted-in")
        source = "ec2:DescribeRegions"
    if enabled:
        checks.add("region enabled", PASS, f"{region} is {status} ({source})")
    else:
        checks.add("region enabled", FAIL, f"{region} is {status} ({source})",
                   f"enable the region: aws account enable-region --region-name {region} (takes minutes), "
                   "or choose another aws:region")
    return checks


def availability_zones(ctx: Context) -> tuple[list[str] | None, Checks]:
    """The AZs the stack will use, as the program picks them (None: they could not be told)."""
    checks = Checks()
    net = ctx.settings.network
    try:
        if net.existing is not None:
            subnets = ctx.client("ec2").describe_subnets(SubnetIds=list(net.existing.private_subnet_ids))["Subnets"]
            by_id = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}
            return list(dict.fromkeys(by_id[i] for i in net.existing.private_subnet_ids if i in by_id)), checks
        offered = ctx.client("ec2").describe_availability_zones(Filters=[
            {"Name": "state", "Values": ["available"]},
            {"Name": "opt-in-status", "Values": ["opt-in-not-required"]}])["AvailabilityZones"]
    except Exception as exc:  # noqa: BLE001
        code = error_code(exc)
        if net.existing is not None and code.startswith("InvalidSubnet"):
            checks.add("availability zones", FAIL, f"network.existing.privateSubnetIds: {one_line(exc)}",
                       "list subnets of this account and region")
        else:
            checks.add("availability zones", UNCHECKED,
                       f"ec2 did not answer ({one_line(exc)}); instance types, quotas and the network are unchecked")
        return None, checks
    available = sorted(z["ZoneName"] for z in offered)
    if net.availability_zones is not None:
        missing = [z for z in net.availability_zones if z not in available]
        if missing:
            checks.add("availability zones", FAIL, f"network.availabilityZones: {', '.join(missing)} not available "
                       f"(available: {', '.join(available)})", "list available zones of the region")
            return None, checks
        zones = list(net.availability_zones)
    elif len(available) < net.az_count:
        checks.add("availability zones", FAIL, f"{ctx.settings.region} has {len(available)} available zones, "
                   f"network.azCount is {net.az_count}", "lower network.azCount")
        return None, checks
    else:
        zones = available[: net.az_count]
    checks.add("availability zones", PASS, ", ".join(zones))
    return zones, checks
