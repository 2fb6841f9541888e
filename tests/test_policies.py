"""The policy pack: every rule both ways, every stack clean, edited plans caught."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tools.engine.policy_check import check_plan  # first: it puts the pack's root on sys.path
from langsmith_policies import ALL_RULES, ResourceView, StackContext, evaluate
from langsmith_policies.rules import MANDATORY_RULES
from tests.conftest import run_stack
from tools import check_plan as check_plan_cli
from tools.engine.plan import build_plan

PROD = StackContext(production=True)
DEV = StackContext(production=False)


def res(type_: str, props: dict[str, Any], name: str = "r", *, deps: tuple[str, ...] = (), protect: bool = False,
        id_: str | None = None, parent_types: tuple[str, ...] = ()) -> ResourceView:
    chain = "$".join((*parent_types, type_))
    return ResourceView(urn=f"urn:pulumi:s::p::{chain}::{name}", type=type_, name=name, props=props,
                        dependencies=deps, protect=protect, id=id_)


def run_rule(name: str, resources: list[ResourceView], ctx: StackContext = PROD) -> list[str]:
    (rule,) = [r for r in ALL_RULES if r.name == name]
    return [v.message for v in evaluate([rule], resources, ctx)]


def irsa_trust(sub: str = "system:serviceaccount:ns:sa", like: bool = False, aud: bool = True) -> str:
    issuer = "oidc.eks.us-east-1.amazonaws.com/id/X"
    condition: dict[str, Any] = {"StringEquals": {f"{issuer}:sub": sub}}
    if aud:
        condition["StringEquals"][f"{issuer}:aud"] = "sts.amazonaws.com"
    if like:
        condition = {"StringLike": {f"{issuer}:sub": sub}}
    return json.dumps({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                                      "Principal": {"Federated": f"arn:aws:iam::1:oidc-provider/{issuer}"},
                                      "Condition": condition}]})


BUCKET = "aws:s3/bucket:Bucket"
ALB = "aws:lb/loadBalancer:LoadBalancer"
TLS_DENY = json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                      "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
WAF_RULES = [
    {"name": "rate", "action": {"block": {}}, "statement": {"rateBasedStatement": {"limit": 2000}}},
    *[{"name": g, "statement": {"managedRuleGroupStatement": {"name": g, "vendorName": "AWS"}}}
      for g in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList")],
]


def bucket_with(*, block: bool = True, encryption: bool = True, policy: str | None = TLS_DENY) -> list[ResourceView]:
    bucket = res(BUCKET, {}, "b", id_="bucket-1")
    parts = [bucket]
    if block:
        parts.append(res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                         {"bucket": "bucket-1", "blockPublicAcls": True, "blockPublicPolicy": True,
                          "ignorePublicAcls": True, "restrictPublicBuckets": True}, "pab"))
    if encryption:
        parts.append(res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                         {"bucket": "bucket-1"}, "sse", deps=(bucket.urn,)))
    if policy is not None:
        parts.append(res("aws:s3/bucketPolicy:BucketPolicy", {"bucket": "bucket-1", "policy": policy}, "pol"))
    return parts


def alb_with(*, associated: bool, internal: bool = False) -> list[ResourceView]:
    alb = res(ALB, {"internal": internal, "loadBalancerType": "application"}, "alb",
              id_="arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1")
    parts = [alb]
    if associated:
        parts.append(res("aws:wafv2/webAclAssociation:WebAclAssociation", {"resourceArn": alb.id}, "assoc"))
    return parts


def db_with(force_ssl: str) -> list[ResourceView]:
    group = res("aws:rds/parameterGroup:ParameterGroup",
                {"name": "pg", "parameters": [{"name": "rds.force_ssl", "value": force_ssl}]}, "pg")
    return [group, res("aws:rds/instance:Instance", {"parameterGroupName": "pg"}, "db", deps=(group.urn,))]


def logged_db(exports: list[str], slow_ms: str) -> list[ResourceView]:
    group = res("aws:rds/parameterGroup:ParameterGroup",
                {"name": "pg", "parameters": [{"name": "log_min_duration_statement", "value": slow_ms}]}, "pg")
    return [group, res("aws:rds/instance:Instance", {"engine": "postgres", "parameterGroupName": "pg",
                                                     "enabledCloudwatchLogsExports": exports}, "db", deps=(group.urn,))]


def production_db(**changes: Any) -> list[ResourceView]:
    props = {"deletionProtection": True, "skipFinalSnapshot": False, "backupRetentionPeriod": 14, **changes}
    return [res("aws:rds/instance:Instance", props, "db", protect=True)]


def helm(values: Any, version: str = "1.2.3") -> list[ResourceView]:
    return [res("kubernetes:helm.sh/v3:Release", {"chart": "langsmith", "version": version,
                                                   "repositoryOpts": {"repo": "https://x"}, "values": values})]


def ecr(**overrides: Any) -> list[ResourceView]:
    props = {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
             "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:1:key/k"}]}
    return [res("aws:ecr/repository:Repository", {**props, **overrides})]


DEPLOYMENTS_ON = {"config": {"hostname": "https://ls.example.com",
                             "deployment": {"enabled": True, "tlsEnabled": True}},
                  "gateway": {"enabled": True, "name": "agents"}, "operator": {"createCRDs": False}}


def deployments_release(values: dict[str, Any] = DEPLOYMENTS_ON) -> ResourceView:
    return res("kubernetes:helm.sh/v3:Release", {"chart": "langsmith", "namespace": "langsmith", "values": values},
               "langsmith")


def network_policy(name: str, selector: dict[str, Any], egress: list[dict[str, Any]]) -> ResourceView:
    return res("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
        "metadata": {"name": name, "namespace": "langsmith"},
        "spec": {"podSelector": selector, "policyTypes": ["Egress"], "egress": egress}}, name)


OUTSIDE = [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/16", "169.254.169.254/32"]}}]}]
NOT_AGENTS = {"matchExpressions": [{"key": "langsmith.com/agent", "operator": "DoesNotExist"}]}
AGENTS = {"matchLabels": {"langsmith.com/agent": "true"}}


def provider(tags: dict[str, str]) -> list[ResourceView]:
    return [res("pulumi:providers:aws", {"defaultTags": json.dumps({"tags": tags})}, "aws")]


# rule name -> (compliant resources, defective resources)
CASES: dict[str, tuple[list[ResourceView], list[ResourceView]]] = {
    "rds-storage-encrypted": ([res("aws:rds/instance:Instance", {"storageEncrypted": True})],
                              [res("aws:rds/instance:Instance", {"storageEncrypted": False})]),
    "rds-not-public": ([res("aws:rds/instance:Instance", {"publiclyAccessible": False})],
                       [res("aws:rds/instance:Instance", {"publiclyAccessible": True})]),
    "rds-force-ssl": (db_with("1"), db_with("0")),
    "rds-statement-logging": (logged_db(["postgresql", "upgrade"], "1000"), logged_db([], "-1")),
    "elasticache-encrypted-and-authenticated": (
        [res("aws:elasticache/replicationGroup:ReplicationGroup",
             {"atRestEncryptionEnabled": True, "transitEncryptionEnabled": True, "authToken": "[secret]"})],
        [res("aws:elasticache/replicationGroup:ReplicationGroup",
             {"atRestEncryptionEnabled": True, "transitEncryptionEnabled": False, "authToken": "[secret]"})]),
    "s3-bucket-baseline": (bucket_with(), bucket_with(policy=json.dumps({"Statement": [{"Effect": "Allow"}]}))),
    "secrets-kms-encrypted": ([res("aws:secretsmanager/secret:Secret", {"kmsKeyId": "arn:k"})],
                              [res("aws:secretsmanager/secret:Secret", {})]),
    "ebs-encrypted": (
        [res("kubernetes:storage.k8s.io/v1:StorageClass", {"provisioner": "ebs.csi.aws.com",
                                                           "parameters": {"encrypted": "true"}})],
        [res("aws:ec2/launchTemplate:LaunchTemplate",
             {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]})]),
    "kms-key-rotation": ([res("aws:kms/key:Key", {"enableKeyRotation": True, "policy": "{}"})],
                         [res("aws:kms/key:Key", {"enableKeyRotation": True})]),
    "security-group-rules-described": (
        [res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"description": "HTTPS from the ALB"})],
        [res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"fromPort": 443})]),
    "default-security-group-closed": (
        [res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", {"vpcId": "vpc-1"})],
        [res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", {"vpcId": "vpc-1", "ingress": [{"self": True}]})]),
    "s3-lifecycle-aborts-uploads": (
        [res(BUCKET, {}, "b", id_="bucket-1"),
         res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", {"bucket": "bucket-1", "rules": [
             {"status": "Enabled", "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}}]}, "lc")],
        [res(BUCKET, {}, "b", id_="bucket-1"),
         res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", {"bucket": "bucket-1", "rules": [
             {"status": "Enabled", "expiration": {"days": 7}}]}, "lc")]),
    "log-group-retention-and-kms": ([res("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 30, "kmsKeyId": "k"})],
                                    [res("aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": "k"})]),
    "no-world-open-ports": (
        [res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
             {"cidrIpv4": "0.0.0.0/0", "fromPort": 443, "toPort": 443})],
        [res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
             {"cidrIpv4": "0.0.0.0/0", "fromPort": 5432, "toPort": 5432})]),
    "no-world-open-inline-rules": (
        [res("aws:ec2/securityGroup:SecurityGroup", {"ingress": [{"cidrBlocks": ["10.0.0.0/8"], "fromPort": 22, "toPort": 22}]})],
        [res("aws:ec2/securityGroup:SecurityGroup", {"ingress": [{"cidrBlocks": ["0.0.0.0/0"], "fromPort": 22, "toPort": 22}]})]),
    "data-services-in-private-subnets": (
        [res("aws:ec2/subnet:Subnet", {"tags": {"tier": "data"}}, "d", id_="subnet-d"),
         res("aws:rds/subnetGroup:SubnetGroup", {"subnetIds": ["subnet-d"]})],
        [res("aws:ec2/subnet:Subnet", {"tags": {"tier": "public"}}, "p", id_="subnet-p"),
         res("aws:rds/subnetGroup:SubnetGroup", {"subnetIds": ["subnet-p"]})]),
    "eks-endpoint-not-public": (
        [res("eks:index:Cluster", {"endpointPublicAccess": False, "endpointPrivateAccess": True})],
        [res("eks:index:Cluster", {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"],
                                   "endpointPrivateAccess": True})]),
    "eks-hardening": (
        [res("eks:index:Cluster", {"encryptionConfigKeyArn": "k", "enabledClusterLogTypes": ["audit"],
                                   "authenticationMode": "API"})],
        [res("eks:index:Cluster", {"encryptionConfigKeyArn": "k", "enabledClusterLogTypes": ["api"],
                                   "authenticationMode": "API"})]),
    "imdsv2-required": (
        [res("aws:ec2/launchTemplate:LaunchTemplate", {"metadataOptions": {"httpTokens": "required"}})],
        [res("aws:ec2/launchTemplate:LaunchTemplate", {"metadataOptions": {"httpTokens": "optional"}})]),
    "alb-tls": (
        [res("aws:lb/listener:Listener", {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})],
        [res("aws:lb/listener:Listener", {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"})]),
    "alb-hygiene": (
        [res(ALB, {"dropInvalidHeaderFields": True, "accessLogs": {"enabled": True}})],
        [res(ALB, {"dropInvalidHeaderFields": False, "accessLogs": {"enabled": True}})]),
    "waf-on-internet-facing-alb": (alb_with(associated=True), alb_with(associated=False)),
    "waf-managed-rules-and-rate-limit": ([res("aws:wafv2/webAcl:WebAcl", {"rules": WAF_RULES})],
                                         [res("aws:wafv2/webAcl:WebAcl", {"rules": WAF_RULES[1:]})]),
    "irsa-trust-one-service-account": ([res("aws:iam/role:Role", {"assumeRolePolicy": irsa_trust()})],
                                       [res("aws:iam/role:Role", {"assumeRolePolicy": irsa_trust("system:serviceaccount:ns:*", like=True)})]),
    "iam-no-wildcard-admin": (
        [res("aws:iam/rolePolicy:RolePolicy", {"policy": json.dumps({"Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})})],
        [res("aws:iam/rolePolicy:RolePolicy", {"policy": json.dumps({"Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]})})]),
    "iam-no-broad-managed-policies": (
        [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
             {"policyArn": "arn:aws:iam::aws:policy/AmazonRDSFullAccess"}, parent_types=("langsmith:aws:ByocRole",))],
        [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
             {"policyArn": "arn:aws:iam::aws:policy/AmazonRDSFullAccess"}, parent_types=("langsmith:aws:Cluster",))]),
    "iam-no-wildcard-principal": (
        [res("aws:iam/role:Role", {"assumeRolePolicy": json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/x"}, "Action": "sts:AssumeRole"}]})})],
        [res("aws:iam/role:Role", {"assumeRolePolicy": json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})})]),
    "byoc-trust-external-id": (
        [res("aws:iam/role:Role", {"name": "langsmith-byoc", "assumeRolePolicy": json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::808407022534:role/LangSmithCrossPlaneRole"},
             "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]})},
             parent_types=("langsmith:aws:ByocEksRole",))],
        [res("aws:iam/role:Role", {"name": "langsmith-byoc", "assumeRolePolicy": json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::808407022534:role/LangSmithCrossPlaneRole"},
             "Action": "sts:AssumeRole"}]})}, parent_types=("langsmith:aws:ByocEksRole",))]),
    "byoc-break-glass-closed": (
        [res("aws:iam/role:Role", {"name": "LangSmithBYOCBreakGlass", "assumeRolePolicy": json.dumps({"Statement": [
            {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::808407022534:root"}, "Action": "sts:AssumeRole"}]})},
             parent_types=("langsmith:aws:ByocEksRole",))],
        [res("aws:iam/role:Role", {"name": "LangSmithBYOCBreakGlass", "assumeRolePolicy": json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::808407022534:root"}, "Action": "sts:AssumeRole"}]})},
             parent_types=("langsmith:aws:ByocEksRole",))]),
    "byoc-wildcard-resources-documented": (
        [res("aws:iam/policy:Policy", {"policy": json.dumps({"Statement": [
            {"Sid": "EC2Describe", "Effect": "Allow", "Action": ["ec2:Describe*"], "Resource": "*"}]})},
             parent_types=("langsmith:aws:ByocEksRole",))],
        [res("aws:iam/policy:Policy", {"policy": json.dumps({"Statement": [
            {"Sid": "EC2Anything", "Effect": "Allow", "Action": ["ec2:CreateVpc"], "Resource": "*"}]})},
             parent_types=("langsmith:aws:ByocEksRole",))]),
    "helm-values-no-secrets": (helm({"config": {"existingSecretName": "langsmith-config"}}),
                               helm({"config": {"basicAuth": {"initialOrgAdminPassword": "hunter2"}}})),
    "helm-chart-pinned": (helm({}, "0.16.11"), helm({}, "^0.16")),
    "production-data-survives": (production_db(), production_db(deletionProtection=False)),
    "ecr-repository-hygiene": (ecr(), ecr(imageTagMutability="MUTABLE")),
    "langsmith-deployments-configured": (
        [deployments_release()],
        [deployments_release({**DEPLOYMENTS_ON, "operator": {"createCRDs": True}})]),
    "agent-pods-fenced": (
        [deployments_release(), network_policy("deny-instance-metadata", NOT_AGENTS, OUTSIDE[:1]),
         network_policy("agents-egress", AGENTS, OUTSIDE)],
        # The namespace-wide policy still selects the agents: theirs is void.
        [deployments_release(), network_policy("deny-instance-metadata", {}, OUTSIDE),
         network_policy("agents-egress", AGENTS, OUTSIDE)]),
    "required-tags": (provider({"app": "langsmith", "langsmith:stack": "s", "managed-by": "pulumi"}),
                      provider({"app": "langsmith"})),
    "no-unresolved-output-text": (
        [res("aws:iam/role:Role", {"assumeRolePolicy": irsa_trust()})],
        [res("aws:iam/role:Role", {"description": "Calling __str__ on an Output[T] is not supported"})]),
    "private-access-only": ([res(ALB, {"internal": True})], [res(ALB, {"internal": False})]),
    "authentication-required": (
        helm({"config": {"authType": "mixed", "basicAuth": {"enabled": True}}}),
        helm({"config": {"authType": "mixed"}})),
    "regular-patching": ([res("aws:rds/instance:Instance", {"autoMinorVersionUpgrade": True})],
                         [res("aws:rds/instance:Instance", {"autoMinorVersionUpgrade": False})]),
}


def test_every_rule_has_a_case_and_a_reason():
    from langsmith_policies.rules import WHY
    assert set(CASES) == {r.name for r in ALL_RULES} == set(WHY)


@pytest.mark.parametrize("rule_name", sorted(CASES))
def test_rule_passes_compliant_and_reports_defective(rule_name: str):
    compliant, defective = CASES[rule_name]
    assert run_rule(rule_name, compliant) == []
    assert run_rule(rule_name, defective) != []


def test_production_rules_do_not_apply_to_dev():
    assert run_rule("production-data-survives", production_db(deletionProtection=False), DEV) == []


def test_byoc_exemption_is_narrow():
    """Only the documented policies, and only on the ByocRole component's attachments."""
    other = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, parent_types=("langsmith:aws:ByocRole",))
    assert run_rule("iam-no-broad-managed-policies", [other]) != []


