"""BYOC, the original (ecs) contract (stacks/Pulumi.byoc-ecs.yaml): the cross-account role, its trust and
policies, the tagged network, the ECR repository. The eks contract: tests/test_byoc_eks.py."""

from __future__ import annotations

import io
import json

import pytest

from components.byoc import BYOC_MANAGED_POLICIES
from settings import ConfigError
from tests.conftest import by_id, run_stack
from tools.engine.harness import ProgramRun
from tools.engine.mocks import is_secret, unwrap
from tools.engine.plan import build_plan
from tools.preview import main as preview_main
from tools.engine.stack_config import OFFLINE_SECRET_PLACEHOLDER

US_CONTROL_PLANE = "arn:aws:iam::640174622193:role/HostBackendRoleProd"
# langchain-ai/terraform@d0897e33756dde5f393b3de2eb1300d12632567a:modules/langgraph_cloud_setup/main.tf
EU_CONTROL_PLANE = "arn:aws:iam::640174622193:role/HostBackendRoleProdEu"
EXISTING = {
    "vpcId": "vpc-0123456789abcdef0",
    "publicSubnetIds": ["subnet-00000000000000001", "subnet-00000000000000002"],
    "privateSubnetIds": ["subnet-00000000000000003", "subnet-00000000000000004"],
}


@pytest.fixture(scope="module")
def byoc_run() -> ProgramRun:
    return run_stack("byoc-ecs")


def trust(run: ProgramRun) -> dict:
    role = run.one("aws:iam/role:Role", "byoc-role")
    assert is_secret(role.inputs["assumeRolePolicy"])  # it carries the ExternalId
    return json.loads(unwrap(role.inputs["assumeRolePolicy"]))


def test_trust_is_the_control_plane_with_the_external_id_only(byoc_run: ProgramRun):
    (statement,) = trust(byoc_run)["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"AWS": US_CONTROL_PLANE},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": OFFLINE_SECRET_PLACEHOLDER}},
    }


def test_eu_control_plane_trusts_the_published_eu_principal():
    # The ECS module names both principals by `langsmith_data_region` (main.tf at d0897e3).
    assert trust(run_stack("byoc-ecs", {"byoc": {"contract": "ecs", "controlPlane": "eu"}}))["Statement"][0][
        "Principal"] == {"AWS": EU_CONTROL_PLANE}
    own = "arn:aws:iam::111122223333:role/SelfHostedControlPlane"
    for overrides in ({"byoc": {"contract": "ecs", "trustedPrincipalArn": own}},
                      {"byoc": {"contract": "ecs", "controlPlane": "eu", "trustedPrincipalArn": own}}):
        assert trust(run_stack("byoc-ecs", overrides))["Statement"][0]["Principal"] == {"AWS": own}


def test_every_default_principal_has_its_published_source():
    # Each default names its public source beside it (settings/byoc.py): LangChain's ECS-era BYOC
    # Terraform module, langchain-ai/terraform@d0897e3 modules/langgraph_cloud_setup/main.tf.
    from settings.byoc import BYOC_CONTROL_PLANE_PRINCIPALS
    assert BYOC_CONTROL_PLANE_PRINCIPALS == {"us": US_CONTROL_PLANE, "eu": EU_CONTROL_PLANE}


def test_role_has_exactly_the_documented_managed_policies(byoc_run: ProgramRun):
    role = byoc_run.one("aws:iam/role:Role", "byoc-role")
    attached = [a.inputs["policyArn"] for a in byoc_run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                if a.parent == role.parent]
    assert sorted(attached) == sorted(BYOC_MANAGED_POLICIES)
    assert [p.name for p in byoc_run.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == role.parent] == []
    assert role.inputs["name"] == "LangGraphCloudBYOCRole" and role.inputs["maxSessionDuration"] == 3600


def test_session_duration_and_permissions_boundary_options():
    boundary = "arn:aws:iam::123456789012:policy/byoc-boundary"
    run = run_stack("byoc-ecs", {"byoc": {"contract": "ecs", "maxSessionDurationSeconds": 7200, "permissionsBoundaryArn": boundary}})
    role = run.one("aws:iam/role:Role", "byoc-role").inputs
    assert role["maxSessionDuration"] == 7200 and role["permissionsBoundary"] == boundary


def test_external_id_never_reaches_the_plan(byoc_run: ProgramRun):
    text = json.dumps(build_plan(byoc_run))
    assert OFFLINE_SECRET_PLACEHOLDER not in text
    assert byoc_run.outputs["byocExternalIdConfigKey"] == "langsmith-aws:byocExternalId"


def test_new_vpc_and_subnets_are_tagged_for_the_control_plane(byoc_run: ProgramRun):
    (vpc,) = byoc_run.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["tags"]["langgraph-cloud-enabled"] == "1"
    for subnet in byoc_run.of_type("aws:ec2/subnet:Subnet"):
        tags, tier = subnet.inputs["tags"], subnet.inputs["tags"]["tier"]
        if tier == "public":
            assert (tags["langgraph-cloud-enabled"], tags["langgraph-cloud-private"]) == ("1", "0")
        elif tier == "private":
            assert (tags["langgraph-cloud-enabled"], tags["langgraph-cloud-private"]) == ("1", "1")
        else:
            assert "langgraph-cloud-enabled" not in tags
        assert not any(k.startswith("kubernetes.io/cluster/") for k in tags)


