"""Render a release's values with the real chart, offline: `helm template` over the chart source
vendored at the pinned version (data/charts/src/<chart>-<version>/, see data/charts/generate.py).

    objects = render("langgraph-cloud", "0.3.2", release="agent-a", namespace="agents", values={...})

Returns the Kubernetes objects the chart would install (hooks included), as dicts. A chart's own
`fail` (its validate templates) raises RenderError with Helm's message. Values pass through a
temporary file, never the command line; give placeholders, not real credentials.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Mapping

import yaml

from tools.engine.helm_binary import helm_path

CHARTS_SOURCE_DIR = Path(__file__).resolve().parents[2] / "data" / "charts" / "src"


class RenderError(RuntimeError):
    pass


def chart_dir(chart: str, version: str) -> Path:
    path = CHARTS_SOURCE_DIR / f"{chart}-{version}"
    if not (path / "Chart.yaml").is_file():
        raise FileNotFoundError(
            f"chart {chart} {version} is not vendored at {path}: run `python -m data.charts.generate --repo "
            f"<git dir of langchain-ai/helm> --chart {chart} --tag {chart}-{version} --vendor`")
    return path


def chart_source(chart: str, version: str) -> dict[str, str]:
    """Where the vendored chart came from (repository, tag, commit)."""
    return json.loads((chart_dir(chart, version) / "SOURCE.json").read_text())


def render(chart: str, version: str, *, release: str, namespace: str, values: Mapping[str, Any],
           kube_version: str | None = None) -> list[dict[str, Any]]:
    """The objects `helm install` would create for these values (`helm template`)."""
    source = chart_dir(chart, version)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as values_file:
        # JSON is YAML: no YAML-specific coercion of our strings ("on", "0755") on the way in.
        json.dump(values, values_file)
        values_file.flush()
        command = [str(helm_path()), "template", release, str(source), "--namespace", namespace,
                   "--values", values_file.name]
        if kube_version is not None:
            command += ["--kube-version", kube_version]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RenderError(f"helm template {chart} {version} failed: {done.stderr.strip()}")
    return [doc for doc in yaml.load_all(done.stdout, Loader=yaml.CSafeLoader) if isinstance(doc, dict)]


def by_kind(objects: list[dict[str, Any]]) -> dict[str, list[str]]:
    """kind -> names, for reports and assertions."""
    out: dict[str, list[str]] = {}
    for obj in objects:
        out.setdefault(obj["kind"], []).append(obj["metadata"]["name"])
    return out
