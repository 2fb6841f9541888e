"""BYOC, the eks contract (stacks/Pulumi.byoc.yaml): LangChain's data-plane role and break-glass role as its
`langsmith-byoc-role` module builds them (langchain-ai/terraform@e27a2af), held to the table generated from the
module (data/byoc/langsmith-byoc-role.json); BYOVPC and BYOIAM; the hand-over outputs; the pack's BYOC rules."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from tools.engine.policy_check import check_plan  # first: it puts the pack's root on sys.path
from langsmith_policies import ALL_RULES, ResourceView, StackContext, evaluate
from components.byoc_eks import policy_documents
from components.byoc_eks_policies import GROUPS, RoleOptions
from settings import ConfigError
from tests.conftest import run_stack
from tools.engine.harness import ProgramRun
from tools.engine.mocks import is_secret, unwrap
from tools.engine.plan import build_plan
from tools.engine.stack_config import OFFLINE_SECRET_PLACEHOLDER

TABLE = json.loads((Path(__file__).resolve().parents[1] / "data" / "byoc" / "langsmith-byoc-role.json").read_text())
MODULE_COMMIT = "e27a2af4f581b32a35b3a9f2f052e50829cfc0ab"
CONTROL_PLANE = "arn:aws:iam::808407022534:role/LangSmithCrossPlaneRole"  # langsmith-byoc-role README @ e27a2af
IAM_POLICY_LIMIT = 6144  # characters of a customer-managed policy (IAM quotas)
ACCOUNT = "123456789012"
EXISTING = {"vpcId": "vpc-0123456789abcdef0",
            "privateSubnetIds": ["subnet-00000000000000001", "subnet-00000000000000002"],
            "dataSubnetIds": ["subnet-00000000000000003", "subnet-00000000000000004"]}


def eks(**byoc: Any) -> dict[str, Any]:
    return {"byoc": {"contract": "eks", **byoc}}


@pytest.fixture(scope="module")
def eks_run() -> ProgramRun:
    return run_stack("byoc")


def documents(options: RoleOptions, role_name: str = "langsmith-byoc") -> dict[str, list[dict[str, Any]]]:
    docs = policy_documents(options, account_id=ACCOUNT, control_plane_account_id="808407022534", role_name=role_name)
    return {group: json.loads(text)["Statement"] for group, text in docs.items()}


def summary(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"sid": s["Sid"], "effect": s["Effect"], "actions": sorted(set(s["Action"]))} for s in statements]


# -- the table and the module -------------------------------------------------------------------

def test_the_table_names_the_module_and_its_commit():
    assert TABLE["source"]["commit"] == MODULE_COMMIT
    assert TABLE["source"]["path"] == "modules/byoc/aws/langsmith-byoc-role"
    assert TABLE["groups"] == list(GROUPS)


@pytest.mark.parametrize("public,delete", list(itertools.product([False, True], repeat=2)))
def test_every_group_has_the_modules_statements_and_actions(public: bool, delete: bool):
    ours = documents(RoleOptions(allow_delete=delete, allow_public_ingress=public))
    module = TABLE["options"][f"publicIngress={str(public).lower()},delete={str(delete).lower()}"]
    for group in GROUPS:
        assert summary(ours[group]) == module[group]["statements"], group


@pytest.mark.parametrize("options", [
    RoleOptions(), RoleOptions(allow_delete=True, allow_public_ingress=True),
    RoleOptions(allow_delete=True, allow_public_ingress=True, byovpc_vpc_ids=["vpc-0a", "vpc-0b", "vpc-0c"]),
    RoleOptions(allow_delete=True, byoiam=True), RoleOptions(byovpc_vpc_ids=["vpc-0a"], byoiam=True)])
def test_each_managed_policy_stays_under_the_iam_limit(options: RoleOptions):
    docs = policy_documents(options, account_id=ACCOUNT, control_plane_account_id="808407022534", role_name="r" * 64)
    sizes = {group: len(text) for group, text in docs.items()}
    assert max(sizes.values()) < IAM_POLICY_LIMIT, sizes
    # The largest, with delete permissions, is the iam group near 5,730 characters: a visible margin.
    if options == RoleOptions(allow_delete=True, allow_public_ingress=True):
        module = TABLE["options"]["publicIngress=true,delete=true"]
        for group, size in sizes.items():
            assert abs(size - module[group]["sizeWith64CharacterRoleName"]) <= 40, group  # list vs string forms only


def test_byovpc_vpc_policy_is_the_modules_later_variant_scoped_to_the_vpc():
    ours = documents(RoleOptions(byovpc_vpc_ids=["vpc-0b", "vpc-0a"]))
    assert summary(ours["vpc"]) == TABLE["byovpcVpc"]["statements"]
    assert TABLE["byovpcVpc"]["source"]["commit"].startswith("02339004")
    (create_sg,) = [s for s in ours["vpc"] if s["Sid"] == "EC2CreateSecurityGroupsInCustomerVpcs"]
    assert create_sg["Resource"] == [f"arn:aws:ec2:*:{ACCOUNT}:vpc/vpc-0a", f"arn:aws:ec2:*:{ACCOUNT}:vpc/vpc-0b"]
    every = {a for s in ours["vpc"] for a in s["Action"]}
    assert not every & {"ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateNatGateway", "ec2:CreateRouteTable"}
    deletes = documents(RoleOptions(allow_delete=True, byovpc_vpc_ids=["vpc-0a"]))["ec2-eni"]
    delete_actions = {a for s in deletes for a in s["Action"]}
    assert "ec2:DeleteSecurityGroup" in delete_actions and "ec2:TerminateInstances" in delete_actions
    assert not delete_actions & {"ec2:DeleteVpc", "ec2:DeleteSubnet", "ec2:DeleteNatGateway", "ec2:DeleteRoute"}


def test_byoiam_keeps_reads_passrole_and_simulation_only():
    ours = documents(RoleOptions(allow_delete=True, byoiam=True))
    iam = {a for statements in ours.values() for s in statements for a in s["Action"] if a.startswith("iam:")}
    assert {"iam:PassRole", "iam:SimulatePrincipalPolicy", "iam:GetRole", "iam:GetInstanceProfile"} <= iam
    assert all(a.startswith(("iam:Get", "iam:List", "iam:PassRole", "iam:Simulate")) for a in iam), iam
    full = {a for statements in documents(RoleOptions(allow_delete=True)).values() for s in statements
            for a in s["Action"] if a.startswith("iam:")}
    assert {"iam:CreateRole", "iam:CreateServiceLinkedRole", "iam:DeleteRole", "iam:AttachRolePolicy"} <= full


# -- the program ---------------------------------------------------------------------------------

def test_trust_is_the_reconcile_role_with_the_external_id_only(eks_run: ProgramRun):
    role = eks_run.one("aws:iam/role:Role", "byoc-role")
    assert is_secret(role.inputs["assumeRolePolicy"])
    assert json.loads(unwrap(role.inputs["assumeRolePolicy"]))["Statement"] == [{
        "Effect": "Allow", "Principal": {"AWS": CONTROL_PLANE}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": OFFLINE_SECRET_PLACEHOLDER}}}]
    assert role.inputs["tags"]["langsmith-byoc-role"] == "true" and role.inputs["name"] == "langsmith-byoc"
    assert OFFLINE_SECRET_PLACEHOLDER not in json.dumps(build_plan(eks_run))


def test_ten_managed_policies_attached_and_nothing_else(eks_run: ProgramRun):
    policies = {p.inputs["name"]: p for p in eks_run.of_type("aws:iam/policy:Policy")}
    assert sorted(policies) == sorted(f"langsmith-byoc-{g}" for g in GROUPS)
    attached = [a.inputs["policyArn"] for a in eks_run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")]
    assert sorted(attached) == sorted(p.outputs["arn"] for p in policies.values())
    module = TABLE["options"]["publicIngress=false,delete=false"]
    for group in GROUPS:
        statements = json.loads(policies[f"langsmith-byoc-{group}"].inputs["policy"])["Statement"]
        assert summary(statements) == module[group]["statements"]


def test_break_glass_denies_by_default(eks_run: ProgramRun):
    role = eks_run.one("aws:iam/role:Role", "byoc-break-glass")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert role.inputs["name"] == "LangSmithBYOCBreakGlass" and statement["Effect"] == "Deny"
    assert statement["Principal"] == {"AWS": "arn:aws:iam::808407022534:root"}
    assert statement["Condition"]["StringEquals"]["identitystore:UserId"] == ["__no_identitystore_user_ids_configured__"]
    (inline,) = eks_run.of_type("aws:iam/rolePolicy:RolePolicy")
    assert json.loads(inline.inputs["policy"])["Statement"] == [{
        "Effect": "Allow", "Action": "eks:DescribeCluster", "Resource": f"arn:aws:eks:*:{ACCOUNT}:cluster/*-smith-eks"}]


def test_break_glass_opens_only_for_named_identities():
    user = "906745f1d6-12345678-90ab-cdef-1234-567890abcdef"
    run = run_stack("byoc", eks(breakGlass={"allow": True, "identityStoreUserIds": [user],
                                            "sourceIdentities": ["engineer@langchain.dev"]}))
    (statement,) = json.loads(run.one("aws:iam/role:Role", "byoc-break-glass").inputs["assumeRolePolicy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Condition"]["StringEquals"] == {"identitystore:UserId": [user],
                                                      "sts:SourceIdentity": ["engineer@langchain.dev"]}
    with pytest.raises(ConfigError) as err:
        run_stack("byoc", eks(breakGlass={"allow": True}))
    assert [i.key for i in err.value.issues] == ["byoc.breakGlass.allow"]


def test_managed_vpc_builds_no_network_and_hands_over_the_cidr(eks_run: ProgramRun):
    assert eks_run.of_type("aws:ec2/vpc:Vpc") == [] and eks_run.of_type("aws:kms/key:Key") == []
    out = eks_run.outputs
    assert out["byocRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/langsmith-byoc"
    assert out["byocBreakGlassRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/LangSmithBYOCBreakGlass"
    assert out["byocVpcCidr"] == "10.60.0.0/16" and out["byocRegion"] == "us-east-1"
    assert out["byocPublicLoadBalancer"] is False and out["byocContract"] == "eks"
    assert out["byocExternalIdConfigKey"] == "langsmith-aws:byocExternalId" and "byocNetwork" not in out
    assert out["monthlyCostEstimate"]["totalUsd"] == 0


def test_byovpc_builds_the_reference_layout_and_scopes_the_role_to_it():
    run = run_stack("byoc", {**eks(vpc="byovpc", allowPublicIngress=True),
                             "network": {"cidr": "10.60.0.0/18", "azCount": 2}})
    subnets = {s.inputs["cidrBlock"]: s.inputs["tags"]["tier"] for s in run.of_type("aws:ec2/subnet:Subnet")}
    assert subnets == {"10.60.0.0/20": "private", "10.60.16.0/20": "private", "10.60.32.0/26": "data",
                       "10.60.32.64/26": "data", "10.60.32.128/26": "public", "10.60.32.192/26": "public"}
    (vpc,) = run.of_type("aws:ec2/vpc:Vpc")
    assert "langgraph-cloud-enabled" not in vpc.inputs["tags"]
    net = run.outputs["byocNetwork"]
    assert net["vpcId"] == vpc.id and len(net["privateAppSubnetIds"]) == 2
    assert len(net["privateDbSubnetIds"]) == 2 and len(net["publicSubnetIds"]) == 2 and "byocVpcCidr" not in run.outputs
    vpc_policy = json.loads(run.one("aws:iam/policy:Policy", "byoc-vpc").inputs["policy"])
    (create_sg,) = [s for s in vpc_policy["Statement"] if s["Sid"] == "EC2CreateSecurityGroupsInCustomerVpcs"]
    assert create_sg["Resource"] == [f"arn:aws:ec2:*:{ACCOUNT}:vpc/{vpc.id}"]
    assert check_plan(build_plan(run)) == [] or all(v["enforcement"] != "mandatory" for v in check_plan(build_plan(run)))


def test_byovpc_on_an_existing_vpc_uses_its_ids():
    run = run_stack("byoc", {**eks(vpc="byovpc"), "network": {"existing": EXISTING}})
    assert run.of_type("aws:ec2/vpc:Vpc") == [] and run.of_type("aws:ec2/subnet:Subnet") == []
    assert run.outputs["byocNetwork"] == {"vpcId": EXISTING["vpcId"], "privateAppSubnetIds": EXISTING["privateSubnetIds"],
                                          "privateDbSubnetIds": EXISTING["dataSubnetIds"], "publicSubnetIds": []}


@pytest.mark.parametrize("overrides,key,rule", [
    ({"network": {"cidr": "10.60.0.0/19"}}, "network.cidr", "[cidr]"),
    ({"network": {"cidr": "10.60.0.0/20"}}, "network.cidr", "/16 to /18"),
    ({**eks(vpc="byovpc"), "network": {"cidr": "10.60.0.0/16", "azCount": 4}}, "network.azCount", "[azs]"),
    ({"network": {"existing": EXISTING}}, "network.existing", "byoc.vpc: byovpc"),
    ({**eks(vpc="byovpc"), "network": {"existing": {**EXISTING, "dataSubnetIds": [*EXISTING["dataSubnetIds"], "subnet-00000000000000009"]}}},
     "network.existing.dataSubnetIds", "[azs]"),
    ({**eks(vpc="byovpc"), "network": {"existing": {**EXISTING, "dataSubnetIds": EXISTING["privateSubnetIds"]}}},
     "network.existing", "[unique-ids]"),
    ({**eks(vpc="byovpc", allowPublicIngress=True), "network": {"existing": EXISTING}},
     "network.existing.publicSubnetIds", "[public-lb]"),
    ({"aws:region": "sa-east-1"}, "aws:region", "ca-central-1"),
    (eks(controlPlane="eu"), "byoc.controlPlane", "us-east-2"),
    (eks(ecrRepositoryName="x"), "byoc.ecrRepositoryName", "byoc.contract: ecs"),
    ({"byoc": {"contract": "ecs", "allowDeletePermissions": True}}, "byoc.allowDeletePermissions", "byoc.contract: eks"),
])
def test_what_config_can_tell_is_a_config_error_naming_the_rule(overrides: dict[str, Any], key: str, rule: str):
    with pytest.raises(ConfigError) as err:
        run_stack("byoc", overrides)
    found = {i.key: i.allowed for i in err.value.issues}
    assert key in found and rule in found[key], found


# -- the pack's BYOC rules -----------------------------------------------------------------------

def _role(props: dict[str, Any], component: str = "langsmith:aws:ByocEksRole", name: str = "r") -> ResourceView:
    return ResourceView(urn=f"urn:pulumi:s::p::{component}$aws:iam/role:Role::{name}", type="aws:iam/role:Role",
                        name=name, props=props, dependencies=(), protect=False, id=None)


def _rule(name: str, resources: list[ResourceView]) -> list[str]:
    (rule,) = [r for r in ALL_RULES if r.name == name]
    return [v.message for v in evaluate([rule], resources, StackContext(production=True))]


def _trust(statement: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_pack_refuses_a_trust_without_external_id_or_with_a_wildcard_principal():
    bare = {"Effect": "Allow", "Principal": {"AWS": CONTROL_PLANE}, "Action": "sts:AssumeRole"}
    assert _rule("byoc-trust-external-id", [_role({"name": "x", "assumeRolePolicy": _trust(bare)})])
    anyone = {**bare, "Principal": {"AWS": "*"}, "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}
    assert _rule("iam-no-wildcard-principal", [_role({"assumeRolePolicy": _trust(anyone)}, component="a:b:C")])
    gated = {**bare, "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}
    assert _rule("byoc-trust-external-id", [_role({"name": "x", "assumeRolePolicy": _trust(gated)})]) == []


def test_pack_refuses_an_open_break_glass_without_identities():
    opened = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::808407022534:root"},
              "Action": ["sts:AssumeRole"], "Condition": {
                  "ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::808407022534:role/x"]},
                  "StringEquals": {"identitystore:UserId": ["__no_identitystore_user_ids_configured__"],
                                   "sts:SourceIdentity": ["a@b.c"]}}}
    assert _rule("byoc-break-glass-closed",
                 [_role({"name": "LangSmithBYOCBreakGlass", "assumeRolePolicy": _trust(opened)})])
    assert _rule("byoc-break-glass-closed", [_role({"name": "LangSmithBYOCBreakGlass",
                                                     "assumeRolePolicy": _trust({**opened, "Effect": "Deny"})})]) == []


def test_pack_allows_only_the_modules_wildcard_resource_statements():
    def policy(sid: str) -> ResourceView:
        doc = json.dumps({"Statement": [{"Sid": sid, "Effect": "Allow", "Action": ["ec2:CreateVpc"], "Resource": "*"}]})
        return ResourceView(urn="urn:pulumi:s::p::langsmith:aws:ByocEksRole$aws:iam/policy:Policy::p",
                            type="aws:iam/policy:Policy", name="p", props={"policy": doc}, dependencies=(),
                            protect=False, id=None)
    assert _rule("byoc-wildcard-resources-documented", [policy("EC2Describe")]) == []
    assert _rule("byoc-wildcard-resources-documented", [policy("Anything")])


MIRROR = Path("/work/.mirror/langchain-ai+terraform/repo")


@pytest.mark.skipif(not MIRROR.exists(), reason="needs a git dir of langchain-ai/terraform")
def test_the_generator_reproduces_the_checked_in_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from data.byoc import generate
    out = tmp_path / "table.json"
    monkeypatch.setattr(generate, "OUT", out)
    out.write_text(json.dumps({"byovpcVpc": TABLE["byovpcVpc"]}))  # the later file is kept from the table
    assert generate.main(["--repo", str(MIRROR), "--ref", MODULE_COMMIT]) == 0
    assert json.loads(out.read_text()) == TABLE
