"""Rendering with the real chart: the pinned helm binary, the vendored chart sources, and every
object they render validated like the program's own (tests/test_kubernetes_schema.py's validator)."""

from __future__ import annotations

import hashlib
import json

import pytest

from components.versions import LANGGRAPH_CLOUD, LANGSMITH
from tools.engine.helm_binary import HELM_SHA256, helm_path
from tools.engine.render import CHARTS_SOURCE_DIR, RenderError, by_kind, chart_source, render
from tests.test_kubernetes_schema import validate

# A langgraph-cloud release as the agent-server shape writes one (placeholders only).
SAMPLE_VALUES = {
    "images": {"apiServerImage": {"repository": "123456789012.dkr.ecr.us-east-1.amazonaws.com/agents/a",
                                  "tag": "v1", "pullPolicy": "IfNotPresent"}},
    "config": {"existingSecretName": "a-keys"},
    "apiServer": {"autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 5, "keda": {"enabled": True}},
                  "pdb": {"enabled": True, "minAvailable": 1}, "service": {"type": "ClusterIP"}},
    "queue": {"enabled": True, "autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 5,
                                               "keda": {"enabled": True}}},
    "postgres": {"external": {"enabled": True, "existingSecretName": "a-postgres"}},
    "redis": {"external": {"enabled": True, "existingSecretName": "a-redis"}},
}


def test_the_helm_binary_is_the_pinned_one():
    assert hashlib.sha256(helm_path().read_bytes()).hexdigest() == HELM_SHA256


@pytest.mark.parametrize("chart", [LANGGRAPH_CLOUD, LANGSMITH])
def test_the_pinned_charts_are_vendored_with_their_source(chart):
    source = chart_source(chart.chart, chart.version)
    assert source["tag"] == f"{chart.chart}-{chart.version}" and len(source["commit"]) == 40
    facts = json.loads((CHARTS_SOURCE_DIR.parent / f"{chart.chart}-{chart.version}.json").read_text())
    assert facts["source"]["commit"] == source["commit"]  # facts and rendering read the same source


def test_langgraph_cloud_renders_and_every_object_validates():
    objects = render(LANGGRAPH_CLOUD.chart, LANGGRAPH_CLOUD.version, release="a", namespace="agents",
                     values=SAMPLE_VALUES)
    assert by_kind(objects) == {
        "ServiceAccount": ["a-langgraph-cloud-api-server", "a-langgraph-cloud-queue"],
        "Service": ["a-langgraph-cloud-api-server"],
        "Deployment": ["a-langgraph-cloud-api-server", "a-langgraph-cloud-queue"],
        "PodDisruptionBudget": ["a-langgraph-cloud-api-server"],
        "ScaledObject": ["a-langgraph-cloud-api-server", "a-langgraph-cloud-queue"],
    }
    for obj in objects:
        validate(obj)


def test_the_charts_own_checks_fail_the_render():
    with pytest.raises(RenderError, match="gateway.name"):
        render(LANGGRAPH_CLOUD.chart, LANGGRAPH_CLOUD.version, release="a", namespace="agents",
               values={**SAMPLE_VALUES, "gateway": {"enabled": True}})


def test_a_wrong_rendered_object_is_refused():
    import jsonschema
    objects = render(LANGGRAPH_CLOUD.chart, LANGGRAPH_CLOUD.version, release="a", namespace="agents",
                     values=SAMPLE_VALUES)
    scaled = next(o for o in objects if o["kind"] == "ScaledObject")
    scaled["spec"]["maxReplicas"] = "five"
    with pytest.raises(jsonschema.ValidationError):
        validate(scaled)
