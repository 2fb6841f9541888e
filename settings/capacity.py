"""Capacity that fits: the arithmetic of what the pods ask against what the nodes give.

Checked during config validation, before any resource exists, so a cluster that cannot schedule is a
ConfigError naming the component, what it asks and what there is. Inputs:

- LangSmith's workloads and Helm hooks as the chart renders them at the pinned version (conditions,
  replicas, default requests and limits from data/charts/, derived from the chart's source) merged
  with the values we pass (the profile's sizes and the user's overrides, through `build_values`);
- the langgraph-dataplane chart's workloads, per hybrid listener;
- the langgraph-cloud chart's workloads, per Agent Server, at their autoscaling maximum;
- the controllers the stack installs (requests as we set them or as their charts/add-ons default)
  and the DaemonSets on every node;
- what each node keeps for itself: the EKS AL2023 AMI's kube-reserved CPU and memory (nodeadm,
  awslabs/amazon-eks-ami nodeadm/internal/kubelet/config.go: CPU 6% of the first core, 1% of the
  second, 0.5% of the next two, 0.25% above; memory 11 MiB x max pods + 255 MiB) and its hard
  eviction threshold (memory.available 100Mi, same file), after the hypervisor's share of memory
  (7.5%, Karpenter's default VM_MEMORY_OVERHEAD_PERCENT: a conservative figure for Nitro).
  vCPU, memory, architecture and max pods per instance type come from data/nodes/ (derived from
  Karpenter's generated instance-type reference by data/nodes/generate.py).

Rules: every pod fits one node of its pool (after the DaemonSets), ClickHouse fits its node, every
pod's request is within its limit, and the pool at its maximum size holds the sum of requests plus
one rolling update's surge (25%, the Deployment default the chart keeps) and the largest Helm hook.
`nodes_needed` is the smallest node count on which every pod schedules (first-fit decreasing);
the production profile's desired size is that number, the maximum is headroom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from components.chart_facts import ChartFacts, Values, chart_facts
from components.quantity import cpu_millicores, memory_mib
from settings.base import Problem, Shape
from settings.cluster import NodePoolSettings
from settings.node_facts import Node, node
from settings.stack import Settings

# Deployments without a strategy (the chart sets none) surge by 25% of their replicas during a rollout.
ROLLING_SURGE = 0.25


@dataclass(frozen=True)
class Pod:
    """`count` identical pods of one workload: what each asks, where it runs, which key sizes it."""

    name: str
    cpu_m: int
    memory_mib: float
    count: int = 1
    pool: str = "general"  # general | clickhouse
    key: str | None = None  # the config key that sizes it, for the error message
    cpu_limit_m: int | None = None
    memory_limit_mib: float | None = None
    surge: bool = False  # a Deployment: a rollout adds 25% more for a while
    hook: bool = False  # a Helm hook Job: one at a time, while the release's pods run

    def asks(self) -> str:
        return f"{_cores(self.cpu_m)} vCPU / {_gib(self.memory_mib)} GiB"


def _cores(millicores: float) -> str:
    return f"{millicores / 1000:.2f}".rstrip("0").rstrip(".")


def _gib(mib: float) -> str:
    return f"{mib / 1024:.2f}".rstrip("0").rstrip(".")


# Per-node DaemonSets, on every node of every pool (each tolerates every taint).
DAEMONSETS: tuple[Pod, ...] = (
    # VPC CNI add-on: aws/amazon-vpc-cni-k8s charts/aws-vpc-cni/values.yaml (resources.requests.cpu 25m).
    Pod("aws-node", 25, 0),
    # kube-proxy add-on DaemonSet: 100m CPU (the EKS kube-proxy manifest's request; no memory request).
    Pod("kube-proxy", 100, 0),
    # EBS CSI node: kubernetes-sigs/aws-ebs-csi-driver charts values node.resources 10m / 40Mi, counted
    # for each of its three containers (plugin, registrar, liveness probe) to stay on the safe side.
    Pod("ebs-csi-node", 30, 120),
    # amazon-cloudwatch-observability add-on (aws-observability/helm-charts, chart 5.2.2-5.4.0 values):
    # agent 250m / 128Mi, Fluent Bit 50m / 25Mi, both tolerating every taint.
    Pod("cloudwatch-agent", 250, 128),
    Pod("fluent-bit", 50, 25),
)

# Controllers every cluster runs, on the general pool.
CLUSTER_CONTROLLERS: tuple[Pod, ...] = (
    # CoreDNS add-on: 2 x 100m / 70Mi (eksctl-io/eksctl pkg/addons/default/assets/coredns-1.35.json).
    Pod("coredns", 100, 70, count=2, surge=True),
    # EBS CSI controller: 2 replicas, 10m / 40Mi per container (chart values), six containers counted.
    Pod("ebs-csi-controller", 60, 240, count=2, surge=True),
    # CloudWatch observability operator: 100m / 64Mi (aws-observability/helm-charts manager.resources).
    Pod("cloudwatch-observability-operator", 100, 64, surge=True),
    # Ours (components/cluster_addons.py sets each request; tests hold these figures to the values).
    Pod("aws-load-balancer-controller", 100, 128, count=2, surge=True),
    Pod("external-secrets", 50, 128, surge=True),
    Pod("external-secrets-webhook", 20, 64, surge=True),
    Pod("external-secrets-cert-controller", 20, 64, surge=True),
    Pod("keda-operator", 100, 128, surge=True),
    Pod("keda-metrics-apiserver", 100, 128, surge=True),
    Pod("keda-admission-webhooks", 50, 64, surge=True),
    Pod("cluster-autoscaler", 100, 300, surge=True),
    Pod("metrics-server", 100, 200, surge=True),
)
# The Kubernetes events collector (components/observability.py, EVENTS_*_REQUEST; every shape with
# the observability component: self-hosted and agent servers).
EVENTS_COLLECTOR = Pod("events-collector", 50, 128, surge=True)
# Self-hosted only (components/observability.py): the events collector and the ClickHouse disk probe
# (a CronJob: init container and container run one after the other, 10m / 64Mi each).
SELF_HOSTED_EXTRAS: tuple[Pod, ...] = (
    EVENTS_COLLECTOR,
    Pod("clickhouse-disk-probe", 10, 64),
    # components/langsmith.py: Stakater Reloader (reloader_values) and the readiness Job (two
    # kubectl containers, one after the other: the larger of the two counts).
    Pod("reloader", 10, 64, surge=True),
    Pod("langsmith-readiness", 10, 64),
)
# Hybrid, and self-hosted with LangSmith Deployment (components/gateway.py): the Envoy Gateway
# controller and its two proxies.
HYBRID_EXTRAS: tuple[Pod, ...] = (
    Pod("envoy-gateway", 100, 256, surge=True),
    Pod("envoy-proxy", 250, 256, count=2, surge=True),
)
# Agent servers: the same Gateway, the events collector (components/observability.py), Reloader in the
# servers' namespace, and each server's database Job (one at a time, counted like a hook).
AGENT_SERVER_EXTRAS: tuple[Pod, ...] = (
    *HYBRID_EXTRAS,
    EVENTS_COLLECTOR,
    Pod("reloader", 10, 64, surge=True),
    Pod("create-database", 10, 32, hook=True),
)


# Each agent server deployed from LangSmith (langsmith.deployments.agentServers): its API server at
# langsmith.deployments.agentServer, and the PostgreSQL and Redis the operator creates for it
# (langchain-ai/helm#549: always in-cluster). The operator's templates set no requests for those two;
# the control plane does per deployment. We count LangChain's own "Dev" figures for them
# (langchain-ai/terraform @ e27a2af modules/aws/helm/values/examples/SIZING.md, "Data Services":
# postgres 500m / 1024Mi, redis 200m / 256Mi).
AGENT_DATABASE = (500, 1024)
AGENT_REDIS = (200, 256)


def agent_pods(settings: Settings) -> list[Pod]:
    """The pods of the agent servers the cluster is sized for (none with deployments off)."""
    app = settings.langsmith
    if app is None or not app.deployments.enabled or app.deployments.agent_servers == 0:
        return []
    d = app.deployments
    n = d.agent_servers
    return [
        Pod("agent api-server", cpu_millicores(d.agent_server.cpu), memory_mib(d.agent_server.memory), count=n,
            key="langsmith.deployments.agentServer", surge=True),
        Pod("agent postgres", *AGENT_DATABASE, count=n),
        Pod("agent redis", *AGENT_REDIS, count=n, surge=True),
    ]


def _resource_pods(name: str, resources: Mapping[str, Any] | None, **kw: Any) -> Pod:
    resources = resources or {}
    requests = resources.get("requests") or {}
    limits = resources.get("limits") or {}
    cpu_limit = limits.get("cpu")
    memory_limit = limits.get("memory")
    # Kubernetes defaults a missing request to the limit.
    cpu = requests.get("cpu", cpu_limit)
    memory = requests.get("memory", memory_limit)
    return Pod(name, cpu_millicores(cpu) if cpu is not None else 0, memory_mib(memory) if memory is not None else 0,
               cpu_limit_m=cpu_millicores(cpu_limit) if cpu_limit is not None else None,
               memory_limit_mib=memory_mib(memory_limit) if memory_limit is not None else None, **kw)


def chart_pods(facts: ChartFacts, values: Mapping[str, Any], *, keys: Mapping[str, str] | None = None,
               pools: Mapping[str, str] | None = None, prefix: str = "") -> list[Pod]:
    """The pods a chart renders with `values`: its enabled workloads and hooks, their effective requests."""
    effective = Values(facts, values)
    pods: list[Pod] = []
    for workload in facts.workloads:
        if not all(effective.truthy(condition) for condition in workload["when"]):
            continue
        (resources_path, *_) = workload["resources"]
        component = resources_path.split(".")[0]
        replicas_spec = workload["replicas"]
        count = int(effective.get(replicas_spec["path"])) if "path" in replicas_spec else int(replicas_spec["fixed"])
        hook = workload["hook"] is not None
        name = prefix + resources_path.removesuffix(".resources").replace(".deployment", "").replace(".statefulSet", "")
        pods.append(_resource_pods(
            name, effective.get(resources_path), count=count, hook=hook,
            surge=workload["kind"] == "Deployment" and not hook,
            pool=(pools or {}).get(component, "general"), key=(keys or {}).get(component if not hook else "")))
    return pods


def langsmith_values(settings: Settings) -> dict[str, Any]:
    """The langsmith chart values the program would pass, with placeholders where a resource output goes."""
    from components.langsmith_values import build_values
    from settings.langsmith_chart import values_input

    return build_values(values_input(settings))


_COMPONENT_KEYS = {"backend": "backend", "platformBackend": "platformBackend", "queue": "queue",
                   "ingestQueue": "ingestQueue", "frontend": "frontend", "playground": "playground",
                   "aceBackend": "aceBackend"}


def cluster_pods(settings: Settings) -> list[Pod]:
    """Every pod the stack's cluster runs besides the DaemonSets (none for byoc)."""
    if settings.shape is Shape.BYOC:
        return []
    pods = list(CLUSTER_CONTROLLERS)
    if settings.shape is Shape.SELF_HOSTED and settings.langsmith is not None:
        from components import versions

        facts = chart_facts(versions.LANGSMITH.chart, versions.LANGSMITH.version)
        keys = {c: f"langsmith.components.{k}" for c, k in _COMPONENT_KEYS.items()}
        keys["clickhouse"] = "clickhouse"
        pods += chart_pods(facts, langsmith_values(settings), keys=keys, pools={"clickhouse": "clickhouse"})
        pods += SELF_HOSTED_EXTRAS
        if settings.langsmith.deployments.enabled:
            # The chart's host backend, listener and operator come with its values above.
            pods += HYBRID_EXTRAS
            pods += agent_pods(settings)
    if settings.shape is Shape.HYBRID:
        from components import versions

        facts = chart_facts(versions.LANGGRAPH_DATAPLANE.chart, versions.LANGGRAPH_DATAPLANE.version)
        for listener in settings.hybrid.listeners:
            # Our dataplane values set no replicas or resources: the chart's defaults apply.
            pods += chart_pods(facts, {}, prefix=f"{listener.name}/")
        pods += HYBRID_EXTRAS
    if settings.shape is Shape.AGENT_SERVER:
        pods += agent_server_pods(settings)
        pods += AGENT_SERVER_EXTRAS
    return pods


