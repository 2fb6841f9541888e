"""The offline plans converted for checkov (tools/checkov_plan.py, tools/engine/tf_plan.py) hold what
checkov's checks read, and the gate accepts only what policies/checkov-accepted.json lists with a
reason. checkov itself runs in CI (.github/workflows/scanners.yml), not here: it is too slow for
bin/test.

The attribute names and resource types below are those the checks read at the pinned checkov
(requirements-checkov.txt, bridgecrewio/checkov@3.3.30): a graph check's JSON names the types it
connects (checkov/terraform/checks/graph_checks/aws/<file>), a resource check the attribute path
it inspects (checkov/terraform/checks/resource/aws/<file>). checkov's graph draws an edge from a
resource to another when an attribute's expression in the plan's `configuration` references it
(checkov/terraform/plan_parser.py `_add_references`); without that reference a connection check
fails or passes without looking at our wiring."""

from __future__ import annotations

import json
from fnmatch import fnmatch
from functools import cache
from typing import Any

import pytest

from tests.conftest import run_stack
from tools.checkov_plan import _ACCEPTED, TF_TYPES, convert, coverage_problems, gate
from tools.ci_stacks import discover
from tools.engine.plan import build_plan
from tools.engine.tf_plan import Target

STACKS = tuple(discover())  # .github/workflows/scanners.yml scans every stack in stacks/
GRAPH = "checkov/terraform/checks/graph_checks/aws/"
RESOURCE = "checkov/terraform/checks/resource/aws/"


@cache
def plan(stack: str) -> dict[str, Any]:
    return json.loads(json.dumps(build_plan(run_stack(stack)), default=str))


@cache
def converted(stack: str) -> dict[str, Any]:
    return convert(plan(stack))


def by_address(stack: str) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """address -> (planned values, configuration expressions)"""
    document = converted(stack)
    expressions = {r["address"]: r["expressions"] for r in document["configuration"]["root_module"]["resources"]}
    return {r["address"]: (r["values"], expressions[r["address"]])
            for r in document["planned_values"]["root_module"]["resources"]}


def at(node: Any, path: str) -> list[Any]:
    """Every value at a dotted path; a list (of blocks) on the way is walked item by item."""
    nodes = [node]
    for part in path.split("."):
        found = []
        for n in nodes:
            for item in (n if isinstance(n, list) else [n]):
                if isinstance(item, dict) and part in item:
                    found.append(item[part])
        nodes = found
    return nodes


def referenced_types(expression: Any) -> set[str]:
    return {r.split(".", 1)[0] for e in (expression if isinstance(expression, list) else [expression])
            if isinstance(e, dict) for r in e.get("references", [])}


# (check, its source, resource type, attribute path, type the attribute must reference)
CONNECTIONS = [
    ("CKV2_AWS_5", GRAPH + "SGAttachedToResource.json", "aws_db_instance", "vpc_security_group_ids", "aws_security_group"),
    ("CKV2_AWS_5", GRAPH + "SGAttachedToResource.json", "aws_elasticache_replication_group", "security_group_ids",
     "aws_security_group"),
    ("CKV2_AWS_5", GRAPH + "SGAttachedToResource.json", "aws_lb", "security_groups", "aws_security_group"),
    ("CKV2_AWS_12", GRAPH + "VPCHasRestrictedSG.json", "aws_default_security_group", "vpc_id", "aws_vpc"),
    ("CKV2_AWS_12", GRAPH + "VPCHasRestrictedSG.json", "aws_vpc_security_group_ingress_rule", "security_group_id",
     "aws_security_group"),
    ("CKV2_AWS_11", GRAPH + "VPCHasFlowLog.json", "aws_flow_log", "vpc_id", "aws_vpc"),
    ("CKV2_AWS_20", GRAPH + "ALBRedirectsHTTPToHTTPS.json", "aws_lb_listener", "load_balancer_arn", "aws_lb"),
    ("CKV_AWS_378", GRAPH + "LBTargetGroup.json", "aws_lb_listener", "default_action.target_group_arn",
     "aws_lb_target_group"),
    ("CKV2_AWS_28", GRAPH + "ALBProtectedByWAF.json", "aws_wafv2_web_acl_association", "resource_arn", "aws_lb"),
    ("CKV2_AWS_31", GRAPH + "WAF2HasLogs.json", "aws_wafv2_web_acl_logging_configuration", "resource_arn",
     "aws_wafv2_web_acl"),
    ("CKV2_AWS_30", GRAPH + "PostgresDBHasQueryLoggingEnabled.json", "aws_db_instance", "parameter_group_name",
     "aws_db_parameter_group"),
    ("CKV2_AWS_23", GRAPH + "Route53ARecordAttachedResource.json", "aws_route53_record", "alias.name", "aws_lb"),
    ("CKV_AWS_21", GRAPH + "S3BucketVersioning.json", "aws_s3_bucket_versioning", "bucket", "aws_s3_bucket"),
    ("CKV_AWS_18", GRAPH + "S3BucketLogging.json", "aws_s3_bucket_logging", "bucket", "aws_s3_bucket"),
    ("CKV_AWS_145", GRAPH + "S3KMSEncryptedByDefault.json", "aws_s3_bucket_server_side_encryption_configuration",
     "bucket", "aws_s3_bucket"),
    ("CKV2_AWS_6", GRAPH + "S3BucketHasPublicAccessBlock.json", "aws_s3_bucket_public_access_block", "bucket",
     "aws_s3_bucket"),
    ("CKV2_AWS_61", GRAPH + "S3BucketLifecycle.json", "aws_s3_bucket_lifecycle_configuration", "bucket",
     "aws_s3_bucket"),
    ("CKV2_AWS_56", GRAPH + "IAMManagedIAMFullAccessPolicy.json", "aws_iam_role_policy_attachment", "role",
     "aws_iam_role"),
]


