"""Self-hosted LangSmith: data stores, EKS with its controllers, the edge, the chart, operations."""

from __future__ import annotations

import dataclasses

import pulumi
import pulumi_aws as aws

from components.blob_storage import BlobStorage, BlobStorageArgs
from components.cluster import CLICKHOUSE_STORAGE_CLASS, CLICKHOUSE_TAINT_KEY, POOL_LABEL, Cluster
from components.clickhouse_restore import ClickHouseRestore, ClickHouseRestoreArgs
from components.cluster_addons import ClusterAddons
from components.agent_images import AgentImages, AgentImagesArgs
from components.dataplane import operator_crd
from components.edge import Edge
from components.gateway import ENVOY_HTTP_PORT, ENVOY_READY_PATH, ENVOY_READY_PORT, AgentGateway, AgentGatewayArgs
from components.external_secrets import SecretRef
from components.langsmith import ClickHouseConnection, DeploymentsWiring, LangSmith, LangSmithArgs, PostgresConnection
from components.langsmith_values import NAMESPACE, RELEASE_NAME, ClickHousePlacement, LangSmithValuesInput, Workload
from components.observability import AlarmThresholds, Observability, ObservabilityArgs
from components.postgres import Postgres, PostgresArgs
from components.redis import Redis, RedisArgs
from components.secrets import Secrets, SecretsArgs
from settings import Settings
from settings.restore import RESTORED_SECRET_NAMES
from settings.langsmith import LangSmithSettings
from settings.langsmith_chart import deployment_routing
from shapes.foundation import Foundation, availability_zones, secret_input

LANGSMITH_NAMESPACE = NAMESPACE


