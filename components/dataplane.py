"""One LangGraph data-plane listener: its namespaces, its API key Secret, its Helm release.

The release (listener + operator of the `langgraph-dataplane` chart) lives in its own namespace;
the namespaces it watches are created here and labelled so agent routes may attach to the
Gateway. The LangSmith API key reaches the chart only as an existing Secret, built by External
Secrets from Secrets Manager through the home namespace's own store, whose role may read that
listener's key and nothing else (components/external_secrets.py).

The operator's `LGP` CRD (lgps.apps.langchain.ai) is installed once per cluster by `operator_crd`,
outside every listener release, and every release depends on it: no release renders it
(`operator.createCRDs: false`), so adding, removing or renaming a listener never touches the CRD,
and with it every listener's agents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.args_form import from_args
from components.chart_crds import ESTABLISHED, PATCH_FORCE_ANNOTATION, WAIT_FOR_ANNOTATION
from components.external_secrets import SecretRef, external_secret, namespace_secret_store
from components.helm import helm_release
from components.network_policies import deny_instance_metadata
from components.gateway import DATAPLANE_LABEL, GATEWAY_NAME, GATEWAY_NAMESPACE
from components.versions import LANGGRAPH_DATAPLANE

API_KEY_SECRET_KEY = "langsmith_api_key"
# The CRD exactly as langgraph-dataplane (LANGGRAPH_DATAPLANE.version) renders it, derived from the
# chart by data/crds/generate.py (templates/operator/crds.yaml, guarded by operator.createCRDs).
LGP_CRD_FILE = Path(__file__).resolve().parent.parent / "data" / "crds" / "lgps.apps.langchain.ai.json"


@cache
def lgp_crd() -> dict[str, Any]:
    """The chart's CRD object and where it came from ({"source": ..., "crd": ...})."""
    return json.loads(LGP_CRD_FILE.read_text())


def operator_crd(name: str, *, provider: k8s.Provider, opts: pulumi.ResourceOptions | None,
                 depends_on: Sequence[pulumi.Resource] = ()) -> k8s.apiextensions.v1.CustomResourceDefinition:
    """The LangGraph operator's CRD, once per cluster.

    `provider` must update an existing object on create (Cluster.adopting_provider): on a stack
    where a listener release installed the CRD (ownsCrds, before this resource existed), the CRD
    is already there, and a plain create fails with AlreadyExists. The chart marks it
    `helm.sh/resource-policy: keep`, so that release leaves it when it stops rendering it.

    Kept on delete, as the chart keeps it: deleting a CRD deletes every LGP (every listener's
    agents), and on a destroy the operator is gone before the CRD, so LGPs holding a finalizer
    (the operator's RBAC grants lgps/finalizers) would leave the deletion hanging."""
    crd: dict[str, Any] = lgp_crd()["crd"]
    # The listener release that installed the CRD may have rendered an older chart's schema; its
    # fields belong to Helm's field manager, and a server-side apply of different values conflicts.
    # The stack owns the CRD now: force those fields (pulumi-kubernetes `pulumi.com/patchForce`).
    annotations = {**(crd["metadata"].get("annotations") or {}), PATCH_FORCE_ANNOTATION: "true",
                   WAIT_FOR_ANNOTATION: ESTABLISHED}  # the release's operator watches the kind at once
    return from_args(
        k8s.apiextensions.v1.CustomResourceDefinition, name,
        k8s.apiextensions.v1.CustomResourceDefinitionInitArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(name=crd["metadata"]["name"], annotations=annotations),
            spec=crd["spec"],
        ),
        pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
       provider=provider, depends_on=list(depends_on), retain_on_delete=True)),
    )


@dataclass(frozen=True)
class DataPlaneArgs:
    listener_name: str
    listener_id: str
    workspace_id: str
    watch_namespaces: Sequence[str]
    api_key_secret_arn: pulumi.Input[str]
    host_backend_url: str
    smith_backend_url: str
    hostname: str
    gateway_api: bool
    region: str
    provider: k8s.Provider
    secrets_kms_key_arn: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    # The CRD every listener's operator needs (operator_crd).
    operator_crd: pulumi.Resource
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


