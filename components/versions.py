"""Every external version the stack deploys, in one place, with the Kubernetes versions each supports.

Upgrading is a change of this file, reviewed like any other. Each pin is a release whose own
documentation covers KUBERNETES_VERSION, on the newest patch of its line in the source cited
beside it; `KUBERNETES_SUPPORT` records that source and range, and tests/test_versions.py holds
every pin to it (a pin without a row, or a row not checked for KUBERNETES_VERSION, fails), so
raising KUBERNETES_VERSION fails until every pin follows.

Supported, not only listed: each row also records the pin's end of life where upstream publishes
a date (`end_of_life`), or, where upstream supports only its newest release or publishes no date,
the day by which someone must re-check upstream (`review_by`); the tests fail after either date.
The newest sources read here are the upstream snapshots of August 2026: a `review_by` row means
"re-check online", not "known to be supported until then".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# EKS 1.35: standard support until March 2027 (1.34's ends in December 2026).
KUBERNETES_VERSION = "1.35"

# EKS managed add-ons, for KUBERNETES_VERSION. EKS itself refuses a version it does not offer for
# the cluster's version (DescribeAddonVersions is the authority; the preflight can ask it).
EKS_ADDON_VERSIONS = {
    "vpc-cni": "v1.21.1-eksbuild.3",
    # EKS user guide, managing-kube-proxy (table: 1.35 -> v1.35.3-eksbuild.13)
    "kube-proxy": "v1.35.3-eksbuild.13",
    # EKS user guide, managing-coredns (table: 1.35 -> v1.13.2-eksbuild.4)
    "coredns": "v1.13.2-eksbuild.4",
    "aws-ebs-csi-driver": "v1.57.1-eksbuild.1",
}
# Container Insights and Fluent Bit, as an EKS add-on.
CLOUDWATCH_OBSERVABILITY_ADDON = "v5.3.0-eksbuild.1"
# EKS managed node group AMI types for AL2023 (EKS API Nodegroup.amiType), per CPU architecture.
AMI_TYPES = {"x86_64": "AL2023_x86_64_STANDARD", "arm64": "AL2023_ARM_64_STANDARD"}

# Images of the small helpers the stack runs itself.
# Kubernetes events to CloudWatch Logs (components/observability.py): the OpenTelemetry Collector's
# contrib distribution, the one OpenTelemetry build with both the k8sobjects receiver and the
# awscloudwatchlogs exporter (open-telemetry/opentelemetry-collector-releases@v0.159.0:
# distributions/otelcol-contrib/manifest.yaml; the k8s distribution ships OTLP exporters only, and
# AWS's ADOT collector v0.49.0 has no Kubernetes objects or events receiver). 0.159.0 (2026-08-18)
# is the newest release in the sources read here. It replaces resmoio/kubernetes-event-exporter,
# unmaintained since 2024 (issue 21). data/upstream/otelcol-v<tag>.json records the manifest at the
# tag (python -m data.upstream.otelcol); tests/test_observability.py holds the config to it.
EVENTS_COLLECTOR_IMAGE = "docker.io/otel/opentelemetry-collector-contrib:0.159.0"
# aws/aws-cli tags: 2.36.7 is the newest release (only the newest AWS CLI v2 line gets fixes).
AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.36.7"
# curl supports only its latest release: 8.21.0 is the newest in curl/curl's tags (curl-8_21_0).
CURL_IMAGE = "docker.io/curlimages/curl:8.21.0"


@dataclass(frozen=True)
class HelmChart:
    repository: str
    chart: str
    version: str


# aws/eks-charts commit "aws-load-balancer-controller: v3.5.0" (the chart's newest release).
AWS_LOAD_BALANCER_CONTROLLER = HelmChart("https://aws.github.io/eks-charts", "aws-load-balancer-controller", "3.5.0")
# ESO supports only its newest minor (2.8 reached end of life on 2026-08-07); 2.9 is the newest
# release in the sources read here. Its table lists Kubernetes 1.36 only: see its row for why it runs on 1.35.
EXTERNAL_SECRETS = HelmChart("https://charts.external-secrets.io", "external-secrets", "2.9.0")
KEDA = HelmChart("https://kedacore.github.io/charts", "keda", "2.20.2")
METRICS_SERVER = HelmChart("https://kubernetes-sigs.github.io/metrics-server/", "metrics-server", "3.13.1")
CLUSTER_AUTOSCALER = HelmChart("https://kubernetes.github.io/autoscaler", "cluster-autoscaler", "9.56.0")
# The autoscaler's minor version must match the cluster's; v1.35.2 is the newest 1.35 patch
# (kubernetes/autoscaler tags cluster-autoscaler-1.35.*).
CLUSTER_AUTOSCALER_IMAGE_TAG = "v1.35.2"
CLUSTER_AUTOSCALER_IMAGE = f"registry.k8s.io/autoscaling/cluster-autoscaler:{CLUSTER_AUTOSCALER_IMAGE_TAG}"
# Envoy Gateway (Gateway API implementation, CRDs included) for the hybrid data plane's agents.
# v1.9 supports Kubernetes 1.33-1.36 (end of life 2027-02-14); v1.7 and v1.8, which also list
# 1.35, reached end of life on 2026-08-05 and 2026-11-08.
ENVOY_GATEWAY = HelmChart("oci://docker.io/envoyproxy", "gateway-helm", "v1.9.0")
LANGSMITH = HelmChart("https://langchain-ai.github.io/helm/", "langsmith", "0.16.11")
# The langsmith chart versions a stack may select with `langsmith.chartVersion` (default: the pin
# above). Every one is a tag `langsmith-<version>` of github.com/langchain-ai/helm, and each sets
# the same value paths this project writes (compared at each tag); 0.17 has release candidates only.
LANGSMITH_SUPPORTED_VERSIONS = tuple(f"0.16.{patch}" for patch in range(12))
LANGGRAPH_DATAPLANE = HelmChart("https://langchain-ai.github.io/helm/", "langgraph-dataplane", "0.2.22")
# The Agent Server chart (shape agent-server): langchain-ai/helm tag langgraph-cloud-0.3.2 (4906d9a,
# 2026-06-08), the newest 0.3.x and the chart version on the repository's default branch.
LANGGRAPH_CLOUD = HelmChart("https://langchain-ai.github.io/helm/", "langgraph-cloud", "0.3.2")

ALL_CHARTS = (AWS_LOAD_BALANCER_CONTROLLER, EXTERNAL_SECRETS, KEDA, METRICS_SERVER, CLUSTER_AUTOSCALER,
              ENVOY_GATEWAY, LANGSMITH, LANGGRAPH_DATAPLANE, LANGGRAPH_CLOUD)

# kubectl for the LangSmith readiness check (components/langsmith.py). Published by Kubernetes
# release engineering with every release since 1.28 (kubernetes/kubernetes#116667); its minor
# follows the cluster's (kubectl supports one minor of skew either way). v1.35.7 is the newest 1.35
# patch (kubernetes/kubectl tags kubernetes-1.35.*); `rollout status --selector` over several
# objects, with none found not an error, is in that release's pkg/cmd/rollout/rollout_status.go.
KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.35.7"
# Stakater Reloader: rolls the LangSmith Deployments when the PostgreSQL URL Secret changes (RDS
# rotates the master password). Chart 2.2.16 = Reloader v1.4.21, built on client-go v0.35.3;
# its README ("Compatibility") states Kubernetes >= 1.19. Repository URL from the README's
# `helm repo add stakater ...` (github.com/stakater/Reloader @ chart-v2.2.16).
RELOADER = HelmChart("https://stakater.github.io/stakater-charts", "reloader", "2.2.16")
ALL_CHARTS = (*ALL_CHARTS, RELOADER)
# psql for the Job that creates each Agent Server's database on the shared RDS instance: the
# PostgreSQL image the pinned langgraph-cloud chart itself uses (langchain-ai/helm@langgraph-cloud-0.3.2,
# values.yaml images.postgresImage: pgvector/pgvector pg16), not langsmith's postgres 14.7 (PostgreSQL 14
# reached end of life on 2026-11-12); psql 16 speaks to PostgreSQL 14-17 servers for CREATE DATABASE.
AGENT_SERVER_DB_BOOTSTRAP_IMAGE = "docker.io/pgvector/pgvector:pg16"
POSTGRES_16_EOL = date(2028, 11, 9)  # postgresql.org/support/versioning
ALL_IMAGES = (EVENTS_COLLECTOR_IMAGE, AWS_CLI_IMAGE, CURL_IMAGE, CLUSTER_AUTOSCALER_IMAGE, KUBECTL_IMAGE,
              AGENT_SERVER_DB_BOOTSTRAP_IMAGE)


def chart_pin(chart: HelmChart) -> str:
    return f"chart {chart.chart} {chart.version}"


def image_pin(image: str) -> str:
    return f"image {image}"


def addon_pin(name: str, version: str) -> str:
    return f"add-on {name} {version}"


def all_pins() -> list[str]:
    """Every external version the stack deploys, as KUBERNETES_SUPPORT keys."""
    return [*(chart_pin(c) for c in ALL_CHARTS), *(image_pin(i) for i in ALL_IMAGES),
            *(addon_pin(n, v) for n, v in EKS_ADDON_VERSIONS.items()),
            addon_pin("amazon-cloudwatch-observability", CLOUDWATCH_OBSERVABILITY_ADDON)]


@dataclass(frozen=True)
class KubernetesSupport:
    """What a pinned release's own documentation says about the Kubernetes versions it runs on."""

    source: str               # where it is written: repository@ref:path, or a documentation page
    checked_for: str          # the KUBERNETES_VERSION this row was last checked against
    oldest: str | None = None  # oldest supported minor; None: the source states none
    newest: str | None = None  # newest supported minor; None: open-ended ("1.22+") or none stated
    note: str = ""
    # The pin's published end of life, or (for "only the newest release is supported" and for
    # projects that publish no date) the day to re-check upstream; one of the two is required.
    end_of_life: date | None = None
    review_by: date | None = None
    eol_source: str = ""      # where the date or the rule is written
    # Non-empty: why the pin runs on a KUBERNETES_VERSION outside [oldest, newest] (a supported
    # release preferred over one documented for our version but out of support).
    outside_documented_range: str = ""


