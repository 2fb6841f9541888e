"""Derive a chart's facts from its real source, at a tag, into a data file the tests and checks read.

    python -m data.charts.generate --repo /path/to/langchain-ai/helm.git --chart langsmith --tag langsmith-0.16.11

`--repo` is a git directory (a bare mirror is fine) of github.com/langchain-ai/helm. The output
(`data/charts/<chart>-<version>.json` by default) records, for the chart at that tag:

- `valuePaths`: every leaf path its values.yaml defines (empty maps and lists count as leaves);
  `openMaps`: the paths whose default is an empty map, under which any key is copied verbatim
  (annotations, nodeSelector...). A value we set outside both is a value the chart ignores.
- `workloads`: each Deployment, StatefulSet, DaemonSet and Job the templates render, with the
  template conditions that enable it, where its replicas and resources come from, and its Helm
  hook (post-install / pre-upgrade jobs);
- `defaults`: the chart's default for every value those conditions, replicas and resources read;
- `templateOnlyPaths`: paths the templates read (`.Values.a.b`) that values.yaml does not define
  (langgraph-cloud reads `apiServer.pdb.maxUnavailable` with no default, for one): real settings
  the value check must accept although values.yaml lacks them.

With `--vendor`, it also copies the chart's source at the tag (Chart.yaml, values.yaml, templates/,
the repository's LICENSE) to `data/charts/src/<chart>-<version>/` with a SOURCE.json naming the
commit: `tools/engine/render.py` renders releases with it (no network in CI).

It is derived data (paths, conditions, numbers), not the chart's code; the source repository,
tag and commit are recorded in the file.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from components.chart_facts import leaf_paths_and_open_maps, lookup

SOURCE_REPOSITORY = "https://github.com/langchain-ai/helm"
DATA_DIR = Path(__file__).resolve().parent  # the facts live beside their generator
VENDOR_DIR = DATA_DIR / "src"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job")

_ACTION = re.compile(r"^\s*\{\{-?\s*(if|else if|else|end|with|range|define)\b(.*?)-?\}\}\s*$")
_KIND = re.compile(r"^kind:\s*(\w+)\s*$")
_RESOURCES = re.compile(r"toYaml\s+\.Values\.([\w.]+?\.resources)\b")
_REPLICAS_PATH = re.compile(r"^\s{2}replicas:\s*\{\{\s*\.Values\.([\w.]+)\s*\}\}")
_REPLICAS_FIXED = re.compile(r"^\s{2}replicas:\s*(\d+)\s*$")
_HOOK = re.compile(r'"helm\.sh/hook":\s*"?([\w, -]+?)"?\s*$')
_HOOK_WEIGHT = re.compile(r'"helm\.sh/hook-weight":\s*"?(-?\d+)"?')
_VALUES_REF = re.compile(r"\.Values\.([\w.]+)")


def _git(repo: str, *args: str) -> str:
    return subprocess.run(["git", f"--git-dir={repo}", *args], check=True, capture_output=True, text=True).stdout






def workloads_of(template_path: str, text: str) -> list[dict[str, Any]]:
    """The workload objects one template renders, with the conditions open around each `kind:` line."""
    found: list[dict[str, Any]] = []
    stack: list[tuple[str, str]] = []  # (action, expression)
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        action = _ACTION.match(line)
        if action:
            verb, expression = action[1], action[2].strip()
            if verb == "end":
                if stack:
                    stack.pop()
            elif verb in ("else", "else if"):
                if stack:
                    previous = stack.pop()[1]
                    stack.append(("else", f"not ({previous})" if verb == "else" else expression))
            else:
                stack.append((verb, expression))
            continue
        if line.startswith("---"):
            current = None
            continue
        kind = _KIND.match(line)
        if kind:
            if any(verb == "define" for verb, _ in stack) or kind[1] not in WORKLOAD_KINDS + ("Rollout",):
                current = None
                continue
            # Argo Rollouts are opt-in and never enabled here: the Deployment branch is the one rendered.
            conditions = [expr for verb, expr in stack if verb in ("if", "else") and "rollout.enabled" not in expr]
            if kind[1] == "Rollout":
                current = None
                continue
            current = {"template": template_path, "kind": kind[1], "when": conditions,
                       "replicas": None, "resources": [], "hook": None}
            found.append(current)
            continue
        if current is None:
            continue
        if (m := _REPLICAS_PATH.match(line)) and current["replicas"] is None:
            current["replicas"] = {"path": m[1]}
        elif (m := _REPLICAS_FIXED.match(line)) and current["replicas"] is None:
            current["replicas"] = {"fixed": int(m[1])}
        for m in _RESOURCES.finditer(line):
            if m[1] not in current["resources"]:
                current["resources"].append(m[1])
        if m := _HOOK.search(line):
            current["hook"] = {"events": [e.strip() for e in m[1].split(",")], "weight": 0}
        if (m := _HOOK_WEIGHT.search(line)) and current["hook"] is not None:
            current["hook"]["weight"] = int(m[1])
    for workload in found:
        if workload["kind"] in ("Deployment", "StatefulSet") and workload["replicas"] is None:
            workload["replicas"] = {"fixed": 1}  # Kubernetes' default when the field is absent
        if workload["kind"] == "Job":
            workload["replicas"] = {"fixed": 1}
    return [w for w in found if w["resources"]]


def template_only_paths(templates: list[str], leaves: set[str], open_maps: set[str]) -> list[str]:
    """`.Values.` paths the templates read that are neither a values.yaml path, a map above one,
    nor under an open map."""
    parents = {".".join(p.split(".")[:i]) for p in leaves for i in range(1, p.count(".") + 1)}
    found: set[str] = set()
    for text in templates:
        for path in _VALUES_REF.findall(text):
            path = path.rstrip(".")
            parts = path.split(".")
            if path in leaves or path in parents or any(".".join(parts[:i]) in open_maps or
                                                        ".".join(parts[:i]) in leaves for i in range(1, len(parts))):
                continue
            found.add(path)
    return sorted(found)


def vendor(repo: str, chart: str, tag: str, out_dir: Path) -> Path:
    """The chart's source at `tag` (what `helm template` needs, and the license), with its commit."""
    import io
    import shutil
    import tarfile

    commit = _git(repo, "rev-parse", f"{tag}^{{commit}}").strip()
    base = f"charts/{chart}"
    archive = subprocess.run(["git", f"--git-dir={repo}", "archive", "--format=tar", commit,
                              f"{base}/Chart.yaml", f"{base}/values.yaml", f"{base}/templates", "LICENSE"],
                             check=True, capture_output=True).stdout
    version = yaml.safe_load(_git(repo, "show", f"{commit}:{base}/Chart.yaml"))["version"]
    target = out_dir / f"{chart}-{version}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            relative = member.name.removeprefix(base + "/")
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            extracted = tar.extractfile(member)
            assert extracted is not None
            destination.write_bytes(extracted.read())
    (target / "SOURCE.json").write_text(json.dumps(
        {"repository": SOURCE_REPOSITORY, "tag": tag, "commit": commit, "path": base,
         "generator": f"python -m data.charts.generate --repo <git dir of langchain-ai/helm> --chart {chart} "
                      f"--tag {tag} --vendor"}, indent=1) + "\n")
    return target


