"""The EKS cluster: control plane, managed node pools, EKS add-ons, StorageClasses, k8s provider.

- API authentication mode with access entries; the deploying principal is the cluster creator
  and keeps admin (pulumi-eks always bootstraps it); other admins come from config.
- Private endpoint always; the public endpoint only for listed CIDRs: `publicAccessCidrs` (people,
  tools) plus `deployerAccessCidrs` (the machine running `pulumi` while the VPC it creates has no
  runner inside yet); off when both lists are empty.
- Secrets envelope-encrypted with the secrets KMS key; all five control-plane log types into a log
  group we create first (retention, KMS); OIDC provider for IRSA; standard support only.
- Nodes only in private subnets, from our own launch template: IMDSv2 required, an encrypted gp3
  root volume. Hop limit 2, because the CloudWatch agent and Fluent Bit of the observability add-on
  read instance metadata from inside their pods; in exchange the VPC CNI enforces NetworkPolicies
  (`enableNetworkPolicy`) in strict mode (from each pod's start), and components/network_policies.py
  closes 169.254.169.254 to every pod of the LangSmith, agent, gateway and controller namespaces;
  every pod that needs AWS has its own IRSA role. kube-system gets an allow-all policy before
  CoreDNS, so strict mode cuts nothing off there.
- A dedicated ClickHouse pool (label + NoSchedule taint) in one AZ, so a replacement node lands
  where the EBS volume is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from components.args_form import from_args
from components.iam import policy_document, role_boundary_arn
from components.irsa import IrsaRole, IrsaRoleArgs
from components.versions import AMI_TYPES, EKS_ADDON_VERSIONS, KUBERNETES_VERSION
from components.logs import log_group
from components.network_policies import allow_all

CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
POOL_LABEL = "langsmith.com/pool"
CLICKHOUSE_TAINT_KEY = "langsmith.com/clickhouse"
IMDS_HOP_LIMIT = 2
# Pods start under a default deny until their NetworkPolicies are applied: no window without
# policy after start (standard mode has one, aws/aws-network-policy-agent#209). VPC CNI v1.17.1+
# (aws/amazon-vpc-cni-k8s@v1.21.1 README, NETWORK_POLICY_ENFORCING_MODE; EKS user guide,
# "Restrict Pod network traffic with Kubernetes network policies", step 1).
NETWORK_POLICY_ENFORCING_MODE = "strict"
ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
NODE_MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    # The VPC CNI add-on is created by pulumi-eks with the cluster, before the OIDC provider it
    # would need for its own IRSA role exists, so it uses the node role (AWS's default setup).
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
)
EBS_CSI_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
DEFAULT_STORAGE_CLASS = "gp3"
CLICKHOUSE_STORAGE_CLASS = "clickhouse-gp3"
# AWS Backup selects ClickHouse volumes by this tag, which the StorageClass puts on every volume.
CLICKHOUSE_BACKUP_TAG = ("langsmith.com/backup", "clickhouse")


def endpoint_allow_list(public_access_cidrs: Sequence[str], deployer_access_cidrs: Sequence[str]) -> list[str]:
    """The public endpoint's allow list: both lists, each CIDR once, in the order given."""
    return list(dict.fromkeys([*public_access_cidrs, *deployer_access_cidrs]))


@dataclass(frozen=True)
class NodePool:
    instance_types: Sequence[str]
    capacity_type: str
    min_size: int
    desired_size: int
    max_size: int
    disk_size_gb: int


@dataclass(frozen=True)
class ClusterArgs:
    cluster_name: str
    account_id: str
    region: str
    vpc_id: pulumi.Input[str]
    private_subnet_ids: pulumi.Input[Sequence[str]]
    secrets_kms_key_arn: pulumi.Input[str]
    data_kms_key_arn: pulumi.Input[str]
    logs_kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    general_pool: NodePool
    clickhouse_pool: NodePool | None
    clickhouse_volume_iops: int = 3000
    clickhouse_volume_throughput_mibps: int = 125
    public_access_cidrs: Sequence[str] = ()
    deployer_access_cidrs: Sequence[str] = ()
    admin_role_arns: Sequence[str] = ()
    deletion_protection: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    # x86_64 or arm64 (Graviton); settings/architecture.py checks the instance types and images.
    architecture: str = "x86_64"
    # The stack's aws:profile / last aws:assumeRoles role: the kubeconfig's `aws eks get-token` must
    # act as the principal that created the cluster (the only admin when adminRoleArns is empty).
    kubeconfig_profile: str | None = None
    kubeconfig_role_arn: str | None = None
    # The AWS CLI environment that carries the rest of the principal (settings/kubeconfig.py).
    kubeconfig_env: Mapping[str, str] = field(default_factory=dict)


