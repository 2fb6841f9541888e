"""Gateway API for agent traffic: Envoy Gateway behind the ALB we own.

The ALB terminates TLS (our certificate, WAF, logs) and forwards to the Envoy proxies through a
TargetGroupBinding; Envoy routes by hostname and path to each agent's HTTPRoute, which the
LangGraph operator creates in the listener's namespaces. Routes may attach only from namespaces
labelled as data-plane namespaces, so nothing else in the cluster can publish itself.

Two users: the hybrid shape (one listener hostname `*.<domain>`, a subdomain per listener) and a
self-hosted stack with LangSmith Deployment (the exact LangSmith hostname: the langsmith chart's
HTTPRoute sends `/` to the frontend, and the operator adds a path-prefixed route per agent).

The chart carries the Gateway API and Envoy Gateway CRDs in its `crds` subchart's `crds/`, which
Helm never upgrades (Envoy Gateway's upgrade guide applies the new CRDs first): the stack applies
them at the pinned version before the release (components/chart_crds.py). The subchart stays
enabled for its Gateway API safe-upgrade ValidatingAdmissionPolicy, a template Helm does upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.chart_crds import apply_chart_crds
from components.cluster_addons import POD_READINESS_GATE_LABEL
from components.helm import helm_release
from components.network_policies import deny_instance_metadata
from components.versions import ENVOY_GATEWAY

GATEWAY_NAMESPACE = "agents-gateway"
# Envoy Gateway runs the proxies (and their Service) in its own namespace; the EnvoyProxy a
# GatewayClass points at lives there too.
ENVOY_SYSTEM_NAMESPACE = "envoy-gateway-system"
GATEWAY_NAME = "agents"
ENVOY_SERVICE = "agents-gateway-proxy"
ENVOY_HTTP_PORT = 10080      # Envoy's container port for the Gateway's port-80 listener
# The proxies' readiness listener, bound on the pod IP, which the ALB health-checks. Since Envoy
# Gateway 1.4 it is 19003; 19001 is the Prometheus stats listener, which answers /ready with 404
# (envoyproxy/gateway@v1.9.0:internal/xds/bootstrap/bootstrap.go, EnvoyReadinessPort/EnvoyStatsPort).
# tests/test_hybrid.py holds the target group to data/upstream/envoy-gateway-<pin>.json.
ENVOY_READY_PORT = 19003
ENVOY_READY_PATH = "/ready"
DATAPLANE_LABEL = "langsmith.com/dataplane"
LISTENER_NAME = "http"  # the Gateway's one listener (a route's parentRef sectionName)
# Envoy Gateway gives a route without `timeouts` Envoy's 15 s request timeout (envoyproxy/gateway @ v1.9.0
# internal/gatewayapi/route.go HTTPRequestTimeout; site .../tasks/traffic/http-timeouts.md), and neither
# the langsmith chart's HTTPRoute nor the operator's set one: LangSmith's API calls (up to the ALB's
# 300 s idle timeout) and agents' streamed runs would be cut. "0s" turns Envoy's route timeout off;
# the ALB's idle timeout still bounds a silent connection.
REQUEST_TIMEOUT = "0s"


@dataclass(frozen=True)
class AgentGatewayArgs:
    # The Gateway listener's hostname: `*.<domain>` (hybrid) or the exact LangSmith hostname.
    listener_hostname: str
    provider: k8s.Provider
    target_group_arn: pulumi.Input[str]
    # For objects an earlier version of the stack left to Helm: the system namespace, the chart's
    # crds/ CRDs (Cluster.adopting_provider).
    adopting_provider: k8s.Provider
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


class AgentGateway(pulumi.ComponentResource):
    gateway: k8s.apiextensions.CustomResource
    controller: k8s.helm.v3.Release

    def __init__(self, name: str, args: AgentGatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:AgentGateway", name, None, opts)

        def k8s_opts(*depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=list(depends_on))

        # Ours rather than Helm's: the Envoy proxies the ALB's TargetGroupBinding serves run here, so
        # it carries the readiness-gate label, and its pods are kept from instance metadata. Stacks
        # that predate this resource have the namespace already (Helm's create_namespace), so it is
        # adopted rather than created (AlreadyExists otherwise), and, adopted that way, kept on
        # delete (a destroy removes the cluster anyway).
        system_namespace = k8s.core.v1.Namespace(
            f"{name}-system-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ENVOY_SYSTEM_NAMESPACE, labels=dict([POD_READINESS_GATE_LABEL])),
            opts=pulumi.ResourceOptions(parent=self, provider=args.adopting_provider, retain_on_delete=True))
        system_metadata_closed = deny_instance_metadata(
            f"{name}-system-deny-instance-metadata", namespace=ENVOY_SYSTEM_NAMESPACE, provider=args.provider,
            parent=self, depends_on=[system_namespace])
        crds = apply_chart_crds(f"{name}-envoy-gateway", ENVOY_GATEWAY, provider=args.adopting_provider,
                                parent=self)
        # args.depends_on holds the load balancer controller: its webhook exists before any proxy pod.
        self.controller = helm_release(
            f"{name}-envoy-gateway", release_name="envoy-gateway", chart=ENVOY_GATEWAY,
            namespace=ENVOY_SYSTEM_NAMESPACE,
            values={"deployment": {"envoyGateway": {"resources": {
                "requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}}}}},
            provider=args.provider, parent=self, timeout=600, max_history=None,
            depends_on=[system_namespace, system_metadata_closed, *args.depends_on], crds=crds,
        )
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace", metadata=k8s.meta.v1.ObjectMetaArgs(name=GATEWAY_NAMESPACE), opts=k8s_opts())
        deny_instance_metadata(f"{name}-deny-instance-metadata", namespace=GATEWAY_NAMESPACE, provider=args.provider,
                               parent=self, depends_on=[namespace])
        proxy = k8s.apiextensions.CustomResource(
            f"{name}-proxy-config",
            api_version="gateway.envoyproxy.io/v1alpha1",
            kind="EnvoyProxy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="agents", namespace=ENVOY_SYSTEM_NAMESPACE),
            # A fixed ClusterIP Service, so the ALB's TargetGroupBinding can name it.
            spec={"provider": {"type": "Kubernetes", "kubernetes": {
                "envoyService": {"type": "ClusterIP", "name": ENVOY_SERVICE},
                "envoyDeployment": {"replicas": 2, "container": {"resources": {
                    "requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}}}}}}},
            opts=k8s_opts(self.controller),
        )
        gateway_class = k8s.apiextensions.CustomResource(
            f"{name}-class",
            api_version="gateway.networking.k8s.io/v1",
            kind="GatewayClass",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="envoy-agents"),
            spec={"controllerName": "gateway.envoyproxy.io/gatewayclass-controller",
                  "parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy", "name": "agents",
                                    "namespace": ENVOY_SYSTEM_NAMESPACE}},
            opts=k8s_opts(self.controller, proxy),
        )
        self.gateway = k8s.apiextensions.CustomResource(
            f"{name}-gateway",
            api_version="gateway.networking.k8s.io/v1",
            kind="Gateway",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=GATEWAY_NAME, namespace=GATEWAY_NAMESPACE),
            spec={"gatewayClassName": "envoy-agents", "listeners": [{
                "name": LISTENER_NAME, "protocol": "HTTP", "port": 80, "hostname": args.listener_hostname,
                "allowedRoutes": {"namespaces": {"from": "Selector", "selector": {
                    "matchLabels": {DATAPLANE_LABEL: "true"}}}},
            }]},
            opts=k8s_opts(gateway_class, namespace),
        )
        k8s.apiextensions.CustomResource(
            f"{name}-timeouts",
            api_version="gateway.envoyproxy.io/v1alpha1",
            kind="BackendTrafficPolicy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="no-route-timeout", namespace=GATEWAY_NAMESPACE),
            spec={"targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": GATEWAY_NAME}],
                  "timeout": {"http": {"requestTimeout": REQUEST_TIMEOUT}}},
            opts=k8s_opts(self.gateway),
        )
        k8s.apiextensions.CustomResource(
            f"{name}-binding",
            api_version="elbv2.k8s.aws/v1beta1",
            kind="TargetGroupBinding",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ENVOY_SERVICE, namespace=ENVOY_SYSTEM_NAMESPACE),
            spec={"serviceRef": {"name": ENVOY_SERVICE, "port": 80},
                  "targetGroupARN": args.target_group_arn, "targetType": "ip"},
            opts=k8s_opts(self.gateway, *args.depends_on),
        )
        self.register_outputs({"gateway": f"{GATEWAY_NAMESPACE}/{GATEWAY_NAME}"})
