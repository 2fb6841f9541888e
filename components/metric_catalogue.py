"""The CloudWatch metrics our alarms and dashboard use, as AWS documents them.

A CloudWatch alarm on one metric matches its dimensions exactly: an alarm whose dimension set is
not one the service publishes watches a metric that does not exist, never leaves
INSUFFICIENT_DATA, and with `notBreaching` looks healthy forever. So every alarm is checked
against this table (tests/test_observability.py), and `always_published` decides what missing
data means: a metric the service publishes every period whatever happens (a gauge) is missing
only when something is broken, so missing data breaches; a count published only when non-zero
(ALB 5xx counts) is missing when all is well.

namespace -> metric -> (dimension sets published, always published)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricSpec:
    dimension_sets: frozenset[frozenset[str]]
    always_published: bool


def _spec(*dimension_sets: tuple[str, ...], always: bool) -> MetricSpec:
    return MetricSpec(frozenset(frozenset(d) for d in dimension_sets), always)


# Elastic Load Balancing user guide, "CloudWatch metrics for your Application Load Balancer"
# (docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html):
# metric table with its "Reporting criteria" column, and "Metric dimensions for Application Load Balancers".
_ALB_LB = ("LoadBalancer",)
_ALB_AZ = ("AvailabilityZone", "LoadBalancer")
_ALB_TG = ("TargetGroup", "LoadBalancer")
_ALB_TG_AZ = ("AvailabilityZone", "TargetGroup", "LoadBalancer")
APPLICATION_ELB = {
    # "Reporting criteria: There is a nonzero value."
    "HTTPCode_Target_5XX_Count": _spec(_ALB_LB, _ALB_AZ, _ALB_TG, _ALB_TG_AZ, always=False),
    "HTTPCode_ELB_5XX_Count": _spec(_ALB_LB, _ALB_AZ, always=False),
    "RequestCount": _spec(_ALB_LB, _ALB_AZ, _ALB_TG, _ALB_TG_AZ, always=False),
    "TargetResponseTime": _spec(_ALB_LB, _ALB_AZ, _ALB_TG, _ALB_TG_AZ, always=False),
    # "Reporting criteria: Reported if health checks are enabled."
    "UnHealthyHostCount": _spec(_ALB_TG, _ALB_TG_AZ, always=True),
    "HealthyHostCount": _spec(_ALB_TG, _ALB_TG_AZ, always=True),
}

# Amazon RDS user guide, "Amazon CloudWatch metrics for Amazon RDS" and "Amazon CloudWatch
# dimensions for Amazon RDS" (USER_Monitoring.metrics / dimensions): instance metrics every minute.
_RDS_SETS = (("DBInstanceIdentifier",), ("DatabaseClass",), ("EngineName",), ())
RDS = {
    "CPUUtilization": _spec(*_RDS_SETS, always=True),
    "FreeStorageSpace": _spec(*_RDS_SETS, always=True),
    "DatabaseConnections": _spec(*_RDS_SETS, always=True),
}

# Amazon ElastiCache user guide, "Host-Level Metrics", "Metrics for Valkey and Redis OSS" and
# "Dimensions for ElastiCache metrics": measured and published for each cache node every 60 seconds,
# per CacheClusterId (a replication group's member clusters are <group>-001, -002, ...) and per
# CacheClusterId + CacheNodeId. There is no ReplicationGroupId dimension for these metrics.
_CACHE_SETS = (("CacheClusterId",), ("CacheClusterId", "CacheNodeId"))
ELASTICACHE = {
    "DatabaseMemoryUsagePercentage": _spec(*_CACHE_SETS, always=True),
    "Evictions": _spec(*_CACHE_SETS, always=True),
}

# CloudWatch user guide, "Amazon EKS and Kubernetes Container Insights metrics"
# (Container-Insights-metrics-EKS; awsdocs/amazon-cloudwatch-user-guide doc_source/Container-Insights-metrics-EKS.md).
# pod_number_of_container_restarts exists only per PodName + Namespace + ClusterName: a namespace-wide
# view needs a Metrics Insights query over that schema. The agent publishes every minute, each value
# the restarts since its previous collection (a delta; awscontainerinsightreceiver podstore.go).
CONTAINER_INSIGHTS = {
    "cluster_failed_node_count": _spec(("ClusterName",), always=True),
    "node_cpu_utilization": _spec(("ClusterName",), ("NodeName", "ClusterName", "InstanceId"), always=True),
    "node_memory_utilization": _spec(("ClusterName",), ("NodeName", "ClusterName", "InstanceId"), always=True),
    "namespace_number_of_running_pods": _spec(("Namespace", "ClusterName"), ("ClusterName",), always=True),
    "pod_number_of_container_restarts": _spec(("PodName", "Namespace", "ClusterName"), always=True),
}

# Route 53 developer guide, "Monitoring health checks using CloudWatch": AWS/Route53 in us-east-1
# only, dimension HealthCheckId, published every minute.
ROUTE53 = {
    "HealthCheckStatus": _spec(("HealthCheckId",), always=True),
}

# Our own metric: the ClickHouse disk probe (components/observability.py) publishes it every 5 minutes.
LANGSMITH = {
    "ClickHouseDiskUsedPercent": _spec(("ClusterName",), always=True),
}

CATALOGUE: dict[str, dict[str, MetricSpec]] = {
    "AWS/ApplicationELB": APPLICATION_ELB,
    "AWS/RDS": RDS,
    "AWS/ElastiCache": ELASTICACHE,
    "ContainerInsights": CONTAINER_INSIGHTS,
    "AWS/Route53": ROUTE53,
    "LangSmith": LANGSMITH,
}


def spec(namespace: str, metric: str) -> MetricSpec:
    try:
        return CATALOGUE[namespace][metric]
    except KeyError:
        raise KeyError(f"{namespace}/{metric} is not in the metric catalogue") from None


def treat_missing_data(namespace: str, metric: str) -> str:
    """`breaching` for a metric that is always there (no data = broken), else `notBreaching`."""
    return "breaching" if spec(namespace, metric).always_published else "notBreaching"
