"""AWS limits on the physical names the program derives from `namePrefix`, in one place.

Keyed by (Pulumi resource type, input property). `tests/test_name_limits.py` builds every shape with
the longest names the settings allow and checks every explicit name (and every Pulumi auto-name)
against this table; a named resource type missing from it fails the test, so a new name cannot
escape the check. Sources: the AWS API references named beside each entry, and the pulumi-aws
docstrings (pulumi_aws 7.51.1) where the provider adds a rule of its own (name prefixes).
"""

from __future__ import annotations

from typing import NamedTuple


class NameLimit(NamedTuple):
    max_length: int
    source: str


# A provider name prefix is completed with a 26-character unique suffix (Terraform's
# id.UniqueId()), so a prefix may use the limit less 26.
UNIQUE_SUFFIX_LENGTH = 26

NAME_LIMITS: dict[tuple[str, str], NameLimit] = {
    ("eks:index:Cluster", "name"): NameLimit(100, "EKS CreateCluster: name 1-100 characters"),
    ("aws:eks/addon:Addon", "clusterName"): NameLimit(100, "EKS CreateAddon: clusterName 1-100 characters"),
    ("pulumi:providers:kubernetes", "clusterIdentifier"): NameLimit(100, "the EKS cluster name"),
    ("eks:index:ManagedNodeGroup", "nodeGroupNamePrefix"): NameLimit(
        63 - UNIQUE_SUFFIX_LENGTH, "EKS CreateNodegroup: nodegroupName up to 63 characters; the provider appends 26"),
    ("aws:lb/loadBalancer:LoadBalancer", "name"): NameLimit(32, "ELBv2 CreateLoadBalancer: Name up to 32 characters"),
    ("aws:lb/targetGroup:TargetGroup", "name"): NameLimit(32, "ELBv2 CreateTargetGroup: Name up to 32 characters"),
    ("aws:iam/role:Role", "name"): NameLimit(64, "IAM CreateRole: RoleName 1-64 characters"),
    ("aws:iam/role:Role", "namePrefix"): NameLimit(64 - UNIQUE_SUFFIX_LENGTH, "IAM role name 64, less the provider's suffix"),
    ("aws:iam/policy:Policy", "name"): NameLimit(128, "IAM CreatePolicy: PolicyName 1-128 characters"),
    ("aws:iam/rolePolicy:RolePolicy", "name"): NameLimit(128, "IAM PutRolePolicy: PolicyName 1-128 characters"),
    ("aws:rds/instance:Instance", "identifier"): NameLimit(63, "RDS CreateDBInstance: DBInstanceIdentifier 1-63 characters"),
    ("aws:rds/instance:Instance", "finalSnapshotIdentifier"): NameLimit(255, "RDS DBSnapshotIdentifier 1-255 characters"),
    ("aws:rds/instance:Instance", "dbSubnetGroupName"): NameLimit(255, "RDS DBSubnetGroupName up to 255 characters"),
    ("aws:rds/subnetGroup:SubnetGroup", "name"): NameLimit(255, "RDS CreateDBSubnetGroup: up to 255 characters"),
    ("aws:rds/parameterGroup:ParameterGroup", "name"): NameLimit(255, "RDS CreateDBParameterGroup: 1-255 characters"),
    ("aws:rds/parameterGroup:ParameterGroup", "namePrefix"): NameLimit(
        255 - UNIQUE_SUFFIX_LENGTH, "RDS parameter group name 255, less the provider's suffix"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "replicationGroupId"): NameLimit(
        40, "ElastiCache CreateReplicationGroup: ReplicationGroupId 1-40 characters"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "subnetGroupName"): NameLimit(
        255, "ElastiCache CacheSubnetGroupName up to 255 characters"),
    ("aws:elasticache/subnetGroup:SubnetGroup", "name"): NameLimit(255, "ElastiCache CreateCacheSubnetGroup: 255 characters"),
    ("aws:s3/bucket:Bucket", "bucket"): NameLimit(63, "S3 bucket naming rules: 3-63 characters"),
    ("aws:s3/bucket:Bucket", "bucketPrefix"): NameLimit(37, "pulumi-aws s3.Bucket bucket_prefix: at most 37 characters"),
    ("aws:cloudwatch/logGroup:LogGroup", "name"): NameLimit(512, "CloudWatch Logs CreateLogGroup: logGroupName 1-512"),
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "name"): NameLimit(255, "CloudWatch PutMetricAlarm: AlarmName 1-255"),
    ("aws:cloudwatch/dashboard:Dashboard", "dashboardName"): NameLimit(255, "CloudWatch PutDashboard: DashboardName 1-255"),
    ("aws:kms/alias:Alias", "name"): NameLimit(256, "KMS CreateAlias: AliasName 1-256 characters"),
    ("aws:secretsmanager/secret:Secret", "name"): NameLimit(512, "Secrets Manager CreateSecret: Name 1-512 characters"),
    ("aws:wafv2/webAcl:WebAcl", "name"): NameLimit(128, "WAFV2 CreateWebACL: Name 1-128 characters"),
    ("aws:sns/topic:Topic", "name"): NameLimit(256, "SNS CreateTopic: Name up to 256 characters"),
    ("aws:backup/vault:Vault", "name"): NameLimit(50, "AWS Backup CreateBackupVault: BackupVaultName 2-50 characters"),
    ("aws:backup/plan:Plan", "name"): NameLimit(50, "AWS Backup BackupPlanName: 1-50 characters"),
    ("aws:backup/selection:Selection", "name"): NameLimit(50, "AWS Backup SelectionName: 1-50 characters"),
    ("aws:ecr/repository:Repository", "name"): NameLimit(256, "ECR CreateRepository: repositoryName 2-256 characters"),
    ("kubernetes:helm.sh/v3:Release", "name"): NameLimit(53, "Helm: release names are at most 53 characters"),
    ("kubernetes:core/v1:Namespace", "metadata.name"): NameLimit(63, "Kubernetes: namespace names are DNS-1123 labels (63)"),
}

# Pulumi auto-names (`<logical name>-<7 random characters>`) of these types must fit too.
AUTO_NAME_LIMITS: dict[str, NameLimit] = {
    "aws:lb/loadBalancer:LoadBalancer": NAME_LIMITS[("aws:lb/loadBalancer:LoadBalancer", "name")],
    "aws:lb/targetGroup:TargetGroup": NAME_LIMITS[("aws:lb/targetGroup:TargetGroup", "name")],
    "aws:iam/role:Role": NAME_LIMITS[("aws:iam/role:Role", "name")],
    "aws:iam/policy:Policy": NAME_LIMITS[("aws:iam/policy:Policy", "name")],
}

# namePrefix is at most this long: the tightest name built from it is the node group prefix
# `<namePrefix>-eks-clickhouse-` (16 more characters) within the 37 the provider allows.
NAME_PREFIX_MAX_LENGTH = NAME_LIMITS[("eks:index:ManagedNodeGroup", "nodeGroupNamePrefix")].max_length - len("-eks-clickhouse-")
