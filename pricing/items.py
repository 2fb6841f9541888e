"""Billable items per kind of resource, shared by the plan and the settings producers."""

from __future__ import annotations

from pricing.engine import BillItem, spot

GP3_BASELINE_IOPS = 3000
GP3_BASELINE_THROUGHPUT = 125
ASSUMED_ALB_LCUS = 1


def eks_control_plane(resource: str, extended: bool = False) -> list[BillItem]:
    sku = "eks:cluster-extended-hour" if extended else "eks:cluster-standard-hour"
    return [BillItem("EKS control plane", resource, sku, 1)]


def node_group(resource: str, instance_type: str, nodes: int, spot_capacity: bool, root_gb: int) -> list[BillItem]:
    compute = BillItem(f"Nodes: {resource}", resource, f"ec2:{instance_type}", nodes)
    return [spot(compute) if spot_capacity else compute,
            BillItem(f"Nodes: {resource}", resource, "ebs:gp3-gb-month", nodes * root_gb, "usd_per_month",
                     note="encrypted gp3 root volumes")]


def postgres(resource: str, instance_class: str, storage_gb: int, multi_az: bool) -> list[BillItem]:
    suffix = "_multi_az" if multi_az else ""
    return [BillItem("PostgreSQL (RDS)", resource, f"rds-postgres:{instance_class}", 1, f"usd_per_hour{suffix}",
                     note="Multi-AZ" if multi_az else ""),
            BillItem("PostgreSQL (RDS)", resource, "rds:gp3-gb-month", storage_gb, f"usd_per_month{suffix}")]


def redis(resource: str, node_type: str, nodes: int, engine: str) -> list[BillItem]:
    field = "usd_per_hour_valkey" if engine == "valkey" else "usd_per_hour"
    return [BillItem("Redis (ElastiCache)", resource, f"elasticache:{node_type}", nodes, field)]


def nat_gateway(resource: str) -> list[BillItem]:
    return [BillItem("NAT gateways", resource, "vpc:nat-gateway-hour", 1, note="data processing not included")]


def load_balancer(resource: str) -> list[BillItem]:
    return [BillItem("Load balancer", resource, "elb:alb-hour", 1),
            BillItem("Load balancer", resource, "elb:alb-lcu-hour", ASSUMED_ALB_LCUS, note="one LCU assumed")]


def web_acl(resource: str, rules: int) -> list[BillItem]:
    return [BillItem("WAF", resource, "wafv2:web-acl-month", 1, "usd_per_month"),
            BillItem("WAF", resource, "wafv2:rule-month", rules, "usd_per_month", note="requests not included")]


def gp3_volume(category: str, resource: str, size_gb: int, iops: int, throughput: int) -> list[BillItem]:
    items = [BillItem(category, resource, "ebs:gp3-gb-month", size_gb, "usd_per_month")]
    if iops > GP3_BASELINE_IOPS:
        items.append(BillItem(category, resource, "ebs:gp3-iops-month", iops - GP3_BASELINE_IOPS, "usd_per_month"))
    if throughput > GP3_BASELINE_THROUGHPUT:
        items.append(BillItem(category, resource, "ebs:gp3-throughput-mibps-month",
                              throughput - GP3_BASELINE_THROUGHPUT, "usd_per_month"))
    return items


def kms_keys(count: int) -> list[BillItem]:
    return [BillItem("KMS keys", "keys", "kms:key-month", count, "usd_per_month")] if count else []


def secrets(count: int) -> list[BillItem]:
    return [BillItem("Secrets Manager", "secrets", "secretsmanager:secret-month", count, "usd_per_month")] if count else []


def interface_endpoint(resource: str, zones: int) -> list[BillItem]:
    return [BillItem("VPC interface endpoints", resource, "vpc:interface-endpoint-az-hour", zones,
                     note="data processing not included")]
