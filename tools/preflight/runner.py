"""The checklist: every check in the order it is printed, each run only when what it needs is known
(the AWS checks need an identity; the zone-bound ones need the zones the stack will use)."""

from __future__ import annotations

from tools.preflight.agent_images import check_agent_image_repository
from tools.preflight.byoc import check_byoc
from tools.preflight.clis import check_clis
from tools.preflight.context import UNCHECKED, Check, Checks, Context
from tools.preflight.dns import check_hosted_zones
from tools.preflight.images import check_server_images
from tools.preflight.identity import check_identity, check_permissions
from tools.preflight.instances import check_instance_types
from tools.preflight.needs import plan_needs
from tools.preflight.network import check_api_reachability, check_existing_network
from tools.preflight.quotas import check_quotas
from tools.preflight.region import availability_zones, check_region
from tools.preflight.restore import check_restore_sources, check_restore_target
from tools.preflight.secrets_and_placeholders import check_secrets_and_placeholders
from tools.preflight.versions import check_addon_versions


def run_checks(ctx: Context) -> list[Check]:
    checks = Checks()
    identity, found = check_identity(ctx)
    checks += found
    if identity is not None:
        checks += check_permissions(ctx, identity)
        checks += check_region(ctx)
        checks += check_byoc(ctx, identity)
        checks += check_addon_versions(ctx)
        checks += check_restore_sources(ctx, identity)
        checks += check_restore_target(ctx)
        zones, found = availability_zones(ctx)
        checks += found
        if zones is not None:
            needs = plan_needs(ctx.settings, zones)
            checks += check_hosted_zones(ctx)
            checks += check_server_images(ctx)
            checks += check_instance_types(ctx, needs)
            checks += check_quotas(ctx, needs)
            checks += check_existing_network(ctx)
        checks += check_agent_image_repository(ctx)
    else:
        checks.add("AWS checks", UNCHECKED,
                   "region, hosted zone, instance types, quotas, network and cluster checks need credentials")
    checks += check_api_reachability(ctx, identity is not None)
    checks += check_secrets_and_placeholders(ctx)
    checks += check_clis(ctx)
    return list(checks)
