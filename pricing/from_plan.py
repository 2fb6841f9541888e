"""Billable items read from an offline plan (the preview's JSON)."""

from __future__ import annotations

from typing import Any, Mapping

from pricing import items
from pricing.engine import BillItem

# The ClickHouse data claim the program creates (components/clickhouse_restore.py CLICKHOUSE_DATA_CLAIM;
# tests/test_pricing.py holds them equal).
CLICKHOUSE_DATA_CLAIM = "data-langsmith-clickhouse-0"


def _gib(size: str) -> int:
    return int(float(size.removesuffix("Gi"))) if isinstance(size, str) and size.endswith("Gi") else 0


def items_from_plan(plan: Mapping[str, Any]) -> list[BillItem]:
    resources = plan.get("resources", [])
    by_id = {r.get("id"): r for r in resources if r.get("id")}
    storage_classes = {r["inputs"].get("metadata", {}).get("name"): r["inputs"] for r in resources
                       if r["type"] == "kubernetes:storage.k8s.io/v1:StorageClass"}
    bill: list[BillItem] = []
    keys = secret_count = 0
    for r in resources:
        t, i, name = r["type"], r.get("inputs") or {}, r["name"]
        if t == "eks:index:Cluster":
            bill += items.eks_control_plane(name, (i.get("upgradePolicy") or {}).get("supportType") == "EXTENDED")
        elif t == "eks:index:ManagedNodeGroup":
            template = by_id.get((i.get("launchTemplate") or {}).get("id"), {}).get("inputs", {})
            mappings = template.get("blockDeviceMappings") or [{}]
            root_gb = int((mappings[0].get("ebs") or {}).get("volumeSize") or i.get("diskSize") or 20)
            bill += items.node_group(name, i["instanceTypes"][0], int(i["scalingConfig"]["desiredSize"]),
                                     i.get("capacityType") == "SPOT", root_gb)
        elif t == "aws:rds/instance:Instance":
            bill += items.postgres(name, i["instanceClass"], int(i.get("allocatedStorage", 20)), bool(i.get("multiAz")))
        elif t == "aws:elasticache/replicationGroup:ReplicationGroup":
            bill += items.redis(name, i["nodeType"], int(i.get("numCacheClusters", 1)), i.get("engine", "redis"))
        elif t == "aws:ec2/natGateway:NatGateway":
            bill += items.nat_gateway(name)
        elif t == "aws:lb/loadBalancer:LoadBalancer":
            bill += items.load_balancer(name)
        elif t == "aws:wafv2/webAcl:WebAcl":
            bill += items.web_acl(name, len(i.get("rules") or []))
        elif t == "aws:ec2/vpcEndpoint:VpcEndpoint" and i.get("vpcEndpointType") == "Interface":
            bill += items.interface_endpoint(name, len(i.get("subnetIds") or []))
        elif t == "aws:kms/key:Key":
            keys += 1
        elif t == "aws:secretsmanager/secret:Secret":
            secret_count += 1
        elif t == "kubernetes:core/v1:PersistentVolumeClaim" and \
                (i.get("metadata") or {}).get("name") == CLICKHOUSE_DATA_CLAIM:
            # The claim the chart's StatefulSet adopts carries the volume's size (the chart's claim
            # template is fixed: components/langsmith_values.py CLAIM_TEMPLATE_SIZE).
            spec = i.get("spec") or {}
            params = (storage_classes.get(spec.get("storageClassName")) or {}).get("parameters") or {}
            bill += items.gp3_volume("ClickHouse volume", "langsmith-release",
                                     _gib(((spec.get("resources") or {}).get("requests") or {}).get("storage", "")),
                                     int(params.get("iops", items.GP3_BASELINE_IOPS)),
                                     int(params.get("throughput", items.GP3_BASELINE_THROUGHPUT)))
    return bill + items.kms_keys(keys) + items.secrets(secret_count)
