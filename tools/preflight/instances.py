"""Instance offerings: each node pool's instance types are offered in every zone its nodes can land in."""

from __future__ import annotations

from tools.preflight.context import FAIL, PASS, UNCHECKED, Checks, Context
from tools.preflight.errors import one_line
from tools.preflight.needs import Needs


def check_instance_types(ctx: Context, needs: Needs) -> Checks:
    """Every instance type of each node pool is offered in every zone the pool can use."""
    checks = Checks()
    for pool in needs.pools:
        try:
            offerings = ctx.every(
                "ec2", "describe_instance_type_offerings", "InstanceTypeOfferings",
                LocationType="availability-zone",
                Filters=[{"Name": "instance-type", "Values": list(pool.instance_types)},
                         {"Name": "location", "Values": list(pool.zones)}])
        except Exception as exc:  # noqa: BLE001
            checks.add(f"instance types ({pool.name})", UNCHECKED, f"ec2:DescribeInstanceTypeOfferings: {one_line(exc)}")
            continue
        offered = {(o["InstanceType"], o["Location"]) for o in offerings}
        missing = [f"{t} in {z}" for t in pool.instance_types for z in pool.zones if (t, z) not in offered]
        if missing:
            checks.add(f"instance types ({pool.name})", FAIL, f"not offered: {', '.join(missing)}",
                       f"choose {pool.name}.instanceTypes offered in every zone "
                       "(aws ec2 describe-instance-type-offerings --location-type availability-zone), "
                       "or set network.availabilityZones")
        else:
            checks.add(f"instance types ({pool.name})", PASS,
                       f"{', '.join(pool.instance_types)} offered in {', '.join(pool.zones)}")
    return checks
