"""The restore sources (`restore.postgresSnapshot`, `restore.clickhouseSnapshot`): each exists in the
stack's region, is ready, fits the stack's engine version and storage, and its KMS key is usable."""

from __future__ import annotations

from typing import Any

from settings.restore import RDS_SNAPSHOT_ARN
from tools.preflight.context import FAIL, PASS, UNCHECKED, Checks, Context
from tools.preflight.errors import error_code, one_line


def check_restore_sources(ctx: Context, principal: str) -> Checks:
    """The snapshots `restore` names exist here, are ready, and fit the stack's config."""
    checks = Checks()
    restore = ctx.settings.restore
    if restore.postgres_snapshot is not None:
        checks += check_postgres_snapshot(ctx, restore.postgres_snapshot, principal.split(":")[4])
    if restore.clickhouse_snapshot is not None:
        checks += check_clickhouse_snapshot(ctx, restore.clickhouse_snapshot)
    return checks


def kms_key_note(ctx: Context, key_id: str) -> tuple[str, tuple[str, str] | None]:
    """What to say about a snapshot's KMS key, and (problem, fix) when the key is unusable."""
    try:
        metadata = ctx.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]
    except Exception as exc:  # noqa: BLE001 - another account's key, or no kms:DescribeKey: not a failure
        return f"encrypted with KMS key {key_id} (its state unreadable: {one_line(exc)})", None
    state = str(metadata.get("KeyState", ""))
    if state == "Enabled":
        return f"encrypted with KMS key {key_id} (Enabled)", None
    fix = {"Disabled": f"aws kms enable-key --key-id {key_id}",
           "PendingDeletion": f"aws kms cancel-key-deletion --key-id {key_id}, then enable it"}.get(
        state, "make the key usable, or restore another snapshot")
    return (f"encrypted with KMS key {key_id}",
            (f"its KMS key {key_id} is {state}: the snapshot cannot be restored", fix))


def check_postgres_snapshot(ctx: Context, value: str, account: str) -> Checks:
    """An RDS snapshot (by name, or by ARN when shared from another account) that restores into postgres.*."""
    checks = Checks()
    name = "restore source (restore.postgresSnapshot)"
    arn = RDS_SNAPSHOT_ARN.fullmatch(value)
    kwargs: dict[str, Any]
    if arn is not None and arn.group("account") != account:  # shared from another account: by ARN
        kwargs = {"DBSnapshotIdentifier": value, "SnapshotType": "shared", "IncludeShared": True}
    else:
        identifier = arn.group("id") if arn is not None else value
        kwargs = {"DBSnapshotIdentifier": identifier}
        # DescribeDBSnapshots finds automated and AWS Backup snapshots only when told their type.
        for prefix, snapshot_type in (("rds:", "automated"), ("awsbackup:", "awsbackup")):
            if identifier.startswith(prefix):
                kwargs["SnapshotType"] = snapshot_type
    try:
        snapshots = ctx.client("rds").describe_db_snapshots(**kwargs)["DBSnapshots"]
    except Exception as exc:  # noqa: BLE001
        if error_code(exc) not in ("DBSnapshotNotFound", "DBSnapshotNotFoundFault"):
            checks.add(name, UNCHECKED, f"rds:DescribeDBSnapshots {value}: {one_line(exc)}")
            return checks
        snapshots = []
    if not snapshots:
        checks.add(name, FAIL, f"DB snapshot {value} not found in {ctx.settings.region} (for this account"
                   + (", shared with it" if kwargs.get("SnapshotType") == "shared" else "") + ")",
                   "name an existing snapshot (aws rds describe-db-snapshots --snapshot-type manual|automated|"
                   "awsbackup|shared --include-shared); a snapshot in another region must be copied first "
                   f"(aws rds copy-db-snapshot --region {ctx.settings.region})")
        return checks
    snap = snapshots[0]
    problems: list[tuple[str, str]] = []
    status, engine = str(snap.get("Status", "")), str(snap.get("Engine", ""))
    version = str(snap.get("EngineVersion", ""))
    if status != "available":
        problems.append((f"its status is {status}, not available", "wait until it is available, or take another"))
    if engine != "postgres":
        problems.append((f"its engine is {engine}, not postgres", "name a snapshot of an RDS for PostgreSQL instance"))
    wanted = ctx.settings.postgres.engine_version
    major = version.split(".")[0]
    if engine == "postgres" and major.isdigit() and int(major) != int(wanted):
        why = ("RDS cannot restore to an older major version" if int(major) > int(wanted) else
               f"the restore is refused with the stack's postgres{wanted} parameter group family; upgrade "
               "after the restore, not during it")
        problems.append((f"it is PostgreSQL {version} and postgres.engineVersion is {wanted}: {why}",
                         f"set postgres.engineVersion: \"{major}\" for the restore (docs/restore.md)"))
    storage = int(snap.get("AllocatedStorage", 0))
    if storage > ctx.settings.postgres.allocated_storage_gb:
        problems.append((f"it holds {storage} GiB and postgres.allocatedStorageGb is "
                         f"{ctx.settings.postgres.allocated_storage_gb}: RDS cannot shrink storage",
                         f"set postgres.allocatedStorageGb to at least {storage}"))
    key_note = "not encrypted"
    if snap.get("Encrypted"):
        key_note, key_problem = kms_key_note(ctx, str(snap.get("KmsKeyId", "(not reported)")))
        if key_problem:
            problems.append(key_problem)
    what = (f"{snap.get('DBSnapshotIdentifier', value)} ({snap.get('SnapshotType', '?')}, {engine} {version}, "
            f"{storage} GiB, {status}, {key_note})")
    if problems:
        checks.add(name, FAIL, f"{what}: " + "; ".join(p for p, _ in problems), "; ".join(f for _, f in problems))
    else:
        checks.add(name, PASS, what)
    return checks


