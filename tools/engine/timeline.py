"""First-deploy timeline: the longest chain of dependencies, weighted by typical create times.

Weights are typical wall-clock creation times observed for each resource type in us-east-1
(seconds); types not listed take DEFAULT_SECONDS. Components and providers take no time of
their own. The estimate is the critical path of the dependency graph, i.e. what `pulumi up`
waits for when everything else runs in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

DEFAULT_SECONDS = 5
CREATE_SECONDS: Mapping[str, int] = {
    "eks:index:Cluster": 720,                 # control plane, OIDC provider, vpc-cni and kube-proxy add-ons
    "eks:index:ManagedNodeGroup": 240,
    "aws:eks/addon:Addon": 90,
    "aws:rds/instance:Instance": 660,         # single-AZ; Multi-AZ adds about 50%
    "aws:rds/parameterGroup:ParameterGroup": 10,
    "aws:elasticache/replicationGroup:ReplicationGroup": 720,
    "aws:ec2/natGateway:NatGateway": 100,
    "aws:ec2/vpc:Vpc": 10,
    "aws:lb/loadBalancer:LoadBalancer": 180,
    "aws:acm/certificateValidation:CertificateValidation": 240,
    "aws:wafv2/webAcl:WebAcl": 20,
    "aws:wafv2/webAclAssociation:WebAclAssociation": 30,
    "aws:route53/record:Record": 45,
    "aws:route53/healthCheck:HealthCheck": 20,
    "aws:kms/key:Key": 10,
    "aws:secretsmanager/secret:Secret": 5,
    "aws:cloudwatch/logGroup:LogGroup": 2,
    "aws:iam/role:Role": 5,
    "aws:ec2/vpcEndpoint:VpcEndpoint": 90,
    "aws:backup/vault:Vault": 10,
    "aws:ecr/repository:Repository": 5,
    "kubernetes:helm.sh/v3:Release": 120,      # controllers; the langsmith release is weighted below
    "kubernetes:external-secrets.io/v1:ExternalSecret": 20,
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": 30,
}
# Migrations and image pulls; an Agent Server release waits for its pods (its own image, its schema).
RELEASE_SECONDS_BY_CHART = {"langsmith": 900, "langgraph-dataplane": 300, "langgraph-cloud": 240}


@dataclass(frozen=True)
class Step:
    urn: str
    type: str
    name: str
    seconds: int
    finish_seconds: int


def weight(resource: Mapping[str, Any]) -> int:
    if not resource.get("custom") and resource["type"] not in CREATE_SECONDS:
        return 0  # components (local) take no time themselves
    if resource["type"].startswith("pulumi:providers:"):
        return 0
    if resource["type"] == "kubernetes:helm.sh/v3:Release":
        chart = str((resource.get("inputs") or {}).get("chart", ""))
        return RELEASE_SECONDS_BY_CHART.get(chart, CREATE_SECONDS[resource["type"]])
    seconds = CREATE_SECONDS.get(resource["type"], DEFAULT_SECONDS)
    if resource["type"] == "aws:rds/instance:Instance" and (resource.get("inputs") or {}).get("multiAz"):
        seconds = seconds * 3 // 2
    return seconds


def critical_path(plan: Mapping[str, Any]) -> list[Step]:
    """The chain of resources whose creation ends last."""
    resources = {r["urn"]: r for r in plan.get("resources", [])}
    finish: dict[str, int] = {}
    previous: dict[str, str | None] = {}

    def visit(urn: str, stack: frozenset[str] = frozenset()) -> int:
        if urn in finish:
            return finish[urn]
        resource = resources[urn]
        best, best_dep = 0, None
        for dep in sorted(resource.get("dependencies") or []):
            if dep in resources and dep not in stack:
                done = visit(dep, stack | {urn})
                if done > best:
                    best, best_dep = done, dep
        finish[urn] = best + weight(resource)
        previous[urn] = best_dep
        return finish[urn]

    for urn in resources:
        visit(urn)
    if not finish:
        return []
    end: str | None = max(finish, key=lambda u: (finish[u], u))
    chain: list[Step] = []
    while end is not None:
        r = resources[end]
        chain.append(Step(end, r["type"], r["name"], weight(r), finish[end]))
        end = previous[end]
    return [s for s in reversed(chain) if s.seconds > 0]


def timeline_summary(plan: Mapping[str, Any]) -> dict[str, Any]:
    chain = critical_path(plan)
    total = chain[-1].finish_seconds if chain else 0
    return {"estimatedSeconds": total, "estimatedMinutes": round(total / 60),
            "criticalPath": [{"type": s.type, "name": s.name, "seconds": s.seconds, "finishSeconds": s.finish_seconds}
                             for s in chain]}
