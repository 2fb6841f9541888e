"""Charts with CRDs in Helm's `crds/` get them from the stack, at the pinned version, before the release.

Helm installs a chart's `crds/` on the first install only and never upgrades it, so a pin raised in
components/versions.py would leave existing clusters on the old CRDs. data/chart_crds/charts.json
records, for every pinned chart, the files Helm would install from `crds/` (derived from the chart's
source at the pin by data/chart_crds/generate.py); each chart that has some gets them applied by the
stack from the vendored copy of that version (components/chart_crds.py), and its release skips them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from components import chart_crds
from components.chart_crds import ESTABLISHED, PATCH_FORCE_ANNOTATION, WAIT_FOR_ANNOTATION, census, vendored
from components.chart_facts import lookup
from components.helm import helm_release
from components.versions import ALL_CHARTS, AWS_LOAD_BALANCER_CONTROLLER, ENVOY_GATEWAY, HelmChart
from data.chart_crds.generate import ignored
from data.crds.generate import SCHEMAS_FILE, strip_descriptions
from tests.conftest import run_stack
from tools.engine.harness import ProgramRun, Registration
from tools.engine.plan import build_plan

ROOT = Path(__file__).resolve().parent.parent
RELEASE = "kubernetes:helm.sh/v3:Release"
CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
# (stack run, release resource name, chart): every release of a chart with crds/, in the stacks that deploy it.
RELEASES_WITH_CRDS = (
    ("prod", "addons-aws-load-balancer-controller", AWS_LOAD_BALANCER_CONTROLLER),
    ("hybrid", "addons-aws-load-balancer-controller", AWS_LOAD_BALANCER_CONTROLLER),
    ("hybrid", "gateway-envoy-gateway", ENVOY_GATEWAY),
    ("prod-deployments", "gateway-envoy-gateway", ENVOY_GATEWAY),
    ("agent-server", "addons-aws-load-balancer-controller", AWS_LOAD_BALANCER_CONTROLLER),
    ("agent-server", "gateway-envoy-gateway", ENVOY_GATEWAY),
)


@pytest.fixture(scope="module")
def runs(prod_run: ProgramRun, deployments_run: ProgramRun) -> dict[str, ProgramRun]:
    return {"prod": prod_run, "prod-deployments": deployments_run, "hybrid": run_stack("hybrid"),
            "agent-server": run_stack("agent-server")}


def charts_with_crds() -> list[HelmChart]:
    return [chart for chart in ALL_CHARTS if census()[chart.chart]["crdsFile"]]


def crd_files(entry: dict[str, Any]) -> list[str]:
    return [*entry["crdFiles"], *(f for sub in entry["subcharts"] for f in crd_files(sub))]


# -- the census and the vendored CRDs follow the pins ----------------------------------------------

@pytest.mark.parametrize("chart", ALL_CHARTS, ids=lambda c: c.chart)
def test_every_pinned_chart_was_read_at_its_pinned_version(chart: HelmChart):
    """A pin raised without rerunning data/chart_crds/generate.py fails here (and names the command)."""
    assert set(census()) == {c.chart for c in ALL_CHARTS}
    entry = census()[chart.chart]
    assert entry["version"] == chart.version, (
        f"{chart.chart} is pinned at {chart.version} but data/chart_crds/charts.json read {entry['version']}: "
        f"rerun {chart_crds.GENERATE}")
    assert chart.version.lstrip("v") in entry["source"]["ref"] or entry["source"]["ref"] == entry["source"]["commit"]


def test_the_charts_with_crds_dirs_are_the_load_balancer_controller_and_envoy_gateway():
    """Found in the charts' source at the pins: the others render their CRDs from templates/ (KEDA,
    External Secrets with installCRDs, the LangGraph operator's) or have none, and Helm upgrades those."""
    assert [c.chart for c in charts_with_crds()] == ["aws-load-balancer-controller", "gateway-helm"]
    assert census()["aws-load-balancer-controller"]["crdFiles"] == [
        "stable/aws-load-balancer-controller/crds/crds.yaml", "stable/aws-load-balancer-controller/crds/gateway-crds.yaml"]
    (subchart,) = census()["gateway-helm"]["subcharts"]
    assert subchart["name"] == "crds" and subchart["condition"] == "crds.enabled" and subchart["conditionDefault"]


