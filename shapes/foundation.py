"""What every shape stands on (account lookups, the tagging provider, keys, network), and the
builders the shapes share, turning typed settings into component args."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pydantic import SecretStr

from components.aws_provider import ProviderSettings, new_provider
from components.byoc import BYOC_PRIVATE_SUBNET_TAGS, BYOC_PUBLIC_SUBNET_TAGS, BYOC_VPC_TAGS
from components.cluster import Cluster, ClusterArgs, NodePool
from components.cluster_addons import ClusterAddons, ClusterAddonsArgs
from components.edge import FRONTEND_CONTAINER_PORT, HEALTH_CHECK_PATH, Edge, EdgeArgs
from components.kms import EncryptionKeys, EncryptionKeysArgs
from components.log_bucket import LogBucket, LogBucketArgs
from components.network import ExistingNetwork, Network, NetworkArgs
from settings import ConfigError, ConfigIssue, Settings, Shape
from settings.aws_provider import provider_settings
from settings.byoc import langchain_builds_the_vpc
from settings.loader import runtime_values
from settings.cluster import NodePoolSettings


def availability_zones(settings: Settings) -> list[str]:
    """The zones to use: from config, or the region's first zones by name.

    Not filtered by state: a zone degraded during an outage is reported `impaired` or
    `unavailable`, and a choice among the `available` ones would then move every subnet on the
    next `pulumi up`. The region's default zones (no opt-in) in name order are fixed at the first
    deploy; `network.availabilityZones` pins them explicitly.
    """
    configured = settings.network.availability_zones
    if configured is not None:
        return list(configured)
    available = sorted(aws.get_availability_zones(
        filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
    ).names)
    if len(available) < settings.network.az_count:
        raise ConfigError([ConfigIssue(
            "network.azCount", settings.network.az_count,
            f"the region {settings.region} has only {len(available)} available zones: {', '.join(available)}")],
            settings.project)
    return list(available[: settings.network.az_count])


def secret_input(value: SecretStr | None) -> pulumi.Output[str] | None:
    return pulumi.Output.secret(value.get_secret_value()) if value is not None else None


def node_pool(pool: NodePoolSettings) -> NodePool:
    return NodePool(instance_types=pool.instance_types, capacity_type=pool.capacity_type,
                    min_size=pool.min_size, desired_size=pool.desired_size, max_size=pool.max_size,
                    disk_size_gb=pool.disk_size_gb)


@dataclass(frozen=True)
class Foundation:
    settings: Settings
    account_id: str
    opts: pulumi.ResourceOptions  # every component goes through the tagging AWS provider
    built_keys: EncryptionKeys | None  # None: BYOC eks with a managed VPC builds neither keys nor network
    built_network: Network | None
    aws_settings: ProviderSettings  # the stack's aws: settings, for every explicit AWS provider

    @property
    def keys(self) -> EncryptionKeys:
        assert self.built_keys is not None, "this stack builds no KMS keys"
        return self.built_keys

    @property
    def network(self) -> Network:
        assert self.built_network is not None, "this stack builds no network"
        return self.built_network

    @staticmethod
    def build(settings: Settings) -> "Foundation":
        # Lookups first, so that a region mismatch is still a config error with nothing registered.
        account_id = aws.get_caller_identity().account_id
        byoc = settings.shape is Shape.BYOC
        ecs_byoc = byoc and settings.byoc.contract == "ecs"
        no_network = byoc and langchain_builds_the_vpc(settings.byoc)
        zones = availability_zones(settings) if settings.network.existing is None and not no_network else []
        # Every AWS resource goes through this provider, so every resource carries the stack's tags.
        # It carries the stack's aws: settings, which only the default provider (the lookups) reads.
        carried = provider_settings(*runtime_values())
        provider = new_provider("aws", settings.region, settings.resource_tags(), carried)
        opts = pulumi.ResourceOptions(providers=[provider])
        if no_network:  # LangChain's control plane builds the VPC and its own keys in this account
            return Foundation(settings, account_id, opts, None, None, carried)
        keys = EncryptionKeys("keys", EncryptionKeysArgs(
            name_prefix=settings.name_prefix, account_id=account_id, region=settings.region,
            protect=settings.protect_data,
            retain_data_key=settings.profile.is_production,
        ), opts=opts)
        existing = settings.network.existing
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
            cluster_name=None if byoc else settings.cluster_name,
            byoc_subnet_layout=byoc and not ecs_byoc,
            vpc_tags=BYOC_VPC_TAGS if ecs_byoc else {},
            public_subnet_tags=BYOC_PUBLIC_SUBNET_TAGS if ecs_byoc else {},
            private_subnet_tags=BYOC_PRIVATE_SUBNET_TAGS if ecs_byoc else {},
            existing=ExistingNetwork(
                vpc_id=existing.vpc_id,
                public_subnet_ids=existing.public_subnet_ids,
                private_subnet_ids=existing.private_subnet_ids,
                data_subnet_ids=existing.data_subnet_ids,
            ) if existing else None,
        ), opts=opts)
        return Foundation(settings, account_id, opts, keys, network, carried)

    @property
    def keeps_data(self) -> bool:
        """What holds data outlives a delete: protected stacks, and production ones even after the
        teardown has lifted `protectData` (docs/teardown.md)."""
        return self.settings.protect_data or self.settings.profile.is_production

    @property
    def secrets_recovery_days(self) -> int:
        # Unprotected dev: deleted at once, so that destroy + up can reuse the names (a secret in its
        # recovery window keeps its name). Production keeps its window through the teardown.
        return 30 if self.keeps_data else 0

    def access_logs(self) -> LogBucket:
        s = self.settings
        return LogBucket("access-logs", LogBucketArgs(
            name_prefix=s.name_prefix, account_id=self.account_id, region=s.region,
            retention_days=s.log_retention_days, protect=s.protect_data, keep_contents=self.keeps_data,
        ), opts=self.opts)

    def cluster(self, in_cluster_clickhouse: bool) -> Cluster:
        """The EKS platform shared by the self-hosted and hybrid shapes."""
        s = self.settings
        return Cluster("cluster", ClusterArgs(
            cluster_name=s.cluster_name,
            account_id=self.account_id,
            region=s.region,
            vpc_id=self.network.vpc_id,
            private_subnet_ids=self.network.private_subnet_ids,
            secrets_kms_key_arn=self.keys.secrets_key.arn,
            data_kms_key_arn=self.keys.data_key.arn,
            logs_kms_key_arn=self.keys.logs_key.arn,
            log_retention_days=s.log_retention_days,
            general_pool=node_pool(s.cluster.general_pool),
            clickhouse_pool=node_pool(s.cluster.clickhouse_pool) if in_cluster_clickhouse else None,
            architecture=s.cluster.architecture,
            clickhouse_volume_iops=s.clickhouse.volume_iops,
            clickhouse_volume_throughput_mibps=s.clickhouse.volume_throughput_mibps,
            public_access_cidrs=s.cluster.public_access_cidrs,
            deployer_access_cidrs=s.cluster.deployer_access_cidrs,
            admin_role_arns=s.cluster.admin_role_arns,
            deletion_protection=s.protect_data,
            kubeconfig_profile=self.aws_settings.profile,
            kubeconfig_role_arn=self.aws_settings.role_arn,
            kubeconfig_env=dict(self.aws_settings.kubeconfig_env),
        ), opts=self.opts)

    def addons(self, cluster: Cluster) -> ClusterAddons:
        s = self.settings
        return ClusterAddons("addons", ClusterAddonsArgs(
            cluster_name=s.cluster_name,
            region=s.region,
            vpc_id=self.network.vpc_id,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_issuer=cluster.oidc_issuer,
            provider=cluster.provider,
            adopting_provider=cluster.adopting_provider(),
            depends_on=[cluster.general_node_group, *cluster.addons],
        ), opts=self.opts)

    def edge(self, cluster: Cluster, access_logs: LogBucket, domain: str, hosted_zone_id: str, *,
             target_port: int = FRONTEND_CONTAINER_PORT, health_check_path: str = HEALTH_CHECK_PATH,
             health_check_port: int | None = None, wildcard: bool = False, in_cluster_https: bool = False,
             trace_ingestion: bool = True) -> Edge:
        """The ALB, WAF, certificate and DNS in front of the cluster's pods on `target_port`.

        `in_cluster_https`: pods call the ALB's own URL (LangSmith Deployment's health check of each
        agent, settings.langsmith.ingress_health_check): an internal ALB admits the cluster's security
        group; a public one restricted by edge.allowedCidrs admits the NAT gateways' addresses.
        `trace_ingestion`: LangSmith's ingestion paths get their own WAF rate limit (self-hosted only)."""
        s = self.settings
        open_to_all = "0.0.0.0/0" in s.edge.allowed_cidrs
        in_cluster_groups = [cluster.cluster_security_group_id] if in_cluster_https and s.edge.internal else []
        in_cluster_addresses = (list(self.network.nat_public_ips)
                                if in_cluster_https and not s.edge.internal and not open_to_all else [])
        return Edge("edge", EdgeArgs(
            name_prefix=s.name_prefix,
            domain=domain,
            hosted_zone_id=hosted_zone_id,
            vpc_id=self.network.vpc_id,
            subnet_ids=self.network.private_subnet_ids if s.edge.internal else self.network.public_subnet_ids,
            internal=s.edge.internal,
            allowed_cidrs=s.edge.allowed_cidrs,
            cluster_security_group_id=cluster.cluster_security_group_id,
            access_log_bucket=access_logs.delivery_bucket_name,
            logs_kms_key_arn=self.keys.logs_key.arn,
            log_retention_days=s.log_retention_days,
            waf_rate_limit=s.edge.waf_rate_limit,
            waf_ingest_rate_limit=s.edge.waf_ingest_rate_limit if trace_ingestion else None,
            deletion_protection=s.protect_data,
            target_port=target_port,
            health_check_path=health_check_path,
            health_check_port=health_check_port,
            wildcard=wildcard,
            in_cluster_security_group_ids=in_cluster_groups,
            in_cluster_addresses=in_cluster_addresses,
        ), opts=self.opts)
