"""Every pinned chart, image and add-on fits the cluster's Kubernetes version, by its own documentation."""

from __future__ import annotations

from datetime import date

import pytest

from components import versions
from components.versions import KUBERNETES_SUPPORT, KUBERNETES_VERSION, HelmChart, KubernetesSupport
from tests.conftest import run_stack
from tools.engine.harness import ProgramRun


def minor(version: str) -> tuple[int, int]:
    major, minor_, *_ = version.lstrip("v").split(".")
    return int(major), int(minor_)


def supports(row: KubernetesSupport, kubernetes: str) -> bool:
    k = minor(kubernetes)
    return (row.oldest is None or minor(row.oldest) <= k) and (row.newest is None or k <= minor(row.newest))


def pins() -> list[str]:
    """Every pin the module declares, found by walking it, so a new constant cannot skip the table."""
    charts = [value for value in vars(versions).values() if isinstance(value, HelmChart)]
    assert set(charts) == set(versions.ALL_CHARTS), "every HelmChart pin must be listed in ALL_CHARTS"
    images = [value for name, value in vars(versions).items() if name.endswith("_IMAGE")]
    assert set(images) == set(versions.ALL_IMAGES), "every *_IMAGE pin must be listed in ALL_IMAGES"
    found = versions.all_pins()
    # the LangSmith chart versions the project supports (LANGSMITH_SUPPORTED_VERSIONS), when declared
    for version in getattr(versions, "LANGSMITH_SUPPORTED_VERSIONS", ()):
        found.append(versions.chart_pin(HelmChart(versions.LANGSMITH.repository, versions.LANGSMITH.chart, version)))
    return sorted(set(found))


def pin_problem(pin: str, kubernetes: str) -> str | None:
    """Why `pin` is not vouched for on `kubernetes`, or None."""
    row = KUBERNETES_SUPPORT.get(pin)
    if row is None:
        return f"{pin}: record its Kubernetes support in versions.KUBERNETES_SUPPORT"
    if not row.source.strip():
        return f"{pin}: no source"
    # a row checked for another Kubernetes version proves nothing about this one: raising
    # KUBERNETES_VERSION fails until each pin is re-read (and moved) for the new version
    if row.checked_for != kubernetes:
        return f"{pin} was checked for Kubernetes {row.checked_for}, not {kubernetes}"
    if not supports(row, kubernetes) and not row.outside_documented_range:
        return f"{pin} supports Kubernetes {row.oldest or '?'}-{row.newest or ''}, not {kubernetes}"
    if row.oldest is None and row.newest is None and not row.note:
        return f"{pin}: no range documented; say why none applies"
    return None


@pytest.mark.parametrize("pin", pins())
def test_every_pin_is_documented_for_the_clusters_kubernetes_version(pin: str):
    assert pin_problem(pin, KUBERNETES_VERSION) is None, pin_problem(pin, KUBERNETES_VERSION)


def support_problem(pin: str, today: date) -> str | None:
    """Why `pin` is not supported upstream on `today` (or has no date to be held to), or None."""
    row = KUBERNETES_SUPPORT[pin]
    if row.end_of_life is None and row.review_by is None:
        return f"{pin}: record its end of life (or, where upstream publishes none, a re-check date)"
    if not row.eol_source.strip():
        return f"{pin}: say where its end of life (or support rule) is written"
    if row.end_of_life is not None and today > row.end_of_life:
        return f"{pin} reached end of life on {row.end_of_life} ({row.eol_source}): move to a supported release"
    if row.review_by is not None and today > row.review_by:
        return f"{pin}: re-check upstream support (due {row.review_by}; {row.eol_source})"
    return None


@pytest.mark.parametrize("pin", pins())
def test_every_pin_is_supported_today(pin: str):
    assert support_problem(pin, date.today()) is None, support_problem(pin, date.today())


def test_a_pin_past_its_end_of_life_fails():
    eso = versions.chart_pin(versions.EXTERNAL_SECRETS)
    row = KUBERNETES_SUPPORT[eso]
    assert row.review_by is not None
    assert "re-check upstream" in (support_problem(eso, date.fromordinal(row.review_by.toordinal() + 1)) or "")
    envoy = versions.chart_pin(versions.ENVOY_GATEWAY)
    assert "reached end of life on 2027-02-14" in (support_problem(envoy, date(2027, 2, 15)) or "")
    # the old ESO pin: 2.8 reached end of life on 2026-08-07 (stability-support.md), so it fails today
    old = KubernetesSupport("stability-support.md (2.8: 1.35-1.36)", KUBERNETES_VERSION, "1.35", "1.36",
                            end_of_life=date(2026, 8, 7), eol_source="stability-support.md")
    KUBERNETES_SUPPORT["chart external-secrets 2.8.0"] = old
    try:
        assert "reached end of life" in (support_problem("chart external-secrets 2.8.0", date(2026, 12, 6)) or "")
    finally:
        del KUBERNETES_SUPPORT["chart external-secrets 2.8.0"]


