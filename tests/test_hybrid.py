"""Hybrid data plane: one release per listener, secret wiring, CRD ownership, namespaces, errors."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from components import versions
from components.cluster_addons import POD_READINESS_GATE_LABEL
from components.dataplane import lgp_crd
from components.gateway import DATAPLANE_LABEL, ENVOY_HTTP_PORT
from data.upstream import envoy_gateway_facts
from settings import ConfigError
from tests.conftest import run_stack
from tests.test_cluster import (
    NETWORK_POLICY,
    TARGET_GROUP_BINDING,
    assert_closes_instance_metadata_only,
    metadata_policies,
)
from tools.engine.harness import PROJECT_ROOT, ProgramRun, Registration
from tools.engine.mocks import is_secret
from tools.engine.plan import build_plan
from tools.preview import main as preview_main
from tools.engine.stack_config import OFFLINE_SECRET_PLACEHOLDER

RELEASE = "kubernetes:helm.sh/v3:Release"
NAMESPACE = "kubernetes:core/v1:Namespace"
TEAM_A = {"name": "team-a", "listenerId": "6f1b3c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e",
          "workspaceId": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "namespaces": ["team-a"]}
RESEARCH = {"name": "research", "listenerId": "7a2c4d3f-5e6b-4c7d-9e8f-0a1b2c3d4e5f",
            "workspaceId": "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e", "namespaces": ["research", "research-sandbox"]}
HYBRID = {"controlPlane": "us", "domain": "agents.example.com", "hostedZoneId": "Z0000000000000EXAMPLE",
          "gatewayApi": True}


@pytest.fixture(scope="module")
def hybrid_run() -> ProgramRun:
    return run_stack("hybrid")


def dataplane(run: ProgramRun, listener: str) -> Registration:
    return run.one(RELEASE, f"dataplane-{listener}-release")


def with_listeners(*listeners: dict[str, Any], **hybrid: Any) -> dict[str, Any]:
    return {"hybrid": {**HYBRID, **hybrid, "listeners": list(listeners)}}


def config_error(overrides: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        run_stack("hybrid", overrides)
    return err.value


def test_each_listener_gets_a_pinned_release_with_its_values(hybrid_run: ProgramRun):
    for listener, namespaces in (("team-a", "team-a"), ("research", "research,research-sandbox")):
        r = dataplane(hybrid_run, listener).inputs
        assert (r["chart"], r["version"]) == ("langgraph-dataplane", versions.LANGGRAPH_DATAPLANE.version)
        assert r["repositoryOpts"]["repo"] == "https://langchain-ai.github.io/helm/"
        assert r["namespace"] == f"langgraph-{listener}"
        config = r["values"]["config"]
        expected = TEAM_A if listener == "team-a" else RESEARCH
        assert config == {
            "existingSecretName": f"{listener}-langsmith-api-key",
            "langsmithWorkspaceId": expected["workspaceId"],
            "langgraphListenerId": expected["listenerId"],
            "watchNamespaces": namespaces,
            "enableLGPDeploymentHealthCheck": True,
            "hostBackendUrl": "https://api.host.langchain.com",
            "smithBackendUrl": "https://api.smith.langchain.com",
            "hostQueue": f"host-{listener}",
        }
        assert r["values"]["ingress"] == {"enabled": False}
        assert r["values"]["gateway"] == {"enabled": True, "name": "agents", "namespace": "agents-gateway",
                                          "hostname": f"{listener}.agents.example.com"}
        assert r["values"]["operator"]["kedaEnabled"] is True
        assert r["values"]["listener"]["deployment"]["autoRestart"] is False


def test_api_key_never_reaches_helm_values_or_the_plan(hybrid_run: ProgramRun):
    for listener in ("team-a", "research"):
        values = dataplane(hybrid_run, listener).inputs["values"]
        assert not is_secret(values) and "langsmithApiKey" not in json.dumps(values)
    assert OFFLINE_SECRET_PLACEHOLDER not in json.dumps(build_plan(hybrid_run))


def test_api_key_secret_wiring(hybrid_run: ProgramRun):
    secrets = {s.inputs["name"]: s for s in hybrid_run.of_type("aws:secretsmanager/secret:Secret")}
    for listener in ("team-a", "research"):
        secret = secrets[f"ls-hybrid/listener-{listener}-api-key"]
        assert secret.inputs["kmsKeyId"] == hybrid_run.one("aws:kms/key:Key", "keys-secrets").outputs["arn"]
        es = hybrid_run.one("kubernetes:external-secrets.io/v1:ExternalSecret", f"dataplane-{listener}-api-key").inputs
        assert es["metadata"] == {"name": f"{listener}-langsmith-api-key", "namespace": f"langgraph-{listener}",
                                  "annotations": {"pulumi.com/waitFor": "condition=Ready"}}
        assert es["spec"]["data"] == [{"secretKey": "langsmith_api_key", "remoteRef": {"key": secret.outputs["arn"]}}]
        release = dataplane(hybrid_run, listener)
        assert hybrid_run.one("kubernetes:external-secrets.io/v1:ExternalSecret",
                              f"dataplane-{listener}-api-key").urn in release.dependencies
        # the listener's store reads its own key, and no other listener's
        reader = json.loads(hybrid_run.one("aws:iam/rolePolicy:RolePolicy",
                                           f"dataplane-{listener}-secret-store-reader-policy").inputs["policy"])
        readable = {s["Sid"]: s for s in reader["Statement"]}["ReadTheNamespacesSecrets"]["Resource"]
        assert readable == [secret.outputs["arn"]]


CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
LGP_CRD = "langgraph-operator-crd"


def chart_crd() -> dict[str, Any]:
    """The LGP CRD as langgraph-dataplane renders it at the pinned version (derived data file)."""
    data = lgp_crd()
    assert data["source"] == {"repository": "langchain-ai/helm",
                              "ref": f"langgraph-dataplane-{versions.LANGGRAPH_DATAPLANE.version}",
                              "path": "charts/langgraph-dataplane/templates/operator/crds.yaml"}
    return data["crd"]


def test_the_operator_crd_is_installed_once_outside_every_release(hybrid_run: ProgramRun):
    crd = hybrid_run.one(CRD, LGP_CRD)
    expected = chart_crd()
    assert crd.inputs["metadata"]["name"] == expected["metadata"]["name"] == "lgps.apps.langchain.ai"
    assert crd.inputs["spec"] == expected["spec"]
    assert crd.inputs["spec"]["names"]["kind"] == "LGP"
    # owned by the stack, not by a listener's component
    assert not crd.parent or "DataPlane" not in crd.parent
    for listener in ("team-a", "research"):
        release = dataplane(hybrid_run, listener)
        assert release.inputs["values"]["operator"]["createCRDs"] is False
        assert crd.urn in release.dependencies


def test_the_crd_is_adopted_where_a_listener_release_installed_it_and_kept_on_delete(hybrid_run: ProgramRun):
    """An existing hybrid stack has the CRD already (installed by its `ownsCrds` listener's
    release). pulumi-kubernetes 4.29+ creates client-side: without upsertExistingObjects the CRD's
    create fails with AlreadyExists. Deleting the CRD deletes every listener's LGPs, and on a
    destroy the operator is gone first, so the CRD is kept, as the chart's resource-policy keeps it."""
    assert versions_tuple(_installed("pulumi_kubernetes")) >= (4, 29)
    crd = hybrid_run.one(CRD, LGP_CRD)
    assert crd.inputs["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    # An older chart's CRD, applied by Helm, owns fields whose values differ: the apply forces them.
    assert crd.inputs["metadata"]["annotations"]["pulumi.com/patchForce"] == "true"
    assert crd.inputs["metadata"]["annotations"]["pulumi.com/waitFor"] == "condition=Established"
    assert crd.retain_on_delete
    providers = {p.urn: p for p in hybrid_run.of_type("pulumi:providers:kubernetes")}
    (adopting,) = [p for urn, p in providers.items() if (crd.provider or "").startswith(urn + "::")]
    assert adopting.inputs["upsertExistingObjects"] in (True, "true")  # provider inputs arrive as strings
    # Same cluster, same identity as the main provider.
    (main,) = [p for p in providers.values() if p is not adopting]
    assert adopting.inputs["clusterIdentifier"] == main.inputs["clusterIdentifier"]
    assert adopting.inputs["kubeconfig"] == main.inputs["kubeconfig"]
    # Only what an earlier stack left to Helm upserts (the CRD, the Envoy Gateway, External
    # Secrets and KEDA namespaces that Helm's create_namespace made, and the CRDs Helm's first
    # install made from the charts' crds/: tests/test_chart_crds.py), each kept on delete: a renamed
    # resource would otherwise delete the object it just adopted.
    upserting = {urn for urn, p in providers.items() if p.inputs.get("upsertExistingObjects") in (True, "true")}
    adopted = [r for r in hybrid_run.registrations if r.custom
               and any((r.provider or "").startswith(u + "::") for u in upserting)]
    from_crds_dirs = [r.name for r in adopted if r.type == CRD and r is not crd]
    assert from_crds_dirs and all(name.startswith(("addons-aws-load-balancer-controller-crd-",
                                                   "gateway-envoy-gateway-crd-")) for name in from_crds_dirs)
    assert sorted(r.name for r in adopted) == sorted([crd.name, "gateway-system-namespace", *from_crds_dirs,
                                                      "addons-external-secrets-namespace", "addons-keda-namespace"])
    assert all(r.retain_on_delete for r in adopted)
    assert sorted(r.inputs["metadata"]["name"] for r in adopted if r.type == NAMESPACE) == [
        "envoy-gateway-system", "external-secrets", "keda"]


def _installed(dist: str) -> str:
    from importlib.metadata import version
    return version(dist)


def versions_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")[:2])


def test_removing_or_renaming_a_listener_leaves_the_crd(hybrid_run: ProgramRun):
    renamed = {**TEAM_A, "name": "team-b", "listenerId": "8b3d5e4a-6f7c-4d8e-9f0a-1b2c3d4e5f6a"}
    run = run_stack("hybrid", {**with_listeners(renamed), "hybridApiKeys": {"team-b": "lsv2_x"}},
                    secret=("hybridApiKeys",))
    before = hybrid_run.one(CRD, LGP_CRD)
    after = run.one(CRD, LGP_CRD)
    # same URN: Pulumi sees no change to the CRD, so no listener change can delete it
    assert after.urn == before.urn and after.inputs == before.inputs
    assert [r.name for r in run.of_type(RELEASE) if r.name.startswith("dataplane-")] == ["dataplane-team-b-release"]
    assert after.urn in dataplane(run, "team-b").dependencies


def test_owns_crds_is_refused_naming_the_listener():
    (issue,) = config_error(with_listeners(TEAM_A, {**RESEARCH, "ownsCrds": True})).issues
    assert issue.key == "hybrid.listeners[1].ownsCrds" and issue.value is True
    assert "installs the LangGraph operator's LGP CRD once" in issue.allowed


def test_watched_namespaces_are_created_and_labelled(hybrid_run: ProgramRun):
    namespaces = {n.inputs["metadata"]["name"]: n.inputs["metadata"].get("labels", {})
                  for n in hybrid_run.of_type(NAMESPACE)}
    for name, listener in (("team-a", "team-a"), ("research", "research"), ("research-sandbox", "research"),
                           ("langgraph-team-a", "team-a"), ("langgraph-research", "research")):
        assert namespaces[name] == {DATAPLANE_LABEL: "true", "langsmith.com/listener": listener}
    research = dataplane(hybrid_run, "research")
    for ns in hybrid_run.of_type(NAMESPACE):
        if ns.inputs["metadata"]["name"] in ("research", "research-sandbox"):
            assert ns.urn in research.dependencies


def test_gateway_is_behind_the_alb_and_admits_only_data_plane_namespaces(hybrid_run: ProgramRun):
    gateway = hybrid_run.one("kubernetes:gateway.networking.k8s.io/v1:Gateway").inputs
    (listener,) = gateway["spec"]["listeners"]
    assert listener["hostname"] == "*.agents.example.com" and listener["port"] == 80
    assert listener["allowedRoutes"]["namespaces"] == {"from": "Selector",
                                                       "selector": {"matchLabels": {DATAPLANE_LABEL: "true"}}}
    (binding,) = hybrid_run.of_type("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding")
    proxy = hybrid_run.one("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy").inputs
    service = proxy["spec"]["provider"]["kubernetes"]["envoyService"]
    # the binding names the proxies' fixed Service, in the namespace Envoy Gateway creates it in
    assert binding.inputs["spec"]["serviceRef"] == {"name": service["name"], "port": 80}
    assert binding.inputs["metadata"]["namespace"] == proxy["metadata"]["namespace"] == "envoy-gateway-system"
    gateway_class = hybrid_run.one("kubernetes:gateway.networking.k8s.io/v1:GatewayClass").inputs
    assert gateway_class["spec"]["parametersRef"]["namespace"] == "envoy-gateway-system"
    target_group = hybrid_run.one("aws:lb/targetGroup:TargetGroup")
    assert binding.inputs["spec"]["targetGroupARN"] == target_group.outputs["arn"]
    assert target_group.inputs["port"] == ENVOY_HTTP_PORT
    # Envoy's readiness listener at the pinned Envoy Gateway tag, read from its source (not our constant)
    envoy = envoy_gateway_facts(versions.ENVOY_GATEWAY.version)
    assert envoy["source"]["tag"] == versions.ENVOY_GATEWAY.version
    health_check = target_group.inputs["healthCheck"]
    assert health_check["port"] == str(envoy["facts"]["EnvoyReadinessPort"])
    assert health_check["path"] == envoy["facts"]["EnvoyReadinessPath"]
    assert health_check["port"] != str(envoy["facts"]["EnvoyStatsPort"])  # the pre-1.4 port, now stats only
    # the ALB may reach that port on the pods
    egress_ports = {r.inputs["fromPort"] for r in hybrid_run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
                    if "To the pods behind the ALB" in r.inputs.get("description", "")}
    assert envoy["facts"]["EnvoyReadinessPort"] in egress_ports
    cert = hybrid_run.one("aws:acm/certificate:Certificate").inputs
    assert cert["domainName"] == "*.agents.example.com"
    assert hybrid_run.one("aws:wafv2/webAclAssociation:WebAclAssociation")
    https = [l for l in hybrid_run.of_type("aws:lb/listener:Listener") if l.inputs["port"] == 443][0]
    assert https.inputs["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")


def test_releases_wait_for_keda_eso_and_the_gateway(hybrid_run: ProgramRun):
    keda = hybrid_run.one(RELEASE, "addons-keda")
    gateway = hybrid_run.one("kubernetes:gateway.networking.k8s.io/v1:Gateway")
    for listener in ("team-a", "research"):
        deps = dataplane(hybrid_run, listener).dependencies
        assert keda.urn in deps and gateway.urn in deps


def test_cluster_prerequisites(hybrid_run: ProgramRun):
    names = {r.name for r in hybrid_run.of_type(RELEASE)}
    assert {"addons-keda", "addons-cluster-autoscaler", "addons-aws-load-balancer-controller",
            "gateway-envoy-gateway"} <= names
    envoy = hybrid_run.one(RELEASE, "gateway-envoy-gateway").inputs
    assert envoy["chart"] == "oci://docker.io/envoyproxy/gateway-helm" and envoy["version"] == versions.ENVOY_GATEWAY.version
    assert [g.name for g in hybrid_run.of_type("eks:index:ManagedNodeGroup")] == ["cluster-general"]
    assert hybrid_run.of_type("aws:rds/instance:Instance") == []


def test_eu_control_plane_endpoints():
    run = run_stack("hybrid", with_listeners(TEAM_A, controlPlane="eu"))
    config = dataplane(run, "team-a").inputs["values"]["config"]
    assert config["hostBackendUrl"] == "https://eu.api.host.langchain.com"
    assert config["smithBackendUrl"] == "https://eu.api.smith.langchain.com"


def test_intersecting_namespaces_name_both_listeners_and_the_namespace():
    err = config_error(with_listeners(TEAM_A, {**RESEARCH, "namespaces": ["research", "team-a"]}))
    (issue,) = err.issues
    assert issue.key == "hybrid.listeners" and issue.value == "team-a"
    assert "'team-a'" in issue.allowed and "'research'" in issue.allowed and "never intersect" in issue.allowed


@pytest.mark.parametrize(("listeners", "key", "says"), [
    # another listener's release namespace: both would create that Namespace and its NetworkPolicy
    ((TEAM_A, {**RESEARCH, "namespaces": ["research", "langgraph-team-a"]}),
     "hybrid.listeners[1].namespaces[1]", "the release namespace of listener 'team-a'"),
    # its own release namespace: the same component would create it twice
    (({**TEAM_A, "namespaces": ["langgraph-team-a"]}, RESEARCH),
     "hybrid.listeners[0].namespaces[0]", "its own release namespace"),
    # a duplicate in one list: two resources with one URN
    (({**TEAM_A, "namespaces": ["team-a", "team-a"]}, RESEARCH),
     "hybrid.listeners[0].namespaces[1]", "listed twice"),
])
def test_a_namespace_belongs_to_one_listener(listeners: tuple[dict[str, Any], ...], key: str, says: str):
    (issue,) = config_error(with_listeners(*listeners)).issues
    assert issue.key == key and says in issue.allowed


def test_intersecting_namespaces_exit_two_in_the_preview(tmp_path):
    text = (PROJECT_ROOT / "stacks" / "Pulumi.hybrid.yaml").read_text()
    path = tmp_path / "Pulumi.hybrid.yaml"
    path.write_text(text.replace("namespaces: [research, research-sandbox]", "namespaces: [research, team-a]"))
    err = io.StringIO()
    assert preview_main(["--config-file", str(path), "--quiet"], out=io.StringIO(), err=err) == 2
    assert "namespace 'team-a' is watched by both listener 'team-a' and listener 'research'" in err.getvalue()


def test_listener_without_workspace_is_an_error():
    listener = {k: v for k, v in RESEARCH.items() if k != "workspaceId"}
    (issue,) = config_error(with_listeners(TEAM_A, listener)).issues
    assert issue.key == "hybrid.listeners[1].workspaceId" and "required" in issue.allowed


def test_duplicate_listener_ids_are_an_error():
    (issue,) = config_error(with_listeners(TEAM_A, {**RESEARCH, "listenerId": TEAM_A["listenerId"]})).issues
    assert issue.key == "hybrid.listeners[1].listenerId" and "unique" in issue.allowed


def test_multi_namespace_listener_needs_the_gateway_api():
    err = config_error(with_listeners(TEAM_A, RESEARCH, gatewayApi=False))
    keys = {i.key: i for i in err.issues}
    assert "several namespaces needs hybrid.gatewayApi: true" in keys["hybrid.listeners[1].namespaces"].allowed


def test_every_listener_needs_an_api_key():
    run_overrides = with_listeners(TEAM_A, RESEARCH, {**RESEARCH, "name": "third",
                                                      "listenerId": "8b3d5e4a-6f7c-4d8e-9f0a-1b2c3d4e5f6a",
                                                      "namespaces": ["third"]})
    err = config_error(run_overrides)
    (issue,) = [i for i in err.issues if i.key == "hybridApiKeys"]
    assert "missing: third" in issue.allowed and issue.value == "[redacted]"


def test_agent_listener_and_gateway_pods_cannot_reach_instance_metadata(hybrid_run: ProgramRun):
    policies = metadata_policies(hybrid_run)
    # agents run user code: every watched namespace, each listener's home, and both gateway namespaces
    assert set(policies) == {"team-a", "research", "research-sandbox", "langgraph-team-a", "langgraph-research",
                             "agents-gateway", "envoy-gateway-system", "external-secrets", "keda"}
    for spec in policies.values():
        assert_closes_instance_metadata_only(spec)
    by_namespace = {p.inputs["metadata"]["namespace"]: p.urn for p in hybrid_run.of_type(NETWORK_POLICY)
                    if p.inputs["metadata"]["name"] == "deny-instance-metadata"}
    for listener, namespaces in (("team-a", ["team-a"]), ("research", ["research", "research-sandbox"])):
        deps = dataplane(hybrid_run, listener).dependencies
        assert all(by_namespace[n] in deps for n in [*namespaces, f"langgraph-{listener}"])
    assert by_namespace["envoy-gateway-system"] in hybrid_run.one(RELEASE, "gateway-envoy-gateway").dependencies


def test_envoy_proxies_get_readiness_gates_behind_their_target_group_binding(hybrid_run: ProgramRun):
    namespaces = {n.inputs["metadata"]["name"]: n for n in hybrid_run.of_type(NAMESPACE)}
    (binding,) = hybrid_run.of_type(TARGET_GROUP_BINDING)
    served = namespaces[binding.inputs["metadata"]["namespace"]]
    key_, value = POD_READINESS_GATE_LABEL
    assert served.inputs["metadata"]["labels"] == {key_: value}
    # Helm no longer creates it (it could not label it); the proxies' controller waits for it and the webhook
    envoy = hybrid_run.one(RELEASE, "gateway-envoy-gateway")
    assert envoy.inputs.get("createNamespace") in (None, False)
    assert served.urn in envoy.dependencies
    assert hybrid_run.one(RELEASE, "addons-aws-load-balancer-controller").urn in envoy.dependencies
