"""Convert an offline plan (`tools.preview --json`) into the Terraform plan JSON checkov reads
(`checkov --framework terraform_plan`), and gate checkov's result on the accepted findings.

    .venv/bin/python -m tools.checkov_plan convert plan-prod.json plan-prod.tf.json
    .venv/bin/python -m tools.checkov_plan gate checkov-prod.json   # exit 1 on a finding not accepted

checkov has no Pulumi framework. Its terraform_plan parser (bridgecrewio/checkov@3.3.30
checkov/terraform/plan_parser.py) takes resources from `planned_values.root_module.resources[]`
(`address`, `type`, `name`, `values`) and graph edges from `configuration.root_module.resources[]
.expressions.<attribute>.references`. The conversion:
- types: Pulumi tokens to Terraform types (`TF_TYPES`, pulumi-aws's bridge renames for the types the
  scanners read); a plan type not in the map is listed in the output's `skipped`, never dropped silently;
- values: camelCase fields to snake_case, and the list fields the bridge pluralised back to their
  Terraform block names (`parameters` -> `parameter`); tag and policy contents stay as written;
- references: an input equal to another resource's id, name or ARN (the mocks' outputs are
  deterministic) becomes a reference, as Terraform's configuration would hold it (this is how an RDS
  instance reaches its parameter group).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence, TextIO

# Pulumi type token -> Terraform type (pulumi/pulumi-aws provider/cmd/pulumi-resource-aws/
# bridge-metadata.json `renames.resources`), for the types checkov's AWS checks read.
TF_TYPES: Mapping[str, str] = {
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "aws_s3_bucket_versioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:ecr/repository:Repository": "aws_ecr_repository",
}
# List fields the bridge renamed from a Terraform block (bridge-metadata.json `renamedProperties`).
BLOCK_NAMES: Mapping[str, Mapping[str, str]] = {
    "aws_db_parameter_group": {"parameters": "parameter"},
    "aws_s3_bucket_server_side_encryption_configuration": {"rules": "rule"},
    "aws_s3_bucket_lifecycle_configuration": {"rules": "rule"},
    "aws_wafv2_web_acl": {"rules": "rule"},
}
# Fields whose content is data (tag keys, policy documents), not schema: kept as written.
_OPAQUE = {"tags", "tags_all", "policy", "assume_role_policy"}
_ACCEPTED = Path(__file__).resolve().parent.parent / "policies" / "checkov-accepted.json"
# The types whose conversion is faithful enough to gate on (their checks read only their own values
# and the references above). Failures on other converted types are printed, not gated: their checks
# follow resources not converted yet (listener rules, security group attachments, the default SG).
GATED_PREFIXES = ("aws_db_", "aws_s3_")


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _values(value: Any, blocks: Mapping[str, str], top: bool = True) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            name = snake(key)
            name = blocks.get(key, name) if top else name
            out[name] = inner if name in _OPAQUE else _values(inner, blocks, top=False)
        return out
    if isinstance(value, list):
        return [_values(v, blocks, top=False) for v in value]
    return value


def _identifier(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def convert(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The Terraform-plan-shaped document of an offline plan."""
    planned: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    skipped = sorted({r["type"] for r in plan["resources"] if r.get("custom") and r["type"].startswith("aws:")
                      and r["type"] not in TF_TYPES})
    converted = [r for r in plan["resources"] if r.get("custom") and r["type"] in TF_TYPES]
    addresses: dict[str, str] = {}
    known: dict[str, tuple[str, str]] = {}  # output value -> (address, attribute)
    for r in converted:
        tf_type = TF_TYPES[r["type"]]
        address = f"{tf_type}.{_identifier(r['name'])}"
        addresses[r["urn"]] = address
        outputs = r.get("outputs") or {}
        for attribute, value in (("id", r.get("id")), ("name", outputs.get("name")), ("arn", outputs.get("arn"))):
            if isinstance(value, str) and value:
                known.setdefault(value, (address, attribute))
    for r in converted:
        tf_type, address = TF_TYPES[r["type"]], addresses[r["urn"]]
        values = _values(r.get("inputs") or {}, BLOCK_NAMES.get(tf_type, {}))
        common = {"address": address, "mode": "managed", "type": tf_type, "name": address.split(".", 1)[1]}
        planned.append({**common, "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                        "values": values})
        expressions: dict[str, Any] = {}
        for field, value in values.items():
            target = known.get(value) if isinstance(value, str) else None
            if target is not None and target[0] != address:
                expressions[field] = {"references": [f"{target[0]}.{target[1]}", target[0]]}
        configured.append({**common, "provider_config_key": "aws", "schema_version": 0, "expressions": expressions})
    return {
        "format_version": "1.2", "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": [{"address": p["address"], "mode": "managed", "type": p["type"], "name": p["name"],
                              "provider_name": p["provider_name"],
                              "change": {"actions": ["create"], "before": None, "after": p["values"],
                                         "after_unknown": {}}} for p in planned],
        "configuration": {"provider_config": {"aws": {"name": "aws",
                                                      "full_name": "registry.terraform.io/hashicorp/aws"}},
                          "root_module": {"resources": configured}},
        "skipped": skipped,
    }


def failed_checks(report: Any, gated: bool = True) -> set[str]:
    """The IDs of the failed checks in checkov's JSON output (one report or a list of them), on the
    gated types (or, `gated=False`, on the others)."""
    reports = report if isinstance(report, list) else [report]
    return {c["check_id"] for r in reports for c in (r.get("results") or {}).get("failed_checks") or []
            if str(c.get("resource", "")).startswith(GATED_PREFIXES) == gated}


def gate(report: Any, stack: str, accepted: Mapping[str, Any]) -> list[str]:
    """Failed checks that policies/checkov-accepted.json does not accept for this stack."""
    allowed = set(accepted.get("every stack", {})) | set(accepted.get(stack, {}))
    return sorted(failed_checks(report) - allowed)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.checkov_plan",
                                     description="Offline plans for checkov, and the gate on its findings.")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert")
    c.add_argument("plan", type=Path)
    c.add_argument("out", type=Path)
    g = sub.add_parser("gate")
    g.add_argument("report", type=Path)
    g.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    if args.command == "convert":
        document = convert(json.loads(args.plan.read_text()))
        args.out.write_text(json.dumps(document, indent=1))
        print(f"{args.out}: {len(document['planned_values']['root_module']['resources'])} resources; not converted: "
              f"{', '.join(document['skipped']) or 'none'}", file=out)
        return 0
    report = json.loads(args.report.read_text())
    unexpected = gate(report, args.stack, json.loads(_ACCEPTED.read_text()))
    ungated = sorted(failed_checks(report, gated=False))
    if ungated:
        print(f"{args.stack}: not gated (conversion incomplete for their types): {', '.join(ungated)}", file=out)
    for check in unexpected:
        print(f"{args.stack}: checkov {check} fails and is not accepted in policies/checkov-accepted.json", file=out)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
