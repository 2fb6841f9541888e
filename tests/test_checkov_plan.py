"""The offline plan converted for checkov (tools/checkov_plan.py): what CKV2_AWS_30 and the other RDS
and S3 checks read is there, and the gate accepts only the findings policies/checkov-accepted.json
lists with a reason. checkov itself runs in CI (.github/workflows/scanners.yml), not here."""

from __future__ import annotations

import json

from tests.conftest import run_stack
from tools.checkov_plan import _ACCEPTED, GATED_PREFIXES, TF_TYPES, convert, gate
from tools.engine.plan import build_plan


def converted(stack: str) -> dict:
    return convert(json.loads(json.dumps(build_plan(run_stack(stack)), default=str)))


def test_the_rds_instance_references_its_parameter_group_as_ckv2_aws_30_needs():
    """CKV2_AWS_30 (checkov 3.3.30) passes when the postgres instance is connected to a parameter
    group: the edge comes from `expressions.parameter_group_name.references`. Before the mocks gave
    namePrefix resources their name, the instance had no parameterGroupName and the check failed."""
    document = converted("prod")
    by_address = {r["address"]: r for r in document["configuration"]["root_module"]["resources"]}
    (db,) = [a for a in by_address if a.startswith("aws_db_instance.")]
    (group,) = [a for a in by_address if a.startswith("aws_db_parameter_group.")]
    assert by_address[db]["expressions"]["parameter_group_name"]["references"] == [f"{group}.id", group]
    values = {r["address"]: r["values"] for r in document["planned_values"]["root_module"]["resources"]}
    assert {"name": "log_statement", "value": "ddl", "apply_method": "immediate"} in values[group]["parameter"]
    assert values[db]["engine"] == "postgres" and values[db]["storage_encrypted"] is True


def test_types_not_converted_are_listed_not_dropped():
    document = converted("dev")
    planned = {r["type"] for r in document["planned_values"]["root_module"]["resources"]}
    assert {"aws_db_instance", "aws_s3_bucket", "aws_kms_key"} <= planned <= set(TF_TYPES.values())
    assert "aws:ec2/subnet:Subnet" in document["skipped"]
    assert not any(t in TF_TYPES for t in document["skipped"])


def test_the_gate_fails_on_a_finding_not_accepted_and_only_on_gated_types():
    report = {"results": {"failed_checks": [
        {"check_id": "CKV2_AWS_30", "resource": "aws_db_instance.postgres_instance"},
        {"check_id": "CKV_AWS_157", "resource": "aws_db_instance.postgres_instance"},
        {"check_id": "CKV2_AWS_5", "resource": "aws_security_group.redis_sg"}]}}
    accepted = json.loads(_ACCEPTED.read_text())
    assert gate(report, "prod", accepted) == ["CKV2_AWS_30"]
    assert all(reason for stack in ("every stack", "dev") for reason in accepted[stack].values())
    assert GATED_PREFIXES == ("aws_db_", "aws_s3_")
