"""`hybrid` and `hybridApiKeys`: a data plane whose control plane LangChain (or a self-hosted LangSmith)
runs: the listeners sharing the cluster, their namespaces and API keys, and the rules about them."""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, SecretStr, StringConstraints

from settings.base import MISSING_VALUE, ConfigModel, HostedZoneId, Hostname, Problem, Url, matching

Uuid = Annotated[str, matching(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                               "a UUID such as 3f0c8a52-1c5e-4f7e-9a77-2b1b0c6d9e11")]
Dns1123Label = Annotated[str, matching(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", "team-a (a Kubernetes namespace name)")]

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


class ListenerSettings(ConfigModel):
    # Its release is lgdp-<name> (Helm release names: 53 characters at most), its namespace langgraph-<name>.
    name: Annotated[WorkloadNamespace, StringConstraints(max_length=48)] = Field(
        description="Short name of the listener (names its namespace and subdomain)")
    listener_id: Uuid = Field(description="Listener ID from the LangSmith UI")
    workspace_id: Uuid = Field(description="Workspace the listener belongs to")
    namespaces: list[WorkloadNamespace] = Field(min_length=1, description="Namespaces its deployments run in")


class HybridSettings(ConfigModel):
    control_plane: Literal["us", "eu", "self-hosted"] = Field(
        default="us", description="Where the LangSmith control plane runs; picks default endpoints")
    host_backend_url: Optional[Url] = Field(
        default=None, description="Control plane host backend (default: the region's)")
    smith_backend_url: Optional[Url] = Field(
        default=None, description="LangSmith API (default: the region's)")
    domain: Optional[Hostname] = Field(default=None, description="Agents are served at <listener>.<domain>")
    hosted_zone_id: Optional[HostedZoneId] = Field(
        default=None, description="Route53 zone of the domain")
    gateway_api: bool = Field(
        default=True, description="Route agents with the Gateway API (Envoy Gateway behind the stack's ALB)")
    listeners: list[ListenerSettings] = Field(default_factory=list, description="Listeners sharing this cluster")

    def endpoints(self) -> tuple[str, str]:
        defaults = HYBRID_CONTROL_PLANES.get(self.control_plane, ("", ""))
        return self.host_backend_url or defaults[0], self.smith_backend_url or defaults[1]


def listener_api_keys(api_keys: Optional[dict[str, SecretStr]]) -> dict[str, str]:
    """`hybridApiKeys` in clear: listener name -> its LangSmith API key."""
    return {name: key.get_secret_value() for name, key in (api_keys or {}).items()}


def release_namespace(listener_name: str) -> str:
    """The namespace a listener's release (operator, listener, its API-key Secret) lives in
    (components/dataplane.py creates it under this name)."""
    return f"langgraph-{listener_name}"


def _namespace_problems(listeners: list[ListenerSettings]) -> list[Problem]:
    """Every namespace belongs to one listener: each listener creates the Namespace and its
    NetworkPolicy in its release namespace and in every namespace it watches, so a namespace claimed
    twice fails mid-deploy with AlreadyExists (two listeners), or as a duplicate URN (one list)."""
    problems: list[Problem] = []
    homes = {release_namespace(l.name): l.name for l in listeners}
    watched_by: dict[str, str] = {}
    for i, listener in enumerate(listeners):
        seen_here: set[str] = set()
        for j, namespace in enumerate(listener.namespaces):
            key = f"hybrid.listeners[{i}].namespaces[{j}]"
            if namespace in seen_here:
                problems.append((key, namespace, "is listed twice: each watched namespace once"))
            elif namespace in homes:
                owner = homes[namespace]
                whose = "its own release namespace" if owner == listener.name else \
                    f"the release namespace of listener {owner!r}"
                problems.append((key, namespace,
                                 f"is {whose} (langgraph-<name>, which holds the release and its API key): "
                                 "watch namespaces of its own"))
            elif namespace in watched_by and watched_by[namespace] != listener.name:
                problems.append(("hybrid.listeners", namespace,
                                 f"namespace {namespace!r} is watched by both listener {watched_by[namespace]!r} "
                                 f"and listener {listener.name!r}: watched namespaces must never intersect"))
            seen_here.add(namespace)
            watched_by.setdefault(namespace, listener.name)
    return problems


def hybrid_problems(h: HybridSettings, api_keys: Optional[dict[str, SecretStr]]) -> list[Problem]:
    """What a hybrid stack needs: listeners with unique names, IDs and namespaces, a hostname for the
    agents, Gateway API routing, and an API key per listener."""
    problems: list[Problem] = []
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
    problems += _namespace_problems(h.listeners)
    for i, listener in enumerate(h.listeners):
        if len(listener.namespaces) > 1 and not h.gateway_api:
            problems.append((f"hybrid.listeners[{i}].namespaces", listener.namespaces,
                             "watching several namespaces needs hybrid.gatewayApi: true "
                             "(an Ingress cannot route across namespaces)"))
    if not h.gateway_api:
        problems.append(("hybrid.gatewayApi", False,
                         "must be true: agents are routed by Envoy Gateway behind the stack's own ALB (TLS, WAF); "
                         "a plain Ingress would need a second, controller-owned load balancer"))
    keys = listener_api_keys(api_keys)
    if api_keys is None:
        problems.append(("hybridApiKeys", MISSING_VALUE,
                         "is required for hybrid: an API key per listener "
                         "(pulumi config set --secret --path 'hybridApiKeys.team-a' lsv2_...)"))
    else:
        missing = [l.name for l in h.listeners if l.name not in keys]
        if missing:
            problems.append(("hybridApiKeys", "[redacted]",
                             f"must hold an API key for every listener; missing: {', '.join(missing)}"))
    return problems