def test_existing_vpc_is_tagged_in_place():
    run = run_stack("byoc-ecs", {"network": {"existing": EXISTING}})
    assert run.of_type("aws:ec2/vpc:Vpc") == [] and run.of_type("aws:ec2/subnet:Subnet") == []
    tags = {(t.inputs["resourceId"], t.inputs["key"]): t.inputs["value"] for t in run.of_type("aws:ec2/tag:Tag")}
    assert tags[(EXISTING["vpcId"], "langgraph-cloud-enabled")] == "1"
    for subnet in EXISTING["publicSubnetIds"]:
        assert tags[(subnet, "langgraph-cloud-enabled")] == "1" and tags[(subnet, "langgraph-cloud-private")] == "0"
    for subnet in EXISTING["privateSubnetIds"]:
        assert tags[(subnet, "langgraph-cloud-enabled")] == "1" and tags[(subnet, "langgraph-cloud-private")] == "1"
    assert len(tags) == 1 + 2 * 4
    assert run.outputs["privateSubnetIds"] == EXISTING["privateSubnetIds"]


def test_ecr_repository_settings(byoc_run: ProgramRun):
    repo = byoc_run.one("aws:ecr/repository:Repository")
    i = repo.inputs
    assert i["imageTagMutability"] == "IMMUTABLE" and i["imageScanningConfiguration"] == {"scanOnPush": True}
    assert i["encryptionConfigurations"] == [{
        "encryptionType": "KMS", "kmsKey": byoc_run.one("aws:kms/key:Key", "keys-data").outputs["arn"]}]
    assert i["forceDelete"] is False
    lifecycle = json.loads(byoc_run.one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"])
    untagged, tagged = lifecycle["rules"]
    assert untagged["selection"]["tagStatus"] == "untagged" and untagged["action"]["type"] == "expire"
    assert tagged["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50}
    assert byoc_run.outputs["ecrRepositoryUrl"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/langgraph-deployments"


def test_only_the_account_and_the_byoc_role_may_pull(byoc_run: ProgramRun):
    policy = json.loads(byoc_run.one("aws:ecr/repositoryPolicy:RepositoryPolicy").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    allow = statements["PullByAccountAndByocRole"]
    role_arn = byoc_run.one("aws:iam/role:Role", "byoc-role").outputs["arn"]
    assert sorted(allow["Principal"]["AWS"]) == sorted(["arn:aws:iam::123456789012:root", role_arn])
    assert all(a.startswith("ecr:") and ("Get" in a or "Batch" in a) for a in allow["Action"])
    deny = statements["NobodyOutsideTheAccount"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}


def test_outputs_for_the_langsmith_ui(byoc_run: ProgramRun):
    outputs = byoc_run.outputs
    assert outputs["byocRoleArn"] == "arn:aws:iam::123456789012:role/LangGraphCloudBYOCRole"
    assert outputs["region"] == "us-east-1" and outputs["vpcId"].startswith("vpc-")
    assert len(outputs["privateSubnetIds"]) == 3 and len(outputs["publicSubnetIds"]) == 3
    assert byoc_run.of_type("eks:index:Cluster") == [] and byoc_run.of_type("aws:rds/instance:Instance") == []


def test_external_postgres_uri_and_runs_endpoint_are_config():
    run = run_stack("byoc-ecs", {"postgres": {"external": True},
                             "postgresExternalUri": "u:p@db.internal:5432/lg?sslmode=require",
                             "byoc": {"contract": "ecs", "langsmithRunsEndpoints": '{"https://smith.example.com": "LS_KEY"}'}},
                    secret=("postgresExternalUri",))
    (secret,) = run.of_type("aws:secretsmanager/secret:Secret")
    assert secret.inputs["name"] == "ls-byoc-ecs/postgres-external-uri"
    assert run.outputs["postgresUriSecretArn"] == secret.outputs["arn"]
    assert run.outputs["langsmithRunsEndpoints"] == '{"https://smith.example.com": "LS_KEY"}'
    assert "u:p@db.internal" not in json.dumps(build_plan(run))


def test_missing_external_id_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        run_stack("byoc-ecs", drop=("byocExternalId",))
    assert [i.key for i in err.value.issues] == ["byocExternalId"]
    stack_file = tmp_path / "Pulumi.byoc-ecs.yaml"
    from tools.engine.harness import PROJECT_ROOT
    lines = (PROJECT_ROOT / "stacks" / "Pulumi.byoc-ecs.yaml").read_text().splitlines()
    kept = [l for l in lines if "byocExternalId:" not in l and "secure: v1:placeholder" not in l]
    stack_file.write_text("\n".join(kept) + "\n")
    out, err = io.StringIO(), io.StringIO()
    assert preview_main(["--config-file", str(stack_file), "--quiet"], out=out, err=err) == 2
    assert "langsmith-aws:byocExternalId = (not set)" in err.getvalue()


def test_plain_text_external_id_is_refused():
    with pytest.raises(ConfigError) as err:
        run_stack("byoc-ecs", {"byocExternalId": "plain-text-id"})
    assert "set it with `pulumi config set --secret byocExternalId" in str(err.value)
    assert "plain-text-id" not in str(err.value)


@pytest.mark.parametrize("arn", ["arn:aws:iam::64017462219:role/x", "arn:aws:iam::640174622193:user/x", "role/x"])
def test_malformed_principal_arn_is_a_config_error(arn: str):
    with pytest.raises(ConfigError) as err:
        run_stack("byoc-ecs", {"byoc": {"contract": "ecs", "trustedPrincipalArn": arn}})
    (issue,) = err.value.issues
    assert issue.key == "byoc.trustedPrincipalArn" and issue.value == arn
    assert "arn:aws:iam::123456789012:role/name" in issue.allowed


def test_network_ids_in_outputs_match_the_subnets(byoc_run: ProgramRun):
    ids = by_id(byoc_run)
    for subnet_id in byoc_run.outputs["publicSubnetIds"]:
        assert ids[subnet_id].inputs["tags"]["langgraph-cloud-private"] == "0"
