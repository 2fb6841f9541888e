"""Billable items read from an offline plan (the preview's JSON)."""

from __future__ import annotations

from typing import Any, Mapping

from pricing import items
from pricing.engine import BillItem


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
        elif t == "kubernetes:helm.sh/v3:Release" and i.get("chart") == "langsmith":
            stateful = ((i.get("values") or {}).get("clickhouse") or {}).get("statefulSet") if isinstance(i.get("values"), dict) else None
            if stateful:
                persistence = stateful.get("persistence") or {}
                params = (storage_classes.get(persistence.get("storageClassName")) or {}).get("parameters") or {}
                bill += items.gp3_volume("ClickHouse volume", name, _gib(persistence.get("size", "")),
                                         int(params.get("iops", items.GP3_BASELINE_IOPS)),
                                         int(params.get("throughput", items.GP3_BASELINE_THROUGHPUT)))
    return bill + items.kms_keys(keys) + items.secrets(secret_count)
