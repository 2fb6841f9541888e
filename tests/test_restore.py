"""Restore as configuration: the right snapshot reaches the right resource, and nothing else changes."""

from __future__ import annotations

import json
from typing import Any

import kubernetes_validate
import pytest

from components.clickhouse_restore import CLICKHOUSE_DATA_CLAIM, RESTORED_VOLUME_NAME, ZONE_LABEL
from components.cluster import CLICKHOUSE_BACKUP_TAG, CLICKHOUSE_STORAGE_CLASS
from components.langsmith_values import RELEASE_NAME
from components.versions import KUBERNETES_VERSION, LANGSMITH, LANGSMITH_SUPPORTED_VERSIONS
from settings import ConfigError, parse_config
from tests.conftest import PROJECT, by_id, key, run_stack
from tools.engine.harness import ProgramRun, Registration

RDS = "aws:rds/instance:Instance"
VOLUME = "aws:ebs/volume:Volume"
PV = "kubernetes:core/v1:PersistentVolume"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
RELEASE = "kubernetes:helm.sh/v3:Release"
SNAPSHOT_COPY = "aws:rds/snapshotCopy:SnapshotCopy"

POSTGRES_SNAPSHOT = "arn:aws:rds:us-east-1:123456789012:snapshot:rds:ls-prod-postgres-2026-11-30-03-05"
CLICKHOUSE_SNAPSHOT = "arn:aws:ec2:us-east-1::snapshot/snap-0fedcba9876543210"
RESTORE = {"postgresSnapshot": POSTGRES_SNAPSHOT, "clickhouseSnapshot": CLICKHOUSE_SNAPSHOT}
# The old stack's generated secrets the restored database depends on (docs/restore.md).
OLD_SECRETS = {"apiKeySalt": "old-salt-0000", "jwtSecret": "old-jwt-0000"}

BASE = {key("shape"): "self-hosted", key("profile"): "production", "aws:region": "us-east-1",
        key("licenseKey"): "lic-0000",
        key("cluster"): json.dumps({"deployerInsideVpc": True}),  # the API is reachable (not under test)
        key("langsmith"): json.dumps({"domain": "ls.example.com", "hostedZoneId": "Z0123456789ABC",
                                      "auth": "basic", "adminEmail": "admin@example.com"})}


def parse(overrides: dict[str, Any]):
    values = {**BASE}
    restore = overrides.get("restore")
    if isinstance(restore, dict) and "postgresSnapshot" in restore and "restoreSecrets" not in overrides:
        values[key("restoreSecrets")] = json.dumps(OLD_SECRETS)
    for name, value in overrides.items():
        values[name if ":" in name else key(name)] = value if isinstance(value, str) else json.dumps(value)
    secrets = {key("licenseKey"), key("postgresExternalUri"), key("clickhouseExternalPassword"),
               key("hybridApiKeys"), key("restoreSecrets")}
    return parse_config(values, project=PROJECT, stack="prod", secret_keys=secrets)


