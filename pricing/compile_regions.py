"""How the shipped non-us-east-1 price files were compiled (kept so the derivation can be checked and rerun).

    python -m pricing.compile_regions --dump cloud-pricing.json.gz

`--dump` is coroot/cloud-pricing's data/cloud-pricing.json.gz (gh-pages branch, commit af03ead,
2024-08-09), itself built from the Infracost pricing DB dump of the AWS Price List. From it:
RDS for PostgreSQL (Single-AZ and Multi-AZ) and ElastiCache Redis OSS node rates are read as they are;
EC2 Linux on-demand rates are derived (the dump does not separate tenancies, so a size may carry a
dedicated or other variant): within a family, on-demand Linux prices scale with size, so the rate is
the family's lowest rate per size unit times the size. The same derivation reproduces the Karpenter
us-east-1 table of 2026-07 for every type in the files. Every other regional item (NAT, ALB, EBS gp3,
RDS storage and backup, CloudWatch Logs, interface endpoints, S3) takes its figure from SOURCED: a published
copy of AWS's regional rate (an AWS bill or offer-file excerpt, a Price List API read, a cost report) with
where it was read; a figure no copy was found for is in UNSOURCED and its note says so. Items with one rate
in every region are copied from the us-east-1 file. Prefer `python -m pricing.refresh`, which reads the
AWS Price List API directly.

The dump is in the coroot/cloud-pricing mirror: `git --git-dir=<mirror> show
af03eada15b25d80863f2547ba281e71af9d5c91:data/cloud-pricing.json.gz > cloud-pricing.json.gz`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from pathlib import Path
from typing import Any, Sequence

from pricing.engine import PRICES_DIR

coroot: dict[str, Any] = {}
template: dict[str, Any] = {}
COROOT = ("github.com/coroot/cloud-pricing/blob/af03eada15b25d80863f2547ba281e71af9d5c91/data/cloud-pricing.json.gz "
          "(gh-pages branch, 2024-08-09; built from the Infracost pricing DB dump of the AWS Price List)")
KARP = ("github.com/aws/karpenter-provider-aws/blob/6fc13b5236fd04fd16ff3f9dc7490d0813994099/pkg/providers/pricing/"
        "zz_generated.pricing_aws.go (us-east-1 table generated 2026-07-20; used to validate the derivation method)")
REGIONS = {'us-east-2': 'US East (Ohio)', 'us-west-2': 'US West (Oregon)', 'eu-west-1': 'Europe (Ireland)',
           'eu-central-1': 'Europe (Frankfurt)', 'ap-southeast-1': 'Asia Pacific (Singapore)',
           'ap-northeast-1': 'Asia Pacific (Tokyo)'}
F = {'nano': 1/16, 'micro': 1/8, 'small': 1/4, 'medium': 1/2, 'large': 1, 'xlarge': 2}

def factor(size: str) -> float | None:
    if size in F: return F[size]
    m = re.fullmatch(r'(\d+)xlarge', size)
    return 2 * int(m.group(1)) if m else None

def ec2(region: str, itype: str) -> tuple[float, int, list[str], Any]:
    fam, size = itype.split('.')
    units = []
    for name, p in coroot['compute'][region].items():
        f2, _, s2 = name.partition('.')
        fa = factor(s2) if f2 == fam else None
        if fa and p.get('on_demand'):
            units.append((p['on_demand'] / fa, name))
    unit = min(u for u, _ in units)
    size_factor = factor(size)
    assert size_factor is not None
    agree = sorted(n for u, n in units if abs(u - unit) < 1e-9)
    return round(unit * size_factor, 6), len(units), agree, coroot['compute'][region].get(itype, {}).get('on_demand')

AWS = {
    'ebs': 'https://aws.amazon.com/ebs/pricing/', 'vpc': 'https://aws.amazon.com/vpc/pricing/',
    'elb': 'https://aws.amazon.com/elasticloadbalancing/pricing/', 'rds': 'https://aws.amazon.com/rds/postgresql/pricing/',
    'cloudwatch': 'https://aws.amazon.com/cloudwatch/pricing/', 's3': 'https://aws.amazon.com/s3/pricing/',
    'privatelink': 'https://aws.amazon.com/privatelink/pricing/',
}
# Which price field, and which AWS page, each non-instance regional item has.
REGIONAL = {
    'ebs:gp3-gb-month': ('usd_per_month', 'ebs'), 'ebs:gp3-iops-month': ('usd_per_month', 'ebs'),
    'ebs:gp3-throughput-mibps-month': ('usd_per_month', 'ebs'),
    'vpc:nat-gateway-hour': ('usd_per_hour', 'vpc'), 'vpc:nat-gateway-gb': ('usd_per_gb', 'vpc'),
    'elb:alb-hour': ('usd_per_hour', 'elb'), 'elb:alb-lcu-hour': ('usd_per_hour', 'elb'),
    'rds:gp3-gb-month': ('usd_per_month', 'rds'), 'rds:backup-storage-gb-month': ('usd_per_month', 'rds'),
    'cloudwatch-logs:ingest-gb': ('usd_per_gb', 'cloudwatch'),
    'cloudwatch-logs:storage-gb-month': ('usd_per_month', 'cloudwatch'),
    'vpc:interface-endpoint-az-hour': ('usd_per_hour', 'privatelink'),
    'vpc:interface-endpoint-gb': ('usd_per_gb', 'privatelink'),
    's3:standard-gb-month': ('usd_per_month', 's3'),
}

# --- Published copies of regional list prices, read through the code-search index on 2026-12-01. ---
# A copy named by "code-search file id N" is a public repository file whose repository the index does
# not name; the id reopens it (read_file). Each citation below quotes the figure the copy states.
BILL = ("github.com/rahmat-ullah/DocParser/blob/d890afd0132a77830a6244c67d434f21a08058f8/backend/sample_full_document.md "
        "(an AWS bill, billing period May 2025, exported to Markdown; every line prints AWS's rate)")
OPENCOST = ("github.com/opencost/opencost/blob/9008fbdfa19a1576ec7039b61cf2340c09eed908/pkg/cloud/aws/provider_test.go "
            "(verbatim excerpt of the AWS Price List offer file AmazonEC2, version 20230322145651)")
EUW1_OFFER = ("https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/20260925174521/eu-west-1/index.json "
              "(AWS Price List offer file, publicationDate 2026-09-25), as excerpted verbatim in a public repository "
              "(code-search file id 71229168471, retrieved 2026-10-02)")
EUW1_BILL = ("Cost Explorer actuals for eu-west-1, July 2026, published in a public ADR (code-search file id 58640411211)")
EUW1_INVOICE = ("an eu-west-1 AWS invoice quoted in a public note (code-search file id 17236409299: Elastic Load Balancing "
                "lines next to '... provisioned storage - EU (Ireland)')")
EUC1_FOCUS = ("github.com/caligo-erik/focus-ninja/blob/10fc1ef64c9dfad9cf4d0931221e5130d452942c/README.md "
              "(a FOCUS billing record: RegionId eu-central-1, SKU UZQQFKE5Z4MCF9D5, billing period 2024-09)")
EUC1_TFVARS = ("github.com/Atakannbal/terraform-aws-infra-blueprint terraform tfvars for region eu-central-1 "
               "(code-search file id 31205631928)")
CLOUDHEALTH = ("a CloudHealth list-price pricebook template dated 2026-03-26 in a public repository "
               "(code-search file id 52392798942)")
USW2_DEFANG = ("github.com/DefangLabs/defang-docs/blob/f8d54fb9b0a66edada0459eeee760d250164ea6c/docs/concepts/estimation.md "
               "(`defang estimate` output for a us-west-2 project)")
USE2_CLOUDBURN = "https://cloudburn.io/blog/aws-nat-gateway-pricing (2026-02-24)"
APS1_S3ZIP = ("github.com/farhan-helmy/s3-zip-archiver README.md (a stored version, code-search file id 58203465884: "
              "ap-southeast-1 prices 'pulled from the AWS Price List API in July 2026')")
APS1_DOC = ("a public design document '16 - Cost model' (code-search file id 65849972716: ap-southeast-1 rates "
            "'queried from the AWS Pricing API on 2026-08-21')")
APN1_DOC = ("a public cost estimate (code-search file id 68674663788: ap-northeast-1 rates read from the AWS price pages "
            "and the Price List API on 2026-09-25)")
APN1_BULK = ("a public sources note (code-search file id 71291640744: ap-northeast-1 PriceDescriptions read from the AWS "
             "Price List Bulk API on 2026-09-11, AmazonEC2 version 20260910195514, AmazonRDS version 20260911124502)")
EUW1_AUDIT = ("a public cost-scan audit for eu-west-1 dated 2026-08-08 (code-search file id 58572812974: figures "
              "re-derived 'from the AWS Pricing API (pricing MCP, price list version 2026-08-06)')")
APN1_EBS = ("a public cost script pinning ap-northeast-1 EBS rates fetched from the AWS Price List API on 2026-09-13, "
            "EBS publicationDate 2026-09-10 (code-search file id 68544036347)")
EUC1_PL = ("a public project task log (code-search file id 71014389131): eu-central-1 PrivateLink rates from the AWS "
           "Price List API, AmazonVPC productFamily VpcEndpoint, recorded 2026-09-22")
EUW1_DBR = ("an AWS detailed billing report for May 2017 committed to a public repository (code-search file id "
            "27290845631)")
USE2_PL = ("a public cost note citing the AWS Price List API for us-east-2 (code-search file id 58727414614)")
APN1_TW = ("a public estimate (code-search file id 62006274542) of ap-northeast-1 rates queried from the AWS Price "
           "List API on 2026-07-20, effective date 2026-07-01")
APN1_VN = ("a public cost model (code-search file id 69311764830) of ap-northeast-1 rates from the AWS Price List "
           "offer files, S3 published 2026-09-18")
EUC1_PL_0826 = ("a public cost note for eu-central-1 (code-search file id 63216343377): 'AWS Pricing API (aws pricing "
                "get-products) ... filtered to regionCode=eu-central-1', 2026-08-26")
USW2_LAB = ("a public lab guide (code-search file id 70137210126): us-west-2 rates 'checked against AWS's public regional "
            "price lists on October 4, 2026' (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/"
            "us-west-2/index.csv and the AWSELB offer)")
EUW1_SKU = ("a public pricing review (code-search file id 53225951977), appendix 'Pricing API References': "
            "CloudWatch Log Ingestion (eu-west-1), SKU KJBTQPDHW2H92B8Y, effective 2026-03-01")
EUW1_AUDIT05 = ("a public adapter audit for eu-west-1 dated 2026-05-01 (code-search file id 53577950661): "
                "'AWS Pricing API Result' blocks")
EUC1_ETL = ("a public project README deployed in eu-central-1 (code-search file id 35357992201): RDS "
            "'20GB storage ($0.137 per GB-month): 2.74$'")
EUC1_BILL = ("a public eu-central-1 cost breakdown (code-search file id 58951144138): 'EUC1-RDS:GP3-Storage 2.74 USD' "
             "for the 20 GB minimum gp3 volume")
EUC1_TF = ("a public Terraform file (code-search file id 59894456988): log storage 'at $0.0324 per GB-month in "
           "eu-central-1'")
EUC1_INFRACOST = ("an Infracost breakdown in a public repository (code-search file id 52105661137): CloudWatch Logs "
                  "'Data ingested $0.63 per GB' (the eu-central-1 rate above), 'Archival Storage $0.0324 per GB'")
USW2_VN = ("a public cost-benefit analysis for us-west-2 (code-search file id 56376765243): 'AWS Pricing API returns "
           "for AmazonEC2 / AmazonVPC, location US West (Oregon)'")
USW2_KR = ("a public price table for us-west-2 dated 2026-10-06 (code-search file id 71631573162): "
           "'usage type USW2-VpcEndpoint-Hours, AWS Pricing API'")
APN1_DARCY = "https://aws.darcy-it.com/elbのコスト料金/ (Tokyo ALB: 0.0243 USD per hour, 0.008 USD per LCU-hour; read in an earlier session)"

Cite = tuple[float, str]
SOURCED: dict[tuple[str, str], list[Cite]] = {
 ('us-east-2', 'ebs:gp3-gb-month'): [(0.08, OPENCOST + ': "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Ohio)"')],
 ('us-east-2', 'vpc:nat-gateway-hour'): [(0.045, USE2_CLOUDBURN + ': a NAT gateway in US East (Ohio) 24/7 is "$32.40 hourly" (720 h x $0.045)')],
 ('us-east-2', 'vpc:nat-gateway-gb'): [(0.045, USE2_CLOUDBURN + ': the same Ohio example bills 100 GB processed at "$4.50" ($0.045/GB)')],
 ('us-west-2', 'vpc:nat-gateway-hour'): [(0.045, USW2_DEFANG + ': "$32.85  730 Hours  AmazonEC2 USW2-NatGateway-Hours"'),
                                         (0.045, USW2_LAB + ': NAT gateway $0.045/hour')],
 ('us-west-2', 'vpc:nat-gateway-gb'): [(0.045, USW2_VN + ': USW2-NatGateway-Bytes $0.045 / GB processed')],
 ('us-west-2', 'vpc:interface-endpoint-az-hour'): [(0.01, USW2_VN + ': USW2-VpcEndpoint-Hours $0.010 / endpoint-AZ-hour'),
                                                   (0.01, USW2_KR + ': $0.01/h per endpoint-AZ')],
 ('us-west-2', 'vpc:interface-endpoint-gb'): [(0.01, USW2_VN + ': USW2-VpcEndpoint-Bytes $0.010 / GB processed, first 1 PB/month'),
                                              (0.01, USW2_KR + ': $0.01 per GB processed')],
 ('us-west-2', 'ebs:gp3-gb-month'): [(0.08, USW2_LAB + ': gp3 $0.08/GiB-month (USW2-EBS:VolumeUsage.gp3)')],
 ('us-west-2', 'elb:alb-hour'): [(0.0225, USW2_DEFANG + ': "$16.43  730 Hours  AWSELB USW2-LoadBalancerUsage" (16.43 / 730 = 0.0225)'),
                                 (0.0225, USW2_LAB + ': Application load balancer $0.0225/hour')],
 ('us-west-2', 'cloudwatch-logs:ingest-gb'): [(0.50, BILL + ': "$0.50 per GB custom log data ingested in Standard log class - US West (Oregon)"')],
 ('eu-west-1', 'vpc:nat-gateway-hour'): [(0.048, EUW1_OFFER + ': EU-NatGateway-Hours $0.048/Hrs')],
 ('eu-west-1', 'vpc:nat-gateway-gb'): [(0.048, EUW1_OFFER + ': EU-NatGateway-Bytes $0.048/GB')],
 ('eu-west-1', 'vpc:interface-endpoint-az-hour'): [(0.011, EUW1_AUDIT05 + ': AmazonVPC VpcEndpoint SKU H37WJ97MHYGDXG2A "$0.011 per VPC Endpoint Hour"')],
 ('eu-west-1', 'vpc:interface-endpoint-gb'): [(0.01, EUW1_AUDIT05 + ': VPC endpoint data processing "$0.01/GB (up to 1 PB)"')],
 ('eu-central-1', 'rds:gp3-gb-month'): [(0.137, EUC1_ETL), (0.137, EUC1_BILL + ' (2.74 / 20 = 0.137)')],
 ('eu-central-1', 'cloudwatch-logs:storage-gb-month'): [(0.0324, EUC1_TF), (0.0324, EUC1_INFRACOST)],
 ('eu-west-1', 'elb:alb-hour'): [(0.0252, EUW1_INVOICE + ': "$0.0252 per Application LoadBalancer-hour (or partial hour)"'),
                                 (0.0252, EUW1_BILL + ': EU-LoadBalancerUsage $15.00 for 595 hr (= $0.0252/h)')],
 ('eu-west-1', 'elb:alb-lcu-hour'): [(0.008, EUW1_INVOICE + ': "$0.008 per used Application load balancer capacity unit-hour"')],
 ('eu-west-1', 'ebs:gp3-gb-month'): [(0.088, EUW1_AUDIT + ': "gp2 $0.11 - gp3 $0.088" per GB-month')],
 ('eu-west-1', 'ebs:gp3-iops-month'): [(0.0055, EUW1_AUDIT + ': "EU-EBS:VolumeP-IOPS.gp3 $0.0055"')],
 # The API quotes gp3 throughput per GiBps-month: 45.056 / 1024 per MiBps-month.
 ('eu-west-1', 'ebs:gp3-throughput-mibps-month'): [(round(45.056 / 1024, 6), EUW1_AUDIT + ': "125 MiBps x (45.056/1024)" (= $0.044 per MiBps-month)')],
 ('eu-west-1', 'rds:gp3-gb-month'): [(0.127, EUW1_BILL + ': EU-RDS:GP3-Storage $2.54 for 20 GiB-month (= $0.127/GB-month)')],
 ('eu-west-1', 'cloudwatch-logs:ingest-gb'): [(0.57, EUW1_SKU + ': "$0.57 per GB custom log data ingested"')],
 ('eu-west-1', 'rds:backup-storage-gb-month'): [(0.095, BILL + ', EU (Ireland) section: "$0.095 per additional GB-month of backup storage exceeding free allocation"')],
 ('eu-central-1', 'ebs:gp3-gb-month'): [(0.0952, EUC1_PL_0826 + ': EUC1-EBS:VolumeUsage.gp3 $0.0952 / GB-mo')],
 ('eu-central-1', 'vpc:nat-gateway-hour'): [(0.052, EUC1_TFVARS + ': "Virtual Private Cloud ($0.052 per NAT Gateway Hour)"')],
 ('eu-central-1', 'elb:alb-hour'): [(0.027, EUC1_FOCUS + ': ChargeDescription "$0.027 per Application LoadBalancer-hour", ListUnitPrice 0.027')],
 ('eu-central-1', 'cloudwatch-logs:ingest-gb'): [(0.63, CLOUDHEALTH + ': "CloudWatch Custom log data ingested in Standard log class - EUC1" at 0.63')],
 ('eu-central-1', 's3:standard-gb-month'): [(0.0245, BILL + ', EU (Frankfurt) S3 section: "$0.0245 per GB - first 50 TB / month of storage used"')],
 ('ap-southeast-1', 'vpc:nat-gateway-hour'): [(0.059, BILL + ': "$0.059 per NAT Gateway Hour" (Asia Pacific (Singapore))'),
                                              (0.059, APS1_S3ZIP + ': APS1-NatGateway-Hours $0.059/hour')],
 ('ap-southeast-1', 'vpc:nat-gateway-gb'): [(0.059, BILL + ': "$0.059 per GB Data Processed by NAT Gateways" (Asia Pacific (Singapore))'),
                                            (0.059, APS1_S3ZIP + ': APS1-NatGateway-Bytes $0.059/GB')],
 ('ap-southeast-1', 'ebs:gp3-gb-month'): [(0.096, BILL + ': "$0.096 per GB-month of General Purpose (gp3) provisioned storage - Asia Pacific (Singapore)"')],
 ('ap-southeast-1', 'elb:alb-hour'): [(0.0252, BILL + ': "$0.0252 per Application LoadBalancer-hour (or partial hour)" (Asia Pacific (Singapore))'),
                                      (0.0252, APS1_DOC + ': Application Load Balancer $0.0252 / hour')],
 ('ap-southeast-1', 'elb:alb-lcu-hour'): [(0.008, APS1_DOC + ': ALB capacity units $0.008 / LCU-hour')],
 ('ap-southeast-1', 'rds:gp3-gb-month'): [(0.138, BILL + ': "$0.138 per GB-month of provisioned GP3 storage running PostgreSQL" (Asia Pacific (Singapore))')],
 ('ap-southeast-1', 'cloudwatch-logs:ingest-gb'): [(0.70, BILL + ': "$0.70 per GB custom log data ingested in Standard log class - Asia Pacific (Singapore)"'),
                                                   (0.70, APS1_S3ZIP + ': APS1-DataProcessing-Bytes $0.70/GB')],
 ('ap-southeast-1', 'vpc:interface-endpoint-az-hour'): [(0.013, APS1_DOC + ': Interface VPC endpoint $0.013 / hour per AZ (APS1-VpcEndpoint-Hours)')],
 ('ap-southeast-1', 's3:standard-gb-month'): [(0.025, BILL + ': APS1-TimedStorage-ByteHrs "$0.025 per GB - first 50 TB / month of storage used"'),
                                              (0.025, APS1_S3ZIP + ': S3 Standard, first 50 TB $0.025/GB-mo')],
 ('ap-northeast-1', 'vpc:nat-gateway-hour'): [(0.062, APN1_DOC + ': APN1-NatGateway-Hours USD 0.062 / hour')],
 ('ap-northeast-1', 'vpc:nat-gateway-gb'): [(0.062, APN1_DOC + ': APN1-NatGateway-Bytes USD 0.062 / GB')],
 ('ap-northeast-1', 'vpc:interface-endpoint-az-hour'): [(0.014, APN1_DOC + ': APN1-VpcEndpoint-Hours USD 0.014 / endpoint-hour')],
 ('ap-northeast-1', 'vpc:interface-endpoint-gb'): [(0.01, APN1_DOC + ': interface endpoint processing, first 1 PB/month, USD 0.01 / GB')],
 ('ap-northeast-1', 'ebs:gp3-gb-month'): [(0.096, APN1_BULK + ': "$0.096 per GB-month of General Purpose (gp3) provisioned storage - Asia Pacific (Tokyo)"'),
                                          (0.096, APN1_EBS + ': gp3_storage 0.096 GB-Mo, SKU C8Y3GJZBQTH8T5JV, APN1-EBS:VolumeUsage.gp3')],
 ('ap-northeast-1', 'ebs:gp3-iops-month'): [(0.006, APN1_EBS + ': gp3_iops 0.006 IOPS-Mo, SKU 7TFGMV47Q2PEQ9W7, APN1-EBS:VolumeP-IOPS.gp3')],
 # The API quotes gp3 throughput per GiBps-month: 49.152 / 1024 per MiBps-month.
 ('ap-northeast-1', 'ebs:gp3-throughput-mibps-month'): [(round(49.152 / 1024, 6), APN1_EBS + ': gp3_throughput 49.152 GiBps-mo, SKU PCKHHBTPD7TEQ3K4 (= $0.048 per MiBps-month)')],
 ('ap-northeast-1', 'rds:gp3-gb-month'): [(0.138, APN1_BULK + ': "$0.138 per GB-month of provisioned GP3 storage running MySQL" '
                                                  '(the Singapore bill above lists PostgreSQL and SQL Server gp3 storage at one rate)')],
 ('ap-northeast-1', 'cloudwatch-logs:ingest-gb'): [(0.76, APN1_TW + ': CloudWatch Logs ingest APN1-DataProcessing-Bytes US$0.76 / GB'),
                                                   (0.76, APN1_VN + ': cw_log_gb 0.76 (APN1-DataProcessing-Bytes)')],
 ('ap-northeast-1', 'cloudwatch-logs:storage-gb-month'): [(0.033, APN1_TW + ': CloudWatch Logs storage APN1-TimedStorage-ByteHrs US$0.033 / GB-month')],
 ('ap-northeast-1', 's3:standard-gb-month'): [(0.025, APN1_TW + ': S3 Standard storage first 50 TB US$0.025 / GB-month'),
                                              (0.025, APN1_VN + ': s3_gbmo 0.025 (APN1-TimedStorage-ByteHrs, first 50 TB)')],
 ('eu-central-1', 'vpc:interface-endpoint-az-hour'): [(0.012, EUC1_PL + ': "the same family prices EUC1-VpcEndpoint-Hours at $0.012/h"')],
 ('eu-central-1', 'vpc:interface-endpoint-gb'): [(0.01, EUC1_PL + ': EUC1-VpcEndpoint-Bytes "$0.01/GB", first tier (up to 1 PB monthly)')],
 ('eu-west-1', 's3:standard-gb-month'): [(0.023, EUW1_DBR + ': EU-TimedStorage-ByteHrs "$0.023 per GB - first 50 TB / month of storage used"')],
 ('us-east-2', 'cloudwatch-logs:ingest-gb'): [(0.50, USE2_PL + ': CloudWatch Logs ingestion $0.50 / GB, USE2-DataProcessing-Bytes')],
 ('us-east-2', 'cloudwatch-logs:storage-gb-month'): [(0.03, USE2_PL + ': CloudWatch Logs storage $0.03 / GB-month, USE2-TimedStorage-ByteHrs')],
 ('ap-northeast-1', 'elb:alb-hour'): [(0.0243, APN1_DARCY)],
 ('ap-northeast-1', 'elb:alb-lcu-hour'): [(0.008, APN1_DARCY)],
}
# Figures for which no stored published copy was found: typed from knowledge of AWS's regional price pages.
# Kept so every item stays priced; each one's note says UNSOURCED, and tests/test_pricing.py lists them so
# the list can only shrink. Replace one by adding its copy to SOURCED (or run `python -m pricing.refresh`).
UNSOURCED: dict[tuple[str, str], float] = {
 ('us-east-2', 'ebs:gp3-iops-month'): 0.005, ('us-east-2', 'ebs:gp3-throughput-mibps-month'): 0.04,
 ('us-east-2', 'elb:alb-hour'): 0.0225, ('us-east-2', 'elb:alb-lcu-hour'): 0.008,
 ('us-east-2', 'rds:gp3-gb-month'): 0.115, ('us-east-2', 'rds:backup-storage-gb-month'): 0.095,
 ('us-east-2', 'vpc:interface-endpoint-az-hour'): 0.01, ('us-east-2', 'vpc:interface-endpoint-gb'): 0.01,
 ('us-east-2', 's3:standard-gb-month'): 0.023,
 ('us-west-2', 'ebs:gp3-iops-month'): 0.005,
 ('us-west-2', 'ebs:gp3-throughput-mibps-month'): 0.04,
 ('us-west-2', 'elb:alb-lcu-hour'): 0.008, ('us-west-2', 'rds:gp3-gb-month'): 0.115,
 ('us-west-2', 'rds:backup-storage-gb-month'): 0.095, ('us-west-2', 'cloudwatch-logs:storage-gb-month'): 0.03,
 ('us-west-2', 's3:standard-gb-month'): 0.023,
 ('eu-west-1', 'cloudwatch-logs:storage-gb-month'): 0.03,
 ('eu-central-1', 'ebs:gp3-iops-month'): 0.006,
 # Not even typed: the us-east-1 0.04 scaled by the region's gp3 storage ratio (0.0952 / 0.08).
 ('eu-central-1', 'ebs:gp3-throughput-mibps-month'): 0.0476,
 ('eu-central-1', 'vpc:nat-gateway-gb'): 0.052, ('eu-central-1', 'elb:alb-lcu-hour'): 0.008,
 ('eu-central-1', 'rds:backup-storage-gb-month'): 0.095,
 ('ap-southeast-1', 'ebs:gp3-iops-month'): 0.006, ('ap-southeast-1', 'ebs:gp3-throughput-mibps-month'): 0.048,
 ('ap-southeast-1', 'rds:backup-storage-gb-month'): 0.095,
 ('ap-southeast-1', 'cloudwatch-logs:storage-gb-month'): 0.03, ('ap-southeast-1', 'vpc:interface-endpoint-gb'): 0.01,
 ('ap-northeast-1', 'rds:backup-storage-gb-month'): 0.095,
}
UNSOURCED_NOTE = ("UNSOURCED: typed from knowledge of AWS's regional list price on {url} (region {name}); no stored "
                  "published copy of this figure was found (searched 2026-12-01). Confirm with "
                  "`python -m pricing.refresh --region {region}`.")
# Unsourced figures that were derived rather than typed: the note says how.
DERIVED_NOTES = {
    ('eu-central-1', 'ebs:gp3-throughput-mibps-month'): (
        "UNSOURCED, DERIVED: the us-east-1 0.04 times this region's gp3 storage ratio (0.0952 / 0.08, both "
        "sourced); no stored regional figure was found (searched 2026-12-01). Confirm with "
        "`python -m pricing.refresh --region {region}`."),
}
SOURCED_NOTE = ("Regional list price as stated in, or computed from, the first source (region {name}){also}. "
                "Re-check with `python -m pricing.refresh --region {region}`.")


def regional_figure(region: str, sku: str) -> tuple[float, list[str], bool]:
    """The figure for a regional item, its citations, and whether it is unsourced. Sources must agree."""
    cites = SOURCED.get((region, sku))
    if cites:
        figures = {figure for figure, _ in cites}
        assert len(figures) == 1, f"sources disagree for {region} {sku}: {sorted(figures)}"
        return cites[0][0], [text for _, text in cites], False
    return UNSOURCED[(region, sku)], [], True


UNIFORM = {  # one price in every commercial region, per the AWS page cited in the us-east-1 item
 'eks:cluster-standard-hour', 'eks:cluster-extended-hour', 'wafv2:web-acl-month', 'wafv2:rule-month',
 'wafv2:requests-per-million', 'secretsmanager:secret-month', 'secretsmanager:api-10k', 'kms:key-month',
 'route53:hosted-zone-month', 'acm:public-certificate', 'rds:performance-insights-free-tier', 'ecr:storage-gb-month',
}
UNIFORM_WHY = {
 'eks': 'https://aws.amazon.com/eks/pricing/ (one per-cluster rate in all commercial regions)',
 'wafv2': 'https://aws.amazon.com/waf/pricing/ (one rate card, not per region)',
 'secretsmanager': 'https://aws.amazon.com/secrets-manager/pricing/ (one rate in all regions)',
 'kms': 'https://aws.amazon.com/kms/pricing/ (one rate in all regions)',
 'route53': 'https://aws.amazon.com/route53/pricing/ (Route 53 is a global service)',
 'acm': 'https://aws.amazon.com/certificate-manager/pricing/ (public certificates are free)',
 'rds': 'https://aws.amazon.com/rds/performance-insights/pricing/ (free tier)',
 'ecr': 'https://aws.amazon.com/ecr/pricing/ (one storage rate in all regions)',
}

def build(region: str) -> dict[str, Any]:
    name = REGIONS[region]
    items = {}
    for sku, tpl in template.items():
        kind, _, key = sku.partition(':')
        entry = {}
        if kind == 'ec2':
            price, n, agree, raw = ec2(region, key)
            entry = {'usd_per_hour': price, 'unit': 'instance-hour', 'sources': [COROOT, KARP],
                     'note': (f"Linux, shared tenancy, on-demand. Derived: the dump's extractor does not filter tenancy, so a size "
                              f"can carry a dedicated (+10%) or other variant (this size's raw figure: {raw}). On-demand Linux "
                              f"prices scale with size within a family, so the figure is the {key.split('.')[0]} family's lowest "
                              f"rate per size unit over its {n} sizes in {region} (sizes at that rate: {', '.join(agree)}) times "
                              f"this size. The same method reproduces the Karpenter 2026-07 us-east-1 table for every type in "
                              f"these files. Dated 2024-08: re-check with pricing.refresh.")}
        elif kind == 'rds-postgres':
            row = coroot['managed_db'][region]['postgres'][key]
            entry = {'usd_per_hour': row['single_az']['on_demand'], 'unit': 'instance-hour',
                     'usd_per_hour_multi_az': row['multi_az']['on_demand'], 'sources': [COROOT],
                     'note': "PostgreSQL on-demand, Single-AZ; usd_per_hour_multi_az is the listed Multi-AZ (one standby) rate. "
                             "Read directly from the dump (2024-08); re-check with pricing.refresh."}
        elif kind == 'elasticache':
            od = coroot['managed_cache'][region]['redis'][key]['on_demand']
            entry = {'usd_per_hour': od, 'unit': 'node-hour', 'usd_per_hour_valkey': round(od * 0.8, 5),
                     'sources': [COROOT, "https://www.amazonaws.cn/en/elasticache/faqs/ (node-based Valkey: up to 20% lower cost per node)"],
                     'note': "Redis OSS node, on-demand, read from the dump (2024-08). usd_per_hour_valkey is DERIVED as 0.8 x the "
                             "Redis OSS rate from AWS's stated 20% node discount, as in the us-east-1 file; not read from a price list."}
        elif sku in UNIFORM:
            entry = {k: v for k, v in tpl.items() if k not in ('sources', 'note')}
            entry['sources'] = [UNIFORM_WHY[kind]] + tpl['sources']
            entry['note'] = ("Same rate in every commercial region (see the first source); figures and sources as in the "
                             "us-east-1 file. " + tpl.get('note', '')).strip()
        else:
            if sku not in REGIONAL:
                continue  # network-firewall: no regional figure found; not used by any stack's plan
            field, page = REGIONAL[sku]
            value, cites, unsourced = regional_figure(region, sku)
            entry = {field: value, 'unit': tpl['unit']}
            if unsourced and (region, sku) in DERIVED_NOTES:
                note = DERIVED_NOTES[(region, sku)].format(region=region)
            elif unsourced:
                note = UNSOURCED_NOTE.format(url=AWS[page], name=name, region=region)
            else:
                also = f", agreeing with {len(cites) - 1} more" if len(cites) > 1 else ""
                note = SOURCED_NOTE.format(name=name, also=also, region=region)
            if sku == 'rds:gp3-gb-month':
                # Multi-AZ storage is listed at twice the Single-AZ rate (e.g. the Singapore bill in BILL:
                # Multi-AZ gp2 $0.276 = 2 x $0.138), so the field is derived from the figure above.
                entry['usd_per_month_multi_az'] = round(2 * value, 6)
                note += " usd_per_month_multi_az is DERIVED as twice that figure (Multi-AZ storage lists at 2x)."
            entry['sources'] = cites + [AWS[page]]
            # The us-east-1 note quotes us-east-1 figures for RDS storage; keep only what holds everywhere.
            extra = "RDS gp3 storage, Single-AZ." if sku == 'rds:gp3-gb-month' else tpl.get('note', '')
            entry['note'] = note + (' ' + extra if extra else '')
        items[sku] = entry
    return {'region': region, 'currency': 'USD',
            'as_of': ('2024-08 (EC2, RDS, ElastiCache: Infracost price DB dump); other items: the dated published copy '
                      'each item cites (2023-03 to 2026-09), or flagged UNSOURCED in its note'),
            'hours_per_month': 730, 'items': items}

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pricing.compile_regions")
    parser.add_argument("--dump", type=Path, required=True, help="coroot cloud-pricing.json(.gz)")
    args = parser.parse_args(argv)
    raw = args.dump.read_bytes()
    coroot.update(json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)["aws"])
    template.update(json.loads((PRICES_DIR / "us-east-1.json").read_text())["items"])
    for region in REGIONS:
        out = PRICES_DIR / f"{region}.json"
        out.write_text(json.dumps(build(region), indent=2) + "\n")
        print("wrote", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