def agent_server_pods(settings: Settings) -> list[Pod]:
    """Each server's API server and queue pods at their autoscaling maximum (KEDA may get there)."""
    from components import versions
    from components.agent_server import server_values
    from settings.agent_server import server_spec

    facts = chart_facts(versions.LANGGRAPH_CLOUD.chart, versions.LANGGRAPH_CLOUD.version)
    a = settings.agent_server
    pods: list[Pod] = []
    for i, server in enumerate(a.servers):
        if server.image is None:
            continue  # no release yet
        values = server_values(server_spec(a, server, "repository"))
        # With autoscaling on the chart omits replicas: count the maximum the scaler may reach.
        values["apiServer"]["deployment"]["replicaCount"] = server.max_replicas
        values["queue"]["deployment"]["replicaCount"] = server.queue_max_replicas
        key = f"agentServer.servers[{i}]"
        pods += chart_pods(facts, values, keys={"apiServer": key, "queue": key}, prefix=f"{server.name}/")
    return pods


@dataclass(frozen=True)
class PoolCapacity:
    node: Node
    daemonset_cpu_m: int
    daemonset_memory_mib: float

    @property
    def free_cpu_m(self) -> float:
        return self.node.allocatable_cpu_m - self.daemonset_cpu_m

    @property
    def free_memory_mib(self) -> float:
        return self.node.allocatable_memory_mib - self.daemonset_memory_mib

    @property
    def free_pods(self) -> int:
        return self.node.max_pods - len(DAEMONSETS)

    def gives(self) -> str:
        return f"{_cores(self.free_cpu_m)} vCPU / {_gib(self.free_memory_mib)} GiB"


