"""Build a region's price file from the AWS Price List API, with the caller's AWS credentials.

    python -m pricing.refresh --region eu-west-1 [--out PATH] [--endpoint-region us-east-1|ap-south-1]

One GetProducts query per price (TERM_MATCH filters on the region code and the product's
attributes), reading only the OnDemand terms' USD price dimensions; a query that matches no price, or
several different prices, leaves that item out and is reported (exit 1): the estimate then shows it
as unpriced, never as zero. Items with one rate in every commercial region (EKS, WAF, KMS, Secrets
Manager, Route 53, ECR, free items) are copied from the us-east-1 file and marked as such.

The Price List API is served only from us-east-1 and ap-south-1 (any region's prices from either).
The caller needs `pricing:GetProducts`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol, Sequence, TextIO, cast

from botocore.exceptions import BotoCoreError, ClientError

from pricing.engine import PRICES_DIR

PRICE_LIST_ENDPOINT_REGIONS = ("us-east-1", "ap-south-1")
TEMPLATE_REGION = "us-east-1"
HOURS_PER_MONTH = 730
# Price List units that need scaling to the unit of our item (gp3 throughput is listed per GiB/s-month).
UNIT_SCALE = {"gibps-mo": Decimal(1) / Decimal(1024)}


class PricingClient(Protocol):
    def get_products(self, **kwargs: Any) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Lookup:
    """One price: which products (server-side filters), which dimension (unit, usage type), which field."""
    service: str
    filters: Mapping[str, str]
    price_field: str
    units: tuple[str, ...]
    usagetype_suffix: str = ""

    def request_filters(self, region: str) -> list[dict[str, str]]:
        pairs = {"regionCode": region, **self.filters}
        return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in pairs.items()]


@dataclass
class Result:
    region: str
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


def _ec2(instance_type: str) -> list[Lookup]:
    return [Lookup("AmazonEC2", {"instanceType": instance_type, "operatingSystem": "Linux", "tenancy": "Shared",
                                 "preInstalledSw": "NA", "capacitystatus": "Used",
                                 "licenseModel": "No License required"}, "usd_per_hour", ("Hrs",))]


def _rds(instance_class: str) -> list[Lookup]:
    return [Lookup("AmazonRDS", {"instanceType": instance_class, "databaseEngine": "PostgreSQL",
                                 "deploymentOption": option}, price_field, ("Hrs",))
            for option, price_field in (("Single-AZ", "usd_per_hour"), ("Multi-AZ", "usd_per_hour_multi_az"))]


def _elasticache(node_type: str) -> list[Lookup]:
    return [Lookup("AmazonElastiCache", {"instanceType": node_type, "cacheEngine": engine}, price_field, ("Hrs",))
            for engine, price_field in (("Redis", "usd_per_hour"), ("Valkey", "usd_per_hour_valkey"))]


# Regional items that are not instance classes: the products and dimensions that price them.
FIXED_LOOKUPS: Mapping[str, list[Lookup]] = {
    "ebs:gp3-gb-month": [Lookup("AmazonEC2", {"productFamily": "Storage", "volumeApiName": "gp3"},
                                "usd_per_month", ("GB-Mo",))],
    "ebs:gp3-iops-month": [Lookup("AmazonEC2", {"productFamily": "System Operation", "volumeApiName": "gp3"},
                                  "usd_per_month", ("IOPS-Mo",), "VolumeP-IOPS.gp3")],
    "ebs:gp3-throughput-mibps-month": [Lookup("AmazonEC2", {"productFamily": "Provisioned Throughput",
                                                            "volumeApiName": "gp3"},
                                              "usd_per_month", ("GiBps-mo", "MiBps-Mo"), "VolumeP-Throughput.gp3")],
    "rds:gp3-gb-month": [Lookup("AmazonRDS", {"productFamily": "Database Storage", "volumeType": "General Purpose-GP3",
                                              "databaseEngine": "PostgreSQL", "deploymentOption": option},
                                price_field, ("GB-Mo",))
                         for option, price_field in (("Single-AZ", "usd_per_month"),
                                                     ("Multi-AZ", "usd_per_month_multi_az"))],
    "rds:backup-storage-gb-month": [Lookup("AmazonRDS", {"productFamily": "Storage Snapshot"}, "usd_per_month",
                                           ("GB-Mo",), "ChargedBackupUsage")],
    "vpc:nat-gateway-hour": [Lookup("AmazonEC2", {"productFamily": "NAT Gateway"}, "usd_per_hour", ("Hrs",),
                                    "NatGateway-Hours")],
    "vpc:nat-gateway-gb": [Lookup("AmazonEC2", {"productFamily": "NAT Gateway"}, "usd_per_gb", ("GB",),
                                  "NatGateway-Bytes")],
    "elb:alb-hour": [Lookup("AWSELB", {"productFamily": "Load Balancer-Application"}, "usd_per_hour", ("Hrs",),
                            "LoadBalancerUsage")],
    "elb:alb-lcu-hour": [Lookup("AWSELB", {"productFamily": "Load Balancer-Application"}, "usd_per_hour",
                                ("LCU-Hrs",), "LCUUsage")],
    "vpc:interface-endpoint-az-hour": [Lookup("AmazonVPC", {"productFamily": "VpcEndpoint"}, "usd_per_hour",
                                              ("Hrs",), "VpcEndpoint-Hours")],
    "vpc:interface-endpoint-gb": [Lookup("AmazonVPC", {"productFamily": "VpcEndpoint"}, "usd_per_gb", ("GB",),
                                         "VpcEndpoint-Bytes")],
    "cloudwatch-logs:ingest-gb": [Lookup("AmazonCloudWatch", {"productFamily": "Data Payload"}, "usd_per_gb",
                                         ("GB",), "DataProcessing-Bytes")],
    "cloudwatch-logs:storage-gb-month": [Lookup("AmazonCloudWatch", {"productFamily": "Storage Snapshot"},
                                                "usd_per_month", ("GB-Mo",), "TimedStorage-ByteHrs")],
    "s3:standard-gb-month": [Lookup("AmazonS3", {"productFamily": "Storage", "volumeType": "Standard"},
                                    "usd_per_month", ("GB-Mo",), "TimedStorage-ByteHrs")],
}
# One rate in every commercial region (AWS publishes no regional rate card for these).
UNIFORM_ITEMS = frozenset({
    "eks:cluster-standard-hour", "eks:cluster-extended-hour", "wafv2:web-acl-month", "wafv2:rule-month",
    "wafv2:requests-per-million", "secretsmanager:secret-month", "secretsmanager:api-10k", "kms:key-month",
    "route53:hosted-zone-month", "acm:public-certificate", "rds:performance-insights-free-tier",
    "ecr:storage-gb-month",
})


# Items the stacks' plans bill (pricing/items.py); a missing one leaves a line of some plan unpriced.
PLAN_ITEM_PREFIXES = ("ec2:", "rds-postgres:", "elasticache:", "ebs:gp3-", "rds:gp3-", "eks:", "vpc:nat-gateway-hour",
                      "elb:alb-", "wafv2:web-acl-month", "wafv2:rule-month", "kms:key-month",
                      "secretsmanager:secret-month", "vpc:interface-endpoint-az-hour")


def used_by_plans(sku: str) -> bool:
    return sku.startswith(PLAN_ITEM_PREFIXES)


def lookups_for(sku: str) -> list[Lookup] | None:
    kind, _, key = sku.partition(":")
    if kind == "ec2":
        return _ec2(key)
    if kind == "rds-postgres":
        return _rds(key)
    if kind == "elasticache":
        return _elasticache(key)
    return FIXED_LOOKUPS.get(sku)


def fetch_products(client: PricingClient, lookup: Lookup, region: str) -> list[dict[str, Any]]:
    """Every product matching the lookup's filters, across pages (PriceList entries are JSON strings)."""
    products: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"ServiceCode": lookup.service, "Filters": lookup.request_filters(region),
                              "FormatVersion": "aws_v1", "MaxResults": 100}
    while True:
        page = client.get_products(**kwargs)
        products += [json.loads(entry) if isinstance(entry, str) else entry for entry in page.get("PriceList", [])]
        token = page.get("NextToken")
        if not token:
            return products
        kwargs["NextToken"] = token


