"""Standalone Agent Servers: LangChain's `langgraph-cloud` chart, one release per server.

- `AgentServerRepository`: the server's ECR repository (`<namePrefix>/<name>`), scanning on push,
  immutable tags. The nodes pull from it with their role's ECR read-only policy (no pull secrets).
- `AgentServerNamespace`: the namespace every server runs in (`agent-servers`): labelled so the
  servers' HTTPRoutes may attach to the stack's Gateway, instance metadata closed to its pods, a
  SecretStore on Secrets Manager, and Stakater Reloader (only this namespace) rolling a server when
  its PostgreSQL URL changes (RDS rotates the master password every 7 days).
- `AgentServer`: per server, three Secrets built by External Secrets (never in values): the keys
  (`api_key`, `langgraph_cloud_license_key`), `postgres_connection_url` and `redis_connection_url`,
  the names langgraph-cloud 0.3.2 reads from `config.existingSecretName`,
  `postgres.external.existingSecretName` and `redis.external.existingSecretName`; a Job that creates
  the server's own database on the shared RDS instance when it does not exist (idempotent; LangChain's
  sharing rule: one database per server); its ServiceAccount (no token mounted: the server needs no
  Kubernetes API; langgraph-cloud 0.3.2 writes `automountServiceAccountToken: true` into the
  ServiceAccounts it creates whatever `*.serviceAccount.automountServiceAccountToken` says, seen by
  rendering the chart, so the release uses ours, `serviceAccount.create: false`); then the release.

Values hold to the chart's value paths at the pinned tag (data/charts/langgraph-cloud-0.3.2.json);
tests render them with the real chart (tools/engine/render.py) and validate every object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.args_form import from_args
from components.external_secrets import SecretRef, external_secret, namespace_secret_store
from components.gateway import DATAPLANE_LABEL, GATEWAY_NAME, GATEWAY_NAMESPACE
from components.helm import helm_release
from components.langsmith import reloader_values
from components.network_policies import deny_instance_metadata
from components.versions import AGENT_SERVER_DB_BOOTSTRAP_IMAGE, LANGGRAPH_CLOUD, RELOADER

NAMESPACE = "agent-servers"
RELOADER_RELEASE_NAME = "reloader"
# Secret keys langgraph-cloud 0.3.2 reads (templates/_helpers.tpl, api-server/deployment.yaml): fixed names.
API_KEY = "api_key"
LICENSE_KEY = "langgraph_cloud_license_key"
POSTGRES_URL_KEY = "postgres_connection_url"
REDIS_URL_KEY = "redis_connection_url"
POSTGRES_PORT = 5432
REDIS_PORT = 6379
# External Secrets re-reads the RDS-managed secret this often; Reloader then rolls the server.
POSTGRES_SECRET_REFRESH = "1m"
RELOADER_SECRET_ANNOTATION = "secret.reloader.stakater.com/reload"
DB_BOOTSTRAP_TIMEOUT_SECONDS = 600
RELEASE_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class ServerSpec:
    """One server, as the release needs it (no Pulumi outputs: the values are plain data)."""

    name: str
    image_repository: str
    image_tag: str
    hostname: str
    path: str
    min_replicas: int
    max_replicas: int
    queue: bool
    queue_max_replicas: int
    cpu: str
    memory: str
    tracing_endpoint: str | None  # None: tracing off


def fullname(release: str) -> str:
    """langgraph-cloud's "langGraphCloud.fullname": the release name, suffixed unless it holds the chart name."""
    return release if "langgraph-cloud" in release else f"{release}-langgraph-cloud"


def service_account_name(server: str) -> str:
    return f"{server}-agent-server"


def secret_names(server: str) -> dict[str, str]:
    return {"keys": f"{server}-keys", "postgres": f"{server}-postgres", "redis": f"{server}-redis"}


def _cpu_limit(cpu: str) -> str:
    """Twice the request (bursts while a graph runs); memory keeps request = limit (no overcommit)."""
    if cpu.endswith("m"):
        return f"{int(float(cpu[:-1]) * 2)}m"
    return f"{int(float(cpu) * 2000)}m"


