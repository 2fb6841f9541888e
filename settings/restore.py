"""Restore as configuration: a stack created from backups instead of empty data stores.

`restore.postgresSnapshot` names an RDS DB snapshot (manual, automated, or an AWS Backup recovery
point of the instance, which RDS stores as a snapshot); the RDS instance is then created from it.
`restore.clickhouseSnapshot` names an EBS snapshot of the ClickHouse data volume (an AWS Backup
recovery point of an EBS volume is an EBS snapshot too, with an ARN
`arn:aws:ec2:<region>::snapshot/snap-...`); the in-cluster ClickHouse then starts on a volume
created from it. Both only act when the resource is created: see docs/restore.md.
"""

from __future__ import annotations

import re
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic.alias_generators import to_camel

from settings.base import Problem, Shape
from settings.clickhouse import ClickHouseSettings
from settings.langsmith import LangSmithSettings
from settings.postgres import PostgresSettings

# RDS snapshot identifiers (CreateDBSnapshot: a letter first, letters/digits/hyphens, no "--",
# no trailing hyphen, 1-255 characters); automated ones are "rds:<instance>-<date>", AWS Backup's
# "awsbackup:job-<id>" (RDS User Guide, "Restoring to a DB instance"; AWS Backup, "Restoring an
# Amazon RDS database").
_RDS_NAME = r"[A-Za-z](?:-?[A-Za-z0-9])*"
_RDS_SNAPSHOT_ID = re.compile(rf"(?:rds:|awsbackup:)?{_RDS_NAME}")
RDS_SNAPSHOT_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):rds:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):(?P<account>\d{12}):"
    rf"snapshot:(?P<id>(?:rds:|awsbackup:)?{_RDS_NAME})")
_RDS_CLUSTER_SNAPSHOT_ARN = re.compile(r"arn:aws[a-z-]*:rds:[^:]*:\d{12}:cluster-snapshot:.+")

# EBS snapshot IDs: "snap-" and 8 or 17 hex digits; ARNs carry no account
# (arn:aws:ec2:<region>::snapshot/snap-...), which is also the recovery point ARN AWS Backup
# shows for an EBS volume.
_EBS_SNAPSHOT_ID = re.compile(r"snap-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_EBS_SNAPSHOT_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):ec2:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):(?P<account>\d{12})?:"
    r"snapshot/(?P<id>snap-(?:[0-9a-f]{8}|[0-9a-f]{17}))")
_BACKUP_RECOVERY_POINT_ARN = re.compile(r"arn:aws[a-z-]*:backup:[^:]*:\d{12}:recovery-point:.+")


def _check_postgres_snapshot(value: str) -> str:
    if len(value) > 1024:
        raise ValueError("is longer than an RDS snapshot ARN can be")
    if _RDS_CLUSTER_SNAPSHOT_ARN.fullmatch(value):
        raise ValueError("is an Aurora cluster snapshot; this stack runs an RDS for PostgreSQL instance and "
                         "restores DB instance snapshots (arn:aws:rds:<region>:<account>:snapshot:<id>)")
    if value.startswith("arn:"):
        match = RDS_SNAPSHOT_ARN.fullmatch(value)
        if match is None:
            raise ValueError("must be an RDS DB snapshot ARN such as "
                             "arn:aws:rds:us-east-1:123456789012:snapshot:ls-prod-postgres-final")
        snapshot_id = match.group("id").removeprefix("rds:").removeprefix("awsbackup:")
    else:
        if not _RDS_SNAPSHOT_ID.fullmatch(value) or len(value) > 255:
            raise ValueError("must be an RDS DB snapshot identifier (ls-prod-postgres-final, "
                             "rds:ls-prod-postgres-2026-01-31-03-05, awsbackup:job-...) or its ARN")
        snapshot_id = value.removeprefix("rds:").removeprefix("awsbackup:")
    if len(snapshot_id) > 255:
        raise ValueError("has an identifier longer than the 255 characters RDS allows")
    return value