def dataplane_values(args: DataPlaneArgs, api_key_secret: str) -> dict[str, Any]:
    """Values for langgraph-dataplane, key by key as the chart (0.2.x) reads them."""
    routing: dict[str, Any]
    if args.gateway_api:
        routing = {"ingress": {"enabled": False},
                   "gateway": {"enabled": True, "name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE,
                               "hostname": args.hostname}}
    else:
        routing = {"ingress": {"enabled": True, "hostname": args.hostname, "tlsEnabled": True}}
    return {
        "config": {
            "existingSecretName": api_key_secret,
            "langsmithWorkspaceId": args.workspace_id,
            "langgraphListenerId": args.listener_id,
            "watchNamespaces": ",".join(args.watch_namespaces),
            "enableLGPDeploymentHealthCheck": True,
            "hostBackendUrl": args.host_backend_url,
            "smithBackendUrl": args.smith_backend_url,
            "hostQueue": f"host-{args.listener_name}",
        },
        **routing,
        # The CRD is installed once, outside the releases (operator_crd).
        "operator": {"createCRDs": False, "kedaEnabled": True},
        # The chart's default restarts the listener on every upgrade (random annotation).
        "listener": {"deployment": {"autoRestart": False}},
    }


class DataPlane(pulumi.ComponentResource):
    release: k8s.helm.v3.Release
    namespaces: list[k8s.core.v1.Namespace]
    values: dict[str, Any]

    def __init__(self, name: str, args: DataPlaneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:DataPlane", name, None, opts)

        def k8s_opts(*depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=list(depends_on))

        home = f"langgraph-{args.listener_name}"
        labels = {DATAPLANE_LABEL: "true", "langsmith.com/listener": args.listener_name}
        home_namespace = k8s.core.v1.Namespace(
            f"{name}-home", metadata=k8s.meta.v1.ObjectMetaArgs(name=home, labels=labels), opts=k8s_opts())
        self.namespaces = [
            k8s.core.v1.Namespace(f"{name}-ns-{ns}", metadata=k8s.meta.v1.ObjectMetaArgs(name=ns, labels=labels),
                                  opts=k8s_opts())
            for ns in args.watch_namespaces
        ]
        # Agents are user code: no pod of the listener's namespaces reaches the node's instance metadata.
        metadata_closed = [
            deny_instance_metadata(f"{name}-deny-instance-metadata-{n}",
                                   namespace=n, provider=args.provider, parent=self, depends_on=[ns])
            for n, ns in ((home, home_namespace), *zip(args.watch_namespaces, self.namespaces))
        ]
        store = namespace_secret_store(
            f"{name}-secret-store", namespace=home, region=args.region, secret_arns=[args.api_key_secret_arn],
            secrets_kms_key_arn=args.secrets_kms_key_arn, oidc_provider_arn=args.oidc_provider_arn,
            oidc_issuer=args.oidc_issuer, provider=args.provider, parent=self,
            depends_on=[home_namespace, *args.depends_on],
            # listener names run to 48 characters: the role is named by a prefix the provider completes
            role_name_prefix=f"lgdp-{args.listener_name[:24]}-secrets-").store
        api_key_secret = f"{args.listener_name}-langsmith-api-key"
        api_key = external_secret(f"{name}-api-key", namespace=home, target=api_key_secret,
                                  refs={API_KEY_SECRET_KEY: SecretRef(args.api_key_secret_arn)}, template=None,
                                  store=store, provider=args.provider, parent=self)
        self.values = dataplane_values(args, api_key_secret)
        self.release = helm_release(
            f"{name}-release", release_name=f"lgdp-{args.listener_name}", chart=LANGGRAPH_DATAPLANE,
            namespace=home, values=self.values, provider=args.provider, parent=self, timeout=900,
            depends_on=[home_namespace, *self.namespaces, *metadata_closed, api_key, args.operator_crd,
                        *args.depends_on],
        )
        self.register_outputs({"release": self.release.name, "namespaces": list(args.watch_namespaces)})
