"""Capacity that fits: what the pods ask (the chart's real requests at the pinned version, the
profile, the controllers and DaemonSets) against what the nodes give (AL2023 reservations)."""

from __future__ import annotations

import json
from typing import Any, Mapping

import pytest

from components import versions
from components.langsmith_values import CHART
from settings.capacity import (
    CLUSTER_CONTROLLERS,
    DAEMONSETS,
    HYBRID_EXTRAS,
    cluster_pods,
    node,
    nodes_needed,
    pool_capacity,
    sizing_report,
    steady_pods,
    with_surge,
)
from components.chart_facts import chart_facts, leaf_paths
from settings.loader import ConfigError, parse_config
from settings import Settings
from settings.profiles import PROFILE_DEFAULTS
from tests.conftest import PROJECT, stack_values
from tools.engine.harness import ProgramRun


def settings_of(stack: str, overrides: Mapping[str, Any] | None = None) -> Settings:
    values, secret_keys = stack_values(stack)
    for name, value in (overrides or {}).items():
        values[f"{PROJECT}:{name}"] = json.dumps(value)
    return parse_config(values, project=PROJECT, stack=stack, secret_keys=secret_keys)


def config_error(stack: str, overrides: Mapping[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        settings_of(stack, overrides)
    return caught.value


def test_node_reservation_follows_the_eks_ami_formula():
    m6i = node("m6i.2xlarge")
    assert m6i is not None and (m6i.vcpu, m6i.memory_mib, m6i.arch, m6i.max_pods) == (8, 32768, "x86_64", 58)
    # nodeadm: 60 + 10 + 10 + 10 millicores for 8 cores; 11 x 58 + 255 MiB.
    assert m6i.kube_reserved_cpu_m == 90 and m6i.kube_reserved_memory_mib == 893
    # The same allocatable Karpenter publishes for m6i.2xlarge on AL2023 (7910m, 29317Mi).
    assert m6i.allocatable_cpu_m == 7910 and round(m6i.allocatable_memory_mib) == 29317
    large = node("m6i.4xlarge")
    assert large is not None and large.kube_reserved_cpu_m == 110 and large.kube_reserved_memory_mib == 11 * 234 + 255
    graviton = node("m7g.2xlarge")
    assert graviton is not None and graviton.arch == "arm64" and graviton.vcpu == 8
    assert node("m6i.3xlarge") is None


def test_every_production_pod_fits_the_nodes_it_is_given():
    s = settings_of("prod")
    pods = cluster_pods(s)
    general, clickhouse = pool_capacity(s.cluster.general_pool), pool_capacity(s.cluster.clickhouse_pool)
    assert general is not None and clickhouse is not None
    names = {p.name for p in pods}
    # The chart's workloads and hooks at the pinned version, as the production values enable them.
    assert {"backend", "platformBackend", "queue", "ingestQueue", "frontend", "playground", "aceBackend",
            "clickhouse", "backend.migrations", "backend.clickhouseMigrations", "backend.e2eTest"} <= names
    assert not names & {"postgres", "redis", "hostBackend", "listener", "operator", "polly.apiServer"}
    for p in pods:
        capacity = clickhouse if p.pool == "clickhouse" else general
        assert p.cpu_m <= capacity.free_cpu_m and p.memory_mib <= capacity.free_memory_mib, p
    # Every pod schedules on the desired size, which is the smallest that does; a rollout fits at max.
    pool = s.cluster.general_pool
    needed = nodes_needed(steady_pods(pods, "general"), general)
    assert needed == pool.desired_size == pool.min_size == 2
    during_rollout = nodes_needed(with_surge(steady_pods(pods, "general")), general)
    assert during_rollout is not None and during_rollout <= pool.max_size
    assert nodes_needed(steady_pods(pods, "clickhouse"), clickhouse) == 1 == s.cluster.clickhouse_pool.max_size
    # The arithmetic: requests vs two nodes' room.
    report = sizing_report(s)["general"]
    assert report["requests"]["cpuMillicores"] <= 2 * report["perNodeForPods"]["cpuMillicores"]
    assert report["requests"]["memoryMiB"] <= 2 * report["perNodeForPods"]["memoryMiB"]
    # One node fewer would not hold them.
    assert report["requests"]["cpuMillicores"] > report["perNodeForPods"]["cpuMillicores"]


def test_pods_read_the_chart_defaults_where_the_profile_sets_nothing():
    s = settings_of("prod")
    by_name = {p.name: p for p in cluster_pods(s)}
    migrations = by_name["backend.migrations"]
    assert migrations.hook and (migrations.cpu_m, migrations.memory_mib) == (200, 500)
    assert migrations.cpu_limit_m == 1000  # the chart's default limit at 0.16.11
    backend = by_name["backend"]
    assert (backend.count, backend.cpu_m, backend.memory_mib, backend.key) == (3, 1000, 4096, "langsmith.components.backend")
    assert backend.cpu_limit_m == 2000  # kept from the chart: Helm merges our map into its default


@pytest.mark.parametrize("overrides, key, asks", [
    ({"langsmith": {"components": {"backend": {"replicas": 2, "cpu": "9", "memory": "2Gi"}}}},
     "langsmith.components.backend.cpu", "9 vCPU / 2 GiB"),
    ({"langsmith": {"components": {"queue": {"replicas": 2, "cpu": "1", "memory": "40Gi"}}}},
     "langsmith.components.queue.memory", "1 vCPU / 40 GiB"),
    ({"clickhouse": {"cpu": "8", "memory": "24Gi"}}, "clickhouse.cpu", "8 vCPU / 24 GiB"),
])
def test_a_pod_larger_than_any_node_of_its_pool_is_a_config_error(overrides: dict, key: str, asks: str):
    base = PROFILE_DEFAULTS["production"]
    merged: dict[str, Any] = {}
    for top, value in overrides.items():
        merged[top] = value if top != "langsmith" else {
            **settings_of("prod").model_dump(by_alias=True, mode="json")["langsmith"],
            "components": {**base["langsmith"]["components"], **value["components"]}}
    issue = next(i for i in config_error("prod", merged).issues if i.key == key)
    assert asks in issue.allowed and "m6i.2xlarge" in issue.allowed and "7.46 vCPU / 28.36 GiB" in issue.allowed


def test_replicas_beyond_the_pool_at_its_maximum_are_a_config_error():
    langsmith = settings_of("prod").model_dump(by_alias=True, mode="json")["langsmith"]
    langsmith["components"]["queue"]["replicas"] = 30
    (issue,) = [i for i in config_error("prod", {"langsmith": langsmith}).issues
                if i.key == "cluster.generalPool.maxSize"]
    assert issue.value == 6 and "m6i.2xlarge nodes" in issue.allowed and "stops at 6" in issue.allowed
    # It names who asks: the workload with the largest requests first, with the key that sizes it.
    largest = issue.allowed.split("Largest requests: ", 1)[1]
    assert largest.startswith("queue (langsmith.components.queue) "), largest
    # The same replicas fit when the pool may grow enough.
    cluster = settings_of("prod").model_dump(by_alias=True, mode="json")["cluster"]
    cluster["generalPool"]["maxSize"] = 20
    assert settings_of("prod", {"langsmith": langsmith, "cluster": cluster}).cluster.general_pool.max_size == 20


def test_clickhouse_above_the_charts_cpu_limit_raises_the_limit():
    # production-large asks 14 vCPU for ClickHouse; the chart's default limit (8) would make the pod invalid.
    from settings.capacity import langsmith_values

    values = {**stack_values("prod")[0], f"{PROJECT}:profile": "production-large"}
    s = parse_config(values, project=PROJECT, stack="prod", secret_keys=stack_values("prod")[1])
    resources = langsmith_values(s)["clickhouse"]["statefulSet"]["resources"]
    assert CHART.defaults["clickhouse.statefulSet.resources"]["limits"]["cpu"] == "8000m"
    assert resources["requests"]["cpu"] == resources["limits"]["cpu"] == "14"
    clickhouse = next(p for p in cluster_pods(s) if p.name == "clickhouse")
    assert clickhouse.cpu_limit_m == 14000 and clickhouse.pool == "clickhouse"


def test_dev_and_hybrid_fit_their_pools():
    for stack in ("dev", "hybrid"):
        s = settings_of(stack)
        report = sizing_report(s)["general"]
        assert report["nodesNeeded"] <= s.cluster.general_pool.desired_size
        assert report["nodesNeededDuringRollout"] <= s.cluster.general_pool.max_size
    hybrid = {p.name for p in cluster_pods(settings_of("hybrid"))}
    listeners = [l.name for l in settings_of("hybrid").hybrid.listeners]
    assert {f"{l}/{w}" for l in listeners for w in ("listener", "operator", "redis")} <= hybrid
    assert {p.name for p in HYBRID_EXTRAS} <= hybrid


def test_daemonsets_take_from_every_node():
    s = settings_of("prod")
    capacity = pool_capacity(s.cluster.general_pool)
    assert capacity is not None
    assert capacity.daemonset_cpu_m == sum(d.cpu_m for d in DAEMONSETS) == 455
    assert capacity.free_cpu_m == 7910 - 455


def _helm_values(run: ProgramRun, name: str) -> dict[str, Any]:
    return run.one("kubernetes:helm.sh/v3:Release", f"addons-{name}").inputs["values"]


def test_controller_requests_are_the_ones_the_program_sets(prod_run: ProgramRun):
    controllers = {p.name: p for p in CLUSTER_CONTROLLERS}

    def same(pod: str, resources: dict[str, Any], count: int = 1) -> None:
        p = controllers[pod]
        assert (p.count, p.cpu_m, p.memory_mib) == (count, int(resources["requests"]["cpu"].removesuffix("m")),
                                                    float(resources["requests"]["memory"].removesuffix("Mi")))

    lbc = _helm_values(prod_run, "aws-load-balancer-controller")
    same("aws-load-balancer-controller", lbc["resources"], lbc["replicaCount"])
    eso = _helm_values(prod_run, "external-secrets")
    same("external-secrets", eso["resources"])
    same("external-secrets-webhook", eso["webhook"]["resources"])
    same("external-secrets-cert-controller", eso["certController"]["resources"])
    keda = _helm_values(prod_run, "keda")["resources"]
    same("keda-operator", keda["operator"])
    same("keda-metrics-apiserver", keda["metricServer"])
    same("keda-admission-webhooks", keda["webhooks"])
    same("cluster-autoscaler", _helm_values(prod_run, "cluster-autoscaler")["resources"])
    same("metrics-server", _helm_values(prod_run, "metrics-server")["resources"])


def test_langsmiths_own_helpers_are_counted_with_the_requests_the_program_sets(prod_run: ProgramRun):
    """Reloader and the readiness Job run on the general pool like every other pod: the sizing
    counts them with the requests components/langsmith.py gives them."""
    pods = {p.name: p for p in cluster_pods(settings_of("prod"))}
    reloader = prod_run.one("kubernetes:helm.sh/v3:Release", "langsmith-reloader").inputs["values"]
    requests = reloader["reloader"]["deployment"]["resources"]["requests"]
    assert (pods["reloader"].cpu_m, pods["reloader"].memory_mib, pods["reloader"].pool) == (
        int(requests["cpu"].removesuffix("m")), float(requests["memory"].removesuffix("Mi")), "general")
    (job,) = [j for j in prod_run.of_type("kubernetes:batch/v1:Job") if j.name == "langsmith-ready"]
    spec = job.inputs["spec"]["template"]["spec"]
    containers = [*spec.get("initContainers", []), *spec["containers"]]  # run one after the other
    assert pods["langsmith-readiness"].cpu_m == max(
        int(c["resources"]["requests"]["cpu"].removesuffix("m")) for c in containers)
    assert pods["langsmith-readiness"].memory_mib == max(
        float(c["resources"]["requests"]["memory"].removesuffix("Mi")) for c in containers)


def test_the_events_collector_is_counted_with_the_requests_the_program_sets(prod_run: ProgramRun):
    """Every shape with the observability component runs it; the sizing counts what its pod asks
    (the old exporter's 20m / 64Mi no longer)."""
    from tests.conftest import run_stack
    for shape_run, pods in ((prod_run, cluster_pods(settings_of("prod"))),
                            (run_stack("agent-server"), cluster_pods(settings_of("agent-server")))):
        (collector,) = [p for p in pods if p.name == "events-collector"]
        (container,) = shape_run.one("kubernetes:apps/v1:Deployment", "observability-events").inputs[
            "spec"]["template"]["spec"]["containers"]
        requests = container["resources"]["requests"]
        assert (collector.cpu_m, collector.memory_mib, collector.count, collector.pool) == (
            int(requests["cpu"].removesuffix("m")), float(requests["memory"].removesuffix("Mi")), 1, "general")
        assert not [p for p in pods if p.name == "event-exporter"]


def test_chart_facts_record_their_source_and_hooks():
    facts = chart_facts(versions.LANGSMITH.chart, versions.LANGSMITH.version)
    assert facts.source["repository"] == "https://github.com/langchain-ai/helm"
    assert facts.source["tag"] == "langsmith-0.16.11" and len(facts.source["commit"]) == 40
    hooks = {w["template"]: w["hook"] for w in facts.workloads if w["hook"]}
    assert hooks["templates/backend/postgres-migrations.yaml"]["events"] == ["post-install", "pre-upgrade"]
    assert hooks["templates/backend/clickhouse-migrations.yaml"]["events"] == ["post-install", "pre-upgrade"]
    assert hooks["templates/backend/backfill-check.yaml"]["events"] == ["pre-upgrade"]
    assert "backend.deployment.replicas" in facts.value_paths and "networkPolicy.enabled" not in facts.value_paths
    dataplane = chart_facts(versions.LANGGRAPH_DATAPLANE.chart, versions.LANGGRAPH_DATAPLANE.version)
    assert dataplane.source["tag"] == f"langgraph-dataplane-{versions.LANGGRAPH_DATAPLANE.version}"
    # Every recorded condition is one the capacity check can evaluate (a new chart version with a
    # template construct it cannot read fails here, not in a user's preview).
    from components.chart_facts import Values

    for f in (facts, dataplane):
        for workload in f.workloads:
            for condition in workload["when"]:
                Values(f, {}).truthy(condition)


def test_dataplane_values_are_keys_the_chart_reads():
    from components.dataplane import DataPlaneArgs, dataplane_values

    facts = chart_facts(versions.LANGGRAPH_DATAPLANE.chart, versions.LANGGRAPH_DATAPLANE.version)
    for gateway_api in (True, False):
        args = DataPlaneArgs(listener_name="a", listener_id="id", workspace_id="ws", watch_namespaces=["x"],
                             api_key_secret_arn="arn", host_backend_url="https://h", smith_backend_url="https://s",
                             hostname="a.example.com", gateway_api=gateway_api, region="us-east-1",
                             provider=None, secrets_kms_key_arn="arn", oidc_provider_arn="arn",  # type: ignore[arg-type]
                             oidc_issuer="issuer", operator_crd=None)  # type: ignore[arg-type]
        values = dataplane_values(args, "secret")
        assert facts.ignored(leaf_paths(values)) == set()


def test_graviton_needs_graviton_types_and_every_image_established():
    from settings.architecture import IMAGES, unestablished_images

    cluster = settings_of("prod").model_dump(by_alias=True, mode="json")["cluster"]
    cluster["architecture"] = "arm64"
    issues = {i.key: i for i in config_error("prod", {"cluster": cluster}).issues}
    assert issues["cluster.generalPool.instanceTypes"].value == ["m6i.2xlarge"]
    assert "AL2023_ARM_64_STANDARD" in issues["cluster.generalPool.instanceTypes"].allowed
    assert "cluster.clickhousePool.instanceTypes" in issues
    # Self-hosted runs two helper images whose arm64 build no source establishes yet: refused, named.
    assert unestablished_images("self-hosted") == [versions.AWS_CLI_IMAGE, versions.CURL_IMAGE]
    assert versions.CURL_IMAGE in issues["cluster.architecture"].allowed
    # Every image the hybrid shape runs is established: arm64 with Graviton types is accepted.
    assert unestablished_images("hybrid") == []
    assert all(i.arm64_source for i in IMAGES if "hybrid" in i.shapes)
    hybrid_cluster = settings_of("hybrid").model_dump(by_alias=True, mode="json")["cluster"]
    hybrid_cluster["architecture"] = "arm64"
    hybrid_cluster["generalPool"]["instanceTypes"] = ["m7g.2xlarge"]
    assert settings_of("hybrid", {"cluster": hybrid_cluster}).cluster.architecture == "arm64"
    # x86 types stay refused under arm64, Graviton types under x86 (the AMI would not boot them).
    hybrid_cluster["architecture"] = "x86_64"
    (issue,) = config_error("hybrid", {"cluster": hybrid_cluster}).issues
    assert issue.key == "cluster.generalPool.instanceTypes" and issue.value == ["m7g.2xlarge"]


def test_every_pinned_image_and_chart_has_an_architecture_row():
    """An image the stack runs but the Graviton table does not list would pass the arm64 check unseen."""
    from settings.architecture import IMAGES

    names = [i.name for i in IMAGES]
    assert set(versions.ALL_IMAGES) - {versions.CLUSTER_AUTOSCALER_IMAGE} <= set(names)
    assert any(n.startswith("registry.k8s.io/autoscaling/cluster-autoscaler") for n in names)
    assert any(f"chart {versions.RELOADER.version}" in n and "reloader" in n for n in names)


def test_node_groups_get_the_ami_type_of_their_architecture(prod_run: ProgramRun):
    groups = prod_run.of_type("eks:index:ManagedNodeGroup")
    assert groups and all(g.inputs["amiType"] == "AL2023_x86_64_STANDARD" for g in groups)
    from tests.conftest import run_stack

    hybrid_cluster = settings_of("hybrid").model_dump(by_alias=True, mode="json")["cluster"]
    hybrid_cluster.update(architecture="arm64")
    hybrid_cluster["generalPool"]["instanceTypes"] = ["m7g.2xlarge"]
    run = run_stack("hybrid", {"cluster": hybrid_cluster})
    (general,) = run.of_type("eks:index:ManagedNodeGroup")
    assert general.inputs["amiType"] == "AL2023_ARM_64_STANDARD"
    assert general.inputs["instanceTypes"] == ["m7g.2xlarge"]


def test_the_generator_reads_conditions_replicas_resources_and_hooks_from_templates():
    from components.chart_facts import leaf_paths_and_open_maps as chart_leaf_paths
    from data.charts.generate import workloads_of

    template = "\n".join([
        '{{- define "envVars" -}}',
        "kind: Deployment",  # inside a define: not rendered as such
        "{{- end -}}",
        "{{- if .Values.app.enabled }}",
        "{{- if .Values.app.rollout.enabled }}",
        "kind: Rollout",
        "{{- else }}",
        "kind: Deployment",
        "{{- end }}",
        "metadata:",
        "  annotations:",
        '    "helm.sh/hook": post-install, pre-upgrade',
        '    "helm.sh/hook-weight": "-1"',
        "spec:",
        "  replicas: {{ .Values.app.deployment.replicas }}",
        "          resources:",
        "            {{- toYaml .Values.app.deployment.resources | nindent 12 }}",
        "{{- end }}",
    ])
    (workload,) = workloads_of("templates/app.yaml", template)
    assert workload["kind"] == "Deployment" and workload["when"] == [".Values.app.enabled"]
    assert workload["replicas"] == {"path": "app.deployment.replicas"}
    assert workload["resources"] == ["app.deployment.resources"]
    assert workload["hook"] == {"events": ["post-install", "pre-upgrade"], "weight": -1}
    leaves, open_maps = chart_leaf_paths({"a": {"b": 1, "annotations": {}, "list": []}})
    assert leaves == {"a.b", "a.annotations", "a.list"} and open_maps == {"a.annotations"}
