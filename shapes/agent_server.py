"""Agent Servers: LangChain's standalone `langgraph-cloud` chart on the platform this project builds.

EKS with its controllers, PostgreSQL on RDS (one database per server), Redis on ElastiCache (one
database number per server), the ALB with TLS and WAF in front of Envoy Gateway, which routes by
host and path to each server's HTTPRoute, alarms and logs; one ECR repository per server.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random

from components.agent_server import (
    AgentServer,
    AgentServerArgs,
    AgentServerNamespace,
    AgentServerNamespaceArgs,
    AgentServerRepository,
    NAMESPACE,
)
from components.gateway import ENVOY_HTTP_PORT, ENVOY_READY_PATH, ENVOY_READY_PORT, AgentGateway, AgentGatewayArgs
from components.observability import AlarmThresholds, Observability, ObservabilityArgs
from components.postgres import Postgres, PostgresArgs
from components.redis import Redis, RedisArgs
from components.secrets import Secrets, SecretsArgs
from settings import Settings
from settings.agent_server import database_name, server_spec
from shapes.foundation import Foundation, secret_input

REDIS_TOKEN_SECRET = "redis-auth-token"
API_KEY_SECRET = "agent-server-api-key"


def repository_name(s: Settings, server: str) -> str:
    return f"{s.name_prefix}/{server}"


def repository_url(f: Foundation, server: str) -> str:
    """Known before deploy (account, region, name), so the values stay plain data."""
    return f"{f.account_id}.dkr.ecr.{f.settings.region}.amazonaws.com/{repository_name(f.settings, server)}"


def build(f: Foundation) -> None:
    s, keys, network, opts = f.settings, f.keys, f.network, f.opts
    a = s.agent_server
    assert a.domain is not None and a.hosted_zone_id is not None and s.license_key is not None  # validated
    # ElastiCache AUTH token: 16-128 printable characters without " / @; alphanumeric is safest.
    redis_token = random.RandomPassword(REDIS_TOKEN_SECRET, length=48, special=False)
    named: dict[str, pulumi.Input[str]] = {REDIS_TOKEN_SECRET: redis_token.result}
    if s.agent_server_api_key is not None:
        named[API_KEY_SECRET] = pulumi.Output.secret(s.agent_server_api_key.get_secret_value())
    secrets = Secrets("secrets", SecretsArgs(
        name_prefix=s.name_prefix, secrets_kms_key_arn=keys.secrets_key.arn,
        recovery_window_days=f.secrets_recovery_days, license_key=secret_input(s.license_key),
        generate_langsmith_secrets=False, named=named,
    ), opts=opts)
    assert secrets.license_key is not None

    repositories = {server.name: AgentServerRepository(
        f"repository-{server.name}", repository_name=repository_name(s, server.name),
        data_kms_key_arn=keys.data_key.arn, protect=s.protect_data,
        opts=opts) for server in a.servers}

    postgres = Postgres("postgres", PostgresArgs(
        name_prefix=s.name_prefix, account_id=f.account_id, vpc_id=network.vpc_id,
        subnet_ids=network.data_subnet_ids, data_kms_key_arn=keys.data_key.arn,
        secrets_kms_key_arn=keys.secrets_key.arn, logs_kms_key_arn=keys.logs_key.arn,
        log_retention_days=s.log_retention_days, engine_version=s.postgres.engine_version,
        instance_class=s.postgres.instance_class, allocated_storage_gb=s.postgres.allocated_storage_gb,
        max_allocated_storage_gb=s.postgres.max_allocated_storage_gb, multi_az=s.postgres.multi_az,
        backup_retention_days=s.postgres.backup_retention_days, production=s.profile.is_production,
        protect=s.protect_data,
    ), opts=opts)
    redis = Redis("redis", RedisArgs(
        name_prefix=s.name_prefix, vpc_id=network.vpc_id, subnet_ids=network.data_subnet_ids,
        data_kms_key_arn=keys.data_key.arn, logs_kms_key_arn=keys.logs_key.arn, auth_token=redis_token.result,
        log_retention_days=s.log_retention_days, engine=s.redis.engine, engine_version=s.redis.engine_version,
        node_type=s.redis.node_type, nodes=s.redis.nodes, snapshot_retention_days=s.redis.snapshot_retention_days,
        protect=s.protect_data,
    ), opts=opts)

    cluster = f.cluster(in_cluster_clickhouse=False)
    redis.allow_from("eks-nodes", cluster.cluster_security_group_id)
    postgres.allow_from("eks-nodes", cluster.cluster_security_group_id)
    addons = f.addons(cluster)
    # TLS, WAF and logs on our ALB (certificate *.<domain>); Envoy Gateway routes by host and path.
    edge = f.edge(cluster, f.access_logs(), a.domain, a.hosted_zone_id, target_port=ENVOY_HTTP_PORT,
                  health_check_path=ENVOY_READY_PATH, health_check_port=ENVOY_READY_PORT, wildcard=True,
                  trace_ingestion=False)
    gateway = AgentGateway("gateway", AgentGatewayArgs(
        listener_hostname=f"*.{a.domain}", provider=cluster.provider, target_group_arn=edge.target_group.arn,
        adopting_provider=cluster.adopting_provider(), depends_on=[addons.load_balancer_controller],
    ), opts=opts)
    readable = [secrets.license_key.arn, postgres.master_secret_arn, secrets.named[REDIS_TOKEN_SECRET].arn]
    if API_KEY_SECRET in secrets.named:
        readable.append(secrets.named[API_KEY_SECRET].arn)
    home = AgentServerNamespace("agent-servers", AgentServerNamespaceArgs(
        region=s.region, provider=cluster.provider, secret_arns=readable, secrets_kms_key_arn=keys.secrets_key.arn,
        oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
        depends_on=[addons.external_secrets]), opts=opts)

    servers: list[AgentServer] = []
    api_key = secrets.named.get(API_KEY_SECRET)
    for server in a.servers:
        if server.image is None:
            continue  # the repository exists; the release waits for an image to run
        repository = repositories[server.name].repository
        servers.append(AgentServer(f"agent-server-{server.name}", AgentServerArgs(
            spec=server_spec(a, server, repository_url(f, server.name)),
            namespace=home, provider=cluster.provider, redis_database=server.redis_database,
            redis_host=redis.primary_endpoint, redis_auth_token_arn=secrets.named[REDIS_TOKEN_SECRET].arn,
            postgres_host=postgres.address, postgres_master_secret_arn=postgres.master_secret_arn,
            database=database_name(server.name), license_key_arn=secrets.license_key.arn,
            api_key_arn=api_key.arn if api_key is not None else None,
            # Autoscaling needs KEDA; the routes need the Gateway.
            depends_on=[addons.keda, addons.external_secrets, gateway.gateway, repository],
        ), opts=opts))

    obs = s.observability
    observability = Observability("observability", ObservabilityArgs(
        name_prefix=s.name_prefix, account_id=f.account_id, cluster_name=s.cluster_name, region=s.region,
        provider=cluster.provider, adopting_provider=cluster.adopting_provider(), oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
        logs_kms_key_arn=keys.logs_key.arn, data_kms_key_arn=keys.data_key.arn,
        log_retention_days=s.log_retention_days,
        thresholds=AlarmThresholds(
            alb_errors_per_5_minutes=obs.alb_errors_per_5_minutes, rds_cpu_percent=obs.rds_cpu_percent,
            rds_free_storage_gb=obs.rds_free_storage_gb, rds_max_connections=obs.rds_max_connections,
            redis_memory_percent=obs.redis_memory_percent,
            redis_evictions_per_5_minutes=obs.redis_evictions_per_5_minutes,
            pod_restarts_per_5_minutes=obs.pod_restarts_per_5_minutes,
            clickhouse_disk_percent=obs.clickhouse_disk_percent),
        backup_retention_days=obs.backup_retention_days,
        alb_arn_suffix=edge.load_balancer.arn_suffix, target_group_arn_suffix=edge.target_group.arn_suffix,
        redis_group_id=redis.replication_group.replication_group_id, redis_member_cluster_ids=redis.member_cluster_ids,
        # Pod restarts are watched in the servers' namespace; there is no ClickHouse here.
        langsmith_namespace=NAMESPACE, health_check_domain=None,
        rds_identifier=postgres.instance.identifier, rds_arn=postgres.instance.arn, clickhouse_in_cluster=False,
        alarm_email=obs.alarm_email, protect=s.protect_data, default_tags=s.resource_tags(),
        aws_settings=f.aws_settings, nodes_ready=[cluster.general_node_group, *cluster.addons],
        langsmith_ready=[server.release for server in servers],
    ), opts=opts)

    pulumi.export("agentServerUrls", {srv.name: f"https://{a.host_of(srv)}{'' if srv.path == '/' else srv.path}"
                                      for srv in a.servers})
    pulumi.export("repositoryUrls", {name: r.repository.repository_url for name, r in repositories.items()})
    pulumi.export("tracingEndpoint", a.tracing.endpoint_url() or "off")
    pulumi.export("albDnsName", edge.load_balancer.dns_name)
    pulumi.export("alarmTopicArn", observability.topic.arn)
    pulumi.export("clusterName", s.cluster_name)
    pulumi.export("kubeconfig", pulumi.Output.secret(cluster.kubeconfig))
    pulumi.export("databaseEndpoint", postgres.address)
    pulumi.export("redisEndpoint", redis.primary_endpoint)
