"""LangSmith itself: its namespace, the Secrets it reads, the Helm release, and the ALB binding.

- A namespaced SecretStore on AWS Secrets Manager that authenticates as a service account of this
  namespace, whose IRSA role may read exactly the secrets the ExternalSecrets below name
  (components/external_secrets.py says why the controller itself has no AWS identity).
- Four ExternalSecrets build the Kubernetes Secrets the chart reads: the config bundle, the
  PostgreSQL URL (templated in the cluster from the RDS-managed master secret, password
  URL-encoded, `sslmode=require`), the Redis URL (`rediss://` with the AUTH token) and the
  ClickHouse connection. Pulumi waits until each reports Ready, so the release never starts
  against a missing Secret.
- One IRSA role per service account that touches S3, limited to the bucket and its key.
- The `langsmith` chart as a Helm release (hooks run the migrations), then a TargetGroupBinding
  that registers the frontend pods in the ALB's target group.
- With LangSmith Deployment (`deployments`), the ALB serves Envoy Gateway instead (components/gateway.py):
  the chart's HTTPRoute sends LangSmith's hostname to the frontend and the operator adds a route per
  agent. The namespace may then attach routes to the Gateway, the release waits for the stack's LGP CRD
  and the Gateway, and agent pods (user code, in this namespace) get a NetworkPolicy of their own.

Install order and readiness. The chart (0.16.11) runs its PostgreSQL and ClickHouse migrations
as `post-install` hooks (weight -1), then `auth-bootstrap` (0) and an `e2e-test` Job (1, fail
policy `fail`); on upgrades the migrations are `pre-upgrade` hooks. Helm runs post-install hooks
only after its readiness wait, and the backend is not ready without its schema, so the release
does not wait (no `atomic`, `skipAwait`); Helm still waits for every hook Job. Readiness is then
checked by a Job Pulumi awaits: `kubectl rollout status` over the release's StatefulSets and
Deployments, re-run whenever the release's revision changes; a failure fails `pulumi up`. The
chart's e2e test is off: without the wait it would race pods that are still starting, and the
readiness Job is the check.

Password rotation. RDS rotates its managed master password every 7 days, and LangSmith reads
the PostgreSQL URL at start. External Secrets refreshes that Secret every minute, and Stakater
Reloader (installed in this namespace, watching only it) rolls every Deployment that reads the URL
when the Secret changes (an annotation on each of them; nothing else restarts). Reloader acts only
on changes it sees while running, so it installs in parallel with the release (off the first
deploy's critical path) and the readiness Job waits for both: `pulumi up` never completes without it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.args_form import from_args
from components.clickhouse_restore import ClickHouseRestore, data_claim
from components.cluster_addons import POD_READINESS_GATE_LABEL
from components.external_secrets import SecretRef, external_secret, namespace_secret_store
from components.helm import helm_release
from components.iam import policy_document
from components.irsa import IrsaRole, IrsaRoleArgs
from components.langsmith_values import (
    CLICKHOUSE_HTTP_PORT,
    CLICKHOUSE_SECRET,
    CLICKHOUSE_SERVICE,
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
from components.gateway import DATAPLANE_LABEL
from components.langsmith_values import AGENT_LABEL
from components.network_policies import deny_instance_metadata, fence_agents
from components.versions import CURL_IMAGE, KUBECTL_IMAGE, LANGSMITH, RELOADER

RELEASE_TIMEOUT_SECONDS = 1800  # first install runs the Postgres and ClickHouse migrations
# The readiness check's budget after the release: images pulled, ClickHouse up, pods ready.
READINESS_TIMEOUT_SECONDS = 1500
# langsmith 0.16.11 `_helpers.tpl` ("langsmith.selectorLabels"): every workload carries this label
# with the release name, so the readiness check selects the release's own workloads.
INSTANCE_LABEL = "app.kubernetes.io/instance"
# How often External Secrets re-reads the RDS-managed secret: a rotated password reaches the
# Secret (and Reloader's rollout) within this interval. ~43,000 GetSecretValue calls a month.
POSTGRES_SECRET_REFRESH = "1m"
# Stakater Reloader (README, "Named Resource Reload"): a workload with this annotation is rolled
# when the named Secret changes.
RELOADER_SECRET_ANNOTATION = "secret.reloader.stakater.com/reload"
RELOADER_RELEASE_NAME = "reloader"


# The value paths (langsmith 0.16.11) of every Deployment that reads the PostgreSQL URL (its env
# comes from "langsmith.commonEnv"); each template puts `<path>.deployment.annotations` in the
# Deployment's metadata. Not `commonAnnotations`: those also reach the ClickHouse StatefulSet,
# which Reloader would then restart at every rotation.
POSTGRES_URL_READERS = (
    "backend", "platformBackend", "queue", "ingestQueue", "hostBackend", "listener", "agentGateway",
    "presidioAnalyzer", "fleet.apiServer", "fleet.queue", "fleetToolServer", "fleetTriggerServer",
    "engineInsightsAgent.apiServer", "engineInsightsAgent.queue", "polly.apiServer", "polly.queue",
)


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        current = merged.get(key)
        merged[key] = _merge(current, value) if isinstance(current, Mapping) and isinstance(value, Mapping) else value
    return merged


def _at(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: _at(rest, value) if rest else value}


# How long the ClickHouse migration hook waits for an in-cluster ClickHouse to answer (image pull,
# volume attach, start-up) before it gives up; well inside the release's timeout.
CLICKHOUSE_WAIT_SECONDS = 900


def wait_for_clickhouse(namespace: str) -> dict[str, Any]:
    """An init container for the ClickHouse migration hook: without Helm's wait, the post-install
    hook starts as soon as the StatefulSet is created, and the Job (backoffLimit 2 in the chart)
    would spend its retries before ClickHouse answers. It waits on the Service, which only routes
    to a ready pod (the readiness probe), with the curl image the disk probe already uses."""
    url = f"http://{CLICKHOUSE_SERVICE}.{namespace}.svc.cluster.local:{CLICKHOUSE_HTTP_PORT}/ping"
    attempts = CLICKHOUSE_WAIT_SECONDS // 5
    script = (f"i=0; until curl -sf --max-time 4 {url} >/dev/null; do i=$((i+1)); "
              f"if [ $i -ge {attempts} ]; then echo 'ClickHouse did not answer at {url} within "
              f"{CLICKHOUSE_WAIT_SECONDS}s' >&2; exit 1; fi; sleep 5; done")
    return {
        "name": "wait-for-clickhouse",
        "image": CURL_IMAGE,
        "command": ["/bin/sh", "-c", script],
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "32Mi"}},
        # The image's USER is a name (curl_user), which runAsNonRoot cannot verify: a numeric UID can.
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "runAsNonRoot": True, "runAsUser": 100, "capabilities": {"drop": ["ALL"]}},
    }


def release_options(values: Mapping[str, Any], namespace: str, in_cluster_clickhouse: bool) -> dict[str, Any]:
    """The chart values this component owns on top of `build_values`: rotation and install order."""
    merged = dict(values)
    for path in POSTGRES_URL_READERS:
        merged = _merge(merged, _at(f"{path}.deployment.annotations", {RELOADER_SECRET_ANNOTATION: POSTGRES_SECRET}))
    if in_cluster_clickhouse:
        merged = _merge(merged, {"backend": {"clickhouseMigrations": {
            "initContainers": [wait_for_clickhouse(namespace)]}}})
    # post-install/post-upgrade hook with "helm.sh/fail-hook-policy: fail": off, see the module doc.
    return _merge(merged, {"backend": {"e2eTest": {"enabled": False}}})


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


# The chart's pods agents may call (tracing and the LangSmith API, the host backend): by the labels
# every langsmith 0.16.11 workload carries ("langsmith.selectorLabels" + app.kubernetes.io/component).
AGENT_REACHABLE_COMPONENTS = ("frontend", "backend", "platform-backend", "host-backend")


@dataclass(frozen=True)
class DeploymentsWiring:
    """LangSmith Deployment: what the release waits for, and what the agents' NetworkPolicy needs."""

    operator_crd: pulumi.Resource  # the stack's LGP CRD (components/dataplane.py operator_crd)
    gateway: pulumi.Resource  # the Gateway the chart's routes attach to
    vpc_cidr: pulumi.Input[str]  # agents may not reach inside it, but for the peers their policy lists


