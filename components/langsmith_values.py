"""The `langsmith` chart's values, built by one typed function.

The chart has no values schema and ignores keys it does not know, so this module is the single
place that names chart keys, and `KNOWN_VALUE_PATHS` lists every path the chart (0.16.x) reads
that we set; the tests hold `build_values` to it. Credentials are never values: the chart reads
them from the four existing Secrets that External Secrets builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

import pulumi

RELEASE_NAME = "langsmith"  # the chart's fullname is then "langsmith"
CONFIG_SECRET = "langsmith-config"
POSTGRES_SECRET = "langsmith-postgres"
REDIS_SECRET = "langsmith-redis"
CLICKHOUSE_SECRET = "langsmith-clickhouse"
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

KNOWN_VALUE_PATHS = frozenset({
    # Set by components.langsmith.release_options (Reloader annotations, the e2e hook).
    "backend.e2eTest.enabled", "backend.deployment.annotations", "platformBackend.deployment.annotations",
    "queue.deployment.annotations", "ingestQueue.deployment.annotations", "hostBackend.deployment.annotations",
    "listener.deployment.annotations", "agentGateway.deployment.annotations",
    "presidioAnalyzer.deployment.annotations", "fleet.apiServer.deployment.annotations",
    "fleet.queue.deployment.annotations", "fleetToolServer.deployment.annotations",
    "fleetTriggerServer.deployment.annotations", "engineInsightsAgent.apiServer.deployment.annotations",
    "engineInsightsAgent.queue.deployment.annotations", "polly.apiServer.deployment.annotations",
    "polly.queue.deployment.annotations",
    "config.existingSecretName", "config.hostname", "config.authType", "config.initialOrgAdminEmail",
    "config.basicAuth.enabled", "config.oauth.enabled", "config.oauth.oauthScopes",
    "config.blobStorage.enabled", "config.blobStorage.engine", "config.blobStorage.bucketName",
    "config.blobStorage.apiURL", "config.deployment.enabled",
    "postgres.external.enabled", "postgres.external.existingSecretName", "postgres.external.connectionUrlSecretKey",
    "redis.external.enabled", "redis.external.existingSecretName", "redis.external.connectionUrlSecretKey",
    "clickhouse.enabled", "clickhouse.external.enabled", "clickhouse.external.existingSecretName",
    "clickhouse.external.user",
    "clickhouse.statefulSet.persistence.enabled", "clickhouse.statefulSet.persistence.size",
    "clickhouse.statefulSet.persistence.storageClassName", "clickhouse.statefulSet.resources.requests.cpu",
    "clickhouse.statefulSet.resources.requests.memory", "clickhouse.statefulSet.resources.limits.memory",
    "clickhouse.statefulSet.nodeSelector", "clickhouse.statefulSet.tolerations",
    "insights.enabled", "polly.enabled", "frontend.service.type", "networkPolicy.enabled",
    *(f"{c}.deployment.{leaf}" for c in COMPONENTS
      for leaf in ("replicas", "resources.requests.cpu", "resources.requests.memory", "resources.limits.memory")),
    *(f"{c}.serviceAccount.{leaf}" for c in COMPONENTS for leaf in ("name", "annotations")),
})


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


def _resources(cpu: str, memory: str) -> dict[str, Any]:
    # Memory limit = request (no overcommit of memory); no CPU limit (throttling, not protection).
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}


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
        # The chart's egress policy denies 169.254.169.254: pods use IRSA, never the node's role.
        "networkPolicy": {"enabled": True},
    }
    for component, account in COMPONENTS.items():
        workload = v.workloads[component]
        service_account: dict[str, Any] = {"name": account}
        if component in S3_COMPONENTS:
            service_account["annotations"] = {ROLE_ARN_ANNOTATION: v.s3_role_arns[component]}
        values[component] = {
            "deployment": {"replicas": workload.replicas, "resources": _resources(workload.cpu, workload.memory)},
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
            "persistence": {"enabled": True, "size": f"{placement.volume_size_gb}Gi",
                            "storageClassName": placement.storage_class},
            "resources": _resources(placement.cpu, placement.memory),
            "nodeSelector": dict(placement.node_selector),
            "tolerations": [{"key": placement.toleration_key, "operator": "Equal", "value": "true",
                             "effect": "NoSchedule"}],
        },
    }


def value_paths(values: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Dotted paths of `values`; lists and the maps the chart copies verbatim count as leaves."""
    verbatim = {"annotations", "nodeSelector"}
    paths: set[str] = set()
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and key not in verbatim:
            paths |= value_paths(value, path + ".")
        else:
            paths.add(path)
    return paths
