"""LangSmith on AWS: read the stack's settings, then build the stack's shape from components.

Settings are validated before anything is registered: a bad config stops here, with one message.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import SecretStr

from components.blob_storage import BlobStorage, BlobStorageArgs
from components.byoc import (
    BYOC_PRIVATE_SUBNET_TAGS,
    BYOC_PUBLIC_SUBNET_TAGS,
    BYOC_VPC_TAGS,
    ByocRole,
    ByocRoleArgs,
    ExistingNetworkToTag,
)
from components.cluster import Cluster, ClusterArgs, NodePool
from components.cluster import CLICKHOUSE_STORAGE_CLASS, CLICKHOUSE_TAINT_KEY, POOL_LABEL
from components.cluster_addons import ClusterAddons, ClusterAddonsArgs
from components.dataplane import DataPlane, DataPlaneArgs
from components.edge import Edge, EdgeArgs
from components.gateway import ENVOY_HTTP_PORT, ENVOY_READY_PATH, ENVOY_READY_PORT, AgentGateway, AgentGatewayArgs
from components.langsmith import (
    ClickHouseConnection,
    LangSmith,
    LangSmithArgs,
    PostgresConnection,
    SecretRef,
)
from components.langsmith_values import RELEASE_NAME, ClickHousePlacement, LangSmithValuesInput, Workload
from components.kms import EncryptionKeys, EncryptionKeysArgs
from components.log_bucket import LogBucket, LogBucketArgs
from components.network import ExistingNetwork, Network, NetworkArgs
from components.observability import AlarmThresholds, Observability, ObservabilityArgs
from components.postgres import Postgres, PostgresArgs
from components.redis import Redis, RedisArgs
from components.secrets import Secrets, SecretsArgs
from pricing.engine import CostEstimate, estimate
from pricing.from_settings import items_from_settings
from settings import ConfigError, ConfigIssue, Settings, Shape, load_settings
from settings.model import LangSmithSettings, NodePoolSettings

LANGSMITH_NAMESPACE = "langsmith"

settings: Settings = load_settings()


def availability_zones(settings: Settings) -> list[str]:
    """The zones to use: from config, or the first available ones of the region."""
    configured = settings.network.availability_zones
    if configured is not None:
        return list(configured)
    available = aws.get_availability_zones(
        state="available",
        filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
    ).names
    if len(available) < settings.network.az_count:
        raise ConfigError([ConfigIssue(
            "network.azCount", settings.network.az_count,
            f"the region {settings.region} has only {len(available)} available zones: {', '.join(available)}")],
            settings.project)
    return list(available[: settings.network.az_count])


# Lookups first, so that a region mismatch is still a config error with nothing registered.
account_id = aws.get_caller_identity().account_id
zones = availability_zones(settings) if settings.network.existing is None else []

# Every AWS resource goes through this provider, so every resource carries the stack's tags.
aws_provider = aws.Provider(
    "aws",
    region=settings.region,
    default_tags=aws.ProviderDefaultTagsArgs(tags=settings.resource_tags()),
)
with_aws = pulumi.ResourceOptions(providers=[aws_provider])

keys = EncryptionKeys("keys", EncryptionKeysArgs(
    name_prefix=settings.name_prefix,
    account_id=account_id,
    region=settings.region,
    protect=settings.protect_data,
), opts=with_aws)

existing = settings.network.existing
byoc_tags = settings.shape is Shape.BYOC
network = Network("network", NetworkArgs(
    name_prefix=settings.name_prefix,
    region=settings.region,
    account_id=account_id,
    availability_zones=zones,
    cidr=settings.network.cidr,
    nat_gateways=settings.network.nat_gateways,
    interface_endpoints=settings.network.interface_endpoints,
    log_retention_days=settings.log_retention_days,
    logs_kms_key_arn=keys.logs_key.arn,
    cluster_name=None if byoc_tags else settings.cluster_name,
    vpc_tags=BYOC_VPC_TAGS if byoc_tags else {},
    public_subnet_tags=BYOC_PUBLIC_SUBNET_TAGS if byoc_tags else {},
    private_subnet_tags=BYOC_PRIVATE_SUBNET_TAGS if byoc_tags else {},
    existing=ExistingNetwork(
        vpc_id=existing.vpc_id,
        public_subnet_ids=existing.public_subnet_ids,
        private_subnet_ids=existing.private_subnet_ids,
        data_subnet_ids=existing.data_subnet_ids,
    ) if existing else None,
), opts=with_aws)


def cost_summary(cost: CostEstimate) -> dict[str, object]:
    return {"totalUsd": cost.total_usd, "byCategory": cost.by_category(), "pricesAsOf": cost.prices_as_of,
            "unpriced": cost.unpriced, "note": "on-demand list prices; usage-based charges not included"}


def secret_input(value: SecretStr | None) -> pulumi.Output[str] | None:
    return pulumi.Output.secret(value.get_secret_value()) if value is not None else None


def node_pool(pool: NodePoolSettings) -> NodePool:
    return NodePool(instance_types=pool.instance_types, capacity_type=pool.capacity_type,
                    min_size=pool.min_size, desired_size=pool.desired_size, max_size=pool.max_size,
                    disk_size_gb=pool.disk_size_gb)


def build_cluster(settings: Settings, in_cluster_clickhouse: bool) -> Cluster:
    """The EKS platform shared by the self-hosted and hybrid shapes."""
    return Cluster("cluster", ClusterArgs(
        cluster_name=settings.cluster_name,
        account_id=account_id,
        region=settings.region,
        vpc_id=network.vpc_id,
        private_subnet_ids=network.private_subnet_ids,
        secrets_kms_key_arn=keys.secrets_key.arn,
        data_kms_key_arn=keys.data_key.arn,
        logs_kms_key_arn=keys.logs_key.arn,
        log_retention_days=settings.log_retention_days,
        general_pool=node_pool(settings.cluster.general_pool),
        clickhouse_pool=node_pool(settings.cluster.clickhouse_pool) if in_cluster_clickhouse else None,
        clickhouse_volume_iops=settings.clickhouse.volume_iops,
        clickhouse_volume_throughput_mibps=settings.clickhouse.volume_throughput_mibps,
        public_access_cidrs=settings.cluster.public_access_cidrs,
        admin_role_arns=settings.cluster.admin_role_arns,
        deletion_protection=settings.protect_data,
    ), opts=with_aws)


def langsmith_args(settings: Settings, app: LangSmithSettings) -> LangSmithArgs:
    """Everything the LangSmith release needs, from the components built above."""
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

    ch = settings.clickhouse
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
        region=settings.region,
        provider=cluster.provider,
        oidc_provider_arn=cluster.oidc_provider_arn,
        oidc_issuer=cluster.oidc_issuer,
        bucket_arn=blob_storage.bucket_arn,
        bucket_kms_key_arn=blob_storage.kms_key_arn,
        values=LangSmithValuesInput(
            hostname=app.domain or "",
            region=settings.region,
            bucket_name=blob_storage.bucket_name,
            s3_role_arns={},
            auth=app.auth,
            oidc_with_client_secret=secrets.oidc_client_secret is not None,
            admin_email=app.admin_email,
            workloads={k: Workload(replicas=w.replicas, cpu=w.cpu, memory=w.memory) for k, w in sizes.items()},
            clickhouse=ClickHousePlacement(
                storage_class=CLICKHOUSE_STORAGE_CLASS, volume_size_gb=ch.volume_size_gb, cpu=ch.cpu,
                memory=ch.memory, node_selector={POOL_LABEL: "clickhouse"}, toleration_key=CLICKHOUSE_TAINT_KEY,
            ) if in_cluster else None,
            insights_enabled=app.insights_enabled,
            polly_enabled=app.polly_enabled,
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


def build_addons(settings: Settings, cluster: Cluster, secret_arns: pulumi.Input[list[str]]) -> ClusterAddons:
    return ClusterAddons("addons", ClusterAddonsArgs(
        cluster_name=settings.cluster_name,
        region=settings.region,
        vpc_id=network.vpc_id,
        oidc_provider_arn=cluster.oidc_provider_arn,
        oidc_issuer=cluster.oidc_issuer,
        provider=cluster.provider,
        secret_arns=secret_arns,
        secrets_kms_key_arn=keys.secrets_key.arn,
        depends_on=[cluster.general_node_group, *cluster.addons],
    ), opts=with_aws)


if settings.shape is Shape.SELF_HOSTED:
    app = settings.langsmith
    assert app is not None and app.domain is not None and app.hosted_zone_id is not None  # validated
    access_logs = LogBucket("access-logs", LogBucketArgs(
        name_prefix=settings.name_prefix,
        account_id=account_id,
        region=settings.region,
        retention_days=settings.log_retention_days,
        protect=settings.protect_data,
    ), opts=with_aws)

    secrets = Secrets("secrets", SecretsArgs(
        name_prefix=settings.name_prefix,
        secrets_kms_key_arn=keys.secrets_key.arn,
        recovery_window_days=30 if settings.profile.is_production else 7,
        license_key=secret_input(settings.license_key),
        postgres_external_uri=secret_input(settings.postgres_external_uri),
        clickhouse_external_password=secret_input(settings.clickhouse_external_password),
        oidc_client_secret=secret_input(settings.oidc_client_secret),
        fernet_keys=[feature for feature, enabled in (("insights", app.insights_enabled),
                                                      ("polly", app.polly_enabled)) if enabled],
    ), opts=with_aws)

    generated = secrets.generated
    assert generated is not None  # self-hosted always generates LangSmith's credentials
    postgres: Postgres | None = None
    if not settings.postgres.external:
        postgres = Postgres("postgres", PostgresArgs(
            name_prefix=settings.name_prefix,
            account_id=account_id,
            vpc_id=network.vpc_id,
            subnet_ids=network.data_subnet_ids,
            data_kms_key_arn=keys.data_key.arn,
            secrets_kms_key_arn=keys.secrets_key.arn,
            logs_kms_key_arn=keys.logs_key.arn,
            log_retention_days=settings.log_retention_days,
            engine_version=settings.postgres.engine_version,
            instance_class=settings.postgres.instance_class,
            allocated_storage_gb=settings.postgres.allocated_storage_gb,
            max_allocated_storage_gb=settings.postgres.max_allocated_storage_gb,
            multi_az=settings.postgres.multi_az,
            backup_retention_days=settings.postgres.backup_retention_days,
            production=settings.profile.is_production,
            protect=settings.protect_data,
        ), opts=with_aws)

    redis = Redis("redis", RedisArgs(
        name_prefix=settings.name_prefix,
        vpc_id=network.vpc_id,
        subnet_ids=network.data_subnet_ids,
        data_kms_key_arn=keys.data_key.arn,
        logs_kms_key_arn=keys.logs_key.arn,
        auth_token=generated.redis_auth_token_value,
        log_retention_days=settings.log_retention_days,
        engine=settings.redis.engine,
        engine_version=settings.redis.engine_version,
        node_type=settings.redis.node_type,
        nodes=settings.redis.nodes,
        snapshot_retention_days=settings.redis.snapshot_retention_days,
    ), opts=with_aws)

    blob_storage = BlobStorage("blob-storage", BlobStorageArgs(
        name_prefix=settings.name_prefix,
        data_kms_key_arn=keys.data_key.arn,
        access_log_bucket=access_logs.bucket.bucket,
        short_ttl_days=settings.blob_storage.short_ttl_days,
        long_ttl_days=settings.blob_storage.long_ttl_days,
        noncurrent_version_days=settings.blob_storage.noncurrent_version_days,
        protect=settings.protect_data,
    ), opts=with_aws)

    in_cluster_clickhouse = settings.clickhouse.mode == "in-cluster"
    cluster = build_cluster(settings, in_cluster_clickhouse)
    # The data stores accept connections from the cluster's nodes only.
    redis.allow_from("eks-nodes", cluster.cluster_security_group_id)
    if postgres is not None:
        postgres.allow_from("eks-nodes", cluster.cluster_security_group_id)
    # External Secrets may read the stack's secrets and the RDS-managed master secret, nothing else.
    readable_secrets = (pulumi.Output.all(secrets.arns, postgres.master_secret_arn).apply(
        lambda v: [*v[0], v[1]]) if postgres is not None else secrets.arns)
    addons = build_addons(settings, cluster, readable_secrets)

    edge = Edge("edge", EdgeArgs(
        name_prefix=settings.name_prefix,
        domain=app.domain,
        hosted_zone_id=app.hosted_zone_id,
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids if settings.edge.internal else network.public_subnet_ids,
        internal=settings.edge.internal,
        allowed_cidrs=settings.edge.allowed_cidrs,
        cluster_security_group_id=cluster.cluster_security_group_id,
        access_log_bucket=access_logs.bucket.bucket,
        logs_kms_key_arn=keys.logs_key.arn,
        log_retention_days=settings.log_retention_days,
        waf_rate_limit=settings.edge.waf_rate_limit,
        deletion_protection=settings.protect_data,
    ), opts=with_aws)

    langsmith = LangSmith("langsmith", langsmith_args(settings, app), opts=with_aws)

    obs = settings.observability
    observability = Observability("observability", ObservabilityArgs(
        name_prefix=settings.name_prefix,
        account_id=account_id,
        cluster_name=settings.cluster_name,
        region=settings.region,
        provider=cluster.provider,
        oidc_provider_arn=cluster.oidc_provider_arn,
        oidc_issuer=cluster.oidc_issuer,
        logs_kms_key_arn=keys.logs_key.arn,
        data_kms_key_arn=keys.data_key.arn,
        log_retention_days=settings.log_retention_days,
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
        langsmith_namespace=LANGSMITH_NAMESPACE,
        health_check_domain=None if settings.edge.internal else app.domain,
        rds_identifier=postgres.instance.identifier if postgres else None,
        rds_arn=postgres.instance.arn if postgres else None,
        clickhouse_in_cluster=in_cluster_clickhouse,
        alarm_email=obs.alarm_email,
        protect=settings.protect_data,
        nodes_ready=[cluster.general_node_group, *cluster.addons],
        langsmith_ready=[langsmith.release],
    ), opts=with_aws)
    pulumi.export("alarmTopicArn", observability.topic.arn)

    pulumi.export("langsmithUrl", edge.url)
    pulumi.export("albDnsName", edge.load_balancer.dns_name)
    pulumi.export("clusterName", settings.cluster_name)
    pulumi.export("kubeconfig", pulumi.Output.secret(cluster.eks_cluster.kubeconfig_json))
    pulumi.export("bucketName", blob_storage.bucket_name)
    pulumi.export("redisEndpoint", redis.primary_endpoint)
    pulumi.export("secretArns", secrets.arns)
    if postgres is not None:
        pulumi.export("databaseEndpoint", postgres.address)
        pulumi.export("databaseMasterSecretArn", postgres.master_secret_arn)

if settings.shape is Shape.HYBRID:
    hybrid = settings.hybrid
    assert hybrid.domain is not None and hybrid.hosted_zone_id is not None  # validated
    api_keys = settings.listener_api_keys()
    hybrid_secrets = Secrets("secrets", SecretsArgs(
        name_prefix=settings.name_prefix,
        secrets_kms_key_arn=keys.secrets_key.arn,
        recovery_window_days=30 if settings.profile.is_production else 7,
        generate_langsmith_secrets=False,
        named={f"listener-{l.name}-api-key": pulumi.Output.secret(api_keys[l.name]) for l in hybrid.listeners},
    ), opts=with_aws)
    cluster = build_cluster(settings, in_cluster_clickhouse=False)
    addons = build_addons(settings, cluster, hybrid_secrets.arns)
    access_logs = LogBucket("access-logs", LogBucketArgs(
        name_prefix=settings.name_prefix, account_id=account_id, region=settings.region,
        retention_days=settings.log_retention_days, protect=settings.protect_data,
    ), opts=with_aws)
    edge = Edge("edge", EdgeArgs(
        name_prefix=settings.name_prefix,
        domain=hybrid.domain,
        hosted_zone_id=hybrid.hosted_zone_id,
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids if settings.edge.internal else network.public_subnet_ids,
        internal=settings.edge.internal,
        allowed_cidrs=settings.edge.allowed_cidrs,
        cluster_security_group_id=cluster.cluster_security_group_id,
        access_log_bucket=access_logs.bucket.bucket,
        logs_kms_key_arn=keys.logs_key.arn,
        log_retention_days=settings.log_retention_days,
        waf_rate_limit=settings.edge.waf_rate_limit,
        deletion_protection=settings.protect_data,
        target_port=ENVOY_HTTP_PORT,
        health_check_path=ENVOY_READY_PATH,
        health_check_port=ENVOY_READY_PORT,
        wildcard=True,
    ), opts=with_aws)
    gateway = AgentGateway("gateway", AgentGatewayArgs(
        domain=hybrid.domain, provider=cluster.provider, target_group_arn=edge.target_group.arn,
        depends_on=[addons.load_balancer_controller],
    ), opts=with_aws)
    host_backend_url, smith_backend_url = hybrid.endpoints()
    crd_owner = settings.crd_owner()
    for listener in hybrid.listeners:
        DataPlane(f"dataplane-{listener.name}", DataPlaneArgs(
            listener_name=listener.name,
            listener_id=listener.listener_id,
            workspace_id=listener.workspace_id,
            watch_namespaces=listener.namespaces,
            api_key_secret_arn=hybrid_secrets.named[f"listener-{listener.name}-api-key"].arn,
            host_backend_url=host_backend_url,
            smith_backend_url=smith_backend_url,
            hostname=f"{listener.name}.{hybrid.domain}",
            gateway_api=hybrid.gateway_api,
            owns_crds=listener.name == crd_owner,
            region=settings.region,
            provider=cluster.provider,
            depends_on=[addons.keda, addons.external_secrets, gateway.gateway],
        ), opts=with_aws)
    pulumi.export("clusterName", settings.cluster_name)
    pulumi.export("kubeconfig", pulumi.Output.secret(cluster.eks_cluster.kubeconfig_json))
    pulumi.export("agentsUrls", {l.name: f"https://{l.name}.{hybrid.domain}" for l in hybrid.listeners})
    pulumi.export("albDnsName", edge.load_balancer.dns_name)
    pulumi.export("controlPlane", {"hostBackendUrl": host_backend_url, "smithBackendUrl": smith_backend_url})

if settings.shape is Shape.BYOC:
    assert settings.byoc_external_id is not None  # validated with the settings
    # POSTGRES_URI_CUSTOM: an external PostgreSQL for the deployments, kept in Secrets Manager.
    byoc_secrets = Secrets("secrets", SecretsArgs(
        name_prefix=settings.name_prefix,
        secrets_kms_key_arn=keys.secrets_key.arn,
        recovery_window_days=30 if settings.profile.is_production else 7,
        postgres_external_uri=secret_input(settings.postgres_external_uri),
        generate_langsmith_secrets=False,
    ), opts=with_aws) if settings.postgres.external else None
    byoc = ByocRole("byoc", ByocRoleArgs(
        account_id=account_id,
        role_name=settings.byoc.role_name,
        trusted_principal_arn=settings.byoc.principal_arn(),
        external_id=pulumi.Output.secret(settings.byoc_external_id.get_secret_value()),
        max_session_duration_seconds=settings.byoc.max_session_duration_seconds,
        permissions_boundary_arn=settings.byoc.permissions_boundary_arn,
        ecr_repository_name=settings.byoc.ecr_repository_name,
        ecr_kms_key_arn=keys.data_key.arn,
        keep_tagged_images=settings.byoc.keep_tagged_images,
        tag_existing_network=ExistingNetworkToTag(
            vpc_id=existing.vpc_id,
            public_subnet_ids=existing.public_subnet_ids,
            private_subnet_ids=existing.private_subnet_ids,
        ) if existing else None,
    ), opts=with_aws)
    # What the user pastes into the LangSmith UI. The ExternalId is referenced, never exported.
    pulumi.export("byocRoleArn", byoc.role.arn)
    pulumi.export("byocExternalIdConfigKey", f"{settings.project}:byocExternalId")
    pulumi.export("ecrRepositoryUrl", byoc.repository.repository_url)
    if byoc_secrets is not None and byoc_secrets.postgres_external_uri is not None:
        pulumi.export("postgresUriSecretArn", byoc_secrets.postgres_external_uri.arn)
    if settings.byoc.langsmith_runs_endpoints is not None:
        pulumi.export("langsmithRunsEndpoints", settings.byoc.langsmith_runs_endpoints)

# The same estimate the offline preview prints, kept with the stack: `pulumi stack output monthlyCostEstimate`.
pulumi.export("monthlyCostEstimate", cost_summary(estimate(items_from_settings(settings), settings.region)))
pulumi.export("region", settings.region)
pulumi.export("shape", settings.shape.value)
pulumi.export("profile", settings.profile.value)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("dataSubnetIds", network.data_subnet_ids)
