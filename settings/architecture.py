"""Graviton (`cluster.architecture: arm64`): allowed only where every image the cluster runs is
published for linux/arm64, and only with instance types of that architecture.

Image manifests cannot be read offline, so each image carries the public source that establishes
its arm64 build; an image without one is `None` (not established) and blocks arm64 for the shapes
that run it. To confirm one by hand: `docker manifest inspect <image:tag>` (or `crane manifest`)
lists `linux/arm64` among its platforms. Instance type architectures come from data/nodes/
(Karpenter's generated reference; botocore has no architecture data).
"""

from __future__ import annotations

from dataclasses import dataclass
from components import versions
from settings.base import Problem, Shape
from settings.node_facts import architecture_of
from settings.stack import Settings

ARCHITECTURES = ("x86_64", "arm64")
_LANGSMITH_MIRROR = ("langchain-ai/helm charts/langsmith/scripts/mirror_langsmith_images.sh at tag "
                     "langsmith-0.16.11: mirrors these images with --platform linux/arm64; only the sandbox "
                     "images (not enabled here) are amd64-only")


@dataclass(frozen=True)
class Image:
    name: str
    shapes: tuple[str, ...]
    arm64_source: str | None  # where its arm64 build is established; None: not established


_ALL = ("self-hosted", "hybrid", "agent-server")
IMAGES: tuple[Image, ...] = (
    # LangSmith chart 0.16.11 (images.* in its values.yaml).
    Image("docker.io/langchain/langsmith-backend", ("self-hosted", "hybrid"), _LANGSMITH_MIRROR),  # also the listener
    Image("docker.io/langchain/langsmith-frontend", ("self-hosted",), _LANGSMITH_MIRROR),
    Image("docker.io/langchain/langsmith-go-backend", ("self-hosted",), _LANGSMITH_MIRROR),
    Image("docker.io/langchain/langsmith-playground", ("self-hosted",), _LANGSMITH_MIRROR),
    Image("docker.io/langchain/langsmith-ace-backend", ("self-hosted",), _LANGSMITH_MIRROR),
    Image("docker.io/clickhouse/clickhouse-server:25.12", ("self-hosted",), _LANGSMITH_MIRROR),
    Image("docker.io/langchain/langgraph-operator", ("hybrid",), _LANGSMITH_MIRROR),
    Image("docker.io/redis:7", ("hybrid",), "Docker official image (multi-platform); also in LangChain's mirror list"),
    # Controllers.
    Image("public.ecr.aws/eks/aws-load-balancer-controller", _ALL,
          "kubernetes-sigs/aws-load-balancer-controller#1329: linux/amd64 + linux/arm64 since v2.0.0"),
    Image("ghcr.io/external-secrets/external-secrets", _ALL,
          "external-secrets/external-secrets Dockerfile copies a binary per TARGETOS/TARGETARCH "
          "(Dockerfile.standalone: buildx --platform linux/arm64,linux/amd64)"),
    Image("ghcr.io/kedacore/keda", _ALL,
          "kedacore/http-add-on#364 (maintainer: KEDA supports ARM64); kedacore/keda#6239 builds multi-arch images"),
    Image("registry.k8s.io/metrics-server/metrics-server", _ALL,
          "kubernetes-sigs/metrics-server Makefile: ALL_ARCHITECTURES=amd64 arm arm64 ppc64le s390x"),
    Image("registry.k8s.io/autoscaling/cluster-autoscaler", _ALL,
          "kubernetes/autoscaler cluster-autoscaler/Makefile: ALL_ARCH = amd64 arm64"),
    Image("docker.io/envoyproxy/gateway", ("hybrid", "agent-server"),
          "envoyproxy/gateway#1005: maintainer, arm64 supported since the beginning"),
    Image("docker.io/envoyproxy/envoy", ("hybrid", "agent-server"),
          "Envoy install docs: pre-built images for amd64 and arm64 (aws/aws-graviton-getting-started#120)"),
    # EKS add-ons: node affinities list arm64.
    Image("coredns (EKS add-on)", _ALL,
          "eksctl-io/eksctl pkg/addons/default/assets/coredns-1.35.json: nodeAffinity kubernetes.io/arch In [amd64, arm64]"),
    Image("aws-node (VPC CNI add-on)", _ALL,
          "aws/amazon-vpc-cni-k8s charts/aws-vpc-cni/values.yaml: nodeAffinity kubernetes.io/arch In [amd64, arm64]"),
    Image("kube-proxy (EKS add-on)", _ALL, "EKS add-on images are published for both architectures (EKS Graviton support)"),
    Image("aws-ebs-csi-driver (EKS add-on)", _ALL,
          "kubernetes-sigs/aws-ebs-csi-driver chart: node affinity excludes only a1 types (AL2 image), not arm64"),
    Image("amazon-cloudwatch-observability (EKS add-on)", _ALL,
          "aws-observability/helm-charts 32dd712: DCGM exporter affinity keeps Graviton GPU types"),
    # Small helpers of the self-hosted shape (components/versions.py).
    Image(versions.EVENTS_COLLECTOR_IMAGE, ("self-hosted", "agent-server"),
          "open-telemetry/opentelemetry-collector-releases@v0.159.0 distributions/otelcol-contrib/.goreleaser.yaml: "
          "the otel/opentelemetry-collector-contrib:<version> manifest lists an arm64 image (--platform=linux/arm64)"),
    Image(versions.KUBECTL_IMAGE, ("self-hosted",),
          "kubernetes/kubernetes build/server-image/kubectl/Dockerfile: built with the server images for every "
          "KUBE_SERVER_PLATFORMS entry (hack/lib/golang.sh: linux/amd64, linux/arm64, linux/s390x, linux/ppc64le)"),
    Image(f"ghcr.io/stakater/reloader (chart {versions.RELOADER.version})", ("self-hosted", "agent-server"),
          "stakater/Reloader@chart-v2.2.16 .github/workflows/release.yaml: platforms linux/amd64,linux/arm,linux/arm64"),
    # Agent servers: the user's own image (built by `langgraph build` for whatever platform they
    # chose: nothing establishes arm64), and psql for the database Job (the chart's pgvector image:
    # its platforms not checked here).
    Image("the Agent Servers' own images (agentServer.servers[].image)", ("agent-server",), None),
    Image(versions.AGENT_SERVER_DB_BOOTSTRAP_IMAGE, ("agent-server",), None),
    Image(versions.AWS_CLI_IMAGE, ("self-hosted",), None),
    Image(versions.CURL_IMAGE, ("self-hosted",), None),
)


