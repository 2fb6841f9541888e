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
from components.edge import TARGET_KEEPALIVE_SECONDS
from components.chart_facts import chart_facts, leaf_paths, lookup
from components.quantity import cpu_millicores

# The size the chart's volumeClaimTemplate asks for, fixed: a StatefulSet's claim templates are
# immutable, so a template that followed clickhouse.volumeSizeGb would fail the Helm upgrade that
# raises it. The claim the StatefulSet adopts is the stack's own (components/clickhouse_restore.py,
# data_claim), sized by config; raising its request grows the volume in place (the StorageClass
# allows expansion; the EBS CSI resizer modifies the volume and grows the filesystem).
CLAIM_TEMPLATE_SIZE = "20Gi"

RELEASE_NAME = "langsmith"  # the chart's fullname is then "langsmith"
NAMESPACE = "langsmith"  # the release's namespace (and, with LangSmith Deployment, its agents')
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


# LangSmith Deployment (config.deployment.enabled). Agent pods, and the PostgreSQL and Redis the operator
# creates for each agent, carry this label (added to the operator's templates below), so that the
# NetworkPolicies can tell them apart from LangSmith's own pods in the same namespace.
AGENT_LABEL = ("langsmith.com/agent", "true")


def _agent_label_line(indent: int) -> str:
    return " " * indent + f'{AGENT_LABEL[0]}: "{AGENT_LABEL[1]}"\n'


# The operator's templates, as langsmith 0.16.11 ships them (values.yaml `operator.templates.deployment`,
# `.redis`, `.db`; langchain-ai/helm @ langsmith-0.16.11), with only these additions: the agent label on
# each pod template, and no service account token in agent pods (agents are user code; none of them
# needs the Kubernetes API). `${...}` are the operator's own placeholders, filled per agent.
AGENT_DEPLOYMENT_TEMPLATE = (
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: ${name}\n"
    "  namespace: ${namespace}\n"
    "spec:\n"
    "  replicas: ${replicas}\n"
    "  revisionHistoryLimit: 10\n"
    "  selector:\n"
    "    matchLabels:\n"
    "      app: ${name}\n"
    "  template:\n"
    "    metadata:\n"
    "      labels:\n"
    "        app: ${name}\n"
    + _agent_label_line(8) +
    "    spec:\n"
    "      enableServiceLinks: false\n"
    "      automountServiceAccountToken: false\n"
    "      containers:\n"
    "      - name: api-server\n"
    "        image: ${image}\n"
    "        ports:\n"
    "        - name: api-server\n"
    "          containerPort: 8000\n"
    "          protocol: TCP\n"
    "        livenessProbe:\n"
    "          httpGet:\n"
    "            path: /ok\n"
    "            port: 8000\n"
    "          periodSeconds: 15\n"
    "          timeoutSeconds: 5\n"
    "          failureThreshold: 6\n"
    "        readinessProbe:\n"
    "          httpGet:\n"
    "            path: /ok\n"
    "            port: 8000\n"
    "          periodSeconds: 15\n"
    "          timeoutSeconds: 5\n"
    "          failureThreshold: 6\n"
)
AGENT_REDIS_TEMPLATE = (
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: ${service_name}\n"
    "  namespace: ${namespace}\n"
    "spec:\n"
    "  replicas: 1\n"
    "  selector:\n"
    "    matchLabels:\n"
    "      app: ${service_name}\n"
    "  template:\n"
    "    metadata:\n"
    "      labels:\n"
    "        app: ${service_name}\n"
    + _agent_label_line(8) +
    "    spec:\n"
    "      enableServiceLinks: false\n"
    "      automountServiceAccountToken: false\n"
    "      containers:\n"
    "      - name: redis\n"
    "        image: docker.io/redis:7\n"
    "        ports:\n"
    "        - containerPort: 6379\n"
    "          name: redis\n"
    "        livenessProbe:\n"
    "          exec:\n"
    "            command:\n"
    "            - redis-cli\n"
    "            - ping\n"
    "          initialDelaySeconds: 30\n"
    "          periodSeconds: 10\n"
    "        readinessProbe:\n"
    "          tcpSocket:\n"
    "            port: 6379\n"
    "          initialDelaySeconds: 10\n"
    "          periodSeconds: 5\n"
)
AGENT_DATABASE_TEMPLATE = (
    "apiVersion: apps/v1\n"
    "kind: StatefulSet\n"
    "metadata:\n"
    "  name: ${service_name}\n"
    "spec:\n"
    "  serviceName: ${service_name}\n"
    "  selector:\n"
    "    matchLabels:\n"
    "      app: ${service_name}\n"
    "  persistentVolumeClaimRetentionPolicy:\n"
    "    whenDeleted: Delete\n"
    "    whenScaled: Retain\n"
    "  template:\n"
    "    metadata:\n"
    "      labels:\n"
    "        app: ${service_name}\n"
    + _agent_label_line(8) +
    "    spec:\n"
    "      automountServiceAccountToken: false\n"
    "      containers:\n"
    "      - name: postgres\n"
    "        image: pgvector/pgvector:pg15\n"
    "        ports:\n"
    "        - containerPort: 5432\n"
    '        command: ["docker-entrypoint.sh"]\n'
    "        args:\n"
    "          - postgres\n"
    "          - -c\n"
    "          - max_connections=${max_connections}\n"
    "        env:\n"
    "        - name: PGDATA\n"
    "          value: /var/lib/postgresql/data/pgdata\n"
    "        volumeMounts:\n"
    "        - name: postgres-data\n"
    "          mountPath: /var/lib/postgresql/data\n"
    "      enableServiceLinks: false\n"
    "  volumeClaimTemplates:\n"
    "  - metadata:\n"
    "      name: postgres-data\n"
    "    spec:\n"
    '      accessModes: ["ReadWriteOnce"]\n'
    "      resources:\n"
    "        requests:\n"
    '          storage: "${storage_gi}Gi"\n'
)


