"""Every external version the stack deploys, in one place.

Upgrading is a change of this file, reviewed like any other. Sources: the EKS user guide's add-on
tables and public EKS 1.35 configurations for the add-ons; the charts' own repositories for charts.
"""

from __future__ import annotations

from dataclasses import dataclass

# EKS 1.35: standard support until March 2027 (1.34's ends in December 2026).
KUBERNETES_VERSION = "1.35"

# EKS managed add-ons, for KUBERNETES_VERSION.
EKS_ADDON_VERSIONS = {
    "vpc-cni": "v1.21.1-eksbuild.3",
    "kube-proxy": "v1.35.0-eksbuild.2",
    "coredns": "v1.13.2-eksbuild.1",
    "aws-ebs-csi-driver": "v1.57.1-eksbuild.1",
}
# Container Insights and Fluent Bit, as an EKS add-on.
CLOUDWATCH_OBSERVABILITY_ADDON = "v5.3.0-eksbuild.1"

# Images of the small helpers the stack runs itself.
EVENT_EXPORTER_IMAGE = "ghcr.io/resmoio/kubernetes-event-exporter:v1.7"
AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.17.0"
CURL_IMAGE = "docker.io/curlimages/curl:8.10.1"


@dataclass(frozen=True)
class HelmChart:
    repository: str
    chart: str
    version: str


AWS_LOAD_BALANCER_CONTROLLER = HelmChart("https://aws.github.io/eks-charts", "aws-load-balancer-controller", "3.5.0")
EXTERNAL_SECRETS = HelmChart("https://charts.external-secrets.io", "external-secrets", "2.9.0")
KEDA = HelmChart("https://kedacore.github.io/charts", "keda", "2.20.2")
METRICS_SERVER = HelmChart("https://kubernetes-sigs.github.io/metrics-server/", "metrics-server", "3.13.1")
CLUSTER_AUTOSCALER = HelmChart("https://kubernetes.github.io/autoscaler", "cluster-autoscaler", "9.56.0")
# The autoscaler's minor version must match the cluster's.
CLUSTER_AUTOSCALER_IMAGE_TAG = "v1.35.0"
# Envoy Gateway (Gateway API implementation, CRDs included) for the hybrid data plane's agents.
ENVOY_GATEWAY = HelmChart("oci://docker.io/envoyproxy", "gateway-helm", "v1.3.0")
LANGSMITH = HelmChart("https://langchain-ai.github.io/helm/", "langsmith", "0.16.11")
# The langsmith chart versions a stack may select with `langsmith.chartVersion` (default: the pin
# above). Every one is a tag `langsmith-<version>` of github.com/langchain-ai/helm, and each sets
# the same value paths this project writes (compared at each tag); 0.17 has release candidates only.
LANGSMITH_SUPPORTED_VERSIONS = tuple(f"0.16.{patch}" for patch in range(12))
LANGGRAPH_DATAPLANE = HelmChart("https://langchain-ai.github.io/helm/", "langgraph-dataplane", "0.2.22")

ALL_CHARTS = (AWS_LOAD_BALANCER_CONTROLLER, EXTERNAL_SECRETS, KEDA, METRICS_SERVER, CLUSTER_AUTOSCALER,
              ENVOY_GATEWAY, LANGSMITH, LANGGRAPH_DATAPLANE)

# kubectl for the LangSmith readiness check (components/langsmith.py). Published by Kubernetes
# release engineering with every release since 1.28 (kubernetes/kubernetes#116667); its minor
# follows the cluster's (kubectl supports one minor of skew either way).
KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.35.0"
# Stakater Reloader: rolls the LangSmith Deployments when the PostgreSQL URL Secret changes (RDS
# rotates the master password). Chart 2.2.16 = Reloader v1.4.21, built on client-go v0.35.3;
# its README ("Compatibility") states Kubernetes >= 1.19. Repository URL from the README's
# `helm repo add stakater ...` (github.com/stakater/Reloader @ chart-v2.2.16).
RELOADER = HelmChart("https://stakater.github.io/stakater-charts", "reloader", "2.2.16")
ALL_CHARTS = (*ALL_CHARTS, RELOADER)