def exec_kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str, *, profile: str | None,
                    role_arn: str | None, env: Mapping[str, str]) -> dict[str, Any]:
    """A kubeconfig whose `aws eks get-token` acts as the stack's principal: `--profile` and
    `--role-arn` as the stack sets them, and the carried environment. pulumi-eks's own
    `kubeconfigJson` is not used: it drops `--profile` (pulumi/pulumi-eks@v4.3.0
    nodejs/eks/cluster/cluster.ts: `CoreData.kubeconfig = kubeconfigWithoutProfile`) and carries
    nothing else."""
    args = ["--region", region, "eks", "get-token", "--cluster-name", cluster_name, "--output", "json"]
    if role_arn:
        args += ["--role-arn", role_arn]
    if profile:
        args += ["--profile", profile]
    user: dict[str, Any] = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
                                     "args": args, "interactiveMode": "Never"}}
    if env:
        user["exec"]["env"] = [{"name": k, "value": v} for k, v in sorted(env.items())]
    return {
        "apiVersion": "v1", "kind": "Config", "current-context": "aws",
        "clusters": [{"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
        "contexts": [{"name": "aws", "context": {"cluster": cluster_name, "user": "aws"}}],
        "users": [{"name": "aws", "user": user}],
    }


class Cluster(pulumi.ComponentResource):
    eks_cluster: eks.Cluster
    provider: k8s.Provider
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    general_node_group: eks.ManagedNodeGroup
    clickhouse_node_group: eks.ManagedNodeGroup | None
    addons: list[aws.eks.Addon]
    system_network_policy: k8s.networking.v1.NetworkPolicy
    storage_classes: list[k8s.storage.v1.StorageClass]

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:Cluster", name, None, opts)
        self._name = name
        self._args = args
        child = pulumi.ResourceOptions(parent=self)

        control_plane_logs = log_group(
            f"{name}-control-plane-logs", f"/aws/eks/{args.cluster_name}/cluster",  # the name EKS writes to
            retention_days=args.log_retention_days, kms_key_arn=args.logs_kms_key_arn, parent=self,
        )
        allowed_cidrs = endpoint_allow_list(args.public_access_cidrs, args.deployer_access_cidrs)
        public = bool(allowed_cidrs)
        self.eks_cluster = from_args(
            eks.Cluster, f"{name}-eks",
            eks.ClusterArgs(
                name=args.cluster_name,
                version=KUBERNETES_VERSION,
                vpc_id=args.vpc_id,
                private_subnet_ids=args.private_subnet_ids,
                node_associate_public_ip_address=False,
                skip_default_node_group=True,
                skip_default_security_groups=True,
                authentication_mode=eks.AuthenticationMode.API,
                access_entries={
                    f"admin-{i}": eks.AccessEntryArgs(
                        principal_arn=arn,
                        access_policies={"cluster-admin": eks.AccessPolicyAssociationArgs(
                            policy_arn=ADMIN_POLICY_ARN,
                            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                        )},
                    )
                    for i, arn in enumerate(args.admin_role_arns)
                },
                endpoint_private_access=True,
                endpoint_public_access=public,
                public_access_cidrs=allowed_cidrs if public else None,
                encryption_config_key_arn=args.secrets_kms_key_arn,
                enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
                create_oidc_provider=True,
                upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
                deletion_protection=args.deletion_protection,
                vpc_cni_options=eks.VpcCniOptionsArgs(
                    addon_version=EKS_ADDON_VERSIONS["vpc-cni"], enable_network_policy=True,
                    # pulumi-eks merges this `env` into the add-on's configuration (cni-addon.ts).
                    configuration_values={"env": {"NETWORK_POLICY_ENFORCING_MODE": NETWORK_POLICY_ENFORCING_MODE}}),
                kube_proxy_addon_options=eks.KubeProxyAddonOptionsArgs(version=EKS_ADDON_VERSIONS["kube-proxy"]),
                # CoreDNS is created below, once there are nodes to run it.
                coredns_addon_options=eks.CoreDnsAddonOptionsArgs(enabled=False),
                tags=dict(args.tags),
                provider_credential_opts=eks.KubeconfigOptionsArgs(
                    profile_name=args.kubeconfig_profile, role_arn=args.kubeconfig_role_arn,
                ) if args.kubeconfig_profile or args.kubeconfig_role_arn else None,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[control_plane_logs]),
        )
        self.oidc_provider_arn = self.eks_cluster.oidc_provider_arn
        self.oidc_issuer = self.eks_cluster.oidc_issuer
        self.cluster_security_group_id = self.eks_cluster.cluster_security_group_id

        node_role = aws.iam.Role(
            f"{name}-node-role",
            permissions_boundary=role_boundary_arn(args.account_id),
            description=f"{args.cluster_name}: EKS managed nodes",
            assume_role_policy=policy_document([{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]),
            opts=child,
        )
        attachments = [aws.iam.RolePolicyAttachment(f"{name}-node-{i}", role=node_role.name, policy_arn=arn, opts=child)
                       for i, arn in enumerate(NODE_MANAGED_POLICIES)]

        self.general_node_group = self._node_group(
            "general", args.general_pool, node_role, attachments, args.private_subnet_ids,
            labels={POOL_LABEL: "general"}, taints=[])
        self.clickhouse_node_group = None
        if args.clickhouse_pool is not None:
            first_subnet = pulumi.Output.from_input(args.private_subnet_ids).apply(lambda ids: [ids[0]])
            self.clickhouse_node_group = self._node_group(
                "clickhouse", args.clickhouse_pool, node_role, attachments, first_subnet,
                labels={POOL_LABEL: "clickhouse"},
                taints=[aws.eks.NodeGroupTaintArgs(key=CLICKHOUSE_TAINT_KEY, value="true", effect="NO_SCHEDULE")])

        ebs_csi_role = IrsaRole(f"{name}-ebs-csi", IrsaRoleArgs(
            oidc_provider_arn=self.oidc_provider_arn,
            oidc_issuer=self.oidc_issuer,
            namespace="kube-system",
            service_account="ebs-csi-controller-sa",
            description="EBS CSI driver",
            managed_policy_arns=[EBS_CSI_MANAGED_POLICY],
            # Volumes are encrypted with our data key: the driver may use that key, through EC2 only.
            policy=pulumi.Output.from_input(args.data_kms_key_arn).apply(lambda key: policy_document([
                {"Effect": "Allow", "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                 "Resource": key, "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
                {"Effect": "Allow",
                 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                 "Resource": key, "Condition": {"StringEquals": {"kms:ViaService": f"ec2.{args.region}.amazonaws.com"}}},
            ])),
        ), opts=child)
        cluster_name = self.eks_cluster.eks_cluster.name
        core = self.eks_cluster.eks_cluster
        self.kubeconfig = pulumi.Output.all(core.name, core.endpoint, core.certificate_authority.data).apply(
            lambda parts: json.dumps(exec_kubeconfig(
                parts[0], parts[1], parts[2], args.region, profile=args.kubeconfig_profile,
                role_arn=args.kubeconfig_role_arn, env=args.kubeconfig_env)))
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            # A stable identity: a kubeconfig change must not replace every Kubernetes resource.
            cluster_identifier=args.cluster_name,
            enable_server_side_apply=True,
            opts=child,
        )
        # Strict enforcement denies every pod no policy selects: kube-system's (CoreDNS, the EBS CSI
        # controller, the controllers of cluster_addons.py) keep all their traffic, from their start.
        self.system_network_policy = allow_all(
            f"{name}-kube-system-allow-all", namespace="kube-system", provider=self.provider, parent=self)
        after_nodes = [self.general_node_group, self.system_network_policy]
        self.addons = [
            aws.eks.Addon(
                f"{name}-coredns",
                cluster_name=cluster_name,
                addon_name="coredns",
                addon_version=EKS_ADDON_VERSIONS["coredns"],
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                opts=pulumi.ResourceOptions(parent=self, depends_on=after_nodes),
            ),
            aws.eks.Addon(
                f"{name}-ebs-csi",
                cluster_name=cluster_name,
                addon_name="aws-ebs-csi-driver",
                addon_version=EKS_ADDON_VERSIONS["aws-ebs-csi-driver"],
                service_account_role_arn=ebs_csi_role.arn,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                opts=pulumi.ResourceOptions(parent=self, depends_on=after_nodes),
            ),
        ]

        self.storage_classes = self._storage_classes()
        self._adopting_provider: k8s.Provider | None = None
        self.register_outputs({
            "clusterName": cluster_name,
            "oidcProviderArn": self.oidc_provider_arn,
            "clusterSecurityGroupId": self.cluster_security_group_id,
        })

    def adopting_provider(self) -> k8s.Provider:
        """A provider for cluster objects that a Helm release may have installed before this stack
        managed them (the hybrid LGP CRD): its Create updates an existing object. pulumi-kubernetes
        4.29+ (we pin 4.34) creates client-side and fails with AlreadyExists otherwise
        (`upsertExistingObjects`, pulumi-kubernetes CHANGELOG 4.29.0, #2926). Only for resources that
        are also `retain_on_delete`: with upsert, a rename's create-then-delete would delete the
        object just adopted."""
        if self._adopting_provider is None:
            self._adopting_provider = k8s.Provider(
                f"{self._name}-k8s-adopting",
                kubeconfig=self.kubeconfig,
                cluster_identifier=self._args.cluster_name,
                enable_server_side_apply=True,
                upsert_existing_objects=True,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return self._adopting_provider

    def _node_group(self, pool_name: str, pool: NodePool, node_role: aws.iam.Role,
                    attachments: list[aws.iam.RolePolicyAttachment], subnet_ids: pulumi.Input[Sequence[str]],
                    labels: dict[str, str], taints: list[aws.eks.NodeGroupTaintArgs]) -> eks.ManagedNodeGroup:
        args, name = self._args, self._name
        launch_template = from_args(
            aws.ec2.LaunchTemplate, f"{name}-{pool_name}-nodes",
            aws.ec2.LaunchTemplateArgs(
                description=f"{args.cluster_name} {pool_name} nodes: IMDSv2 only, encrypted gp3 root",
                metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                    http_endpoint="enabled",
                    http_tokens="required",
                    http_put_response_hop_limit=IMDS_HOP_LIMIT,
                    # No IPv6 IMDS endpoint: the pods' NetworkPolicies close the IPv4 one only.
                    http_protocol_ipv6="disabled",
                ),
                block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=pool.disk_size_gb,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )],
                update_default_version=True,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        return from_args(
            eks.ManagedNodeGroup, f"{name}-{pool_name}",
            eks.ManagedNodeGroupArgs(
                cluster=self.eks_cluster,
                node_role=node_role,
                node_group_name_prefix=f"{args.cluster_name}-{pool_name}-",
                instance_types=list(pool.instance_types),
                capacity_type=pool.capacity_type,
                operating_system=eks.OperatingSystem.AL2023,
                ami_type=AMI_TYPES[args.architecture],
                # With our own launch template pulumi-eks does not default the version to the cluster's: set,
                # the node groups follow each Kubernetes minor (UpdateNodegroupVersion, a rolling replacement)
                # after the control plane, which they depend on. Left unset they would stay behind, and the
                # next control-plane upgrade is refused (nodes at most the allowed skew behind).
                version=KUBERNETES_VERSION,
                scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                    min_size=pool.min_size, desired_size=pool.desired_size, max_size=pool.max_size),
                # Cluster Autoscaler owns the size after creation.
                ignore_scaling_changes=True,
                subnet_ids=subnet_ids,
                labels=labels,
                taints=taints,
                launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                    id=launch_template.id, version=launch_template.latest_version.apply(str)),
                tags={
                    "k8s.io/cluster-autoscaler/enabled": "true",
                    f"k8s.io/cluster-autoscaler/{args.cluster_name}": "owned",
                    **{f"k8s.io/cluster-autoscaler/node-template/label/{k}": v for k, v in labels.items()},
                    **dict(args.tags),
                },
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[*attachments]),
        )

    def _storage_classes(self) -> list[k8s.storage.v1.StorageClass]:
        args, name = self._args, self._name
        # EKS 1.30+ marks no StorageClass as default; this one becomes the default.
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=self.addons)
        default = k8s.storage.v1.StorageClass(
            f"{name}-gp3",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=DEFAULT_STORAGE_CLASS, annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true", "kmsKeyId": args.data_kms_key_arn},
            reclaim_policy="Delete",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=k8s_opts,
        )
        classes = [default]
        if args.clickhouse_pool is not None:
            backup_key, backup_value = CLICKHOUSE_BACKUP_TAG
            classes.append(k8s.storage.v1.StorageClass(
                f"{name}-clickhouse",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=CLICKHOUSE_STORAGE_CLASS),
                provisioner="ebs.csi.aws.com",
                parameters={
                    "type": "gp3",
                    "iops": str(args.clickhouse_volume_iops),
                    "throughput": str(args.clickhouse_volume_throughput_mibps),
                    "encrypted": "true",
                    "kmsKeyId": args.data_kms_key_arn,
                    "tagSpecification_1": f"{backup_key}={backup_value}",
                },
                # The traces live here: a deleted claim must not delete the volume.
                reclaim_policy="Retain",
                volume_binding_mode="WaitForFirstConsumer",
                allow_volume_expansion=True,
                opts=k8s_opts,
            ))
        return classes
