"""The whole configuration of one stack (`Settings`) and its stack-wide keys: region, shape,
profile, name prefix, tags, log retention, data protection, and the secrets it is given.

Each area's model and rules live in its own module (settings/network.py, cluster.py, postgres.py,
...); the rules spanning areas, and the capacity and architecture checks, run from settings/rules.py.
"""

from __future__ import annotations

import re
from typing import Annotated, Optional

from pydantic import AfterValidator, Field, SecretStr, StringConstraints

from settings import catalogue
from settings.base import ConfigModel, Problem, Profile, Shape
from settings.agent_server import AgentServersSettings
from settings.blob_storage import BlobStorageSettings
from settings.byoc import ByocSettings
from settings.clickhouse import ClickHouseSettings
from settings.cluster import ClusterSettings
from settings.edge import EdgeSettings
from settings.hybrid import HybridSettings, listener_api_keys
from settings.langsmith import LangSmithSettings
from settings.name_limits import NAME_PREFIX_MAX_LENGTH
from settings.network import NetworkSettings
from settings.observability import ObservabilitySettings
from settings.postgres import PostgresSettings
from settings.profiles import LOG_RETENTION_DAYS
from settings.redis import RedisSettings
from settings.restore import RestoreSettings


def _check_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise ValueError(f"must be one of the CloudWatch Logs retention periods: {allowed}")
    return days


def _check_region(value: str) -> str:
    known = catalogue.regions()
    if value not in known:
        raise ValueError(f"is not an AWS region (botocore's endpoints data){catalogue.nearest(value, known)}")
    partition = catalogue.region_partitions().get(value, "aws")
    if partition != "aws":
        # The program writes commercial-partition ARNs (`arn:aws:...`: key policies, trust policies,
        # managed policy ARNs); in another partition AWS would refuse them as malformed.
        raise ValueError(f"is in the {partition} partition; this program supports the commercial (aws) "
                         "partition only, whose ARNs it writes")
    return value


def _check_name_prefix(value: str) -> str:
    # RDS and ElastiCache identifiers: a letter first, no "--", no hyphen last; the length keeps every
    # derived name within its AWS limit (settings/name_limits.py).
    if not re.fullmatch(rf"[a-z][a-z0-9-]{{1,{NAME_PREFIX_MAX_LENGTH - 2}}}[a-z0-9]", value) or "--" in value:
        raise ValueError(f"must be 3-{NAME_PREFIX_MAX_LENGTH} lowercase letters, digits and single hyphens, "
                         "starting with a letter (e.g. ls-prod): every physical name is derived from it")
    return value


def _check_tag_key(key: str) -> str:
    if key.lower().startswith("aws:"):
        raise ValueError("tag keys starting with 'aws:' are reserved by AWS")
    return key


RetentionDays = Annotated[int, AfterValidator(_check_retention)]
Region = Annotated[str, AfterValidator(_check_region)]
NamePrefix = Annotated[str, AfterValidator(_check_name_prefix)]
TagKey = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(_check_tag_key)]
TagValue = Annotated[str, StringConstraints(max_length=256)]


class Settings(ConfigModel):
    """The whole, validated configuration of one stack."""

    project: str = Field(description="Pulumi project name (from the runtime)")
    stack: str = Field(description="Pulumi stack name (from the runtime)")
    region: Region = Field(description="the AWS region to deploy into, e.g. us-east-1")
    shape: Shape = Field(description="What this stack builds: self-hosted, hybrid, byoc or agent-server")
    profile: Profile = Field(description="Sizing profile: dev, production or production-large")
    name_prefix: NamePrefix = Field(description="Prefix of physical resource names (default: ls-<stack>)")
    protect_data: bool = Field(description="Protect stateful resources from `pulumi destroy`")
    log_retention_days: RetentionDays = Field(description="Retention of every CloudWatch log group the stack creates")
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, description="Extra tags on every AWS resource")
    network: NetworkSettings
    cluster: ClusterSettings
    clickhouse: ClickHouseSettings
    postgres: PostgresSettings
    langsmith: Optional[LangSmithSettings] = Field(default=None, description="The LangSmith application (self-hosted)")
    edge: EdgeSettings = Field(default_factory=lambda: EdgeSettings())
    observability: ObservabilitySettings
    oidc_client_secret: Optional[SecretStr] = Field(
        default=None, description="OIDC client secret (secret; without it OIDC uses PKCE, authType oauth)")
    hybrid: HybridSettings = Field(default_factory=lambda: HybridSettings())
    hybrid_api_keys: Optional[dict[str, SecretStr]] = Field(
        default=None, description="LangSmith API key per listener name (secret object: set each with --path)")
    agent_server: AgentServersSettings = Field(
        default_factory=lambda: AgentServersSettings(),
        description="Standalone Agent Servers (langgraph-cloud chart): domain, tracing, servers")
    agent_server_api_key: Optional[SecretStr] = Field(
        default=None, description="LangSmith API key the Agent Servers trace with (secret; agent-server)")
    byoc: ByocSettings = Field(default_factory=lambda: ByocSettings())
    byoc_external_id: Optional[SecretStr] = Field(
        default=None, description="ExternalId LangChain's control plane presents when assuming the BYOC role (secret)")
    redis: RedisSettings
    blob_storage: BlobStorageSettings
    license_key: Optional[SecretStr] = Field(
        default=None, description="LangSmith license key (secret; required for self-hosted, and for agent-server "
                                  "as the servers' LANGGRAPH_CLOUD_LICENSE_KEY)")
    clickhouse_external_password: Optional[SecretStr] = Field(
        default=None, description="Password of the external ClickHouse user (secret; clickhouse.mode: external)")
    postgres_external_uri: Optional[SecretStr] = Field(
        default=None,
        description="user:password@host:port/db?sslmode=require of an existing PostgreSQL (secret)")
    restore: RestoreSettings = Field(
        default_factory=lambda: RestoreSettings(),
        description="Create the data stores from backups (see docs/restore.md)")
    restore_secrets: Optional[dict[str, SecretStr]] = Field(
        default=None,
        description="The old stack's generated secrets a restored database depends on (secret object, set each "
                    "with --path): apiKeySalt, jwtSecret, insightsEncryptionKey, pollyEncryptionKey")

    def listener_api_keys(self) -> dict[str, str]:
        return listener_api_keys(self.hybrid_api_keys)

    @property
    def cluster_name(self) -> str:
        """Stable EKS cluster name, known before deploy (subnet tags and add-ons need it)."""
        return f"{self.name_prefix}-eks"

    def resource_tags(self) -> dict[str, str]:
        """Tags applied to every AWS resource through the provider's default tags."""
        base = {
            "app": "langsmith",
            "langsmith:stack": self.stack,
            "langsmith:profile": self.profile.value,
            "langsmith:shape": self.shape.value,
            "managed-by": "pulumi",
        }
        return {**base, **self.tags}


def log_retention_problems(profile: Profile, days: int) -> list[Problem]:
    if profile.is_production and days < 365:
        return [("logRetentionDays", days, "must be 365 or more with a production profile (audit trail)")]
    return []


# Config keys (dotted paths) whose values are credentials: they must be set with
# `pulumi config set --secret`, and their values never appear in error messages.
SECRET_KEYS: frozenset[str] = frozenset({
    "licenseKey", "postgresExternalUri", "clickhouseExternalPassword", "byocExternalId", "oidcClientSecret",
    "hybridApiKeys", "agentServerApiKey", "restoreSecrets"})