def test_unknown_values_in_preview_are_not_findings():
    unknown = res("aws:iam/role:Role", {"assumeRolePolicy": "[unknown]"})
    assert run_rule("irsa-trust-one-service-account", [unknown]) == []


@pytest.mark.parametrize("stack", ["dev", "prod", "byoc", "byoc-ecs", "hybrid", "agent-server"])
def test_every_stack_passes_every_mandatory_rule(stack: str, dev_run, prod_run):
    run = {"dev": dev_run, "prod": prod_run}.get(stack) or run_stack(stack)
    violations = check_plan(build_plan(run))
    assert [v for v in violations if v["enforcement"] == "mandatory"] == []


def test_the_rules_see_the_real_resources(prod_run, deployments_run):
    """Guard against rules that pass because they match nothing (LangSmith Deployment brings the ECR
    repository: the prod example with it on, tests/test_deployments.py)."""
    types = {r["type"] for run in (prod_run, deployments_run) for r in build_plan(run)["resources"]}
    for rule in MANDATORY_RULES:
        # ECR repositories are in the byoc and agent-server plans (tests/test_agent_server.py sees them).
        if hasattr(rule, "types") and rule.name not in ("no-world-open-inline-rules", "iam-no-broad-managed-policies",
                                                        "ecr-repository-hygiene"):
            assert types & set(rule.types), rule.name  # type: ignore[attr-defined]


