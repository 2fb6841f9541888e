"""What IAM permissions each resource type needs: the provider's create, read, update, delete and
tag calls named as IAM actions (Pulumi resource type -> actions), read by `deployer_policy`.

A type the plans register and this table lacks stops the generation (`required_actions`), so a
new resource type cannot ship without its permissions.
"""

from __future__ import annotations

_S3_BUCKET_READ = (
    "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketVersioning",
    "s3:GetAccelerateConfiguration", "s3:GetBucketRequestPayment", "s3:GetBucketLogging",
    "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration",
    "s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging", "s3:GetBucketPolicy", "s3:GetBucketLocation",
    "s3:ListBucket", "s3:GetBucketOwnershipControls", "s3:GetBucketPublicAccessBlock",
)
_EC2_TAGS = ("ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags")
_IAM_ROLE = (
    "iam:CreateRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole",
    "iam:TagRole", "iam:UntagRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole", "iam:PutRolePermissionsBoundary",
    # terraform-provider-aws internal/service/iam/role.go resourceRoleUpdate: a changed description
    "iam:UpdateRoleDescription",
)
_LOG_GROUP = (
    "logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
    "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource",
    "logs:UntagResource", "logs:ListTagsForResource",
)
_EKS_ADDON = ("eks:CreateAddon", "eks:DescribeAddon", "eks:UpdateAddon", "eks:DeleteAddon", "eks:DescribeAddonVersions",
              "eks:DescribeAddonConfiguration", "eks:TagResource", "eks:UntagResource", "eks:ListTagsForResource")
# ElastiCache creates and deletes its network interfaces with the caller's permissions: the IAM
# Service Authorization Reference lists these as dependent actions of CreateReplicationGroup,
# Modify/DeleteReplicationGroup, Increase/DecreaseReplicaCount and DeleteCacheSubnetGroup.
_ELASTICACHE_ENIS = ("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
                     "ec2:DescribeSubnets", "ec2:DescribeVpcs")

