"""`agentServer` and `agentServerApiKey`: standalone Agent Servers (LangChain's `langgraph-cloud` chart)
on the stack's EKS, RDS and ElastiCache, served under the stack's domain, tracing to LangSmith.

Each server is one Helm release. Its image comes from the ECR repository the stack creates for it
(`<namePrefix>/<name>`, scan on push, immutable tags): the nodes pull with their role's ECR
read-only policy and no pull secrets, so an image of any other registry is a config error.

Sharing rule (docs.langchain.com/langsmith/deploy-standalone-server, "Shared Postgres Instance" /
"Shared Redis Instance"): several servers may share one PostgreSQL instance, one DATABASE each ("The
same database cannot be used for separate deployments"), and one Redis instance, one database NUMBER
each ("The same database number cannot be used for separate deployments"). The stack creates one
database per server (`agent_<name>`) and each server names its Redis database number.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, SecretStr, StringConstraints

from components.agent_server import ServerSpec
from settings.base import MISSING_VALUE, ConfigModel, Hostname, HostedZoneId, Problem, CpuQuantity, MemoryQuantity, Url, matching

# LangSmith API endpoints per LangChain region (docs.langchain.com/langsmith, "Regions"; the same
# hosts settings/hybrid.py uses).
LANGSMITH_CLOUD_ENDPOINTS = {"us": "https://api.smith.langchain.com", "eu": "https://eu.api.smith.langchain.com"}
# ElastiCache with cluster mode disabled (components/redis.py) has 16 logical databases by default
# (parameter `databases`); cluster mode would allow database 0 only.
REDIS_DATABASES = 16
# The Helm release is the server's name (Helm release names: 53 characters at most); its database
# agent_<name> stays within PostgreSQL's 63-byte identifiers.
SERVER_NAME_MAX_LENGTH = 40
ServerName = Annotated[str, StringConstraints(max_length=SERVER_NAME_MAX_LENGTH), matching(
    r"[a-z]([-a-z0-9]*[a-z0-9])?", "support-bot (a DNS label: lowercase letters, digits, hyphens; a letter first)")]
PathPrefix = Annotated[str, matching(r"/([a-z0-9][-a-z0-9_.]*(/[a-z0-9][-a-z0-9_.]*)*)?",
                                     "/ or /support (a URL path prefix, no trailing slash)")]
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def _check_image(value: str) -> str:
    if "/" in value or "@" in value or ":" in value:
        raise ValueError(
            "names an image of another registry or repository (or a digest); the nodes pull only from this "
            "stack's ECR repository <namePrefix>/<name> (their role's ECR read-only policy, no pull secrets): "
            "push the image there and give its tag, e.g. v1.4.2 (tags there are immutable)")
    if not _TAG.fullmatch(value):
        raise ValueError("must be an image tag such as v1.4.2 (letters, digits, _ . -, at most 128)")
    if value == "latest":
        raise ValueError("the repository's tags are immutable: give a version tag (v1.4.2), not latest")
    return value


ImageRef = Annotated[str, AfterValidator(_check_image)]


class AgentServerSettings(ConfigModel):
    name: ServerName = Field(description="Server name (DNS label): names its release, database, repository, host")
    image: Optional[ImageRef] = Field(
        default=None, description="Image tag in the server's ECR repository <namePrefix>/<name>; "
                                  "without it only the repository is created (push, then set it)")
    hostname: Optional[Hostname] = Field(
        default=None, description="Host it is served at: one label under agentServer.domain (default <name>.<domain>)")
    path: PathPrefix = Field(default="/", description="Path prefix on that host (stripped before the server)")
    redis_database: int = Field(ge=0, lt=REDIS_DATABASES, description=(
        "Its Redis database number, unique per server (LangChain's sharing rule); never change it"))
    min_replicas: int = Field(default=2, ge=1, le=50, description="API server replicas at least (KEDA)")
    max_replicas: int = Field(default=5, ge=1, le=100, description="API server replicas at most (KEDA)")
    queue: bool = Field(default=True, description="Run background runs in separate queue workers")
    queue_max_replicas: int = Field(default=5, ge=1, le=100, description="Queue workers at most (KEDA)")
    cpu: CpuQuantity = Field(default="1", description="CPU request of each API server / queue pod (limit: twice)")
    memory: MemoryQuantity = Field(default="2Gi", description="Memory request (and limit) of each pod")


class AgentServerTracing(ConfigModel):
    target: Literal["us", "eu", "self-hosted", "off"] = Field(
        default="us", description="Where traces go: LangSmith Cloud us or eu, a self-hosted LangSmith, or off")
    endpoint: Optional[Url] = Field(
        default=None, description="Self-hosted LangSmith API, e.g. https://langsmith.example.com/api/v1")

    def endpoint_url(self) -> str | None:
        if self.target == "off":
            return None
        return self.endpoint if self.target == "self-hosted" else LANGSMITH_CLOUD_ENDPOINTS[self.target]


class AgentServersSettings(ConfigModel):
    domain: Optional[Hostname] = Field(default=None, description="Servers are served at <name>.<domain> (TLS at the ALB)")
    hosted_zone_id: Optional[HostedZoneId] = Field(default=None, description="Route53 zone of the domain")
    tracing: AgentServerTracing = Field(default_factory=lambda: AgentServerTracing(),
                                        description="Where the servers send traces (LANGSMITH_ENDPOINT)")
    servers: list[AgentServerSettings] = Field(default_factory=list, description="The Agent Servers of this stack")

    def host_of(self, server: AgentServerSettings) -> str:
        return server.hostname or f"{server.name}.{self.domain}"


def server_spec(a: AgentServersSettings, server: AgentServerSettings, repository_url: str) -> ServerSpec:
    """What the server's release is built from (components/agent_server.py: server_values)."""
    assert server.image is not None
    return ServerSpec(
        name=server.name, image_repository=repository_url, image_tag=server.image, hostname=a.host_of(server),
        path=server.path, min_replicas=server.min_replicas, max_replicas=server.max_replicas, queue=server.queue,
        queue_max_replicas=server.queue_max_replicas, cpu=server.cpu, memory=server.memory,
        tracing_endpoint=a.tracing.endpoint_url())


