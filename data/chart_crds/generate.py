"""Which pinned charts ship CRDs in Helm's `crds/` directory, and those CRDs at the pinned version.

Helm installs the files under a chart's `crds/` (and its enabled subcharts' `crds/`) on the first
install only, and never upgrades or deletes them (helm/helm pkg/chart/chart.go `CRDObjects`: every
file under `crds/` ending .yaml, .yml or .json, then each dependency's; pkg/action/install.go
installs them after `ProcessDependencies` drops the subcharts whose condition is off, and
pkg/action/upgrade.go never reads them). A version bump of such a chart would leave existing
clusters on the old CRDs, so the stack applies them itself (components/chart_crds.py) and the
release skips them. CRDs a chart renders from `templates/` are ordinary release objects, which
Helm upgrades: they need nothing.

Two kinds of output, both generated (never edited by hand):

- `data/chart_crds/charts.json`: every chart of `components/versions.py` (ALL_CHARTS) at its
  pinned version: repository, ref, commit, the files Helm would install from `crds/` (after the
  chart's `.helmignore`), its subcharts and remote dependencies with their conditions; for a chart
  with such files, the provenance of its CRDs (`crdSources`: each file's path and sha256 at the
  ref, and each CRD's name and the sha256 of the document as parsed) and its manifest's name.
- `data/chart_crds/<chart>-<version>.crds.json` for each chart with such files: its CRDs exactly as
  the chart ships them (field descriptions kept: nothing in the program parses them, and
  `kubectl explain` shows them), in the files' order, as one `v1` `List` (a single JSON document:
  unambiguous to every YAML or JSON reader, and expanded item by item by `kubectl apply` and
  pulumi-kubernetes' yaml/v2 ConfigFile). The only change: two annotations on each, `pulumi.com/
  patchForce` (server-side apply takes the fields Helm's field manager owns) and `pulumi.com/waitFor`
  (the create or update waits for the CRD to be Established; see components/chart_crds.py).

Run it against local clones (or `fetch` mirrors) of the chart repositories:

    python -m data.chart_crds.generate --eks-charts DIR --external-secrets DIR --kedacore-charts DIR \\
        --metrics-server DIR --autoscaler DIR --envoy-gateway DIR --langchain-helm DIR --reloader DIR
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.versions import (
    ALL_CHARTS,
    AWS_LOAD_BALANCER_CONTROLLER,
    CLUSTER_AUTOSCALER,
    ENVOY_GATEWAY,
    EXTERNAL_SECRETS,
    KEDA,
    LANGGRAPH_CLOUD,
    LANGGRAPH_DATAPLANE,
    LANGSMITH,
    METRICS_SERVER,
    RELOADER,
    HelmChart,
)
from data.crds.generate import LBC_CHART_COMMIT

DATA_DIR = Path(__file__).resolve().parent  # the data lives beside its generator
CHARTS_FILE = DATA_DIR / "charts.json"
MANIFEST_EXTENSIONS = (".yaml", ".yml", ".json")  # helm/helm pkg/chart/chart.go hasManifestExtension
# The placeholder version Envoy Gateway's Chart.yaml carries in git; its release sets the tag's.
UNRELEASED_CHART_VERSIONS = ("v0.0.0-latest",)


@dataclass(frozen=True)
class ChartSource:
    option: str       # the command-line option naming the repository's git directory
    repository: str   # GitHub owner/name
    ref: str          # the tag (or commit) of the pinned chart version
    path: str         # the chart's directory in the repository


def chart_sources() -> dict[str, ChartSource]:
    """Where each pinned chart's source is, at its pinned version (the refs components/versions.py cites)."""
    return {
        # aws/eks-charts tags no chart releases: the commit "aws-load-balancer-controller: v3.5.0".
        AWS_LOAD_BALANCER_CONTROLLER.chart: ChartSource(
            "--eks-charts", "aws/eks-charts", LBC_CHART_COMMIT, "stable/aws-load-balancer-controller"),
        EXTERNAL_SECRETS.chart: ChartSource(
            "--external-secrets", "external-secrets/external-secrets", f"helm-chart-{EXTERNAL_SECRETS.version}",
            "deploy/charts/external-secrets"),
        KEDA.chart: ChartSource("--kedacore-charts", "kedacore/charts", f"v{KEDA.version}", "keda"),
        METRICS_SERVER.chart: ChartSource(
            "--metrics-server", "kubernetes-sigs/metrics-server", f"metrics-server-helm-chart-{METRICS_SERVER.version}",
            "charts/metrics-server"),
        CLUSTER_AUTOSCALER.chart: ChartSource(
            "--autoscaler", "kubernetes/autoscaler", f"cluster-autoscaler-chart-{CLUSTER_AUTOSCALER.version}",
            "cluster-autoscaler/charts/cluster-autoscaler"),
        ENVOY_GATEWAY.chart: ChartSource("--envoy-gateway", "envoyproxy/gateway", ENVOY_GATEWAY.version,
                                         "charts/gateway-helm"),
        LANGSMITH.chart: ChartSource("--langchain-helm", "langchain-ai/helm", f"langsmith-{LANGSMITH.version}",
                                     "charts/langsmith"),
        LANGGRAPH_DATAPLANE.chart: ChartSource(
            "--langchain-helm", "langchain-ai/helm", f"langgraph-dataplane-{LANGGRAPH_DATAPLANE.version}",
            "charts/langgraph-dataplane"),
        LANGGRAPH_CLOUD.chart: ChartSource(
            "--langchain-helm", "langchain-ai/helm", f"langgraph-cloud-{LANGGRAPH_CLOUD.version}",
            "charts/langgraph-cloud"),
        RELOADER.chart: ChartSource("--reloader", "stakater/Reloader", f"chart-v{RELOADER.version}",
                                    "deployments/kubernetes/chart/reloader"),
    }


