"""Charts with CRDs in Helm's `crds/` get them from the stack, at the pinned version, before the release.

Helm installs a chart's `crds/` on the first install only and never upgrades it, so a pin raised in
components/versions.py would leave existing clusters on the old CRDs. data/chart_crds/charts.json
records, for every pinned chart, the files Helm would install from `crds/` (derived from the chart's
source at the pin by data/chart_crds/generate.py); each chart that has some gets them applied by the
stack from the manifest vendored at that version, through a ConfigFile that reads the file
(components/chart_crds.py), and its release skips them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterator

import kubernetes_validate
import pytest
import yaml

from components import chart_crds
from components.chart_crds import (
    PATCH_FORCE_ANNOTATION,
    WAIT_FOR_ANNOTATION,
    apply_chart_crds,
    census,
    manifest_file,
    manifest_input,
    read_manifest,
)
from components.helm import helm_release
from components.versions import ALL_CHARTS, AWS_LOAD_BALANCER_CONTROLLER, ENVOY_GATEWAY, KUBERNETES_VERSION, HelmChart
from data.chart_crds.generate import ADDED_ANNOTATIONS, document_digest, ignored
from data.crds.generate import SCHEMAS_FILE, strip_descriptions
from tests.conftest import run_stack
from tools.engine.harness import ProgramRun, Registration
from tools.engine.plan import build_plan

ROOT = Path(__file__).resolve().parent.parent
RELEASE = "kubernetes:helm.sh/v3:Release"
CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile"
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
    return [chart for chart in ALL_CHARTS if census()[chart.chart]["crdsManifest"]]


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


def as_shipped(crd: dict[str, Any]) -> dict[str, Any]:
    """A manifest's CRD without the annotations the generator adds: the document the chart ships."""
    shipped = copy.deepcopy(crd)
    annotations = shipped["metadata"]["annotations"]
    for name in ADDED_ANNOTATIONS:
        del annotations[name]
    if not annotations:
        del shipped["metadata"]["annotations"]
    return shipped


@pytest.mark.parametrize("chart", charts_with_crds(), ids=lambda c: c.chart)
def test_the_manifest_holds_the_charts_crds_at_the_pin(chart: HelmChart):
    """Each CRD of the manifest, less the two added annotations, is the document the chart's file
    holds at the pin (the digest the generator took of it, beside the sha256 of the file itself),
    in the files' order, descriptions and all: nothing dropped, nothing edited by hand."""
    entry = census()[chart.chart]
    assert entry["crdsManifest"] == f"{chart.chart}-{chart.version}.crds.json"
    document = json.loads(manifest_file(chart).read_text())
    assert (document["apiVersion"], document["kind"]) == ("v1", "List") and set(document) == {
        "apiVersion", "kind", "items"}
    sources = entry["crdSources"]
    assert [f["path"] for f in sources] == crd_files(entry)
    assert all(len(f["sha256"]) == 64 and int(f["sha256"], 16) >= 0 for f in sources)
    shipped = [c for f in sources for c in f["crds"]]
    items = read_manifest(chart)
    assert [c["metadata"]["name"] for c in items] == [c["name"] for c in shipped]
    assert len({c["name"] for c in shipped}) == len(shipped)
    for crd, recorded in zip(items, shipped):
        assert (crd["apiVersion"], crd["kind"]) == ("apiextensions.k8s.io/v1", "CustomResourceDefinition")
        assert document_digest(as_shipped(crd)) == recorded["sha256"], recorded["name"]
    # Descriptions kept (kubectl explain shows them): every served version's schema has its own.
    assert all(v["schema"]["openAPIV3Schema"].get("description") for c in items for v in c["spec"]["versions"])


