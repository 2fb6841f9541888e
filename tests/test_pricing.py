"""Every region priced, never a silent zero: the shipped price files, and what an unpriced region shows."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pricing.engine import PRICED, UNPRICED, estimate, load_prices, priced_regions
from pricing.from_plan import items_from_plan
from pricing.from_settings import items_from_settings
from settings.loader import parse_config
from settings.profiles import PROFILE_DEFAULTS
from tests.conftest import PROJECT, run_stack, stack_values
from tools.engine.plan import build_plan
from tools.engine.summary import print_cost
from tools.preview import main as preview_main

SHIPPED_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1",
                   "ap-northeast-1")
STACKS = ("dev", "prod", "hybrid", "byoc", "byoc-ecs", "agent-server")
NO_PRICE_FILE = "sa-east-1"
ROOT = Path(__file__).resolve().parents[1]


def prices(region: str) -> dict[str, Any]:
    document = load_prices(region)
    assert document is not None, f"no price file for {region}"
    return document


def price_fields(entry: dict[str, Any]) -> dict[str, float]:
    return {k: v for k, v in entry.items() if k.startswith("usd_")}


@pytest.fixture(scope="module")
def plans(dev_run, prod_run) -> dict[str, dict[str, Any]]:
    runs = {"dev": dev_run, "prod": prod_run, "hybrid": run_stack("hybrid"), "byoc": run_stack("byoc"),
            "byoc-ecs": run_stack("byoc-ecs"), "agent-server": run_stack("agent-server")}
    return {stack: build_plan(run) for stack, run in runs.items()}


def settings_in(stack: str, region: str):
    values, secret_keys = stack_values(stack)
    return parse_config({**values, "aws:region": region}, project=PROJECT, stack=stack, secret_keys=secret_keys)


def test_price_files_ship_for_the_regions_users_pick_and_each_figure_has_a_source():
    assert set(SHIPPED_REGIONS) <= set(priced_regions())
    for region in SHIPPED_REGIONS:
        document = prices(region)
        assert document["region"] == region and document["currency"] == "USD"
        assert document["hours_per_month"] == 730 and document["as_of"]
        for sku, entry in document["items"].items():
            fields = price_fields(entry)
            assert fields and all(isinstance(v, (int, float)) and v >= 0 for v in fields.values()), (region, sku)
            assert entry["sources"] and all(isinstance(s, str) and s for s in entry["sources"]), (region, sku)
            assert isinstance(entry["note"], str) and entry["unit"], (region, sku)
            if "usd_per_hour_valkey" in entry and "Price List API" not in entry["sources"][0]:
                assert "derived" in entry["note"].lower(), (region, sku)   # never invented silently


def test_every_region_prices_what_us_east_1_prices():
    reference = set(prices("us-east-1")["items"])
    for region in SHIPPED_REGIONS:
        missing = reference - set(prices(region)["items"])
        # Network Firewall has no sourced regional figure, and no stack's plan bills it.
        assert all(sku.startswith("network-firewall:") for sku in missing), (region, missing)


def test_every_profile_size_is_priced_in_every_region():
    for profile, defaults in PROFILE_DEFAULTS.items():
        pools = defaults["cluster"]
        skus = {f"ec2:{t}": "usd_per_hour" for pool in pools.values() for t in pool["instanceTypes"]}
        for region in SHIPPED_REGIONS:
            items = prices(region)["items"]
            for sku, field in skus.items():
                assert field in items.get(sku, {}), (profile, region, sku)
            postgres = items[f"rds-postgres:{defaults['postgres']['instanceClass']}"]
            assert {"usd_per_hour", "usd_per_hour_multi_az"} <= set(postgres), (profile, region)
            redis = items[f"elasticache:{defaults['redis']['nodeType']}"]
            assert {"usd_per_hour", "usd_per_hour_valkey"} <= set(redis), (profile, region)


def test_regional_figures_are_in_the_range_aws_prices_regions():
    """us-east-1 is the cheapest of these regions; no regional figure is below it or far above it
    (a unit slip, per-month for per-hour or a wrong family, would be)."""
    base = prices("us-east-1")["items"]
    for region in SHIPPED_REGIONS:
        for sku, entry in prices(region)["items"].items():
            for field, value in price_fields(entry).items():
                reference = base[sku][field]
                if reference:
                    assert reference <= value <= 1.6 * reference, (region, sku, field, value, reference)
            if "usd_per_hour_multi_az" in entry:   # one standby: twice the Single-AZ rate
                assert entry["usd_per_hour_multi_az"] == pytest.approx(2 * entry["usd_per_hour"], rel=0.02)
        same_as_virginia = ("ec2:m6i.2xlarge", "rds-postgres:db.m7g.large", "elasticache:cache.m7g.large")
        if region.startswith("us-"):
            assert all(prices(region)["items"][s] == prices(region)["items"][s] | price_fields(base[s])
                       for s in same_as_virginia), region


@pytest.mark.parametrize("region", SHIPPED_REGIONS)
def test_every_stack_is_fully_priced_and_the_stack_output_agrees(region: str, plans):
    totals = {}
    for stack in STACKS:
        from_plan = estimate(items_from_plan(plans[stack]), region)
        assert from_plan.status == PRICED and from_plan.unpriced == [], (stack, from_plan.unpriced)
        # byoc (eks, managed VPC) is IAM only: free; LangChain's data plane bills in its own resources.
        assert from_plan.total_usd is not None and (from_plan.total_usd == 0 if stack == "byoc" else from_plan.total_usd > 0)
        # The stack's own exported estimate, for the same config in this region, is priced the same. (The
        # plans here are us-east-1 runs; outside it a public edge adds one KMS key in us-east-1, which the
        # eu-west-1 preview below holds against a real run.)
        settings = settings_in(stack, region)
        exported = estimate(items_from_settings(settings), settings.region).stack_output()
        assert exported["status"] == PRICED and exported["region"] == region, stack
        plan_categories = from_plan.by_category()
        kms = exported["byCategory"].pop("KMS keys", 0.0) - plan_categories.pop("KMS keys", 0.0)
        assert exported["byCategory"] == plan_categories, stack
        assert kms == (1.0 if region != "us-east-1" and settings.shape.value == "self-hosted" else 0.0), stack
        totals[stack] = from_plan.total_usd
    assert totals["dev"] < totals["hybrid"] < totals["prod"]   # the profiles' order holds in every region


def test_prod_in_eu_west_1_previews_a_priced_total(tmp_path: Path, prod_run):
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())
    document["config"]["aws:region"] = "eu-west-1"
    config_file = tmp_path / "Pulumi.prod.yaml"
    config_file.write_text(yaml.safe_dump(document))
    out, plan_path = io.StringIO(), tmp_path / "plan.json"
    code = preview_main(["--config-file", str(config_file), "--quiet", "--cost", "--json", str(plan_path)],
                        out=out, err=io.StringIO())
    assert code == 0
    text, plan = out.getvalue(), json.loads(plan_path.read_text())
    cost = plan["cost"]
    assert cost["region"] == "eu-west-1" and cost["status"] == PRICED and cost["unpricedLines"] == []
    assert "UNPRICED" not in text
    assert f"{'Total':<28} {'':<38}   {'':>6}  {cost['totalMonthlyUsd']:>9.2f} USD" in text
    virginia = estimate(items_from_plan(build_plan(prod_run)), "us-east-1").total_usd
    assert virginia is not None and cost["totalMonthlyUsd"] > virginia   # Ireland lists above N. Virginia
    exported = plan["outputs"]["monthlyCostEstimate"]
    assert exported["totalUsd"] == cost["totalMonthlyUsd"] and exported["status"] == PRICED


def test_a_region_without_prices_is_unpriced_line_by_line_with_no_total(prod_run):
    assert NO_PRICE_FILE not in priced_regions()
    items = items_from_plan(build_plan(prod_run))
    cost = estimate(items, NO_PRICE_FILE).as_dict()
    assert cost["totalMonthlyUsd"] is None and cost["status"] == UNPRICED and cost["lines"] == []
    assert len(cost["unpricedLines"]) == len(cost["unpriced"]) == len(items)
    out = io.StringIO()
    print_cost(cost, out)
    text = out.getvalue().splitlines()
    item_lines = [line for line in text if "UNPRICED" in line and not line.strip().startswith("Total")]
    assert len(item_lines) == len(items) and all("no price file for sa-east-1" in line for line in item_lines)
    (total,) = [line for line in text if line.strip().startswith("Total")]
    assert "UNPRICED" in total and "0.00" not in total and "no line has a price" in total
    assert any("python -m pricing.refresh --region sa-east-1" in line for line in text)
    # The stack's own output says the same: no total, an explicit marker.
    settings = settings_in("prod", NO_PRICE_FILE)
    exported = estimate(items_from_settings(settings), settings.region).stack_output()
    assert exported["totalUsd"] is None and exported["status"] == UNPRICED and exported["unpriced"]


def test_one_unknown_item_makes_the_total_unknown_not_smaller(prod_run):
    plan = build_plan(prod_run)
    node_group = next(r for r in plan["resources"] if r["type"] == "eks:index:ManagedNodeGroup")
    node_group["inputs"] = {**node_group["inputs"], "instanceTypes": ["m6i.3xlarge"]}   # not a real size
    cost = estimate(items_from_plan(plan), "eu-west-1").as_dict()
    assert cost["status"] == "partial" and cost["totalMonthlyUsd"] is None and cost["pricedSubtotalUsd"] > 0
    out = io.StringIO()
    print_cost(cost, out)
    (total,) = [line for line in out.getvalue().splitlines() if line.strip().startswith("Total")]
    assert "UNPRICED" in total and f"priced lines sum to {cost['pricedSubtotalUsd']:.2f} USD" in total
    assert any("ec2:m6i.3xlarge" in line and "UNPRICED" in line for line in out.getvalue().splitlines())


# Regional figures no published copy was found for (typed from knowledge; see pricing/compile_regions.py
# UNSOURCED). This list may only shrink: a figure leaves it when its published copy is added to SOURCED.
UNSOURCED_FIGURES = {
    "us-east-2": {"ebs:gp3-iops-month", "ebs:gp3-throughput-mibps-month", "elb:alb-hour", "elb:alb-lcu-hour",
                  "rds:backup-storage-gb-month", "rds:gp3-gb-month", "s3:standard-gb-month",
                  "vpc:interface-endpoint-az-hour", "vpc:interface-endpoint-gb"},
    "us-west-2": {"cloudwatch-logs:storage-gb-month", "ebs:gp3-iops-month", "ebs:gp3-throughput-mibps-month",
                  "elb:alb-lcu-hour", "rds:backup-storage-gb-month", "rds:gp3-gb-month", "s3:standard-gb-month"},
    "eu-west-1": {"cloudwatch-logs:storage-gb-month"},
    "eu-central-1": {"ebs:gp3-iops-month", "ebs:gp3-throughput-mibps-month", "elb:alb-lcu-hour",
                     "rds:backup-storage-gb-month", "vpc:nat-gateway-gb"},
    "ap-southeast-1": {"cloudwatch-logs:storage-gb-month", "ebs:gp3-iops-month", "ebs:gp3-throughput-mibps-month",
                       "rds:backup-storage-gb-month", "vpc:interface-endpoint-gb"},
    "ap-northeast-1": {"rds:backup-storage-gb-month"},
}
# What a citation must carry so it can be found again: a URL, a repository file, or the search-index id.
LOCATOR = ("https://", "github.com/", "code-search file id")
MEMORY_MARKERS = ("typed from knowledge", "unsourced", "not re-read", "recalled", "from memory")


def test_every_item_names_a_source_and_only_listed_figures_are_typed_from_knowledge():
    for region in SHIPPED_REGIONS:
        listed = UNSOURCED_FIGURES.get(region, set())
        for sku, entry in prices(region)["items"].items():
            assert entry["sources"], (region, sku)
            for source in entry["sources"]:
                assert any(marker in source for marker in LOCATOR), (region, sku, source)
            flagged = any(marker in entry["note"].lower() for marker in MEMORY_MARKERS)
            assert flagged == (sku in listed), (region, sku, entry["note"])
            if sku in listed:   # an unsourced figure says so plainly, and where to confirm it
                assert entry["note"].startswith(("UNSOURCED: typed from knowledge", "UNSOURCED, DERIVED:")), (region, sku)
                assert f"pricing.refresh --region {region}" in entry["note"], (region, sku)
            elif region != "us-east-1" and not sku.startswith(("ec2:", "rds-postgres:", "elasticache:")):
                # A sourced regional figure cites a published copy, not only AWS's (script-rendered) page.
                assert any(not s.startswith("https://aws.amazon.com/") for s in entry["sources"]), (region, sku)


def test_the_compiler_and_the_shipped_files_agree_on_every_sourced_and_unsourced_figure():
    from pricing.compile_regions import REGIONAL, SOURCED, UNSOURCED
    assert {(r, s) for r, skus in UNSOURCED_FIGURES.items() for s in skus} == set(UNSOURCED)
    assert not set(SOURCED) & set(UNSOURCED)
    for (region, sku), cites in SOURCED.items():
        entry = prices(region)["items"][sku]
        field = REGIONAL[sku][0]
        assert {figure for figure, _ in cites} == {entry[field]}, (region, sku)   # every copy agrees with the file
        assert [text for _, text in cites] == entry["sources"][:len(cites)], (region, sku)
    for (region, sku), figure in UNSOURCED.items():
        assert prices(region)["items"][sku][REGIONAL[sku][0]] == figure, (region, sku)
    # Every regional non-instance item of every file is one or the other: nothing is priced without a decision.
    for region in SHIPPED_REGIONS[1:]:
        regional = {sku for sku in prices(region)["items"] if sku in REGIONAL}
        assert regional == {s for r, s in set(SOURCED) | set(UNSOURCED) if r == region}, region


def test_the_plan_prices_the_clickhouse_claim_the_program_creates():
    from components.clickhouse_restore import CLICKHOUSE_DATA_CLAIM
    from pricing.from_plan import CLICKHOUSE_DATA_CLAIM as PRICED
    assert PRICED == CLICKHOUSE_DATA_CLAIM