@pytest.mark.parametrize("check, source, tf_type, attribute, target", CONNECTIONS,
                         ids=[f"{c[0]}-{c[2]}.{c[3]}" for c in CONNECTIONS])
def test_each_connection_a_graph_check_follows_is_a_reference_in_the_configuration(check, source, tf_type,
                                                                                   attribute, target):
    """Before, the converted plans kept the security group IDs, the listener's load balancer and
    the WAF association as plain strings (or left the types out), so CKV2_AWS_5, _12, _20, _28 and
    _31 failed or passed on nothing. Wherever the attribute is set it is a reference, and the
    stack's wiring reaches the type the check connects."""
    resources = {a: e for a, (_, e) in by_address("prod").items() if a.startswith(tf_type + ".")}
    assert resources, f"prod converts no {tf_type} ({check} reads it: {source})"
    reached: set[str] = set()
    for address, expressions in resources.items():
        for expression in at(expressions, attribute):
            assert referenced_types(expression), f"{address}.{attribute} is not a reference ({check}, {source})"
            reached |= referenced_types(expression)
    assert target in reached, f"no {tf_type}.{attribute} references a {target} ({check}, {source})"


# (check, its source, resource type, attribute path in planned values, what the stacks must hold there)
ATTRIBUTES = [
    ("CKV_AWS_37", RESOURCE + "EKSControlPlaneLogging.py", "aws_eks_cluster", "enabled_cluster_log_types",
     ["api", "audit", "authenticator", "controllerManager", "scheduler"]),
    ("CKV_AWS_58", RESOURCE + "EKSSecretsEncryption.py", "aws_eks_cluster", "encryption_config.resources",
     ["secrets"]),
    ("CKV_AWS_38", RESOURCE + "EKSPublicAccessCIDR.py", "aws_eks_cluster", "vpc_config.public_access_cidrs",
     "203.0.113.10/32"),
    ("CKV_AWS_39", RESOURCE + "EKSPublicAccess.py", "aws_eks_cluster", "vpc_config.endpoint_public_access", True),
    ("CKV_AWS_79", RESOURCE + "IMDSv1Disabled.py", "aws_launch_template", "metadata_options.http_tokens",
     "required"),
    ("CKV_AWS_341", RESOURCE + "LaunchTemplateMetadataHop.py", "aws_launch_template",
     "metadata_options.http_put_response_hop_limit", 2),
    ("CKV_AWS_91", RESOURCE + "ELBv2AccessLogs.py", "aws_lb", "access_logs.enabled", True),
    ("CKV_AWS_2", RESOURCE + "ALBListenerHTTPS.py", "aws_lb_listener", "default_action.redirect.protocol", "HTTPS"),
    ("CKV2_AWS_50", GRAPH + "ElastiCacheRedisConfiguredAutomaticFailOver.json", "aws_elasticache_replication_group",
     "automatic_failover_enabled", True),
    ("CKV2_AWS_30", GRAPH + "PostgresDBHasQueryLoggingEnabled.json", "aws_db_parameter_group", "parameter.name",
     "log_statement"),
    ("CKV_AWS_136", RESOURCE + "ECRRepositoryEncrypted.py", "aws_ecr_repository",
     "encryption_configuration.encryption_type", "KMS"),
]


