"""LangSmith Deployment on the self-hosted shape (`langsmith.deployments.enabled`) and the features built
on it: the chart's requirements at the pinned tag (langchain-ai/helm @ langsmith-0.16.11), each met by a
part of the stack, and the shipped example (stacks/Pulumi.prod.yaml) previewing clean."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

import pytest

from components.agent_images import repository_name
from components.cluster import NODE_MANAGED_POLICIES
from components.edge import FRONTEND_CONTAINER_PORT
from components.gateway import (
    DATAPLANE_LABEL,
    ENVOY_HTTP_PORT,
    ENVOY_READY_PATH,
    ENVOY_READY_PORT,
    GATEWAY_NAME,
    GATEWAY_NAMESPACE,
)
from components.langsmith_values import (
    AGENT_DATABASE_TEMPLATE,
    AGENT_DEPLOYMENT_TEMPLATE,
    AGENT_LABEL,
    AGENT_REDIS_TEMPLATE,
    CHART,
    ignored_value_paths,
)
from components.network_policies import IMDS_CIDR
from settings.capacity import HYBRID_EXTRAS, cluster_pods, sizing_report
from settings.langsmith_chart import chart_values
from settings.loader import ConfigError
from tests.conftest import deployments_example, run_stack
from tests.test_capacity import settings_of
from tools.engine.harness import ProgramRun, Registration
from tools.engine.plan import build_plan
from tools.engine.policy_check import check_plan
from tools.engine.timeline import timeline_summary

ROOT = Path(__file__).resolve().parent.parent
RELEASE = "kubernetes:helm.sh/v3:Release"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
BINDING = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def langsmith(**changes: Any) -> dict[str, Any]:
    return {**deployments_example(), **changes}


def values(run: ProgramRun) -> dict[str, Any]:
    return run.one(RELEASE, "langsmith-release").inputs["values"]


def release(run: ProgramRun) -> Registration:
    return run.one(RELEASE, "langsmith-release")


# -- the example previews clean --------------------------------------------------------------------

def test_the_shipped_example_turns_deployments_and_fleet_on():
    example = deployments_example()
    assert example["deployments"] == {"enabled": True, "agentServers": 2} and example["fleetEnabled"] is True
    # What the stack file's comment and docs/deployments.md say it takes: 4 general nodes at rest, 5 in a rollout.
    report = sizing_report(settings_of("prod", {"langsmith": example}))["general"]
    assert (report["nodesNeeded"], report["nodesNeededDuringRollout"]) == (4, 5)
    assert "minSize/desiredSize to 4" in (ROOT / "stacks" / "Pulumi.prod.yaml").read_text()


def test_a_self_hosted_stack_with_deployments_previews_with_zero_mandatory_violations(deployments_run: ProgramRun):
    violations = check_plan(build_plan(deployments_run))
    assert [v for v in violations if v["enforcement"] == "mandatory"] == []


def test_the_policy_pack_sees_the_new_parts(deployments_run: ProgramRun):
    plan = build_plan(deployments_run)
    types = {r["type"] for r in plan["resources"]}
    assert {"aws:ecr/repository:Repository", NETWORK_POLICY, RELEASE} <= types
    # Edited: the namespace-wide policy selecting agents too, a mutable repository: both caught.
    edited = json.loads(json.dumps(plan))
    for r in edited["resources"]:
        if r["type"] == NETWORK_POLICY and r["inputs"]["metadata"]["name"] == "deny-instance-metadata" \
                and r["inputs"]["metadata"]["namespace"] == "langsmith":
            r["inputs"]["spec"]["podSelector"] = {}
        if r["type"] == "aws:ecr/repository:Repository":
            r["inputs"]["imageTagMutability"] = "MUTABLE"
    failed = {v["policy"] for v in check_plan(edited) if v["enforcement"] == "mandatory"}
    assert failed == {"agent-pods-fenced", "ecr-repository-hygiene"}


# -- chart requirements (validate.yaml at 0.16.11), met by values ------------------------------------

def validate_yaml_failures(v: Mapping[str, Any]) -> list[str]:
    """langsmith 0.16.11 templates/validate.yaml, the rules about deployments, routes and Agent Builder,
    as written there (each `fail` message quoted)."""
    def on(path: str) -> bool:
        node: Any = v
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        return bool(node)
    config = v.get("config") or {}
    frontend = v.get("frontend", {}).get("enabled", True)  # the chart's default: true
    routes = [r for r in ("ingress", "gateway", "istioGateway") if on(f"{r}.enabled")]
    failures = []
    if frontend and not routes and on("config.deployment.enabled"):
        failures.append("Either ingress, gateway, or istioGateway must be enabled if LangSmith Deployments is enabled.")
    if not frontend and (on("ingress.enabled") or on("gateway.enabled")):
        failures.append("frontend.enabled must be true when ingress or gateway is enabled")
    if on("config.deployment.enabled") and not config.get("hostname"):
        failures.append("config.hostname is required when LangSmith Deployments is enabled.")
    if len(routes) > 1:
        failures.append("Only one of ingress, gateway, or istioGateway can be enabled at the same time.")
    if on("config.agentBuilder.enabled"):
        if not (on("config.agentBuilder.encryptionKey") or config.get("existingSecretName")):
            failures.append("agentBuilder needs an encryption key")
        if not on("config.deployment.enabled"):
            failures.append("config.deployment.enabled must be true when agentBuilder is enabled.")
    for svc in ("aceBackend", "backend", "frontend", "hostBackend", "listener", "platformBackend", "playground",
                "queue", "ingestQueue"):
        if on(f"{svc}.autoscaling.hpa.enabled") and on(f"{svc}.autoscaling.keda.enabled"):
            failures.append(f"{svc}: hpa and keda both enabled")
    for refused in ("config.deployment.rootDomain", "config.deployment.url", "gateway.hostname", "ingress.hostname",
                    "config.subdomain", "listener.templates"):
        if on(refused):
            failures.append(f"{refused} is refused")
    return failures


def test_the_values_meet_the_charts_deployment_rules(deployments_run: ProgramRun):
    v = values(deployments_run)
    assert validate_yaml_failures(v) == []
    assert ignored_value_paths(v) == set()  # every key is one values.yaml defines at the pin
    assert v["config"]["deployment"] == {"enabled": True, "tlsEnabled": True, "ingressHealthCheckEnabled": True}
    assert v["config"]["hostname"] == "https://langsmith.example.com"
    assert v["gateway"] == {"enabled": True, "name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE, "sectionName": "http"}
    assert v["operator"]["createCRDs"] is False and v["operator"]["kedaEnabled"] is True
    assert v["fleet"]["enabled"] is True and not (v["config"].get("agentBuilder") or {}).get("enabled")
    assert "ingress" not in v and "istioGateway" not in v


def test_the_rules_catch_what_they_say():
    assert validate_yaml_failures({"config": {"deployment": {"enabled": True}}}) == [
        "Either ingress, gateway, or istioGateway must be enabled if LangSmith Deployments is enabled.",
        "config.hostname is required when LangSmith Deployments is enabled."]
    assert validate_yaml_failures({"config": {"agentBuilder": {"enabled": True}}})


def test_deployments_off_keeps_the_frontend_behind_the_alb(prod_run: ProgramRun):
    v = values(prod_run)
    assert v["config"]["deployment"] == {"enabled": False} and "gateway" not in v and "operator" not in v
    (binding,) = prod_run.of_type(BINDING)
    assert binding.inputs["spec"]["serviceRef"] == {"name": "langsmith-frontend", "port": 80}
    assert prod_run.one("aws:lb/targetGroup:TargetGroup").inputs["port"] == FRONTEND_CONTAINER_PORT
    assert not prod_run.of_type("aws:ecr/repository:Repository")
    assert not [crd for crd in prod_run.of_type(CRD) if crd.inputs["metadata"]["name"] == "lgps.apps.langchain.ai"]


def test_chart_values_of_the_settings_are_the_release_values(deployments_run: ProgramRun):
    """The function a real-chart render takes its values from gives what the program passes (outputs aside)."""
    settings = settings_of("prod", {"langsmith": deployments_example()})
    from_settings, program = chart_values(settings), values(deployments_run)
    for key in ("gateway", "operator", "fleet", "polly", "insights", "frontend", "postgres", "redis"):
        assert from_settings.get(key) == program.get(key), key
    assert from_settings["config"]["deployment"] == program["config"]["deployment"]
    assert from_settings["config"]["hostname"] == program["config"]["hostname"]


# -- routing: the ALB serves Envoy, Envoy serves LangSmith's exact hostname -------------------------

def test_the_alb_serves_envoy_whose_listener_is_the_langsmith_hostname(deployments_run: ProgramRun):
    run = deployments_run
    target_group = run.one("aws:lb/targetGroup:TargetGroup").inputs
    assert target_group["port"] == ENVOY_HTTP_PORT
    assert target_group["healthCheck"]["path"] == ENVOY_READY_PATH
    assert target_group["healthCheck"]["port"] == str(ENVOY_READY_PORT)
    (binding,) = run.of_type(BINDING)  # the frontend's binding is gone: Envoy's replaces it
    assert binding.inputs["metadata"]["namespace"] == "envoy-gateway-system"
    gateway = run.one("kubernetes:gateway.networking.k8s.io/v1:Gateway").inputs
    (listener,) = gateway["spec"]["listeners"]
    assert listener["hostname"] == "langsmith.example.com" and listener["name"] == "http"
    assert listener["allowedRoutes"]["namespaces"]["selector"] == {"matchLabels": {DATAPLANE_LABEL: "true"}}
    namespace = run.one("kubernetes:core/v1:Namespace", "langsmith-namespace").inputs
    assert namespace["metadata"]["labels"][DATAPLANE_LABEL] == "true"
    # Same certificate and alias: one name, TLS at the ALB.
    assert run.one("aws:acm/certificate:Certificate").inputs["domainName"] == "langsmith.example.com"
    assert run.outputs["langsmithUrl"] == "https://langsmith.example.com"


def test_envoy_does_not_cut_long_calls(deployments_run: ProgramRun):
    policy = deployments_run.one("kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy").inputs
    assert policy["metadata"]["namespace"] == GATEWAY_NAMESPACE
    assert policy["spec"]["targetRefs"] == [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                             "name": GATEWAY_NAME}]
    assert policy["spec"]["timeout"]["http"]["requestTimeout"] == "0s"


def test_the_release_waits_for_the_stacks_crd_the_gateway_and_keda(deployments_run: ProgramRun):
    run = deployments_run
    crd = run.one(CRD, "langgraph-operator-crd")
    assert crd.inputs["metadata"]["name"] == "lgps.apps.langchain.ai" and crd.retain_on_delete
    deps = release(run).dependencies
    for urn in (crd.urn, run.one("kubernetes:gateway.networking.k8s.io/v1:Gateway").urn,
                run.one(RELEASE, "addons-keda").urn):
        assert urn in deps


def test_the_first_deploy_timeline_includes_the_gateway(deployments_run: ProgramRun, prod_run: ProgramRun):
    on, off = timeline_summary(build_plan(deployments_run)), timeline_summary(build_plan(prod_run))
    names = [step["name"] for step in on["criticalPath"]]
    # The Gateway's controller and objects now come before the release on the longest chain.
    assert names.index("gateway-envoy-gateway") < names.index("gateway-gateway") < names.index("langsmith-release")
    finish = {name: {s["name"]: s["finishSeconds"] for s in t["criticalPath"]} for name, t in (("on", on), ("off", off))}
    assert finish["on"]["langsmith-release"] > finish["off"]["langsmith-release"]


# -- agents: labelled by the operator's templates, fenced by NetworkPolicy ----------------------------

# sha256 of langsmith 0.16.11 values.yaml `operator.templates.<name>` (langchain-ai/helm @ langsmith-0.16.11).
CHART_TEMPLATE_SHA256 = {
    "deployment": "27ab67c27fd6346e95828d05dd021a0af29a3e462a25aaca3f23aa75a2b3bfab",
    "redis": "436f0a69bde67e9b5de7e54cbf54ff688972d7233be193ee6041476641db3127",
    "db": "39c37355069b3317382461af2ec6d20471ce742da4ecbbde84c3ac08b632301c",
}


def test_the_operator_templates_are_the_charts_plus_the_agent_label_only():
    import yaml

    label = f'        {AGENT_LABEL[0]}: "{AGENT_LABEL[1]}"\n'
    no_token = "      automountServiceAccountToken: false\n"
    for name, template in (("deployment", AGENT_DEPLOYMENT_TEMPLATE), ("redis", AGENT_REDIS_TEMPLATE),
                           ("db", AGENT_DATABASE_TEMPLATE)):
        assert template.count(label) == 1 and template.count(no_token) == 1
        chart_text = template.replace(label, "").replace(no_token, "")
        assert hashlib.sha256(chart_text.encode()).hexdigest() == CHART_TEMPLATE_SHA256[name], name
        pod = yaml.safe_load(template)["spec"]["template"]
        assert pod["metadata"]["labels"][AGENT_LABEL[0]] == "true"
        assert pod["spec"]["automountServiceAccountToken"] is False


def _policies(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {p.inputs["metadata"]["name"]: p.inputs["spec"] for p in run.of_type(NETWORK_POLICY)
            if p.inputs["metadata"]["namespace"] == "langsmith"}


def test_agents_are_kept_off_imds_and_langsmiths_data_stores(deployments_run: ProgramRun):
    policies = _policies(deployments_run)
    # The namespace-wide policy leaves agents out (policies add up: it would open everything to them).
    assert policies["deny-instance-metadata"]["podSelector"] == {
        "matchExpressions": [{"key": AGENT_LABEL[0], "operator": "DoesNotExist"}]}
    agents = policies["agents-egress"]
    assert agents["podSelector"] == {"matchLabels": {AGENT_LABEL[0]: AGENT_LABEL[1]}}
    assert agents["policyTypes"] == ["Egress"]
    dns, pods, outside = agents["egress"]
    assert {p["port"] for p in dns["ports"]} == {53}
    reachable = [peer["podSelector"]["matchLabels"] for peer in pods["to"]]
    assert {AGENT_LABEL[0]: AGENT_LABEL[1]} in reachable
    components = {labels.get("app.kubernetes.io/component") for labels in reachable}
    assert components == {None, "langsmith-frontend", "langsmith-backend", "langsmith-platform-backend",
                          "langsmith-host-backend"}
    assert not {"langsmith-clickhouse", "langsmith-postgres", "langsmith-redis"} & components
    block = outside["to"][0]["ipBlock"]
    # The VPC's range (RDS, ElastiCache, ClickHouse's pod) and IMDS are out; the internet and NAT'd ALB are in.
    assert block["cidr"] == "0.0.0.0/0" and block["except"] == ["10.40.0.0/16", IMDS_CIDR]
    fence = deployments_run.one(NETWORK_POLICY, "langsmith-agents-egress")
    assert fence.urn in release(deployments_run).dependencies


def test_deployments_off_leaves_the_namespace_policy_as_it_was(prod_run: ProgramRun):
    policies = _policies(prod_run)
    assert set(policies) == {"deny-instance-metadata"} and policies["deny-instance-metadata"]["podSelector"] == {}


# -- agent images --------------------------------------------------------------------------------

def test_agent_images_come_from_a_scanned_immutable_repository_the_nodes_can_pull(deployments_run: ProgramRun):
    repo = deployments_run.one("aws:ecr/repository:Repository").inputs
    assert repo["name"] == repository_name("ls-prod") == "ls-prod/agents"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["imageTagMutability"] == "IMMUTABLE"
    (encryption,) = repo["encryptionConfigurations"]
    data_key = deployments_run.one("aws:kms/key:Key", "keys-data")
    assert encryption == {"encryptionType": "KMS", "kmsKey": data_key.outputs["arn"]}
    lifecycle = json.loads(deployments_run.one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"])
    assert lifecycle["rules"][0]["selection"]["tagStatus"] == "untagged"
    assert "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly" in NODE_MANAGED_POLICIES
    assert deployments_run.outputs["agentImageRepositoryUrl"].endswith("/ls-prod/agents")


# -- the in-cluster health check (ingressHealthCheckEnabled) -----------------------------------------

def _https_rules(run: ProgramRun) -> list[dict[str, Any]]:
    return [r.inputs for r in run.of_type(SG_INGRESS) if r.name.startswith("edge-alb-in-443-")]


def test_an_open_public_alb_needs_no_extra_rule_for_the_hairpin(deployments_run: ProgramRun):
    assert values(deployments_run)["config"]["deployment"]["ingressHealthCheckEnabled"] is True
    assert [r for r in _https_rules(deployments_run) if "NAT" in r["description"] or "cluster" in r["description"]] == []


def test_a_restricted_public_alb_admits_the_nat_gateways():
    run = run_stack("prod", {"langsmith": langsmith(), "edge": {"allowedCidrs": ["198.51.100.0/24"]}})
    assert values(run)["config"]["deployment"]["ingressHealthCheckEnabled"] is True
    nat_rules = [r for r in _https_rules(run) if "NAT gateway" in r["description"]]
    eips = run.of_type("aws:ec2/eip:Eip")
    assert len(nat_rules) == len(eips) == 3
    assert {r["cidrIpv4"] for r in nat_rules} == {f"{e.outputs['publicIp']}/32" for e in eips}


def test_an_internal_alb_admits_the_clusters_pods():
    run = run_stack("prod", {"langsmith": langsmith(), "edge": {"internal": True, "allowedCidrs": ["10.0.0.0/8"]}})
    (rule,) = [r for r in _https_rules(run) if "cluster" in r["description"]]
    # The same group the data stores admit: the cluster's, which every pod's traffic carries.
    cluster_sg = run.one(SG_INGRESS, "redis-from-eks-nodes").inputs["referencedSecurityGroupId"]
    assert rule["referencedSecurityGroupId"] == cluster_sg and rule["fromPort"] == 443


def test_an_existing_network_behind_a_restricted_alb_turns_the_health_check_off():
    settings = settings_of("prod", {"langsmith": langsmith(), "edge": {"allowedCidrs": ["198.51.100.0/24"]},
                                    "network": {"existing": {
                                        "vpcId": "vpc-0123456789abcdef0",
                                        "publicSubnetIds": ["subnet-00000000000000001", "subnet-00000000000000002"],
                                        "privateSubnetIds": ["subnet-00000000000000003",
                                                             "subnet-00000000000000004"]}}})
    assert chart_values(settings)["config"]["deployment"]["ingressHealthCheckEnabled"] is False


# -- features and their keys ------------------------------------------------------------------------

def test_fleet_without_deployments_is_refused_naming_the_dependency():
    with pytest.raises(ConfigError) as caught:
        settings_of("prod", {"langsmith": langsmith(deployments={"enabled": False})})
    (issue,) = [i for i in caught.value.issues if i.key == "langsmith.fleetEnabled"]
    assert "langsmith.deployments.enabled" in issue.allowed and "host backend" in issue.allowed


def test_insights_and_polly_do_not_need_deployments_at_the_pin():
    # The chart renders standalone Insights and Polly without deployments (validate.yaml ties only
    # config.agentBuilder to them); LangChain's terraform overlays for both say the same.
    settings = settings_of("prod", {"langsmith": {**langsmith(deployments={"enabled": False}, fleetEnabled=False),
                                                  "insightsEnabled": True, "pollyEnabled": True}})
    assert settings.langsmith is not None and settings.langsmith.polly_enabled


def test_deployments_are_refused_on_another_chart_version():
    with pytest.raises(ConfigError) as caught:
        settings_of("prod", {"langsmith": langsmith(chartVersion="0.16.10")})
    (issue,) = [i for i in caught.value.issues if i.key == "langsmith.chartVersion"]
    assert issue.value == "0.16.10" and "0.16.11" in issue.allowed


def test_fleet_gets_a_generated_encryption_key_kept_like_the_others(deployments_run: ProgramRun):
    (secret,) = [s for s in deployments_run.of_type("aws:secretsmanager/secret:Secret")
                 if s.inputs["name"] == "ls-prod/agent_builder-encryption-key"]
    assert secret.inputs["kmsKeyId"] == deployments_run.one("aws:kms/key:Key", "keys-secrets").outputs["arn"]
    assert deployments_run.one("random:index/randomBytes:RandomBytes", "secrets-agent_builder-encryption-key")
    config = deployments_run.one("kubernetes:external-secrets.io/v1:ExternalSecret", "langsmith-langsmith-config")
    refs = {d["secretKey"]: d["remoteRef"]["key"] for d in config.inputs["spec"]["data"]}
    # The key name the chart reads for Fleet (templates/secrets.yaml: fleet.encryptionKey | default
    # config.agentBuilder.encryptionKey -> agent_builder_encryption_key).
    assert refs["agent_builder_encryption_key"] == secret.outputs["arn"]
    assert "encryptionKey" not in json.dumps(values(deployments_run))


# -- capacity ---------------------------------------------------------------------------------------

def test_capacity_counts_the_host_backend_listener_operator_gateway_and_agent_servers():
    off = settings_of("prod")
    on = settings_of("prod", {"langsmith": langsmith(fleetEnabled=False)})
    added = {p.name: p for p in cluster_pods(on)} .keys() - {p.name for p in cluster_pods(off)}
    assert added == {"hostBackend", "listener", "operator", *(p.name for p in HYBRID_EXTRAS),
                     "agent api-server", "agent postgres", "agent redis"}
    pods = {p.name: p for p in cluster_pods(on)}
    # The chart's defaults at the pin (data/charts/): host backend 200m / 1000Mi, listener and operator 1 / 2Gi.
    assert (pods["hostBackend"].cpu_m, pods["hostBackend"].memory_mib) == (200, 1000)
    assert (pods["operator"].cpu_m, pods["listener"].memory_mib) == (1000, 2048)
    assert pods["agent api-server"].count == 2 and pods["agent api-server"].cpu_m == 1000
    report_off, report_on = sizing_report(off)["general"], sizing_report(on)["general"]
    assert report_off["nodesNeeded"] == 2 and report_on["nodesNeeded"] == 3
    more = settings_of("prod", {"langsmith": langsmith(fleetEnabled=False, deployments={
        "enabled": True, "agentServers": 6, "agentServer": {"cpu": "1", "memory": "4Gi"}})})
    assert sizing_report(more)["general"]["nodesNeeded"] > 3


def test_too_many_agent_servers_for_the_pool_is_a_config_error():
    with pytest.raises(ConfigError) as caught:
        settings_of("prod", {"langsmith": langsmith(deployments={"enabled": True, "agentServers": 60})})
    assert any(i.key == "cluster.generalPool.maxSize" for i in caught.value.issues)


def test_the_chart_facts_know_the_deployment_workloads():
    conditions = {w["template"]: w["when"] for w in CHART.workloads}
    assert conditions["templates/operator/deployment.yaml"] == ["and .Values.config.deployment.enabled .Values.operator.enabled"]
