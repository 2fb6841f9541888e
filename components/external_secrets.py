"""External Secrets objects: a namespaced SecretStore on Secrets Manager and the ExternalSecrets that
build Kubernetes Secrets from it. Pulumi waits for each ExternalSecret to be Ready, so whatever
reads the Secret starts after it exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

API_VERSION = "external-secrets.io/v1"
STORE_NAME = "aws-secrets-manager"
WAIT_FOR_READY = {"pulumi.com/waitFor": "condition=Ready"}


@dataclass(frozen=True)
class SecretRef:
    """One value of a Kubernetes Secret, read from Secrets Manager (optionally a JSON property)."""

    secret_arn: pulumi.Input[str]
    property: str | None = None


def secret_store(name: str, *, namespace: str, region: str, provider: k8s.Provider, parent: pulumi.Resource,
                 depends_on: Sequence[pulumi.Resource] = ()) -> k8s.apiextensions.CustomResource:
    """No auth block: the External Secrets controller's IRSA role is used (only the stack's secrets)."""
    return k8s.apiextensions.CustomResource(
        name,
        api_version=API_VERSION,
        kind="SecretStore",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=STORE_NAME, namespace=namespace),
        spec={"provider": {"aws": {"service": "SecretsManager", "region": region}}},
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
    )


def external_secret(name: str, *, namespace: str, target: str, refs: Mapping[str, SecretRef],
                    template: Mapping[str, pulumi.Input[str]] | None, store: k8s.apiextensions.CustomResource,
                    provider: k8s.Provider, parent: pulumi.Resource,
                    refresh_interval: str = "1h") -> k8s.apiextensions.CustomResource:
    data = [
        {"secretKey": key, "remoteRef": {"key": ref.secret_arn, **({"property": ref.property} if ref.property else {})}}
        for key, ref in refs.items()
    ]
    target_spec: dict[str, Any] = {"name": target, "creationPolicy": "Owner", "deletionPolicy": "Retain"}
    if template is not None:
        target_spec["template"] = {"engineVersion": "v2", "data": dict(template)}
    return k8s.apiextensions.CustomResource(
        name,
        api_version=API_VERSION,
        kind="ExternalSecret",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=target, namespace=namespace, annotations=WAIT_FOR_READY),
        spec={"refreshInterval": refresh_interval, "secretStoreRef": {"kind": "SecretStore", "name": STORE_NAME},
              "target": target_spec, "data": data},
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=[store]),
    )
