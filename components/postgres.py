"""RDS PostgreSQL for LangSmith's metadata.

In the data subnets, reachable on 5432 only from the security groups given as clients (the EKS
cluster's), TLS forced (the engine default from PostgreSQL 15, the parameter group before), storage
encrypted with the data key, the master password generated and kept by RDS in Secrets Manager (never
in Pulumi state), backups, slow statements logged and every log exported into log groups we create
(so they get our retention and KMS key), and in production deletion protection, a final snapshot,
Performance Insights and enhanced monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.iam import role_boundary_arn, service_trust_policy
from components.logs import log_group
from components.security import allow_tcp_from_security_group

POSTGRES_PORT = 5432
MASTER_USERNAME = "langsmith"
DATABASE_NAME = "langsmith"
LOG_EXPORTS = ("postgresql", "upgrade")
# RDS user guide, "Setting up and enabling Enhanced Monitoring" (the monitoring role's policy).
ENHANCED_MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
# RDS CA with a 2048-bit RSA key; clients verify against the RDS global bundle.
CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1"
# RDS for PostgreSQL sets rds.force_ssl=1 by default from major version 15 (RDS user guide, "Using
# SSL with a PostgreSQL DB instance"). A parameter set to its engine default never reads back as a
# user setting, so it shows as a change on every `pulumi up` (hashicorp/terraform-provider-aws#22857);
# it is set only where the default is 0.
FORCE_SSL_DEFAULT_FROM_MAJOR = 15
# Statements slower than this are logged (with their duration): the slow-query trail scanners ask for.
SLOW_STATEMENT_MS = 1000


def parameter_group_parameters(engine_version: str) -> list[tuple[str, str, str]]:
    """(name, value, apply method) of the parameters we set for a major version: none equals its default."""
    parameters = [
        # Dynamic parameters: applied at once, never waiting for a reboot.
        ("log_min_duration_statement", str(SLOW_STATEMENT_MS), "immediate"),
        ("log_connections", "1", "immediate"),
        # Schema changes are logged (CIS PostgreSQL benchmark: log_statement = ddl; engine default none):
        # our choice for an audit trail, not what checkov's CKV2_AWS_30 requires at 3.3.30.
        ("log_statement", "ddl", "immediate"),
    ]
    if int(engine_version) < FORCE_SSL_DEFAULT_FROM_MAJOR:
        parameters.insert(0, ("rds.force_ssl", "1", "pending-reboot"))
    return parameters


@dataclass(frozen=True)
class PostgresArgs:
    name_prefix: str
    account_id: str
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    data_kms_key_arn: pulumi.Input[str]
    secrets_kms_key_arn: pulumi.Input[str]
    logs_kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    engine_version: str
    instance_class: str
    allocated_storage_gb: int
    max_allocated_storage_gb: int
    multi_az: bool
    backup_retention_days: int
    production: bool
    protect: bool
    # restore.postgresSnapshot: the instance is created from this DB snapshot (identifier or ARN).
    snapshot_identifier: str | None = None


def final_snapshot_identifier(identifier: str, suffix: str) -> str:
    """`<identifier>-final-<suffix>`: a fixed name would meet the first destroy's snapshot on the
    second (DBSnapshotAlreadyExistsFault, with deletion protection already off)."""
    return f"{identifier}-final-{suffix}"


class Postgres(pulumi.ComponentResource):
    instance: aws.rds.Instance
    final_snapshot: pulumi.Output[str] | None
    security_group: aws.ec2.SecurityGroup
    address: pulumi.Output[str]
    port: pulumi.Output[int]
    master_secret_arn: pulumi.Output[str]

    def __init__(self, name: str, args: PostgresArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:Postgres", name, None, opts)
        self._name = name
        identifier = f"{args.name_prefix}-postgres"
        child = pulumi.ResourceOptions(parent=self)

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description=f"{identifier}: PostgreSQL from the EKS cluster only",
            tags={"Name": f"{identifier}"},
            opts=child,
        )
        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name=identifier,
            description=f"{identifier}: isolated data subnets",
            subnet_ids=args.subnet_ids,
            opts=child,
        )
        family = f"postgres{args.engine_version}"
        parameters = aws.rds.ParameterGroup(
            f"{name}-params",
            name_prefix=f"{identifier}-{family}-",
            family=family,
            description=f"{identifier}: TLS only, slow query logging",
            parameters=[aws.rds.ParameterGroupParameterArgs(name=n, value=v, apply_method=m)
                        for n, v, m in parameter_group_parameters(args.engine_version)],
            # A major upgrade replaces the group (its family follows the version); in production the
            # instance switches to the new one only at the maintenance window, and RDS refuses to
            # delete a group still in use: the old group is left behind (free; docs/upgrade.md).
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(retain_on_delete=True)),
        )
        # Every profile exports its logs (slow statements included) into groups we own.
        log_groups = [log_group(
            f"{name}-log-{export}", f"/aws/rds/instance/{identifier}/{export}",
            retention_days=args.log_retention_days, kms_key_arn=args.logs_kms_key_arn, parent=self,
        ) for export in LOG_EXPORTS]
        monitoring_role = None
        if args.production:
            monitoring_role = aws.iam.Role(
                f"{name}-monitoring",
                permissions_boundary=role_boundary_arn(args.account_id),
                description=f"{identifier}: RDS enhanced monitoring",
                assume_role_policy=service_trust_policy("monitoring.rds.amazonaws.com", args.account_id),
                opts=child,
            )
            aws.iam.RolePolicyAttachment(
                f"{name}-monitoring", role=monitoring_role.name, policy_arn=ENHANCED_MONITORING_POLICY, opts=child)

        # From a snapshot, RestoreDBInstanceFromDBSnapshot takes the database name, the master user
        # and the storage KMS key from the snapshot (it has no DBName for PostgreSQL, no
        # MasterUsername, no KmsKeyId: botocore's rds model). All three are ForceNew in the provider,
        # so a value set here that differs from the snapshot's would replace the restored instance on
        # the next `pulumi up`: leave them to the snapshot. The managed master password is applied
        # after the restore by a ModifyDBInstance (terraform-provider-aws#33699, which pulumi-aws 7 carries),
        # which creates a new RDS-managed secret; LangSmith reads the URL built from that secret.
        restoring = args.snapshot_identifier is not None
        # RestoreDBInstanceFromDBSnapshot keeps the snapshot's KMS key (it has no KmsKeyId: botocore's
        # rds model), and that key is the old stack's, which its teardown schedules for deletion. So the
        # snapshot is first copied under this stack's data key (CopyDBSnapshot takes KmsKeyId, and a
        # shared snapshot by ARN) and the instance restored from the copy: the database, its backups and
        # its final snapshot then depend on this stack's key only.
        source = None
        if args.snapshot_identifier is not None:
            source = aws.rds.SnapshotCopy(
                f"{name}-restore-source",
                source_db_snapshot_identifier=args.snapshot_identifier,
                target_db_snapshot_identifier=f"{identifier}-restore-source",
                kms_key_id=args.data_kms_key_arn,
                copy_tags=True,
                # Only the creation matters (as for the instance's snapshotIdentifier below).
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=["sourceDbSnapshotIdentifier"]),
            )
        # Drawn once and kept in state: each instance (each destroy + up) gets its own final snapshot.
        final_suffix = random.RandomId(f"{name}-final-snapshot", byte_length=4, opts=child) if args.production else None
        self.final_snapshot = (final_suffix.hex.apply(lambda suffix: final_snapshot_identifier(identifier, suffix))
                               if final_suffix is not None else None)
        self.instance = aws.rds.Instance(
            f"{name}-instance",
            identifier=identifier,
            snapshot_identifier=source.target_db_snapshot_identifier if source is not None else None,
            engine="postgres",
            # Major version only: RDS applies minor upgrades, and a pinned minor would then diff.
            engine_version=args.engine_version,
            auto_minor_version_upgrade=True,
            # ModifyDBInstance refuses a major version change without AllowMajorVersionUpgrade (botocore's
            # rds model); it only permits: the version itself is postgres.engineVersion (docs/upgrade.md).
            allow_major_version_upgrade=True,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gb,
            max_allocated_storage=args.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=None if restoring else args.data_kms_key_arn,
            db_name=None if restoring else DATABASE_NAME,
            username=None if restoring else MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.secrets_kms_key_arn,
            iam_database_authentication_enabled=True,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            parameter_group_name=parameters.name,
            publicly_accessible=False,
            multi_az=args.multi_az,
            ca_cert_identifier=CA_CERT_IDENTIFIER,
            port=POSTGRES_PORT,
            backup_retention_period=args.backup_retention_days,
            backup_window="03:00-04:00",
            maintenance_window="sun:04:30-sun:05:30",
            copy_tags_to_snapshot=True,
            deletion_protection=args.production,
            skip_final_snapshot=not args.production,
            final_snapshot_identifier=self.final_snapshot,
            performance_insights_enabled=args.production,
            performance_insights_kms_key_id=args.data_kms_key_arn if args.production else None,
            performance_insights_retention_period=7 if args.production else None,
            monitoring_interval=60 if args.production else 0,
            monitoring_role_arn=monitoring_role.arn if monitoring_role else None,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            apply_immediately=not args.production,
            # snapshotIdentifier is ForceNew: without this, removing or changing restore.postgresSnapshot
            # after the restore would replace the database. A snapshot only acts when the instance is created.
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=log_groups,
                                        ignore_changes=["snapshotIdentifier"]),
        )
        self.address = self.instance.address
        self.port = self.instance.port
        self.master_secret_arn = self.instance.master_user_secrets.apply(
            lambda secrets: (secrets[0].secret_arn or "") if secrets else "")
        self.register_outputs({
            "address": self.address,
            "masterSecretArn": self.master_secret_arn,
            "securityGroupId": self.security_group.id,
        })

    def allow_from(self, client_name: str, security_group_id: pulumi.Input[str]) -> None:
        """Open 5432 to one client security group (the EKS cluster's)."""
        allow_tcp_from_security_group(
            f"{self._name}-from-{client_name}",
            security_group_id=self.security_group.id,
            port=POSTGRES_PORT,
            source_security_group_id=security_group_id,
            description=f"PostgreSQL from {client_name}",
            parent=self,
        )