@dataclass(frozen=True)
class LangSmithArgs:
    namespace: str
    region: str
    provider: k8s.Provider
    # Upserts objects an earlier version of the stack left to the chart (Cluster.adopting_provider):
    # the ClickHouse data claim, which the StatefulSet created before the stack owned it.
    adopting_provider: k8s.Provider
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    bucket_kms_key_arn: pulumi.Input[str]
    # The key of the stack's secrets (and of the RDS-managed master secret).
    secrets_kms_key_arn: pulumi.Input[str]
    values: LangSmithValuesInput
    # langsmith-config Secret keys -> where each comes from (secret refs or literal strings).
    config_secret: Mapping[str, SecretRef | pulumi.Input[str]]
    postgres: PostgresConnection
    redis_host: pulumi.Input[str]
    redis_auth_token_arn: pulumi.Input[str]
    clickhouse: ClickHouseConnection
    # The ALB's target group for the frontend pods; None when a Gateway serves it (deployments).
    target_group_arn: pulumi.Input[str] | None
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    chart_version: str = LANGSMITH.version  # langsmith.chartVersion
    # restore.clickhouseSnapshot: the ClickHouse data claim, created in the namespace before the release.
    clickhouse_restore: ClickHouseRestore | None = None
    deployments: DeploymentsWiring | None = None


