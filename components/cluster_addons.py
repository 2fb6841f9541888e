"""The controllers LangSmith needs, as Helm releases with pinned charts and their own IRSA roles.

- AWS Load Balancer Controller: only registers pods into the target groups of the ALB we own
  (TargetGroupBinding). Its policy has no create or delete rights, so it cannot make load balancers.
- External Secrets Operator: no AWS identity of its own; each namespace's SecretStore reads through
  a role of that namespace (components/external_secrets.py). Its chart no longer aggregates
  SecretStore/ExternalSecret rights into the built-in edit and admin roles, nor grants the
  controller tokens of every service account.
- KEDA: the event-driven autoscaler LangSmith Deployments and the hybrid data plane rely on.
- Cluster Autoscaler: scales only the node groups tagged as this cluster's.
- Metrics Server: resource metrics for HPAs and `kubectl top`.

External Secrets and KEDA run in namespaces of ours (adopted where Helm created them on older
stacks), each with a policy that keeps its pods from instance metadata, in place before the
release: under strict network policy enforcement a pod no policy selects has no network.
The kube-system controllers are covered by the cluster's allow-all policy there.

The load balancer controller's chart ships its CRDs (TargetGroupBinding and the rest) in Helm's
`crds/`, which Helm never upgrades: the stack applies them at the pinned version before the
release (components/chart_crds.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.chart_crds import apply_chart_crds
from components.external_secrets import ESO_SERVICE_ACCOUNT
from components.helm import helm_release
from components.iam import policy_document
from components.irsa import IrsaRole, IrsaRoleArgs
from components.network_policies import deny_instance_metadata
from components.versions import (
    AWS_LOAD_BALANCER_CONTROLLER,
    CLUSTER_AUTOSCALER,
    CLUSTER_AUTOSCALER_IMAGE_TAG,
    EXTERNAL_SECRETS,
    KEDA,
    METRICS_SERVER,
    HelmChart,
)

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
LBC_SERVICE_ACCOUNT = ("kube-system", "aws-load-balancer-controller")
# The load balancer controller's pod mutating webhook injects target-health readiness gates into the
# pods a TargetGroupBinding serves, in namespaces carrying this label: the chart's default
# namespaceSelector (aws/eks-charts, aws-load-balancer-controller 3.5.0, templates/webhook.yaml).
# Its failurePolicy is Ignore, so the webhook must exist before such pods are created.
POD_READINESS_GATE_LABEL = ("elbv2.k8s.aws/pod-readiness-gate-inject", "enabled")
AUTOSCALER_SERVICE_ACCOUNT = ("kube-system", "cluster-autoscaler")
KEDA_NAMESPACE = "keda"
RELEASE_TIMEOUT_SECONDS = 600


def resources(cpu: str, memory: str, memory_limit: str | None = None) -> dict[str, Any]:
    """Requests, and a memory limit (no CPU limit: throttling hurts more than it protects)."""
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory_limit or memory}}


def load_balancer_controller_policy() -> str:
    return policy_document([
        {"Sid": "Discover", "Effect": "Allow", "Resource": "*", "Action": [
            "ec2:DescribeAccountAttributes", "ec2:DescribeAvailabilityZones", "ec2:DescribeInstances",
            "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
            "ec2:DescribeTags", "ec2:DescribeVpcs",
            "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth"]},
        {"Sid": "RegisterPodsInTargetGroups", "Effect": "Allow",
         "Resource": "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
         "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]},
    ])


def cluster_autoscaler_policy(cluster_name: str) -> str:
    return policy_document([
        {"Sid": "Discover", "Effect": "Allow", "Resource": "*", "Action": [
            "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
            "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
            "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
            "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements",
            "eks:DescribeNodegroup"]},
        {"Sid": "ScaleOwnNodeGroups", "Effect": "Allow", "Resource": "*",
         "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
         "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}}},
    ])


@dataclass(frozen=True)
class ClusterAddonsArgs:
    cluster_name: str
    region: str
    vpc_id: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    provider: k8s.Provider
    # For the namespaces Helm created on stacks that predate them being ours, and the CRDs Helm's
    # first install created from a chart's crds/ (Cluster.adopting_provider).
    adopting_provider: k8s.Provider
    # What must exist before pods can run (node groups, CoreDNS).
    depends_on: Sequence[pulumi.Resource] = ()


class ClusterAddons(pulumi.ComponentResource):
    load_balancer_controller: k8s.helm.v3.Release
    external_secrets: k8s.helm.v3.Release
    keda: k8s.helm.v3.Release
    cluster_autoscaler: k8s.helm.v3.Release
    metrics_server: k8s.helm.v3.Release

    def __init__(self, name: str, args: ClusterAddonsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:ClusterAddons", name, None, opts)
        self._name = name
        self._args = args

        lbc_role = self._role("load-balancer-controller", LBC_SERVICE_ACCOUNT, "AWS Load Balancer Controller",
                              load_balancer_controller_policy())
        autoscaler_role = self._role("cluster-autoscaler", AUTOSCALER_SERVICE_ACCOUNT, "Cluster Autoscaler",
                                     cluster_autoscaler_policy(args.cluster_name))

        namespace, account = LBC_SERVICE_ACCOUNT
        lbc_crds = apply_chart_crds(f"{name}-aws-load-balancer-controller", AWS_LOAD_BALANCER_CONTROLLER,
                                    provider=args.adopting_provider, parent=self)
        self.load_balancer_controller = self._release("aws-load-balancer-controller", AWS_LOAD_BALANCER_CONTROLLER,
                                                      namespace, {
            "clusterName": args.cluster_name,
            # Given explicitly, so the controller never depends on instance metadata.
            "region": args.region,
            "vpcId": args.vpc_id,
            "replicaCount": 2,
            "serviceAccount": {"create": True, "name": account, "annotations": {ROLE_ARN_ANNOTATION: lbc_role.arn}},
            # Do not turn LoadBalancer Services into NLBs: the ALB is ours, Services stay internal.
            "enableServiceMutatorWebhook": False,
            "resources": resources("100m", "128Mi", "256Mi"),
        }, crds=lbc_crds)
        namespace, account = ESO_SERVICE_ACCOUNT
        self.external_secrets = self._release("external-secrets", EXTERNAL_SECRETS, namespace, {
            "installCRDs": True,
            # No IRSA role: a SecretStore without auth would lend it to whoever may create one.
            "serviceAccount": {"create": True, "name": account},
            # The chart's defaults (values.yaml at 2.8.0 and 2.9.0: rbac.aggregateToEdit/Admin true) let anyone
            # with `edit` or `admin` in a namespace create SecretStores and ExternalSecrets there, and
            # give the controller tokens of every service account (serviceAccountTokenCreate); each
            # store's namespace grants it its reader's token instead (ESO's security best practices).
            # `view` keeps get/list/watch on them, which reveals no secret value.
            "rbac": {"aggregateToEdit": False, "aggregateToAdmin": False, "serviceAccountTokenCreate": False},
            "resources": resources("50m", "128Mi", "256Mi"),
            "webhook": {"resources": resources("20m", "64Mi", "128Mi")},
            "certController": {"resources": resources("20m", "64Mi", "256Mi")},
        }, own_namespace=True)
        self.keda = self._release("keda", KEDA, KEDA_NAMESPACE, {
            "resources": {
                "operator": resources("100m", "128Mi", "512Mi"),
                "metricServer": resources("100m", "128Mi", "512Mi"),
                "webhooks": resources("50m", "64Mi", "256Mi"),
            },
        }, own_namespace=True)
        namespace, account = AUTOSCALER_SERVICE_ACCOUNT
        self.cluster_autoscaler = self._release("cluster-autoscaler", CLUSTER_AUTOSCALER, namespace, {
            "cloudProvider": "aws",
            "awsRegion": args.region,
            "autoDiscovery": {"clusterName": args.cluster_name},
            "image": {"tag": CLUSTER_AUTOSCALER_IMAGE_TAG},
            "rbac": {"serviceAccount": {"create": True, "name": account,
                                        "annotations": {ROLE_ARN_ANNOTATION: autoscaler_role.arn}}},
            "extraArgs": {"balance-similar-node-groups": True, "expander": "least-waste",
                          "skip-nodes-with-system-pods": False},
            "resources": resources("100m", "300Mi", "600Mi"),
        })
        self.metrics_server = self._release("metrics-server", METRICS_SERVER, "kube-system", {
            "resources": resources("100m", "200Mi", "400Mi"),
        })
        self.register_outputs({})

    def _role(self, suffix: str, service_account: tuple[str, str], description: str,
              policy: pulumi.Input[str]) -> IrsaRole:
        namespace, account = service_account
        return IrsaRole(f"{self._name}-{suffix}", IrsaRoleArgs(
            oidc_provider_arn=self._args.oidc_provider_arn,
            oidc_issuer=self._args.oidc_issuer,
            namespace=namespace,
            service_account=account,
            description=description,
            policy=policy,
        ), opts=pulumi.ResourceOptions(parent=self))

    def _release(self, release_name: str, chart: HelmChart, namespace: str, values: Mapping[str, Any],
                 own_namespace: bool = False,
                 crds: Sequence[k8s.apiextensions.v1.CustomResourceDefinition] = ()) -> k8s.helm.v3.Release:
        depends_on = list(self._args.depends_on)
        if own_namespace:
            depends_on += self._namespace(release_name, namespace)
        return helm_release(f"{self._name}-{release_name}", release_name=release_name, chart=chart,
                            namespace=namespace, values=values, provider=self._args.provider, parent=self,
                            timeout=RELEASE_TIMEOUT_SECONDS, depends_on=depends_on, crds=crds)

    def _namespace(self, release_name: str, namespace: str) -> list[pulumi.Resource]:
        """The release's namespace and its instance-metadata policy, both before any of its pods.
        Older stacks let Helm create the namespace (create_namespace): adopted, kept on delete."""
        created = k8s.core.v1.Namespace(
            f"{self._name}-{release_name}-namespace", metadata=k8s.meta.v1.ObjectMetaArgs(name=namespace),
            opts=pulumi.ResourceOptions(parent=self, provider=self._args.adopting_provider, retain_on_delete=True))
        policy = deny_instance_metadata(
            f"{self._name}-{release_name}-deny-instance-metadata", namespace=namespace,
            provider=self._args.provider, parent=self, depends_on=[created])
        return [created, policy]
