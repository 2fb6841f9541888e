"""The CRDs a pinned chart ships in Helm's `crds/` directory, applied by the stack before its release.

Helm installs `crds/` on a release's first install only and never upgrades it (helm/helm
pkg/action/install.go and upgrade.go), so a chart version bump would leave every existing cluster
on the old CRDs (Envoy Gateway's upgrade guide applies the new CRDs first; the load balancer
controller's 3.5.0 notes mark its CRD update "Action Required"). Instead, each such chart's CRDs,
vendored at the pinned version by data/chart_crds/generate.py, are CustomResourceDefinitions of the
stack, created or updated before the release, which skips them (`skip_crds`) and depends on them:
a version bump in components/versions.py carries its CRDs in the same `pulumi up`.

- Adopted where Helm created them: on a stack deployed before this, Helm's first install made the
  CRDs; the adopting provider (Cluster.adopting_provider: server-side apply, create updates an
  existing object) takes them over, and `pulumi.com/patchForce` lets the apply take the fields
  Helm's field manager owns (an apply of different values conflicts otherwise).
- Kept on delete (`retain_on_delete`), as Helm keeps them: deleting a CRD deletes every object of
  its kind (every TargetGroupBinding, Gateway, HTTPRoute); on a destroy the controller is gone
  first, so objects with finalizers would leave the deletion hanging. A destroy removes the
  cluster, and the CRDs with it; a CRD a later chart version drops stays in the cluster, unused.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.args_form import from_args
from components.versions import HelmChart

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "chart_crds"
CHARTS_FILE = DATA_DIR / "charts.json"
PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce"
# The provider awaits no CustomResourceDefinition by default (it has no awaiter for the kind and,
# without this annotation, reports it ready at once: pulumi/pulumi-kubernetes provider/pkg/metadata/
# overrides.go ReadyCondition): a release depending on the CRDs could otherwise start its controller
# before the API server serves the new kinds.
WAIT_FOR_ANNOTATION = "pulumi.com/waitFor"
ESTABLISHED = "condition=Established"
GENERATE = "python -m data.chart_crds.generate (data/README.md)"


@cache
def census() -> dict[str, Any]:
    """Every pinned chart: its version and the files Helm installs from its crds/ (data/chart_crds/charts.json)."""
    return json.loads(CHARTS_FILE.read_text())


def ships_crds(chart: HelmChart) -> bool:
    """Does this chart carry CRDs in Helm's crds/ (its own or an enabled subchart's)?"""
    entry = census().get(chart.chart)
    return bool(entry and entry["crdsFile"])


@cache
def vendored(chart: HelmChart) -> dict[str, Any]:
    """The chart's crds/ CRDs at exactly this version ({"source", "files", "crds"})."""
    path = DATA_DIR / f"{chart.chart}-{chart.version}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path.relative_to(DATA_DIR.parent.parent)}: the CRDs of {chart.chart} {chart.version} (components/"
            f"versions.py) are not vendored; regenerate them at the new pin: {GENERATE}")
    data: dict[str, Any] = json.loads(path.read_text())
    if (data["chart"], data["version"]) != (chart.chart, chart.version):
        raise ValueError(f"{path.name} holds {data['chart']} {data['version']}, not {chart.chart} {chart.version}")
    return data


def apply_chart_crds(name: str, chart: HelmChart, *, provider: k8s.Provider, parent: pulumi.Resource,
                     depends_on: Sequence[pulumi.Resource] = ()) -> list[k8s.apiextensions.v1.CustomResourceDefinition]:
    """One CustomResourceDefinition per CRD of the chart's crds/ at its pinned version.

    `provider` must update an existing object on create (Cluster.adopting_provider): Helm created
    these CRDs on stacks deployed before the stack applied them."""
    crds: list[k8s.apiextensions.v1.CustomResourceDefinition] = []
    for crd in vendored(chart)["crds"]:
        metadata = crd["metadata"]
        annotations = {**(metadata.get("annotations") or {}), PATCH_FORCE_ANNOTATION: "true",
                       WAIT_FOR_ANNOTATION: ESTABLISHED}
        crds.append(from_args(
            k8s.apiextensions.v1.CustomResourceDefinition, f"{name}-crd-{metadata['name']}",
            k8s.apiextensions.v1.CustomResourceDefinitionInitArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(name=metadata["name"], labels=metadata.get("labels"),
                                                    annotations=annotations),
                spec=crd["spec"]),
            pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on),
                                   retain_on_delete=True),
        ))
    return crds
