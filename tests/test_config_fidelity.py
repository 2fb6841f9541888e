"""The preview refuses what AWS would refuse, accepts what people write, and names the key to change.

Each mistake is refused with the key named (and what is allowed); its corrected or reasonable form
is accepted, and where it changes what is built, previewed.
"""

from __future__ import annotations

import io
import json
import runpy
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pulumi
import pytest

from settings import ConfigError, parse_config
from settings import catalogue
from settings.identity import parse_timestamp
from settings.loader import creator_conflicts, deploy_checks
from settings.hybrid import RESERVED_NAMESPACES
from settings.postgres import postgres_versions
from settings.redis import REDIS_DEFAULT_VERSIONS, redis_versions
from settings.placeholders import find_placeholders, reaches_aws
from settings.profiles import PROFILE_DEFAULTS
from tests.conftest import PROJECT, key, run_stack, stack_values
from tools import preview
from tools.engine.harness import PROJECT_ROOT
from tools.engine.harness import run_program as harness_run
from tools.engine.mocks import ACCOUNT_ID, DEPLOYER_ROLE_ARN, DEPLOYER_SESSION_ARN, go_time_string, rfc3339

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
POPULAR_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1",
                   "ap-northeast-1")


def stack(name: str, overrides: dict[str, Any] | None = None, drop: tuple[str, ...] = ()) -> dict[str, str]:
    values, _ = stack_values(name)
    for k in drop:
        values.pop(k if ":" in k else key(k), None)
    for k, v in (overrides or {}).items():
        values[k if ":" in k else key(k)] = v if isinstance(v, str) else json.dumps(v)
    return values


def parse(name: str, overrides: dict[str, Any] | None = None, drop: tuple[str, ...] = ()):
    _, secrets = stack_values(name)
    return parse_config(stack(name, overrides, drop), project=PROJECT, stack=name, secret_keys=secrets)


