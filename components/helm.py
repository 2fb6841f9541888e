"""Every Helm release the stack installs: a pinned chart, atomic, cleaned up on failure."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.versions import HelmChart


def helm_release(resource_name: str, *, release_name: str, chart: HelmChart, namespace: str,
                 values: Mapping[str, Any], provider: k8s.Provider, parent: pulumi.Resource, timeout: int,
                 depends_on: Sequence[pulumi.Resource] = (), create_namespace: bool = False,
                 wait_for_jobs: bool = False, max_history: int | None = 10) -> k8s.helm.v3.Release:
    """A Helm release of `chart`; an oci:// repository is part of the chart reference itself."""
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
        atomic=True,
        cleanup_on_fail=True,
        wait_for_jobs=wait_for_jobs or None,
        timeout=timeout,
        max_history=max_history,
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
    )
