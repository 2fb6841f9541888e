"""Every Helm release the stack installs: a pinned chart, cleaned up on failure.

By default a release is atomic and Pulumi waits for its resources to be ready (Helm `--wait`):
right for controllers whose CRDs and webhooks the next resources need. A chart that creates its
own schema in `post-install` hooks must not wait: Helm runs post-install hooks only after the
wait succeeds (and `atomic` implies the wait), so its Deployments would wait for a schema the
hooks never get to create. Such a release passes `await_readiness=False` and checks readiness
itself afterwards (see `components.langsmith`).

A chart with CRDs in Helm's `crds/` directory (data/chart_crds/charts.json) gets them from the
stack instead (components/chart_crds.py): Helm installs that directory on the first install only
and never upgrades it. Its release skips them (`skip_crds`) and depends on them.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.chart_crds import ships_crds
from components.versions import HelmChart


def helm_release(resource_name: str, *, release_name: str, chart: HelmChart, namespace: str,
                 values: Mapping[str, Any], provider: k8s.Provider, parent: pulumi.Resource, timeout: int,
                 depends_on: Sequence[pulumi.Resource] = (), create_namespace: bool = False,
                 wait_for_jobs: bool = False, max_history: int | None = 10,
                 await_readiness: bool = True,
                 crds: Sequence[k8s.apiextensions.v1.CustomResourceDefinition] = ()) -> k8s.helm.v3.Release:
    """A Helm release of `chart`; an oci:// repository is part of the chart reference itself.

    `await_readiness=False`: no Helm wait (pulumi-kubernetes `skipAwait`, which sets Helm's
    `Wait` to false) and no `atomic` (Helm's install turns `Wait` back on when `Atomic` is set,
    and would uninstall everything on a timeout). Helm still waits for every hook Job.

    `crds`: the chart's crds/ CRDs as the stack applies them (components.chart_crds.apply_chart_crds),
    required for a chart that ships them.
    """
    if ships_crds(chart) and not crds:
        raise ValueError(f"chart {chart.chart} {chart.version} ships CRDs in crds/ (data/chart_crds/charts.json), "
                         "which Helm never upgrades: apply them with components.chart_crds.apply_chart_crds "
                         "and pass them as `crds`")
    oci = chart.repository.startswith("oci://")
    return k8s.helm.v3.Release(
        resource_name,
        name=release_name,
        chart=f"{chart.repository}/{chart.chart}" if oci else chart.chart,
        version=chart.version,
        repository_opts=None if oci else k8s.helm.v3.RepositoryOptsArgs(repo=chart.repository),
        namespace=namespace,
        create_namespace=create_namespace,
        values=dict(values),
        atomic=await_readiness,
        skip_await=None if await_readiness else True,
        cleanup_on_fail=True,
        wait_for_jobs=(wait_for_jobs and await_readiness) or None,
        timeout=timeout,
        max_history=max_history,
        skip_crds=True if crds else None,
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=[*crds, *depends_on]),
    )
