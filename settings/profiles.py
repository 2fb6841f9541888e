"""Sizing profiles: the defaults each profile gives to the stack configuration, as data.

Keys are the stack-config keys exactly as a user writes them (camelCase, nested objects), so a
profile default and a user override are the same thing: the user's value wins key by key
(`deep_merge`). This table is the one place where sizes, counts and retentions are chosen; the
generated configuration reference reads it too.
"""

from __future__ import annotations

from typing import Any, Final, Mapping

PROFILE_NAMES: Final = ("dev", "production", "production-large")

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS: Final = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)

PROFILE_DEFAULTS: Final[Mapping[str, Mapping[str, Any]]] = {
    "dev": {
        # dev is disposable: nothing is protected, logs are short-lived.
        "protectData": False,
        "logRetentionDays": 30,
        "network": {
            "azCount": 3,
            # One NAT gateway: dev accepts losing egress when its AZ fails, to save ~66 USD/month.
            "natGateways": "single",
            "interfaceEndpoints": [],
        },
        # Small Graviton burstables: the cheapest priced classes that run LangSmith's metadata load.
        "postgres": {"instanceClass": "db.t4g.medium", "allocatedStorageGb": 20, "maxAllocatedStorageGb": 100,
                     "multiAz": False, "backupRetentionDays": 7},
        "redis": {"nodeType": "cache.t4g.medium", "nodes": 1, "snapshotRetentionDays": 1},
        # Spot nodes, several types for capacity. ClickHouse on spot is acceptable in dev: its volume persists.
        "cluster": {
            "generalPool": {"instanceTypes": ["m6i.xlarge", "m5.xlarge", "m7i.xlarge"], "capacityType": "SPOT",
                            "minSize": 2, "desiredSize": 2, "maxSize": 4, "diskSizeGb": 50},
            "clickhousePool": {"instanceTypes": ["m6i.xlarge", "m5.xlarge"], "capacityType": "SPOT",
                               "minSize": 1, "desiredSize": 1, "maxSize": 1, "diskSizeGb": 50},
        },
        "clickhouse": {"volumeSizeGb": 50, "volumeIops": 3000, "volumeThroughputMibps": 125,
                       "cpu": "2", "memory": "10Gi"},
        "langsmith": {"components": {
            "backend": {"replicas": 1, "cpu": "500m", "memory": "2Gi"},
            "platformBackend": {"replicas": 1, "cpu": "250m", "memory": "1Gi"},
            "queue": {"replicas": 1, "cpu": "500m", "memory": "2Gi"},
            "ingestQueue": {"replicas": 1, "cpu": "500m", "memory": "2Gi"},
            "frontend": {"replicas": 1, "cpu": "250m", "memory": "512Mi"},
            "playground": {"replicas": 1, "cpu": "250m", "memory": "1Gi"},
            "aceBackend": {"replicas": 1, "cpu": "100m", "memory": "512Mi"},
        }},
        "blobStorage": {"noncurrentVersionDays": 7},
        "observability": {"albErrorsPer5Minutes": 50, "rdsCpuPercent": 90, "rdsFreeStorageGb": 5, "rdsMaxConnections": 300,
                          "redisMemoryPercent": 90, "redisEvictionsPer5Minutes": 1000, "podRestartsPer5Minutes": 10,
                          "backupRetentionDays": 7},
    },
    "production": {
        "protectData": True,
        "logRetentionDays": 365,
        "network": {
            "azCount": 3,
            "natGateways": "per-az",
            # Interface endpoints cost ~22 USD/month each across 3 AZs. Images come through the
            # free S3 gateway endpoint, so only STS (IRSA credentials) is worth it by default:
            # pods keep getting credentials while NAT is degraded.
            "interfaceEndpoints": ["sts"],
        },
        # m7g.large: 2 vCPU / 8 GiB, not burstable, and cheaper than the m6i/r6i x86 classes.
        "postgres": {"instanceClass": "db.m7g.large", "allocatedStorageGb": 50, "maxAllocatedStorageGb": 500,
                     "multiAz": False, "backupRetentionDays": 14},
        # A primary and a replica in another AZ, with automatic failover.
        "redis": {"nodeType": "cache.m7g.large", "nodes": 2, "snapshotRetentionDays": 7},
        # Sized from requests (settings/capacity.py), not from a margin: the pods below, the chart's
        # hooks, the controllers and the DaemonSets ask ~14.6 vCPU / ~47.6 GiB; an m6i.2xlarge has
        # 7.46 vCPU / 28.4 GiB for pods after kube-reserved, eviction and DaemonSets, so two nodes
        # (the reference's 16 vCPU / 64 GB floor) schedule every pod. A rollout's surge needs a third:
        # the Cluster Autoscaler adds it, up to maxSize. ClickHouse gets its own 8 vCPU / 32 GiB node.
        "cluster": {
            "generalPool": {"instanceTypes": ["m6i.2xlarge"], "capacityType": "ON_DEMAND",
                            "minSize": 2, "desiredSize": 2, "maxSize": 6, "diskSizeGb": 50},
            "clickhousePool": {"instanceTypes": ["m6i.2xlarge"], "capacityType": "ON_DEMAND",
                               "minSize": 1, "desiredSize": 1, "maxSize": 1, "diskSizeGb": 50},
        },
        "clickhouse": {"volumeSizeGb": 200, "volumeIops": 7000, "volumeThroughputMibps": 1000,
                       "cpu": "6", "memory": "24Gi"},
        # 13.2 vCPU / 45 GiB of requests at these replica counts (the chart's defaults are 1 vCPU /
        # 2 GiB for backend, queue and ingest queue; production doubles their memory).
        "langsmith": {"components": {
            "backend": {"replicas": 3, "cpu": "1", "memory": "4Gi"},
            "platformBackend": {"replicas": 2, "cpu": "1", "memory": "2Gi"},
            "queue": {"replicas": 3, "cpu": "1", "memory": "4Gi"},
            "ingestQueue": {"replicas": 3, "cpu": "1", "memory": "4Gi"},
            "frontend": {"replicas": 2, "cpu": "500m", "memory": "1Gi"},
            "playground": {"replicas": 1, "cpu": "1", "memory": "2Gi"},
            "aceBackend": {"replicas": 1, "cpu": "200m", "memory": "1Gi"},
        }},
        "blobStorage": {"noncurrentVersionDays": 30},
        # db.m7g.large allows ~900 connections; alarm well before.
        "observability": {"albErrorsPer5Minutes": 20, "rdsCpuPercent": 80, "rdsFreeStorageGb": 10, "rdsMaxConnections": 700,
                          "redisMemoryPercent": 80, "redisEvictionsPer5Minutes": 0, "podRestartsPer5Minutes": 3,
                          "backupRetentionDays": 35},
    },
    "production-large": {
        "protectData": True,
        "logRetentionDays": 731,
        "network": {
            "azCount": 3,
            "natGateways": "per-az",
            "interfaceEndpoints": ["sts", "ecr.api", "ecr.dkr", "logs", "secretsmanager"],
        },
        "postgres": {"instanceClass": "db.m7g.xlarge", "allocatedStorageGb": 100, "maxAllocatedStorageGb": 1000,
                     "multiAz": True, "backupRetentionDays": 30},
        "redis": {"nodeType": "cache.m7g.xlarge", "nodes": 3, "snapshotRetentionDays": 14},
        "cluster": {
            "generalPool": {"instanceTypes": ["m6i.4xlarge"], "capacityType": "ON_DEMAND",
                            "minSize": 3, "desiredSize": 3, "maxSize": 10, "diskSizeGb": 100},
            "clickhousePool": {"instanceTypes": ["m6i.4xlarge"], "capacityType": "ON_DEMAND",
                               "minSize": 1, "desiredSize": 1, "maxSize": 1, "diskSizeGb": 50},
        },
        "clickhouse": {"volumeSizeGb": 500, "volumeIops": 7000, "volumeThroughputMibps": 1000,
                       "cpu": "14", "memory": "56Gi"},
        "langsmith": {"components": {
            "backend": {"replicas": 6, "cpu": "1", "memory": "4Gi"},
            "platformBackend": {"replicas": 4, "cpu": "1", "memory": "2Gi"},
            "queue": {"replicas": 6, "cpu": "1", "memory": "4Gi"},
            "ingestQueue": {"replicas": 6, "cpu": "1", "memory": "4Gi"},
            "frontend": {"replicas": 3, "cpu": "500m", "memory": "1Gi"},
            "playground": {"replicas": 2, "cpu": "1", "memory": "2Gi"},
            "aceBackend": {"replicas": 2, "cpu": "200m", "memory": "1Gi"},
        }},
        "blobStorage": {"noncurrentVersionDays": 30},
        "observability": {"albErrorsPer5Minutes": 50, "rdsCpuPercent": 80, "rdsFreeStorageGb": 25, "rdsMaxConnections": 1400,
                          "redisMemoryPercent": 80, "redisEvictionsPer5Minutes": 0, "podRestartsPer5Minutes": 5,
                          "backupRetentionDays": 90},
    },
}


def deep_merge(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return `defaults` updated by `overrides`, recursing into nested mappings only.

    Lists and scalars from `overrides` replace the default whole; a non-mapping override of a
    mapping default is kept as is so that validation reports it against the right key.
    """
    merged: dict[str, Any] = dict(defaults)
    for key, value in overrides.items():
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(base, value)
        else:
            merged[key] = value
    return merged