@dataclass(frozen=True)
class SecretSpec:
    """One Kubernetes Secret to build: its name, the Secrets Manager values it reads, its template."""

    target: str
    refs: Mapping[str, SecretRef]
    template: Mapping[str, pulumi.Input[str]] | None
    refresh_interval: str = "1h"


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


def reloader_values() -> dict[str, Any]:
    """Reloader 2.2.16 values: only its own namespace (a Role, no ClusterRole), annotation strategy."""
    return {"reloader": {
        "watchGlobally": False,  # with no `namespaces` list: the release namespace only
        # Rolls by a pod-template annotation rather than an injected env var: no drift in the
        # Helm-managed Deployments' containers.
        "reloadStrategy": "annotations",
        "readOnlyRootFileSystem": True,
        "deployment": {"resources": {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}}},
    }}


class LangSmith(pulumi.ComponentResource):
    release: k8s.helm.v3.Release
    readiness: k8s.batch.v1.Job
    reloader: k8s.helm.v3.Release
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
        # With deployments, the chart's routes (LangSmith's and every agent's) attach to the stack's
        # Gateway, which admits routes only from namespaces with the data-plane label.
        labels: dict[str, str] = dict([POD_READINESS_GATE_LABEL])
        if args.deployments is not None:
            labels[DATAPLANE_LABEL] = "true"
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace", metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace, labels=labels),
            opts=k8s_opts)
        # Pods here never reach the node's instance metadata (the nodes allow hop limit 2); agent pods
        # are left to their own, narrower policy.
        metadata_closed = deny_instance_metadata(f"{name}-deny-instance-metadata", namespace=args.namespace,
                                                 provider=args.provider, parent=self, depends_on=[namespace],
                                                 except_label=AGENT_LABEL[0] if args.deployments else None)
        deployment_prerequisites: list[pulumi.Resource] = []
        if args.deployments is not None:
            agents_fenced = fence_agents(
                f"{name}-agents-egress", namespace=args.namespace, agent_label=AGENT_LABEL,
                langsmith_api_pods=[{"app.kubernetes.io/instance": RELEASE_NAME,
                                     "app.kubernetes.io/component": f"{RELEASE_NAME}-{component}"}
                                    for component in AGENT_REACHABLE_COMPONENTS],
                vpc_cidr=args.deployments.vpc_cidr, provider=args.provider, parent=self, depends_on=[namespace])
            # The policy exists before the operator can start an agent.
            deployment_prerequisites = [agents_fenced, args.deployments.operator_crd, args.deployments.gateway]
        specs = [self._config_secret(), self._postgres_secret(), self._redis_secret(), self._clickhouse_secret()]
        # The store's role reads exactly what these ExternalSecrets name.
        self._store = namespace_secret_store(
            f"{name}-secret-store", namespace=args.namespace, region=args.region,
            secret_arns=[ref.secret_arn for spec in specs for ref in spec.refs.values()],
            secrets_kms_key_arn=args.secrets_kms_key_arn, oidc_provider_arn=args.oidc_provider_arn,
            oidc_issuer=args.oidc_issuer, provider=args.provider, parent=self,
            depends_on=[namespace, *args.depends_on]).store
        self.external_secrets = [self._external_secret(spec) for spec in specs]

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
        placement = args.values.clickhouse
        if args.clickhouse_restore is not None:
            data_claims = [args.clickhouse_restore.claim_in_namespace([namespace])]
        elif placement is not None:
            data_claims = [data_claim(f"{name}-clickhouse-data", namespace=args.namespace,
                                      storage_class=placement.storage_class, size_gb=placement.volume_size_gb,
                                      provider=args.adopting_provider, parent=self,
                                      depends_on=[namespace, *args.depends_on])]
        else:
            data_claims = []
        self.values = release_options(build_values(dataclasses.replace(
            args.values, s3_role_arns={c: r.arn for c, r in self.s3_roles.items()})),
            namespace=args.namespace, in_cluster_clickhouse=args.values.clickhouse is not None)
        # Installed beside the release, not before it: Reloader acts only on Secret updates it sees
        # while running (create events are ignored with the chart's reloadOnCreate: false,
        # stakater/Reloader@chart-v2.2.16 internal/pkg/controller/controller.go Add), so waiting for
        # it bought nothing at install time and cost the first deploy a release's install. The
        # readiness Job waits for it instead: no `pulumi up` ends, and no later upgrade begins,
        # without Reloader running, and it is up long before the release's hooks finish.
        self.reloader = helm_release(
            f"{name}-reloader", release_name=RELOADER_RELEASE_NAME, chart=RELOADER, namespace=args.namespace,
            values=reloader_values(), provider=args.provider, parent=self, timeout=600,
            depends_on=[namespace, metadata_closed, *args.depends_on],
        )
        self.release = helm_release(
            f"{name}-release", release_name=RELEASE_NAME,
            chart=dataclasses.replace(LANGSMITH, version=args.chart_version), namespace=args.namespace,
            values=self.values, provider=args.provider, parent=self, timeout=RELEASE_TIMEOUT_SECONDS,
            await_readiness=False,
            depends_on=[namespace, metadata_closed, *self.external_secrets, *args.depends_on,
                        *data_claims, *deployment_prerequisites],
        )
        self.readiness = self._readiness_check()
        if args.target_group_arn is not None:
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

    # -- Readiness -----------------------------------------------------------------------
    def _readiness_check(self) -> k8s.batch.v1.Job:
        """A Job Pulumi awaits (Complete, or the update fails) that waits for the release's rollout."""
        args, name = self._args, self._name
        account = "langsmith-readiness"
        opts = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.release])
        meta = k8s.meta.v1.ObjectMetaArgs(name=account, namespace=args.namespace)
        service_account = k8s.core.v1.ServiceAccount(f"{name}-readiness", metadata=meta,
                                                     automount_service_account_token=True, opts=opts)
        role = k8s.rbac.v1.Role(f"{name}-readiness", metadata=meta, rules=[k8s.rbac.v1.PolicyRuleArgs(
            api_groups=["apps"], resources=["deployments", "statefulsets", "replicasets"],
            verbs=["get", "list", "watch"])], opts=opts)
        binding = k8s.rbac.v1.RoleBinding(
            f"{name}-readiness", metadata=meta,
            role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="Role", name=account),
            subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=account, namespace=args.namespace)],
            opts=opts)
        # The release's revision is part of the pod template: a new revision replaces the Job, so
        # every `pulumi up` that changes the release checks its rollout again.
        revision = self.release.status.apply(
            lambda status: str(status.revision) if status is not None and status.revision is not None else "")
        selector = f"{INSTANCE_LABEL}={RELEASE_NAME}"

        def rollout(kind: str) -> k8s.core.v1.ContainerArgs:
            return k8s.core.v1.ContainerArgs(
                name=f"{kind}s", image=KUBECTL_IMAGE,
                args=["rollout", "status", kind, "--namespace", args.namespace, "--selector", selector,
                      f"--timeout={READINESS_TIMEOUT_SECONDS}s"],
                env=[k8s.core.v1.EnvVarArgs(name="LANGSMITH_RELEASE_REVISION", value=revision),
                     # kubectl's discovery cache, on a writable volume (the root filesystem is read-only).
                     k8s.core.v1.EnvVarArgs(name="HOME", value="/tmp")],
                volume_mounts=[k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")],
                resources=k8s.core.v1.ResourceRequirementsArgs(
                    requests={"cpu": "10m", "memory": "64Mi"}, limits={"memory": "128Mi"}),
                security_context=k8s.core.v1.SecurityContextArgs(
                    allow_privilege_escalation=False, read_only_root_filesystem=True, run_as_non_root=True,
                    run_as_user=65534, capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"])),
            )

        return from_args(
            k8s.batch.v1.Job, f"{name}-ready",
            k8s.batch.v1.JobInitArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    namespace=args.namespace,
                    annotations={
                        # A failed check is replaced (run again) by the next `pulumi up`.
                        "pulumi.com/replaceUnready": "true",
                        "pulumi.com/timeoutSeconds": str(READINESS_TIMEOUT_SECONDS + 300),
                    }),
                spec=k8s.batch.v1.JobSpecArgs(
                    backoff_limit=0,
                    active_deadline_seconds=READINESS_TIMEOUT_SECONDS + 120,
                    template=k8s.core.v1.PodTemplateSpecArgs(spec=k8s.core.v1.PodSpecArgs(
                        service_account_name=account,
                        restart_policy="Never",
                        volumes=[k8s.core.v1.VolumeArgs(name="tmp", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs())],
                        # ClickHouse (a StatefulSet) first, then every Deployment.
                        init_containers=[rollout("statefulset")],
                        containers=[rollout("deployment")],
                    )),
                ),
            ),
            pulumi.ResourceOptions(parent=self, provider=args.provider,
                                   depends_on=[self.release, self.reloader, service_account, role, binding]),
        )

    # -- Secrets -------------------------------------------------------------------------
    def _external_secret(self, spec: SecretSpec) -> k8s.apiextensions.CustomResource:
        return external_secret(f"{self._name}-{spec.target}", namespace=self._args.namespace, target=spec.target,
                               refs=spec.refs, template=spec.template, store=self._store,
                               provider=self._args.provider, parent=self, refresh_interval=spec.refresh_interval)

    def _config_secret(self) -> SecretSpec:
        refs = {k: v for k, v in self._args.config_secret.items() if isinstance(v, SecretRef)}
        literals = {k: v for k, v in self._args.config_secret.items() if not isinstance(v, SecretRef)}
        template = {**{k: "{{ ." + k + " }}" for k in refs}, **literals} if literals else None
        return SecretSpec(CONFIG_SECRET, refs, template)

    def _postgres_secret(self) -> SecretSpec:
        pg = self._args.postgres
        if pg.external_uri_secret_arn is not None:
            return SecretSpec(POSTGRES_SECRET, {CONNECTION_URL_KEY: SecretRef(pg.external_uri_secret_arn)}, None)
        assert pg.master_secret_arn is not None and pg.host is not None
        # The chart wants user:password@host:port/db?params, without a scheme.
        url = pulumi.Output.concat(
            "{{ .username }}:{{ .password | urlquery }}@", pg.host, f":{pg.port}/{pg.database}?sslmode=require")
        return SecretSpec(POSTGRES_SECRET, {
            "username": SecretRef(pg.master_secret_arn, "username"),
            "password": SecretRef(pg.master_secret_arn, "password"),
        }, {CONNECTION_URL_KEY: url}, refresh_interval=POSTGRES_SECRET_REFRESH)

    def _redis_secret(self) -> SecretSpec:
        url = pulumi.Output.concat("rediss://:{{ .token | urlquery }}@", self._args.redis_host, ":6379")
        return SecretSpec(REDIS_SECRET, {"token": SecretRef(self._args.redis_auth_token_arn)},
                          {CONNECTION_URL_KEY: url})

    def _clickhouse_secret(self) -> SecretSpec:
        ch = self._args.clickhouse
        return SecretSpec(CLICKHOUSE_SECRET, {"password": SecretRef(ch.password_secret_arn)}, {
            "clickhouse_host": ch.host,
            "clickhouse_port": ch.port,
            "clickhouse_native_port": ch.native_port,
            "clickhouse_tls": "true" if ch.tls else "false",
            "clickhouse_user": ch.user,
            "clickhouse_password": "{{ .password }}",
            "clickhouse_db": ch.database,
        })