def chart_facts(repo: str, chart: str, tag: str) -> dict[str, Any]:
    commit = _git(repo, "rev-parse", f"{tag}^{{commit}}").strip()
    base = f"charts/{chart}"
    values = yaml.safe_load(_git(repo, "show", f"{commit}:{base}/values.yaml")) or {}
    chart_yaml = yaml.safe_load(_git(repo, "show", f"{commit}:{base}/Chart.yaml"))
    leaves, open_maps = leaf_paths_and_open_maps(values)
    templates = [p for p in _git(repo, "ls-tree", "-r", "--name-only", commit, f"{base}/templates").splitlines()
                 if p.endswith((".yaml", ".yml"))]
    workloads: list[dict[str, Any]] = []
    texts: list[str] = []
    for path in templates:
        texts.append(_git(repo, "show", f"{commit}:{path}"))
        workloads.extend(workloads_of(path.removeprefix(base + "/"), texts[-1]))
    helpers = [p for p in _git(repo, "ls-tree", "-r", "--name-only", commit, f"{base}/templates").splitlines()
               if p.endswith(".tpl")]
    texts.extend(_git(repo, "show", f"{commit}:{p}") for p in helpers)
    referenced: set[str] = set()
    for w in workloads:
        for condition in w["when"]:
            referenced |= set(_VALUES_REF.findall(condition))
        if "path" in w["replicas"]:
            referenced.add(w["replicas"]["path"])
        referenced |= set(w["resources"])
    defaults = {path: lookup(values, path) for path in sorted(referenced)}
    return {
        "chart": chart,
        "version": chart_yaml["version"],
        "appVersion": str(chart_yaml.get("appVersion", "")),
        "source": {"repository": SOURCE_REPOSITORY, "tag": tag, "commit": commit, "path": base},
        "generator": "python -m data.charts.generate --repo <git dir of langchain-ai/helm> "
                     f"--chart {chart} --tag {tag}",
        "valuePaths": sorted(leaves),
        "openMaps": sorted(open_maps),
        "workloads": sorted(workloads, key=lambda w: (w["template"], w["kind"])),
        "defaults": defaults,
        "templateOnlyPaths": template_only_paths(texts, leaves, open_maps),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.charts.generate",
                                     description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--repo", required=True, help="git directory of github.com/langchain-ai/helm")
    parser.add_argument("--chart", required=True, help="chart directory under charts/, e.g. langsmith")
    parser.add_argument("--tag", required=True, help="release tag, e.g. langsmith-0.16.11")
    parser.add_argument("--out", help="output file (default data/charts/<chart>-<version>.json)")
    parser.add_argument("--vendor", action="store_true",
                        help="also copy the chart's source to data/charts/src/<chart>-<version>/ (for rendering)")
    args = parser.parse_args(argv)
    if args.vendor:
        print(f"vendored {vendor(args.repo, args.chart, args.tag, VENDOR_DIR)}", file=sys.stderr)
    facts = chart_facts(args.repo, args.chart, args.tag)
    out = Path(args.out) if args.out else DATA_DIR / f"{facts['chart']}-{facts['version']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(facts, indent=1, sort_keys=False) + "\n")
    print(f"{out}: {len(facts['valuePaths'])} value paths, {len(facts['workloads'])} workloads", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