def pool_capacity(pool: NodePoolSettings) -> PoolCapacity | None:
    """What one node of the pool's smallest instance type leaves for pods (None: a type is unknown)."""
    nodes = [node(t) for t in pool.instance_types]
    known = [n for n in nodes if n is not None]
    if not known or len(known) != len(nodes):
        return None
    smallest = min(known, key=lambda n: (n.allocatable_cpu_m, n.allocatable_memory_mib))
    return PoolCapacity(smallest, sum(d.cpu_m * d.count for d in DAEMONSETS),
                        sum(d.memory_mib * d.count for d in DAEMONSETS))


def steady_pods(pods: Iterable[Pod], pool: str) -> list[Pod]:
    """The pool's long-running pods plus the largest hook (hooks run one at a time, alongside them)."""
    mine = [p for p in pods if p.pool == pool]
    running = [p for p in mine if not p.hook]
    hooks = [p for p in mine if p.hook]
    if hooks:
        running.append(max(hooks, key=lambda p: (p.cpu_m, p.memory_mib)))
    return running


def nodes_needed(pods: Iterable[Pod], capacity: PoolCapacity) -> int | None:
    """The fewest nodes on which every pod schedules (first-fit decreasing on CPU, memory and pod slots);
    None when some pod fits no node at all."""
    singles = sorted((p for p in pods for _ in range(p.count)),
                     key=lambda p: (p.cpu_m / capacity.free_cpu_m + p.memory_mib / capacity.free_memory_mib),
                     reverse=True)
    bins: list[list[float]] = []  # cpu, memory, pod slots left
    for p in singles:
        if p.cpu_m > capacity.free_cpu_m or p.memory_mib > capacity.free_memory_mib:
            return None
        for b in bins:
            if b[0] >= p.cpu_m and b[1] >= p.memory_mib and b[2] >= 1:
                b[0] -= p.cpu_m
                b[1] -= p.memory_mib
                b[2] -= 1
                break
        else:
            bins.append([capacity.free_cpu_m - p.cpu_m, capacity.free_memory_mib - p.memory_mib,
                         capacity.free_pods - 1])
    return len(bins)


