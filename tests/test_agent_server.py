"""Agent Servers (shape agent-server): each release's values as the chart reads them, rendered with the
real chart and validated; secrets only through External Secrets; one database and one Redis
database number per server; routing, autoscaling, PDB, IMDS; config errors that name the key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import versions
from components.agent_server import (
    API_KEY,
    LICENSE_KEY,
    NAMESPACE,
    POSTGRES_URL_KEY,
    REDIS_URL_KEY,
    ServerSpec,
    fullname,
    server_values,
    service_account_name,
)
from components.chart_facts import chart_facts, leaf_paths
from components.gateway import DATAPLANE_LABEL, GATEWAY_NAME, GATEWAY_NAMESPACE
from settings import ConfigError
from settings.agent_server import database_name
from tests.conftest import PROJECT, run_stack, stack_values
from tests.test_cluster import assert_closes_instance_metadata_only, metadata_policies
from tests.test_kubernetes_schema import validate
from tools.engine.harness import ProgramRun, Registration
from tools.engine.mocks import unwrap
from tools.engine.render import by_kind, render
from settings.loader import parse_config

RELEASE = "kubernetes:helm.sh/v3:Release"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
JOB = "kubernetes:batch/v1:Job"
ECR = "aws:ecr/repository:Repository"
FACTS = chart_facts(versions.LANGGRAPH_CLOUD.chart, versions.LANGGRAPH_CLOUD.version)


@pytest.fixture(scope="module")
def run() -> ProgramRun:
    return run_stack("agent-server")


def releases(run: ProgramRun) -> dict[str, Registration]:
    return {r.inputs["name"]: r for r in run.of_type(RELEASE) if r.inputs["chart"] == "langgraph-cloud"}


def values_of(release: Registration) -> dict[str, Any]:
    return unwrap(json.loads(json.dumps(release.inputs["values"])))


def agent_server_config(**changes: Any) -> dict[str, Any]:
    values, _ = stack_values("agent-server")
    config = json.loads(values[f"{PROJECT}:agentServer"])
    config.update(changes)
    return config


def issues(overrides: dict[str, Any]) -> dict[str, str]:
    values, secret_keys = stack_values("agent-server")
    for name, value in overrides.items():
        values[f"{PROJECT}:{name}"] = json.dumps(value)
    with pytest.raises(ConfigError) as caught:
        parse_config(values, project=PROJECT, stack="agent-server", secret_keys=secret_keys)
    return {i.key: i.allowed for i in caught.value.issues}


# -- the releases ------------------------------------------------------------------------------

def test_one_pinned_langgraph_cloud_release_per_server(run: ProgramRun):
    found = releases(run)
    assert set(found) == {"support", "research"}
    for release in found.values():
        assert release.inputs["version"] == versions.LANGGRAPH_CLOUD.version == "0.3.2"
        assert release.inputs["repositoryOpts"]["repo"] == versions.LANGGRAPH_CLOUD.repository
        assert release.inputs["namespace"] == NAMESPACE


def test_values_hold_to_the_charts_value_paths(run: ProgramRun):
    for release in releases(run).values():
        assert FACTS.ignored(leaf_paths(values_of(release))) == set()
    # The check can fail: a path the chart does not read is caught.
    assert FACTS.ignored({"apiServer.replicas", "apiServer.pdb.maxUnavailable"}) == {"apiServer.replicas"}


def test_no_credential_is_in_the_values(run: ProgramRun):
    for release in releases(run).values():
        values = values_of(release)
        text = json.dumps(values)
        assert "postgres://" not in text and "rediss://" not in text and "lsv2_" not in text
        assert "connectionUrl" not in text and "apiKey" not in text and "langGraphCloudLicenseKey" not in text
        env = {e["name"] for e in values["apiServer"]["deployment"]["extraEnv"]}
        assert env == {"LANGSMITH_TRACING", "LANGSMITH_ENDPOINT"}  # never the key (chart README)
        assert values["postgres"]["external"] == {"enabled": True, "existingSecretName": f"{release.inputs['name']}-postgres"}
        assert values["redis"]["external"] == {"enabled": True, "existingSecretName": f"{release.inputs['name']}-redis"}


def test_every_secret_the_values_name_is_built_by_external_secrets_with_the_keys_the_chart_reads(run: ProgramRun):
    built = {r.inputs["spec"]["target"]["name"]: r.inputs["spec"] for r in run.of_type(EXTERNAL_SECRET)
             if r.inputs["metadata"]["namespace"] == NAMESPACE}
    for name in ("support", "research"):
        keys = built[f"{name}-keys"]
        assert {d["secretKey"] for d in keys["data"]} == {API_KEY, LICENSE_KEY}
        postgres = json.dumps(unwrap(built[f"{name}-postgres"]["target"]["template"]["data"]))
        assert POSTGRES_URL_KEY in postgres and f"/{database_name(name)}?sslmode=require" in postgres
        redis = unwrap(built[f"{name}-redis"]["target"]["template"]["data"])[REDIS_URL_KEY]
        assert redis.startswith("rediss://:{{ .token | urlquery }}@")
    redis_numbers = [unwrap(built[f"{n}-redis"]["target"]["template"]["data"])[REDIS_URL_KEY].rsplit("/", 1)[1]
                     for n in ("support", "research")]
    assert redis_numbers == ["1", "2"]  # one database number per server (LangChain's sharing rule)


def test_each_server_gets_its_own_database_from_an_idempotent_job_before_its_release(run: ProgramRun):
    jobs = {j.inputs["metadata"]["name"]: j for j in run.of_type(JOB)}
    for name in ("support", "research"):
        job = jobs[f"{name}-create-database"]
        script = job.inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
        db = database_name(name)
        assert f"datname = '{db}'" in script and f"CREATE DATABASE {db}" in script and "||" in script
        assert "DROP" not in script
        container = job.inputs["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == versions.AGENT_SERVER_DB_BOOTSTRAP_IMAGE
        env = {e["name"]: e for e in container["env"]}
        assert "secretKeyRef" in env["PGPASSWORD"]["valueFrom"] and "value" not in env["PGPASSWORD"]
        assert job.urn in releases(run)[name].dependencies
    assert database_name("support-bot") == "agent_support_bot"


def test_servers_are_routed_by_the_stacks_gateway_never_a_load_balancer_service(run: ProgramRun):
    support, research = values_of(releases(run)["support"]), values_of(releases(run)["research"])
    for values in (support, research):
        assert values["apiServer"]["service"]["type"] == "ClusterIP"
        assert values["gateway"]["name"] == GATEWAY_NAME and values["gateway"]["namespace"] == GATEWAY_NAMESPACE
        assert values["ingress"] == {"enabled": False}
    assert support["gateway"]["hostname"] == "support.agents.example.com" and "basePath" not in support["gateway"]
    assert research["gateway"]["hostname"] == "research.agents.example.com"
    assert research["gateway"]["basePath"] == "deep"
    namespace = next(n for n in run.of_type("kubernetes:core/v1:Namespace")
                     if n.inputs["metadata"]["name"] == NAMESPACE)
    assert namespace.inputs["metadata"]["labels"][DATAPLANE_LABEL] == "true"  # the Gateway admits its routes


def test_images_come_from_the_stacks_own_scanned_immutable_repositories(run: ProgramRun):
    repositories = {r.inputs["name"]: r.inputs for r in run.of_type(ECR)}
    assert set(repositories) == {"ls-agent-server/support", "ls-agent-server/research"}
    for inputs in repositories.values():
        assert inputs["imageTagMutability"] == "IMMUTABLE"
        assert inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    image = values_of(releases(run)["support"])["images"]["apiServerImage"]
    assert image == {"repository": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ls-agent-server/support",
                     "tag": "v1.0.0", "pullPolicy": "IfNotPresent"}


def test_a_server_without_an_image_gets_its_repository_and_no_release():
    config = agent_server_config()
    del config["servers"][1]["image"]
    run = run_stack("agent-server", {"agentServer": config})
    assert set(releases(run)) == {"support"}
    assert "ls-agent-server/research" in {r.inputs["name"] for r in run.of_type(ECR)}


def test_agent_pods_cannot_reach_instance_metadata(run: ProgramRun):
    assert_closes_instance_metadata_only(metadata_policies(run)[NAMESPACE])
    policy = next(p for p in run.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                  if p.inputs["metadata"]["namespace"] == NAMESPACE)
    for release in releases(run).values():
        assert policy.urn in release.dependencies  # closed before any agent pod starts
    assert {r.inputs["name"] for r in run.of_type(RELEASE)} >= {"reloader", "support", "research"}


# -- rendered with the real chart ------------------------------------------------------------------

@pytest.mark.parametrize("server", ["support", "research"])
def test_each_server_renders_with_the_real_chart_and_every_object_validates(run: ProgramRun, server: str):
    values = values_of(releases(run)[server])
    objects = render(versions.LANGGRAPH_CLOUD.chart, versions.LANGGRAPH_CLOUD.version, release=server,
                     namespace=NAMESPACE, values=values)
    full = fullname(server)
    assert by_kind(objects) == {
        "Service": [f"{full}-api-server"],
        "Deployment": [f"{full}-api-server", f"{full}-queue"],
        "PodDisruptionBudget": [f"{full}-api-server"],
        "ScaledObject": [f"{full}-api-server", f"{full}-queue"],
        "HTTPRoute": [full],
    }  # no in-chart Postgres, Redis or Secret (all external), no ServiceAccount (ours)
    for obj in objects:
        validate(obj)
    kinds = {o["kind"]: o for o in objects}
    assert kinds["Service"]["spec"]["type"] == "ClusterIP"
    route = kinds["HTTPRoute"]["spec"]
    assert route["parentRefs"][0]["name"] == GATEWAY_NAME and route["hostnames"] == [f"{server}.agents.example.com"]
    deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"].endswith("api-server"))
    pod = deployment["spec"]["template"]["spec"]
    # The servers need no Kubernetes API: they run as our ServiceAccount, which mounts no token.
    assert pod["serviceAccountName"] == service_account_name(server)
    account = next(a for a in run.of_type("kubernetes:core/v1:ServiceAccount")
                   if a.inputs["metadata"]["name"] == service_account_name(server))
    assert account.inputs["automountServiceAccountToken"] is False and account.urn in releases(run)[server].dependencies
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    assert env["POSTGRES_URI"]["valueFrom"]["secretKeyRef"] == {"name": f"{server}-postgres", "key": POSTGRES_URL_KEY}
    assert env["REDIS_URI"]["valueFrom"]["secretKeyRef"] == {"name": f"{server}-redis", "key": REDIS_URL_KEY}
    assert env["LANGSMITH_API_KEY"]["valueFrom"]["secretKeyRef"]["name"] == f"{server}-keys"
    assert env["LANGSMITH_ENDPOINT"]["value"] == "https://api.smith.langchain.com"
    assert "replicas" not in deployment["spec"]  # KEDA owns the count
    scaled = next(o for o in objects if o["kind"] == "ScaledObject" and o["metadata"]["name"].endswith("api-server"))
    expected_max = {"support": 6, "research": 3}[server]
    assert scaled["spec"]["maxReplicaCount"] == expected_max


def test_a_single_replica_server_gets_no_pdb_that_would_block_drains():
    spec = ServerSpec(name="x", image_repository="r", image_tag="v1", hostname="x.example.com", path="/",
                      min_replicas=1, max_replicas=3, queue=False, queue_max_replicas=1, cpu="500m",
                      memory="1Gi", tracing_endpoint=None)
    objects = render(versions.LANGGRAPH_CLOUD.chart, versions.LANGGRAPH_CLOUD.version, release="x",
                     namespace=NAMESPACE, values=server_values(spec))
    assert "PodDisruptionBudget" not in by_kind(objects) and "queue" not in json.dumps(by_kind(objects))
    # What rendering showed: the chart's own ServiceAccounts mount a token whatever the value says.
    own = render(versions.LANGGRAPH_CLOUD.chart, versions.LANGGRAPH_CLOUD.version, release="x", namespace=NAMESPACE,
                 values={**server_values(spec), "apiServer": {"serviceAccount": {"automountServiceAccountToken": False}}})
    assert [a["automountServiceAccountToken"] for a in own if a["kind"] == "ServiceAccount"] == [True]
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    env = {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["LANGSMITH_TRACING"] == "false" and "LANGSMITH_ENDPOINT" not in env
    for obj in objects:
        validate(obj)


# -- config errors name the key ------------------------------------------------------------------

def test_a_server_name_that_is_not_a_dns_label_is_refused():
    config = agent_server_config()
    config["servers"][0]["name"] = "Support_Bot"
    found = issues({"agentServer": config})
    assert "DNS label" in found["agentServer.servers[0].name"]


def test_two_servers_on_one_host_and_path_are_refused():
    config = agent_server_config()
    config["servers"][1].update(hostname="support.agents.example.com", path="/")
    found = issues({"agentServer": config})
    assert "two servers cannot share a host and path" in found["agentServer.servers[1].path"]


@pytest.mark.parametrize("image", ["docker.io/acme/agent:v1", "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:v1",
                                   "ghcr.io/acme/agent:v1", "agent:v1"])
def test_an_image_from_a_registry_the_nodes_cannot_pull_is_refused(image: str):
    config = agent_server_config()
    config["servers"][0]["image"] = image
    found = issues({"agentServer": config})
    assert "the nodes pull only from this stack's ECR repository" in found["agentServer.servers[0].image"]


def test_latest_is_refused_in_an_immutable_repository():
    config = agent_server_config()
    config["servers"][0]["image"] = "latest"
    assert "immutable" in issues({"agentServer": config})["agentServer.servers[0].image"]


def test_two_servers_on_one_redis_database_number_are_refused():
    config = agent_server_config()
    config["servers"][1]["redisDatabase"] = 1
    found = issues({"agentServer": config})
    assert "sharing rule" in found["agentServer.servers[1].redisDatabase"]
    config["servers"][1]["redisDatabase"] = 16
    assert "agentServer.servers[1].redisDatabase" in issues({"agentServer": config})


def test_a_hostname_outside_the_wildcard_certificate_is_refused():
    config = agent_server_config()
    config["servers"][0]["hostname"] = "a.b.agents.example.com"
    assert "one label under agentServer.domain" in issues({"agentServer": config})["agentServer.servers[0].hostname"]


def test_tracing_to_a_self_hosted_langsmith_needs_its_url():
    config = agent_server_config(tracing={"target": "self-hosted"})
    assert "agentServer.tracing.endpoint" in issues({"agentServer": config})
    config = agent_server_config(tracing={"target": "self-hosted", "endpoint": "https://ls.example.com/api/v1"})
    run = run_stack("agent-server", {"agentServer": config})
    env = values_of(releases(run)["support"])["apiServer"]["deployment"]["extraEnv"]
    assert {"name": "LANGSMITH_ENDPOINT", "value": "https://ls.example.com/api/v1"} in env
    config = agent_server_config(tracing={"target": "eu"})
    run = run_stack("agent-server", {"agentServer": config})
    env = values_of(releases(run)["support"])["apiServer"]["deployment"]["extraEnv"]
    assert {"name": "LANGSMITH_ENDPOINT", "value": "https://eu.api.smith.langchain.com"} in env


def test_the_shape_keys_are_refused_elsewhere_and_required_here():
    values, secret_keys = stack_values("agent-server")
    values.pop(f"{PROJECT}:licenseKey")
    with pytest.raises(ConfigError) as caught:
        parse_config(values, project=PROJECT, stack="agent-server", secret_keys=secret_keys)
    assert "licenseKey" in {i.key for i in caught.value.issues}
    found = issues({"postgres": {"external": True}})
    assert "one database per server" in found["postgres.external"]
    prod, prod_secrets = stack_values("prod")
    prod[f"{PROJECT}:agentServer"] = json.dumps({"domain": "x.example.com"})
    with pytest.raises(ConfigError) as caught:
        parse_config(prod, project=PROJECT, stack="prod", secret_keys=prod_secrets)
    assert "only applies to shape agent-server" in {i.key: i.allowed for i in caught.value.issues}["agentServer"]


def test_a_server_too_big_for_a_node_names_its_key():
    config = agent_server_config()
    config["servers"][0]["cpu"] = "16"
    found = issues({"agentServer": config})
    assert any(k.startswith("agentServer.servers[0].") for k in found), found


def test_the_stack_passes_every_mandatory_rule_and_a_mutable_repository_would_not(run: ProgramRun):
    import copy

    from tools.engine.plan import build_plan
    from tools.engine.policy_check import check_plan

    plan = build_plan(run)
    assert [v for v in check_plan(plan) if v["enforcement"] == "mandatory"] == []
    edited = copy.deepcopy(plan)
    for resource in edited["resources"]:
        if resource["type"] == ECR:
            resource["inputs"]["imageTagMutability"] = "MUTABLE"
    assert {v["policy"] for v in check_plan(edited) if v["enforcement"] == "mandatory"} == {"ecr-repository-hygiene"}


def test_arm64_is_refused_while_nothing_establishes_the_servers_images_for_it():
    from settings.architecture import unestablished_images

    assert unestablished_images("agent-server") == ["the Agent Servers' own images (agentServer.servers[].image)",
                                                    versions.AGENT_SERVER_DB_BOOTSTRAP_IMAGE]
    values, _ = stack_values("agent-server")
    cluster = json.loads(values[f"{PROJECT}:cluster"])
    cluster["architecture"] = "arm64"
    cluster["generalPool"]["instanceTypes"] = ["m7g.2xlarge"]
    found = issues({"cluster": cluster})
    assert "Agent Servers' own images" in found["cluster.architecture"]


def test_capacity_counts_every_server_at_its_maximum():
    from settings.capacity import cluster_pods

    values, secret_keys = stack_values("agent-server")
    settings = parse_config(values, project=PROJECT, stack="agent-server", secret_keys=secret_keys)
    pods = {p.name: p for p in cluster_pods(settings)}
    assert (pods["support/apiServer"].count, pods["support/queue"].count) == (6, 5)
    assert (pods["research/apiServer"].cpu_m, pods["research/apiServer"].memory_mib) == (2000, 4096)
    assert pods["research/apiServer"].key == "agentServer.servers[1]"
    assert {"envoy-proxy", "reloader", "create-database"} <= set(pods)
