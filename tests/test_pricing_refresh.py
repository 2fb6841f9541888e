"""`python -m pricing.refresh`: GetProducts queries and their parsing, against botocore's Stubber.

The responses have the Price List API's shape (PriceList = JSON strings, each a product with its
attributes and OnDemand/Reserved terms, priceDimensions with pricePerUnit USD), as in AWS's own
recorded GetProducts test data (aws/amazon-ec2-instance-selector test/static/GetProducts/m5_large.json).
moto has no Price List service, so the Stubber checks every request's parameters exactly.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from pricing import refresh
from pricing.engine import BillItem, estimate

REGION = "eu-west-1"


def product(sku: str, attributes: dict[str, str], unit: str, usd: str, *, reserved_usd: str | None = "0.0300000000",
            begin: str = "0") -> str:
    """One PriceList entry as the API returns it: a JSON string."""
    term, rate = f"{sku}.JRTCKXETXF", f"{sku}.JRTCKXETXF.6YS6EN2CT7"
    terms: dict[str, Any] = {"OnDemand": {term: {
        "priceDimensions": {rate: {"unit": unit, "endRange": "Inf", "beginRange": begin, "appliesTo": [],
                                   "rateCode": rate, "description": f"${usd} per {unit}",
                                   "pricePerUnit": {"USD": usd}}},
        "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF", "termAttributes": {}}}}
    if reserved_usd is not None:  # a cheaper Reserved term that must never be read
        terms["Reserved"] = {f"{sku}.4NA7Y494T4": {
            "priceDimensions": {f"{sku}.4NA7Y494T4.6YS6EN2CT7": {
                "unit": unit, "beginRange": "0", "endRange": "Inf", "description": "reserved", "appliesTo": [],
                "rateCode": f"{sku}.4NA7Y494T4.6YS6EN2CT7", "pricePerUnit": {"USD": reserved_usd}}},
            "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "4NA7Y494T4",
            "termAttributes": {"LeaseContractLength": "1yr", "OfferingClass": "standard", "PurchaseOption": "No Upfront"}}}
    return json.dumps({"product": {"productFamily": attributes.pop("productFamily", "Compute Instance"),
                                   "attributes": {"regionCode": REGION, "location": "EU (Ireland)", **attributes},
                                   "sku": sku},
                       "serviceCode": "x", "terms": terms, "version": "20261101000000",
                       "publicationDate": "2026-11-01T00:00:00Z"})


def expected(service: str, filters: dict[str, str], token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "ServiceCode": service, "FormatVersion": "aws_v1", "MaxResults": 100,
        "Filters": [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in {"regionCode": REGION, **filters}.items()]}
    if token:
        params["NextToken"] = token
    return params


@pytest.fixture()
def client():
    c = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(c) as stub:
        yield c, stub
        stub.assert_no_pending_responses()


EC2_FILTERS = {"instanceType": "m6i.2xlarge", "operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA",
               "capacitystatus": "Used", "licenseModel": "No License required"}


def test_ec2_query_filters_on_linux_shared_on_demand_and_reads_only_the_on_demand_usd(client):
    c, stub = client
    stub.add_response("get_products", {"PriceList": [product("ABC", {"instanceType": "m6i.2xlarge",
                                                                     "usagetype": "EU-BoxUsage:m6i.2xlarge"},
                                                             "Hrs", "0.4280000000")]},
                      expected("AmazonEC2", EC2_FILTERS))
    template = {"items": {"ec2:m6i.2xlarge": {"usd_per_hour": 0.384, "unit": "instance-hour"}}}
    document, result = refresh.build_region_file(c, REGION, template)
    assert result.missing == {}
    item = document["items"]["ec2:m6i.2xlarge"]
    assert item["usd_per_hour"] == 0.428 and item["unit"] == "instance-hour"   # not the 0.03 Reserved rate
    assert "tenancy=Shared" in item["sources"][0] and "publicationDate 2026-11-01" in item["sources"][0]
    assert document["region"] == REGION and document["currency"] == "USD" and document["hours_per_month"] == 730


def test_pages_are_followed_and_dimensions_picked_by_usage_type_and_unit(client):
    c, stub = client
    nat = {"productFamily": "NAT Gateway"}
    page1 = [product("NATB", {**nat, "usagetype": "EU-NatGateway-Bytes"}, "GB", "0.0480000000")]
    page2 = [product("NATH", {**nat, "usagetype": "EU-NatGateway-Hours"}, "Hrs", "0.0480000000"),
             product("NATX", {**nat, "usagetype": "EU-NatGateway-Provisioned-Bytes"}, "Hrs", "9.9"),
             product("NATR", {**nat, "usagetype": "EU-RegionalNatGateway-Hours"}, "Hrs", "0.0700000000")]
    stub.add_response("get_products", {"PriceList": page1, "NextToken": "t1"}, expected("AmazonEC2", nat))
    stub.add_response("get_products", {"PriceList": page2}, expected("AmazonEC2", nat, "t1"))
    lookup, = refresh.lookups_for("vpc:nat-gateway-hour") or []
    prices, _ = refresh.on_demand_usd(refresh.fetch_products(c, lookup, REGION), lookup)
    assert [float(p) for p in prices] == [0.048]


def test_rds_and_elasticache_read_each_deployment_and_engine(client):
    c, stub = client
    for option, usd in (("Single-AZ", "0.1860000000"), ("Multi-AZ", "0.3720000000")):
        stub.add_response("get_products", {"PriceList": [product(option, {"instanceType": "db.m7g.large",
                                                                          "deploymentOption": option}, "Hrs", usd)]},
                          expected("AmazonRDS", {"instanceType": "db.m7g.large", "databaseEngine": "PostgreSQL",
                                                 "deploymentOption": option}))
    for engine, usd in (("Redis", "0.1740000000"), ("Valkey", "0.1392000000")):
        stub.add_response("get_products", {"PriceList": [product(engine, {"instanceType": "cache.m7g.large",
                                                                          "cacheEngine": engine}, "Hrs", usd)]},
                          expected("AmazonElastiCache", {"instanceType": "cache.m7g.large", "cacheEngine": engine}))
    template = {"items": {"rds-postgres:db.m7g.large": {"unit": "instance-hour"},
                          "elasticache:cache.m7g.large": {"unit": "node-hour"}}}
    document, result = refresh.build_region_file(c, REGION, template)
    assert result.missing == {}
    rds = document["items"]["rds-postgres:db.m7g.large"]
    assert (rds["usd_per_hour"], rds["usd_per_hour_multi_az"]) == (0.186, 0.372)
    cache = document["items"]["elasticache:cache.m7g.large"]
    assert (cache["usd_per_hour"], cache["usd_per_hour_valkey"]) == (0.174, 0.1392)   # Valkey read, not derived


def test_gp3_throughput_listed_per_gibps_month_is_converted_to_mibps(client):
    c, stub = client
    attrs = {"productFamily": "Provisioned Throughput", "volumeApiName": "gp3"}
    stub.add_response("get_products", {"PriceList": [
        product("THR", {**attrs, "usagetype": "EU-EBS:VolumeP-Throughput.gp3"}, "GiBps-mo", "45.0560000000")]},
        expected("AmazonEC2", attrs))
    lookup, = refresh.lookups_for("ebs:gp3-throughput-mibps-month") or []
    prices, _ = refresh.on_demand_usd(refresh.fetch_products(c, lookup, REGION), lookup)
    assert [float(p) for p in prices] == [0.044]


def test_ambiguous_or_absent_prices_are_reported_missing_never_guessed(client):
    c, stub = client
    stub.add_response("get_products", {"PriceList": [
        product("A", {"instanceType": "m6i.2xlarge"}, "Hrs", "0.4280000000"),
        product("B", {"instanceType": "m6i.2xlarge"}, "Hrs", "0.4708000000")]}, expected("AmazonEC2", EC2_FILTERS))
    stub.add_response("get_products", {"PriceList": []},
                      expected("AmazonEC2", {**EC2_FILTERS, "instanceType": "x9.mega"}))
    stub.add_response("get_products", {"PriceList": [   # a higher tier only: not the first-tier price
        product("S3", {"productFamily": "Storage", "usagetype": "EU-TimedStorage-ByteHrs"}, "GB-Mo", "0.022",
                begin="51200")]}, expected("AmazonS3", {"productFamily": "Storage", "volumeType": "Standard"}))
    template = {"items": {"ec2:m6i.2xlarge": {}, "ec2:x9.mega": {}, "s3:standard-gb-month": {},
                          "network-firewall:gb": {}}}
    document, result = refresh.build_region_file(c, REGION, template)
    assert document["items"] == {}
    assert "2 distinct prices (0.428, 0.4708)" in result.missing["ec2:m6i.2xlarge"]
    assert "0 distinct prices (none)" in result.missing["ec2:x9.mega"]
    assert "0 distinct prices" in result.missing["s3:standard-gb-month"]
    assert "no Price List lookup" in result.missing["network-firewall:gb"]


def test_command_writes_a_file_the_estimate_reads_and_exits_1_when_a_plan_item_is_missing(client, tmp_path: Path,
                                                                                         monkeypatch):
    c, stub = client
    template = {"region": "us-east-1", "currency": "USD", "as_of": "x", "hours_per_month": 730, "items": {
        "ec2:m6i.2xlarge": {"usd_per_hour": 0.384, "unit": "instance-hour", "sources": ["s"], "note": ""},
        "kms:key-month": {"usd_per_month": 1.0, "unit": "customer managed key-month", "sources": ["k"], "note": ""},
        "ebs:gp3-gb-month": {"usd_per_month": 0.08, "unit": "GB-month", "sources": ["e"], "note": ""}}}
    prices_dir = tmp_path / "prices"
    prices_dir.mkdir()
    (prices_dir / "us-east-1.json").write_text(json.dumps(template))
    monkeypatch.setattr(refresh, "PRICES_DIR", prices_dir)
    stub.add_response("get_products", {"PriceList": [product("ABC", {"instanceType": "m6i.2xlarge"}, "Hrs", "0.428")]},
                      expected("AmazonEC2", EC2_FILTERS))
    stub.add_response("get_products", {"PriceList": []},
                      expected("AmazonEC2", {"productFamily": "Storage", "volumeApiName": "gp3"}))
    out = io.StringIO()
    code = refresh.main(["--region", REGION], out=out, client=c)
    assert code == 1 and "MISSING ebs:gp3-gb-month" in out.getvalue()
    written = json.loads((prices_dir / f"{REGION}.json").read_text())
    assert set(written["items"]) == {"ec2:m6i.2xlarge", "kms:key-month"}
    assert "copied from the us-east-1 file" in written["items"]["kms:key-month"]["note"]
    # the engine reads the written file: the gp3 line is unpriced, and there is no total
    from pricing import engine
    monkeypatch.setattr(engine, "PRICES_DIR", prices_dir)
    engine.load_prices.cache_clear()
    try:
        cost = estimate([BillItem("n", "r", "ec2:m6i.2xlarge", 2), BillItem("n", "r", "ebs:gp3-gb-month", 100,
                                                                             "usd_per_month")], REGION)
    finally:
        engine.load_prices.cache_clear()
    assert cost.lines[0].monthly_usd == pytest.approx(2 * 0.428 * 730, abs=0.01)
    assert cost.total_usd is None and cost.status == "partial" and "ebs:gp3-gb-month" in cost.unpriced[0]


def test_every_item_of_the_shipped_files_has_a_lookup_or_is_a_uniform_rate():
    template = json.loads((refresh.PRICES_DIR / "us-east-1.json").read_text())
    no_lookup = [sku for sku in template["items"]
                 if sku not in refresh.UNIFORM_ITEMS and refresh.lookups_for(sku) is None]
    # Only Network Firewall, which no stack's plan bills.
    assert no_lookup and all(sku.startswith("network-firewall:") for sku in no_lookup)
    assert not any(refresh.used_by_plans(sku) for sku in no_lookup)
    assert refresh.PRICE_LIST_ENDPOINT_REGIONS == ("us-east-1", "ap-south-1")


def test_a_region_the_price_list_does_not_know_writes_nothing(client, tmp_path: Path, monkeypatch):
    c, stub = client
    prices_dir = tmp_path / "prices"
    prices_dir.mkdir()
    (prices_dir / "us-east-1.json").write_text(json.dumps({"items": {
        "ec2:m6i.2xlarge": {"usd_per_hour": 0.384, "unit": "instance-hour"},
        "kms:key-month": {"usd_per_month": 1.0, "unit": "key-month", "sources": ["k"]}}}))
    monkeypatch.setattr(refresh, "PRICES_DIR", prices_dir)
    stub.add_response("get_products", {"PriceList": []},
                      {**expected("AmazonEC2", EC2_FILTERS), "Filters": [
                          {"Type": "TERM_MATCH", "Field": k, "Value": v}
                          for k, v in {"regionCode": "eu-wset-1", **EC2_FILTERS}.items()]})
    out = io.StringIO()
    assert refresh.main(["--region", "eu-wset-1"], out=out, client=c) == 2
    assert "no prices for region 'eu-wset-1'" in out.getvalue() and not (prices_dir / "eu-wset-1.json").exists()


def test_missing_credentials_are_an_error_message_not_a_traceback(monkeypatch, tmp_path: Path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    out = io.StringIO()
    assert refresh.main(["--region", REGION, "--out", str(tmp_path / "x.json")], out=out) == 2
    assert out.getvalue().startswith("error: the AWS Price List API could not be read")
    assert not (tmp_path / "x.json").exists()
