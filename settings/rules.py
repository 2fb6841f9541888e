"""Every rule spanning several keys, run in one place over a validated `Settings`.

The area modules hold their own rules (settings/network.py, cluster.py, postgres.py, ...); the
capacity arithmetic (settings/capacity.py) and the arm64 check (settings/architecture.py) read the
whole stack. This module sits above all of them: it imports the models and the rules, and nothing
below it imports it back. The order of the problems is the order the loader reports them in.
"""

from __future__ import annotations

from settings.architecture import architecture_problems
from settings.base import Problem, Shape
from settings.agent_server import agent_server_problems
from settings.blob_storage import blob_storage_problems
from settings.byoc import byoc_contract_problems, byoc_problems
from settings.capacity import capacity_problems
from settings.clickhouse import clickhouse_problems
from settings.cluster import cluster_problems, pool_architecture_problems
from settings.edge import internal_alb_problems
from settings.hybrid import hybrid_problems
from settings.langsmith import langsmith_problems, license_problems
from settings.network import availability_zone_problems, existing_network_problems
from settings.postgres import instance_class_problems, postgres_problems
from settings.redis import elasticache_problems
from settings.restore import restore_problems, restored_secret_problems
from settings.stack import Settings, log_retention_problems

# For a cross-field rule reported at the first key: the other keys that take part in it. When the
# first came from the profile (the user did not set it), the loader names the one the user did set.
RELATED_KEYS: dict[str, tuple[str, ...]] = {
    "clickhouse.cpu": ("cluster.clickhousePool.instanceTypes", "clickhouse.memory", "profile"),
    "cluster.generalPool.minSize": ("cluster.generalPool.instanceTypes", "profile"),
    "cluster.generalPool.desiredSize": ("cluster.generalPool.minSize", "cluster.generalPool.maxSize"),
    "cluster.clickhousePool.desiredSize": ("cluster.clickhousePool.minSize", "cluster.clickhousePool.maxSize"),
    "logRetentionDays": ("profile",),
    "postgres.backupRetentionDays": ("profile",),
    "postgres.maxAllocatedStorageGb": ("postgres.allocatedStorageGb",),
    "postgres.instanceClass": ("aws:region", "postgres.engineVersion"),
    "redis.nodeType": ("aws:region",),
    "redis.engineVersion": ("redis.engine",),
    "clickhouse.volumeIops": ("clickhouse.volumeSizeGb",),
    "clickhouse.volumeThroughputMibps": ("clickhouse.volumeIops",),
    "blobStorage.longTtlDays": ("blobStorage.shortTtlDays",),
    "edge.allowedCidrs": ("edge.internal",),
}


def cross_field_problems(s: Settings) -> list[Problem]:
    """Rules spanning several keys: (key, value, what is allowed) for each violation."""
    problems: list[Problem] = []
    problems.extend(availability_zone_problems(s.network, s.region))
    problems.extend(log_retention_problems(s.profile, s.log_retention_days))
    problems.extend(postgres_problems(s.postgres, s.profile, s.postgres_external_uri))
    if s.shape is Shape.BYOC:
        problems.extend(byoc_problems(s.byoc, s.byoc_external_id))
        problems.extend(byoc_contract_problems(s.byoc, s.network, s.region, s.postgres.external))
    if s.shape is Shape.HYBRID:
        problems.extend(hybrid_problems(s.hybrid, s.hybrid_api_keys))
    if s.shape is Shape.SELF_HOSTED:
        problems.extend(langsmith_problems(s.langsmith, s.oidc_client_secret))
        if s.langsmith is not None:  # the ALB fronts the application: not checked while `langsmith` is missing
            problems.extend(internal_alb_problems(s.edge, s.profile))
        problems.extend(license_problems(s.license_key))
    if s.shape is Shape.AGENT_SERVER:
        problems.extend(agent_server_problems(s.agent_server, s.license_key, s.agent_server_api_key,
                                              s.postgres.external))
        problems.extend(internal_alb_problems(s.edge, s.profile))
    problems.extend(blob_storage_problems(s.blob_storage))
    problems.extend(cluster_problems(s.cluster, s.shape, s.profile))
    problems.extend(clickhouse_problems(s.clickhouse, s.clickhouse_external_password))
    # What AWS offers (settings/catalogue.py).
    problems.extend(pool_architecture_problems(s.cluster))
    problems.extend(instance_class_problems(s.postgres, s.shape, s.region))
    problems.extend(elasticache_problems(s.redis, s.shape, s.region))
    problems.extend(restore_problems(s.restore, s.shape, s.region, s.postgres, s.clickhouse))
    if s.shape is Shape.SELF_HOSTED:
        problems.extend(restored_secret_problems(s.restore, s.restore_secrets, s.langsmith))
    if not any(key.startswith(("langsmith", "cluster.", "hybrid", "agentServer")) for key, _, _ in problems):
        # What the pods ask against what the nodes give, and the images on arm64: only once the
        # workloads and pools they are computed from are themselves valid.
        problems.extend(architecture_problems(s))
        problems.extend(capacity_problems(s))
    problems.extend(existing_network_problems(s.network, s.shape, s.edge))
    return problems