@dataclass(frozen=True)
class DeploymentRouting:
    """Where the chart's HTTPRoutes attach (LangSmith's own and one per agent): a Gateway of the stack."""

    gateway_name: str
    gateway_namespace: str
    section_name: str
    # config.deployment.ingressHealthCheckEnabled (settings.langsmith.ingress_health_check says when).
    ingress_health_check: bool


@dataclass(frozen=True)
class LangSmithValuesInput:
    hostname: str
    region: str
    bucket_name: pulumi.Input[str]
    s3_role_arns: Mapping[str, pulumi.Input[str]]
    auth: Literal["basic", "oidc"]
    oidc_with_client_secret: bool
    admin_email: str
    workloads: Mapping[str, Workload]
    clickhouse: ClickHousePlacement | None  # None: external ClickHouse
    insights_enabled: bool = False
    polly_enabled: bool = False
    fleet_enabled: bool = False
    # LangSmith Deployment on, routed through this Gateway; None: off (the ALB serves the frontend).
    deployments: DeploymentRouting | None = None


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
        auth: dict[str, Any] = {"authType": "mixed", "basicAuth": {"enabled": True}}
    else:
        # OIDC with a client secret is "mixed"; without one the chart uses PKCE ("oauth").
        auth = {"authType": "mixed" if v.oidc_with_client_secret else "oauth",
                "oauth": {"enabled": True, "oauthScopes": "email,profile,openid"}}
    values: dict[str, Any] = {
        "config": {
            "existingSecretName": CONFIG_SECRET,
            "hostname": f"https://{v.hostname}",
            **auth,
            # The auth-bootstrap hook reads it for every auth mode: without it an SSO install has no
            # organisation (langchain-ai/helm@langsmith-0.16.11 templates/backend/auth-bootstrap.yaml).
            "initialOrgAdminEmail": v.admin_email,
            "blobStorage": {
                "enabled": True,
                "engine": "S3",
                "bucketName": v.bucket_name,
                "apiURL": f"https://s3.{v.region}.amazonaws.com",
            },
            "deployment": _deployment(v.deployments),
        },
        "postgres": {"external": {"enabled": True, "existingSecretName": POSTGRES_SECRET,
                                  "connectionUrlSecretKey": CONNECTION_URL_KEY}},
        "redis": {"external": {"enabled": True, "existingSecretName": REDIS_SECRET,
                               "connectionUrlSecretKey": CONNECTION_URL_KEY}},
        "clickhouse": _clickhouse(v.clickhouse),
        "insights": {"enabled": v.insights_enabled},
        "polly": {"enabled": v.polly_enabled},
    }
    if v.fleet_enabled:
        # Fleet (formerly Agent Builder), the standalone workloads of chart 0.15+; the legacy
        # `config.agentBuilder` path stays off (LangChain's terraform fleet example: never both). Its
        # encryption key is `agent_builder_encryption_key` of the config Secret (templates/secrets.yaml).
        values["fleet"] = {"enabled": True}
    if v.deployments is not None:
        values.update(_deployment_routing(v.deployments))
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
    # The ALB is ours; the frontend stays internal and joins it through a TargetGroupBinding, or, with
    # LangSmith Deployment, through the Gateway's HTTPRoute behind the ALB.
    values["frontend"]["service"] = {"type": "ClusterIP"}
    # nginx's keepalive_timeout (chart default "75", a string) must outlast the ALB's idle timeout,
    # or the ALB reuses connections nginx is closing: sporadic 502s (components/edge.py).
    values["frontend"]["keepAliveTimeout"] = str(TARGET_KEEPALIVE_SECONDS)
    return values


def _deployment(routing: DeploymentRouting | None) -> dict[str, Any]:
    if routing is None:
        return {"enabled": False}
    return {
        "enabled": True,
        # The ALB terminates TLS: agents' URLs are https (a wrong value keeps deployments in DEPLOYING).
        "tlsEnabled": True,
        "ingressHealthCheckEnabled": routing.ingress_health_check,
    }


def _deployment_routing(routing: DeploymentRouting) -> dict[str, Any]:
    """The chart's route (validate.yaml: deployments need ingress, gateway or istioGateway) and operator."""
    return {
        # An HTTPRoute `langsmith` for config.hostname -> the frontend, and one per agent on the same Gateway.
        "gateway": {"enabled": True, "name": routing.gateway_name, "namespace": routing.gateway_namespace,
                    "sectionName": routing.section_name},
        "operator": {
            # The LGP CRD is the stack's, installed once outside every release (components/dataplane.py).
            "createCRDs": False,
            "kedaEnabled": True,
            "templates": {"deployment": AGENT_DEPLOYMENT_TEMPLATE, "redis": AGENT_REDIS_TEMPLATE,
                          "db": AGENT_DATABASE_TEMPLATE},
        },
    }


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
