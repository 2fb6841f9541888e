"""The langsmith release's values rendered with the real chart at the pinned tag (the vendored
source, tools/engine/render.py), with LangSmith Deployment off (prod) and on (the prod example with
`langsmith.deployments` enabled): the chart's own validate.yaml accepts them and every object it
renders validates against Kubernetes 1.35 and the pinned CRDs."""

from __future__ import annotations

import pytest

from components import versions
from components.langsmith_values import NAMESPACE, RELEASE_NAME
from tests.test_agent_server import values_of
from tests.test_kubernetes_schema import validate
from tools.engine.harness import ProgramRun, Registration
from tools.engine.render import by_kind, render


def langsmith_release(run: ProgramRun) -> Registration:
    (release,) = [r for r in run.of_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == "langsmith"]
    return release


@pytest.fixture(scope="module")
def rendered(prod_run: ProgramRun, deployments_run: ProgramRun) -> dict[str, list[dict]]:
    return {name: render(versions.LANGSMITH.chart, versions.LANGSMITH.version, release=RELEASE_NAME,
                         namespace=NAMESPACE, values=values_of(langsmith_release(run)))
            for name, run in (("off", prod_run), ("on", deployments_run))}


@pytest.mark.parametrize("deployments", ["off", "on"])
def test_every_rendered_object_validates(rendered: dict[str, list[dict]], deployments: str):
    objects = rendered[deployments]
    assert f"{RELEASE_NAME}-backend" in by_kind(objects)["Deployment"]
    assert f"{RELEASE_NAME}-clickhouse" in by_kind(objects)["StatefulSet"]
    for obj in objects:
        validate(obj)


def test_deployments_add_their_workloads_and_route_through_the_gateway(rendered: dict[str, list[dict]]):
    off, on = by_kind(rendered["off"]), by_kind(rendered["on"])
    added = {f"{RELEASE_NAME}-{c}" for c in ("host-backend", "listener", "operator")}
    assert added <= set(on["Deployment"]) and not added & set(off["Deployment"])
    assert "HTTPRoute" in on and "HTTPRoute" not in off and "Ingress" not in on
    # The operator's CRD is the stack's (installed once, outside the release), never the chart's.
    assert "CustomResourceDefinition" not in on