@pytest.mark.parametrize("chart", charts_with_crds(), ids=lambda c: c.chart)
def test_every_crd_is_forced_and_awaited(chart: HelmChart):
    """patchForce: the apply takes the fields Helm's field manager owns on clusters where Helm
    created the CRDs; waitFor: the create or update waits until the CRD is Established."""
    for crd in read_manifest(chart):
        annotations = crd["metadata"]["annotations"]
        assert annotations[PATCH_FORCE_ANNOTATION] == "true", crd["metadata"]["name"]
        assert annotations[WAIT_FOR_ANNOTATION] == "condition=Established", crd["metadata"]["name"]


@pytest.mark.parametrize("chart", charts_with_crds(), ids=lambda c: c.chart)
def test_every_crd_of_the_manifest_is_a_valid_object(chart: HelmChart):
    """The CRDs are no resources of the program any more (the ConfigFile's children), so the schema
    tests of every registered object do not see them: checked here, strictly, as those are."""
    for crd in read_manifest(chart):
        kubernetes_validate.validate(crd, f"{KUBERNETES_VERSION}.0", strict=True)


def test_a_raised_pin_without_regenerated_crds_stops_the_program():
    bumped = HelmChart(AWS_LOAD_BALANCER_CONTROLLER.repository, AWS_LOAD_BALANCER_CONTROLLER.chart, "3.6.0")
    expected = "aws-load-balancer-controller at 3.5.0.*pins 3.6.0.*data.chart_crds.generate"
    with pytest.raises(FileNotFoundError, match=expected):
        manifest_file(bumped)
    with pytest.raises(FileNotFoundError, match="3.6.0"):
        apply_chart_crds("x", bumped, provider=None, parent=None)  # type: ignore[arg-type]


def test_a_release_of_a_chart_with_crds_refuses_to_go_without_them():
    with pytest.raises(ValueError, match="gateway-helm.*apply_chart_crds"):
        helm_release("x", release_name="x", chart=ENVOY_GATEWAY, namespace="x", values={},
                     provider=None, parent=None, timeout=1)  # type: ignore[arg-type]


def test_the_manifest_path_resolves_from_the_project_directory():
    """The provider reads a relative `file` against its working directory, which the engine sets to
    the directory of Pulumi.yaml, or to its `main` directory when set (components/chart_crds.py
    manifest_input): no `main` here, and the path is relative, so every checkout sends the same input."""
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert "main" not in project
    for chart in charts_with_crds():
        relative = manifest_input(chart)
        assert not Path(relative).is_absolute() and ".." not in Path(relative).parts
        assert (ROOT / relative).resolve() == manifest_file(chart).resolve() and (ROOT / relative).is_file()


# -- the stack applies them, before the release, which skips them --------------------------------

def crds_of(run: ProgramRun, release_name: str) -> Registration:
    return run.one(CONFIG_FILE, f"{release_name}-crds")


@pytest.mark.parametrize("stack,release_name,chart", RELEASES_WITH_CRDS, ids=lambda v: getattr(v, "chart", v))
def test_the_release_skips_its_crds_which_the_stack_applied_first(runs: dict[str, ProgramRun], stack: str,
                                                                 release_name: str, chart: HelmChart):
    run = runs[stack]
    release = run.one(RELEASE, release_name)
    assert release.inputs["version"] == chart.version and release.inputs["chart"].endswith(chart.chart)
    assert release.inputs["skipCrds"] is True
    crds = crds_of(run, release_name)
    # Exactly the vendored file of the pin, by its project-relative path: nothing else goes in.
    assert crds.inputs == {"file": f"data/chart_crds/{chart.chart}-{chart.version}.crds.json"}
    assert (ROOT / crds.inputs["file"]).is_file()
    assert crds.parent == release.parent  # beside its release: the name and parent are in every child's URN
    assert crds.urn in release.dependencies
    # The plan shows them first: registered before the release, and among its dependencies.
    plan = build_plan(run)
    order = [r["urn"] for r in plan["resources"]]
    planned_release = next(r for r in plan["resources"] if r["urn"] == release.urn)
    assert order.index(crds.urn) < order.index(release.urn)
    assert crds.urn in planned_release["dependencies"]


