"""DNS: the Route 53 hosted zone the stack publishes its name in (`langsmith.hostedZoneId`,
`hybrid.hostedZoneId`, `agentServer.hostedZoneId`) exists in the account, is public, and holds the domain."""

from __future__ import annotations

from settings import Shape
from tools.preflight.context import FAIL, PASS, UNCHECKED, Checks, Context
from tools.preflight.errors import error_code, one_line


def check_hosted_zones(ctx: Context) -> Checks:
    """The hosted zone the stack's domain goes in exists, is public, and holds the domain."""
    checks = Checks()
    if ctx.settings.shape is Shape.SELF_HOSTED and ctx.settings.langsmith is not None:
        domain, zone_id, key = ctx.settings.langsmith.domain, ctx.settings.langsmith.hosted_zone_id, "langsmith"
    elif ctx.settings.shape is Shape.HYBRID:
        domain, zone_id, key = ctx.settings.hybrid.domain, ctx.settings.hybrid.hosted_zone_id, "hybrid"
    elif ctx.settings.shape is Shape.AGENT_SERVER:
        a = ctx.settings.agent_server
        domain, zone_id, key = a.domain, a.hosted_zone_id, "agentServer"
    else:
        return checks
    if domain is None or zone_id is None:
        return checks  # a config error, reported as such
    name = f"hosted zone ({key}.hostedZoneId)"
    try:
        zone = ctx.client("route53").get_hosted_zone(Id=zone_id)["HostedZone"]
    except Exception as exc:  # noqa: BLE001
        if error_code(exc) in ("NoSuchHostedZone", "InvalidInput"):
            checks.add(name, FAIL, f"hosted zone {zone_id} does not exist in this account",
                       f"create a public hosted zone that holds {domain} and delegate it from the parent zone "
                       f"(aws route53 create-hosted-zone --name {domain} --caller-reference $(date +%s)), "
                       f"then set {key}.hostedZoneId to its ID")
        else:
            checks.add(name, UNCHECKED, f"route53:GetHostedZone {zone_id}: {one_line(exc)}")
        return checks
    zone_name = str(zone["Name"]).rstrip(".").lower()
    problems: list[tuple[str, str]] = []
    if zone.get("Config", {}).get("PrivateZone"):
        problems.append((f"{zone_id} ({zone_name}) is a private zone: ACM cannot validate the certificate "
                         "through it and clients outside the VPC cannot resolve the name",
                         "use a public hosted zone"))
    fqdn = domain.lower().rstrip(".")
    if not (fqdn == zone_name or fqdn.endswith("." + zone_name)):
        problems.append((f"{key}.domain {domain} is outside the zone {zone_id} ({zone_name})",
                         f"set {key}.domain to a name under {zone_name}, or {key}.hostedZoneId to the zone "
                         f"that holds {domain}"))
    if problems:
        checks.add(name, FAIL, "; ".join(p for p, _ in problems), "; ".join(f for _, f in problems))
    else:
        checks.add(name, PASS, f"{zone_id} is the public zone {zone_name}, which holds {domain}")
    return checks