def build(f: Foundation) -> None:
    s, keys, network, opts = f.settings, f.keys, f.network, f.opts
    app = s.langsmith
    assert app is not None and app.domain is not None and app.hosted_zone_id is not None  # validated
    access_logs = f.access_logs()
    secrets = Secrets("secrets", SecretsArgs(
        name_prefix=s.name_prefix,
        secrets_kms_key_arn=keys.secrets_key.arn,
        recovery_window_days=f.secrets_recovery_days,
        license_key=secret_input(s.license_key),
        postgres_external_uri=secret_input(s.postgres_external_uri),
        clickhouse_external_password=secret_input(s.clickhouse_external_password),
        oidc_client_secret=secret_input(s.oidc_client_secret),
        fernet_keys=fernet_features(app),
        restored={RESTORED_SECRET_NAMES[name]: pulumi.Output.secret(value.get_secret_value())
                  for name, value in (s.restore_secrets or {}).items() if name in RESTORED_SECRET_NAMES},
    ), opts=opts)
    generated = secrets.generated
    assert generated is not None  # self-hosted always generates LangSmith's credentials

    # Data stores: they do not wait for the cluster; only their ingress rules do.
    postgres = None if s.postgres.external else Postgres("postgres", PostgresArgs(
        name_prefix=s.name_prefix,
        account_id=f.account_id,
        vpc_id=network.vpc_id,
        subnet_ids=network.data_subnet_ids,
        data_kms_key_arn=keys.data_key.arn,
        secrets_kms_key_arn=keys.secrets_key.arn,
        logs_kms_key_arn=keys.logs_key.arn,
        log_retention_days=s.log_retention_days,
        engine_version=s.postgres.engine_version,
        instance_class=s.postgres.instance_class,
        allocated_storage_gb=s.postgres.allocated_storage_gb,
        max_allocated_storage_gb=s.postgres.max_allocated_storage_gb,
        multi_az=s.postgres.multi_az,
        backup_retention_days=s.postgres.backup_retention_days,
        production=s.profile.is_production,
        protect=s.protect_data,
        snapshot_identifier=s.restore.postgres_snapshot,
    ), opts=opts)
    redis = Redis("redis", RedisArgs(
        name_prefix=s.name_prefix,
        vpc_id=network.vpc_id,
        subnet_ids=network.data_subnet_ids,
        data_kms_key_arn=keys.data_key.arn,
        logs_kms_key_arn=keys.logs_key.arn,
        auth_token=generated.redis_auth_token_value,
        log_retention_days=s.log_retention_days,
        engine=s.redis.engine,
        engine_version=s.redis.engine_version,
        node_type=s.redis.node_type,
        nodes=s.redis.nodes,
        snapshot_retention_days=s.redis.snapshot_retention_days,
        protect=s.protect_data,
    ), opts=opts)
    blob_storage = BlobStorage("blob-storage", BlobStorageArgs(
        name_prefix=s.name_prefix,
        data_kms_key_arn=keys.data_key.arn,
        access_log_bucket=access_logs.delivery_bucket_name,
        short_ttl_days=s.blob_storage.short_ttl_days,
        long_ttl_days=s.blob_storage.long_ttl_days,
        noncurrent_version_days=s.blob_storage.noncurrent_version_days,
        protect=s.protect_data,
        keep_contents=f.keeps_data,
    ), opts=opts)

    in_cluster_clickhouse = s.clickhouse.mode == "in-cluster"
    cluster = f.cluster(in_cluster_clickhouse)
    # The data stores accept connections from the cluster's nodes only.
    redis.allow_from("eks-nodes", cluster.cluster_security_group_id)
    if postgres is not None:
        postgres.allow_from("eks-nodes", cluster.cluster_security_group_id)
    addons = f.addons(cluster)
    deployments = app.deployments.enabled
    routing = deployment_routing(s)
    if deployments:
        # LangSmith Deployment: the chart routes through the Gateway API (validate.yaml), so the ALB
        # (TLS, WAF, logs) forwards to Envoy, whose listener serves exactly LangSmith's hostname; the
        # chart's HTTPRoute sends `/` to the frontend and the operator adds one route per agent.
        edge = f.edge(cluster, access_logs, app.domain, app.hosted_zone_id, target_port=ENVOY_HTTP_PORT,
                      health_check_path=ENVOY_READY_PATH, health_check_port=ENVOY_READY_PORT,
                      in_cluster_https=routing is not None and routing.ingress_health_check)
    else:
        edge = f.edge(cluster, access_logs, app.domain, app.hosted_zone_id)
    wiring = deployments_wiring(f, cluster, addons, edge, app.domain) if deployments else None

    clickhouse_restore = restored_clickhouse(f, cluster)
    args = langsmith_args(s, app, secrets, postgres, redis, blob_storage, cluster, addons, edge,
                          f.keys.secrets_key.arn)
    langsmith = LangSmith("langsmith", dataclasses.replace(
        args, chart_version=app.chart_version, clickhouse_restore=clickhouse_restore, deployments=wiring,
        target_group_arn=None if deployments else args.target_group_arn), opts=opts)
    observability = Observability("observability", observability_args(
        f, cluster, edge, redis, postgres, langsmith, in_cluster_clickhouse), opts=opts)

    pulumi.export("langsmithUrl", edge.url)
    pulumi.export("albDnsName", edge.load_balancer.dns_name)
    pulumi.export("alarmTopicArn", observability.topic.arn)
    pulumi.export("clusterName", s.cluster_name)
    pulumi.export("kubeconfig", pulumi.Output.secret(cluster.kubeconfig))
    pulumi.export("bucketName", blob_storage.bucket_name)
    pulumi.export("redisEndpoint", redis.primary_endpoint)
    pulumi.export("secretArns", secrets.arns)
    if postgres is not None:
        pulumi.export("databaseEndpoint", postgres.address)
        pulumi.export("databaseMasterSecretArn", postgres.master_secret_arn)
        if postgres.final_snapshot is not None:
            # The snapshot RDS takes when the instance is deleted (docs/teardown.md, docs/restore.md).
            pulumi.export("databaseFinalSnapshot", postgres.final_snapshot)
    if deployments:
        images = AgentImages("agent-images", AgentImagesArgs(
            name_prefix=s.name_prefix, data_kms_key_arn=keys.data_key.arn, protect=s.protect_data), opts=opts)
        pulumi.export("agentImageRepositoryUrl", images.repository.repository_url)


def fernet_features(app: LangSmithSettings) -> list[str]:
    """The features whose Fernet key the stack generates; each is `<feature>_encryption_key` in the
    config Secret (langsmith 0.16.11 templates/secrets.yaml: Fleet reads `agent_builder_encryption_key`)."""
    return [feature for feature, enabled in (("insights", app.insights_enabled), ("polly", app.polly_enabled),
                                             ("agent_builder", app.fleet_enabled)) if enabled]


def deployments_wiring(f: Foundation, cluster: Cluster, addons: ClusterAddons, edge: Edge,
                       domain: str) -> DeploymentsWiring:
    """LangSmith Deployment's cluster parts: the Gateway the ALB serves, the operator's CRD (once, outside
    the release, as the hybrid shape installs it)."""
    gateway = AgentGateway("gateway", AgentGatewayArgs(
        listener_hostname=domain, provider=cluster.provider, target_group_arn=edge.target_group.arn,
        adopting_provider=cluster.adopting_provider(), depends_on=[addons.load_balancer_controller],
    ), opts=f.opts)
    crd = operator_crd("langgraph-operator-crd", provider=cluster.adopting_provider(), opts=f.opts)
    return DeploymentsWiring(operator_crd=crd, gateway=gateway.gateway, vpc_cidr=f.network.vpc_cidr)