def with_surge(pods: Iterable[Pod]) -> list[Pod]:
    """The pods plus each Deployment's rollout surge (25%, rounded up), counted as if every Deployment
    rolled at once: the pool at its maximum must hold even that."""
    out: list[Pod] = []
    for p in pods:
        out.append(p)
        if p.surge:
            out.append(Pod(p.name + " (rollout surge)", p.cpu_m, p.memory_mib, count=math.ceil(p.count * ROLLING_SURGE),
                           pool=p.pool))
    return out


def largest_askers(pods: list[Pod], capacity: PoolCapacity, count: int = 3) -> str:
    """The workloads asking the most of a pool (all their replicas together, weighed by the share of a
    node they take, as the packing does), each with its config key: who to shrink when a pool is full."""
    totals: dict[str, list[float]] = {}
    labels: dict[str, str] = {}
    for p in pods:
        name = p.name.removesuffix(" (rollout surge)")
        total = totals.setdefault(name, [0.0, 0.0])
        total[0] += p.cpu_m * p.count
        total[1] += p.memory_mib * p.count
        if p.key:
            labels[name] = f"{name} ({p.key})"

    def weight(name: str) -> float:
        return totals[name][0] / capacity.free_cpu_m + totals[name][1] / capacity.free_memory_mib
    top = sorted(totals, key=weight, reverse=True)[:count]
    return ", ".join(f"{labels.get(n, n)} {_cores(totals[n][0])} vCPU / {_gib(totals[n][1])} GiB" for n in top)