# Kubernetes 1.35's end of life (kubernetes.io/releases: maintenance from 2026-12-28, EOL 2027-02-28),
# and EKS 1.35 standard support (EKS user guide, "Understand the Kubernetes version lifecycle on EKS").
KUBERNETES_EOL = date(2027, 2, 28)
EKS_STANDARD_SUPPORT_END = date(2027, 3, 27)
EKS_LIFECYCLE = "EKS user guide, kubernetes-versions (1.35 standard support ends 2027-03-27)"
# For pins whose project supports only its newest release, or publishes no dates: the snapshots read
# here end in August 2026, so re-check them online by this day.
NEXT_REVIEW = date(2027, 1, 15)


KUBERNETES_SUPPORT: dict[str, KubernetesSupport] = {
    chart_pin(AWS_LOAD_BALANCER_CONTROLLER): KubernetesSupport(
        "kubernetes-sigs/aws-load-balancer-controller@v3.5.0:docs/deploy/installation.md "
        "(\"v2.5.0+ requires Kubernetes 1.22+\")", "1.35", oldest="1.22", review_by=NEXT_REVIEW,
        eol_source="kubernetes-sigs/aws-load-balancer-controller@v3.5.0:docs/index.md (fixes for the latest minor only)"),
    chart_pin(EXTERNAL_SECRETS): KubernetesSupport(
        "external-secrets/external-secrets@helm-chart-2.9.0:docs/introduction/stability-support.md "
        "(2.9: Kubernetes 1.36)", "1.35", oldest="1.36", newest="1.36",
        review_by=date(2026, 12, 31),
        eol_source="same file: only the newest minor is supported, each minor ends when the next ships "
                   "(2.8 ended 2026-08-07); ESO ships a minor about every three weeks, so 2.10+ likely exists: "
                   "check charts.external-secrets.io and move to the newest minor",
        outside_documented_range=(
            "no supported ESO release lists 1.35 (2.8, which did, is out of support): the column is ESO's e2e "
            "test matrix (\"we do not do test coverage for any other kubernetes version\"), not a limit; the "
            "chart declares kubeVersion >= 1.19 (deploy/charts/external-secrets/Chart.yaml) and ESO uses GA "
            "APIs only (apiextensions, admissionregistration, coordination, apps v1)")),
    chart_pin(KEDA): KubernetesSupport(
        "kedacore/keda-docs:content/docs/2.20/operate/cluster.md (v2.20: v1.33 - v1.35); "
        "kedacore/charts keda/Chart.yaml 2.20.2 is the line's newest", "1.35", oldest="1.33", newest="1.35",
        review_by=NEXT_REVIEW, eol_source="kedacore/governance:SUPPORT.md (community support, no dates)"),
    chart_pin(METRICS_SERVER): KubernetesSupport(
        "kubernetes-sigs/metrics-server:README.md Compatibility Matrix (0.8.x: 1.31+); chart 3.13.1 ships 0.8.1",
        "1.35", oldest="1.31", review_by=NEXT_REVIEW,
        eol_source="kubernetes-sigs/metrics-server:RELEASE.md (released as needed, no support dates)"),
    chart_pin(CLUSTER_AUTOSCALER): KubernetesSupport(
        "kubernetes/autoscaler@cluster-autoscaler-chart-9.56.0:cluster-autoscaler/charts/cluster-autoscaler/"
        "Chart.yaml (appVersion 1.35.0; the image tag is set to CLUSTER_AUTOSCALER_IMAGE_TAG)",
        "1.35", oldest="1.35", newest="1.35", end_of_life=KUBERNETES_EOL,
        eol_source="kubernetes/autoscaler:cluster-autoscaler/README.md (1.35 line follows Kubernetes 1.35's life)"),
    chart_pin(ENVOY_GATEWAY): KubernetesSupport(
        "envoyproxy/gateway:site/content/en/news/releases/matrix.md (v1.9: v1.33-v1.36, end of life 2027/02/14)",
        "1.35", oldest="1.33", newest="1.36", end_of_life=date(2027, 2, 14),
        eol_source="envoyproxy/gateway@d32f2829:site/content/en/news/releases/matrix.md"),
    chart_pin(LANGSMITH): KubernetesSupport(
        "langchain-ai/helm@langsmith-0.16.11:charts/langsmith/Chart.yaml (no kubeVersion); "
        "docs.langchain.com/langsmith/kubernetes (tested on EKS, no version range)", "1.35",
        note="no documented range: re-check LangChain's self-hosting page when raising KUBERNETES_VERSION",
        review_by=NEXT_REVIEW, eol_source="docs.langchain.com/langsmith/release-versions (no dates per chart)"),
    chart_pin(LANGGRAPH_DATAPLANE): KubernetesSupport(
        "langchain-ai/helm@langgraph-dataplane-0.2.22:charts/langgraph-dataplane/Chart.yaml (no kubeVersion)",
        "1.35", note="no documented range; uses GA APIs only (apps/v1, apiextensions.k8s.io/v1, keda.sh)",
        review_by=NEXT_REVIEW, eol_source="docs.langchain.com/langsmith/release-versions (no dates per chart)"),
    chart_pin(LANGGRAPH_CLOUD): KubernetesSupport(
        "langchain-ai/helm@langgraph-cloud-0.3.2:charts/langgraph-cloud/Chart.yaml (no kubeVersion)", "1.35",
        note="no documented range; renders GA APIs only (apps/v1, policy/v1, autoscaling/v2) and keda.sh "
             "ScaledObjects (rendered and validated by tests/test_render.py)",
        review_by=NEXT_REVIEW, eol_source="docs.langchain.com/langsmith/release-versions (no dates per chart)"),
    image_pin(EVENTS_COLLECTOR_IMAGE): KubernetesSupport(
        "open-telemetry/opentelemetry-collector-contrib .github/workflows/e2e-tests.yml: the Kubernetes "
        "components' e2e tests (receiver/k8sobjectsreceiver/e2e_test.go among them) run on kind v1.34.0 and "
        "v1.35.0 at this release (the matrix open-telemetry/opentelemetry-collector-contrib#50511 shows, proposing "
        "1.35/1.36 on 2026-08-25); #45835 points the components' docs at that matrix",
        "1.35", oldest="1.34", newest="1.35",
        note="reads events.k8s.io/v1 Events only (GA since 1.19, no removal scheduled)",
        review_by=NEXT_REVIEW,
        eol_source="open-telemetry/opentelemetry-collector:docs/release.md (a release about every two weeks, no "
                   "long-term support line or dates): move to the newest release"),
    image_pin(AWS_CLI_IMAGE): KubernetesSupport(
        "aws/aws-cli tags (2.36.7 newest)", "1.35", note="talks to AWS APIs only, never to the Kubernetes API",
        review_by=NEXT_REVIEW, eol_source="aws/aws-cli: only the newest v2 release gets fixes"),
    image_pin(CURL_IMAGE): KubernetesSupport(
        "curl/curl tags (curl-8_21_0 newest)", "1.35", note="talks to ClickHouse over HTTP only",
        review_by=NEXT_REVIEW, eol_source="curl supports only its latest release (daniel.haxx.se, "
                                          "\"Supported curl versions and end of life\", 2025-05)"),
    image_pin(CLUSTER_AUTOSCALER_IMAGE): KubernetesSupport(
        "kubernetes/autoscaler:cluster-autoscaler/README.md (CA minor versions match Kubernetes minors); "
        "tag cluster-autoscaler-1.35.2", "1.35", oldest="1.35", newest="1.35", end_of_life=KUBERNETES_EOL,
        eol_source="kubernetes.io/releases (1.35 end of life 2027-02-28)"),
    addon_pin("vpc-cni", EKS_ADDON_VERSIONS["vpc-cni"]): KubernetesSupport(
        "EKS user guide, managing-vpc-cni (one add-on version for every supported cluster version); "
        "not re-read offline for 1.35: DescribeAddonVersions is the authority", "1.35",
        note="upstream v1.21.2 exists (aws/eks-charts); its eksbuild could not be confirmed offline",
        end_of_life=EKS_STANDARD_SUPPORT_END, eol_source=EKS_LIFECYCLE),
    addon_pin("kube-proxy", EKS_ADDON_VERSIONS["kube-proxy"]): KubernetesSupport(
        "EKS user guide, managing-kube-proxy (1.35 -> v1.35.3-eksbuild.13)", "1.35", oldest="1.35", newest="1.35",
        end_of_life=EKS_STANDARD_SUPPORT_END, eol_source=EKS_LIFECYCLE),
    addon_pin("coredns", EKS_ADDON_VERSIONS["coredns"]): KubernetesSupport(
        "EKS user guide, managing-coredns (1.35 -> v1.13.2-eksbuild.4)", "1.35", oldest="1.33", newest="1.35",
        end_of_life=EKS_STANDARD_SUPPORT_END, eol_source=EKS_LIFECYCLE),
    addon_pin("aws-ebs-csi-driver", EKS_ADDON_VERSIONS["aws-ebs-csi-driver"]): KubernetesSupport(
        "kubernetes-sigs/aws-ebs-csi-driver:README.md (compatible with every Kubernetes version the project "
        "or EKS supports); v1.57.1 is the newest v1.57 patch", "1.35",
        note="open-ended: follows the versions EKS supports, which include 1.35",
        end_of_life=EKS_STANDARD_SUPPORT_END, eol_source=EKS_LIFECYCLE),
    addon_pin("amazon-cloudwatch-observability", CLOUDWATCH_OBSERVABILITY_ADDON): KubernetesSupport(
        "aws-observability/helm-charts amazon-cloudwatch-observability (5.3.0 is the 5.3 line); EKS offers the "
        "add-on per cluster version (DescribeAddonVersions)", "1.35",
        note="no public range for the add-on build; not confirmable offline (EKS refuses an unoffered version)",
        end_of_life=EKS_STANDARD_SUPPORT_END, eol_source=EKS_LIFECYCLE),
}
KUBERNETES_SUPPORT.update({
    chart_pin(RELOADER): KubernetesSupport(
        "stakater/Reloader@chart-v2.2.16:README.md (\"Compatibility\": Kubernetes >= 1.19); "
        "Reloader v1.4.21 is built on client-go v0.35.3", "1.35", oldest="1.19",
        review_by=NEXT_REVIEW, eol_source="stakater/Reloader: no support dates published"),
    image_pin(AGENT_SERVER_DB_BOOTSTRAP_IMAGE): KubernetesSupport(
        "langchain-ai/helm@langgraph-cloud-0.3.2:charts/langgraph-cloud/values.yaml images.postgresImage (pg16)",
        "1.35", note="runs psql against RDS only, never the Kubernetes API",
        end_of_life=POSTGRES_16_EOL, eol_source="postgresql.org/support/versioning (16: 2028-11-09)"),
    image_pin(KUBECTL_IMAGE): KubernetesSupport(
        "kubernetes/kubernetes version skew policy (kubectl within one minor of the API server); "
        "registry.k8s.io/kubectl published per release since 1.28 (kubernetes/kubernetes#116667); "
        "kubernetes/kubectl tag kubernetes-1.35.7 the newest 1.35 patch", "1.35", oldest="1.34", newest="1.36",
        end_of_life=KUBERNETES_EOL, eol_source="kubernetes.io/releases (1.35 end of life 2027-02-28)"),
    # Every supported langsmith chart version (langsmith.chartVersion): same Chart.yaml (no
    # kubeVersion) and the same GA APIs across the 0.16 line.
    **{chart_pin(HelmChart(LANGSMITH.repository, LANGSMITH.chart, version)): KubernetesSupport(
        f"langchain-ai/helm@langsmith-{version}:charts/langsmith/Chart.yaml (no kubeVersion); "
        "docs.langchain.com/langsmith/kubernetes (tested on EKS, no version range)", "1.35",
        note="no documented range: re-check LangChain's self-hosting page when raising KUBERNETES_VERSION",
        review_by=NEXT_REVIEW, eol_source="docs.langchain.com/langsmith/release-versions (no dates per chart)")
       for version in LANGSMITH_SUPPORTED_VERSIONS},
})