def check_clickhouse_snapshot(ctx: Context, value: str) -> Checks:
    """An EBS snapshot, completed and not archived, that fits clickhouse.volumeSizeGb."""
    checks = Checks()
    name = "restore source (restore.clickhouseSnapshot)"
    snapshot_id = ctx.settings.restore.clickhouse_snapshot_id or value
    try:
        snapshots = ctx.client("ec2").describe_snapshots(SnapshotIds=[snapshot_id])["Snapshots"]
    except Exception as exc:  # noqa: BLE001
        if not error_code(exc).startswith("InvalidSnapshot"):
            checks.add(name, UNCHECKED, f"ec2:DescribeSnapshots {snapshot_id}: {one_line(exc)}")
            return checks
        snapshots = []
    if not snapshots:
        checks.add(name, FAIL, f"EBS snapshot {snapshot_id} not found in {ctx.settings.region} (owned by or shared with "
                   "this account)",
                   "name an existing snapshot (aws ec2 describe-snapshots --owner-ids self); a snapshot restores only "
                   f"in its own region: copy it first (aws ec2 copy-snapshot --region {ctx.settings.region} "
                   f"--source-region <region> --source-snapshot-id {snapshot_id})")
        return checks
    snap = snapshots[0]
    problems: list[tuple[str, str]] = []
    state, size = str(snap.get("State", "")), int(snap.get("VolumeSize", 0))
    if state != "completed":
        problems.append((f"its state is {state}, not completed",
                         "wait until it completes (aws ec2 wait snapshot-completed)" if state == "pending"
                         else "take or choose another snapshot"))
    if snap.get("StorageTier") == "archive" and not snap.get("RestoreExpiryTime"):
        problems.append(("it is in the archive tier", "restore it to the standard tier first "
                         f"(aws ec2 restore-snapshot-tier --snapshot-id {snapshot_id})"))
    wanted = ctx.settings.clickhouse.volume_size_gb
    if size > wanted:
        problems.append((f"it is {size} GiB and clickhouse.volumeSizeGb is {wanted}: a volume cannot be smaller "
                         "than its snapshot", f"set clickhouse.volumeSizeGb to at least {size}"))
    key_note = "not encrypted"
    if snap.get("Encrypted"):
        key = snap.get("KmsKeyId")
        if key:
            key_note, key_problem = kms_key_note(ctx, str(key))
            if key_problem:
                problems.append(key_problem)
        else:
            key_note = "encrypted (the KMS key is not reported)"
    what = f"{snapshot_id} ({size} GiB, {state}, owner {snap.get('OwnerId', '?')}, {key_note})"
    if problems:
        checks.add(name, FAIL, f"{what}: " + "; ".join(p for p, _ in problems), "; ".join(f for _, f in problems))
    else:
        checks.add(name, PASS, f"{what}; the volume is created at {wanted} GiB in {ctx.settings.region}")
    return checks