def _usage_is(usagetype: str, name: str) -> bool:
    """`EUC1-NatGateway-Hours`, `NatGateway-Hours` (us-east-1 has no prefix) or `EU-EBS:VolumeP-IOPS.gp3`
    is NatGateway-Hours / VolumeP-IOPS.gp3; `EUC1-RegionalNatGateway-Hours` is another product."""
    return usagetype == name or usagetype.endswith((f"-{name}", f":{name}"))


def on_demand_usd(products: Iterable[Mapping[str, Any]], lookup: Lookup) -> tuple[set[Decimal], str]:
    """Distinct USD prices of the OnDemand dimensions that match the lookup (first tier only)."""
    prices: set[Decimal] = set()
    published = ""
    units = {u.lower() for u in lookup.units}
    for product in products:
        usagetype = str(product.get("product", {}).get("attributes", {}).get("usagetype", ""))
        if lookup.usagetype_suffix and not _usage_is(usagetype, lookup.usagetype_suffix):
            continue
        published = max(published, str(product.get("publicationDate", "")))
        for term in (product.get("terms", {}).get("OnDemand") or {}).values():
            for dim in (term.get("priceDimensions") or {}).values():
                usd = (dim.get("pricePerUnit") or {}).get("USD")
                unit = str(dim.get("unit", "")).lower()
                if usd is None or unit not in units or str(dim.get("beginRange", "0")) != "0":
                    continue
                prices.add(Decimal(usd) * UNIT_SCALE.get(unit, Decimal(1)))
    return prices, published


