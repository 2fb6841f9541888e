"""The offline preview as a product: cost, timeline and diagram (the generated docs: tests/test_docs.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pricing.engine import SPOT_FRACTION, estimate
from pricing.from_plan import items_from_plan
from tests.conftest import run_stack
from tools.engine.diagram import mermaid
from tools.engine.plan import build_plan
from tools.preview import main as preview_main
from tools.engine.timeline import critical_path, timeline_summary

HOURS = 730


def resource(type_: str, name: str, inputs: dict, *, id_: str | None = None, deps: tuple[str, ...] = (),
             custom: bool = True) -> dict:
    return {"urn": f"urn:pulumi:s::p::{type_}::{name}", "type": type_, "name": name, "custom": custom,
            "parent": None, "dependencies": list(deps), "protect": False, "retain_on_delete": False,
            "inputs": inputs, "id": id_ or name, "outputs": {}}


def small_plan(instance_type: str = "m6i.xlarge", capacity: str = "ON_DEMAND") -> dict:
    return {"project": "p", "stack": "s", "outputs": {}, "violations": [], "resources": [
        resource("eks:index:Cluster", "eks", {"upgradePolicy": {"supportType": "STANDARD"}}, custom=False),
        resource("aws:ec2/launchTemplate:LaunchTemplate", "lt",
                 {"blockDeviceMappings": [{"ebs": {"volumeSize": 50}}]}, id_="lt-1"),
        resource("eks:index:ManagedNodeGroup", "ng", {"instanceTypes": [instance_type], "capacityType": capacity,
                                                      "scalingConfig": {"desiredSize": 2}, "launchTemplate": {"id": "lt-1"}},
                 custom=False),
        resource("aws:rds/instance:Instance", "db", {"instanceClass": "db.t4g.medium", "allocatedStorage": 20,
                                                     "multiAz": False}),
        resource("aws:ec2/natGateway:NatGateway", "nat", {}),
    ]}


def test_cost_of_a_small_plan_by_hand():
    cost = estimate(items_from_plan(small_plan()), "us-east-1")
    expected = (0.10 * HOURS            # EKS control plane
                + 2 * 0.192 * HOURS     # two m6i.xlarge
                + 2 * 50 * 0.08         # their gp3 root volumes
                + 0.065 * HOURS         # db.t4g.medium
                + 20 * 0.115            # RDS gp3 storage
                + 0.045 * HOURS)        # NAT gateway
    assert cost.total_usd == pytest.approx(expected, abs=0.01)
    assert cost.unpriced == []


def test_spot_nodes_are_discounted_and_marked():
    on_demand = estimate(items_from_plan(small_plan()), "us-east-1").by_category()["Nodes: ng"]
    cost = estimate(items_from_plan(small_plan(capacity="SPOT")), "us-east-1")
    (compute,) = [l for l in cost.lines if l.sku == "ec2:m6i.xlarge"]
    assert compute.monthly_usd == pytest.approx(2 * 0.192 * HOURS * SPOT_FRACTION, abs=0.01)
    assert "spot" in compute.note and cost.by_category()["Nodes: ng"] < on_demand


def test_missing_price_is_reported_not_zeroed():
    cost = estimate(items_from_plan(small_plan(instance_type="x9.mega")), "us-east-1")
    assert any("ec2:x9.mega" in u for u in cost.unpriced)
    assert all(l.sku != "ec2:x9.mega" for l in cost.lines)


def test_region_without_prices_is_reported():
    cost = estimate(items_from_plan(small_plan()), "ap-south-2")
    # Never a total of zero: no total at all, and every item listed as unpriced.
    assert cost.total_usd is None and cost.status == "unpriced" and cost.lines == []
    assert len(cost.unpriced) == len(items_from_plan(small_plan()))
    assert all("no price file for ap-south-2" in u for u in cost.unpriced)


@pytest.mark.parametrize("stack", ["dev", "prod", "hybrid", "byoc", "byoc-ecs"])
def test_stack_output_estimate_equals_the_plan_estimate(stack: str, dev_run, prod_run):
    run = {"dev": dev_run, "prod": prod_run}.get(stack) or run_stack(stack)
    from_plan = estimate(items_from_plan(build_plan(run)), "us-east-1")
    exported = run.outputs["monthlyCostEstimate"]
    assert exported["totalUsd"] == from_plan.total_usd and exported["byCategory"] == from_plan.by_category()
    assert exported["unpriced"] == []


def test_dev_stays_under_its_budget_and_prod_holds_the_baseline(dev_run, prod_run):
    dev = estimate(items_from_plan(build_plan(dev_run)), "us-east-1")
    prod = estimate(items_from_plan(build_plan(prod_run)), "us-east-1")
    assert dev.total_usd is not None and dev.total_usd < 480
    # Within 10% of the reference's floor (~1,500 USD at list price): two general nodes, sized by
    # the pods' requests (tests/test_capacity.py shows every production pod fits them).
    assert prod.total_usd is not None and 1350 <= prod.total_usd <= 1650
    general = [l for l in prod.lines if l.sku == "ec2:m6i.2xlarge" and "general" in l.category]
    assert general and general[0].quantity == 2


def test_timeline_of_a_small_graph():
    plan = {"resources": [
        resource("aws:ec2/vpc:Vpc", "vpc", {}),
        resource("aws:rds/instance:Instance", "db", {}, deps=("urn:pulumi:s::p::aws:ec2/vpc:Vpc::vpc",)),
        resource("aws:ec2/natGateway:NatGateway", "nat", {}, deps=("urn:pulumi:s::p::aws:ec2/vpc:Vpc::vpc",)),
        resource("aws:rds/instance:Instance", "db2", {"multiAz": True}),
    ]}
    chain = critical_path(plan)
    assert [s.name for s in chain] == ["db2"] and chain[-1].finish_seconds == 990  # 660 * 1.5
    plan["resources"][3]["inputs"] = {}
    chain = critical_path(plan)
    assert [s.name for s in chain] == ["vpc", "db"] and chain[-1].finish_seconds == 10 + 660


def test_data_stores_and_edge_do_not_wait_for_the_cluster(prod_run):
    plan = build_plan(prod_run)
    by_name = {r["name"]: r for r in plan["resources"]}
    cluster = by_name["cluster-eks"]["urn"]
    for independent in ("postgres-instance", "redis-group", "edge-alb", "edge-waf", "edge-certificate"):
        assert cluster not in by_name[independent]["dependencies"]
    # nor the cluster for them
    data_urns = {by_name[n]["urn"] for n in ("postgres-instance", "redis-group", "edge-alb")}
    assert not data_urns & set(by_name["cluster-eks"]["dependencies"])
    path = [s["name"] for s in timeline_summary(plan)["criticalPath"]]
    assert "cluster-eks" in path and "postgres-instance" not in path and "redis-group" not in path
    assert 25 <= timeline_summary(plan)["estimatedMinutes"] <= 60


def test_preview_prints_cost_and_timeline_and_writes_the_diagram(tmp_path: Path):
    out = io.StringIO()
    plan_path, diagram_path = tmp_path / "plan.json", tmp_path / "dev.mmd"
    code = preview_main(["--stack", "dev", "--quiet", "--cost", "--timeline", "--json", str(plan_path),
                         "--diagram", str(diagram_path)], out=out, err=io.StringIO())
    assert code == 0
    text = out.getvalue()
    plan = json.loads(plan_path.read_text())
    assert f"{plan['cost']['totalMonthlyUsd']:>9.2f} USD" in text and "Estimated first `pulumi up`" in text
    assert plan["timeline"]["criticalPath"][-1]["finishSeconds"] == plan["timeline"]["estimatedSeconds"]
    diagram = diagram_path.read_text()
    assert diagram.startswith("flowchart LR") and '-->|"PostgreSQL TLS :5432"| n_postgres' in diagram


def test_diagram_draws_only_present_components(dev_run):
    byoc = mermaid(build_plan(run_stack("byoc")))
    assert "n_byoc" in byoc and "sts:AssumeRole" in byoc and "n_langsmith" not in byoc
    dev = mermaid(build_plan(dev_run))
    assert "n_users" in dev and "controlplane" not in dev
