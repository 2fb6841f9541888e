"""The CRDs a pinned chart ships in Helm's `crds/` directory, applied by the stack before its release.

Helm installs `crds/` on a release's first install only and never upgrades it (helm/helm
pkg/action/install.go and upgrade.go), so a chart version bump would leave every existing cluster
on the old CRDs (Envoy Gateway's upgrade guide applies the new CRDs first; the load balancer
controller's 3.5.0 notes mark its CRD update "Action Required"). Instead, each such chart's CRDs,
vendored at the pinned version by data/chart_crds/generate.py as a plain manifest, are applied by
the stack through a pulumi-kubernetes `yaml/v2` ConfigFile that reads that file, created or updated
before the release, which skips them (`skip_crds`) and depends on the ConfigFile: a version bump in
components/versions.py carries its CRDs in the same `pulumi up`.

Why a file rather than one CustomResourceDefinition resource per CRD: the program passes only a
path. The CRD schemas (about 3 MB with their descriptions) never go through the program, which would
serialize every nested field of them on every run (three times the CPU of a run without them), nor
into the offline plan. The provider reads the file and registers one CRD per item, as children of
the ConfigFile; `pulumi preview` shows them.

- Adopted where Helm created them: on a stack deployed before this, Helm's first install made the
  CRDs; the adopting provider (Cluster.adopting_provider: server-side apply, create updates an
  existing object) takes them over, and the manifest's `pulumi.com/patchForce` annotation lets the
  apply take the fields Helm's field manager owns (an apply of different values conflicts otherwise).
- Awaited: each carries `pulumi.com/waitFor: condition=Established` (the provider waits for no CRD
  otherwise), so the release and the custom resources after it find them served.
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

from components.versions import HelmChart

# The directory of Pulumi.yaml: the engine starts every provider plugin in it (see manifest_input).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data" / "chart_crds"
CHARTS_FILE = DATA_DIR / "charts.json"
PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce"
WAIT_FOR_ANNOTATION = "pulumi.com/waitFor"
GENERATE = "python -m data.chart_crds.generate (data/README.md)"


@cache
def census() -> dict[str, Any]:
    """Every pinned chart: its version, the files Helm installs from its crds/, and for a chart with
    such files their provenance and the manifest of its CRDs (data/chart_crds/charts.json)."""
    return json.loads(CHARTS_FILE.read_text())


def ships_crds(chart: HelmChart) -> bool:
    """Does this chart carry CRDs in Helm's crds/ (its own or an enabled subchart's)?"""
    entry = census().get(chart.chart)
    return bool(entry and entry["crdsManifest"])


def manifest_file(chart: HelmChart) -> Path:
    """The vendored manifest of the chart's crds/ CRDs at exactly this version."""
    entry = census().get(chart.chart)
    if entry is None or entry["version"] != chart.version:
        read = entry["version"] if entry else "nothing"
        raise FileNotFoundError(
            f"data/chart_crds/charts.json read {chart.chart} at {read}, but components/versions.py pins "
            f"{chart.version}: its crds/ CRDs are not vendored at the pin; regenerate them: {GENERATE}")
    path = DATA_DIR / entry["crdsManifest"]
    if not path.exists():
        raise FileNotFoundError(f"{path.relative_to(PROJECT_ROOT)}: the CRDs of {chart.chart} {chart.version} are "
                                f"missing; regenerate them: {GENERATE}")
    return path


def manifest_input(chart: HelmChart) -> str:
    """The manifest's path as the ConfigFile's `file` input: relative to the project directory.

    The provider opens a path that is not a URL with os.ReadFile, so relative to its own working
    directory (pulumi/pulumi-kubernetes@9497796 provider/pkg/provider/yaml/v2/yaml.go `Parse`), and the
    engine starts every plugin in the directory of Pulumi.yaml (pulumi/pulumi@1b59498
    sdk/go/common/resource/plugin/plugin.go `newPlugin`: `cmd.Dir = pwd`, given `ctx.Pwd` by
    provider_plugin.go; pkg/engine/project.go `getPwdMain`: the project root unless Pulumi.yaml
    sets `main`, which this project does not, tests/test_chart_crds.py). Relative, the input is the
    same from every checkout and machine; an absolute path would show as a change of every CRD
    ConfigFile whenever another checkout runs `pulumi up`.
    """
    return manifest_file(chart).relative_to(PROJECT_ROOT).as_posix()


def read_manifest(chart: HelmChart) -> list[dict[str, Any]]:
    """The CRDs of the chart's manifest (for tests and tools: the program never parses the file)."""
    document: dict[str, Any] = json.loads(manifest_file(chart).read_text())
    return document["items"]


def apply_chart_crds(name: str, chart: HelmChart, *, provider: k8s.Provider, parent: pulumi.Resource,
                     depends_on: Sequence[pulumi.Resource] = ()) -> k8s.yaml.v2.ConfigFile:
    """The chart's crds/ CRDs at its pinned version, as one ConfigFile named `{name}-crds`.

    `provider` must update an existing object on create (Cluster.adopting_provider): Helm created
    these CRDs on stacks deployed before the stack applied them.

    The ConfigFile is a component the provider builds (a remote component: pulumi-kubernetes
    provider/pkg/provider/yaml/v2/configfile.go `Construct`); what its children get from it (read
    at pulumi/pulumi-kubernetes@9497796, after v4.32.0, and pulumi/pulumi@1b59498, after v3.259.0):
    - the provider: the SDK sends `provider` in the component's providers map (pulumi
      sdk/python/lib/pulumi/runtime/resource.py `prepare_resource`), the component takes it
      (sdk/go/pulumi/provider.go `construct`: `ro.Providers`), and each child, registered with the
      component as parent, inherits it (sdk/go/pulumi/context.go `mergeProviders`).
    - retain_on_delete: passed to the component (`ro.RetainOnDelete`), inherited by each child that
      sets none (pkg/resource/deploy/source_eval.go `inheritFromParent`; "the value propagates to
      every child custom resource of the component", pulumi.com/docs/iac/concepts/resources/
      options/retainondelete/).
    - the wait: `depends_on` the ConfigFile depends on the component itself (a remote component is
      not expanded to its children, runtime/rpc.py `_add_dependency`), whose registration returns
      only when `Construct` does: sdk/go/pulumi/provider.go `construct` calls `pulumiCtx.wait()`,
      which (context.go `wait`) waits for every outstanding RPC, each child's RegisterResource among
      them, and the engine answers those once the child's create or update, await included, is done. The
      ConfigFile docs: "Use [dependsOn] on another resource to make it dependent on the ConfigFile
      and to wait for the resources within the group to be deployed" (pulumi_kubernetes
      yaml/v2/ConfigFile.py).

    The name is part of every child's URN (`{name}-crds:{crd name}`, yaml.go `register`, under the
    ConfigFile's type): renaming it, or moving it to another parent, deletes and re-creates every
    CRD resource in the state (harmless to the cluster: kept on delete and adopted again, but a churn
    of every CRD): give it an alias instead.
    """
    return k8s.yaml.v2.ConfigFile(
        f"{name}-crds",
        file=manifest_input(chart),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on),
                                    retain_on_delete=True),
    )
