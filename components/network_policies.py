"""NetworkPolicies that keep pods away from the node's instance metadata service.

The nodes set the IMDS hop limit to 2 because the CloudWatch agent and Fluent Bit (observability
add-on, `amazon-cloudwatch` namespace) read instance metadata from their pods. With hop limit 2,
any pod could also read the node role's credentials from 169.254.169.254. So every namespace
that runs our workloads or user code (LangSmith, the hybrid listeners and their agents, the agent
gateway) gets a policy that selects every pod and allows all egress except the IMDS address.

- Nothing there needs IMDS: pods that call AWS use IRSA (a web identity token, with AWS_REGION
  set by the EKS pod identity webhook), and EKS Pod Identity's agent listens on 169.254.170.23,
  which stays reachable.
- LangSmith Deployment puts agents (user code) in LangSmith's namespace: they carry a label of ours
  (components/langsmith_values.py AGENT_LABEL), the namespace-wide policy leaves them out, and
  `fence_agents` gives them a narrower one: no IMDS, none of LangSmith's data stores.
- Only IPv4: the cluster is IPv4 and the launch template keeps the IPv6 IMDS endpoint
  (fd00:ec2::254) off, so there is no IPv6 path to close.
- Enforced by the VPC CNI's network policy agent (`enableNetworkPolicy`, components/cluster.py)
  in `strict` mode: a pod starts denied and gets traffic only once the policies that select it
  are applied, so there is no window after start without them (aws/aws-network-policy-agent#209).
  A pod no policy selects stays denied for good (aws/amazon-vpc-cni-k8s@v1.21.1 README,
  NETWORK_POLICY_ENFORCING_MODE; host-network pods are exempt), so every namespace the stack runs
  pods in has a policy selecting all its pods, created before them: this one where nothing needs
  instance metadata (ours, External Secrets, KEDA, the events collector), `allow_all` in the AWS
  system namespaces (kube-system's CoreDNS, controllers and CSI driver; the CloudWatch add-on's
  operator). Namespaces users create need a policy of their own (docs/security.md).
- An egress policy with only an ipBlock rule still admits pods and Services: 0.0.0.0/0 covers the
  VPC's pod IPs and the Service range. Ingress stays open: a policy without the Ingress type does
  not isolate ingress (the agent then allows all ingress, as Kubernetes defines).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

IMDS_CIDR = "169.254.169.254/32"
ALL_IPV4 = "0.0.0.0/0"
POLICY_NAME = "deny-instance-metadata"
ALLOW_ALL_POLICY_NAME = "allow-all"


def deny_instance_metadata(resource_name: str, *, namespace: str, provider: k8s.Provider, parent: pulumi.Resource,
                           depends_on: Sequence[pulumi.Resource] = (),
                           except_label: str | None = None) -> k8s.networking.v1.NetworkPolicy:
    """Every pod of `namespace` may send anywhere but to instance metadata (ingress untouched).

    `except_label`: pods carrying that label are left out, for a stricter policy of their own
    (NetworkPolicies add up: while this one selects a pod, it may reach everything but IMDS)."""
    selector = (k8s.meta.v1.LabelSelectorArgs(match_expressions=[k8s.meta.v1.LabelSelectorRequirementArgs(
        key=except_label, operator="DoesNotExist")]) if except_label
        else k8s.meta.v1.LabelSelectorArgs())  # {}: every pod of the namespace
    return k8s.networking.v1.NetworkPolicy(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=POLICY_NAME, namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=selector,
            policy_types=["Egress"],
            egress=[k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                to=[k8s.networking.v1.NetworkPolicyPeerArgs(
                    ip_block=k8s.networking.v1.IPBlockArgs(cidr=ALL_IPV4, except_=[IMDS_CIDR]))],
            )],
        ),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
    )


AGENT_POLICY_NAME = "agents-egress"
DNS_PORT = 53


def fence_agents(resource_name: str, *, namespace: str, agent_label: tuple[str, str],
                 langsmith_api_pods: Sequence[Mapping[str, str]], vpc_cidr: pulumi.Input[str],
                 provider: k8s.Provider, parent: pulumi.Resource,
                 depends_on: Sequence[pulumi.Resource] = ()) -> k8s.networking.v1.NetworkPolicy:
    """Agents deployed from LangSmith (user code, in LangSmith's own namespace) may reach only: DNS, the
    other agent pods (each agent's own PostgreSQL and Redis, which the operator labels alike), LangSmith's
    API pods (tracing, the host backend), and the internet outside the VPC; not instance metadata, and
    not LangSmith's data stores: ClickHouse and the chart's PostgreSQL/Redis pods are not listed, and RDS
    and ElastiCache are inside the VPC's range. Their security groups admit the cluster's, i.e. any pod:
    this policy is what keeps agents out.

    The public ALB (their own URLs, the LangSmith API by name) stays reachable: it is outside the VPC
    range, reached through the NAT gateway (an internal ALB is inside it: agents then call LangSmith's
    API pods directly). Agents are one label, so the policy does not separate agents from each other:
    an agent can reach another agent's PostgreSQL, which still asks for that agent's password."""
    peers = k8s.networking.v1
    return k8s.networking.v1.NetworkPolicy(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=AGENT_POLICY_NAME, namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=dict([agent_label])),
            policy_types=["Egress"],
            egress=[
                peers.NetworkPolicyEgressRuleArgs(
                    to=[peers.NetworkPolicyPeerArgs(
                        namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                            match_labels={"kubernetes.io/metadata.name": "kube-system"}),
                        pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"k8s-app": "kube-dns"}))],
                    ports=[peers.NetworkPolicyPortArgs(protocol=p, port=DNS_PORT) for p in ("UDP", "TCP")]),
                peers.NetworkPolicyEgressRuleArgs(to=[
                    peers.NetworkPolicyPeerArgs(pod_selector=k8s.meta.v1.LabelSelectorArgs(
                        match_labels=dict([agent_label]))),
                    *[peers.NetworkPolicyPeerArgs(pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=dict(pod)))
                      for pod in langsmith_api_pods],
                ]),
                peers.NetworkPolicyEgressRuleArgs(to=[peers.NetworkPolicyPeerArgs(
                    ip_block=k8s.networking.v1.IPBlockArgs(
                        cidr=ALL_IPV4, except_=pulumi.Output.from_input(vpc_cidr).apply(
                            lambda cidr: [cidr, IMDS_CIDR])))]),
            ],
        ),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
    )


def allow_all(resource_name: str, *, namespace: str, provider: k8s.Provider, parent: pulumi.Resource,
              depends_on: Sequence[pulumi.Resource] = ()) -> k8s.networking.v1.NetworkPolicy:
    """Every pod of `namespace` may send and receive anything: under strict enforcement a pod that
    no policy selects has no network at all, and AWS's system pods (CoreDNS, the CSI driver, the
    CloudWatch operator's webhook) must stay as they are without one."""
    return k8s.networking.v1.NetworkPolicy(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=ALLOW_ALL_POLICY_NAME, namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(),
            policy_types=["Ingress", "Egress"],
            ingress=[k8s.networking.v1.NetworkPolicyIngressRuleArgs()],
            egress=[k8s.networking.v1.NetworkPolicyEgressRuleArgs()],
        ),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
    )
