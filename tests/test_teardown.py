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
