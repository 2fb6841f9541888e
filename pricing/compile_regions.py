"""How the shipped non-us-east-1 price files were compiled (kept so the derivation can be checked and rerun).

    python -m pricing.compile_regions --dump cloud-pricing.json.gz

`--dump` is coroot/cloud-pricing's data/cloud-pricing.json.gz (gh-pages branch, commit af03ead,
2024-08-09), itself built from the Infracost pricing DB dump of the AWS Price List. From it:
RDS for PostgreSQL (Single-AZ and Multi-AZ) and ElastiCache Redis OSS node rates are read as they are;
EC2 Linux on-demand rates are derived (the dump does not separate tenancies, so a size may carry a
dedicated or other variant): within a family, on-demand Linux prices scale with size, so the rate is
the family's lowest rate per size unit times the size. The same derivation reproduces the Karpenter
us-east-1 table of 2026-07 for every type in the files. Every other regional item is AWS's published
list price for the region (the table below), with a second source where one was found; items with
one rate in every region are copied from the us-east-1 file. Prefer `python -m pricing.refresh`,
which reads the AWS Price List API directly.
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
RECALLED = ("regional list price as published on {url} (region {name}); not re-read from a stored copy in this "
            "session: confirm with `python -m pricing.refresh --region {region}`")
# Regional rates of the non-instance items (USD), per region.
REG = {
 #                 gp3GB   IOPS    thr     natH   natGB  albH    lcu    rdsGB  rdsMAZ bkp    cwIn  cwSt    vpceH  s3
 'us-east-2':     (0.08,   0.005,  0.04,   0.045, 0.045, 0.0225, 0.008, 0.115, 0.23,  0.095, 0.50, 0.03,   0.01,  0.023),
 'us-west-2':     (0.08,   0.005,  0.04,   0.045, 0.045, 0.0225, 0.008, 0.115, 0.23,  0.095, 0.50, 0.03,   0.01,  0.023),
 'eu-west-1':     (0.088,  0.0055, 0.044,  0.048, 0.048, 0.0252, 0.008, 0.127, 0.254, 0.095, 0.57, 0.03,   0.011, 0.023),
 'eu-central-1':  (0.0952, 0.006,  None,   0.052, 0.052, 0.027,  0.008, 0.137, 0.274, 0.095, 0.63, 0.0324, 0.012, 0.0245),
 'ap-southeast-1':(0.096,  0.006,  0.048,  0.059, 0.059, 0.0252, 0.008, 0.138, 0.276, 0.095, 0.70, 0.03,   0.013, 0.025),
 'ap-northeast-1':(0.096,  0.006,  0.048,  0.062, 0.062, 0.0243, 0.008, 0.138, 0.276, 0.095, 0.76, 0.033,  0.014, 0.025),
}
CORROB = {
 ('eu-central-1', 'vpc:nat-gateway-hour'): "matches EUC1-NatGateway-Hours 0.052 in a public recorded GetProducts test double (find_string id 60014133310)",
 ('eu-central-1', 'ebs:gp3-gb-month'): "matches EUC1 gp3 GB-Mo 0.0952 in the same public test double",
 ('eu-central-1', 'ebs:gp3-iops-month'): "matches EUC1 gp3 IOPS-Mo 0.006 in the same public test double",
 ('eu-central-1', 'elb:alb-hour'): "consistent with a public cost report: EUC1-LoadBalancerUsage 19.44 USD = 720 h x 0.027",
 ('ap-southeast-1', 'vpc:nat-gateway-hour'): "https://basavytix.com/blog/aws-nat-gateway-pricing (ap-southeast-1: $0.059/hr and $0.059/GB)",
 ('ap-southeast-1', 'vpc:nat-gateway-gb'): "https://basavytix.com/blog/aws-nat-gateway-pricing (ap-southeast-1: $0.059/hr and $0.059/GB)",
 ('ap-northeast-1', 'vpc:nat-gateway-hour'): "https://awsi.click/en/articles/nat-gateway-cost-structure-avoidance/ (ap-northeast-1: $0.062 per hour, $0.062 per GB)",
 ('ap-northeast-1', 'vpc:nat-gateway-gb'): "https://awsi.click/en/articles/nat-gateway-cost-structure-avoidance/ (ap-northeast-1: $0.062 per hour, $0.062 per GB)",
 ('ap-northeast-1', 'elb:alb-hour'): "https://aws.darcy-it.com/elbのコスト料金/ (Tokyo ALB: 0.0243 USD per hour, 0.008 USD per LCU-hour)",
 ('ap-northeast-1', 'elb:alb-lcu-hour'): "https://aws.darcy-it.com/elbのコスト料金/ (Tokyo ALB: 0.0243 USD per hour, 0.008 USD per LCU-hour)",
 ('eu-west-1', 'vpc:nat-gateway-hour'): "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/ (Europe: ~$0.048-$0.052 per hour and per GB, 2026)",
 ('eu-central-1', 'vpc:nat-gateway-gb'): "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/ (Europe: ~$0.048-$0.052 per hour and per GB, 2026)",
 ('eu-west-1', 'vpc:nat-gateway-gb'): "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/ (Europe: ~$0.048-$0.052 per hour and per GB, 2026)",
}
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
    gp3, iops, thr, nat_h, nat_gb, alb_h, lcu, rds_gb, rds_maz, bkp, cw_in, cw_st, vpce_h, s3 = REG[region]
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
            table = {
             'ebs:gp3-gb-month': ('usd_per_month', gp3, 'ebs'), 'ebs:gp3-iops-month': ('usd_per_month', iops, 'ebs'),
             'ebs:gp3-throughput-mibps-month': ('usd_per_month', thr, 'ebs'),
             'vpc:nat-gateway-hour': ('usd_per_hour', nat_h, 'vpc'), 'vpc:nat-gateway-gb': ('usd_per_gb', nat_gb, 'vpc'),
             'elb:alb-hour': ('usd_per_hour', alb_h, 'elb'), 'elb:alb-lcu-hour': ('usd_per_hour', lcu, 'elb'),
             'rds:gp3-gb-month': ('usd_per_month', rds_gb, 'rds'), 'rds:backup-storage-gb-month': ('usd_per_month', bkp, 'rds'),
             'cloudwatch-logs:ingest-gb': ('usd_per_gb', cw_in, 'cloudwatch'),
             'cloudwatch-logs:storage-gb-month': ('usd_per_month', cw_st, 'cloudwatch'),
             'vpc:interface-endpoint-az-hour': ('usd_per_hour', vpce_h, 'privatelink'),
             'vpc:interface-endpoint-gb': ('usd_per_gb', 0.01, 'privatelink'),
             's3:standard-gb-month': ('usd_per_month', s3, 's3'),
            }
            if sku not in table:
                continue  # network-firewall: no regional figure found; not used by any stack's plan
            field, value, page = table[sku]
            note = RECALLED.format(url=AWS[page], name=name, region=region)
            if (region, sku) in CORROB:
                note = (f"regional list price as published on {AWS[page]} (region {name}), matching the second source "
                        f"read in this session; confirm with `python -m pricing.refresh --region {region}`")
            if value is None:  # eu-central-1 gp3 throughput: derived
                value = round(0.04 * gp3 / 0.08, 4)
                note = (f"DERIVED: us-east-1 0.04 x the region's gp3 storage ratio ({gp3}/0.08); no stored regional figure "
                        f"found. Confirm with `python -m pricing.refresh --region {region}`.")
            entry = {field: value, 'unit': tpl['unit']}
            if sku == 'rds:gp3-gb-month':
                entry['usd_per_month_multi_az'] = rds_maz
            entry['sources'] = [AWS[page]] + ([CORROB[(region, sku)]] if (region, sku) in CORROB else [])
            entry['note'] = note + ('. ' + tpl['note'] if tpl.get('note') else '')
        items[sku] = entry
    return {'region': region, 'currency': 'USD',
            'as_of': '2024-08 (EC2, RDS, ElastiCache: Infracost price DB dump) and 2026-12 (other items: AWS list prices)',
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
