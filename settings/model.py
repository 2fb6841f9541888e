"""Typed, validated settings of one stack.

Every stack-config key of the project namespace maps to a field here (camelCase alias = config
key). Models are frozen and reject unknown keys, so a typo is an error rather than a silently
ignored setting. Cross-field rules live in `Settings.check_cross_field_rules` and report the keys
they concern, so the loader can name them.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
import urllib.parse
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    AfterValidator,
    BeforeValidator,
    SecretStr,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.versions import LANGSMITH, LANGSMITH_SUPPORTED_VERSIONS
from settings import catalogue
from settings.instance_types import shape_of
from settings.name_limits import NAME_PREFIX_MAX_LENGTH
from settings.profiles import LOG_RETENTION_DAYS
from settings.restore import RestoreSettings, restore_problems


# For a cross-field rule reported at the first key: the other keys that take part in it. When the
# first came from the profile (the user did not set it), the loader names the one the user did set.
RELATED_KEYS: dict[str, tuple[str, ...]] = {
    "clickhouse.cpu": ("cluster.clickhousePool.instanceTypes", "clickhouse.memory", "profile"),
    "cluster.generalPool.minSize": ("cluster.generalPool.instanceTypes", "profile"),
    "cluster.generalPool.desiredSize": ("cluster.generalPool.minSize", "cluster.generalPool.maxSize"),
    "cluster.clickhousePool.desiredSize": ("cluster.clickhousePool.minSize", "cluster.clickhousePool.maxSize"),
    "logRetentionDays": ("profile",),
    "postgres.backupRetentionDays": ("profile",),
    "postgres.maxAllocatedStorageGb": ("postgres.allocatedStorageGb",),
    "postgres.instanceClass": ("aws:region", "postgres.engineVersion"),
    "redis.nodeType": ("aws:region",),
    "redis.engineVersion": ("redis.engine",),
    "clickhouse.volumeIops": ("clickhouse.volumeSizeGb",),
    "clickhouse.volumeThroughputMibps": ("clickhouse.volumeIops",),
    "blobStorage.longTtlDays": ("blobStorage.shortTtlDays",),
    "edge.allowedCidrs": ("edge.internal",),
}


class _MissingValue:
    """Marks a key that is not set, in cross-field problems."""

    def __repr__(self) -> str:
        return "(not set)"


MISSING_VALUE: Any = _MissingValue()


class Shape(str, enum.Enum):
    SELF_HOSTED = "self-hosted"
    HYBRID = "hybrid"
    BYOC = "byoc"


class Profile(str, enum.Enum):
    DEV = "dev"
    PRODUCTION = "production"
    PRODUCTION_LARGE = "production-large"

    @property
    def is_production(self) -> bool:
        return self is not Profile.DEV


class ConfigModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        # People write `cpu: 2` and `engineVersion: 16`: numbers are read as the strings they spell.
        coerce_numbers_to_str=True,
    )


def _check_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise ValueError(f"must be one of the CloudWatch Logs retention periods: {allowed}")
    return days


def _check_vpc_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 CIDR block such as 10.0.0.0/16 ({exc})") from None
    if not 16 <= network.prefixlen <= 20:
        raise ValueError("must have a prefix length between /16 and /20 (AWS allows /16 at most; "
                         "smaller than /20 leaves too few pod IPs for EKS)")
    if not network.is_private:
        raise ValueError("must be a private (RFC 1918) range")
    return str(network)


def _check_cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value, strict=True))
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 CIDR block such as 203.0.113.0/24 ({exc})") from None


def _matching(pattern: str, example: str) -> AfterValidator:
    """A string rule with a message a person can act on (not the regular expression)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"must look like {example}")
        return value
    return AfterValidator(check)


RetentionDays = Annotated[int, AfterValidator(_check_retention)]
VpcCidr = Annotated[str, AfterValidator(_check_vpc_cidr)]
Cidr = Annotated[str, AfterValidator(_check_cidr)]
VpcId = Annotated[str, _matching(r"vpc-[0-9a-f]{8,17}", "vpc-0123456789abcdef0")]
SubnetId = Annotated[str, _matching(r"subnet-[0-9a-f]{8,17}", "subnet-0123456789abcdef0")]
AvailabilityZone = Annotated[str, _matching(r"[a-z]{2}(-gov)?-[a-z]+-\d[a-z]", "us-east-1a")]


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


def _check_instance_type(value: str) -> str:
    known = catalogue.ec2_instance_types()
    if value not in known:
        raise ValueError("is not an EC2 instance type (botocore's EC2 service model)"
                         f"{catalogue.nearest(value, known)}")
    return value


Region = Annotated[str, AfterValidator(_check_region)]


def _check_name_prefix(value: str) -> str:
    # RDS and ElastiCache identifiers: a letter first, no "--", no hyphen last; the length keeps every
    # derived name within its AWS limit (settings/name_limits.py).
    if not re.fullmatch(rf"[a-z][a-z0-9-]{{1,{NAME_PREFIX_MAX_LENGTH - 2}}}[a-z0-9]", value) or "--" in value:
        raise ValueError(f"must be 3-{NAME_PREFIX_MAX_LENGTH} lowercase letters, digits and single hyphens, "
                         "starting with a letter (e.g. ls-prod): every physical name is derived from it")
    return value


NamePrefix = Annotated[str, AfterValidator(_check_name_prefix)]


