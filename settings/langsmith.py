"""`langsmith`: the LangSmith application of a self-hosted stack (domain, auth, chart version, the size
of each workload) and `licenseKey`, with the rules a self-hosted stack needs of them."""

from __future__ import annotations

import urllib.parse
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, Field, SecretStr, field_validator

from components.versions import LANGSMITH, LANGSMITH_SUPPORTED_VERSIONS
from settings.base import MISSING_VALUE, ConfigModel, HostedZoneId, Hostname, Problem, CpuQuantity, MemoryQuantity, matching


def _check_https_url(value: str) -> str:
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme != "https" or not parsed.hostname or " " in value:
        raise ValueError("must be an https URL such as https://login.example.com/oauth2/default")
    return value


class WorkloadSize(ConfigModel):
    replicas: int = Field(ge=1, le=50, description="Pods")
    cpu: CpuQuantity = Field(description="CPU request per pod")
    memory: MemoryQuantity = Field(description="Memory request (and limit) per pod")


class LangSmithComponents(ConfigModel):
    backend: WorkloadSize
    platform_backend: WorkloadSize
    queue: WorkloadSize
    ingest_queue: WorkloadSize
    frontend: WorkloadSize
    playground: WorkloadSize
    ace_backend: WorkloadSize


class AgentServerSize(ConfigModel):
    cpu: CpuQuantity = Field(default="1", description="CPU request per agent API server")
    memory: MemoryQuantity = Field(default="2Gi", description="Memory request per agent API server")


class DeploymentsSettings(ConfigModel):
    """LangSmith Deployment: agents deployed from the LangSmith UI into this cluster (docs/deployments.md)."""

    enabled: bool = Field(
        default=False, description="LangSmith Deployment: the chart's host backend, listener and operator, Envoy "
                                   "Gateway behind the ALB, KEDA, an ECR repository for agent images")
    # The control plane sizes each agent per deployment; these figures only feed the capacity arithmetic.
    agent_servers: int = Field(
        default=2, ge=0, le=200,
        description="Agent servers the cluster is sized for (each: its API server, an operator-made PostgreSQL "
                    "and Redis)")
    agent_server: AgentServerSize = Field(
        default_factory=lambda: AgentServerSize(),
        description="What each agent API server is counted at in the capacity arithmetic")


class OidcSettings(ConfigModel):
    client_id: str = Field(min_length=1, description="OIDC client ID")
    issuer_url: Annotated[str, AfterValidator(_check_https_url)] = Field(
        description="OIDC issuer URL")


class LangSmithSettings(ConfigModel):
    domain: Optional[Hostname] = Field(default=None, description="DNS name LangSmith is served at (self-hosted)")
    hosted_zone_id: Optional[HostedZoneId] = Field(
        default=None, description="Existing Route53 hosted zone that holds the domain")
    auth: Literal["basic", "oidc"] = Field(default="basic", description="basic (email + password) or oidc (single sign-on)")
    admin_email: Optional[Annotated[str, matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "admin@example.com")]] = Field(
        default=None, description="Initial organisation admin, required for every auth mode (basic: signs in "
                                  "with the generated password; oidc: the identity-provider user with this email "
                                  "becomes admin of the organisation the chart creates)")
    oidc: Optional[OidcSettings] = Field(default=None, description="OIDC client (auth: oidc)")
    insights_enabled: bool = Field(default=False, description="LangSmith Insights (own API, queue and encryption key)")
    polly_enabled: bool = Field(default=False, description="Polly assistant (own API, queue and encryption key)")
    fleet_enabled: bool = Field(
        default=False, description="Fleet, formerly Agent Builder (own API, queue and encryption key); needs "
                                   "langsmith.deployments.enabled")
    deployments: DeploymentsSettings = Field(
        default_factory=lambda: DeploymentsSettings(), description="LangSmith Deployment (agents from the UI)")
    components: LangSmithComponents = Field(description="Replicas and requests of each LangSmith workload")
    chart_version: str = Field(
        default=LANGSMITH.version,
        description="Version of the `langsmith` Helm chart (one of components/versions.py "
                    "LANGSMITH_SUPPORTED_VERSIONS; see docs/upgrade.md)")

    @field_validator("chart_version", mode="before")
    @classmethod
    def _supported_chart(cls, value: Any) -> Any:
        if str(value) not in LANGSMITH_SUPPORTED_VERSIONS:
            raise ValueError(f"must be a supported langsmith chart version: {', '.join(LANGSMITH_SUPPORTED_VERSIONS)}")
        return str(value)