def capacity_problems(settings: Settings) -> list[Problem]:
    """(key, value, what is allowed) for every pod or pool that cannot schedule."""
    pods = cluster_pods(settings)
    if not pods:
        return []
    problems: list[Problem] = []
    for p in pods:
        if p.cpu_limit_m is not None and p.cpu_m > p.cpu_limit_m:
            problems.append((f"{p.key}.cpu" if p.key else p.name, _cores(p.cpu_m),
                             f"{p.name} requests {_cores(p.cpu_m)} vCPU above its CPU limit "
                             f"{_cores(p.cpu_limit_m)} (the API server refuses such a pod)"))
        if p.memory_limit_mib is not None and p.memory_mib > p.memory_limit_mib:
            problems.append((f"{p.key}.memory" if p.key else p.name, f"{_gib(p.memory_mib)}Gi",
                             f"{p.name} requests {_gib(p.memory_mib)} GiB above its memory limit "
                             f"{_gib(p.memory_limit_mib)} GiB (the API server refuses such a pod)"))
    pools = {"general": ("generalPool", settings.cluster.general_pool),
             "clickhouse": ("clickhousePool", settings.cluster.clickhouse_pool)}
    for pool_name, (pool_key, pool) in pools.items():
        mine = [p for p in pods if p.pool == pool_name]
        if not mine:
            continue
        capacity = pool_capacity(pool)
        if capacity is None:
            continue  # unknown instance types are reported by the catalogue check
        smallest = capacity.node.instance_type
        for p in mine:
            if p.cpu_m > capacity.free_cpu_m or p.memory_mib > capacity.free_memory_mib:
                key = (f"{p.key}.cpu" if p.cpu_m > capacity.free_cpu_m else f"{p.key}.memory") if p.key \
                    else f"cluster.{pool_key}.instanceTypes"
                problems.append((key, p.asks(),
                                 f"{p.name} asks {p.asks()} per pod; one {smallest} node of cluster.{pool_key} "
                                 f"has {capacity.gives()} for pods (after kube-reserved, eviction threshold and "
                                 f"DaemonSets): use smaller requests or a larger instance type"))
        if any(p.cpu_m > capacity.free_cpu_m or p.memory_mib > capacity.free_memory_mib for p in mine):
            continue
        peak = with_surge(steady_pods(pods, pool_name))
        needed = nodes_needed(peak, capacity)
        if needed is not None and needed > pool.max_size:
            cpu = sum(p.cpu_m * p.count for p in peak)
            memory = sum(p.memory_mib * p.count for p in peak)
            problems.append((f"cluster.{pool_key}.maxSize", pool.max_size,
                             f"the pods of cluster.{pool_key} ask {_cores(cpu)} vCPU / {_gib(memory)} GiB with a "
                             f"rollout's surge and a Helm hook, which needs {needed} {smallest} nodes "
                             f"({capacity.gives()} each for pods); the pool stops at {pool.max_size}. "
                             f"Largest requests: {largest_askers(peak, capacity)}: lower them (or raise maxSize)"))
    return problems


def sizing_report(settings: Settings) -> dict[str, Any]:
    """The arithmetic per pool, for the README and the tests: requests, node capacity, nodes needed."""
    pods = cluster_pods(settings)
    report: dict[str, Any] = {}
    for pool_name, pool in (("general", settings.cluster.general_pool), ("clickhouse", settings.cluster.clickhouse_pool)):
        capacity = pool_capacity(pool)
        steady = steady_pods(pods, pool_name)
        if capacity is None or not steady:
            continue
        report[pool_name] = {
            "instanceType": capacity.node.instance_type,
            "perNodeForPods": {"cpuMillicores": capacity.free_cpu_m, "memoryMiB": round(capacity.free_memory_mib)},
            "requests": {"cpuMillicores": sum(p.cpu_m * p.count for p in steady),
                         "memoryMiB": round(sum(p.memory_mib * p.count for p in steady))},
            "nodesNeeded": nodes_needed(steady, capacity),
            "nodesNeededDuringRollout": nodes_needed(with_surge(steady), capacity),
        }
    return report


__all__ = ["Node", "Pod", "PoolCapacity", "capacity_problems", "cluster_pods", "node", "nodes_needed",
           "pool_capacity", "sizing_report"]
