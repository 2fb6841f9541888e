"""Data services: PostgreSQL, Redis, S3 and the secrets, safe by default in dev and prod."""

from __future__ import annotations

import json

import pytest

from components.blob_storage import LONG_TTL_PREFIX, SHORT_TTL_PREFIX
from tests.conftest import by_id, policy, run_stack
from tools.engine.harness import ProgramRun, Registration
from tools.engine.plan import build_plan
from tools.engine.stack_config import OFFLINE_SECRET_PLACEHOLDER

RDS = "aws:rds/instance:Instance"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def data_subnet_ids(run: ProgramRun) -> set[str]:
    return {s.id or "" for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "data"}


def key_arn(run: ProgramRun, purpose: str) -> str:
    return run.one("aws:kms/key:Key", f"keys-{purpose}").outputs["arn"]


# -- KMS -------------------------------------------------------------------------------------

def test_three_rotating_keys_protected_in_production(prod_run: ProgramRun, dev_run: ProgramRun):
    keys = prod_run.of_type("aws:kms/key:Key")
    assert sorted(k.name for k in keys) == ["keys-data", "keys-logs", "keys-secrets"]
    for k in keys:
        assert k.inputs["enableKeyRotation"] is True and k.protect is True
        assert policy(k)["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert not any(k.protect for k in dev_run.of_type("aws:kms/key:Key"))


# -- PostgreSQL ------------------------------------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_postgres_is_private_encrypted_and_tls_only(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    run = dev_run if stack == "dev" else prod_run
    db = run.one(RDS)
    i = db.inputs
    assert i["engine"] == "postgres" and i["engineVersion"] == "16"
    assert i["publiclyAccessible"] is False
    assert i["storageEncrypted"] is True and i["storageType"] == "gp3"
    assert i["kmsKeyId"] == key_arn(run, "data")
    assert i["maxAllocatedStorage"] > i["allocatedStorage"]  # storage autoscaling
    assert i["manageMasterUserPassword"] is True and "password" not in i
    assert i["masterUserSecretKmsKeyId"] == key_arn(run, "secrets")
    subnet_group = run.one("aws:rds/subnetGroup:SubnetGroup")
    assert set(subnet_group.inputs["subnetIds"]) == data_subnet_ids(run)
    assert i["dbSubnetGroupName"] == subnet_group.inputs["name"]
    params = run.one("aws:rds/parameterGroup:ParameterGroup")
    assert params.inputs["family"] == "postgres16"
    # The instance uses the group (its name is computed from namePrefix: the mocks must give it,
    # else the input is unknown in every plan and scanners see an instance without a group).
    assert i["parameterGroupName"] == params.id and params.urn in db.dependencies
    assert {"name": "log_statement", "value": "ddl", "applyMethod": "immediate"} in params.inputs["parameters"]
    # TLS only: PostgreSQL 16's own default (rds.force_ssl=1), not overridden.
    assert "rds.force_ssl" not in {p["name"] for p in params.inputs["parameters"]}
    # Slow statements are logged and exported to CloudWatch in every profile (dev too).
    assert {"name": "log_min_duration_statement", "value": "1000", "applyMethod": "immediate"} in params.inputs["parameters"]
    assert i["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    groups = {g.inputs["name"]: g for g in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert groups[f"/aws/rds/instance/{i['identifier']}/postgresql"].urn in db.dependencies


# RDS for PostgreSQL engine defaults of the parameters we set, per major version: rds.force_ssl is 0
# before 15 and 1 from 15 (RDS user guide, "Using SSL with a PostgreSQL DB instance");
# log_min_duration_statement is -1 (off) and log_statement none in PostgreSQL itself.
ENGINE_DEFAULTS = {
    "14": {"rds.force_ssl": "0", "log_min_duration_statement": "-1", "log_statement": "none"},
    "15": {"rds.force_ssl": "1", "log_min_duration_statement": "-1", "log_statement": "none"},
    "16": {"rds.force_ssl": "1", "log_min_duration_statement": "-1", "log_statement": "none"},
    "17": {"rds.force_ssl": "1", "log_min_duration_statement": "-1", "log_statement": "none"},
}


@pytest.mark.parametrize("major", sorted(ENGINE_DEFAULTS))
def test_no_parameter_restates_its_engine_default(major: str):
    # A parameter equal to its default never reads back as a user setting: a perpetual diff
    # (hashicorp/terraform-provider-aws#22857). TLS stays forced on every version.
    from components.postgres import parameter_group_parameters
    params = {n: (v, m) for n, v, m in parameter_group_parameters(major)}
    for name, (value, _) in params.items():
        assert ENGINE_DEFAULTS[major].get(name) != value, (major, name)
    forced = params.get("rds.force_ssl", (ENGINE_DEFAULTS[major]["rds.force_ssl"], ""))[0]
    assert forced == "1"
    # Only a static-or-unknown parameter waits for a reboot; the logging ones apply at once.
    assert all(m == "immediate" for n, (_, m) in params.items() if n != "rds.force_ssl")


def test_postgres_accepts_only_the_cluster_security_group(prod_run: ProgramRun):
    db = prod_run.one(RDS)
    (sg_id,) = db.inputs["vpcSecurityGroupIds"]
    sg = by_id(prod_run)[sg_id]
    assert "ingress" not in sg.inputs and "egress" not in sg.inputs
    rules = [r for r in prod_run.of_type(INGRESS) if r.inputs["securityGroupId"] == sg_id]
    assert len(rules) == 1
    (rule,) = rules
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (5432, 5432, "tcp")
    assert "cidrIpv4" not in rule.inputs
    cluster = prod_run.one("eks:index:Cluster")
    assert rule.inputs["referencedSecurityGroupId"] == cluster.outputs["clusterSecurityGroupId"]


def test_production_postgres_keeps_its_data(prod_run: ProgramRun):
    db = prod_run.one(RDS)
    i = db.inputs
    assert db.protect is True
    assert i["deletionProtection"] is True and i["skipFinalSnapshot"] is False
    assert i["finalSnapshotIdentifier"].startswith("ls-prod-postgres-final-")  # unique: tests/test_teardown.py
    assert i["backupRetentionPeriod"] >= 14 and i["copyTagsToSnapshot"] is True
    assert i["performanceInsightsEnabled"] is True and i["performanceInsightsKmsKeyId"] == key_arn(prod_run, "data")
    assert i["monitoringInterval"] == 60 and i["monitoringRoleArn"]
    assert i["multiAz"] is False  # production-large turns it on
    groups = {g.inputs["name"]: g for g in prod_run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for export in ("postgresql", "upgrade"):
        group = groups[f"/aws/rds/instance/ls-prod-postgres/{export}"]
        assert group.inputs["retentionInDays"] == 365 and group.inputs["kmsKeyId"] == key_arn(prod_run, "logs")
        assert group.urn in db.dependencies


def test_dev_postgres_is_small_and_disposable(dev_run: ProgramRun):
    db = dev_run.one(RDS)
    i = db.inputs
    assert i["instanceClass"] == "db.t4g.medium" and i["backupRetentionPeriod"] == 7
    assert db.protect is False and i["deletionProtection"] is False and i["skipFinalSnapshot"] is True


def test_production_large_is_multi_az():
    run = run_stack("prod", {"profile": "production-large"})
    assert run.one(RDS).inputs["multiAz"] is True
    assert run.one(REDIS).inputs["numCacheClusters"] == 3


def test_external_postgres_replaces_rds_with_a_secret():
    run = run_stack("dev", {"postgres": {"external": True},
                            "postgresExternalUri": "app:pw@db.example.com:5432/langsmith?sslmode=require"},
                    secret=("postgresExternalUri",))
    assert run.of_type(RDS) == []
    (secret,) = [s for s in run.of_type("aws:secretsmanager/secret:Secret")
                 if s.inputs["name"] == "ls-dev/postgres-external-uri"]
    assert secret.inputs["kmsKeyId"] == key_arn(run, "secrets")
    assert "app:pw@" not in json.dumps(build_plan(run))


# -- Redis -----------------------------------------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_redis_is_encrypted_authenticated_and_isolated(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    run = dev_run if stack == "dev" else prod_run
    group = run.one(REDIS)
    i = group.inputs
    assert i["atRestEncryptionEnabled"] is True and i["kmsKeyId"] == key_arn(run, "data")
    assert i["transitEncryptionEnabled"] is True and i["transitEncryptionMode"] == "required"
    assert build_plan(run)["resources"][run.registrations.index(group)]["inputs"]["authToken"] == "[secret]"
    subnet_group = run.one("aws:elasticache/subnetGroup:SubnetGroup")
    assert set(subnet_group.inputs["subnetIds"]) == data_subnet_ids(run)
    (sg_id,) = i["securityGroupIds"]
    rules = [r for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == sg_id]
    assert [(r.inputs["fromPort"], "cidrIpv4" in r.inputs) for r in rules] == [(6379, False)]
    assert rules[0].inputs["referencedSecurityGroupId"] == run.one("eks:index:Cluster").outputs["clusterSecurityGroupId"]
    assert {c["logType"] for c in i["logDeliveryConfigurations"]} == {"slow-log", "engine-log"}


def test_redis_auth_token_is_the_generated_secret(prod_run: ProgramRun):
    from tools.engine.mocks import is_secret
    token_input = prod_run.one(REDIS).inputs["authToken"]
    assert is_secret(token_input)
    generated = prod_run.one("random:index/randomPassword:RandomPassword", "secrets-redis-auth-token")
    assert token_input["value"] == generated.outputs["result"]
    assert generated.inputs["length"] >= 16 and generated.inputs["special"] is False


def test_redis_sizes(dev_run: ProgramRun, prod_run: ProgramRun):
    dev, prod = dev_run.one(REDIS).inputs, prod_run.one(REDIS).inputs
    assert dev["numCacheClusters"] == 1 and dev["automaticFailoverEnabled"] is False
    assert prod["numCacheClusters"] == 2 and prod["automaticFailoverEnabled"] is True and prod["multiAzEnabled"] is True
    assert prod["snapshotRetentionLimit"] >= 7 and dev["snapshotRetentionLimit"] >= 1
    assert prod["nodeType"].startswith("cache.m7g") and dev["nodeType"] == "cache.t4g.medium"
    assert prod_run.one(REDIS).protect is True and dev_run.one(REDIS).protect is False


# -- S3 --------------------------------------------------------------------------------------

def bucket_parts(run: ProgramRun, component: str) -> dict[str, Registration]:
    bucket = run.one("aws:s3/bucket:Bucket", f"{component}-bucket")
    parts: dict[str, Registration] = {"bucket": bucket}
    for r in run.registrations:
        if r.type.startswith("aws:s3/") and r.type != "aws:s3/bucket:Bucket" and r.inputs.get("bucket") == bucket.id:
            parts[r.type.split(":")[-1]] = r
    return parts


def test_trace_bucket_is_private_encrypted_versioned_and_tls_only(prod_run: ProgramRun):
    parts = bucket_parts(prod_run, "blob-storage")
    bucket = parts["bucket"]
    assert bucket.protect is True and bucket.inputs["forceDestroy"] is False
    pab = parts["BucketPublicAccessBlock"].inputs
    assert all(pab[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    assert parts["BucketOwnershipControls"].inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    assert parts["BucketVersioning"].inputs["versioningConfiguration"]["status"] == "Enabled"
    (rule,) = parts["BucketServerSideEncryptionConfiguration"].inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms",
                                                          "kmsMasterKeyId": key_arn(prod_run, "data")}
    assert rule["bucketKeyEnabled"] is True
    (deny,) = policy(parts["BucketPolicy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = bucket.outputs["arn"]
    assert deny["Resource"] == [arn, f"{arn}/*"]


def test_trace_bucket_lifecycle_follows_the_ttl_prefixes(prod_run: ProgramRun):
    rules = {r["id"]: r for r in bucket_parts(prod_run, "blob-storage")["BucketLifecycleConfiguration"].inputs["rules"]}
    assert rules["short-ttl"]["filter"]["prefix"] == SHORT_TTL_PREFIX == "ttl_s/"
    assert rules["short-ttl"]["expiration"]["days"] == 14
    assert rules["long-ttl"]["filter"]["prefix"] == LONG_TTL_PREFIX == "ttl_l/"
    assert rules["long-ttl"]["expiration"]["days"] == 400
    housekeeping = rules["old-versions-and-uploads"]
    assert housekeeping["noncurrentVersionExpiration"]["noncurrentDays"] == 30
    assert housekeeping["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7


def test_trace_bucket_access_logs_go_to_the_log_bucket(prod_run: ProgramRun):
    logging = bucket_parts(prod_run, "blob-storage")["BucketLogging"]
    log_bucket = prod_run.one("aws:s3/bucket:Bucket", "access-logs-bucket")
    assert logging.inputs["targetBucket"] == log_bucket.outputs["bucket"]
    parts = bucket_parts(prod_run, "access-logs")
    statements = {s["Sid"]: s for s in policy(parts["BucketPolicy"])["Statement"]}
    assert statements["S3ServerAccessLogs"]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    (expire,) = parts["BucketLifecycleConfiguration"].inputs["rules"]
    assert expire["expiration"]["days"] == 365 and expire["abortIncompleteMultipartUpload"]


def test_no_static_access_keys_anywhere(prod_run: ProgramRun):
    assert prod_run.of_type("aws:iam/accessKey:AccessKey") == []
    assert prod_run.of_type("aws:iam/user:User") == []


# -- Secrets ---------------------------------------------------------------------------------

def test_secrets_are_kms_encrypted_under_one_prefix(prod_run: ProgramRun):
    secrets = prod_run.of_type("aws:secretsmanager/secret:Secret")
    names = {s.inputs["name"] for s in secrets}
    assert names == {f"ls-prod/{n}" for n in (
        "api-key-salt", "jwt-secret", "initial-admin-password", "redis-auth-token", "clickhouse-password",
        "license-key", "oidc-client-secret")}
    assert all(s.inputs["kmsKeyId"] == key_arn(prod_run, "secrets") for s in secrets)
    assert all(s.inputs["recoveryWindowInDays"] == 30 for s in secrets)
    assert sorted(prod_run.outputs["secretArns"]) == sorted(s.outputs["arn"] for s in secrets)


def test_admin_password_meets_the_charts_rules(prod_run: ProgramRun):
    admin = prod_run.one("random:index/randomPassword:RandomPassword", "secrets-initial-admin-password").inputs
    assert admin["length"] >= 12 and admin["minLower"] >= 1 and admin["minUpper"] >= 1 and admin["minSpecial"] >= 1
    assert set(admin["overrideSpecial"]) <= set("!#$%()+,-./:?@[\\]^_{~}")


def test_no_secret_value_appears_in_clear(prod_run: ProgramRun):
    text = json.dumps(build_plan(prod_run))
    for generated in prod_run.of_type("random:index/randomPassword:RandomPassword"):
        assert generated.outputs["result"] not in text
    assert OFFLINE_SECRET_PLACEHOLDER not in text
    from tools.engine.mocks import is_secret
    versions = prod_run.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert versions and all(is_secret(v.inputs["secretString"]) for v in versions)