def restored_clickhouse(f: Foundation, cluster: Cluster) -> ClickHouseRestore | None:
    """restore.clickhouseSnapshot: the data volume, restored in the ClickHouse pool's AZ."""
    s = f.settings
    snapshot_id = s.restore.clickhouse_snapshot_id
    if snapshot_id is None or s.clickhouse.mode != "in-cluster":
        return None
    # The ClickHouse pool runs in the first private subnet (components/cluster.py); a created
    # network puts private subnet i in zone i, an existing one is asked.
    existing = s.network.existing
    zone: pulumi.Input[str] = (
        aws.ec2.get_subnet_output(id=existing.private_subnet_ids[0]).availability_zone
        if existing is not None else availability_zones(s)[0])
    return ClickHouseRestore("clickhouse-restore", ClickHouseRestoreArgs(
        name_prefix=s.name_prefix,
        snapshot_id=snapshot_id,
        availability_zone=zone,
        size_gb=s.clickhouse.volume_size_gb,
        iops=s.clickhouse.volume_iops,
        throughput_mibps=s.clickhouse.volume_throughput_mibps,
        kms_key_arn=f.keys.data_key.arn,
        storage_class=CLICKHOUSE_STORAGE_CLASS,
        namespace=LANGSMITH_NAMESPACE,
        provider=cluster.provider,
        protect=s.protect_data,
        depends_on=[*cluster.storage_classes, *cluster.addons],
    ), opts=f.opts)


def langsmith_args(s: Settings, app: LangSmithSettings, secrets: Secrets, postgres: Postgres | None, redis: Redis,
                   blob_storage: BlobStorage, cluster: Cluster, addons: ClusterAddons, edge: Edge,
                   secrets_kms_key_arn: pulumi.Input[str]) -> LangSmithArgs:
    """Everything the LangSmith release needs, from the components built before it."""
    assert secrets.generated is not None and secrets.license_key is not None
    generated = secrets.generated
    config_secret: dict[str, SecretRef | pulumi.Input[str]] = {
        "langsmith_license_key": SecretRef(secrets.license_key.arn),
        "api_key_salt": SecretRef(generated.api_key_salt.arn),
    }
    if app.auth == "basic":
        config_secret["jwt_secret"] = SecretRef(generated.jwt_secret.arn)
        config_secret["initial_org_admin_password"] = SecretRef(generated.initial_admin_password.arn)
    else:
        assert app.oidc is not None
        config_secret["oauth_client_id"] = app.oidc.client_id
        config_secret["oauth_issuer_url"] = app.oidc.issuer_url
        if secrets.oidc_client_secret is not None:
            config_secret["oauth_client_secret"] = SecretRef(secrets.oidc_client_secret.arn)
    for feature, key in secrets.fernet_keys.items():
        config_secret[f"{feature}_encryption_key"] = SecretRef(key.arn)

    ch = s.clickhouse
    in_cluster = ch.mode == "in-cluster"
    if in_cluster:
        clickhouse = ClickHouseConnection(
            host=f"{RELEASE_NAME}-clickhouse.{LANGSMITH_NAMESPACE}.svc.cluster.local", port="8123",
            native_port="9000", tls=False, database="default", password_secret_arn=generated.clickhouse_password.arn)
    else:
        assert ch.external_host is not None and secrets.clickhouse_external_password is not None
        clickhouse = ClickHouseConnection(
            host=ch.external_host, port=str(ch.external_port), native_port=str(ch.external_native_port),
            tls=ch.external_tls, database=ch.external_database, user=ch.external_user,
            password_secret_arn=secrets.clickhouse_external_password.arn)
    if postgres is not None:
        postgres_connection = PostgresConnection(master_secret_arn=postgres.master_secret_arn, host=postgres.address)
    else:
        assert secrets.postgres_external_uri is not None
        postgres_connection = PostgresConnection(external_uri_secret_arn=secrets.postgres_external_uri.arn)

    c = app.components
    sizes = {"backend": c.backend, "platformBackend": c.platform_backend, "queue": c.queue,
             "ingestQueue": c.ingest_queue, "frontend": c.frontend, "playground": c.playground,
             "aceBackend": c.ace_backend}
    return LangSmithArgs(
        namespace=LANGSMITH_NAMESPACE,
        region=s.region,
        provider=cluster.provider,
        adopting_provider=cluster.adopting_provider(),
        oidc_provider_arn=cluster.oidc_provider_arn,
        oidc_issuer=cluster.oidc_issuer,
        bucket_arn=blob_storage.bucket_arn,
        bucket_kms_key_arn=blob_storage.kms_key_arn,
        secrets_kms_key_arn=secrets_kms_key_arn,
        values=LangSmithValuesInput(
            hostname=app.domain or "",
            region=s.region,
            bucket_name=blob_storage.bucket_name,
            s3_role_arns={},
            auth=app.auth,
            oidc_with_client_secret=secrets.oidc_client_secret is not None,
            admin_email=app.admin_email or "",  # validated: required for every auth mode
            workloads={k: Workload(replicas=w.replicas, cpu=w.cpu, memory=w.memory) for k, w in sizes.items()},
            clickhouse=ClickHousePlacement(
                storage_class=CLICKHOUSE_STORAGE_CLASS, volume_size_gb=ch.volume_size_gb, cpu=ch.cpu,
                memory=ch.memory, node_selector={POOL_LABEL: "clickhouse"}, toleration_key=CLICKHOUSE_TAINT_KEY,
            ) if in_cluster else None,
            insights_enabled=app.insights_enabled,
            polly_enabled=app.polly_enabled,
            fleet_enabled=app.fleet_enabled,
            deployments=deployment_routing(s),
        ),
        config_secret=config_secret,
        postgres=postgres_connection,
        redis_host=redis.primary_endpoint,
        redis_auth_token_arn=generated.redis_auth_token.arn,
        clickhouse=clickhouse,
        target_group_arn=edge.target_group.arn,
        # Secrets need the ESO CRDs and controller, the binding needs the LB controller, the
        # operator's autoscaling KEDA, and ClickHouse its StorageClass.
        depends_on=[addons.external_secrets, addons.load_balancer_controller, addons.keda,
                    *cluster.storage_classes],
    )