def dest(option: str) -> str:
    return option.removeprefix("--").replace("-", "_")


def manifest_file(chart: HelmChart) -> Path:
    return DATA_DIR / f"{chart.chart}-{chart.version}.crds.json"


# Added to every CRD of a manifest (and only these: tests/test_chart_crds.py takes them off again
# and compares each CRD with the digest of the document the chart ships).
# - patchForce: a server-side apply of values that differ from those Helm's field manager owns
#   conflicts unless forced (pulumi/pulumi-kubernetes@9497796 provider/pkg/metadata/annotations.go
#   AnnotationPatchForce).
# - waitFor: the provider awaits no CRD by default (provider/pkg/metadata/overrides.go
#   ReadyCondition: without `pulumi.com/waitFor`, an immediate condition unless
#   PULUMI_K8S_AWAIT_ALL; CRDs are not among provider/pkg/await/awaiters.go's kinds); with it, the
#   create or update waits for the condition, as `kubectl wait --for=condition=Established`
#   (provider/pkg/await/condition/custom.go), before the release that depends on them.
ADDED_ANNOTATIONS = {"pulumi.com/patchForce": "true", "pulumi.com/waitFor": "condition=Established"}
# Kept of each shipped document (every one at the pins holds only these; anything else stops the
# generator): `status` and server-set metadata are the API server's, not the chart's to apply.
DOCUMENT_KEYS = ("apiVersion", "kind", "metadata", "spec")
METADATA_KEYS = ("name", "labels", "annotations")


def document_digest(document: dict[str, Any]) -> str:
    """sha256 of a CRD document in a canonical JSON form (keys sorted, no spaces, UTF-8)."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def with_added_annotations(document: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(document["metadata"])
    metadata["annotations"] = {**(metadata.get("annotations") or {}), **ADDED_ANNOTATIONS}
    return {**document, "metadata": metadata}


def manifest_text(crds: list[dict[str, Any]]) -> str:
    """One `v1` List of the CRDs, one key per line (a version bump's diff reads field by field)."""
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": [with_added_annotations(c) for c in crds]},
                      indent=1, ensure_ascii=False) + "\n"