def server_values(spec: ServerSpec) -> dict[str, Any]:
    """langgraph-cloud 0.3.2 values, key by key as the chart reads them."""
    names = secret_names(spec.name)
    resources = {"requests": {"cpu": spec.cpu, "memory": spec.memory},
                 "limits": {"cpu": _cpu_limit(spec.cpu), "memory": spec.memory}}
    env: list[dict[str, str]] = [{"name": "LANGSMITH_TRACING", "value": "false" if spec.tracing_endpoint is None
                                  else "true"}]
    if spec.tracing_endpoint is not None:
        # No chart value for the endpoint (docs: set LANGSMITH_ENDPOINT); the API key comes from
        # config.existingSecretName, never from extraEnv (the chart's README forbids it).
        env.append({"name": "LANGSMITH_ENDPOINT", "value": spec.tracing_endpoint})
    # The image's user is the user's build (langgraph build): no runAsUser forced on it.
    hardened_pod = {"seccompProfile": {"type": "RuntimeDefault"}}
    hardened_container = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    # Reloader rolls the Deployment when the PostgreSQL URL Secret changes (password rotation).
    annotations = {RELOADER_SECRET_ANNOTATION: names["postgres"]}
    keda = {"enabled": True}
    # Ours, without a token (see the module docstring): the chart's own would mount one.
    service_account = {"create": False, "name": service_account_name(spec.name)}

    def deployment() -> dict[str, Any]:
        return {"resources": resources, "extraEnv": env, "annotations": annotations,
                "podSecurityContext": hardened_pod, "securityContext": hardened_container}

    gateway: dict[str, Any] = {"enabled": True, "name": GATEWAY_NAME, "namespace": GATEWAY_NAMESPACE,
                               "hostname": spec.hostname}
    if spec.path != "/":
        gateway["basePath"] = spec.path.strip("/")
    return {
        "images": {"apiServerImage": {"repository": spec.image_repository, "tag": spec.image_tag,
                                      "pullPolicy": "IfNotPresent"}},
        "config": {"existingSecretName": names["keys"]},
        "apiServer": {
            "deployment": deployment(),
            # Behind the stack's Gateway: never a LoadBalancer Service (the chart's default).
            "service": {"type": "ClusterIP"},
            "autoscaling": {"enabled": True, "minReplicas": spec.min_replicas, "maxReplicas": spec.max_replicas,
                            "keda": keda},
            # With one replica a PDB of minAvailable 1 would block every node drain.
            "pdb": {"enabled": spec.min_replicas > 1, "minAvailable": 1},
            "serviceAccount": service_account,
        },
        "queue": {
            "enabled": spec.queue,
            "deployment": deployment(),
            "autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": spec.queue_max_replicas, "keda": keda},
            "serviceAccount": service_account,
        },
        "postgres": {"external": {"enabled": True, "existingSecretName": names["postgres"]}},
        "redis": {"external": {"enabled": True, "existingSecretName": names["redis"]}},
        "ingress": {"enabled": False},
        "gateway": gateway,
    }


class AgentServerRepository(pulumi.ComponentResource):
    repository: aws.ecr.Repository

    def __init__(self, name: str, *, repository_name: str, data_kms_key_arn: pulumi.Input[str], protect: bool,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:AgentServerRepository", name, None, opts)
        self.repository = aws.ecr.Repository(
            name,
            name=repository_name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            # The stack's data key, as LangSmith Deployment's agent repository: ECR decrypts through the
            # grant it creates on the key at repository creation, so pulling nodes need no KMS rights.
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                encryption_type="KMS", kms_key=data_kms_key_arn)],
            force_delete=not protect,
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        self.register_outputs({"repositoryUrl": self.repository.repository_url})


@dataclass(frozen=True)
class AgentServerNamespaceArgs:
    region: str
    provider: k8s.Provider
    # What the namespace's SecretStore may read (its own IRSA role, components/external_secrets.py):
    # the license and API keys, the RDS-managed master secret and the Redis token.
    secret_arns: Sequence[pulumi.Input[str]]
    secrets_kms_key_arn: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