def observability_args(f: Foundation, cluster: Cluster, edge: Edge, redis: Redis, postgres: Postgres | None,
                       langsmith: LangSmith, in_cluster_clickhouse: bool) -> ObservabilityArgs:
    s, obs = f.settings, f.settings.observability
    return ObservabilityArgs(
        name_prefix=s.name_prefix,
        account_id=f.account_id,
        cluster_name=s.cluster_name,
        region=s.region,
        provider=cluster.provider,
        adopting_provider=cluster.adopting_provider(),
        oidc_provider_arn=cluster.oidc_provider_arn,
        oidc_issuer=cluster.oidc_issuer,
        logs_kms_key_arn=f.keys.logs_key.arn,
        data_kms_key_arn=f.keys.data_key.arn,
        log_retention_days=s.log_retention_days,
        thresholds=AlarmThresholds(
            alb_errors_per_5_minutes=obs.alb_errors_per_5_minutes, rds_cpu_percent=obs.rds_cpu_percent,
            rds_free_storage_gb=obs.rds_free_storage_gb, rds_max_connections=obs.rds_max_connections,
            redis_memory_percent=obs.redis_memory_percent,
            redis_evictions_per_5_minutes=obs.redis_evictions_per_5_minutes,
            pod_restarts_per_5_minutes=obs.pod_restarts_per_5_minutes,
            clickhouse_disk_percent=obs.clickhouse_disk_percent),
        backup_retention_days=obs.backup_retention_days,
        alb_arn_suffix=edge.load_balancer.arn_suffix,
        target_group_arn_suffix=edge.target_group.arn_suffix,
        redis_group_id=redis.replication_group.replication_group_id,
        redis_member_cluster_ids=redis.member_cluster_ids,
        langsmith_namespace=LANGSMITH_NAMESPACE,
        health_check_domain=health_check_domain(s),
        rds_identifier=postgres.instance.identifier if postgres else None,
        rds_arn=postgres.instance.arn if postgres else None,
        clickhouse_in_cluster=in_cluster_clickhouse,
        alarm_email=obs.alarm_email,
        protect=s.protect_data,
        keep_backups=s.profile.is_production,
        default_tags=s.resource_tags(),
        aws_settings=f.aws_settings,
        nodes_ready=[cluster.general_node_group, *cluster.addons],
        langsmith_ready=[langsmith.release],
    )


def health_check_domain(s: Settings) -> str | None:
    """The domain Route53 health-checks, or None where its checkers cannot reach the ALB: an
    internal ALB, or one that admits only `edge.allowedCidrs` without the whole internet (Route53's
    checkers call from AWS ranges of their own, ip-ranges.json ROUTE53_HEALTHCHECKS, which such a
    list would have to name; the check would fail for good and its alarm never clear). The target
    group's unhealthy-host alarm watches the pods either way."""
    if s.edge.internal or "0.0.0.0/0" not in s.edge.allowed_cidrs or s.langsmith is None:
        return None
    return s.langsmith.domain
