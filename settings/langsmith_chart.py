"""The langsmith chart's values for a stack's settings, before any resource exists.

The program builds the release's values from resource outputs (shapes/self_hosted.py); the checks that
run on settings alone (capacity, chart value paths, the chart's own validate.yaml rules, a render with
the real chart) need the same values with placeholders where an output goes. Both take the parts that
do not depend on outputs from here (`deployment_routing`), so they cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from settings.stack import Settings

if TYPE_CHECKING:
    from components.langsmith_values import DeploymentRouting, LangSmithValuesInput

PLACEHOLDER_HOSTNAME = "langsmith.invalid"


def deployment_routing(settings: Settings) -> "DeploymentRouting | None":
    """Where the chart routes LangSmith and its agents when `langsmith.deployments.enabled`; else None."""
    from components.gateway import GATEWAY_NAME, GATEWAY_NAMESPACE, LISTENER_NAME
    from components.langsmith_values import DeploymentRouting
    from settings.langsmith import ingress_health_check

    app = settings.langsmith
    if app is None or not app.deployments.enabled:
        return None
    return DeploymentRouting(
        gateway_name=GATEWAY_NAME, gateway_namespace=GATEWAY_NAMESPACE, section_name=LISTENER_NAME,
        ingress_health_check=ingress_health_check(
            internal_alb=settings.edge.internal, allowed_cidrs=list(settings.edge.allowed_cidrs),
            existing_network=settings.network.existing is not None))


def values_input(settings: Settings) -> "LangSmithValuesInput":
    """What `build_values` takes, with placeholders where a resource output goes."""
    from components.langsmith_values import ClickHousePlacement, LangSmithValuesInput, Workload

    app = settings.langsmith
    assert app is not None
    c = app.components
    sizes = {"backend": c.backend, "platformBackend": c.platform_backend, "queue": c.queue,
             "ingestQueue": c.ingest_queue, "frontend": c.frontend, "playground": c.playground,
             "aceBackend": c.ace_backend}
    ch = settings.clickhouse
    return LangSmithValuesInput(
        hostname=app.domain or PLACEHOLDER_HOSTNAME, region=settings.region, bucket_name="bucket",
        s3_role_arns={k: "role" for k in sizes}, auth=app.auth, oidc_with_client_secret=True,
        admin_email=app.admin_email or "admin@example.invalid",  # required by the rules; sizes only here
        workloads={k: Workload(replicas=w.replicas, cpu=w.cpu, memory=w.memory) for k, w in sizes.items()},
        clickhouse=ClickHousePlacement(storage_class="sc", volume_size_gb=ch.volume_size_gb, cpu=ch.cpu,
                                       memory=ch.memory, node_selector={}, toleration_key="taint")
        if ch.mode == "in-cluster" else None,
        insights_enabled=app.insights_enabled, polly_enabled=app.polly_enabled, fleet_enabled=app.fleet_enabled,
        deployments=deployment_routing(settings))


def chart_values(settings: Settings) -> dict[str, Any]:
    """The full values the LangSmith release gets (`build_values` plus the component's own options:
    rotation annotations, the ClickHouse wait, e2e test off), for a self-hosted stack's settings."""
    from components.langsmith import release_options
    from components.langsmith_values import NAMESPACE, build_values

    return release_options(build_values(values_input(settings)), namespace=NAMESPACE,
                           in_cluster_clickhouse=settings.clickhouse.mode == "in-cluster")