def test_a_pin_outside_its_documented_range_says_why():
    # ESO 2.9 (the supported release) lists Kubernetes 1.36 only: accepted with a reason, not silently
    row = KUBERNETES_SUPPORT[versions.chart_pin(versions.EXTERNAL_SECRETS)]
    assert versions.EXTERNAL_SECRETS.version == "2.9.0"
    assert not supports(row, KUBERNETES_VERSION) and "e2e test matrix" in row.outside_documented_range
    others = [pin for pin, r in KUBERNETES_SUPPORT.items() if r.outside_documented_range]
    assert others == [versions.chart_pin(versions.EXTERNAL_SECRETS)]


def test_the_events_collector_is_a_maintained_release_documented_for_the_cluster():
    """Issue 21: resmoio/kubernetes-event-exporter (no release since 2024, no documented range) gave
    way to the OpenTelemetry Collector, whose Kubernetes components are tested on 1.34 and 1.35."""
    assert not any("resmoio" in pin for pin in pins())
    image = versions.EVENTS_COLLECTOR_IMAGE
    row = KUBERNETES_SUPPORT[versions.image_pin(image)]
    assert (row.oldest, row.newest) == ("1.34", "1.35") and supports(row, KUBERNETES_VERSION)
    assert not row.outside_documented_range
    # no published end of life: the row is re-checked, like every only-the-newest project
    assert row.review_by == versions.NEXT_REVIEW and "every two weeks" in row.eol_source
    assert image == "docker.io/otel/opentelemetry-collector-contrib:0.159.0"


def test_the_table_holds_no_stale_rows():
    assert sorted(KUBERNETES_SUPPORT) == pins()


def test_a_raised_kubernetes_version_fails_until_pins_follow():
    nxt = f"1.{minor(KUBERNETES_VERSION)[1] + 1}"
    assert all(pin_problem(pin, nxt) for pin in pins())
    # a range that ends below the cluster's minor is refused even when re-checked
    assert not supports(KUBERNETES_SUPPORT[versions.chart_pin(versions.KEDA)], nxt)
    old_envoy = KubernetesSupport("envoyproxy/gateway matrix.md (v1.3)", KUBERNETES_VERSION, "1.29", "1.32")
    assert not supports(old_envoy, KUBERNETES_VERSION)
    # a pin missing from the table is named
    assert "record its Kubernetes support" in (pin_problem("chart reloader 2.2.0", KUBERNETES_VERSION) or "")


def test_envoy_gateway_is_on_a_supported_line():
    # v1.3 (the old pin) lists Kubernetes 1.29-1.32 and reached end of life on 2025-07-30
    row = KUBERNETES_SUPPORT[versions.chart_pin(versions.ENVOY_GATEWAY)]
    assert versions.ENVOY_GATEWAY.version == "v1.9.0" and (row.oldest, row.newest) == ("1.33", "1.36")


def test_cluster_autoscaler_minor_matches_the_cluster(prod_run: ProgramRun):
    assert minor(versions.CLUSTER_AUTOSCALER_IMAGE_TAG) == minor(KUBERNETES_VERSION)
    values = prod_run.one("kubernetes:helm.sh/v3:Release", "addons-cluster-autoscaler").inputs["values"]
    assert values["image"]["tag"] == versions.CLUSTER_AUTOSCALER_IMAGE_TAG
    assert versions.CLUSTER_AUTOSCALER_IMAGE.endswith(f":{values['image']['tag']}")


def test_kube_proxy_add_on_matches_the_cluster_minor():
    assert minor(versions.EKS_ADDON_VERSIONS["kube-proxy"]) == minor(KUBERNETES_VERSION)


def test_the_deployed_versions_are_the_pinned_ones(prod_run: ProgramRun):
    """The program deploys what the table vouches for: no version is written anywhere else."""
    hybrid = run_stack("hybrid")
    deployed: set[str] = set()
    for run in (prod_run, hybrid):
        for release in run.of_type("kubernetes:helm.sh/v3:Release"):
            chart = release.inputs["chart"].rsplit("/", 1)[-1]
            deployed.add(f"chart {chart} {release.inputs['version']}")
        for addon in run.of_type("aws:eks/addon:Addon"):
            deployed.add(f"add-on {addon.inputs['addonName']} {addon.inputs['addonVersion']}")
    assert deployed <= set(KUBERNETES_SUPPORT), deployed - set(KUBERNETES_SUPPORT)
