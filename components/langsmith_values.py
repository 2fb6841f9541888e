"""The `langsmith` chart's values, built by one typed function.

The chart has no values schema and ignores keys it does not know, so this module is the single
place that names chart keys, and the tests hold `build_values` to the value paths the chart's own
values.yaml defines at the pinned version (`CHART`, derived from the chart's source into
data/charts/ by data/charts/generate.py). Credentials are never values: the chart reads them from the
four existing Secrets that External Secrets builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

import pulumi

from components import versions
from components.chart_facts import chart_facts, cpu_millicores, leaf_paths, lookup

# The size the chart's volumeClaimTemplate asks for, fixed: a StatefulSet's claim templates are
# immutable, so a template that followed clickhouse.volumeSizeGb would fail the Helm upgrade that
# raises it. The claim the StatefulSet adopts is the stack's own (components/clickhouse_restore.py,
# data_claim), sized by config; raising its request grows the volume in place (the StorageClass
# allows expansion; the EBS CSI resizer modifies the volume and grows the filesystem).
CLAIM_TEMPLATE_SIZE = "20Gi"

RELEASE_NAME = "langsmith"  # the chart's fullname is then "langsmith"
CONFIG_SECRET = "langsmith-config"
POSTGRES_SECRET = "langsmith-postgres"
REDIS_SECRET = "langsmith-redis"
CLICKHOUSE_SECRET = "langsmith-clickhouse"
# The in-cluster ClickHouse Service (langsmith 0.16.11 templates/clickhouse/service.yaml:
# "{{ fullname }}-{{ clickhouse.name }}", port clickhouse.service.httpPort, default 8123).
CLICKHOUSE_SERVICE = f"{RELEASE_NAME}-clickhouse"
CLICKHOUSE_HTTP_PORT = 8123
CONNECTION_URL_KEY = "connection_url"
CLICKHOUSE_USER = "default"
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"

# Chart component key -> the Kubernetes service account name we give it.
COMPONENTS = {
    "backend": f"{RELEASE_NAME}-backend",
    "platformBackend": f"{RELEASE_NAME}-platform-backend",
    "queue": f"{RELEASE_NAME}-queue",
    "ingestQueue": f"{RELEASE_NAME}-ingest-queue",
    "frontend": f"{RELEASE_NAME}-frontend",
    "playground": f"{RELEASE_NAME}-playground",
    "aceBackend": f"{RELEASE_NAME}-ace-backend",
}
# The workloads that read and write blob storage (they carry S3_* env and need IRSA).
S3_COMPONENTS = ("backend", "platformBackend", "queue", "ingestQueue")
FRONTEND_SERVICE = f"{RELEASE_NAME}-frontend"
FRONTEND_SERVICE_PORT = 80

# The chart's facts at the pinned version: the value paths it reads, its workloads and their defaults.
CHART = chart_facts(versions.LANGSMITH.chart, versions.LANGSMITH.version)


@dataclass(frozen=True)
class Workload:
    replicas: int
    cpu: str
    memory: str


@dataclass(frozen=True)
class ClickHousePlacement:
    """In-cluster ClickHouse: where it runs and on what."""

    storage_class: str
    volume_size_gb: int
    cpu: str
    memory: str
    node_selector: Mapping[str, str]
    toleration_key: str


@dataclass(frozen=True)
class LangSmithValuesInput:
    hostname: str
    region: str
    bucket_name: pulumi.Input[str]
    s3_role_arns: Mapping[str, pulumi.Input[str]]
    auth: Literal["basic", "oidc"]
    oidc_with_client_secret: bool
    admin_email: str | None
    workloads: Mapping[str, Workload]
    clickhouse: ClickHousePlacement | None  # None: external ClickHouse
    insights_enabled: bool = False
    polly_enabled: bool = False


def _resources(path: str, cpu: str, memory: str) -> dict[str, Any]:
    """Requests for the workload whose resources the chart reads at `path`.

    Memory limit = request (no overcommit of memory). Helm merges our map into the chart's default,
    so the chart's CPU limit stays: it is raised to the request only when the request exceeds it,
    since the API server refuses a pod whose request is above its limit.
    """
    resources: dict[str, Any] = {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}
    default_limit = lookup(CHART.defaults.get(path) or {}, "limits.cpu")
    if default_limit is not None and cpu_millicores(cpu) > cpu_millicores(default_limit):
        resources["limits"]["cpu"] = cpu
    return resources


def build_values(v: LangSmithValuesInput) -> dict[str, Any]:
    """Values for the langsmith chart, from typed settings and component outputs."""
    if v.auth == "basic":
        auth: dict[str, Any] = {"authType": "mixed", "basicAuth": {"enabled": True},
                                "initialOrgAdminEmail": v.admin_email}
    else:
        # OIDC with a client secret is "mixed"; without one the chart uses PKCE ("oauth").
        auth = {"authType": "mixed" if v.oidc_with_client_secret else "oauth",
                "oauth": {"enabled": True, "oauthScopes": "email,profile,openid"}}
    values: dict[str, Any] = {
        "config": {
            "existingSecretName": CONFIG_SECRET,
            "hostname": f"https://{v.hostname}",
            **auth,
            "blobStorage": {
                "enabled": True,
                "engine": "S3",
                "bucketName": v.bucket_name,
                "apiURL": f"https://s3.{v.region}.amazonaws.com",
            },
            "deployment": {"enabled": False},
        },
        "postgres": {"external": {"enabled": True, "existingSecretName": POSTGRES_SECRET,
                                  "connectionUrlSecretKey": CONNECTION_URL_KEY}},
        "redis": {"external": {"enabled": True, "existingSecretName": REDIS_SECRET,
                               "connectionUrlSecretKey": CONNECTION_URL_KEY}},
        "clickhouse": _clickhouse(v.clickhouse),
        "insights": {"enabled": v.insights_enabled},
        "polly": {"enabled": v.polly_enabled},
    }
    for component, account in COMPONENTS.items():
        workload = v.workloads[component]
        service_account: dict[str, Any] = {"name": account}
        if component in S3_COMPONENTS:
            service_account["annotations"] = {ROLE_ARN_ANNOTATION: v.s3_role_arns[component]}
        values[component] = {
            "deployment": {"replicas": workload.replicas, "resources": _resources(
                f"{component}.deployment.resources", workload.cpu, workload.memory)},
            "serviceAccount": service_account,
        }
    # The ALB is ours; the frontend stays internal and joins it through a TargetGroupBinding.
    values["frontend"]["service"] = {"type": "ClusterIP"}
    return values


def _clickhouse(placement: ClickHousePlacement | None) -> dict[str, Any]:
    # Even in-cluster, the chart takes the ClickHouse credentials from this Secret, not from values.
    external = {"enabled": placement is None, "existingSecretName": CLICKHOUSE_SECRET, "user": CLICKHOUSE_USER}
    if placement is None:
        return {"enabled": True, "external": external}
    return {
        "enabled": True,
        "external": external,
        "statefulSet": {
            # Fixed: the claim the StatefulSet adopts is the stack's own, sized by clickhouse.volumeSizeGb
            # (CLAIM_TEMPLATE_SIZE above).
            "persistence": {"enabled": True, "size": CLAIM_TEMPLATE_SIZE,
                            "storageClassName": placement.storage_class},
            "resources": _resources("clickhouse.statefulSet.resources", placement.cpu, placement.memory),
            "nodeSelector": dict(placement.node_selector),
            "tolerations": [{"key": placement.toleration_key, "operator": "Equal", "value": "true",
                             "effect": "NoSchedule"}],
        },
    }


def value_paths(values: Mapping[str, Any]) -> set[str]:
    """Dotted leaf paths of `values` (lists and empty maps are leaves)."""
    return leaf_paths(values)


def ignored_value_paths(values: Mapping[str, Any]) -> set[str]:
    """Paths of `values` that the chart's values.yaml at the pinned version does not define: the chart ignores them."""
    return CHART.ignored(value_paths(values))