def unestablished_images(shape: str) -> list[str]:
    return [i.name for i in IMAGES if shape in i.shapes and i.arm64_source is None]


def architecture_problems(settings: Settings) -> list[Problem]:
    if settings.shape is Shape.BYOC:
        return []
    wanted = settings.cluster.architecture
    problems: list[Problem] = []
    for pool_key, pool in (("generalPool", settings.cluster.general_pool),
                           ("clickhousePool", settings.cluster.clickhouse_pool)):
        if pool_key == "clickhousePool" and (settings.shape is not Shape.SELF_HOSTED
                                             or settings.clickhouse.mode != "in-cluster"):
            continue
        wrong = [t for t in pool.instance_types if architecture_of(t) not in (None, wanted)]
        if wrong:
            example = "m7g.2xlarge / r7g.2xlarge" if wanted == "arm64" else "m6i.2xlarge / r6i.2xlarge"
            problems.append((f"cluster.{pool_key}.instanceTypes", wrong,
                             f"are not {wanted} instance types, and cluster.architecture is {wanted} "
                             f"(the node AMI is {versions.AMI_TYPES[wanted]}): use types such as {example}"))
    if wanted == "arm64":
        missing = unestablished_images(settings.shape.value)
        if missing:
            problems.append(("cluster.architecture", wanted,
                             f"needs every image the {settings.shape.value} cluster runs published for linux/arm64; "
                             f"not established for: {', '.join(missing)} (confirm with `docker manifest inspect` "
                             "and record the source in settings/architecture.py), so keep x86_64"))
    return problems