def database_name(server_name: str) -> str:
    """The server's own PostgreSQL database on the shared RDS instance."""
    return "agent_" + server_name.replace("-", "_")


def agent_server_problems(a: AgentServersSettings, license_key: Optional[SecretStr],
                          api_key: Optional[SecretStr], postgres_external: bool) -> list[Problem]:
    problems: list[Problem] = []
    if not a.servers:
        problems.append(("agentServer.servers", [], "must list at least one server"))
    for key, value in (("agentServer.domain", a.domain), ("agentServer.hostedZoneId", a.hosted_zone_id)):
        if value is None:
            problems.append((key, MISSING_VALUE, "is required for agent-server: servers need a hostname"))
    for field_name, attribute in (("name", "name"), ("redisDatabase", "redis_database")):
        seen: dict[object, int] = {}
        for i, server in enumerate(a.servers):
            value = getattr(server, attribute)
            if value in seen:
                problems.append((f"agentServer.servers[{i}].{field_name}", value,
                                 f"must be unique; server {seen[value]} has it too"
                                 + (" (one Redis database number per server: LangChain's sharing rule)"
                                    if field_name == "redisDatabase" else "")))
            seen.setdefault(value, i)
    routes: dict[tuple[str, str], int] = {}
    for i, server in enumerate(a.servers):
        if server.min_replicas > server.max_replicas:
            problems.append((f"agentServer.servers[{i}].minReplicas", server.min_replicas,
                             f"must be at most maxReplicas ({server.max_replicas})"))
        if a.domain is None:
            continue
        host = a.host_of(server)
        if server.hostname is not None and (not host.endswith("." + a.domain) or "." in host[:-len(a.domain) - 1]):
            problems.append((f"agentServer.servers[{i}].hostname", server.hostname,
                             f"must be one label under agentServer.domain ({a.domain}), e.g. support.{a.domain}: "
                             f"the certificate is *.{a.domain} and the Gateway listens on *.{a.domain}"))
        route = (host, server.path)
        if route in routes:
            problems.append((f"agentServer.servers[{i}].path", server.path,
                             f"server {a.servers[routes[route]].name!r} is served at https://{host}{server.path} "
                             "too: two servers cannot share a host and path"))
        routes.setdefault(route, i)
    if a.tracing.target == "self-hosted" and a.tracing.endpoint is None:
        problems.append(("agentServer.tracing.endpoint", MISSING_VALUE,
                         "is required with tracing.target: self-hosted (https://<langsmith host>/api/v1)"))
    if a.tracing.target != "self-hosted" and a.tracing.endpoint is not None:
        problems.append(("agentServer.tracing.endpoint", a.tracing.endpoint,
                         f"only applies with tracing.target: self-hosted (target {a.tracing.target} has its own)"))
    if license_key is None:
        problems.append(("licenseKey", MISSING_VALUE,
                         "is required for agent-server: the servers' LANGGRAPH_CLOUD_LICENSE_KEY "
                         "(pulumi config set --secret licenseKey ...)"))
    if api_key is None and a.tracing.target != "off":
        problems.append(("agentServerApiKey", MISSING_VALUE,
                         "is required unless agentServer.tracing.target is off: the servers' LANGSMITH_API_KEY "
                         "(pulumi config set --secret agentServerApiKey lsv2_...)"))
    if postgres_external:
        problems.append(("postgres.external", True,
                         "must be false for agent-server: the stack creates one database per server on its own RDS"))
    return problems