class Repo:
    def __init__(self, git_dir: str, ref: str) -> None:
        self.git_dir, self.ref = git_dir, ref

    def _git(self, *args: str) -> str:
        return subprocess.run(["git", f"--git-dir={self.git_dir}", *args], check=True, capture_output=True,
                              text=True).stdout

    def commit(self) -> str:
        return self._git("rev-parse", f"{self.ref}^{{commit}}").strip()

    def commit_date(self) -> str:
        return self._git("show", "-s", "--format=%cs", f"{self.ref}^{{commit}}").strip()

    def files(self, path: str) -> list[str]:
        return self._git("ls-tree", "-r", "--name-only", self.ref, "--", path).split()

    def read(self, path: str) -> bytes:
        return subprocess.run(["git", f"--git-dir={self.git_dir}", "show", f"{self.ref}:{path}"], check=True,
                              capture_output=True).stdout

    def text(self, path: str) -> str:
        return self.read(path).decode()


def ignored(relative: str, patterns: list[str]) -> bool:
    """Does a `.helmignore` pattern exclude this chart-relative path? (Helm's rules: a pattern with a
    slash matches the relative path, one without matches the base name; a trailing slash, a directory.)"""
    for pattern in patterns:
        if pattern.endswith("/"):
            directory = pattern.rstrip("/")
            parts = relative.split("/")[:-1]
            if any(fnmatch.fnmatch(p, directory) for p in parts) or relative.startswith(directory + "/"):
                return True
        elif "/" in pattern:
            if fnmatch.fnmatch(relative, pattern.lstrip("/")):
                return True
        elif fnmatch.fnmatch(posixpath.basename(relative), pattern):
            return True
    return False


def helmignore(repo: Repo, chart_path: str, files: list[str]) -> list[str]:
    if f"{chart_path}/.helmignore" not in files:
        return []
    patterns = [line.strip() for line in repo.text(f"{chart_path}/.helmignore").splitlines()]
    patterns = [p for p in patterns if p and not p.startswith("#")]
    if any(p.startswith("!") for p in patterns):
        raise NotImplementedError(f"{chart_path}/.helmignore negates a pattern: read it by hand")
    return patterns


def values_default(values: dict[str, Any], condition: str | None) -> bool | None:
    """The chart's default for a dependency condition (`a.b` in values.yaml); None: not set (enabled)."""
    if not condition:
        return None
    node: Any = values
    for part in condition.split(",")[0].strip().split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return bool(node)


def chart_values(repo: Repo, chart_path: str, files: list[str]) -> tuple[str | None, dict[str, Any]]:
    """values.yaml, or the template Envoy Gateway generates it from at release (values.tmpl.yaml)."""
    for name in ("values.yaml", "values.tmpl.yaml"):
        if f"{chart_path}/{name}" in files:
            return name, yaml.safe_load(repo.text(f"{chart_path}/{name}")) or {}
    return None, {}


def describe_chart(repo: Repo, chart_path: str, root: str | None = None,
                   root_ignores: list[str] | None = None) -> dict[str, Any]:
    """The chart's crds/ files (with its subcharts', recursively), as Helm loads them from the package:
    `helm package` applies the root chart's `.helmignore` to the whole tree, subcharts included."""
    files = repo.files(chart_path)
    if root is None or root_ignores is None:
        root, root_ignores = chart_path, helmignore(repo, chart_path, files)
    metadata = yaml.safe_load(repo.text(f"{chart_path}/Chart.yaml"))
    crd_files = sorted(f for f in files if f.startswith(f"{chart_path}/crds/")
                       and f.lower().endswith(MANIFEST_EXTENSIONS)
                       and not ignored(posixpath.relpath(f, root), root_ignores))
    values_file, values = chart_values(repo, chart_path, files)
    packaged = sorted(f for f in files if f.startswith(f"{chart_path}/charts/") and f.endswith(".tgz"))
    if packaged:
        raise NotImplementedError(f"{chart_path}: packaged subcharts {packaged}: unpack and read them")
    subcharts: list[dict[str, Any]] = []
    remote: list[dict[str, Any]] = []
    for dependency in metadata.get("dependencies") or []:
        condition = dependency.get("condition")
        entry = {"name": dependency["name"], "condition": condition,
                 "conditionDefault": values_default(values, condition), "valuesFile": values_file}
        repository = dependency.get("repository") or ""
        if repository and not repository.startswith("file://"):
            remote.append({**entry, "repository": repository, "version": dependency.get("version")})
            continue
        sub_path = posixpath.normpath(posixpath.join(chart_path, repository[len("file://"):])) \
            if repository else f"{chart_path}/charts/{dependency['name']}"
        sub = describe_chart(repo, sub_path, root, root_ignores)
        subcharts.append({**entry, "path": sub_path,
                          **{k: sub[k] for k in ("crdFiles", "subcharts", "remoteDependencies")}})
    return {"name": metadata["name"], "chartYamlVersion": str(metadata.get("version")), "crdFiles": crd_files,
            "subcharts": subcharts, "remoteDependencies": remote}