def _check_host(value: str) -> str:
    """A host name (RFC 1123) or an IP address: what a client connects to, without scheme or port."""
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    label = r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    if len(value) > 253 or not re.fullmatch(rf"{label}(\.{label})*", value):
        raise ValueError("must be a host name or IP address, without scheme or port (e.g. ch.corp.internal)")
    return value


def _check_https_url(value: str) -> str:
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme != "https" or not parsed.hostname or " " in value:
        raise ValueError("must be an https URL such as https://login.example.com/oauth2/default")
    return value


def _check_tag_key(key: str) -> str:
    if key.lower().startswith("aws:"):
        raise ValueError("tag keys starting with 'aws:' are reserved by AWS")
    return key


TagKey = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(_check_tag_key)]
TagValue = Annotated[str, StringConstraints(max_length=256)]

InterfaceEndpoint = Literal[
    "sts", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ec2", "elasticloadbalancing", "autoscaling"
]


class ExistingNetworkSettings(ConfigModel):
    """Bring your own VPC: the stack creates no VPC, subnets, gateways or routes."""

    vpc_id: VpcId = Field(description="ID of the existing VPC")
    public_subnet_ids: list[SubnetId] = Field(
        default_factory=list, description="Subnets for internet-facing load balancers only")
    private_subnet_ids: list[SubnetId] = Field(
        min_length=2, description="Subnets with NAT egress for the EKS nodes (two AZs or more)")
    data_subnet_ids: list[SubnetId] = Field(
        default_factory=list,
        description="Subnets without internet routes for RDS and ElastiCache (default: the private subnets)")