def check_restore_target(ctx: Context) -> Checks:
    """A restore goes into a new stack: not into one whose data stores exist, nor onto a live domain.

    Each restore key only acts when its store is created: the RDS instance ignores a snapshot after
    creation, and the StatefulSet's claim already exists in a live cluster (pulumi-kubernetes does
    not overwrite it). A stack file copied from the live one also copies its domain, whose alias
    record would collide with the live stack's.
    """
    checks = Checks()
    s = ctx.settings
    restore = s.restore
    if restore.postgres_snapshot is None and restore.clickhouse_snapshot is None:
        return checks
    name = "restore target (a new stack)"
    problems: list[tuple[str, str]] = []
    unchecked: list[str] = []
    if restore.postgres_snapshot is not None:
        identifier = f"{s.name_prefix}-postgres"
        try:
            ctx.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)
            problems.append((f"restore.postgresSnapshot: the RDS instance {identifier} already exists, and a snapshot "
                             "only acts when the instance is created (it would be ignored)",
                             "restore into a new stack (pulumi stack select <new> --create, another namePrefix), "
                             "or remove restore.postgresSnapshot"))
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) not in ("DBInstanceNotFound", "DBInstanceNotFoundFault"):
                unchecked.append(f"rds:DescribeDBInstances {identifier}: {one_line(exc)}")
    if restore.clickhouse_snapshot is not None:
        try:
            ctx.client("eks").describe_cluster(name=s.cluster_name)
            problems.append((f"restore.clickhouseSnapshot: the EKS cluster {s.cluster_name} already exists, so the "
                             "ClickHouse claim does too and the restored volume would never be used",
                             "restore into a new stack (another namePrefix), or remove restore.clickhouseSnapshot"))
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) != "ResourceNotFoundException":
                unchecked.append(f"eks:DescribeCluster {s.cluster_name}: {one_line(exc)}")
    if s.langsmith is not None and s.langsmith.domain and s.langsmith.hosted_zone_id:
        domain = s.langsmith.domain.rstrip(".").lower()
        try:
            records = ctx.client("route53").list_resource_record_sets(
                HostedZoneId=s.langsmith.hosted_zone_id, StartRecordName=domain, MaxItems="1")["ResourceRecordSets"]
            if records and str(records[0]["Name"]).rstrip(".").lower() == domain:
                problems.append((f"langsmith.domain: {domain} already has a {records[0]['Type']} record in "
                                 f"{s.langsmith.hosted_zone_id} (the live stack's, when the stack file was copied)",
                                 "set langsmith.domain to a new name for the restored stack "
                                 "(pulumi config set --path 'langsmith.domain' <new name>)"))
        except Exception as exc:  # noqa: BLE001
            unchecked.append(f"route53:ListResourceRecordSets {s.langsmith.hosted_zone_id}: {one_line(exc)}")
    if problems:
        checks.add(name, FAIL, "; ".join(p for p, _ in problems), "; ".join(f for _, f in problems))
    elif unchecked:
        checks.add(name, UNCHECKED, "; ".join(unchecked))
    else:
        checks.add(name, PASS, f"no RDS instance, EKS cluster or {s.langsmith.domain if s.langsmith else ''} "
                   "record of this stack's names exists yet")
    return checks
