"""External Secrets objects: per namespace, a SecretStore on Secrets Manager with its own reader
identity, and the ExternalSecrets that build Kubernetes Secrets from it. Pulumi waits for each
ExternalSecret to be Ready, so whatever reads the Secret starts after it exists.

Why a reader per namespace. A SecretStore without `auth` uses the controller's own AWS credentials
(external-secrets/external-secrets@helm-chart-2.9.0, as at 2.8.0: providers/v1/aws/auth/auth.go,
constructCredsProvider: no auth -> the SDK's default chain), and the chart aggregates create
rights on SecretStores and ExternalSecrets into the built-in `edit` and `admin` roles (values.yaml
rbac.aggregateToEdit/Admin: true, templates/rbac.yaml). With a controller role that reads every
stack secret, anyone with `edit` in any namespace could read them all. So the controller has no
AWS identity (components/cluster_addons.py turns the aggregation and its blanket token rights
off), and each namespace's store authenticates as a service account of that namespace
(`auth.jwt.serviceAccountRef`: for a namespaced store ESO reads the account in the store's own
namespace, auth.go getJWTProvider), whose IRSA role may read only the secrets that namespace's
ExternalSecrets name. A Role lets the controller mint tokens for that one account (ESO's
docs/guides/security-best-practices.md, "serviceAccountTokenCreate: false").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.iam import policy_document
from components.irsa import IrsaRole, IrsaRoleArgs

API_VERSION = "external-secrets.io/v1"
STORE_NAME = "aws-secrets-manager"
WAIT_FOR_READY = {"pulumi.com/waitFor": "condition=Ready"}
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
# The service account each namespace's store authenticates as; its IRSA role reads that namespace's secrets.
READER_SERVICE_ACCOUNT = "secrets-reader"
# The External Secrets controller's service account (the chart's, in its release namespace).
ESO_SERVICE_ACCOUNT = ("external-secrets", "external-secrets")


@dataclass(frozen=True)
class SecretRef:
    """One value of a Kubernetes Secret, read from Secrets Manager (optionally a JSON property)."""

    secret_arn: pulumi.Input[str]
    property: str | None = None


def secrets_reader_policy(secret_arns: Sequence[str], kms_key_arn: str, region: str) -> str:
    return policy_document([
        {"Sid": "ReadTheNamespacesSecrets", "Effect": "Allow",
         "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
         "Resource": sorted(set(secret_arns))},
        {"Sid": "DecryptThroughSecretsManager", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": kms_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}}},
    ])


@dataclass(frozen=True)
class NamespaceSecretStore:
    store: k8s.apiextensions.CustomResource
    role: IrsaRole


def namespace_secret_store(name: str, *, namespace: str, region: str, secret_arns: Sequence[pulumi.Input[str]],
                           secrets_kms_key_arn: pulumi.Input[str], oidc_provider_arn: pulumi.Input[str],
                           oidc_issuer: pulumi.Input[str], provider: k8s.Provider, parent: pulumi.Resource,
                           depends_on: Sequence[pulumi.Resource] = (),
                           role_name_prefix: str | None = None) -> NamespaceSecretStore:
    """The SecretStore of `namespace`, reading exactly `secret_arns` through its own IRSA role.

    Its resources are children of `parent`, and the store keeps the resource name `name` it always
    had (a new URN would create the object again and then delete it)."""

    def k8s_opts(*after: pulumi.Resource) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=[*after, *depends_on])

    role = IrsaRole(f"{name}-reader", IrsaRoleArgs(
        oidc_provider_arn=oidc_provider_arn, oidc_issuer=oidc_issuer,
        namespace=namespace, service_account=READER_SERVICE_ACCOUNT,
        description=f"External Secrets reader for {namespace}", name_prefix=role_name_prefix,
        policy=pulumi.Output.all(pulumi.Output.all(*secret_arns), secrets_kms_key_arn).apply(
            lambda v: secrets_reader_policy([str(a) for a in v[0]], str(v[1]), region)),
    ), opts=pulumi.ResourceOptions(parent=parent))
    meta = k8s.meta.v1.ObjectMetaArgs(name=READER_SERVICE_ACCOUNT, namespace=namespace)
    account = k8s.core.v1.ServiceAccount(
        f"{name}-reader", metadata=k8s.meta.v1.ObjectMetaArgs(
            name=READER_SERVICE_ACCOUNT, namespace=namespace, annotations={ROLE_ARN_ANNOTATION: role.arn}),
        automount_service_account_token=False, opts=k8s_opts())
    # The controller may mint tokens for this one account, nothing else here.
    token_role = k8s.rbac.v1.Role(f"{name}-reader-token", metadata=meta, rules=[k8s.rbac.v1.PolicyRuleArgs(
        api_groups=[""], resources=["serviceaccounts/token"], resource_names=[READER_SERVICE_ACCOUNT],
        verbs=["create"])], opts=k8s_opts())
    eso_namespace, eso_account = ESO_SERVICE_ACCOUNT
    binding = k8s.rbac.v1.RoleBinding(
        f"{name}-reader-token", metadata=meta,
        role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="Role",
                                         name=READER_SERVICE_ACCOUNT),
        subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=eso_account, namespace=eso_namespace)],
        opts=k8s_opts(token_role))
    store = k8s.apiextensions.CustomResource(
        name,
        api_version=API_VERSION,
        kind="SecretStore",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=STORE_NAME, namespace=namespace),
        spec={"provider": {"aws": {"service": "SecretsManager", "region": region,
                                   "auth": {"jwt": {"serviceAccountRef": {"name": READER_SERVICE_ACCOUNT}}}}}},
        # and after the reader role's policy: a store validated before its role may read anything
        # fails its first sync, and the releases waiting on its Secrets wait for ESO's retry backoff.
        opts=k8s_opts(account, binding, role),
    )
    return NamespaceSecretStore(store=store, role=role)


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