@pytest.mark.parametrize("chart", charts_with_crds(), ids=lambda c: c.chart)
def test_the_vendored_crds_are_the_charts_at_the_pin(chart: HelmChart):
    data, entry = vendored(chart), census()[chart.chart]
    assert (data["chart"], data["version"]) == (chart.chart, chart.version)
    assert data["source"] == entry["source"]
    assert [f["path"] for f in data["files"]] == crd_files(entry)
    names = [crd["metadata"]["name"] for crd in data["crds"]]
    assert names == [n for f in data["files"] for n in f["crds"]] and len(set(names)) == len(names)
    for f in data["files"]:
        assert len(f["sha256"]) == 64


def test_a_raised_pin_without_regenerated_crds_stops_the_program():
    bumped = HelmChart(AWS_LOAD_BALANCER_CONTROLLER.repository, AWS_LOAD_BALANCER_CONTROLLER.chart, "3.6.0")
    with pytest.raises(FileNotFoundError, match="aws-load-balancer-controller-3.6.0.json.*data.chart_crds.generate"):
        vendored(bumped)


def test_a_release_of_a_chart_with_crds_refuses_to_go_without_them():
    with pytest.raises(ValueError, match="gateway-helm.*apply_chart_crds"):
        helm_release("x", release_name="x", chart=ENVOY_GATEWAY, namespace="x", values={},
                     provider=None, parent=None, timeout=1)  # type: ignore[arg-type]


# -- the stack applies them, before the release, which skips them --------------------------------

def crds_of(run: ProgramRun, release_name: str) -> list[Registration]:
    return [r for r in run.of_type(CRD) if r.name.startswith(f"{release_name}-crd-")]


@pytest.mark.parametrize("stack,release_name,chart", RELEASES_WITH_CRDS, ids=lambda v: getattr(v, "chart", v))
def test_the_release_skips_its_crds_which_the_stack_applied_first(runs: dict[str, ProgramRun], stack: str,
                                                                 release_name: str, chart: HelmChart):
    run = runs[stack]
    release = run.one(RELEASE, release_name)
    assert release.inputs["version"] == chart.version and release.inputs["chart"].endswith(chart.chart)
    assert release.inputs["skipCrds"] is True
    crds = crds_of(run, release_name)
    expected = {e["metadata"]["name"]: e for e in vendored(chart)["crds"]}
    assert sorted(c.inputs["metadata"]["name"] for c in crds) == sorted(expected)
    for crd in crds:
        wanted = expected[crd.inputs["metadata"]["name"]]
        assert crd.name == f"{release_name}-crd-{wanted['metadata']['name']}"
        assert crd.inputs["spec"] == wanted["spec"]
        assert crd.inputs["metadata"].get("labels") == wanted["metadata"].get("labels")
        # forced over Helm's fields, and awaited until the API server serves the kind (the provider
        # awaits no CRD otherwise) before the release that needs it starts
        assert crd.inputs["metadata"]["annotations"] == {**wanted["metadata"].get("annotations", {}),
                                                         PATCH_FORCE_ANNOTATION: "true",
                                                         WAIT_FOR_ANNOTATION: ESTABLISHED}
        assert crd.urn in release.dependencies
    # The plan shows them first: registered before the release, and among its dependencies.
    plan = build_plan(run)
    order = [r["urn"] for r in plan["resources"]]
    planned_release = next(r for r in plan["resources"] if r["urn"] == release.urn)
    assert max(order.index(c.urn) for c in crds) < order.index(release.urn)
    assert {c.urn for c in crds} <= set(planned_release["dependencies"])


@pytest.mark.parametrize("stack", ["prod", "hybrid"])
def test_crds_are_adopted_forced_and_kept_on_delete(runs: dict[str, ProgramRun], stack: str):
    """Existing clusters have these CRDs from Helm's first install: the create must update them (an
    upserting provider, server-side apply), take Helm's fields (patchForce), and never delete them
    (deleting a CRD deletes every object of its kind; a destroy removes the cluster anyway)."""
    run = runs[stack]
    upserting = {p.urn for p in run.of_type("pulumi:providers:kubernetes")
                 if p.inputs.get("upsertExistingObjects") in (True, "true")
                 and p.inputs.get("enableServerSideApply") in (True, "true")}
    crds = [c for name in ("addons-aws-load-balancer-controller", "gateway-envoy-gateway")
            for c in crds_of(run, name)]
    assert crds
    for crd in crds:
        assert crd.retain_on_delete and not crd.protect
        assert any((crd.provider or "").startswith(u + "::") for u in upserting), crd.name
        assert crd.inputs["metadata"]["annotations"][PATCH_FORCE_ANNOTATION] == "true"