class NetworkSettings(ConfigModel):
    cidr: VpcCidr = Field(default="10.0.0.0/16", description="VPC CIDR block (/16 to /20)")
    az_count: int = Field(ge=2, le=6, description="Availability zones to spread subnets over")
    availability_zones: Optional[list[AvailabilityZone]] = Field(
        default=None, description="Explicit AZ names (default: the first azCount available in the region)")
    nat_gateways: Literal["single", "per-az"] = Field(
        description="One NAT gateway for the VPC, or one per AZ (no cross-AZ egress dependency)")
    interface_endpoints: list[InterfaceEndpoint] = Field(
        description="AWS services reached through interface VPC endpoints instead of NAT")
    existing: Optional[ExistingNetworkSettings] = Field(
        default=None, description="Use an existing VPC and subnets instead of creating them")

    @field_validator("interface_endpoints")
    @classmethod
    def _unique_endpoints(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a service twice")
        return value


# LangSmith needs PostgreSQL 14 or newer (self-hosting prerequisites); RDS's majors come from the catalogue.
POSTGRES_MIN_MAJOR = 14
# Default engine version of each ElastiCache engine: one ElastiCache offers (data/aws/catalogue.json).
# Redis OSS 7.1 is what LangSmith documents; Valkey 8.1 is a Valkey line ElastiCache offers (7.2, 8.0, 8.1...).
REDIS_DEFAULT_VERSIONS = {"redis": "7.1", "valkey": "8.1"}
# Oldest Redis OSS line the replication group supports: transit_encryption_mode needs 7.0 or newer.
REDIS_MIN_OSS_VERSION = (7, 0)


def postgres_versions() -> list[str]:
    return [v for v in catalogue.postgres_major_versions() if int(v) >= POSTGRES_MIN_MAJOR]


def redis_versions(engine: str) -> list[str]:
    versions = catalogue.elasticache_engine_versions(engine)
    if engine == "redis":
        return [v for v in versions if tuple(int(p) for p in v.split(".")[:2]) >= REDIS_MIN_OSS_VERSION]
    return list(versions)


def _check_postgres_major(value: str) -> str:
    allowed = postgres_versions()
    if value not in allowed:
        raise ValueError(f"must be a PostgreSQL major version RDS offers and LangSmith supports: {', '.join(allowed)}")
    return value


class PostgresSettings(ConfigModel):
    external: bool = Field(
        default=False,
        description="Use an existing PostgreSQL instead of RDS; its URI comes from the secret key postgresExternalUri")
    engine_version: Annotated[str, AfterValidator(_check_postgres_major)] = Field(
        default="16", description=f"PostgreSQL major version: {', '.join(postgres_versions())} "
                                  "(RDS applies minor upgrades itself)")
    instance_class: Annotated[str, _matching(r"db\.[a-z0-9]+\.[a-z0-9]+", "db.m7g.large")] = Field(
        description="RDS instance class")
    allocated_storage_gb: int = Field(ge=20, le=65536, description="Initial gp3 storage (GiB)")
    max_allocated_storage_gb: int = Field(ge=20, le=65536, description="Storage autoscaling ceiling (GiB)")
    multi_az: bool = Field(description="Synchronous standby in a second AZ")
    backup_retention_days: int = Field(ge=1, le=35, description="Automated backup retention (days)")


class RedisSettings(ConfigModel):
    engine: Literal["redis", "valkey"] = Field(
        default="redis",
        description="redis (Redis OSS 7.1, what LangSmith is tested with) or valkey (protocol-compatible, ~20% cheaper)")
    engine_version: str = Field(
        default=REDIS_DEFAULT_VERSIONS["redis"],
        description="Engine version (default per engine: " + ", ".join(
            f"{v} for {e}" for e, v in REDIS_DEFAULT_VERSIONS.items()) + "); one ElastiCache offers for the engine")
    node_type: Annotated[str, _matching(r"cache\.[a-z0-9]+\.[a-z0-9]+", "cache.m7g.large")] = Field(
        description="ElastiCache node type")
    nodes: int = Field(ge=1, le=6, description="Primary plus replicas; 2 or more enables automatic failover")
    snapshot_retention_days: int = Field(ge=0, le=35, description="Daily snapshots kept (days)")

    @model_validator(mode="before")
    @classmethod
    def _default_version_of_engine(cls, data: Any) -> Any:
        """Each engine gets its own default version (Valkey has no 7.1); the pair is checked across fields."""
        if isinstance(data, dict) and data.get("engineVersion", data.get("engine_version")) is None:
            engine = data.get("engine", "redis")
            if engine in REDIS_DEFAULT_VERSIONS:
                return {**data, "engineVersion": REDIS_DEFAULT_VERSIONS[engine]}
        return data


class BlobStorageSettings(ConfigModel):
    short_ttl_days: int = Field(default=14, ge=1, le=3650, description="Expiry of objects under ttl_s/ (days)")
    long_ttl_days: int = Field(default=400, ge=1, le=3650, description="Expiry of objects under ttl_l/ (days)")
    noncurrent_version_days: int = Field(
        ge=1, le=3650, description="How long overwritten or deleted object versions are kept (days)")


InstanceType = Annotated[str, AfterValidator(_check_instance_type)]
RoleArn = Annotated[str, _matching(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+", "arn:aws:iam::123456789012:role/name")]


class NodePoolSettings(ConfigModel):
    instance_types: list[InstanceType] = Field(
        min_length=1, description="EC2 instance types, first preferred (several help spot capacity)")
    capacity_type: Literal["ON_DEMAND", "SPOT"] = Field(description="ON_DEMAND or SPOT")
    min_size: int = Field(ge=0, le=100, description="Fewest nodes")
    desired_size: int = Field(ge=0, le=100, description="Nodes at creation (then Cluster Autoscaler decides)")
    max_size: int = Field(ge=1, le=100, description="Most nodes")
    disk_size_gb: int = Field(default=50, ge=20, le=1000, description="Encrypted gp3 root volume (GiB)")


class ClusterSettings(ConfigModel):
    public_access_cidrs: list[Cidr] = Field(
        default_factory=list,
        description="CIDRs allowed to reach the public API endpoint; empty keeps the endpoint private only")
    deployer_access_cidrs: list[Cidr] = Field(
        default_factory=list,
        description="Egress CIDRs of the machine running `pulumi` (bootstrap: a VPC this stack creates has no machine "
                    "inside it on the first deploy); added to the public endpoint's allow list until removed")
    deployer_inside_vpc: bool = Field(
        default=False,
        description="`pulumi` runs inside the VPC (a CI runner in its private subnets, a VPN): the API may stay "
                    "fully private once the cluster exists")
    admin_role_arns: list[RoleArn] = Field(
        default_factory=list, description="IAM roles given cluster-admin access entries (CI, platform team)")
    architecture: Literal["x86_64", "arm64"] = Field(
        default="x86_64",
        description="CPU architecture of every node: x86_64, or arm64 (Graviton types such as m7g/r7g; only where "
                    "every image the shape runs is published for arm64, see settings/architecture.py)")
    general_pool: NodePoolSettings = Field(description="Node pool for LangSmith services and controllers")
    clickhouse_pool: NodePoolSettings = Field(description="Dedicated, tainted node pool for in-cluster ClickHouse")


class ClickHouseSettings(ConfigModel):
    mode: Literal["in-cluster", "external"] = Field(
        default="in-cluster", description="in-cluster (StatefulSet on the dedicated pool) or external")
    volume_size_gb: int = Field(ge=20, le=16384, description="ClickHouse data volume (GiB)")
    volume_iops: int = Field(ge=3000, le=80000, description="gp3 provisioned IOPS of the data volume")
    volume_throughput_mibps: int = Field(ge=125, le=2000, description="gp3 throughput of the data volume (MiB/s)")
    cpu: Quantity = Field(description="CPU request of the in-cluster ClickHouse")
    memory: Quantity = Field(description="Memory request (and limit) of the in-cluster ClickHouse")
    external_host: Optional[Annotated[str, AfterValidator(_check_host)]] = Field(
        default=None, description="Host of an external ClickHouse (mode: external): a DNS name or an IP address")
    external_port: int = Field(default=8443, ge=1, le=65535, description="HTTP(S) port of the external ClickHouse")
    external_native_port: int = Field(default=9440, ge=1, le=65535, description="Native port of the external ClickHouse")
    external_user: str = Field(default="default", description="User of the external ClickHouse")
    external_database: str = Field(default="default", description="Database of the external ClickHouse")
    external_tls: bool = Field(default=True, description="TLS to the external ClickHouse")


Hostname = Annotated[str, StringConstraints(max_length=253), _matching(
    r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", "langsmith.example.com (a DNS name, no scheme)")]
Quantity = Annotated[str, _matching(r"[0-9]+(\.[0-9]+)?(m|Mi|Gi)?", "500m, 2, 512Mi or 4Gi")]


class WorkloadSize(ConfigModel):
    replicas: int = Field(ge=1, le=50, description="Pods")
    cpu: Quantity = Field(description="CPU request per pod")
    memory: Quantity = Field(description="Memory request (and limit) per pod")


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
    hosted_zone_id: Optional[Annotated[str, _matching(r"Z[A-Z0-9]{4,32}", "Z0123456789ABCDEFGHIJ")]] = Field(
        default=None, description="Existing Route53 hosted zone that holds the domain")
    auth: Literal["basic", "oidc"] = Field(default="basic", description="basic (email + password) or oidc (single sign-on)")
    admin_email: Optional[Annotated[str, _matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "admin@example.com")]] = Field(
        default=None, description="Initial organisation admin (basic auth)")
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


class ObservabilitySettings(ConfigModel):
    """Alarm thresholds and backup retention; every default comes from the profile table."""

    alarm_email: Optional[Annotated[str, _matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "oncall@example.com")]] = Field(
        default=None, description="Email subscribed to the alarm topic (confirm the subscription once)")
    alb_errors_per_5_minutes: int = Field(ge=1, description="ALB + target 5xx responses in 5 minutes before alarming")
    rds_cpu_percent: int = Field(ge=1, le=100, description="RDS CPU utilisation alarm threshold (%)")
    rds_free_storage_gb: int = Field(ge=1, description="RDS free storage alarm threshold (GiB)")
    rds_max_connections: int = Field(ge=1, description="RDS connections alarm threshold")
    redis_memory_percent: int = Field(ge=1, le=100, description="ElastiCache memory usage alarm threshold (%)")
    redis_evictions_per_5_minutes: int = Field(ge=0, description="ElastiCache evictions in 5 minutes before alarming")
    pod_restarts_per_5_minutes: int = Field(ge=1, description="Container restarts in the LangSmith namespace in 5 minutes")
    clickhouse_disk_percent: int = Field(default=80, ge=1, le=100, description="ClickHouse volume usage alarm (%)")
    backup_retention_days: int = Field(ge=1, le=36500, description="Daily AWS Backup recovery points kept (days)")


class EdgeSettings(ConfigModel):
    internal: bool = Field(default=False, description="Internal ALB in the private subnets (VPN / peered access only)")
    allowed_cidrs: list[Cidr] = Field(
        default_factory=lambda: ["0.0.0.0/0"], min_length=1, description="Who may reach the ALB on 80/443")
    waf_rate_limit: int = Field(
        default=2000, ge=100, le=2_000_000_000, description="Requests per IP per 5 minutes before WAF blocks")


Uuid = Annotated[str, _matching(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                                "a UUID such as 3f0c8a52-1c5e-4f7e-9a77-2b1b0c6d9e11")]
Dns1123Label = Annotated[str, _matching(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", "team-a (a Kubernetes namespace name)")]

# Control-plane endpoints by LangChain region. Host backend: docs.langchain.com/langsmith/api-ref-control-plane
# ("The control plane hosts for Cloud data regions": US https://api.host.langchain.com, EU
# https://eu.api.host.langchain.com). LangSmith API: the same regions' api.smith hosts
# (docs.langchain.com/langsmith, "Regions"; the hybrid setup lists both US URLs as the listener's egress).
HYBRID_CONTROL_PLANES = {
    "us": ("https://api.host.langchain.com", "https://api.smith.langchain.com"),
    "eu": ("https://eu.api.host.langchain.com", "https://eu.api.smith.langchain.com"),
}


# Namespaces Kubernetes or this stack's controllers own: never a home for agent workloads.
# The controllers' ones mirror components/ and shapes/ (tests/test_config_fidelity.py holds them in step).
RESERVED_NAMESPACES = frozenset({
    "default", "kube-system", "kube-public", "kube-node-lease",
    "langsmith", "keda", "external-secrets", "agents-gateway", "envoy-gateway-system", "amazon-cloudwatch",
    "kube-events",
})


def _check_workload_namespace(value: str) -> str:
    if value in RESERVED_NAMESPACES or value.startswith("kube-"):
        raise ValueError("is a namespace Kubernetes or the stack's controllers own; agent workloads need their own "
                         f"(reserved: {', '.join(sorted(RESERVED_NAMESPACES))}, and every kube-*)")
    return value


WorkloadNamespace = Annotated[Dns1123Label, AfterValidator(_check_workload_namespace)]


def _check_url(value: str) -> str:
    parsed = urllib.parse.urlsplit(value)
    host = parsed.hostname or ""
    if parsed.scheme not in ("https", "http") or not host or " " in value:
        raise ValueError("must be an absolute http(s) URL such as https://api.host.langchain.com")
    return value


def _check_runs_endpoints(value: str) -> str:
    """LANGSMITH_RUNS_ENDPOINTS: a JSON object of LangSmith API URL -> API-key secret name."""
    try:
        decoded = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"must be a JSON object of URL to secret name ({exc.msg} at position {exc.pos})") from None
    if not isinstance(decoded, dict) or not decoded:
        raise ValueError('must be a non-empty JSON object such as {"https://langsmith.example.com/api/v1": "ls-key"}')
    for url, secret_name in decoded.items():
        _check_url(url)
        if not isinstance(secret_name, str) or not secret_name:
            raise ValueError(f"must map each URL to a secret name; {url!r} maps to {secret_name!r}")
    return value


def _json_text(value: Any) -> Any:
    """A JSON value written as YAML (a mapping) is the same thing as its JSON text."""
    return json.dumps(value) if isinstance(value, dict) else value


Url = Annotated[str, AfterValidator(_check_url)]


class ListenerSettings(ConfigModel):
    # Its release is lgdp-<name> (Helm release names: 53 characters at most), its namespace langgraph-<name>.
    name: Annotated[WorkloadNamespace, StringConstraints(max_length=48)] = Field(
        description="Short name of the listener (names its namespace and subdomain)")
    listener_id: Uuid = Field(description="Listener ID from the LangSmith UI")
    workspace_id: Uuid = Field(description="Workspace the listener belongs to")
    namespaces: list[WorkloadNamespace] = Field(min_length=1, description="Namespaces its deployments run in")
    owns_crds: Optional[bool] = Field(
        default=None, description="Retired: the stack installs the operator's LGP CRD once, outside every listener; "
                                  "setting it is a config error")


class HybridSettings(ConfigModel):
    control_plane: Literal["us", "eu", "self-hosted"] = Field(
        default="us", description="Where the LangSmith control plane runs; picks default endpoints")
    host_backend_url: Optional[Url] = Field(
        default=None, description="Control plane host backend (default: the region's)")
    smith_backend_url: Optional[Url] = Field(
        default=None, description="LangSmith API (default: the region's)")
    domain: Optional[Hostname] = Field(default=None, description="Agents are served at <listener>.<domain>")
    hosted_zone_id: Optional[Annotated[str, _matching(r"Z[A-Z0-9]{4,32}", "Z0123456789ABCDEFGHIJ")]] = Field(
        default=None, description="Route53 zone of the domain")
    gateway_api: bool = Field(
        default=True, description="Route agents with the Gateway API (Envoy Gateway behind the stack's ALB)")
    listeners: list[ListenerSettings] = Field(default_factory=list, description="Listeners sharing this cluster")

    def endpoints(self) -> tuple[str, str]:
        defaults = HYBRID_CONTROL_PLANES.get(self.control_plane, ("", ""))
        return self.host_backend_url or defaults[0], self.smith_backend_url or defaults[1]


# LangChain's control-plane principal per control-plane region, only where LangChain publishes it.
# us: langchain-ai/terraform, modules/langgraph_cloud_setup/README.md (`langgraph_role_arn`).
# eu: no public LangChain source names one, so there is no default: a wrong trusted principal
# means LangChain can never assume the role. byoc.trustedPrincipalArn is then required.
BYOC_CONTROL_PLANE_PRINCIPALS = {
    "us": "arn:aws:iam::640174622193:role/HostBackendRoleProd",
}


class ByocSettings(ConfigModel):
    control_plane: Literal["us", "eu"] = Field(
        default="us",
        description="Region of LangChain's control plane: us has a published principal; eu needs byoc.trustedPrincipalArn")
    trusted_principal_arn: Optional[RoleArn] = Field(
        default=None, description="Override of the control-plane role allowed to assume the BYOC role")
    role_name: Annotated[str, _matching(r"[\w+=,.@-]{1,64}", "LangGraphCloudBYOCRole (up to 64 characters)")] = Field(
        default="LangGraphCloudBYOCRole", description="Name of the cross-account role")
    max_session_duration_seconds: int = Field(
        default=3600, ge=3600, le=43200, description="Longest session the control plane may hold (seconds)")
    permissions_boundary_arn: Optional[Annotated[str, _matching(
        r"arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+", "arn:aws:iam::123456789012:policy/name")]] = Field(
        default=None, description="Permissions boundary policy for the role")
    ecr_repository_name: Annotated[str, StringConstraints(max_length=256),
                                   _matching(r"[a-z0-9]+([._/-][a-z0-9]+)*", "langgraph-deployments")] = Field(
        default="langgraph-deployments", description="ECR repository the `langgraph build` image is pushed to")
    keep_tagged_images: int = Field(default=50, ge=1, le=1000, description="Tagged images the lifecycle policy keeps")
    langsmith_runs_endpoints: Optional[Annotated[str, BeforeValidator(_json_text), AfterValidator(_check_runs_endpoints)]] = Field(
        default=None,
        description="LANGSMITH_RUNS_ENDPOINTS for deployments that trace to a self-hosted LangSmith (JSON map of URL to API-key secret name)")

    def principal_arn(self) -> str:
        """The trusted principal: explicit, else the published default (validated to exist)."""
        principal = self.trusted_principal_arn or BYOC_CONTROL_PLANE_PRINCIPALS.get(self.control_plane)
        assert principal is not None, "checked by Settings._byoc_problems"
        return principal


class Settings(ConfigModel):
    """The whole, validated configuration of one stack."""

    project: str = Field(description="Pulumi project name (from the runtime)")
    stack: str = Field(description="Pulumi stack name (from the runtime)")
    region: Region = Field(description="the AWS region to deploy into, e.g. us-east-1")
    shape: Shape = Field(description="What this stack builds: self-hosted, hybrid or byoc")
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
    byoc: ByocSettings = Field(default_factory=lambda: ByocSettings())
    byoc_external_id: Optional[SecretStr] = Field(
        default=None, description="ExternalId LangChain's control plane presents when assuming the BYOC role (secret)")
    redis: RedisSettings
    blob_storage: BlobStorageSettings
    license_key: Optional[SecretStr] = Field(
        default=None, description="LangSmith license key (secret; required for self-hosted)")
    clickhouse_external_password: Optional[SecretStr] = Field(
        default=None, description="Password of the external ClickHouse user (secret; clickhouse.mode: external)")
    postgres_external_uri: Optional[SecretStr] = Field(
        default=None,
        description="user:password@host:port/db?sslmode=require of an existing PostgreSQL (secret)")
    restore: RestoreSettings = Field(
        default_factory=lambda: RestoreSettings(),
        description="Create the data stores from backups (see docs/restore.md)")

    def check_cross_field_rules(self) -> list[tuple[str, Any, str]]:
        """Rules spanning several keys: (key, value, what is allowed) for each violation."""
        problems: list[tuple[str, Any, str]] = []
        net = self.network
        if net.availability_zones is not None and len(net.availability_zones) != net.az_count:
            problems.append((
                "network.availabilityZones", net.availability_zones,
                f"must list exactly network.azCount ({net.az_count}) zones"))
        if net.availability_zones is not None and len(set(net.availability_zones)) != len(net.availability_zones):
            problems.append(("network.availabilityZones", net.availability_zones, "must not repeat a zone"))
        if net.availability_zones is not None and any(
                not z.startswith(self.region) for z in net.availability_zones):
            problems.append(("network.availabilityZones", net.availability_zones,
                             f"must be zones of the region {self.region}"))
        if self.profile.is_production and self.log_retention_days < 365:
            problems.append(("logRetentionDays", self.log_retention_days,
                             "must be 365 or more with a production profile (audit trail)"))
        if self.postgres.max_allocated_storage_gb < self.postgres.allocated_storage_gb:
            problems.append(("postgres.maxAllocatedStorageGb", self.postgres.max_allocated_storage_gb,
                             f"must be at least postgres.allocatedStorageGb ({self.postgres.allocated_storage_gb})"))
        if self.profile.is_production and self.postgres.backup_retention_days < 14:
            problems.append(("postgres.backupRetentionDays", self.postgres.backup_retention_days,
                             "must be 14 or more with a production profile"))
        if self.postgres.external and self.postgres_external_uri is None:
            problems.append(("postgresExternalUri", MISSING_VALUE,
                             "is required when postgres.external is true "
                             "(pulumi config set --secret postgresExternalUri 'user:pass@host:5432/db?sslmode=require')"))
        if not self.postgres.external and self.postgres_external_uri is not None:
            problems.append(("postgresExternalUri", "[redacted]", "is only used with postgres.external: true"))
        if self.shape is Shape.BYOC:
            problems.extend(self._byoc_problems())
        if self.shape is Shape.HYBRID:
            problems.extend(self._hybrid_problems())
        if self.shape is Shape.SELF_HOSTED:
            problems.extend(self._langsmith_problems())
        if self.shape is Shape.SELF_HOSTED and self.license_key is None:
            problems.append(("licenseKey", MISSING_VALUE,
                             "is required for self-hosted (pulumi config set --secret licenseKey ...)"))
        if self.blob_storage.long_ttl_days < self.blob_storage.short_ttl_days:
            problems.append(("blobStorage.longTtlDays", self.blob_storage.long_ttl_days,
                             f"must be at least blobStorage.shortTtlDays ({self.blob_storage.short_ttl_days})"))
        problems.extend(self._cluster_problems())
        problems.extend(self._catalogue_problems())
        problems.extend(restore_problems(self))
        if not any(key.startswith(("langsmith", "cluster.", "hybrid")) for key, _, _ in problems):
            # What the pods ask against what the nodes give (settings/capacity.py); imported here
            # because it reads the chart values this model feeds.
            from settings.architecture import architecture_problems
            from settings.capacity import capacity_problems
            problems.extend(architecture_problems(self))
            problems.extend(capacity_problems(self))
        existing = net.existing
        if existing is not None:
            if existing.data_subnet_ids and len(existing.data_subnet_ids) < 2:
                problems.append(("network.existing.dataSubnetIds", existing.data_subnet_ids,
                                 "must list two subnets or more (RDS subnet groups span two AZs), or be omitted"))
            # Only an internet-facing ALB sits in public subnets; an internal one uses the private subnets.
            if self.shape is not Shape.BYOC and not self.edge.internal and len(existing.public_subnet_ids) < 2:
                problems.append(("network.existing.publicSubnetIds", existing.public_subnet_ids,
                                 "must list two subnets or more: the internet-facing ALB spans two AZs "
                                 "(or set edge.internal: true for an ALB in the private subnets)"))
            public_private = set(existing.public_subnet_ids) & set(existing.private_subnet_ids)
            if public_private:
                problems.append(("network.existing.publicSubnetIds", sorted(public_private),
                                 "must not also be private subnets: nodes never sit in public subnets"))
        return problems

    def _catalogue_problems(self) -> list[tuple[str, Any, str]]:
        """RDS classes, ElastiCache node types and engine versions AWS offers (settings/catalogue.py)."""
        problems: list[tuple[str, Any, str]] = []
        checked_region = self.region in catalogue.catalogued_regions()
        for pool_key, pool in (("generalPool", self.cluster.general_pool), ("clickhousePool", self.cluster.clickhouse_pool)):
            by_arch: dict[str, list[str]] = {}
            for instance_type in pool.instance_types:
                by_arch.setdefault(catalogue.architecture(instance_type), []).append(instance_type)
            if len(by_arch) > 1:
                problems.append((f"cluster.{pool_key}.instanceTypes", pool.instance_types,
                                 "must share one CPU architecture: a node group runs one AMI "
                                 f"(arm64: {', '.join(by_arch['arm64'])}; x86_64: {', '.join(by_arch['x86_64'])})"))
        if self.shape is Shape.SELF_HOSTED and not self.postgres.external:
            rds_class = self.postgres.instance_class
            every = set().union(*(catalogue.rds_postgres_classes(r) for r in catalogue.catalogued_regions()))
            if rds_class not in every:
                problems.append(("postgres.instanceClass", rds_class,
                                 f"is not an RDS for PostgreSQL instance class{catalogue.nearest(rds_class, every)}"))
            elif checked_region and rds_class not in catalogue.rds_postgres_classes(self.region):
                offered = catalogue.rds_postgres_classes(self.region)
                problems.append(("postgres.instanceClass", rds_class,
                                 f"is not offered for PostgreSQL in {self.region}{catalogue.nearest(rds_class, offered)}"))
            else:
                for_major = catalogue.rds_postgres_classes_for_major(self.postgres.engine_version)
                if for_major is not None and rds_class not in for_major:
                    problems.append(("postgres.instanceClass", rds_class,
                                     f"is not offered with PostgreSQL {self.postgres.engine_version} "
                                     f"(postgres.engineVersion){catalogue.nearest(rds_class, for_major)}"))
        if self.shape is Shape.SELF_HOSTED:
            node_type = self.redis.node_type
            every = set().union(*(catalogue.elasticache_node_types(r) for r in catalogue.catalogued_regions()))
            if node_type not in every:
                problems.append(("redis.nodeType", node_type,
                                 f"is not an ElastiCache node type{catalogue.nearest(node_type, every)}"))
            elif checked_region and node_type not in catalogue.elasticache_node_types(self.region):
                offered = catalogue.elasticache_node_types(self.region)
                problems.append(("redis.nodeType", node_type,
                                 f"is not offered in {self.region}{catalogue.nearest(node_type, offered)}"))
            versions = redis_versions(self.redis.engine)
            if self.redis.engine_version not in versions:
                problems.append(("redis.engineVersion", self.redis.engine_version,
                                 f"is not a version of engine {self.redis.engine!r} on ElastiCache; "
                                 f"allowed: {', '.join(versions)} (or omit it for {REDIS_DEFAULT_VERSIONS[self.redis.engine]})"))
        return problems

    def _langsmith_problems(self) -> list[tuple[str, Any, str]]:
        ls = self.langsmith
        if ls is None:
            return [("langsmith", MISSING_VALUE, "is required for self-hosted (domain, hostedZoneId, auth)")]
        problems: list[tuple[str, Any, str]] = []
        if ls.domain is None:
            problems.append(("langsmith.domain", MISSING_VALUE, "is required for self-hosted: the DNS name users open"))
        if ls.hosted_zone_id is None:
            problems.append(("langsmith.hostedZoneId", MISSING_VALUE,
                             "is required for self-hosted: the Route53 zone for the certificate and alias"))
        if ls.auth == "basic" and ls.admin_email is None:
            problems.append(("langsmith.adminEmail", MISSING_VALUE, "is required with auth: basic"))
        if ls.auth == "oidc" and ls.oidc is None:
            problems.append(("langsmith.oidc", MISSING_VALUE, "is required with auth: oidc (clientId, issuerUrl)"))
        if ls.auth == "basic" and self.oidc_client_secret is not None:
            problems.append(("oidcClientSecret", "[redacted]", "is only used with langsmith.auth: oidc"))
        if self.profile.is_production and "0.0.0.0/0" in self.edge.allowed_cidrs and self.edge.internal:
            problems.append(("edge.allowedCidrs", self.edge.allowed_cidrs,
                             "an internal ALB should list the private ranges that may reach it"))
        return problems

    def listener_api_keys(self) -> dict[str, str]:
        return {name: key.get_secret_value() for name, key in (self.hybrid_api_keys or {}).items()}

    def _hybrid_problems(self) -> list[tuple[str, Any, str]]:
        h = self.hybrid
        problems: list[tuple[str, Any, str]] = []
        if not h.listeners:
            problems.append(("hybrid.listeners", [], "must list at least one listener"))
        for key, value in (("hybrid.domain", h.domain), ("hybrid.hostedZoneId", h.hosted_zone_id)):
            if value is None:
                problems.append((key, MISSING_VALUE, "is required for hybrid: agents need a hostname"))
        if h.control_plane == "self-hosted" and (h.host_backend_url is None or h.smith_backend_url is None):
            problems.append(("hybrid.hostBackendUrl", h.host_backend_url,
                             "hostBackendUrl and smithBackendUrl are required with controlPlane: self-hosted"))
        for field_name, attribute in (("name", "name"), ("listenerId", "listener_id")):
            seen: dict[str, int] = {}
            for i, listener in enumerate(h.listeners):
                value = getattr(listener, attribute)
                if value in seen:
                    problems.append((f"hybrid.listeners[{i}].{field_name}", value,
                                     f"must be unique; listener {seen[value]} has it too"))
                seen.setdefault(value, i)
        owners: dict[str, str] = {}
        for listener in h.listeners:
            for namespace in listener.namespaces:
                if namespace in owners and owners[namespace] != listener.name:
                    problems.append(("hybrid.listeners", namespace,
                                     f"namespace {namespace!r} is watched by both listener {owners[namespace]!r} "
                                     f"and listener {listener.name!r}: watched namespaces must never intersect"))
                owners.setdefault(namespace, listener.name)
        for i, listener in enumerate(h.listeners):
            if len(listener.namespaces) > 1 and not h.gateway_api:
                problems.append((f"hybrid.listeners[{i}].namespaces", listener.namespaces,
                                 "watching several namespaces needs hybrid.gatewayApi: true "
                                 "(an Ingress cannot route across namespaces)"))
        if not h.gateway_api:
            problems.append(("hybrid.gatewayApi", False,
                             "must be true: agents are routed by Envoy Gateway behind the stack's own ALB (TLS, WAF); "
                             "a plain Ingress would need a second, controller-owned load balancer"))
        for i, listener in enumerate(h.listeners):
            if listener.owns_crds is not None:
                # Refused rather than ignored: a listener that "owns" the CRD is the old layout,
                # where removing that listener deleted every listener's agents.
                problems.append((f"hybrid.listeners[{i}].ownsCrds", listener.owns_crds,
                                 "is no longer used: the stack installs the LangGraph operator's LGP CRD once, "
                                 "outside every listener release; remove the key"))
        keys = self.listener_api_keys()
        if self.hybrid_api_keys is None:
            problems.append(("hybridApiKeys", MISSING_VALUE,
                             "is required for hybrid: an API key per listener "
                             "(pulumi config set --secret --path 'hybridApiKeys.team-a' lsv2_...)"))
        else:
            missing = [l.name for l in h.listeners if l.name not in keys]
            if missing:
                problems.append(("hybridApiKeys", "[redacted]",
                                 f"must hold an API key for every listener; missing: {', '.join(missing)}"))
        return problems

    def _byoc_problems(self) -> list[tuple[str, Any, str]]:
        problems: list[tuple[str, Any, str]] = []
        if self.byoc.trusted_principal_arn is None and self.byoc.control_plane not in BYOC_CONTROL_PLANE_PRINCIPALS:
            problems.append((
                "byoc.trustedPrincipalArn", MISSING_VALUE,
                f"is required with byoc.controlPlane: {self.byoc.control_plane}: LangChain publishes no control-plane "
                f"role for that region (only for: {', '.join(sorted(BYOC_CONTROL_PLANE_PRINCIPALS))}); ask LangChain "
                "for the role ARN its control plane assumes from"))
        external_id = self.byoc_external_id
        if external_id is None:
            problems.append(("byocExternalId", MISSING_VALUE,
                             "is required for byoc: the ExternalId you share with LangChain "
                             "(pulumi config set --secret byocExternalId <value>)"))
        elif not re.fullmatch(r"[\w+=,.@:/-]{2,1224}", external_id.get_secret_value()):
            problems.append(("byocExternalId", "[redacted]",
                             "must be 2-1224 characters of letters, digits and +=,.@:/-_"))
        return problems

    def _cluster_problems(self) -> list[tuple[str, Any, str]]:
        problems: list[tuple[str, Any, str]] = []
        for pool_key, pool in (("generalPool", self.cluster.general_pool), ("clickhousePool", self.cluster.clickhouse_pool)):
            if not pool.min_size <= pool.desired_size <= pool.max_size:
                problems.append((f"cluster.{pool_key}.desiredSize", pool.desired_size,
                                 f"must lie between minSize ({pool.min_size}) and maxSize ({pool.max_size})"))
            unknown = [t for t in pool.instance_types if shape_of(t) is None]
            if unknown:
                problems.append((f"cluster.{pool_key}.instanceTypes", unknown,
                                 "have no recorded size (data/nodes/instance-types.json, from Karpenter's "
                                 "instance-type reference): their size is needed to check what fits on them; "
                                 "choose a current-generation type or regenerate the table (python -m data.nodes.generate)"))
        c = self.cluster
        if self.shape is not Shape.BYOC and not c.public_access_cidrs and not c.deployer_access_cidrs \
                and not c.deployer_inside_vpc:
            # The VPC is created by this very `pulumi up`: with a private-only API and no machine
            # inside it yet, every Kubernetes object would time out once the cluster exists.
            problems.append(("cluster.deployerAccessCidrs", [],
                             "the machine running `pulumi` cannot reach the Kubernetes API: with "
                             "cluster.publicAccessCidrs empty, list its egress CIDR in cluster.deployerAccessCidrs "
                             "(bootstrap), or set cluster.deployerInsideVpc: true when pulumi runs inside the VPC"))
        if self.profile.is_production:
            for list_key, cidrs in (("cluster.publicAccessCidrs", c.public_access_cidrs),
                                    ("cluster.deployerAccessCidrs", c.deployer_access_cidrs)):
                if "0.0.0.0/0" in cidrs:
                    problems.append((list_key, cidrs,
                                     "must not contain 0.0.0.0/0 with a production profile: list your egress CIDRs"))
        ch = self.clickhouse
        if ch.volume_iops > 500 * ch.volume_size_gb:
            problems.append(("clickhouse.volumeIops", ch.volume_iops,
                             f"gp3 allows at most 500 IOPS per GiB ({500 * ch.volume_size_gb} for {ch.volume_size_gb} GiB)"))
        if ch.volume_throughput_mibps * 4 > ch.volume_iops:
            problems.append(("clickhouse.volumeThroughputMibps", ch.volume_throughput_mibps,
                             f"gp3 allows at most 0.25 MiB/s per IOPS ({ch.volume_iops // 4} MiB/s at {ch.volume_iops} IOPS)"))
        if ch.mode == "external":
            if not ch.external_host:
                problems.append(("clickhouse.externalHost", MISSING_VALUE, "is required when clickhouse.mode is external"))
            if self.clickhouse_external_password is None:
                problems.append(("clickhouseExternalPassword", MISSING_VALUE,
                                 "is required when clickhouse.mode is external (pulumi config set --secret ...)"))
        return problems

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


# Config keys (dotted paths) whose values are credentials: they must be set with
# `pulumi config set --secret`, and their values never appear in error messages.
SECRET_KEYS: frozenset[str] = frozenset({
    "licenseKey", "postgresExternalUri", "clickhouseExternalPassword", "byocExternalId", "oidcClientSecret",
    "hybridApiKeys"})