def all_crd_files(described: dict[str, Any]) -> list[str]:
    """The files Helm installs from crds/: the chart's, then each subchart's (conditions are checked
    against the release values by tests/test_chart_crds.py)."""
    files = list(described["crdFiles"])
    for sub in described["subcharts"]:
        files += all_crd_files(sub)
    return files


def crds_of(repo: Repo, files: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(each file with its sha256 and its CRDs' names and digests, every CRD as the file has it)."""
    sources: list[dict[str, Any]] = []
    crds: list[dict[str, Any]] = []
    for path in files:
        raw = repo.read(path)
        documents = [d for d in yaml.load_all(raw.decode(), Loader=yaml.CSafeLoader) if d]
        others = [d.get("kind") for d in documents if d.get("kind") != "CustomResourceDefinition"]
        if others:
            raise NotImplementedError(f"{path}: Helm would create these from crds/ too: {others}")
        for document in documents:
            extra = [k for k in document if k not in DOCUMENT_KEYS]
            extra += [f"metadata.{k}" for k in document["metadata"] if k not in METADATA_KEYS]
            if extra:
                raise NotImplementedError(f"{path}: {document['metadata']['name']} carries {extra}: decide "
                                          "whether the stack applies them")
            if set(ADDED_ANNOTATIONS) & set(document["metadata"].get("annotations") or {}):
                raise NotImplementedError(f"{path}: {document['metadata']['name']} sets {list(ADDED_ANNOTATIONS)}")
        sources.append({"path": path, "sha256": hashlib.sha256(raw).hexdigest(),
                        "crds": [{"name": d["metadata"]["name"], "sha256": document_digest(d)} for d in documents]})
        crds += documents
    return sources, crds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.chart_crds.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sources = chart_sources()
    for option in sorted({s.option for s in sources.values()}):
        parser.add_argument(option, dest=dest(option), required=True, help="git directory of the repository")
    args = parser.parse_args(argv)
    census: dict[str, Any] = {}
    for chart in ALL_CHARTS:
        source = sources[chart.chart]
        repo = Repo(getattr(args, dest(source.option)), source.ref)
        described = describe_chart(repo, source.path)
        if described["name"] != chart.chart or described["chartYamlVersion"] not in (
                chart.version, *UNRELEASED_CHART_VERSIONS):
            raise ValueError(f"{source.repository}@{source.ref}:{source.path}/Chart.yaml is "
                             f"{described['name']} {described['chartYamlVersion']}, not {chart.chart} {chart.version}")
        files = all_crd_files(described)
        origin = {"repository": source.repository, "ref": source.ref, "commit": repo.commit(),
                  "date": repo.commit_date(), "path": source.path}
        census[chart.chart] = {"version": chart.version, "source": origin, **described,
                               "crdsManifest": manifest_file(chart).name if files else None}
        if files:
            file_sources, crds = crds_of(repo, files)
            census[chart.chart]["crdSources"] = file_sources
            manifest_file(chart).write_text(manifest_text(crds))
            print(f"wrote {len(crds)} CRDs of {chart.chart} {chart.version} to {manifest_file(chart).name}")
    CHARTS_FILE.write_text(json.dumps(census, sort_keys=True, indent=1) + "\n")
    print(f"wrote {CHARTS_FILE.name}: {len(census)} charts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