def release_values(run: ProgramRun) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(release name, its chart's census entry, its values) for every release of a pinned chart."""
    by_chart = {c.chart: c for c in ALL_CHARTS}
    for release in run.of_type(RELEASE):
        chart = release.inputs["chart"].rsplit("/", 1)[-1]
        if chart in by_chart and release.inputs["version"] == by_chart[chart].version:
            yield release.name, census()[chart], release.inputs.get("values") or {}


def test_every_dependency_whose_crds_matter_is_as_the_census_assumes(runs: dict[str, ProgramRun]):
    """A subchart whose crds/ the stack applies is enabled (else the stack would apply CRDs the chart
    never would), and a remote dependency (whose crds/ was not read) stays disabled."""
    seen = set()
    for run in runs.values():
        for name, entry, values in release_values(run):
            seen.add(entry["name"])
            for sub in entry["subcharts"]:
                if crd_files(sub):
                    assert lookup(values, sub["condition"]) is not False and sub["conditionDefault"] is not False, name
            for remote in entry["remoteDependencies"]:
                assert not lookup(values, remote["condition"]) and remote["conditionDefault"] is False, (
                    f"{name}: {remote['name']} is enabled, and its crds/ was never read")
    assert {"external-secrets", "gateway-helm", "aws-load-balancer-controller"} <= seen


# -- the CRDs the schema tests validate against are the ones applied -------------------------------

def test_the_schema_tests_use_the_crds_the_stack_applies():
    schemas = json.loads(SCHEMAS_FILE.read_text())
    compared = 0
    for chart in charts_with_crds():
        data = vendored(chart)
        for key, entry in schemas.items():
            source = entry["source"]
            if (source["repository"], source["ref"]) != (data["source"]["repository"], data["source"]["ref"]):
                continue
            group, version, kind = key.rsplit("/", 2)
            (crd,) = [c for c in data["crds"] if c["spec"]["group"] == group and c["spec"]["names"]["kind"] == kind]
            (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
            assert served["schema"]["openAPIV3Schema"] == entry["schema"], key
            compared += 1
    assert compared >= 7  # TargetGroupBinding, Gateway, GatewayClass (2 versions), HTTPRoute, EnvoyProxy, ...


def test_dropping_descriptions_keeps_a_field_named_description():
    schema = {"description": "doc", "properties": {"description": {"type": "string", "description": "doc"},
                                                   "name": {"type": "string"}}}
    assert strip_descriptions(schema) == {"properties": {"description": {"type": "string"}, "name": {"type": "string"}}}
    gateway_class = next(c for c in vendored(ENVOY_GATEWAY)["crds"]
                         if c["metadata"]["name"] == "gatewayclasses.gateway.networking.k8s.io")
    spec = gateway_class["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert spec["properties"]["description"] == {"maxLength": 64, "type": "string"}


def test_helmignore_patterns_follow_helms_rules():
    patterns = ["crds/kustomization.yaml", "*.tmpl.*", ".git/", "*.swp"]
    assert ignored("crds/kustomization.yaml", patterns)
    assert ignored("values.tmpl.yaml", patterns) and ignored("a/b.swp", patterns)
    assert ignored(".git/config", patterns)
    assert not ignored("crds/crds.yaml", patterns) and not ignored("charts/crds/crds/x.yaml", patterns)


# -- the upgrade guide says so ----------------------------------------------------------------------

def test_the_upgrade_guide_needs_no_manual_crd_step():
    text = (ROOT / "docs" / "upgrade.md").read_text()
    assert "python -m data.chart_crds.generate" in text and "skip_crds" in text
    assert not [line for line in text.splitlines() if "kubectl apply" in line and "crd" in line.lower()]