@pytest.mark.parametrize("check, source, tf_type, path, expected", ATTRIBUTES,
                         ids=[f"{a[0]}-{a[2]}.{a[3]}" for a in ATTRIBUTES])
def test_the_attributes_resource_checks_read_carry_the_stacks_values(check, source, tf_type, path, expected):
    """Terraform names (`default_action`, not Pulumi's `defaultActions`) and nested blocks as
    lists of one: a check that reads `metadata_options/[0]/http_tokens` finds the value. Before,
    `default_actions` made CKV_AWS_2 fail on the redirecting listener and the EKS cluster and the
    launch templates were not converted at all, and `encryption_configurations` hid the ECR
    repositories' KMS key from CKV_AWS_136."""
    resources = {f"{stack}:{a}": v for stack in STACKS for a, (v, _) in by_address(stack).items()
                 if a.startswith(tf_type + ".")}
    assert resources, f"no stack converts a {tf_type} ({check} reads it: {source})"
    found = [value for values in resources.values() for value in at(values, path)]
    assert expected in found or expected in [v for f in found if isinstance(f, list) for v in f] \
        or expected in [f for f in found if isinstance(f, list)], f"{tf_type}: {path} = {found} ({check}, {source})"


@pytest.mark.parametrize("tf_type, attribute", [("aws_cloudwatch_log_group", "kms_key_id"),  # CKV_AWS_158
                                                 ("aws_elasticache_replication_group", "kms_key_id"),  # CKV_AWS_191
                                                 ("aws_db_instance", "kms_key_id")])  # CKV_AWS_16 with a CMK
def test_a_value_known_only_after_apply_is_left_out_and_referenced_as_terraform_does(tf_type, attribute):
    """The ARN of a KMS key being created is unknown in a first plan: Terraform leaves it out of
    `values`, marks it in `after_unknown` and checkov puts the reference in its place
    (CloudWatchLogGroupKMSKey.py and ElasticacheReplicationGroupEncryptedWithCMK.py inspect
    `kms_key_id`). A name set in the configuration stays a value (`db_subnet_group_name`)."""
    document = converted("prod")
    changes = {c["address"]: c["change"] for c in document["resource_changes"]}
    for address, (values, expressions) in by_address("prod").items():
        if address.startswith(tf_type + "."):
            assert attribute not in values and changes[address]["after_unknown"][attribute] is True
            assert referenced_types(expressions[attribute]) == {"aws_kms_key"}
    (db,) = [v for a, (v, _) in by_address("prod").items() if a.startswith("aws_db_instance.")]
    assert db["db_subnet_group_name"] == "ls-prod-postgres"


def test_references_follow_dependencies_not_coincidences():
    """The database is named like its subnet group (`ls-prod-postgres`), the Redis group like its
    subnet group: a resource's own name is never a reference to another (before, the subnet group
    referenced the database it shares a name with)."""
    resources = by_address("prod")
    (db,) = [e for a, (_, e) in resources.items() if a.startswith("aws_db_instance.")]
    (redis,) = [e for a, (_, e) in resources.items() if a.startswith("aws_elasticache_replication_group.")]
    assert db["identifier"] == {"constant_value": "ls-prod-postgres"}
    assert referenced_types(db["db_subnet_group_name"]) == {"aws_db_subnet_group"}
    assert redis["replication_group_id"] == {"constant_value": "ls-prod-redis"}
    assert referenced_types(redis["subnet_group_name"]) == {"aws_elasticache_subnet_group"}
    (group,) = [e for a, (_, e) in resources.items() if a.startswith("aws_db_subnet_group.")]
    assert referenced_types(group["subnet_ids"]) == {"aws_subnet"}