class AgentServerNamespace(pulumi.ComponentResource):
    namespace: k8s.core.v1.Namespace
    store: k8s.apiextensions.CustomResource
    ready: list[pulumi.Resource]

    def __init__(self, name: str, args: AgentServerNamespaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:AgentServerNamespace", name, None, opts)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.provider)
        # The Gateway admits routes only from namespaces with this label (components/gateway.py).
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-namespace", metadata=k8s.meta.v1.ObjectMetaArgs(name=NAMESPACE, labels={DATAPLANE_LABEL: "true"}),
            opts=k8s_opts)
        # Agent code is user code: no pod here reaches the node's instance metadata (role credentials).
        metadata_closed = deny_instance_metadata(f"{name}-deny-instance-metadata", namespace=NAMESPACE,
                                                 provider=args.provider, parent=self, depends_on=[self.namespace])
        self.store = namespace_secret_store(
            f"{name}-secret-store", namespace=NAMESPACE, region=args.region, secret_arns=args.secret_arns,
            secrets_kms_key_arn=args.secrets_kms_key_arn, oidc_provider_arn=args.oidc_provider_arn,
            oidc_issuer=args.oidc_issuer, provider=args.provider, parent=self,
            depends_on=[self.namespace, *args.depends_on]).store
        reloader = helm_release(
            f"{name}-reloader", release_name=RELOADER_RELEASE_NAME, chart=RELOADER, namespace=NAMESPACE,
            values=reloader_values(),
            provider=args.provider, parent=self, timeout=600, depends_on=[self.namespace, metadata_closed, *args.depends_on])
        self.ready = [self.namespace, metadata_closed, reloader]
        self.register_outputs({"namespace": NAMESPACE})


@dataclass(frozen=True)
class AgentServerArgs:
    spec: ServerSpec
    namespace: AgentServerNamespace
    provider: k8s.Provider
    redis_database: int
    redis_host: pulumi.Input[str]
    redis_auth_token_arn: pulumi.Input[str]
    postgres_host: pulumi.Input[str]
    postgres_master_secret_arn: pulumi.Input[str]
    database: str
    license_key_arn: pulumi.Input[str]
    api_key_arn: pulumi.Input[str] | None
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