@pytest.mark.parametrize("stack", ["prod", "hybrid"])
def test_crds_are_adopted_and_kept_on_delete(runs: dict[str, ProgramRun], stack: str):
    """Existing clusters have these CRDs from Helm's first install: the create must update them (an
    upserting provider, server-side apply) and never delete them (deleting a CRD deletes every
    object of its kind; a destroy removes the cluster anyway). The ConfigFile's children take the
    provider and retain_on_delete from it (components/chart_crds.py apply_chart_crds)."""
    run = runs[stack]
    upserting = {p.urn for p in run.of_type("pulumi:providers:kubernetes")
                 if p.inputs.get("upsertExistingObjects") in (True, "true")
                 and p.inputs.get("enableServerSideApply") in (True, "true")}
    config_files = run.of_type(CONFIG_FILE)
    assert sorted(c.name for c in config_files) == sorted(
        f"{name}-crds" for s, name, _ in RELEASES_WITH_CRDS if s == stack)
    for config_file in config_files:
        assert config_file.retain_on_delete and not config_file.protect
        assert any((config_file.provider or "").startswith(u + "::") for u in upserting), config_file.name
    # None of the charts' CRDs is a resource of the program itself any more.
    assert not [r.name for r in run.of_type(CRD) if r.name != "langgraph-operator-crd"]


def test_a_run_stays_light(runs: dict[str, ProgramRun]):
    """The program passes a path, not the CRDs: their schemas (megabytes) would be serialized on every
    run and written into every plan. The hybrid stack runs the most controllers (both charts)."""
    plan = build_plan(runs["hybrid"])
    assert len(json.dumps(plan)) < 400_000
    # The largest input left is the LangGraph operator's LGP CRD (descriptions dropped, about 55 KB).
    sizes = {r["name"]: len(json.dumps(r["inputs"])) for r in plan["resources"]}
    assert max(sizes.values()) < 64_000, max(sizes, key=lambda name: sizes[name])


def release_values(run: ProgramRun) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(release name, its chart's census entry, its values) for every release of a pinned chart."""
    by_chart = {c.chart: c for c in ALL_CHARTS}
    for release in run.of_type(RELEASE):
        chart = release.inputs["chart"].rsplit("/", 1)[-1]
        if chart in by_chart and release.inputs["version"] == by_chart[chart].version:
            yield release.name, census()[chart], release.inputs.get("values") or {}


def lookup(values: dict[str, Any], path: str) -> Any:
    node: Any = values
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


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
        source = census()[chart.chart]["source"]
        crds = read_manifest(chart)
        for key, entry in schemas.items():
            if (entry["source"]["repository"], entry["source"]["ref"]) != (source["repository"], source["ref"]):
                continue
            group, version, kind = key.rsplit("/", 2)
            (crd,) = [c for c in crds if c["spec"]["group"] == group and c["spec"]["names"]["kind"] == kind]
            (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
            assert strip_descriptions(served["schema"]["openAPIV3Schema"]) == entry["schema"], key
            compared += 1
    assert compared >= 7  # TargetGroupBinding, Gateway, GatewayClass (2 versions), HTTPRoute, EnvoyProxy, ...


def test_dropping_descriptions_keeps_a_field_named_description():
    schema = {"description": "doc", "properties": {"description": {"type": "string", "description": "doc"},
                                                   "name": {"type": "string"}}}
    assert strip_descriptions(schema) == {"properties": {"description": {"type": "string"}, "name": {"type": "string"}}}
    gateway_class = next(c for c in read_manifest(ENVOY_GATEWAY)
                         if c["metadata"]["name"] == "gatewayclasses.gateway.networking.k8s.io")
    spec = gateway_class["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert strip_descriptions(spec)["properties"]["description"] == {"maxLength": 64, "type": "string"}
    assert spec["properties"]["description"]["description"]  # the manifest keeps the docs


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
