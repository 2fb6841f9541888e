"""Destroy and re-create: an unprotected (dev) stack goes away cleanly and can be built again under
the same names; a protected one keeps every guard."""

from __future__ import annotations

from tests.conftest import run_stack
from tools.engine.harness import ProgramRun

SECRET = "aws:secretsmanager/secret:Secret"
BUCKET = "aws:s3/bucket:Bucket"
VAULT = "aws:backup/vault:Vault"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"


def test_dev_destroy_leaves_no_name_behind(dev_run: ProgramRun):
    # A secret in its recovery window keeps its name: `up` after `destroy` would fail with
    # "already scheduled for deletion". Dev deletes them at once.
    secrets = dev_run.of_type(SECRET)
    assert secrets and all(s.inputs["recoveryWindowInDays"] == 0 for s in secrets)
    # Buckets and the vault that hold data can only be deleted with their contents.
    for bucket in dev_run.of_type(BUCKET):
        assert bucket.inputs["forceDestroy"] is True and not bucket.protect, bucket.name
    (vault,) = dev_run.of_type(VAULT)
    assert vault.inputs["forceDestroy"] is True and not vault.protect
    rds = dev_run.one("aws:rds/instance:Instance").inputs
    assert rds["skipFinalSnapshot"] is True and not rds.get("deletionProtection")
    assert dev_run.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is False
    # KMS keys wait out their deletion window, but their aliases (the only names) go at once.
    aliases = dev_run.of_type(ALIAS)
    assert aliases and not any(a.protect or a.retain_on_delete for a in aliases)


def test_prod_keeps_every_guard(prod_run: ProgramRun):
    secrets = prod_run.of_type(SECRET)
    assert secrets and all(s.inputs["recoveryWindowInDays"] == 30 for s in secrets)
    for bucket in prod_run.of_type(BUCKET):
        assert not bucket.inputs.get("forceDestroy") and bucket.protect, bucket.name
    (vault,) = prod_run.of_type(VAULT)
    assert not vault.inputs.get("forceDestroy") and vault.protect
    rds = prod_run.one("aws:rds/instance:Instance")
    assert rds.protect and rds.inputs["deletionProtection"] is True and not rds.inputs.get("skipFinalSnapshot")
    assert all(k.protect for k in prod_run.of_type(KEY))


def test_byoc_repository_follows_protection():
    protected = run_stack("byoc-ecs").one("aws:ecr/repository:Repository").inputs
    assert not protected.get("forceDelete")
    unprotected = run_stack("byoc-ecs", {"protectData": False}).one("aws:ecr/repository:Repository").inputs
    assert unprotected["forceDelete"] is True


# -- production teardown (docs/teardown.md): lifting protectData must not delete the backups ------

RDS = "aws:rds/instance:Instance"


def test_production_teardown_keeps_recovery_points_final_snapshot_and_their_key():
    # Step 2 of the production teardown: `protectData: false`, `pulumi up`, then `pulumi destroy`.
    lifted = run_stack("prod", {"protectData": False})
    (vault,) = lifted.of_type(VAULT)
    # A force-destroyed vault deletes every recovery point first (terraform-provider-aws
    # internal/service/backup/vault.go, resourceVaultDelete); a retained one is only forgotten.
    assert not vault.inputs.get("forceDestroy") and vault.retain_on_delete
    data_key = lifted.one(KEY, "keys-data")
    assert data_key.retain_on_delete  # the final snapshot and the recovery points are encrypted with it
    for bucket in lifted.of_type(BUCKET):
        assert not bucket.inputs.get("forceDestroy"), bucket.name  # the teardown empties them on purpose
    assert all(s.inputs["recoveryWindowInDays"] == 30 for s in lifted.of_type(SECRET))
    rds = lifted.one(RDS).inputs
    assert rds["skipFinalSnapshot"] is False and rds["finalSnapshotIdentifier"]


def test_dev_keeps_nothing_it_does_not_say_it_keeps(dev_run: ProgramRun):
    assert not any(r.retain_on_delete for r in dev_run.of_type(KEY) + dev_run.of_type(VAULT))


def test_each_database_gets_its_own_final_snapshot_name(prod_run: ProgramRun):
    # destroy, re-create, destroy: a fixed `<identifier>-final` meets the first snapshot
    # (DBSnapshotAlreadyExistsFault) after deletion protection is already off.
    rds = prod_run.one(RDS)
    (suffix,) = prod_run.of_type("random:index/randomId:RandomId")
    assert rds.inputs["finalSnapshotIdentifier"] == f"ls-prod-postgres-final-{suffix.outputs['hex']}"
    assert suffix.urn in rds.property_dependencies["finalSnapshotIdentifier"]
    assert prod_run.outputs["databaseFinalSnapshot"] == rds.inputs["finalSnapshotIdentifier"]