# -- edited plans fail tools.check_plan with the rule named -------------------------------------

@pytest.fixture(scope="module")
def prod_plan(prod_run) -> dict:
    return build_plan(prod_run)


def edited(plan: dict, edit) -> dict:
    copy_ = copy.deepcopy(plan)
    edit(copy_)
    return copy_


def check_file(tmp_path: Path, plan: dict) -> tuple[int, str]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    out = io.StringIO()
    return check_plan_cli.main([str(path)], out=out, err=io.StringIO()), out.getvalue()


def _public_db(plan: dict) -> None:
    (db,) = [r for r in plan["resources"] if r["type"] == "aws:rds/instance:Instance"]
    db["inputs"]["publiclyAccessible"] = True


def _no_waf(plan: dict) -> None:
    plan["resources"] = [r for r in plan["resources"] if r["type"] != "aws:wafv2/webAclAssociation:WebAclAssociation"]


def _password_in_values(plan: dict) -> None:
    (release,) = [r for r in plan["resources"] if r["name"] == "langsmith-release"]
    release["inputs"]["values"]["config"]["basicAuth"] = {"enabled": True, "initialOrgAdminPassword": "Sup3r-secret!"}


@pytest.mark.parametrize("edit, rule", [(_public_db, "rds-not-public"), (_no_waf, "waf-on-internet-facing-alb"),
                                        (_password_in_values, "helm-values-no-secrets")])