def langsmith_problems(ls: Optional[LangSmithSettings], oidc_client_secret: Optional[SecretStr]) -> list[Problem]:
    """What a self-hosted stack needs of `langsmith`: where it is served, and what its auth mode needs."""
    if ls is None:
        return [("langsmith", MISSING_VALUE, "is required for self-hosted (domain, hostedZoneId, auth)")]
    problems: list[Problem] = []
    if ls.domain is None:
        problems.append(("langsmith.domain", MISSING_VALUE, "is required for self-hosted: the DNS name users open"))
    if ls.hosted_zone_id is None:
        problems.append(("langsmith.hostedZoneId", MISSING_VALUE,
                         "is required for self-hosted: the Route53 zone for the certificate and alias"))
    if ls.admin_email is None:
        # The chart's auth-bootstrap hook runs for every auth mode and creates the first organisation
        # from config.initialOrgAdminEmail; with SSO and no email no organisation exists and users
        # cannot create one (langchain-ai/helm@langsmith-0.16.11 templates/backend/auth-bootstrap.yaml).
        problems.append(("langsmith.adminEmail", MISSING_VALUE,
                         f"is required with auth: {ls.auth}: the initial organisation admin (with oidc, an "
                         "identity-provider user's email)"))
    if ls.auth == "oidc" and ls.oidc is None:
        problems.append(("langsmith.oidc", MISSING_VALUE, "is required with auth: oidc (clientId, issuerUrl)"))
    if ls.auth == "basic" and oidc_client_secret is not None:
        problems.append(("oidcClientSecret", "[redacted]", "is only used with langsmith.auth: oidc"))
    problems.extend(deployments_problems(ls))
    return problems


# The chart version whose operator templates and deployment value paths components/langsmith_values.py
# was written against (langchain-ai/helm @ langsmith-0.16.11, values.yaml `operator.templates`).
DEPLOYMENTS_CHART_VERSION = "0.16.11"


def deployments_problems(ls: LangSmithSettings) -> list[Problem]:
    """What LangSmith Deployment and the features built on it need."""
    problems: list[Problem] = []
    if ls.fleet_enabled and not ls.deployments.enabled:
        # Not a chart rule at 0.16.11 (fleet.enabled renders without deployments), but LangChain's own
        # Terraform refuses it (langchain-ai/terraform @ e27a2af modules/aws/infra/main.tf): the Fleet UI
        # resolves OAuth provider connections through the host backend, which only Deployments installs.
        problems.append(("langsmith.fleetEnabled", True,
                         "needs langsmith.deployments.enabled: true (Fleet resolves its OAuth connections through "
                         "the host backend, which only LangSmith Deployment installs)"))
    if ls.deployments.enabled and ls.chart_version != DEPLOYMENTS_CHART_VERSION:
        problems.append(("langsmith.chartVersion", ls.chart_version,
                         f"must be {DEPLOYMENTS_CHART_VERSION} with langsmith.deployments.enabled: the operator's "
                         "templates and the deployment values are checked against that chart version only"))
    return problems


def ingress_health_check(*, internal_alb: bool, allowed_cidrs: list[str], existing_network: bool) -> bool:
    """`config.deployment.ingressHealthCheckEnabled`: whether LangSmith may check each agent through its
    public URL from inside the cluster (values.yaml: "Disable this if there is restricted access to the
    external facing ingress endpoint for your agent(s) from inside of your kubernetes cluster").

    The call hairpins: pod -> NAT gateway -> the stack's ALB (WAF) -> Envoy -> the agent; for an
    internal ALB, pod -> ALB directly. The edge opens that path (components/edge.py `in_cluster_sources`):
    an internal ALB admits the cluster's security group, a public ALB restricted by edge.allowedCidrs
    admits the NAT gateways' addresses. Only an existing network's NAT addresses are unknown to the
    stack: with a restricted public ALB there, the check stays off (deployments are then reported
    healthy on their pods' readiness alone)."""
    return internal_alb or "0.0.0.0/0" in allowed_cidrs or not existing_network


def license_problems(license_key: Optional[SecretStr]) -> list[Problem]:
    if license_key is None:
        return [("licenseKey", MISSING_VALUE, "is required for self-hosted (pulumi config set --secret licenseKey ...)")]
    return []