class AgentServer(pulumi.ComponentResource):
    release: k8s.helm.v3.Release
    service_account: k8s.core.v1.ServiceAccount
    database_job: k8s.batch.v1.Job
    values: dict[str, Any]

    def __init__(self, name: str, args: AgentServerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:AgentServer", name, None, opts)
        spec, ns = args.spec, args.namespace
        names = secret_names(spec.name)

        def secret(target: str, refs: dict[str, SecretRef], template: dict[str, pulumi.Input[str]] | None,
                   refresh: str = "1h") -> k8s.apiextensions.CustomResource:
            return external_secret(f"{name}-{target}", namespace=NAMESPACE, target=target, refs=refs,
                                   template=template, store=ns.store, provider=args.provider, parent=self,
                                   refresh_interval=refresh)

        key_refs = {LICENSE_KEY: SecretRef(args.license_key_arn)}
        if args.api_key_arn is not None:
            key_refs[API_KEY] = SecretRef(args.api_key_arn)
        keys = secret(names["keys"], key_refs, None)
        # postgres://user:password@host:5432/<the server's database>?sslmode=require, templated in the
        # cluster from the RDS-managed master secret; username and password also kept for the database Job.
        postgres = secret(names["postgres"], {
            "username": SecretRef(args.postgres_master_secret_arn, "username"),
            "password": SecretRef(args.postgres_master_secret_arn, "password"),
        }, {
            POSTGRES_URL_KEY: pulumi.Output.concat(
                "postgres://{{ .username | urlquery }}:{{ .password | urlquery }}@", args.postgres_host,
                f":{POSTGRES_PORT}/{args.database}?sslmode=require"),
            "username": "{{ .username }}",
            "password": "{{ .password }}",
        }, refresh=POSTGRES_SECRET_REFRESH)
        # One database NUMBER per server on the shared ElastiCache (LangChain's sharing rule).
        redis = secret(names["redis"], {"token": SecretRef(args.redis_auth_token_arn)}, {
            REDIS_URL_KEY: pulumi.Output.concat("rediss://:{{ .token | urlquery }}@", args.redis_host,
                                                f":{REDIS_PORT}/{args.redis_database}")})
        self.database_job = self._database_job(name, args, names["postgres"], postgres)
        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=service_account_name(spec.name), namespace=NAMESPACE),
            automount_service_account_token=False,
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[ns.namespace]))
        self.values = server_values(spec)
        self.release = helm_release(
            f"{name}-release", release_name=spec.name, chart=LANGGRAPH_CLOUD, namespace=NAMESPACE,
            values=self.values, provider=args.provider, parent=self, timeout=RELEASE_TIMEOUT_SECONDS,
            depends_on=[*ns.ready, keys, postgres, redis, self.database_job, self.service_account,
                        *args.depends_on])
        self.register_outputs({"release": self.release.name, "url": f"https://{spec.hostname}{spec.path}"})

    def _database_job(self, name: str, args: AgentServerArgs, secret_name: str,
                      secret: k8s.apiextensions.CustomResource) -> k8s.batch.v1.Job:
        """Creates the server's database on the shared RDS instance if it is missing (never drops one).

        The Agent Server migrates its own schema at start; the database itself must exist. Names are
        [a-z0-9_] only (settings/agent_server.py), so the SQL needs no quoting beyond literals."""
        database = args.database
        script = (f"psql -d postgres -tAc \"SELECT 1 FROM pg_database WHERE datname = '{database}'\" | grep -q 1 "
                  f"|| psql -d postgres -c 'CREATE DATABASE {database}'")

        def from_secret(env: str, key: str) -> k8s.core.v1.EnvVarArgs:
            return k8s.core.v1.EnvVarArgs(name=env, value_from=k8s.core.v1.EnvVarSourceArgs(
                secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(name=secret_name, key=key)))

        return from_args(
            k8s.batch.v1.Job, f"{name}-database",
            k8s.batch.v1.JobInitArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"{args.spec.name}-create-database", namespace=NAMESPACE,
                    annotations={"pulumi.com/replaceUnready": "true",
                                 "pulumi.com/timeoutSeconds": str(DB_BOOTSTRAP_TIMEOUT_SECONDS)}),
                spec=k8s.batch.v1.JobSpecArgs(
                    backoff_limit=4,
                    active_deadline_seconds=DB_BOOTSTRAP_TIMEOUT_SECONDS,
                    ttl_seconds_after_finished=None,
                    template=k8s.core.v1.PodTemplateSpecArgs(spec=k8s.core.v1.PodSpecArgs(
                        restart_policy="Never",
                        automount_service_account_token=False,
                        volumes=[k8s.core.v1.VolumeArgs(name="tmp", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs())],
                        containers=[k8s.core.v1.ContainerArgs(
                            name="create-database", image=AGENT_SERVER_DB_BOOTSTRAP_IMAGE,
                            command=["sh", "-ec", script],
                            env=[k8s.core.v1.EnvVarArgs(name="PGHOST", value=args.postgres_host),
                                 k8s.core.v1.EnvVarArgs(name="PGPORT", value=str(POSTGRES_PORT)),
                                 k8s.core.v1.EnvVarArgs(name="PGSSLMODE", value="require"),
                                 k8s.core.v1.EnvVarArgs(name="HOME", value="/tmp"),
                                 from_secret("PGUSER", "username"), from_secret("PGPASSWORD", "password")],
                            volume_mounts=[k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")],
                            resources=k8s.core.v1.ResourceRequirementsArgs(
                                requests={"cpu": "10m", "memory": "32Mi"}, limits={"memory": "128Mi"}),
                            security_context=k8s.core.v1.SecurityContextArgs(
                                allow_privilege_escalation=False, read_only_root_filesystem=True, run_as_non_root=True,
                                run_as_user=999, capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"])),
                        )],
                    )),
                ),
            ),
            # Only its Secret (hence RDS) and the namespace: it runs while the Gateway is installed.
            pulumi.ResourceOptions(parent=self, provider=args.provider,
                                   depends_on=[*args.namespace.ready, secret]),
        )