# Pulumi resource type -> IAM actions the provider needs to create, read, update, delete and tag it.
RESOURCE_ACTIONS: dict[str, tuple[str, ...]] = {
    # The AWS provider itself (credentials check, account and region lookups) and the program's
    # lookups (aws.get_caller_identity, aws.get_availability_zones, aws.ec2.get_vpc).
    "pulumi:providers:aws": ("sts:GetCallerIdentity", "ec2:DescribeAvailabilityZones", "ec2:DescribeRegions",
                             "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"),
    # Kubernetes objects and Helm releases go through the cluster's access entry (the creator is
    # admin); the kubeconfig's `aws eks get-token` signs an STS call that needs no IAM action.
    "pulumi:providers:kubernetes": ("eks:DescribeCluster",),
    "aws:acm/certificate:Certificate": (
        "acm:RequestCertificate", "acm:DescribeCertificate", "acm:DeleteCertificate", "acm:AddTagsToCertificate",
        "acm:RemoveTagsFromCertificate", "acm:ListTagsForCertificate", "acm:UpdateCertificateOptions"),
    "aws:acm/certificateValidation:CertificateValidation": ("acm:DescribeCertificate",),
    "aws:backup/plan:Plan": (
        "backup:CreateBackupPlan", "backup:GetBackupPlan", "backup:UpdateBackupPlan", "backup:DeleteBackupPlan",
        "backup:TagResource", "backup:UntagResource", "backup:ListTags"),
    "aws:backup/selection:Selection": (
        "backup:CreateBackupSelection", "backup:GetBackupSelection", "backup:DeleteBackupSelection", "iam:PassRole"),
    "aws:backup/vault:Vault": (
        "backup:CreateBackupVault", "backup:DescribeBackupVault", "backup:DeleteBackupVault", "backup:TagResource",
        "backup:UntagResource", "backup:ListTags", "backup:ListRecoveryPointsByBackupVault",
        "backup:DeleteRecoveryPoint", "backup-storage:MountCapsule", "kms:CreateGrant", "kms:DescribeKey",
        "kms:GenerateDataKey", "kms:Decrypt", "kms:RetireGrant"),
    "aws:cloudwatch/dashboard:Dashboard": (
        "cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"),
    "aws:cloudwatch/logGroup:LogGroup": _LOG_GROUP,
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms",
        "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
        *_EC2_TAGS),
    "aws:ec2/eip:Eip": ("ec2:AllocateAddress", "ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute",
                        "ec2:ReleaseAddress", "ec2:DisassociateAddress", *_EC2_TAGS),
    "aws:ec2/flowLog:FlowLog": ("ec2:CreateFlowLogs", "ec2:DescribeFlowLogs", "ec2:DeleteFlowLogs", "iam:PassRole",
                                "logs:CreateLogDelivery", "logs:DeleteLogDelivery", *_EC2_TAGS),
    "aws:ec2/internetGateway:InternetGateway": (
        "ec2:CreateInternetGateway", "ec2:DescribeInternetGateways", "ec2:AttachInternetGateway",
        "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway", *_EC2_TAGS),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        "ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate",
        "ec2:DeleteLaunchTemplate", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", *_EC2_TAGS),
    "aws:ec2/natGateway:NatGateway": ("ec2:CreateNatGateway", "ec2:DescribeNatGateways", "ec2:DeleteNatGateway",
                                      *_EC2_TAGS),
    "aws:ec2/route:Route": ("ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute", "ec2:DescribeRouteTables"),
    "aws:ec2/routeTable:RouteTable": ("ec2:CreateRouteTable", "ec2:DescribeRouteTables", "ec2:DeleteRouteTable",
                                      *_EC2_TAGS),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation",
        "ec2:DescribeRouteTables"),
    "aws:ec2/securityGroup:SecurityGroup": (
        "ec2:CreateSecurityGroup", "ec2:DescribeSecurityGroups", "ec2:DeleteSecurityGroup",
        "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
        "ec2:DescribeNetworkInterfaces", *_EC2_TAGS),
    "aws:ec2/subnet:Subnet": ("ec2:CreateSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute",
                              "ec2:DeleteSubnet", "ec2:DescribeNetworkInterfaces", *_EC2_TAGS),
    "aws:ec2/vpc:Vpc": ("ec2:CreateVpc", "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:ModifyVpcAttribute",
                        "ec2:DeleteVpc", "ec2:DescribeNetworkAcls", "ec2:DescribeSecurityGroups",
                        "ec2:DescribeRouteTables", *_EC2_TAGS),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (
        "ec2:CreateVpcEndpoint", "ec2:DescribeVpcEndpoints", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints",
        "ec2:DescribePrefixLists", "ec2:DescribeVpcEndpointServices", *_EC2_TAGS,
        # private DNS of an interface endpoint associates the VPC with AWS's private hosted zone
        "route53:AssociateVPCWithHostedZone"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (
        "ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy"),
    "aws:ecr/repository:Repository": (
        "ecr:CreateRepository", "ecr:DescribeRepositories", "ecr:DeleteRepository", "ecr:PutImageScanningConfiguration",
        "ecr:PutImageTagMutability", "ecr:TagResource", "ecr:UntagResource", "ecr:ListTagsForResource",
        "kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": (
        "ecr:SetRepositoryPolicy", "ecr:GetRepositoryPolicy", "ecr:DeleteRepositoryPolicy"),
    "aws:eks/addon:Addon": _EKS_ADDON,
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "elasticache:CreateReplicationGroup", "elasticache:DescribeReplicationGroups",
        "elasticache:ModifyReplicationGroup", "elasticache:DeleteReplicationGroup", "elasticache:DescribeCacheClusters",
        "elasticache:AddTagsToResource", "elasticache:RemoveTagsFromResource", "elasticache:ListTagsForResource",
        "elasticache:IncreaseReplicaCount", "elasticache:DecreaseReplicaCount", "elasticache:DescribeUpdateActions",
        "kms:CreateGrant", "kms:DescribeKey", "logs:CreateLogDelivery", "logs:GetLogDelivery",
        "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
        "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", *_ELASTICACHE_ENIS),
    "aws:elasticache/subnetGroup:SubnetGroup": (
        "elasticache:CreateCacheSubnetGroup", "elasticache:DescribeCacheSubnetGroups",
        "elasticache:ModifyCacheSubnetGroup", "elasticache:DeleteCacheSubnetGroup",
        "elasticache:AddTagsToResource", "elasticache:ListTagsForResource", *_ELASTICACHE_ENIS),
    "aws:iam/role:Role": _IAM_ROLE,
    "aws:iam/rolePolicy:RolePolicy": ("iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"),
    "aws:kms/alias:Alias": ("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"),
    "aws:kms/key:Key": (
        "kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
        "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion",
        "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource"),
    "aws:lb/listener:Listener": (
        "elasticloadbalancing:CreateListener", "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:ModifyListener", "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags",
        "acm:DescribeCertificate"),
    "aws:lb/loadBalancer:LoadBalancer": (
        "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:SetIpAddressType", "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags",
        "iam:CreateServiceLinkedRole"),
    "aws:lb/targetGroup:TargetGroup": (
        "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags"),
    "aws:rds/instance:Instance": (
        "rds:CreateDBInstance", "rds:DescribeDBInstances", "rds:ModifyDBInstance", "rds:DeleteDBInstance",
        "rds:RebootDBInstance", "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
        "rds:DescribeDBSnapshots", "rds:CreateDBSnapshot", "rds:RestoreDBInstanceFromDBSnapshot",
        "iam:PassRole", "iam:CreateServiceLinkedRole", "kms:CreateGrant", "kms:DescribeKey",
        "secretsmanager:CreateSecret", "secretsmanager:RotateSecret", "secretsmanager:TagResource",
        "secretsmanager:DescribeSecret", "secretsmanager:DeleteSecret"),
    "aws:rds/parameterGroup:ParameterGroup": (
        "rds:CreateDBParameterGroup", "rds:DescribeDBParameterGroups", "rds:DescribeDBParameters",
        "rds:ModifyDBParameterGroup", "rds:ResetDBParameterGroup", "rds:DeleteDBParameterGroup",
        "rds:AddTagsToResource", "rds:ListTagsForResource"),
    "aws:rds/subnetGroup:SubnetGroup": (
        "rds:CreateDBSubnetGroup", "rds:DescribeDBSubnetGroups", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup",
        "rds:AddTagsToResource", "rds:ListTagsForResource"),
    "aws:route53/healthCheck:HealthCheck": (
        "route53:CreateHealthCheck", "route53:GetHealthCheck", "route53:UpdateHealthCheck", "route53:DeleteHealthCheck",
        "route53:ChangeTagsForResource", "route53:ListTagsForResource"),
    "aws:route53/record:Record": (
        "route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:GetHostedZone",
        "route53:GetChange"),
    "aws:s3/bucket:Bucket": ("s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketTagging", *_S3_BUCKET_READ,
                             # force-destroying an unprotected bucket empties it first
                             "s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
    "aws:s3/bucketLogging:BucketLogging": ("s3:PutBucketLogging", "s3:GetBucketLogging"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        "s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
    "aws:s3/bucketPolicy:BucketPolicy": ("s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        "s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"),
    "aws:s3/bucketVersioning:BucketVersioning": ("s3:PutBucketVersioning", "s3:GetBucketVersioning"),
    "aws:secretsmanager/secret:Secret": (
        "secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:UpdateSecret",
        "secretsmanager:DeleteSecret", "secretsmanager:GetResourcePolicy", "secretsmanager:PutResourcePolicy",
        "secretsmanager:DeleteResourcePolicy", "secretsmanager:TagResource", "secretsmanager:UntagResource",
        "secretsmanager:ReplicateSecretToRegions", "kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"),
    "aws:secretsmanager/secretVersion:SecretVersion": (
        "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue", "secretsmanager:UpdateSecretVersionStage",
        "secretsmanager:DescribeSecret", "kms:GenerateDataKey", "kms:Decrypt"),
    "aws:sns/topic:Topic": (
        "sns:CreateTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:DeleteTopic", "sns:TagResource",
        "sns:UntagResource", "sns:ListTagsForResource", "sns:Subscribe", "sns:Unsubscribe",
        "sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:DescribeSecurityGroupRules",
        "ec2:ModifySecurityGroupRules", *_EC2_TAGS),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DescribeSecurityGroupRules",
        "ec2:ModifySecurityGroupRules", *_EC2_TAGS),
    "aws:wafv2/webAcl:WebAcl": (
        "wafv2:CreateWebACL", "wafv2:GetWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL", "wafv2:ListWebACLs",
        "wafv2:TagResource", "wafv2:UntagResource", "wafv2:ListTagsForResource"),
    "aws:wafv2/webAclAssociation:WebAclAssociation": (
        "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "wafv2:GetWebACLForResource",
        "elasticloadbalancing:SetWebAcl"),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (
        "wafv2:PutLoggingConfiguration", "wafv2:GetLoggingConfiguration", "wafv2:DeleteLoggingConfiguration",
        "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
        "iam:CreateServiceLinkedRole"),
    # Types the shipped stacks do not register but settings switch on (FEATURE_TYPES), or that a
    # component may move to; mapped ahead so that the generation does not stop on them.
    "aws:ebs/volume:Volume": (
        "ec2:CreateVolume", "ec2:DescribeVolumes", "ec2:DescribeVolumeAttribute", "ec2:ModifyVolume",
        "ec2:DescribeVolumesModifications", "ec2:DeleteVolume", "ec2:DescribeSnapshots", *_EC2_TAGS,
        # an encrypted volume from a snapshot, under the stack's data key
        "kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom",
        "kms:ReEncryptTo", "kms:Decrypt"),
    "aws:ec2/tag:Tag": ("ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags"),
    "aws:sns/topicSubscription:TopicSubscription": (
        "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"),
    "aws:iam/policy:Policy": (
        "iam:CreatePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions",
        "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:TagPolicy",
        "iam:UntagPolicy"),
    "aws:eks/accessEntry:AccessEntry": (
        "eks:CreateAccessEntry", "eks:DescribeAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry",
        "eks:TagResource", "eks:UntagResource"),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (
        "eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy", "eks:ListAssociatedAccessPolicies"),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": (
        "logs:PutMetricFilter", "logs:DescribeMetricFilters", "logs:DeleteMetricFilter"),
    "aws:ec2/securityGroupRule:SecurityGroupRule": (
        "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"),
    # pulumi-eks components: the children the provider plugin creates (cluster, its IAM role and
    # policy attachments, the OIDC provider, access entries, the vpc-cni and kube-proxy add-ons).
    "eks:index:Cluster": (
        "eks:CreateCluster", "eks:DescribeCluster", "eks:UpdateClusterConfig", "eks:UpdateClusterVersion",
        "eks:DeleteCluster", "eks:DescribeUpdate", "eks:ListClusters", "eks:TagResource", "eks:UntagResource",
        "eks:ListTagsForResource", "eks:AssociateEncryptionConfig", "eks:CreateAccessEntry",
        "eks:DescribeAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:AssociateAccessPolicy",
        "eks:DisassociateAccessPolicy", "eks:ListAssociatedAccessPolicies", *_EKS_ADDON, *_IAM_ROLE,
        "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PassRole", "iam:CreateServiceLinkedRole",
        "iam:CreateOpenIDConnectProvider", "iam:GetOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider",
        "iam:UpdateOpenIDConnectProviderThumbprint", "iam:TagOpenIDConnectProvider",
        "iam:UntagOpenIDConnectProvider", "kms:CreateGrant", "kms:DescribeKey",
        "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", *_LOG_GROUP),
    "eks:index:ManagedNodeGroup": (
        "eks:CreateNodegroup", "eks:DescribeNodegroup", "eks:UpdateNodegroupConfig", "eks:UpdateNodegroupVersion",
        "eks:DeleteNodegroup", "eks:ListNodegroups", "eks:DescribeUpdate", "eks:TagResource", "eks:UntagResource",
        "iam:PassRole", "iam:GetRole", "iam:CreateServiceLinkedRole", "ec2:DescribeLaunchTemplateVersions",
        "ec2:DescribeSubnets", "ec2:RunInstances", "ec2:CreateTags"),
}
# Types the four stacks' plans do not show because a setting switches them on; the deployer must
# be able to create them too (a restore is a `pulumi up`, not a request for more permissions).
FEATURE_TYPES = {
    "aws:ebs/volume:Volume": "ClickHouse restored from an EBS snapshot",
    "aws:sns/topicSubscription:TopicSubscription": "observability.alarmEmail",
    "aws:ec2/tag:Tag": "BYOC tags on an existing VPC and subnets (network.existing)",
}
# Types that need no AWS permission: Kubernetes objects (the cluster's RBAC decides), random values.
NO_AWS_ACTIONS_PREFIXES = ("kubernetes:", "random:")

# Services whose roles we pass (iam:PassRole), and that get a service-linked role on first use.
PASS_ROLE_TO = ("eks.amazonaws.com", "ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com", "backup.amazonaws.com",
                "monitoring.rds.amazonaws.com")
SERVICE_LINKED_ROLES = ("eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "elasticloadbalancing.amazonaws.com",
                        "rds.amazonaws.com", "elasticache.amazonaws.com", "autoscaling.amazonaws.com",
                        "wafv2.amazonaws.com",
                        # AWSServiceRoleForBackup, created on the first backup plan of an account (AWS Backup
                        # developer guide, "Using service-linked roles for AWS Backup")
                        "backup.amazonaws.com")

# The preflight's own read calls (tools/preflight/), granted with the deploy so that the documented CI
# run checks instead of reporting "could not check" (tests/test_deployer_policy.py scans the calls).
PREFLIGHT_ACTIONS = (
    "sts:GetCallerIdentity", "iam:GetRole", "iam:SimulatePrincipalPolicy", "account:GetRegionOptStatus",
    "ec2:DescribeRegions", "ec2:DescribeAvailabilityZones", "ec2:DescribeSubnets", "ec2:DescribeSnapshots",
    "ec2:DescribeAddresses", "ec2:DescribeRouteTables", "ec2:DescribeVpcs", "ec2:DescribeInstances",
    "ec2:DescribeInternetGateways", "ec2:DescribeNatGateways", "ec2:DescribeInstanceTypeOfferings",
    "eks:DescribeCluster", "eks:ListClusters", "eks:DescribeAddonVersions", "eks:DescribeClusterVersions",
    "kms:DescribeKey", "rds:DescribeDBSnapshots", "route53:GetHostedZone",
    "elasticloadbalancing:DescribeLoadBalancers",
    "servicequotas:GetServiceQuota", "servicequotas:GetAWSDefaultServiceQuota",
    # Service Quotas reads the load balancer quota (L-53DA6B97) with the caller's rights (a dependent action)
    "elasticloadbalancing:DescribeAccountLimits",
    # BYOVPC's network contract (tools/preflight/byoc.py) and the agent image repositories
    "ec2:DescribeNetworkAcls", "ec2:DescribeVpcAttribute", "ecr:DescribeRepositories", "ecr:DescribeImages",
    # the restore target must not be live: its instance, and its domain's records
    "rds:DescribeDBInstances", "route53:ListResourceRecordSets",
    # who is the existing cluster's creator, and whether the caller has an entry (tools/preflight/identity.py)
    "eks:ListAccessEntries", "eks:DescribeAccessEntry",
)