def test_a_reference_lists_the_traversal_down_to_the_resource():
    """Terraform's `references` for `aws_eks_cluster.c.vpc_config[0].cluster_security_group_id`."""
    target = Target("aws_eks_cluster.c", "vpc_config[0].cluster_security_group_id", known=False)
    assert target.references() == ["aws_eks_cluster.c.vpc_config[0].cluster_security_group_id",
                                   "aws_eks_cluster.c.vpc_config[0]", "aws_eks_cluster.c.vpc_config",
                                   "aws_eks_cluster.c"]
    rules = [e for a, (_, e) in by_address("prod").items()
             if a.startswith("aws_vpc_security_group_ingress_rule.postgres_from")]
    assert rules and all(r["referenced_security_group_id"]["references"][0].startswith("aws_eks_cluster.")
                         for r in rules)


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_resource_is_converted_and_pulumi_eks_expanded(stack):
    """A new AWS type needs its Terraform name before checkov can read it."""
    document = converted(stack)
    assert document["skipped"] == []
    types = {r["type"] for r in document["planned_values"]["root_module"]["resources"]}
    assert types <= set(TF_TYPES.values())
    pulumi_types = {r["type"] for r in plan(stack)["resources"]}
    assert ("aws_eks_cluster" in types) == ("eks:index:Cluster" in pulumi_types)
    assert ("aws_eks_node_group" in types) == ("eks:index:ManagedNodeGroup" in pulumi_types)
    addresses = [r["address"] for r in document["planned_values"]["root_module"]["resources"]]
    assert len(addresses) == len(set(addresses))


def accepted() -> dict[str, Any]:
    return json.loads(_ACCEPTED.read_text())


def test_the_gate_fails_on_a_finding_not_accepted_on_that_resource():
    report = {"results": {"failed_checks": [
        {"check_id": "CKV2_AWS_30", "resource": "aws_db_instance.postgres_instance"},
        {"check_id": "CKV_AWS_157", "resource": "aws_db_instance.postgres_instance"},
        {"check_id": "CKV_AWS_145", "resource": "aws_s3_bucket.access_logs_bucket"},
        {"check_id": "CKV_AWS_145", "resource": "aws_s3_bucket.blob_storage_bucket"},
        {"check_id": "CKV2_AWS_5", "resource": "aws_security_group.redis_sg"}]}}
    assert gate(report, "prod", accepted()) == ["CKV2_AWS_30 on aws_db_instance.postgres_instance",
                                                "CKV2_AWS_5 on aws_security_group.redis_sg",
                                                "CKV_AWS_145 on aws_s3_bucket.blob_storage_bucket"]


def test_the_gate_fails_when_checkov_read_less_than_the_converted_plan():
    """checkov 3.3.30 answers an empty or unreadable plan with this summary alone, exit 0 on no
    finding (observed with `checkov -f {} --framework terraform_plan --output json`)."""
    plan = converted("dev")
    count = len(plan["planned_values"]["root_module"]["resources"])
    read_nothing = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0,
                    "checkov_version": "3.3.30"}
    assert coverage_problems(read_nothing, plan)
    summary = {"passed": 398, "failed": 35, "skipped": 0, "parsing_errors": 0, "resource_count": count}
    assert coverage_problems({"check_type": "terraform_plan", "results": {}, "summary": summary}, plan) == []
    for broken in ({"parsing_errors": 1}, {"resource_count": count - 1}):
        assert coverage_problems({"check_type": "terraform_plan", "summary": {**summary, **broken}}, plan)
    # checkov counts distinct addresses (checkov 3.3.30 terraform/plan_runner.py): the conversion's are
    for stack in STACKS:
        addresses = [r["address"] for r in converted(stack)["planned_values"]["root_module"]["resources"]]
        assert len(addresses) == len(set(addresses)), stack


def test_every_accepted_finding_has_a_reason_and_names_resources_that_exist():
    """A glob that matches no converted resource accepts nothing today and anything tomorrow."""
    for stack, entries in accepted().items():
        if stack.startswith("_"):
            continue
        stacks = STACKS if stack == "every stack" else (stack,)
        addresses = {r["address"] for s in stacks for r in converted(s)["planned_values"]["root_module"]["resources"]}
        for check, entry in entries.items():
            reason = entry if isinstance(entry, str) else entry["why"]
            assert reason.strip(), f"{stack}: {check} has no reason"
            for pattern in ([] if isinstance(entry, str) else entry["resources"]):
                assert any(fnmatch(a, pattern) for a in addresses), f"{stack}: {check} names {pattern}, no such resource"