def _check_clickhouse_snapshot(value: str) -> str:
    if _BACKUP_RECOVERY_POINT_ARN.fullmatch(value):
        raise ValueError("is an AWS Backup recovery point that is not an EBS snapshot (a logically air-gapped "
                         "vault, or another resource type): restore it to an EBS snapshot first "
                         "(aws backup start-restore-job) and give that snapshot's ID")
    if not (_EBS_SNAPSHOT_ID.fullmatch(value) or _EBS_SNAPSHOT_ARN.fullmatch(value)):
        raise ValueError("must be an EBS snapshot ID (snap-0123456789abcdef0) or the ARN of an EBS snapshot / "
                         "AWS Backup recovery point of an EBS volume (arn:aws:ec2:us-east-1::snapshot/snap-...)")
    return value


class RestoreSettings(BaseModel):
    """Create the stack's data stores from backups (acts only when each store is created)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    postgres_snapshot: Optional[str] = Field(
        default=None,
        description="RDS DB snapshot (identifier or ARN; manual, automated `rds:...` or an AWS Backup recovery "
                    "point) the PostgreSQL instance is created from")
    clickhouse_snapshot: Optional[str] = Field(
        default=None,
        description="EBS snapshot ID `snap-...`, or the ARN of an EBS snapshot / AWS Backup recovery point of the "
                    "ClickHouse volume, the in-cluster ClickHouse data volume is created from")

    @field_validator("postgres_snapshot")
    @classmethod
    def _postgres(cls, value: Optional[str]) -> Optional[str]:
        return None if value is None else _check_postgres_snapshot(value)

    @field_validator("clickhouse_snapshot")
    @classmethod
    def _clickhouse(cls, value: Optional[str]) -> Optional[str]:
        return None if value is None else _check_clickhouse_snapshot(value)

    @property
    def clickhouse_snapshot_id(self) -> Optional[str]:
        """The `snap-...` ID, whichever form the key was given in (CreateVolume takes the ID only)."""
        value = self.clickhouse_snapshot
        if value is None:
            return None
        match = _EBS_SNAPSHOT_ARN.fullmatch(value)
        return match.group("id") if match else value

    def snapshot_regions(self) -> dict[str, str]:
        """Config key -> region, for the snapshots given as ARNs."""
        regions: dict[str, str] = {}
        for key, value, pattern in (("restore.postgresSnapshot", self.postgres_snapshot, RDS_SNAPSHOT_ARN),
                                    ("restore.clickhouseSnapshot", self.clickhouse_snapshot, _EBS_SNAPSHOT_ARN)):
            match = pattern.fullmatch(value) if value else None
            if match:
                regions[key] = match.group("region")
        return regions


# `restoreSecrets.<name>`: the generated secrets a restored database depends on, from the old stack
# (docs/restore.md), by config name -> the stack's secret name suffix (components/secrets.py).
# API keys are stored as hashes salted with api_key_salt (the chart's validate.yaml warns against
# changing it); sessions are signed with the JWT secret; Insights, Polly and Fleet encrypt what they
# store with their Fernet keys.
RESTORED_SECRET_NAMES: dict[str, str] = {
    "apiKeySalt": "api-key-salt",
    "jwtSecret": "jwt-secret",
    "insightsEncryptionKey": "insights-encryption-key",
    "pollyEncryptionKey": "polly-encryption-key",
    # Fleet (Agent Builder) encrypts its agents' credentials with it (langsmith.fleetEnabled).
    "fleetEncryptionKey": "agent_builder-encryption-key",
}


def needed_restored_secrets(langsmith: Optional[LangSmithSettings]) -> list[str]:
    """The `restoreSecrets` names a PostgreSQL restore must bring, for the features enabled."""
    needed = ["apiKeySalt", "jwtSecret"]
    if langsmith is not None and langsmith.insights_enabled:
        needed.append("insightsEncryptionKey")
    if langsmith is not None and langsmith.polly_enabled:
        needed.append("pollyEncryptionKey")
    if langsmith is not None and langsmith.fleet_enabled:
        needed.append("fleetEncryptionKey")
    return needed


def restored_secret_problems(restore: RestoreSettings, restore_secrets: Optional[dict[str, SecretStr]],
                             langsmith: Optional[LangSmithSettings]) -> list[Problem]:
    """A PostgreSQL restore brings the old stack's salt, JWT secret and Fernet keys; nothing else is taken."""
    problems: list[Problem] = []
    given = restore_secrets or {}
    unknown = sorted(name for name in given if name not in RESTORED_SECRET_NAMES)
    if unknown:
        problems.append(("restoreSecrets", "[secret]",
                         f"has {', '.join(unknown)}: not a restored secret; allowed: {', '.join(RESTORED_SECRET_NAMES)}"))
    empty = sorted(name for name, secret in given.items() if not secret.get_secret_value().strip())
    if empty:
        problems.append(("restoreSecrets", "[secret]", f"has {', '.join(empty)} empty"))
    if restore.postgres_snapshot is None:
        if given:
            problems.append(("restoreSecrets", "[secret]",
                             "only acts with restore.postgresSnapshot (the data they unlock comes from it)"))
        return problems
    missing = [name for name in needed_restored_secrets(langsmith) if name not in given]
    if missing:
        keys = ", ".join(f"restoreSecrets.{name}" for name in missing)
        first = missing[0]
        problems.append(("restoreSecrets", "(missing)",
                         f"needs {keys} with restore.postgresSnapshot: the restored database holds data tied to the "
                         f"old stack's {', '.join(RESTORED_SECRET_NAMES[n] for n in missing)} (new ones would "
                         "invalidate it); set each from the old stack's secret, e.g. pulumi config set --secret --path "
                         f"'restoreSecrets.{first}' \"$(aws secretsmanager get-secret-value --secret-id <old namePrefix>/"
                         f"{RESTORED_SECRET_NAMES[first]} --query SecretString --output text)\" (docs/restore.md)"))
    return problems


