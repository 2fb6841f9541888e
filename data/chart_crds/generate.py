"""Which pinned charts ship CRDs in Helm's `crds/` directory, and those CRDs at the pinned version.

Helm installs the files under a chart's `crds/` (and its enabled subcharts' `crds/`) on the first
install only, and never upgrades or deletes them (helm/helm pkg/chart/chart.go `CRDObjects`: every
file under `crds/` ending .yaml, .yml or .json, then each dependency's; pkg/action/install.go
installs them after `ProcessDependencies` drops the subcharts whose condition is off, and
pkg/action/upgrade.go never reads them). A version bump of such a chart would leave existing
clusters on the old CRDs, so the stack applies them itself (components/chart_crds.py) and the
release skips them. CRDs a chart renders from `templates/` are ordinary release objects, which
Helm upgrades: they need nothing.

Two outputs, both generated (never edited by hand):

- `data/chart_crds/charts.json`: every chart of `components/versions.py` (ALL_CHARTS) at its
  pinned version: repository, ref, commit, the files Helm would install from `crds/` (after the
  chart's `.helmignore`), its subcharts and remote dependencies with their conditions.
- `data/chart_crds/<chart>-<version>.json` for each chart with such files: every CRD in them, field
  descriptions dropped (as data/crds/generate.py does: they are most of the size and would swell
  every plan and the stack's state; the schemas themselves are intact), with each file's path and
  sha256 at the ref.

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
from data.crds.generate import LBC_CHART_COMMIT, strip_descriptions

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


def crds_file(chart: HelmChart) -> Path:
    return DATA_DIR / f"{chart.chart}-{chart.version}.json"


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
    """(each file with its sha256 and CRD names, every CRD with descriptions dropped)."""
    sources: list[dict[str, Any]] = []
    crds: list[dict[str, Any]] = []
    for path in files:
        raw = repo.read(path)
        documents = [d for d in yaml.load_all(raw.decode(), Loader=yaml.CSafeLoader) if d]
        others = [d.get("kind") for d in documents if d.get("kind") != "CustomResourceDefinition"]
        if others:
            raise NotImplementedError(f"{path}: Helm would create these from crds/ too: {others}")
        names = [d["metadata"]["name"] for d in documents]
        sources.append({"path": path, "sha256": hashlib.sha256(raw).hexdigest(), "crds": names})
        for document in documents:
            metadata = {k: v for k, v in document["metadata"].items() if k in ("name", "labels", "annotations")}
            crds.append({"apiVersion": document["apiVersion"], "kind": document["kind"], "metadata": metadata,
                         "spec": strip_descriptions(document["spec"])})
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
                               "crdsFile": crds_file(chart).name if files else None}
        if files:
            file_sources, crds = crds_of(repo, files)
            crds_file(chart).write_text(json.dumps(
                {"chart": chart.chart, "version": chart.version, "source": origin, "files": file_sources,
                 "crds": crds}, sort_keys=True) + "\n")
            print(f"wrote {len(crds)} CRDs of {chart.chart} {chart.version} to {crds_file(chart).name}")
    CHARTS_FILE.write_text(json.dumps(census, sort_keys=True, indent=1) + "\n")
    print(f"wrote {CHARTS_FILE.name}: {len(census)} charts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
