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
    return problems


def license_problems(license_key: Optional[SecretStr]) -> list[Problem]:
    if license_key is None:
        return [("licenseKey", MISSING_VALUE, "is required for self-hosted (pulumi config set --secret licenseKey ...)")]
    return []