def restore_problems(restore: RestoreSettings, shape: Shape, region: str, postgres: PostgresSettings,
                     clickhouse: ClickHouseSettings) -> list[Problem]:
    """Restore rules spanning other keys: (key, value, what is allowed) for each violation."""
    problems: list[Problem] = []
    self_hosted = shape is Shape.SELF_HOSTED
    if restore.postgres_snapshot is not None:
        if not self_hosted:
            problems.append(("restore.postgresSnapshot", restore.postgres_snapshot,
                             f"only a self-hosted stack has a PostgreSQL to restore (shape is {shape.value})"))
        elif postgres.external:
            problems.append(("restore.postgresSnapshot", restore.postgres_snapshot,
                             "restores the stack's RDS instance, and postgres.external: true creates none: restore "
                             "your external PostgreSQL yourself, or set postgres.external: false"))
    if restore.clickhouse_snapshot is not None:
        if not self_hosted:
            problems.append(("restore.clickhouseSnapshot", restore.clickhouse_snapshot,
                             f"only a self-hosted stack has a ClickHouse to restore (shape is {shape.value})"))
        elif clickhouse.mode != "in-cluster":
            problems.append(("restore.clickhouseSnapshot", restore.clickhouse_snapshot,
                             "restores the in-cluster ClickHouse volume and needs clickhouse.mode: in-cluster "
                             "(an external ClickHouse is restored by its own provider)"))
    for key, snapshot_region in restore.snapshot_regions().items():
        if snapshot_region != region:
            copy = "aws rds copy-db-snapshot" if key.endswith("postgresSnapshot") else "aws ec2 copy-snapshot"
            problems.append((key, getattr(restore, "postgres_snapshot" if key.endswith("postgresSnapshot")
                                          else "clickhouse_snapshot"),
                             f"is in {snapshot_region} but the stack deploys to {region}: a snapshot restores "
                             f"only in its own region; copy it first ({copy} --source-region {snapshot_region})"))
    return problems
