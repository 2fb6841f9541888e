"""LangSmith itself: its namespace, the Secrets it reads, the Helm release, and the ALB binding.

- A namespaced SecretStore on AWS Secrets Manager, used with the External Secrets controller's own
  IRSA role (which may read only this stack's secrets).
- Four ExternalSecrets build the Kubernetes Secrets the chart reads: the config bundle, the
  PostgreSQL URL (templated in the cluster from the RDS-managed master secret, password
  URL-encoded, `sslmode=require`), the Redis URL (`rediss://` with the AUTH token) and the
  ClickHouse connection. Pulumi waits until each reports Ready, so the release never starts
  against a missing Secret.
- One IRSA role per service account that touches S3, limited to the bucket and its key.
- The `langsmith` chart as a Helm release (hooks run the migrations), then a TargetGroupBinding
  that registers the frontend pods in the ALB's target group.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.cluster_addons import POD_READINESS_GATE_LABEL
from components.external_secrets import SecretRef, external_secret, secret_store
from components.helm import helm_release
from components.iam import policy_document
from components.irsa import IrsaRole, IrsaRoleArgs
from components.langsmith_values import (
    CLICKHOUSE_SECRET,
    CLICKHOUSE_USER,
    CONFIG_SECRET,
    CONNECTION_URL_KEY,
    FRONTEND_SERVICE,
    FRONTEND_SERVICE_PORT,
    POSTGRES_SECRET,
    REDIS_SECRET,
    RELEASE_NAME,
    S3_COMPONENTS,
    LangSmithValuesInput,
    build_values,
)
from components.langsmith_values import COMPONENTS as SERVICE_ACCOUNTS
from components.network_policies import deny_instance_metadata
from components.versions import LANGSMITH

RELEASE_TIMEOUT_SECONDS = 1800  # first install runs the Postgres and ClickHouse migrations


@dataclass(frozen=True)
class PostgresConnection:
    """RDS: URL templated from the managed master secret; external: the URI secret as is."""

    master_secret_arn: pulumi.Input[str] | None = None
    host: pulumi.Input[str] | None = None
    port: int = 5432
    database: str = "langsmith"
    external_uri_secret_arn: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class ClickHouseConnection:
    host: str
    port: str
    native_port: str
    tls: bool
    database: str
    password_secret_arn: pulumi.Input[str]
    user: str = CLICKHOUSE_USER


@dataclass(frozen=True)
class LangSmithArgs:
    namespace: str
    region: str
    provider: k8s.Provider
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    bucket_kms_key_arn: pulumi.Input[str]
    values: LangSmithValuesInput
    # langsmith-config Secret keys -> where each comes from (secret refs or literal strings).
    config_secret: Mapping[str, SecretRef | pulumi.Input[str]]
    postgres: PostgresConnection
    redis_host: pulumi.Input[str]
    redis_auth_token_arn: pulumi.Input[str]
    clickhouse: ClickHouseConnection
    target_group_arn: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


def s3_access_policy(bucket_arn: str, kms_key_arn: str) -> str:
    return policy_document([
        {"Sid": "ListTheBucket", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": bucket_arn},
        {"Sid": "ReadWriteObjects", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
         "Resource": f"{bucket_arn}/*"},
        {"Sid": "UseTheBucketKey", "Effect": "Allow",
         "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt", "kms:DescribeKey"], "Resource": kms_key_arn},
    ])


class LangSmith(pulumi.ComponentResource):
    release: k8s.helm.v3.Release
    external_secrets: list[k8s.apiextensions.CustomResource]
    s3_roles: dict[str, IrsaRole]
    values: dict[str, Any]

    def __init__(self, name: str, args: LangSmithArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:LangSmith", name, None, opts)
        self._name = name
        self._args = args
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.provider)

        # The load balancer controller's webhook adds a readiness gate to the pods a TargetGroupBinding
        # serves in namespaces with this label, so a rollout waits for their targets to be healthy
        # (pods of the very first install predate the binding: there is no old pod to protect then).
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace, labels=dict([POD_READINESS_GATE_LABEL])),
            opts=k8s_opts)
        # Pods here never reach the node's instance metadata (the nodes allow hop limit 2).
        metadata_closed = deny_instance_metadata(f"{name}-deny-instance-metadata", namespace=args.namespace,
                                                 provider=args.provider, parent=self, depends_on=[namespace])
        self._store = secret_store(f"{name}-secret-store", namespace=args.namespace, region=args.region,
                                   provider=args.provider, parent=self, depends_on=[namespace, *args.depends_on])
        self.external_secrets = [
            self._config_secret(),
            self._postgres_secret(),
            self._redis_secret(),
            self._clickhouse_secret(),
        ]

        self.s3_roles = {
            component: IrsaRole(f"{name}-s3-{component}", IrsaRoleArgs(
                oidc_provider_arn=args.oidc_provider_arn,
                oidc_issuer=args.oidc_issuer,
                namespace=args.namespace,
                service_account=SERVICE_ACCOUNTS[component],
                description=f"LangSmith {component}: trace payloads in S3",
                policy=pulumi.Output.all(args.bucket_arn, args.bucket_kms_key_arn).apply(
                    lambda v: s3_access_policy(str(v[0]), str(v[1]))),
            ), opts=pulumi.ResourceOptions(parent=self))
            for component in S3_COMPONENTS
        }
        self.values = build_values(dataclasses.replace(
            args.values, s3_role_arns={c: r.arn for c, r in self.s3_roles.items()}))
        self.release = helm_release(
            f"{name}-release", release_name=RELEASE_NAME, chart=LANGSMITH, namespace=args.namespace,
            values=self.values, provider=args.provider, parent=self, timeout=RELEASE_TIMEOUT_SECONDS,
            wait_for_jobs=True, depends_on=[namespace, metadata_closed, *self.external_secrets, *args.depends_on],
        )
        k8s.apiextensions.CustomResource(
            f"{name}-frontend-binding",
            api_version="elbv2.k8s.aws/v1beta1",
            kind="TargetGroupBinding",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=FRONTEND_SERVICE, namespace=args.namespace),
            spec={"serviceRef": {"name": FRONTEND_SERVICE, "port": FRONTEND_SERVICE_PORT},
                  "targetGroupARN": args.target_group_arn, "targetType": "ip"},
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.release]),
        )
        self.register_outputs({"namespace": args.namespace, "release": self.release.name})

    # -- Secrets -------------------------------------------------------------------------
    def _external_secret(self, target: str, refs: Mapping[str, SecretRef],
                         template: Mapping[str, pulumi.Input[str]] | None) -> k8s.apiextensions.CustomResource:
        return external_secret(f"{self._name}-{target}", namespace=self._args.namespace, target=target, refs=refs,
                               template=template, store=self._store, provider=self._args.provider, parent=self)

    def _config_secret(self) -> k8s.apiextensions.CustomResource:
        refs = {k: v for k, v in self._args.config_secret.items() if isinstance(v, SecretRef)}
        literals = {k: v for k, v in self._args.config_secret.items() if not isinstance(v, SecretRef)}
        template = {**{k: "{{ ." + k + " }}" for k in refs}, **literals} if literals else None
        return self._external_secret(CONFIG_SECRET, refs, template)

    def _postgres_secret(self) -> k8s.apiextensions.CustomResource:
        pg = self._args.postgres
        if pg.external_uri_secret_arn is not None:
            return self._external_secret(POSTGRES_SECRET, {CONNECTION_URL_KEY: SecretRef(pg.external_uri_secret_arn)}, None)
        assert pg.master_secret_arn is not None and pg.host is not None
        # The chart wants user:password@host:port/db?params, without a scheme.
        url = pulumi.Output.concat(
            "{{ .username }}:{{ .password | urlquery }}@", pg.host, f":{pg.port}/{pg.database}?sslmode=require")
        return self._external_secret(POSTGRES_SECRET, {
            "username": SecretRef(pg.master_secret_arn, "username"),
            "password": SecretRef(pg.master_secret_arn, "password"),
        }, {CONNECTION_URL_KEY: url})

    def _redis_secret(self) -> k8s.apiextensions.CustomResource:
        url = pulumi.Output.concat("rediss://:{{ .token | urlquery }}@", self._args.redis_host, ":6379")
        return self._external_secret(REDIS_SECRET, {"token": SecretRef(self._args.redis_auth_token_arn)},
                                     {CONNECTION_URL_KEY: url})

    def _clickhouse_secret(self) -> k8s.apiextensions.CustomResource:
        ch = self._args.clickhouse
        return self._external_secret(CLICKHOUSE_SECRET, {"password": SecretRef(ch.password_secret_arn)}, {
            "clickhouse_host": ch.host,
            "clickhouse_port": ch.port,
            "clickhouse_native_port": ch.native_port,
            "clickhouse_tls": "true" if ch.tls else "false",
            "clickhouse_user": ch.user,
            "clickhouse_password": "{{ .password }}",
            "clickhouse_db": ch.database,
        })