def _describe(lookup: Lookup, region: str) -> str:
    filters = ", ".join(f"{f['Field']}={f['Value']}" for f in lookup.request_filters(region))
    suffix = f", usagetype *{lookup.usagetype_suffix}" if lookup.usagetype_suffix else ""
    return f"{lookup.service} [{filters}{suffix}; OnDemand, unit {'/'.join(lookup.units)}]"


def build_region_file(client: PricingClient, region: str, template: Mapping[str, Any]) -> tuple[dict[str, Any], Result]:
    result = Result(region)
    for sku, tpl in template["items"].items():
        if sku in UNIFORM_ITEMS:
            entry = {k: v for k, v in tpl.items() if k not in ("sources", "note")}
            result.items[sku] = {**entry, "sources": list(tpl.get("sources", [])),
                                 "note": f"One rate in every commercial region: copied from the {TEMPLATE_REGION} file, "
                                         "not looked up. " + str(tpl.get("note", ""))}
            continue
        lookups = lookups_for(sku)
        if lookups is None:
            result.missing[sku] = "no Price List lookup is defined for this item"
            continue
        entry: dict[str, Any] = {}
        sources: list[str] = []
        for lookup in lookups:
            prices, published = on_demand_usd(fetch_products(client, lookup, region), lookup)
            if len(prices) != 1:
                found = ", ".join(sorted(f"{p.normalize()}" for p in prices)) or "none"
                result.missing[sku] = f"{lookup.price_field}: {len(prices)} distinct prices ({found}) for {_describe(lookup, region)}"
                break
            entry[lookup.price_field] = float(prices.pop())
            sources.append(f"AWS Price List API GetProducts {_describe(lookup, region)}, publicationDate {published}")
        else:
            result.items[sku] = {**entry, "unit": tpl.get("unit", ""), "sources": sources,
                                 "note": f"Read from the AWS Price List API by `python -m pricing.refresh --region {region}`."}
    as_of = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    return ({"region": region, "currency": "USD", "as_of": f"{as_of} (AWS Price List API)",
             "hours_per_month": HOURS_PER_MONTH, "items": result.items}, result)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, client: PricingClient | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pricing.refresh",
                                     description="Build a region's price file from the AWS Price List API.")
    parser.add_argument("--region", required=True, help="the AWS region to price, e.g. eu-west-1")
    parser.add_argument("--out", type=Path, help="where to write (default pricing/prices/<region>.json)")
    parser.add_argument("--endpoint-region", choices=PRICE_LIST_ENDPOINT_REGIONS, default="us-east-1",
                        help="the Price List API endpoint (default us-east-1)")
    args = parser.parse_args(argv)
    template = json.loads((PRICES_DIR / f"{TEMPLATE_REGION}.json").read_text())
    if client is None:
        import boto3  # only when talking to AWS for real
        client = cast(PricingClient, boto3.client("pricing", region_name=args.endpoint_region))
    try:
        document, result = build_region_file(client, args.region, template)
    except (BotoCoreError, ClientError) as exc:   # no credentials, no access, no network: say so, no traceback
        print(f"error: the AWS Price List API could not be read: {exc}", file=out)
        return 2
    if not any(sku not in UNIFORM_ITEMS for sku in result.items):
        # Nothing regional was found (a mistyped or unsupported region): writing a file would make it look priced.
        print(f"error: the Price List API has no prices for region {args.region!r}; nothing written", file=out)
        return 2
    path = args.out or PRICES_DIR / f"{args.region}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {path}: {len(result.items)} items priced, {len(result.missing)} missing", file=out)
    for sku, reason in sorted(result.missing.items()):
        scope = "" if used_by_plans(sku) else " (not billed by any plan)"
        print(f"  MISSING {sku}{scope}: {reason}", file=out)
    # Exit 1 only when a plan would show an unpriced line.
    return 1 if any(used_by_plans(sku) for sku in result.missing) else 0


if __name__ == "__main__":
    sys.exit(main())