def test_edited_plan_fails_check_plan(tmp_path: Path, prod_plan: dict, edit, rule: str):
    code, out = check_file(tmp_path, prod_plan)
    assert code == 0 and "0 mandatory" in out
    code, out = check_file(tmp_path, edited(prod_plan, edit))
    assert code == 1 and f"[mandatory] {rule}:" in out and "resource: urn:pulumi:prod::" in out


def test_check_plan_reports_unreadable_files(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert check_plan_cli.main([str(bad)], out=io.StringIO(), err=io.StringIO()) == 2


# -- the CrossGuard adapter -----------------------------------------------------------------

def test_crossguard_policies_report_through_the_engine_api():
    from pulumi_policy import (PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions,
                               ResourceValidationArgs, StackValidationArgs)

    from langsmith_policies.crossguard import to_policy
    opts = PolicyResourceOptions(protect=False, ignore_changes=[], delete_before_replace=None, aliases=[],
                                 custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[])
    (rds_rule,) = [r for r in ALL_RULES if r.name == "rds-not-public"]
    messages: list[str] = []
    args = ResourceValidationArgs(resource_type="aws:rds/instance:Instance", props={"publiclyAccessible": True},
                                  name="db", opts=opts, provider=None, urn="urn:pulumi:s::p::aws:rds/instance:Instance::db",
                                  config={})
    to_policy(rds_rule).validate(args, lambda m, urn=None: messages.append(m))
    assert messages and "publicly" in messages[0]

    (waf_rule,) = [r for r in ALL_RULES if r.name == "waf-on-internet-facing-alb"]
    alb = PolicyResource(resource_type=ALB, props={"internal": False}, urn="urn:pulumi:s::p::" + ALB + "::alb",
                         name="alb", opts=opts, provider=None, parent=None, dependencies=[], property_dependencies={})
    reported: list[tuple[str, str | None]] = []
    to_policy(waf_rule).validate(StackValidationArgs(resources=[alb], config={}),
                                 lambda m, urn=None: reported.append((m, urn)))
    assert reported == [("Internet-facing ALBs must have a WAF web ACL associated.", alb.urn)]


@pytest.mark.parametrize("resource", [
    res("aws:s3/bucket:Bucket", {"forceDestroy": True}, protect=True),
    res("aws:backup/vault:Vault", {"forceDestroy": True}),
    res("aws:secretsmanager/secret:Secret", {"recoveryWindowInDays": 0}),
])
def test_production_keeps_every_destroy_guard(resource: ResourceView):
    assert run_rule("production-data-survives", [resource]) != []
    assert run_rule("production-data-survives", [resource], DEV) == []



def _db(engine_version: str, force_ssl: str | None) -> list[ResourceView]:
    group = res("aws:rds/parameterGroup:ParameterGroup", {"name": "pg", "parameters": [
        {"name": "rds.force_ssl", "value": force_ssl}] if force_ssl is not None else []}, "pg")
    return [group, res("aws:rds/instance:Instance", {"engine": "postgres", "engineVersion": engine_version,
                                                     "parameterGroupName": "pg"}, "db", deps=(group.urn,))]


@pytest.mark.parametrize("engine_version, force_ssl, compliant", [
    ("16", None, True),    # the engine default (1 from PostgreSQL 15) stands
    ("15", "1", True),
    ("16", "0", False),    # overridden off
    ("14", None, False),   # default 0 before 15: must be set
    ("14", "1", True),
])
def test_force_ssl_follows_the_engine_default(engine_version: str, force_ssl: str | None, compliant: bool):
    assert (run_rule("rds-force-ssl", _db(engine_version, force_ssl)) == []) is compliant


def test_recovery_window_read_from_a_saved_plan_is_still_checked():
    # Numbers in a saved plan come back as floats.
    secret = res("aws:secretsmanager/secret:Secret", {"recoveryWindowInDays": 0.0})
    assert run_rule("production-data-survives", [secret]) != []


def test_ecr_repositories_scan_and_encrypt():
    assert run_rule("ecr-repository-hygiene", ecr(imageScanningConfiguration={"scanOnPush": False})) != []
    assert run_rule("ecr-repository-hygiene", ecr(encryptionConfigurations=[{"encryptionType": "AES256"}])) != []


def test_langsmith_deployments_need_tls_one_route_and_a_hostname():
    for broken in ({**DEPLOYMENTS_ON, "config": {**DEPLOYMENTS_ON["config"], "hostname": ""}},
                   {**DEPLOYMENTS_ON, "config": {**DEPLOYMENTS_ON["config"],
                                                 "deployment": {"enabled": True, "tlsEnabled": False}}},
                   {**DEPLOYMENTS_ON, "ingress": {"enabled": True}}):
        assert run_rule("langsmith-deployments-configured", [deployments_release(broken)]) != []
    # Deployments off: nothing to check.
    assert run_rule("langsmith-deployments-configured", helm({"config": {"deployment": {"enabled": False}}})) == []


def test_agents_without_a_policy_or_with_imds_open_are_reported():
    assert run_rule("agent-pods-fenced", [deployments_release()]) != []
    open_imds = [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/16"]}}]}]
    assert run_rule("agent-pods-fenced", [deployments_release(), network_policy("agents-egress", AGENTS, open_imds)]) != []
    # Without deployments there are no agents to fence.
    assert run_rule("agent-pods-fenced", helm({"config": {"deployment": {"enabled": False}}})) == []