def issues(name: str, overrides: dict[str, Any] | None = None, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """{key: what is allowed} of the ConfigError the overrides cause."""
    with pytest.raises(ConfigError) as err:
        parse(name, overrides, drop)
    return {i.key: i.allowed for i in err.value.issues}


def with_merged(name: str, top: str, **values: Any) -> dict[str, Any]:
    current, _ = stack_values(name)
    merged = json.loads(current.get(key(top), "{}"))
    merged.update(values)
    return {top: merged}


# -- #14.1 real catalogues ---------------------------------------------------------------------

def test_an_ec2_type_that_does_not_exist_is_refused_with_the_nearest():
    found = issues("prod", with_merged("prod", "cluster", generalPool={
        "instanceTypes": ["m6i.3xlarge"], "capacityType": "ON_DEMAND", "minSize": 3, "desiredSize": 3, "maxSize": 6}))
    message = found["cluster.generalPool.instanceTypes[0]"]
    assert "not an EC2 instance type" in message and "m6i.xlarge" in message


def test_the_ec2_catalogue_is_botocores():
    import botocore.loaders
    model = botocore.loaders.create_loader().load_service_model("ec2", "service-2")
    assert catalogue.ec2_instance_types() == set(model["shapes"]["InstanceType"]["enum"])
    assert {"m6i.2xlarge", "m7g.xlarge", "t3.medium"} <= catalogue.ec2_instance_types()
    assert "m6i.3xlarge" not in catalogue.ec2_instance_types()


def test_a_pool_cannot_mix_graviton_and_x86_types():
    pool = {"instanceTypes": ["m6i.2xlarge", "m7g.2xlarge"], "capacityType": "ON_DEMAND", "minSize": 3,
            "desiredSize": 3, "maxSize": 6}
    found = issues("prod", with_merged("prod", "cluster", generalPool=pool))
    assert "one CPU architecture" in found["cluster.generalPool.instanceTypes"]
    # One architecture per pool, matching cluster.architecture (hybrid: every image it runs is on arm64).
    graviton = {**pool, "instanceTypes": ["m7g.2xlarge", "m6g.2xlarge"]}
    hybrid = parse("hybrid", with_merged("hybrid", "cluster", generalPool=graviton, architecture="arm64"))
    assert hybrid.cluster.general_pool.instance_types[0] == "m7g.2xlarge"
    assert [catalogue.architecture(t) for t in ("t4g.medium", "c7gn.large", "a1.large", "g5.xlarge", "m6i.large")] == [
        "arm64", "arm64", "arm64", "x86_64", "x86_64"]


def test_a_misspelled_region_is_refused_and_a_real_one_accepted():
    assert "nearest valid: eu-west-1" in issues("prod", {"aws:region": "eu-wset-1"})["aws:region"]
    assert parse("prod", {"aws:region": "eu-west-1"}).region == "eu-west-1"


def test_rds_and_elasticache_types_come_from_the_published_catalogue():
    found = issues("prod", {"postgres": {"instanceClass": "db.m7g.larg"}, "redis": {"nodeType": "cache.m7.large"}})
    assert "nearest valid: db.m7g.large" in found["postgres.instanceClass"]
    assert "not an ElastiCache node type" in found["redis.nodeType"] and "cache.m7g.large" in found["redis.nodeType"]
    assert parse("prod", {"postgres": {"instanceClass": "db.r7g.large"}}).postgres.instance_class == "db.r7g.large"


def test_a_class_rds_no_longer_offers_for_the_postgres_major_is_refused():
    """db.m4.large still exists in us-east-1's list, but not for PostgreSQL 16 (previous generation)."""
    assert "db.m4.large" in catalogue.rds_postgres_classes("us-east-1")
    found = issues("prod", {"postgres": {"instanceClass": "db.m4.large", "engineVersion": "16"}})
    assert "not offered with PostgreSQL 16 (postgres.engineVersion)" in found["postgres.instanceClass"]
    assert parse("prod", {"postgres": {"instanceClass": "db.m7g.large", "engineVersion": "17"}}).postgres.engine_version == "17"


def test_a_class_not_offered_in_the_region_names_the_region():
    """A class that exists, but not in the chosen region (the per-region data of the catalogue)."""
    everywhere = catalogue.rds_postgres_classes("us-east-1")
    region, missing = next((r, sorted(everywhere - catalogue.rds_postgres_classes(r)))
                           for r in sorted(catalogue.catalogued_regions())
                           if r in catalogue.regions() and everywhere - catalogue.rds_postgres_classes(r))
    found = issues("prod", {"aws:region": region, "postgres": {"instanceClass": missing[0]}})
    assert f"not offered for PostgreSQL in {region}" in found["postgres.instanceClass"]


@pytest.mark.parametrize("profile", sorted(PROFILE_DEFAULTS))
def test_every_profile_default_is_offered_in_the_popular_regions(profile: str):
    defaults = PROFILE_DEFAULTS[profile]
    for region in POPULAR_REGIONS:
        assert defaults["postgres"]["instanceClass"] in catalogue.rds_postgres_classes(region), region
        assert defaults["redis"]["nodeType"] in catalogue.elasticache_node_types(region), region
        for pool in defaults["cluster"].values():
            assert set(pool["instanceTypes"]) <= catalogue.ec2_instance_types()


def test_the_catalogue_file_says_where_it_comes_from():
    data = json.loads(catalogue.CATALOGUE_PATH.read_text())
    assert data["source"].startswith("cfn-lint ") and data["generated"][:2] == "20"
    assert set(POPULAR_REGIONS) <= set(data["rdsPostgresInstanceClasses"]) <= catalogue.regions()


# -- #14.3 every key known ---------------------------------------------------------------------

def test_a_misspelled_project_namespace_is_an_error_with_the_right_key():
    found = issues("prod", {"langsmith_aws:edge": {"internal": True}})
    assert "did you mean 'langsmith-aws:edge'?" in found["langsmith_aws:edge"]


def test_provider_namespaces_are_left_to_their_providers():
    assert parse("prod", {"aws:profile": "ops", "kubernetes:enableServerSideApply": "true"}).region == "us-east-1"
    assert "did you mean 'aws:region'?" in issues("prod", {"awz:region": "us-east-1"})["awz:region"]
    # aws: keys are the ones the pinned provider reads
    assert "did you mean 'aws:region'?" in issues("prod", {"aws:regoin": "us-east-1"})["aws:regoin"]
    assert parse("prod", {"aws:defaultTags": {"tags": {"team": "ml"}}, "aws:skipMetadataApiCheck": "false"})


def test_keys_of_another_shape_are_reported():
    found = issues("prod", {"hybrid": {"controlPlane": "eu"}, "byocExternalId": "x"})
    assert "only applies to shape hybrid" in found["hybrid"] and "only applies to shape byoc" in found["byocExternalId"]
    # the profile's own defaults (langsmith components, redis...) never count as set by the user
    parse("hybrid")
    parse("byoc")
    parse("byoc-ecs")


def test_nested_keys_the_chosen_options_ignore_are_reported():
    existing = {"vpcId": "vpc-0123456789abcdef0",
                "publicSubnetIds": ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"],
                "privateSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}
    found = issues("prod", {"network": {"cidr": "10.40.0.0/16", "existing": existing},
                            "clickhouse": {"externalHost": "ch.corp.internal"}})
    assert "ignored with network.existing" in found["network.cidr"]
    assert "clickhouse.mode: external" in found["clickhouse.externalHost"]
    assert parse("prod", {"network": {"existing": existing}}).network.existing is not None


def test_json_strings_are_checked_as_json():
    found = issues("byoc-ecs", with_merged("byoc-ecs", "byoc", langsmithRunsEndpoints="{not json"))
    assert "must be a JSON object" in found["byoc.langsmithRunsEndpoints"]
    bad_url = issues("byoc-ecs", with_merged("byoc-ecs", "byoc", langsmithRunsEndpoints='{"langsmith/api": "key"}'))
    assert "absolute http(s) URL" in bad_url["byoc.langsmithRunsEndpoints"]
    as_yaml = parse("byoc-ecs", with_merged("byoc-ecs", "byoc", langsmithRunsEndpoints={"https://ls.corp.internal/api/v1": "ls-key"}))
    assert json.loads(as_yaml.byoc.langsmith_runs_endpoints or "") == {"https://ls.corp.internal/api/v1": "ls-key"}


def test_urls_are_checked_as_urls():
    found = issues("hybrid", with_merged("hybrid", "hybrid", controlPlane="self-hosted", hostBackendUrl="https://",
                                         smithBackendUrl="https://ls.corp.internal/api/v1"))
    assert "absolute http(s) URL" in found["hybrid.hostBackendUrl"]


def test_hosts_and_issuer_urls_are_checked_as_such():
    found = issues("prod", {"clickhouse": {"mode": "external", "externalHost": "https://ch.corp.internal:8443"},
                            "clickhouseExternalPassword": "x"} | with_merged(
        "prod", "langsmith", oidc={"clientId": "langsmith", "issuerUrl": "http://login.corp.io"}))
    assert "without scheme or port" in found["clickhouse.externalHost"]
    assert "must be an https URL" in found["langsmith.oidc.issuerUrl"]


@pytest.mark.parametrize("namespace", ["kube-system", "default", "kube-node-lease", "langsmith", "keda", "kube-x"])
def test_namespaces_kubernetes_or_the_controllers_own_cannot_run_agents(namespace: str):
    current, _ = stack_values("hybrid")
    hybrid = json.loads(current[key("hybrid")])
    hybrid["listeners"][1]["namespaces"] = [namespace]
    found = issues("hybrid", {"hybrid": hybrid})
    assert "namespace Kubernetes or the stack's controllers own" in found["hybrid.listeners[1].namespaces[0]"]


def test_the_reserved_namespaces_are_the_ones_the_components_use():
    from components import cluster_addons, gateway
    from shapes import self_hosted
    assert {cluster_addons.KEDA_NAMESPACE, cluster_addons.ESO_SERVICE_ACCOUNT[0], cluster_addons.LBC_SERVICE_ACCOUNT[0],
            gateway.GATEWAY_NAMESPACE, gateway.ENVOY_SYSTEM_NAMESPACE, self_hosted.LANGSMITH_NAMESPACE} <= RESERVED_NAMESPACES


def test_a_kubernetes_name_that_is_not_dns_1123_is_refused():
    current, _ = stack_values("hybrid")
    hybrid = json.loads(current[key("hybrid")])
    hybrid["listeners"][1]["namespaces"] = ["Research_Team"]
    assert "hybrid.listeners[1].namespaces[0]" in issues("hybrid", {"hybrid": hybrid})


# -- #14.4 values as people write them -----------------------------------------------------------

def test_numbers_where_strings_are_expected_are_read_as_written():
    s = parse("dev", {"postgres": {"engineVersion": 16}, "clickhouse": {"cpu": 2, "memory": "8Gi"},
                      "redis": {"engine": "valkey", "engineVersion": 8.0}})
    assert (s.postgres.engine_version, s.clickhouse.cpu, s.redis.engine_version) == ("16", "2", "8.0")


def run_preview(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = preview.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("text, where, problem", [
    ("config:\n  aws:region: us-east-1\n  langsmith-aws:shape: [self-hosted\n", ":4:", "not valid YAML"),
    ("config:\n  aws:region: us-east-1\n    bad: indent\n", ":3:", "not valid YAML"),
    ("- aws:region\n- us-east-1\n", ":1:", "must be a mapping"),
    ("config: [a, b]\n", "", "'config' must be a mapping"),
])
def test_a_stack_file_that_is_not_yaml_or_not_a_mapping_exits_2_naming_file_and_line(
        tmp_path: Path, text: str, where: str, problem: str):
    path = tmp_path / "Pulumi.broken.yaml"
    path.write_text(text)
    code, _, err = run_preview("--config-file", str(path), "--quiet")
    assert code == preview.EXIT_CONFIG and "Traceback" not in err
    assert f"{path}{where}" in err and problem in err


def test_a_number_yaml_reshapes_is_pointed_out(tmp_path: Path):
    """`engineVersion: 7.10` reaches the program as 7.1 (the CLI converts YAML to JSON): say so, with the line."""
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text((PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text() + "  langsmith-aws:postgres:\n"
                    "    engineVersion: 16\n  langsmith-aws:redis:\n    engine: valkey\n    engineVersion: 7.10\n")
    code, _, err = run_preview("--config-file", str(path), "--quiet")
    assert code == preview.EXIT_CONFIG and "redis.engineVersion = '7.1'" in err  # what the program saw
    lines = [line for line in err.splitlines() if "is read as the number" in line]
    assert lines == [f"warning: {path}:{len(path.read_text().splitlines())}: 7.10 is read as the number 7.1; "
                     "quote it if you meant the text (versions such as '7.10')"]


def test_a_mistyped_stack_name_lists_the_stacks_that_exist():
    code, _, err = run_preview("--stack", "prdo", "--quiet")
    assert code == preview.EXIT_CONFIG
    assert "did you mean 'prod'?" in err and "byoc, byoc-ecs, dev, hybrid, prod" in err


def test_bin_preview_help_prints_usage():
    done = subprocess.run(["bash", str(PROJECT_ROOT / "bin" / "preview"), "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "--config-file" in done.stdout and "error" not in done.stderr


# -- #14.5 rules that match the shape ----------------------------------------------------------

EXISTING_PRIVATE_ONLY = {"vpcId": "vpc-0123456789abcdef0",
                         "privateSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}


def test_an_internet_facing_alb_still_needs_public_subnets():
    found = issues("prod", {"network": {"existing": EXISTING_PRIVATE_ONLY}})
    assert "edge.internal: true" in found["network.existing.publicSubnetIds"]


def test_an_internal_alb_in_an_existing_vpc_without_public_subnets_previews():
    run = run_stack("prod", {"network": {"existing": EXISTING_PRIVATE_ONLY},
                             "edge": {"internal": True, "allowedCidrs": ["10.0.0.0/8"]}})
    alb = run.one(LOAD_BALANCER).inputs
    assert alb["internal"] is True and alb["subnets"] == EXISTING_PRIVATE_ONLY["privateSubnetIds"]


def test_a_default_the_user_did_not_set_is_never_blamed():
    """The profile's clickhouse.cpu does not fit the pool the user chose: the user's key is named."""
    found = issues("prod", with_merged("prod", "cluster", clickhousePool={"instanceTypes": ["m6i.large"],
                                                                          "capacityType": "ON_DEMAND", "minSize": 1,
                                                                          "desiredSize": 1, "maxSize": 1}))
    assert "clickhouse.cpu" not in found
    message = found["cluster.clickhousePool"] if "cluster.clickhousePool" in found else found[
        "cluster.clickhousePool.instanceTypes"]
    assert "profile's default clickhouse.cpu" in message and "change cluster.clickhousePool.instanceTypes" in message


def test_a_value_the_user_set_is_still_named_itself():
    found = issues("prod", {"clickhouse": {"cpu": "64", "memory": "24Gi"}})
    assert "clickhouse asks 64 vCPU" in found["clickhouse.cpu"]


# -- #14.8 placeholders cannot reach AWS -------------------------------------------------------

def test_the_preview_warns_about_each_placeholder():
    code, _, err = run_preview("--stack", "prod", "--quiet")
    assert code == preview.EXIT_OK
    warned = {line.split(" = ")[0].removeprefix("warning: ") for line in err.splitlines() if line.startswith("warning:")}
    assert {key("langsmith.domain"), key("langsmith.hostedZoneId"), key("langsmith.oidc.issuerUrl"),
            key("licenseKey"), key("oidcClientSecret")} <= warned


def refused_before_any_resource(values: dict[str, str], stack_name: str, secrets: frozenset[str],
                                **kwargs: Any) -> ConfigError:
    """Run the program, catch its ConfigError, and check that nothing was registered before it."""
    caught: list[ConfigError] = []

    def program() -> None:
        try:
            runpy.run_path(str(PROJECT_ROOT / "__main__.py"), run_name="__main__")
        except ConfigError as exc:
            caught.append(exc)

    run = harness_run(values, stack=stack_name, secret_keys=secrets, program=program, **kwargs)
    assert len(caught) == 1 and run.registrations == []
    return caught[0]


def test_a_real_deploy_refuses_placeholders_before_any_resource():
    values, secrets = stack_values("dev")
    error = refused_before_any_resource(values, "dev", secrets, as_real_deploy=True)
    refused = {i.key for i in error.issues}
    assert {key("langsmith.domain"), key("langsmith.hostedZoneId"), key("cluster.publicAccessCidrs[0]"),
            key("licenseKey")} <= refused
    assert "offline-preview" not in str(error)  # a secret's value is never shown


def test_a_pulumi_preview_only_warns_about_placeholders():
    values, secrets = stack_values("dev")
    settings = parse_config(values, project=PROJECT, stack="dev", secret_keys=secrets)
    assert not reaches_aws(dry_run=True) and reaches_aws(dry_run=False)
    assert deploy_checks(settings, values, secrets, caller_arn=DEPLOYER_SESSION_ARN, reaches_aws=False) == []


def test_real_values_pass_the_deploy_checks():
    values, secrets = stack_values("dev")
    real = {**values, key("langsmith"): json.dumps({"domain": "langsmith.corp.io", "hostedZoneId": "Z04419472ABCDEFGHIJK",
                                                     "auth": "basic", "adminEmail": "ops@corp.io"}),
            key("cluster"): json.dumps({"publicAccessCidrs": ["198.18.0.0/24"]}),
            key("licenseKey"): "lic-real-0000"}
    settings = parse_config(real, project=PROJECT, stack="dev", secret_keys=secrets)
    assert find_placeholders(real, secrets) == []
    assert deploy_checks(settings, real, secrets, caller_arn=DEPLOYER_SESSION_ARN, reaches_aws=True) == []


# -- #13.2 the cluster creator listed again ----------------------------------------------------

@pytest.mark.parametrize("listed", [DEPLOYER_ROLE_ARN, "arn:aws:iam::123456789012:role/LangSmithDeployer"])
def test_the_deploying_role_cannot_also_be_listed_as_admin(listed: str):
    """The mocks answer like STS for an assumed role: the session ARN has no path; the role is matched."""
    _, secrets = stack_values("prod")
    values = stack("prod", with_merged("prod", "cluster", adminRoleArns=["arn:aws:iam::123456789012:role/platform", listed]))
    error = refused_before_any_resource(values, "prod", secrets)
    assert [i.key for i in error.issues] == ["cluster.adminRoleArns[1]"]
    assert "pulumi/pulumi-eks#2373" in str(error)


def test_other_roles_and_accounts_are_not_the_creator():
    settings = parse("prod", with_merged("prod", "cluster", adminRoleArns=[
        "arn:aws:iam::123456789012:role/LangSmithDeployers", "arn:aws:iam::210987654321:role/LangSmithDeployer"]))
    assert creator_conflicts(settings, DEPLOYER_SESSION_ARN) == []
    assert creator_conflicts(settings, "arn:aws:iam::123456789012:user/alice") == []


CLUSTER_MADE = datetime(2026, 11, 2, 9, 0, 0, 123000, tzinfo=timezone.utc)


def _existing_cluster_answers(monkeypatch: pytest.MonkeyPatch, deployer_entry_made: datetime | None,
                              **mocks: Any) -> None:
    """The mocks answer the program's EKS invokes as the provider does (the cluster's createdAt as Go's
    time.Time.String(), the entry's as RFC 3339) for a prod cluster created at 09:00 whose deployer
    role's access entry was made at `deployer_entry_made` (None: it has none)."""
    from tools.engine.mocks import AwsMocks

    monkeypatch.setattr(AwsMocks, "eks_clusters", {"ls-prod-eks": CLUSTER_MADE, "other": CLUSTER_MADE})
    entries = {} if deployer_entry_made is None else {("ls-prod-eks", DEPLOYER_ROLE_ARN): deployer_entry_made}
    monkeypatch.setattr(AwsMocks, "access_entries", entries)
    for name, value in mocks.items():
        monkeypatch.setattr(AwsMocks, name, value)


def _answer_instead(monkeypatch: pytest.MonkeyPatch, token: str, answer: Any) -> None:
    from tools.engine.mocks import AwsMocks

    call = AwsMocks.call
    monkeypatch.setattr(AwsMocks, "call", lambda self, args: answer if args.token == token else call(self, args))


def _warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *_, **__: warned.append(str(message)))
    return warned


def _load_settings_under_mocks(values: dict[str, str], secrets: frozenset[str]) -> list[Any]:
    from settings import load_settings

    loaded: list[Any] = []
    harness_run(values, stack="prod", secret_keys=secrets, program=lambda: loaded.append(load_settings()))
    return loaded


def test_the_mocks_spell_dates_as_the_provider_does():
    """hashicorp/terraform-provider-aws internal/service/eks: cluster_data_source.go sets created_at
    with Go's time.Time.String(), access_entry_datasource.go with time.RFC3339."""
    assert go_time_string(CLUSTER_MADE) == "2026-11-02 09:00:00.123 +0000 UTC"
    assert go_time_string(CLUSTER_MADE.replace(microsecond=0)) == "2026-11-02 09:00:00 +0000 UTC"
    assert rfc3339(CLUSTER_MADE) == "2026-11-02T09:00:00Z"


@pytest.mark.parametrize("text, expected", [
    ("2026-11-02 09:00:00.123 +0000 UTC", datetime(2026, 11, 2, 9, 0, 0, 123000, tzinfo=timezone.utc)),
    ("2026-11-02 09:00:00 +0000 UTC", datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)),
    ("2026-11-02 10:00:00.123456789 +0100 CET", datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=timezone.utc)),
    ("2026-11-02T09:00:00Z", datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)),
    ("2026-11-02T09:00:00+00:00", datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)),
    (datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)),  # boto3 gives aware ones
    ("1700000000", None), ("2026-11-02T09:00:00", None), ("", None), (None, None),
])
def test_aws_dates_are_read_aware_in_both_provider_spellings(text: Any, expected: datetime | None):
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None  # comparable with each other


def test_on_an_existing_cluster_a_listed_deployer_that_did_not_create_it_is_accepted(monkeypatch: pytest.MonkeyPatch):
    """The in-VPC runner's role, listed as admin and given its entry by an earlier deploy (11 minutes
    after the cluster), deploys: the program refused it before, though EKS would not."""
    _, secrets = stack_values("prod")
    values = stack("prod", with_merged("prod", "cluster", adminRoleArns=[DEPLOYER_ROLE_ARN]))
    _existing_cluster_answers(monkeypatch, deployer_entry_made=CLUSTER_MADE + timedelta(minutes=11))
    warned = _warnings(monkeypatch)
    assert len(_load_settings_under_mocks(values, secrets)) == 1
    assert [w for w in warned if "adminRoleArns" in w] == []


def test_on_an_existing_cluster_its_listed_creator_is_refused(monkeypatch: pytest.MonkeyPatch):
    _, secrets = stack_values("prod")
    values = stack("prod", with_merged("prod", "cluster", adminRoleArns=[DEPLOYER_ROLE_ARN]))
    _existing_cluster_answers(monkeypatch, deployer_entry_made=CLUSTER_MADE + timedelta(seconds=1))
    error = refused_before_any_resource(values, "prod", secrets)
    assert [i.key for i in error.issues] == ["cluster.adminRoleArns[0]"]
    assert "created cluster ls-prod-eks" in str(error) and "ResourceInUseException" in str(error)


def test_an_sso_role_listed_without_its_path_is_refused_before_anything_is_created():
    """EKS refuses an access entry for an IAM Identity Center role's path-less ARN (InvalidParameterException,
    terraform-aws-modules/terraform-aws-eks#2969), and the session ARN a user copies carries no path."""
    name = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    found = issues("prod", with_merged("prod", "cluster", adminRoleArns=[f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"]))
    assert "role/aws-reserved/sso.amazonaws.com/REGION/" + name in found["cluster.adminRoleArns[0]"]
    assert f"aws iam get-role --role-name {name}" in found["cluster.adminRoleArns[0]"]
    full = f"arn:aws:iam::{ACCOUNT_ID}:role/aws-reserved/sso.amazonaws.com/eu-west-1/{name}"
    parse("prod", with_merged("prod", "cluster", adminRoleArns=[full]))  # with its path: accepted


def test_an_sso_role_listed_with_its_path_is_found_as_the_creator(monkeypatch: pytest.MonkeyPatch):
    """The entry is under the role's full ARN (/aws-reserved/sso.amazonaws.com/REGION/), as listed: the
    program finds the entry made with the cluster and refuses the listing."""
    name = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    full = f"arn:aws:iam::{ACCOUNT_ID}:role/aws-reserved/sso.amazonaws.com/eu-west-1/{name}"
    _, secrets = stack_values("prod")
    values = stack("prod", with_merged("prod", "cluster", adminRoleArns=[full]))
    _existing_cluster_answers(monkeypatch, deployer_entry_made=None, iam_roles={name: full},
                              access_entries={("ls-prod-eks", full): CLUSTER_MADE + timedelta(seconds=20)})
    error = refused_before_any_resource(values, "prod", secrets)
    assert [(i.key, i.value) for i in error.issues] == [("cluster.adminRoleArns[0]", full)]
    assert "created cluster ls-prod-eks" in str(error)


def test_a_cluster_date_that_cannot_be_read_skips_the_check_with_a_warning(monkeypatch: pytest.MonkeyPatch):
    """Before, an unreadable createdAt counted as "not created yet": the listed runner was refused as the
    creator. Now the check is skipped, and the warning says what could not be read."""
    _, secrets = stack_values("prod")
    values = stack("prod", with_merged("prod", "cluster", adminRoleArns=[DEPLOYER_ROLE_ARN]))
    _existing_cluster_answers(monkeypatch, deployer_entry_made=CLUSTER_MADE + timedelta(seconds=1))
    _answer_instead(monkeypatch, "aws:eks/getCluster:getCluster",
                    ({"name": "ls-prod-eks", "createdAt": "1700000000", "id": "ls-prod-eks"}, []))
    warned = _warnings(monkeypatch)
    assert len(_load_settings_under_mocks(values, secrets)) == 1
    assert any("cluster ls-prod-eks exists" in w and "'1700000000'" in w and "could not be read" in w
               for w in warned), warned


def test_an_access_entry_read_that_is_refused_is_not_taken_for_no_entry(monkeypatch: pytest.MonkeyPatch):
    """AccessDenied on DescribeAccessEntry is said (the call and the principal), not swallowed as "no entry"."""
    _, secrets = stack_values("prod")
    values = stack("prod", with_merged("prod", "cluster", adminRoleArns=[DEPLOYER_ROLE_ARN]))
    _existing_cluster_answers(monkeypatch, deployer_entry_made=CLUSTER_MADE)
    _answer_instead(monkeypatch, "aws:eks/getAccessEntry:getAccessEntry", ({}, [(
        "", "reading EKS Access Entry (ls-prod-eks): operation error EKS: DescribeAccessEntry, https response "
            "error StatusCode: 403, api error AccessDeniedException: not authorized")]))
    warned = _warnings(monkeypatch)
    assert len(_load_settings_under_mocks(values, secrets)) == 1
    assert any("eks:DescribeAccessEntry" in w and DEPLOYER_ROLE_ARN in w and "AccessDeniedException" in w
               for w in warned), warned


# -- #13.7 engine and version pairs ------------------------------------------------------------

def test_each_engine_gets_a_version_it_has():
    for engine, version in REDIS_DEFAULT_VERSIONS.items():
        assert version in catalogue.elasticache_engine_versions(engine), engine
    assert parse("prod", {"redis": {"engine": "valkey"}}).redis.engine_version == "8.1"
    assert parse("prod").redis.engine_version == "7.1"


def test_a_valkey_stack_previews_with_a_valkey_version():
    run = run_stack("prod", {"redis": {"engine": "valkey"}})
    group = run.one(REPLICATION_GROUP).inputs
    assert (group["engine"], group["engineVersion"]) == ("valkey", "8.1")


@pytest.mark.parametrize("engine, version", [("valkey", "7.1"), ("redis", "8.0"), ("redis", "6.2")])
def test_an_engine_version_the_engine_lacks_is_refused(engine: str, version: str):
    found = issues("prod", {"redis": {"engine": engine, "engineVersion": version}})
    assert f"not a version of engine '{engine}'" in found["redis.engineVersion"]
    assert ", ".join(redis_versions(engine)) in found["redis.engineVersion"]


def test_postgres_versions_are_the_ones_rds_offers_from_14():
    assert postgres_versions()[0] == "14" and "16" in postgres_versions()
    assert "must be a PostgreSQL major version" in issues("prod", {"postgres": {"engineVersion": "13"}})[
        "postgres.engineVersion"]


def test_any_recorded_instance_size_is_sized_from_the_node_table_not_a_naming_rule():
    # t3a and c7i were refused by the old m/r/c naming rule; their sizes come from the node table.
    pool = {"instanceTypes": ["t3a.2xlarge"], "capacityType": "SPOT", "minSize": 2, "desiredSize": 2, "maxSize": 4}
    assert parse("dev", with_merged("dev", "cluster", generalPool=pool)).cluster.general_pool.instance_types == [
        "t3a.2xlarge"]
    # An EC2 type the node table does not record cannot be sized: named, with where sizes come from.
    pool = {**pool, "instanceTypes": ["x2iedn.xlarge"]}
    assert "no recorded size" in issues("dev", with_merged("dev", "cluster", generalPool=pool))[
        "cluster.generalPool.instanceTypes"]