def problems(overrides: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse(overrides)
    return {issue.key: issue.allowed for issue in info.value.issues}


@pytest.fixture(scope="module")
def restored_run() -> ProgramRun:
    return run_stack("prod", {"restore": RESTORE, "restoreSecrets": OLD_SECRETS}, secret=("restoreSecrets",))


# -- config -------------------------------------------------------------------------------------

@pytest.mark.parametrize("snapshot", [
    "ls-prod-postgres-final",                                   # manual (our final snapshot's name)
    "rds:ls-prod-postgres-2026-11-30-03-05",                    # automated
    "awsbackup:job-0f9e8d7c-6b5a-4f3e-9d2c-1b0a9e8d7c6b",       # AWS Backup recovery point
    "arn:aws:rds:us-east-1:123456789012:snapshot:ls-prod-postgres-final",  # shared from another account
    POSTGRES_SNAPSHOT,
])
def test_postgres_snapshot_forms_rds_accepts(snapshot: str):
    assert parse({"restore": {"postgresSnapshot": snapshot}}).restore.postgres_snapshot == snapshot


@pytest.mark.parametrize("snapshot, says", [
    ("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:ls-aurora", "Aurora cluster snapshot"),
    ("9-starts-with-a-digit", "RDS DB snapshot identifier"),
    ("two--hyphens", "RDS DB snapshot identifier"),
    ("ends-with-hyphen-", "RDS DB snapshot identifier"),
    ("arn:aws:rds:us-east-1:123456789012:db:ls-prod-postgres", "RDS DB snapshot ARN"),  # an instance, not a snapshot
])
def test_postgres_snapshot_that_rds_would_refuse_is_a_config_error(snapshot: str, says: str):
    assert says in problems({"restore": {"postgresSnapshot": snapshot}})["restore.postgresSnapshot"]


@pytest.mark.parametrize("snapshot, snapshot_id", [
    ("snap-0123abcd", "snap-0123abcd"),
    ("snap-0123456789abcdef0", "snap-0123456789abcdef0"),
    ("arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0", "snap-0123456789abcdef0"),
    ("arn:aws:ec2:eu-west-1:123456789012:snapshot/snap-0123456789abcdef0", "snap-0123456789abcdef0"),
])
def test_clickhouse_snapshot_id_is_taken_from_either_form(snapshot: str, snapshot_id: str):
    restore = parse({"aws:region": "eu-west-1", "restore": {"clickhouseSnapshot": snapshot}}).restore
    assert restore.clickhouse_snapshot_id == snapshot_id


@pytest.mark.parametrize("snapshot, says", [
    ("vol-0123456789abcdef0", "EBS snapshot ID"),
    ("snap-0123456789ABCDEF0", "EBS snapshot ID"),  # EC2 IDs are lower-case hex
    ("snap-012345678", "EBS snapshot ID"),          # 8 or 17 hex digits only
    ("arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435D-A80B-108B488B0D45",
     "restore it to an EBS snapshot first"),
])
def test_clickhouse_snapshot_that_ec2_would_refuse_is_a_config_error(snapshot: str, says: str):
    assert says in problems({"restore": {"clickhouseSnapshot": snapshot}})["restore.clickhouseSnapshot"]


def test_restore_needs_the_data_store_it_restores():
    found = problems({
        "postgres": {"external": True},
        key("postgresExternalUri"): "u:p@db.internal:5432/langsmith?sslmode=require",
        "clickhouse": {"mode": "external", "externalHost": "ch.internal"},
        key("clickhouseExternalPassword"): "pw",
        "restore": RESTORE,
    })
    assert "postgres.external" in found["restore.postgresSnapshot"]
    assert "clickhouse.mode: in-cluster" in found["restore.clickhouseSnapshot"]


def test_restore_in_a_stack_without_data_stores_is_refused():
    with pytest.raises(ConfigError) as info:
        parse_config({key("shape"): "byoc", key("profile"): "dev", "aws:region": "us-east-1",
                      key("byocExternalId"): "ext-id-0000", key("restore"): json.dumps(RESTORE)},
                     project=PROJECT, stack="byoc", secret_keys={key("byocExternalId")})
    keys = {issue.key: issue.allowed for issue in info.value.issues}
    assert "only a self-hosted stack" in keys["restore.postgresSnapshot"]
    assert "only a self-hosted stack" in keys["restore.clickhouseSnapshot"]


def test_a_snapshot_from_another_region_is_refused_with_the_copy_command():
    found = problems({"aws:region": "eu-west-1", "restore": RESTORE})
    assert "us-east-1" in found["restore.postgresSnapshot"]
    assert "aws rds copy-db-snapshot" in found["restore.postgresSnapshot"]
    assert "aws ec2 copy-snapshot" in found["restore.clickhouseSnapshot"]


# -- the plan with and without restore ----------------------------------------------------------

def _by_urn(run: ProgramRun) -> dict[str, Registration]:
    return {r.urn: r for r in run.registrations}


def test_restore_adds_only_the_restored_volume_and_changes_only_the_database(prod_run, restored_run):
    before, after = _by_urn(prod_run), _by_urn(restored_run)
    added = {after[u].type for u in set(after) - set(before)}
    # The salt and JWT secret are the old stack's: not generated.
    # The stack's own empty ClickHouse claim gives way to the restored one (same Kubernetes object).
    assert {before[u].name for u in set(before) - set(after)} == {"secrets-api-key-salt", "secrets-jwt-secret",
                                                                  "langsmith-clickhouse-data"}
    assert added == {"langsmith:aws:ClickHouseRestore", VOLUME, PV, PVC, SNAPSHOT_COPY}
    changed = {after[u].name for u in set(after) & set(before) if after[u].inputs != before[u].inputs}
    # The database, and the salt and JWT secret versions, which now hold the old stack's values.
    assert changed == {"postgres-instance", "secrets-api-key-salt", "secrets-jwt-secret"}
    # The one new dependency: the release waits for the claim the StatefulSet adopts.
    new_deps = {after[u].name: set(after[u].dependencies) - set(before[u].dependencies)
                for u in set(after) & set(before) if set(after[u].dependencies) != set(before[u].dependencies)}
    claim = restored_run.one(PVC)
    copy = restored_run.one(SNAPSHOT_COPY)
    assert new_deps["langsmith-release"] == {claim.urn}
    assert set(new_deps) == {"langsmith-release", "postgres-instance", "secrets-api-key-salt", "secrets-jwt-secret"}
    assert copy.urn in new_deps["postgres-instance"]


def test_the_database_is_created_from_the_snapshot_and_leaves_what_rds_takes_from_it(prod_run, restored_run):
    before, after = prod_run.one(RDS).inputs, restored_run.one(RDS).inputs
    copy = restored_run.one(SNAPSHOT_COPY).inputs
    assert copy["sourceDbSnapshotIdentifier"] == POSTGRES_SNAPSHOT
    assert after["snapshotIdentifier"] == copy["targetDbSnapshotIdentifier"] == "ls-prod-postgres-restore-source"
    assert "snapshotIdentifier" not in before
    # ForceNew fields RestoreDBInstanceFromDBSnapshot takes from the snapshot: a differing value
    # would replace the restored database on the next `pulumi up`.
    for field in ("dbName", "username", "kmsKeyId"):
        assert field in before and field not in after, field
    differing = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert differing == {"snapshotIdentifier", "dbName", "username", "kmsKeyId"}
    # The password stays RDS-managed (applied after the restore) in our secrets key.
    assert after["manageMasterUserPassword"] is True and after["masterUserSecretKmsKeyId"]
    assert after["storageEncrypted"] is True


def test_a_later_edit_of_the_snapshot_key_cannot_replace_the_database(prod_run, restored_run):
    for run in (prod_run, restored_run):
        instance = run.one(RDS)
        assert "snapshotIdentifier" in instance.ignore_changes and instance.protect


def test_the_clickhouse_volume_comes_from_the_snapshot_in_the_clickhouse_nodes_zone(restored_run):
    volume = restored_run.one(VOLUME)
    ids = by_id(restored_run)
    node_group = restored_run.one("eks:index:ManagedNodeGroup", "cluster-clickhouse")
    subnet = ids[node_group.inputs["subnetIds"][0]]
    assert volume.inputs["snapshotId"] == "snap-0fedcba9876543210"
    assert volume.inputs["availabilityZone"] == subnet.inputs["availabilityZone"]
    data_key = restored_run.one("aws:kms/key:Key", "keys-data")
    assert volume.inputs["kmsKeyId"] == data_key.outputs["arn"] and volume.inputs["encrypted"] is True
    assert (volume.inputs["type"], volume.inputs["iops"], volume.inputs["throughput"]) == ("gp3", 7000, 1000)
    assert volume.inputs["tags"][CLICKHOUSE_BACKUP_TAG[0]] == CLICKHOUSE_BACKUP_TAG[1]  # AWS Backup keeps it
    assert volume.protect and volume.retain_on_delete and "snapshotId" in volume.ignore_changes


def test_the_claim_is_the_one_the_chart_statefulset_asks_for(restored_run):
    release = restored_run.one(RELEASE, "langsmith-release")
    persistence = release.inputs["values"]["clickhouse"]["statefulSet"]["persistence"]
    claim = restored_run.one(PVC)
    meta, spec = claim.inputs["metadata"], claim.inputs["spec"]
    # <volumeClaimTemplate>-<statefulset>-<ordinal>, in the release's namespace, asking what the
    # template asks (size and class), so the StatefulSet adopts it instead of provisioning a new one.
    assert (meta["name"], meta["namespace"]) == (f"data-{RELEASE_NAME}-clickhouse-0", release.inputs["namespace"])
    # The template's size is fixed; the claim's follows clickhouse.volumeSizeGb (it grows, the template cannot).
    assert persistence["size"] == "20Gi" and spec["resources"]["requests"]["storage"] == "200Gi"
    assert spec["storageClassName"] == persistence["storageClassName"] == CLICKHOUSE_STORAGE_CLASS
    assert spec["volumeName"] == RESTORED_VOLUME_NAME
    # A pre-bound claim never sits in Pending, which is what the provider waits for by default
    # on a WaitForFirstConsumer class.
    assert meta["annotations"]["pulumi.com/waitFor"] == "jsonpath={.status.phase}=Bound"
    namespace = restored_run.one("kubernetes:core/v1:Namespace", "langsmith-namespace")
    assert namespace.urn in claim.dependencies


def test_the_persistent_volume_binds_the_restored_volume_to_that_claim_only(restored_run):
    pv = restored_run.one(PV).inputs["spec"]
    volume = restored_run.one(VOLUME)
    assert pv["csi"]["driver"] == "ebs.csi.aws.com" and pv["csi"]["volumeHandle"] == volume.id
    assert pv["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["storageClassName"] == CLICKHOUSE_STORAGE_CLASS
    assert pv["claimRef"] == {"namespace": "langsmith", "name": CLICKHOUSE_DATA_CLAIM}
    term = pv["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
    assert (term["key"], term["operator"], term["values"]) == (ZONE_LABEL, "In", [volume.inputs["availabilityZone"]])
    assert pv["capacity"]["storage"] == restored_run.one(PVC).inputs["spec"]["resources"]["requests"]["storage"]


def test_the_restore_objects_are_valid_kubernetes(restored_run):
    for type_, kind in ((PV, "PersistentVolume"), (PVC, "PersistentVolumeClaim")):
        obj = {"apiVersion": "v1", "kind": kind, **restored_run.one(type_).inputs}
        kubernetes_validate.validate(obj, f"{KUBERNETES_VERSION}.0", strict=True)


# -- the chart version --------------------------------------------------------------------------

def test_supported_chart_versions_hold_the_pin_and_only_released_patches():
    assert LANGSMITH.version in LANGSMITH_SUPPORTED_VERSIONS
    assert len(set(LANGSMITH_SUPPORTED_VERSIONS)) == len(LANGSMITH_SUPPORTED_VERSIONS)
    # Tags langsmith-0.16.0 .. langsmith-0.16.11 of langchain-ai/helm; no release candidates.
    assert LANGSMITH_SUPPORTED_VERSIONS == tuple(f"0.16.{p}" for p in range(12))


def test_an_unsupported_chart_version_is_a_config_error_listing_the_supported_ones():
    found = problems({key("langsmith"): json.dumps({
        "domain": "ls.example.com", "hostedZoneId": "Z0123456789ABC", "auth": "basic",
        "adminEmail": "admin@example.com", "chartVersion": "0.17.0-rc.12"})})
    assert "0.16.11" in found["langsmith.chartVersion"] and "0.16.0" in found["langsmith.chartVersion"]


def test_chart_version_and_clickhouse_restore_with_an_existing_vpc():
    existing = {"vpcId": "vpc-0123456789abcdef0",
                "publicSubnetIds": ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
                "privateSubnetIds": ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"]}
    from tests.conftest import stack_values
    values, _ = stack_values("dev")
    langsmith = {**json.loads(values[key("langsmith")]), "chartVersion": "0.16.9"}
    network = {"existing": existing}  # an existing VPC keeps its own layout (network.* else is refused)
    run = run_stack("dev", {"langsmith": langsmith, "network": network,
                            "restore": {"clickhouseSnapshot": "snap-0123456789abcdef0"}})
    assert run.one(RELEASE, "langsmith-release").inputs["version"] == "0.16.9"
    volume = run.one(VOLUME)
    # The zone of the first private subnet (where the ClickHouse pool runs), as EC2 reports it.
    assert volume.inputs["availabilityZone"] == "us-east-1a"
    assert volume.inputs["snapshotId"] == "snap-0123456789abcdef0"
    assert not volume.protect and volume.retain_on_delete  # dev: unprotected, but retained like its class
    assert not run.of_type(RDS)[0].inputs.get("snapshotIdentifier")


def test_a_misspelt_restore_key_is_refused_not_ignored():
    found = problems({"restore": {"postgresSnapshotId": "ls-prod-postgres-final"}})
    assert "restore.postgresSnapshotId" in found  # silently ignoring it would create an empty database


def test_the_offline_plans_differ_only_in_the_restored_resources(prod_run, restored_run):
    from tools.engine.plan import build_plan
    before = {r["urn"]: r for r in build_plan(prod_run)["resources"]}
    after_plan = build_plan(restored_run)
    after = {r["urn"]: r for r in after_plan["resources"]}
    strip = lambda r: {k: v for k, v in r.items() if k != "dependencies"}  # noqa: E731
    changed = {after[u]["name"] for u in before.keys() & after.keys() if strip(before[u]) != strip(after[u])}
    # inputs, outputs, protect and retain flags of everything else (secret values are masked)
    assert changed == {"postgres-instance"}
    assert sorted(after[u]["name"] for u in after.keys() - before.keys()) == [
        "clickhouse-restore", "clickhouse-restore-claim", "clickhouse-restore-pv", "clickhouse-restore-volume",
        "postgres-restore-source"]
    assert sorted(before[u]["name"] for u in before.keys() - after.keys()) == [
        "langsmith-clickhouse-data", "secrets-api-key-salt", "secrets-jwt-secret"]  # the generators: the old stack's values come instead
    assert after_plan["outputs"] == build_plan(prod_run)["outputs"]


# -- what the restored data depends on (issue 20) -----------------------------------------------

def test_a_postgres_restore_without_the_old_salt_and_jwt_secret_is_a_config_error_naming_them():
    found = problems({"restore": {"postgresSnapshot": "ls-prod-postgres-final"}, "restoreSecrets": {}})
    assert "restoreSecrets.apiKeySalt, restoreSecrets.jwtSecret with restore.postgresSnapshot" in found["restoreSecrets"]
    assert "pulumi config set --secret --path 'restoreSecrets.apiKeySalt'" in found["restoreSecrets"]


def test_features_that_encrypt_stored_data_need_their_old_keys_too():
    langsmith = {"domain": "ls.example.com", "hostedZoneId": "Z0123456789ABC", "auth": "basic",
                 "adminEmail": "admin@example.com", "insightsEnabled": True}
    found = problems({"langsmith": langsmith, "restore": {"postgresSnapshot": "ls-prod-postgres-final"}})
    assert "needs restoreSecrets.insightsEncryptionKey with" in found["restoreSecrets"]


def test_restored_secrets_without_a_snapshot_or_with_unknown_names_are_refused():
    assert "restore.postgresSnapshot" in problems({"restoreSecrets": OLD_SECRETS})["restoreSecrets"]
    found = problems({"restore": {"postgresSnapshot": "ls-prod-postgres-final"},
                      "restoreSecrets": {**OLD_SECRETS, "apiKeySlat": "x"}})
    assert "has apiKeySlat: not a restored secret; allowed: apiKeySalt" in found["restoreSecrets"]


def test_the_restored_stack_keeps_the_old_salt_and_jwt_and_generates_no_new_ones(restored_run):
    salts = [r for r in restored_run.of_type("random:index/randomPassword:RandomPassword")
             if r.name in ("secrets-api-key-salt", "secrets-jwt-secret")]
    assert salts == []
    versions = {r.name: r for r in restored_run.of_type("aws:secretsmanager/secretVersion:SecretVersion")}
    # The values are secrets in the plan (never printed); their source is the config, not a generator.
    salt = versions["secrets-api-key-salt"]
    assert not any("randomPassword" in d for d in salt.dependencies)


def test_the_restored_database_ends_on_this_stacks_data_key(restored_run):
    copy = restored_run.one(SNAPSHOT_COPY)
    data_key = restored_run.one("aws:kms/key:Key", "keys-data")
    assert copy.inputs["kmsKeyId"] == data_key.outputs["arn"]
    assert restored_run.one(RDS).inputs["snapshotIdentifier"] == copy.inputs["targetDbSnapshotIdentifier"]
