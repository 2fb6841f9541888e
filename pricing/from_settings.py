"""Billable items derived from the settings, for the stack's own cost output after a real deploy.

It mirrors what the program creates; a test holds it equal to the estimate of the offline plan.
"""

from __future__ import annotations

from pricing import items
from pricing.engine import BillItem
from settings import Settings, Shape
from settings.byoc import langchain_builds_the_vpc

# The four AWS managed groups of components.edge.MANAGED_RULE_GROUPS and the rate limits: two in
# self-hosted (trace ingestion and the rest), one in hybrid (components.edge._rate_rules).
MANAGED_WAF_RULES = 4
RATE_RULES = {Shape.SELF_HOSTED: 2, Shape.HYBRID: 1, Shape.AGENT_SERVER: 1}


def _secret_count(s: Settings) -> int:
    if s.shape is Shape.SELF_HOSTED:
        ls = s.langsmith
        features = (int(bool(ls and ls.insights_enabled)) + int(bool(ls and ls.polly_enabled))
                    + int(bool(ls and ls.fleet_enabled)))
        return (5 + int(s.license_key is not None) + int(s.oidc_client_secret is not None) + features
                + int(s.postgres.external) + int(s.clickhouse.mode == "external"))
    if s.shape is Shape.HYBRID:
        return len(s.hybrid.listeners)
    if s.shape is Shape.AGENT_SERVER:  # license key, Redis AUTH token, LangSmith API key
        return 2 + int(s.agent_server_api_key is not None)
    return int(s.postgres.external)


def _builds_network(s: Settings) -> bool:
    return not (s.shape is Shape.BYOC and langchain_builds_the_vpc(s.byoc))


def _kms_key_count(s: Settings) -> int:
    if not _builds_network(s):
        return 0  # BYOC eks, managed VPC: the stack builds the roles only
    keys = 3  # the foundation's data, secrets and logs keys
    # Route53 publishes health-check metrics in us-east-1 only: outside it, the public edge's health-check
    # alarm topic gets its own key there (components/observability.py).
    public_domain = s.shape is Shape.SELF_HOSTED and not s.edge.internal and s.langsmith and s.langsmith.domain
    if public_domain and s.region != "us-east-1":
        keys += 1
    return keys


def items_from_settings(s: Settings) -> list[BillItem]:
    bill: list[BillItem] = []
    net = s.network
    if net.existing is None and _builds_network(s):
        nats = net.az_count if net.nat_gateways == "per-az" else 1
        for i in range(nats):
            bill += items.nat_gateway(f"network-nat-{i}")
        for service in net.interface_endpoints:
            bill += items.interface_endpoint(f"network-{service.replace('.', '-')}", net.az_count)
    if s.shape in (Shape.SELF_HOSTED, Shape.HYBRID, Shape.AGENT_SERVER):
        bill += items.eks_control_plane("cluster-eks")
        pools = [("general", s.cluster.general_pool)]
        if s.shape is Shape.SELF_HOSTED and s.clickhouse.mode == "in-cluster":
            pools.append(("clickhouse", s.cluster.clickhouse_pool))
        for name, pool in pools:
            bill += items.node_group(f"cluster-{name}", pool.instance_types[0], pool.desired_size,
                                     pool.capacity_type == "SPOT", pool.disk_size_gb)
        bill += items.load_balancer("edge-alb") + items.web_acl("edge-waf", MANAGED_WAF_RULES + RATE_RULES[s.shape])
    if s.shape is Shape.AGENT_SERVER:
        bill += items.postgres("postgres-instance", s.postgres.instance_class, s.postgres.allocated_storage_gb,
                               s.postgres.multi_az)
        bill += items.redis("redis-group", s.redis.node_type, s.redis.nodes, s.redis.engine)
    if s.shape is Shape.SELF_HOSTED:
        if not s.postgres.external:
            bill += items.postgres("postgres-instance", s.postgres.instance_class, s.postgres.allocated_storage_gb,
                                   s.postgres.multi_az)
        bill += items.redis("redis-group", s.redis.node_type, s.redis.nodes, s.redis.engine)
        if s.clickhouse.mode == "in-cluster":
            bill += items.gp3_volume("ClickHouse volume", "langsmith-release", s.clickhouse.volume_size_gb,
                                     s.clickhouse.volume_iops, s.clickhouse.volume_throughput_mibps)
    return bill + items.kms_keys(_kms_key_count(s)) + items.secrets(_secret_count(s))
