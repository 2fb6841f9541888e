"""Hybrid: the LangGraph data plane (listeners + operator) for a control plane elsewhere."""

from __future__ import annotations

import pulumi

from components.dataplane import DataPlane, DataPlaneArgs, operator_crd
from components.gateway import ENVOY_HTTP_PORT, ENVOY_READY_PATH, ENVOY_READY_PORT, AgentGateway, AgentGatewayArgs
from components.secrets import Secrets, SecretsArgs
from shapes.foundation import Foundation


def build(f: Foundation) -> None:
    s = f.settings
    hybrid = s.hybrid
    assert hybrid.domain is not None and hybrid.hosted_zone_id is not None  # validated
    api_keys = s.listener_api_keys()
    secrets = Secrets("secrets", SecretsArgs(
        name_prefix=s.name_prefix,
        secrets_kms_key_arn=f.keys.secrets_key.arn,
        recovery_window_days=f.secrets_recovery_days,
        generate_langsmith_secrets=False,
        named={f"listener-{l.name}-api-key": pulumi.Output.secret(api_keys[l.name]) for l in hybrid.listeners},
    ), opts=f.opts)
    cluster = f.cluster(in_cluster_clickhouse=False)
    addons = f.addons(cluster)
    # TLS, WAF and logs stay on our ALB; Envoy Gateway routes by listener hostname to the agents.
    edge = f.edge(cluster, f.access_logs(), hybrid.domain, hybrid.hosted_zone_id, target_port=ENVOY_HTTP_PORT,
                  health_check_path=ENVOY_READY_PATH, health_check_port=ENVOY_READY_PORT, wildcard=True,
                  trace_ingestion=False)
    gateway = AgentGateway("gateway", AgentGatewayArgs(
        listener_hostname=f"*.{hybrid.domain}", provider=cluster.provider, target_group_arn=edge.target_group.arn,
        adopting_provider=cluster.adopting_provider(),
        depends_on=[addons.load_balancer_controller],
    ), opts=f.opts)
    host_backend_url, smith_backend_url = hybrid.endpoints()
    # Once per cluster, owned by no listener: removing or renaming one leaves every agent in place.
    # Adopted where an earlier listener release installed it; kept on delete, as the chart keeps it.
    crd = operator_crd("langgraph-operator-crd", provider=cluster.adopting_provider(), opts=f.opts)
    for listener in hybrid.listeners:
        DataPlane(f"dataplane-{listener.name}", DataPlaneArgs(
            listener_name=listener.name,
            listener_id=listener.listener_id,
            workspace_id=listener.workspace_id,
            watch_namespaces=listener.namespaces,
            api_key_secret_arn=secrets.named[f"listener-{listener.name}-api-key"].arn,
            host_backend_url=host_backend_url,
            smith_backend_url=smith_backend_url,
            hostname=f"{listener.name}.{hybrid.domain}",
            gateway_api=hybrid.gateway_api,
            region=s.region,
            provider=cluster.provider,
            secrets_kms_key_arn=f.keys.secrets_key.arn,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_issuer=cluster.oidc_issuer,
            operator_crd=crd,
            depends_on=[addons.keda, addons.external_secrets, gateway.gateway],
        ), opts=f.opts)

    pulumi.export("clusterName", s.cluster_name)
    pulumi.export("kubeconfig", pulumi.Output.secret(cluster.kubeconfig))
    pulumi.export("agentsUrls", {l.name: f"https://{l.name}.{hybrid.domain}" for l in hybrid.listeners})
    pulumi.export("albDnsName", edge.load_balancer.dns_name)
    pulumi.export("controlPlane", {"hostBackendUrl": host_backend_url, "smithBackendUrl": smith_backend_url})
