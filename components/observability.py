"""Logs, events, health, alarms, backups and a dashboard for the self-hosted stack.

- Container logs and Container Insights metrics: the `amazon-cloudwatch-observability` EKS add-on
  (CloudWatch agent + Fluent Bit, managed and versioned by AWS, and the source of the pod and node
  metrics the alarms need). Its log groups are created here first, with retention and the logs key.
- Kubernetes events, which the API server keeps for an hour: the OpenTelemetry Collector (contrib)
  watches them (k8sobjects receiver) and writes each one as JSON to a log group of its own
  (awscloudwatchlogs exporter), through an IRSA role that may only add to that group.
- Health: a Route53 HTTPS health check on the public URL (not for an internal ALB, which Route53
  cannot reach; its target-group health alarms still apply).
- Alarms to an encrypted SNS topic; thresholds come from the profile table.
- ClickHouse volume usage: no AWS metric sees inside a volume, so a CronJob asks ClickHouse
  (`system.disks`) and publishes the used percentage as a custom metric, which is alarmed.
- AWS Backup: a KMS-encrypted vault and a daily plan for the RDS instance and every volume the
  ClickHouse StorageClass tagged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.network_policies import allow_all, deny_instance_metadata
from components.aws_provider import ProviderSettings, new_provider
from components.cluster import CLICKHOUSE_BACKUP_TAG
from components.iam import plain_service_trust_policy, policy_document, role_boundary_arn
from components.irsa import IrsaRole, IrsaRoleArgs
from components.versions import AWS_CLI_IMAGE, CLOUDWATCH_OBSERVABILITY_ADDON, CURL_IMAGE, EVENTS_COLLECTOR_IMAGE
from components.logs import log_group
from components.metric_catalogue import treat_missing_data

CONTAINER_INSIGHTS_LOG_GROUPS = ("application", "dataplane", "host", "performance")
CUSTOM_METRIC_NAMESPACE = "LangSmith"
CLICKHOUSE_DISK_METRIC = "ClickHouseDiskUsedPercent"
BACKUP_SCHEDULE = "cron(0 5 * * ? *)"  # daily, 05:00 UTC, after the RDS backup window
# AWS Backup developer guide, "Default service role for AWS Backup": the two policies it attaches.
BACKUP_MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
)
# CloudWatch user guide, "Install the CloudWatch agent with the Amazon CloudWatch Observability EKS
# add-on": the IRSA role of the cloudwatch-agent service account gets this policy.
CLOUDWATCH_NAMESPACE = "amazon-cloudwatch"  # the add-on's
CLOUDWATCH_AGENT_POLICY = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"

# Kubernetes events: one collector in its own namespace, writing to one log group.
EVENTS_NAMESPACE = "kube-events"
EVENTS_SERVICE_ACCOUNT = "events-collector"
EVENTS_LOG_STREAM = "kubernetes-events"
EVENTS_HEALTH_PORT = 13133  # the health_check extension's port (opentelemetry-collector-contrib)
# Requests: the opentelemetry-kube-stack chart (open-telemetry/opentelemetry-helm-charts at
# opentelemetry-collector-0.170.0) gives its collector 64Mi and a 128Mi limit; the contrib build is
# several times larger than the one it runs, so twice that. One event stream is little CPU.
EVENTS_CPU_REQUEST = "50m"
EVENTS_MEMORY_REQUEST = "128Mi"
EVENTS_MEMORY_LIMIT = "256Mi"
# Go's soft limit at 80% of the container's, as the opentelemetry-collector chart sets it
# (useGOMEMLIMIT), so the garbage collector works before the kernel kills the pod.
EVENTS_GOMEMLIMIT = "204MiB"


def events_log_group_name(cluster_name: str) -> str:
    """Beside the control plane's `/aws/eks/<cluster>/cluster`: the cluster's own record."""
    return f"/aws/eks/{cluster_name}/events"


def events_collector_config(region: str, log_group_name: str) -> dict[str, Any]:
    """The collector's configuration: Events (events.k8s.io) as they are created or change, each
    written as its JSON to one stream of the events log group.

    - k8sobjects in watch mode lists once for a resourceVersion, then sends only what changes
      after it (receiver/k8sobjectsreceiver README); deletions are the API server expiring events
      after an hour, not news, so they are left out, as the opentelemetry-collector chart's
      kubernetesEvents preset does.
    - `raw_log`: the message is the event (`{"type": ..., "object": {...}}`), not the OTLP wrapper.
    - `region` is set: without it the exporter would ask instance metadata, which the namespace's
      policy closes.
    - Only the health endpoint listens (for the probes); no internal metrics endpoint.
    """
    return {
        "receivers": {"k8sobjects": {"auth_type": "serviceAccount", "objects": [
            {"name": "events", "group": "events.k8s.io", "mode": "watch", "exclude_watch_type": ["DELETED"]}]}},
        "processors": {
            "memory_limiter": {"check_interval": "5s", "limit_percentage": 80, "spike_limit_percentage": 25},
            "batch": {},
        },
        "exporters": {"awscloudwatchlogs": {
            "region": region, "log_group_name": log_group_name, "log_stream_name": EVENTS_LOG_STREAM,
            "raw_log": True}},
        "extensions": {"health_check": {"endpoint": f"${{env:MY_POD_IP}}:{EVENTS_HEALTH_PORT}"}},
        "service": {
            "extensions": ["health_check"],
            "telemetry": {"logs": {"level": "warn", "encoding": "json"}, "metrics": {"level": "none"}},
            "pipelines": {"logs": {"receivers": ["k8sobjects"], "processors": ["memory_limiter", "batch"],
                                   "exporters": ["awscloudwatchlogs"]}},
        },
    }


def events_writer_policy(log_group_arn: str) -> str:
    """Add to the events log group's streams, nothing else: CreateLogStream and PutLogEvents both
    authorize on the log-stream resource (IAM Service Authorization Reference, CloudWatch Logs); the
    exporter creates its stream on first use and never creates a group (ours exists first)."""
    return policy_document([{
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn}:log-stream:*",
    }])


@dataclass(frozen=True)
class AlarmThresholds:
    alb_errors_per_5_minutes: int
    rds_cpu_percent: int
    rds_free_storage_gb: int
    rds_max_connections: int
    redis_memory_percent: int
    redis_evictions_per_5_minutes: int
    pod_restarts_per_5_minutes: int
    clickhouse_disk_percent: int


@dataclass(frozen=True)
class ObservabilityArgs:
    name_prefix: str
    account_id: str
    cluster_name: str
    region: str
    provider: k8s.Provider
    # For the add-on's namespace, which the add-on created on stacks older than our policy there.
    adopting_provider: k8s.Provider
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    logs_kms_key_arn: pulumi.Input[str]
    data_kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    thresholds: AlarmThresholds
    backup_retention_days: int
    alb_arn_suffix: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str]
    redis_group_id: pulumi.Input[str]
    # The replication group's member clusters: the dimension of ElastiCache's node metrics.
    redis_member_cluster_ids: Sequence[pulumi.Input[str]]
    langsmith_namespace: str
    health_check_domain: str | None = None
    rds_identifier: pulumi.Input[str] | None = None
    rds_arn: pulumi.Input[str] | None = None
    clickhouse_in_cluster: bool = True
    alarm_email: str | None = None
    protect: bool = False
    # Production profiles: the vault and its recovery points outlive the stack, whatever `protect`
    # says (docs/teardown.md): the teardown lifts `protect`, and a deleted vault takes its recovery
    # points with it when force_destroy is set (terraform-provider-aws internal/service/backup/vault.go,
    # resourceVaultDelete deletes every recovery point first).
    keep_backups: bool = False
    # Default tags for the us-east-1 provider the health-check alarm needs outside us-east-1.
    default_tags: Mapping[str, str] = field(default_factory=dict)
    # The stack's aws: settings (credentials, roles, account guards) for that provider too.
    aws_settings: ProviderSettings = field(default_factory=lambda: ProviderSettings({}, frozenset(), {}, None, None))
    # What must run first: nodes (for the add-on and the events collector) and the LangSmith release
    # (for the ClickHouse probe, which reads its Secret and Service).
    nodes_ready: Sequence[pulumi.Resource] = field(default_factory=tuple)
    langsmith_ready: Sequence[pulumi.Resource] = field(default_factory=tuple)


class Observability(pulumi.ComponentResource):
    topic: aws.sns.Topic
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    backup_plan: aws.backup.Plan
    dashboard: aws.cloudwatch.Dashboard

    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:Observability", name, None, opts)
        self._name = name
        self._args = args
        child = pulumi.ResourceOptions(parent=self)

        self._container_logs()
        self._events_collector()
        self.topic = aws.sns.Topic(f"{name}-alarms", name=f"{args.name_prefix}-alarms",
                                   kms_master_key_id=args.logs_kms_key_arn, opts=child)
        if args.alarm_email:
            aws.sns.TopicSubscription(f"{name}-alarms-email", topic=self.topic.arn, protocol="email",
                                      endpoint=args.alarm_email, opts=child)
        self.alarms = self._alarms()
        if args.health_check_domain:
            self._health_check(args.health_check_domain)
        if args.clickhouse_in_cluster:
            self._clickhouse_disk_probe()
        self.backup_plan = self._backups()
        self.dashboard = self._dashboard()
        self.register_outputs({"alarmTopicArn": self.topic.arn, "dashboard": self.dashboard.dashboard_name})

    # -- logs and events -------------------------------------------------------------------
    def _container_logs(self) -> None:
        args, name = self._args, self._name
        groups = [log_group(
            f"{name}-ci-{kind}", f"/aws/containerinsights/{args.cluster_name}/{kind}",
            retention_days=args.log_retention_days, kms_key_arn=args.logs_kms_key_arn, parent=self,
        ) for kind in CONTAINER_INSIGHTS_LOG_GROUPS]
        agent_role = IrsaRole(f"{name}-cloudwatch-agent", IrsaRoleArgs(
            oidc_provider_arn=args.oidc_provider_arn, oidc_issuer=args.oidc_issuer,
            namespace=CLOUDWATCH_NAMESPACE, service_account="cloudwatch-agent",
            description="CloudWatch agent and Fluent Bit (Container Insights)",
            managed_policy_arns=[CLOUDWATCH_AGENT_POLICY],
        ), opts=pulumi.ResourceOptions(parent=self))
        # Under strict network policy enforcement the add-on's non-host-network pods (its operator,
        # whose webhook the API server calls) would have no network without a policy selecting
        # them; the agent and Fluent Bit use the host network and need instance metadata.
        namespace = k8s.core.v1.Namespace(
            f"{name}-cloudwatch-namespace", metadata=k8s.meta.v1.ObjectMetaArgs(name=CLOUDWATCH_NAMESPACE),
            opts=pulumi.ResourceOptions(parent=self, provider=args.adopting_provider, retain_on_delete=True))
        open_policy = allow_all(f"{name}-cloudwatch-allow-all", namespace=CLOUDWATCH_NAMESPACE,
                                provider=args.provider, parent=self, depends_on=[namespace])
        aws.eks.Addon(
            f"{name}-cloudwatch-observability",
            cluster_name=args.cluster_name,
            addon_name="amazon-cloudwatch-observability",
            addon_version=CLOUDWATCH_OBSERVABILITY_ADDON,
            service_account_role_arn=agent_role.arn,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*groups, open_policy, *args.nodes_ready]),
        )

    def _events_collector(self) -> None:
        args, name = self._args, self._name
        ns = EVENTS_NAMESPACE

        def k8s_opts(*depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=list(depends_on))

        group_name = events_log_group_name(args.cluster_name)
        group = log_group(f"{name}-events", group_name, retention_days=args.log_retention_days,
                          kms_key_arn=args.logs_kms_key_arn, parent=self)
        writer = IrsaRole(f"{name}-events-collector", IrsaRoleArgs(
            oidc_provider_arn=args.oidc_provider_arn, oidc_issuer=args.oidc_issuer,
            namespace=ns, service_account=EVENTS_SERVICE_ACCOUNT,
            description="Kubernetes events to their CloudWatch log group",
            policy=group.arn.apply(events_writer_policy),
        ), opts=pulumi.ResourceOptions(parent=self))

        namespace = k8s.core.v1.Namespace(f"{name}-events-ns", metadata=k8s.meta.v1.ObjectMetaArgs(name=ns),
                                          opts=k8s_opts(*args.nodes_ready))
        metadata_closed = deny_instance_metadata(f"{name}-events-deny-instance-metadata", namespace=ns,
                                                 provider=args.provider, parent=self, depends_on=[namespace])
        meta = k8s.meta.v1.ObjectMetaArgs(name=EVENTS_SERVICE_ACCOUNT, namespace=ns)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-events-sa",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=EVENTS_SERVICE_ACCOUNT, namespace=ns,
                                                annotations={"eks.amazonaws.com/role-arn": writer.arn}),
            opts=k8s_opts(namespace))
        # Read-only, Events only: list (once, for a resourceVersion, and after a 410 Gone) and
        # watch, in the API group the receiver is configured for.
        role = k8s.rbac.v1.ClusterRole(
            f"{name}-events-reader", metadata=k8s.meta.v1.ObjectMetaArgs(name=EVENTS_SERVICE_ACCOUNT),
            rules=[k8s.rbac.v1.PolicyRuleArgs(api_groups=["events.k8s.io"], resources=["events"],
                                              verbs=["list", "watch"])],
            opts=k8s_opts())
        binding = k8s.rbac.v1.ClusterRoleBinding(
            f"{name}-events-reader", metadata=k8s.meta.v1.ObjectMetaArgs(name=EVENTS_SERVICE_ACCOUNT),
            role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="ClusterRole",
                                             name=EVENTS_SERVICE_ACCOUNT),
            subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=EVENTS_SERVICE_ACCOUNT, namespace=ns)],
            opts=k8s_opts(role, account))
        config = k8s.core.v1.ConfigMap(f"{name}-events-config", metadata=meta, data={
            # JSON is YAML: the collector reads it as is.
            "config.yaml": json.dumps(events_collector_config(args.region, group_name), indent=1)},
            opts=k8s_opts(namespace))
        labels = {"app": EVENTS_SERVICE_ACCOUNT}
        probe = k8s.core.v1.ProbeArgs(http_get=k8s.core.v1.HTTPGetActionArgs(path="/", port=EVENTS_HEALTH_PORT))
        k8s.apps.v1.Deployment(
            f"{name}-events",
            metadata=meta,
            spec=k8s.apps.v1.DeploymentSpecArgs(
                # One replica: two would write every event twice (k8sobjects receiver README).
                replicas=1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=k8s.core.v1.PodSpecArgs(
                        service_account_name=EVENTS_SERVICE_ACCOUNT,
                        # The image's own user (distributions/otelcol-contrib/Dockerfile: USER 10001).
                        security_context=k8s.core.v1.PodSecurityContextArgs(
                            run_as_non_root=True, run_as_user=10001, run_as_group=10001,
                            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault")),
                        containers=[k8s.core.v1.ContainerArgs(
                            name="collector", image=EVENTS_COLLECTOR_IMAGE,
                            args=["--config=/conf/config.yaml"],
                            env=[k8s.core.v1.EnvVarArgs(name="MY_POD_IP", value_from=k8s.core.v1.EnvVarSourceArgs(
                                    field_ref=k8s.core.v1.ObjectFieldSelectorArgs(field_path="status.podIP"))),
                                 k8s.core.v1.EnvVarArgs(name="GOMEMLIMIT", value=EVENTS_GOMEMLIMIT)],
                            ports=[k8s.core.v1.ContainerPortArgs(name="health", container_port=EVENTS_HEALTH_PORT)],
                            liveness_probe=probe, readiness_probe=probe,
                            resources=k8s.core.v1.ResourceRequirementsArgs(
                                requests={"cpu": EVENTS_CPU_REQUEST, "memory": EVENTS_MEMORY_REQUEST},
                                limits={"memory": EVENTS_MEMORY_LIMIT}),
                            security_context=k8s.core.v1.SecurityContextArgs(
                                allow_privilege_escalation=False, read_only_root_filesystem=True,
                                capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"])),
                            volume_mounts=[k8s.core.v1.VolumeMountArgs(name="config", mount_path="/conf")],
                        )],
                        volumes=[k8s.core.v1.VolumeArgs(
                            name="config", config_map=k8s.core.v1.ConfigMapVolumeSourceArgs(name=EVENTS_SERVICE_ACCOUNT))],
                    ),
                ),
            ),
            # The group before the first write (else the exporter would try to create it), the role
            # and its policy before the first AWS call, the policy before the pod's first packet.
            opts=k8s_opts(config, binding, metadata_closed, group, writer),
        )

    # -- alarms ----------------------------------------------------------------------------
    def _alarm(self, key: str, description: str, namespace: str, metric: str, dimensions: dict[str, Any],
               statistic: str, comparison: str, threshold: float, periods: int = 1,
               provider: aws.Provider | None = None, actions: pulumi.Input[str] | None = None,
               period: int = 300) -> aws.cloudwatch.MetricAlarm:
        topic = actions if actions is not None else self.topic.arn
        return aws.cloudwatch.MetricAlarm(
            f"{self._name}-{key}",
            name=f"{self._args.name_prefix}-{key}",
            alarm_description=description,
            namespace=namespace,
            metric_name=metric,
            dimensions=dimensions,
            statistic=statistic,
            period=period,
            evaluation_periods=periods,
            comparison_operator=comparison,
            threshold=threshold,
            # A metric that is always published and has no data means its source is broken.
            treat_missing_data=treat_missing_data(namespace, metric),
            alarm_actions=[topic],
            ok_actions=[topic],
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )

    def _query_alarm(self, key: str, description: str, query: str, metric: str, namespace: str,
                     comparison: str, threshold: float) -> aws.cloudwatch.MetricAlarm:
        """An alarm on a CloudWatch Metrics Insights query (one series across many dimension values)."""
        topic = self.topic.arn
        return aws.cloudwatch.MetricAlarm(
            f"{self._name}-{key}",
            name=f"{self._args.name_prefix}-{key}",
            alarm_description=description,
            metric_queries=[aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="q1", expression=query, period=300, return_data=True, label=metric)],
            evaluation_periods=1,
            comparison_operator=comparison,
            threshold=threshold,
            treat_missing_data=treat_missing_data(namespace, metric),
            alarm_actions=[topic],
            ok_actions=[topic],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _alarms(self) -> dict[str, aws.cloudwatch.MetricAlarm]:
        a, t = self._args, self._args.thresholds
        above, below = "GreaterThanThreshold", "LessThanThreshold"
        alb = {"LoadBalancer": a.alb_arn_suffix}
        alarms = {
            "alb-target-5xx": self._alarm("alb-target-5xx", "LangSmith answered with 5xx errors", "AWS/ApplicationELB",
                                          "HTTPCode_Target_5XX_Count", alb, "Sum", above, t.alb_errors_per_5_minutes),
            "alb-elb-5xx": self._alarm("alb-elb-5xx", "The ALB answered with 5xx errors (no healthy target?)",
                                       "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb, "Sum", above,
                                       t.alb_errors_per_5_minutes),
            "alb-unhealthy-targets": self._alarm(
                "alb-unhealthy-targets", "Frontend pods fail the ALB health check", "AWS/ApplicationELB",
                "UnHealthyHostCount", {**alb, "TargetGroup": a.target_group_arn_suffix}, "Maximum", above, 0, 2),
            # Container Insights publishes restarts per pod only, and each datapoint is the restarts
            # since the agent's previous collection (a minute), not a running count: the receiver
            # subtracts the pod's previous RestartCount sum (awscontainerinsightreceiver
            # internal/stores/podstore.go, addStatus). So the namespace's restarts in 5 minutes are
            # the SUM over every pod and datapoint of the period; MAX was the largest one-minute
            # step of one pod, which a crash-looping pod (back-off up to 5 minutes) never exceeds.
            "pod-restarts": self._query_alarm(
                "pod-restarts", "LangSmith containers restarted more than the threshold in 5 minutes",
                f"SELECT SUM(pod_number_of_container_restarts) FROM SCHEMA(ContainerInsights, ClusterName, "
                f"Namespace, PodName) WHERE ClusterName = '{a.cluster_name}' AND Namespace = '{a.langsmith_namespace}'",
                "pod_number_of_container_restarts", "ContainerInsights", above, t.pod_restarts_per_5_minutes),
            "failed-nodes": self._alarm("failed-nodes", "A node reports a failed condition", "ContainerInsights",
                                        "cluster_failed_node_count", {"ClusterName": a.cluster_name}, "Maximum",
                                        above, 0, 2),
        }
        # ElastiCache node metrics exist per member cluster (CacheClusterId), one alarm per member:
        # the primary can move to any of them.
        for i, member in enumerate(a.redis_member_cluster_ids):
            node = {"CacheClusterId": member}
            alarms[f"redis-memory-{i + 1}"] = self._alarm(
                f"redis-memory-{i + 1}", f"ElastiCache memory nearly full (member {i + 1})", "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage", node, "Maximum", above, t.redis_memory_percent)
            alarms[f"redis-evictions-{i + 1}"] = self._alarm(
                f"redis-evictions-{i + 1}", f"ElastiCache evicts keys, queues may lose work (member {i + 1})",
                "AWS/ElastiCache", "Evictions", node, "Sum", above, t.redis_evictions_per_5_minutes)
        if a.rds_identifier is not None:
            db = {"DBInstanceIdentifier": a.rds_identifier}
            alarms["rds-cpu"] = self._alarm("rds-cpu", "PostgreSQL CPU is high", "AWS/RDS", "CPUUtilization", db,
                                            "Average", above, t.rds_cpu_percent, 3)
            alarms["rds-free-storage"] = self._alarm(
                "rds-free-storage", "PostgreSQL is running out of storage", "AWS/RDS", "FreeStorageSpace", db,
                "Minimum", below, t.rds_free_storage_gb * 2**30)
            alarms["rds-connections"] = self._alarm(
                "rds-connections", "PostgreSQL connections near the limit",
                "AWS/RDS", "DatabaseConnections", db, "Maximum", above, t.rds_max_connections)
            # RDS publishes 0 (a value, not missing data) while nobody is connected, so "unreachable"
            # needs its own alarm: LangSmith's services keep connection pools open, and none for
            # 10 minutes means they cannot reach the database (two periods: a rollout is no page).
            alarms["rds-no-connections"] = self._alarm(
                "rds-no-connections", "No PostgreSQL connections: LangSmith cannot reach the database",
                "AWS/RDS", "DatabaseConnections", db, "Maximum", below, 1, 2)
        if a.clickhouse_in_cluster:
            alarms["clickhouse-disk"] = self._alarm(
                "clickhouse-disk", "The ClickHouse volume is filling up (traces)", CUSTOM_METRIC_NAMESPACE,
                CLICKHOUSE_DISK_METRIC, {"ClusterName": a.cluster_name}, "Maximum", above, t.clickhouse_disk_percent,
                period=600)  # the probe runs every 5 minutes: each 10-minute period holds a value
        return alarms

    def _health_check(self, domain: str) -> None:
        args, name = self._args, self._name
        check = aws.route53.HealthCheck(
            f"{name}-health",
            fqdn=domain, port=443, type="HTTPS", resource_path="/health",
            request_interval=30, failure_threshold=3, measure_latency=True,
            tags={"Name": f"{args.name_prefix}-langsmith"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Route53 publishes health-check metrics in us-east-1 only: the alarm (and its topic) live there.
        provider = None
        actions: pulumi.Input[str] = self.topic.arn
        if args.region != "us-east-1":
            provider = new_provider(f"{name}-us-east-1", "us-east-1", args.default_tags, args.aws_settings,
                                    opts=pulumi.ResourceOptions(parent=self))
            # Alarms cannot publish to a topic under the AWS-managed aws/sns key: a key of our own.
            key = aws.kms.Key(
                f"{name}-health-alarms", description=f"{args.name_prefix}: health-check alarm topic",
                enable_key_rotation=True, deletion_window_in_days=30,
                policy=policy_document([
                    {"Sid": "AccountAdministration", "Effect": "Allow",
                     "Principal": {"AWS": f"arn:aws:iam::{args.account_id}:root"}, "Action": "kms:*", "Resource": "*"},
                    {"Sid": "CloudWatchAlarmsOfThisAccount", "Effect": "Allow",
                     "Principal": {"Service": "cloudwatch.amazonaws.com"},
                     "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
                     "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}}},
                ]),
                opts=pulumi.ResourceOptions(parent=self, provider=provider))
            topic = aws.sns.Topic(f"{name}-health-alarms", name=f"{args.name_prefix}-health-alarms",
                                  kms_master_key_id=key.arn,
                                  opts=pulumi.ResourceOptions(parent=self, provider=provider))
            if args.alarm_email:
                aws.sns.TopicSubscription(f"{name}-health-alarms-email", topic=topic.arn, protocol="email",
                                          endpoint=args.alarm_email,
                                          opts=pulumi.ResourceOptions(parent=self, provider=provider))
            actions = topic.arn
        self.alarms["health-check"] = self._alarm(
            "health-check", f"https://{domain}/health fails from Route53's checkers", "AWS/Route53",
            "HealthCheckStatus", {"HealthCheckId": check.id}, "Minimum", "LessThanThreshold", 1, 1,
            provider=provider, actions=actions)

    def _clickhouse_disk_probe(self) -> None:
        args, name = self._args, self._name
        account = "clickhouse-disk-probe"
        role = IrsaRole(f"{name}-clickhouse-probe", IrsaRoleArgs(
            oidc_provider_arn=args.oidc_provider_arn, oidc_issuer=args.oidc_issuer,
            namespace=args.langsmith_namespace, service_account=account,
            description="Publishes ClickHouse volume usage to CloudWatch",
            policy=policy_document([{"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
                                     "Condition": {"StringEquals": {"cloudwatch:namespace": CUSTOM_METRIC_NAMESPACE}}}]),
        ), opts=pulumi.ResourceOptions(parent=self))
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=list(args.langsmith_ready))
        k8s.core.v1.ServiceAccount(
            f"{name}-clickhouse-probe",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=account, namespace=args.langsmith_namespace,
                                                annotations={"eks.amazonaws.com/role-arn": role.arn}),
            opts=k8s_opts)
        query = ("SELECT round(100 * (1 - sum(free_space) / sum(total_space)), 1) FROM system.disks "
                 "FORMAT TabSeparated")
        # Two steps, two images: curl asks ClickHouse, the AWS CLI publishes what it answered.
        ask = (f'curl -sf --user "default:${{CLICKHOUSE_PASSWORD}}" --data-binary "{query}" '
               f'"http://langsmith-clickhouse.{args.langsmith_namespace}.svc.cluster.local:8123/" > /probe/used')
        publish = (f"aws cloudwatch put-metric-data --region {args.region} --namespace {CUSTOM_METRIC_NAMESPACE} "
                   f"--metric-name {CLICKHOUSE_DISK_METRIC} --unit Percent --value \"$(cat /probe/used)\" "
                   f"--dimensions ClusterName={args.cluster_name}")
        shared = k8s.core.v1.VolumeMountArgs(name="probe", mount_path="/probe")
        small = k8s.core.v1.ResourceRequirementsArgs(requests={"cpu": "10m", "memory": "64Mi"},
                                                     limits={"memory": "128Mi"})
        k8s.batch.v1.CronJob(
            f"{name}-clickhouse-probe",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=account, namespace=args.langsmith_namespace),
            spec=k8s.batch.v1.CronJobSpecArgs(
                schedule="*/5 * * * *",
                concurrency_policy="Forbid",
                job_template=k8s.batch.v1.JobTemplateSpecArgs(spec=k8s.batch.v1.JobSpecArgs(
                    backoff_limit=1, ttl_seconds_after_finished=600,
                    template=k8s.core.v1.PodTemplateSpecArgs(spec=k8s.core.v1.PodSpecArgs(
                        service_account_name=account, restart_policy="Never",
                        volumes=[k8s.core.v1.VolumeArgs(name="probe", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs())],
                        init_containers=[k8s.core.v1.ContainerArgs(
                            name="ask-clickhouse", image=CURL_IMAGE, command=["/bin/sh", "-c", ask],
                            env=[k8s.core.v1.EnvVarArgs(name="CLICKHOUSE_PASSWORD", value_from=k8s.core.v1.EnvVarSourceArgs(
                                secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(
                                    name="langsmith-clickhouse", key="clickhouse_password")))],
                            volume_mounts=[shared], resources=small,
                        )],
                        containers=[k8s.core.v1.ContainerArgs(
                            name="publish", image=AWS_CLI_IMAGE, command=["/bin/sh", "-c", publish],
                            volume_mounts=[shared], resources=small,
                        )],
                    )),
                )),
            ),
            opts=k8s_opts,
        )

    # -- backups ---------------------------------------------------------------------------
    def _backups(self) -> aws.backup.Plan:
        args, name = self._args, self._name
        child = pulumi.ResourceOptions(parent=self)
        vault = aws.backup.Vault(f"{name}-vault", name=f"{args.name_prefix}-backups", kms_key_arn=args.data_kms_key_arn,
                                 # Unprotected dev stacks: deleting the vault deletes its recovery points (else it
                                 # cannot go). Production: never; `pulumi destroy` forgets the vault instead.
                                 force_destroy=not (args.protect or args.keep_backups),
                                 opts=pulumi.ResourceOptions(parent=self, protect=args.protect,
                                                             retain_on_delete=args.keep_backups))
        plan = aws.backup.Plan(
            f"{name}-plan",
            name=f"{args.name_prefix}-daily",
            rules=[aws.backup.PlanRuleArgs(
                rule_name="daily",
                target_vault_name=vault.name,
                schedule=BACKUP_SCHEDULE,
                start_window=60,
                completion_window=360,
                lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=args.backup_retention_days),
            )],
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-backup-role",
            permissions_boundary=role_boundary_arn(args.account_id),
            description="AWS Backup: back up and restore this stack's RDS instance and ClickHouse volumes",
            # AWS Backup's documented service role trusts backup.amazonaws.com with no condition
            # (AWS Backup developer guide, "Default service role for AWS Backup"); its AssumeRole
            # calls are not documented to carry aws:SourceAccount/SourceArn, and a condition that
            # does not match fails every job silently (scanners' exception list: prowler#2810).
            # Only principals of this account can pass the role to AWS Backup (iam:PassRole).
            assume_role_policy=plain_service_trust_policy("backup.amazonaws.com"),
            opts=child,
        )
        for i, policy_arn in enumerate(BACKUP_MANAGED_POLICIES):
            aws.iam.RolePolicyAttachment(f"{name}-backup-{i}", role=role.name, policy_arn=policy_arn, opts=child)
        tag_key, tag_value = CLICKHOUSE_BACKUP_TAG
        aws.backup.Selection(
            f"{name}-clickhouse-volumes",
            name="clickhouse-volumes",
            plan_id=plan.id,
            iam_role_arn=role.arn,
            selection_tags=[aws.backup.SelectionSelectionTagArgs(type="STRINGEQUALS", key=tag_key, value=tag_value)],
            opts=child,
        )
        if args.rds_arn is not None:
            aws.backup.Selection(f"{name}-postgres", name="postgres", plan_id=plan.id, iam_role_arn=role.arn,
                                 resources=[args.rds_arn], opts=child)
        return plan

    # -- dashboard -------------------------------------------------------------------------
    def _dashboard(self) -> aws.cloudwatch.Dashboard:
        args = self._args

        def body(values: list[Any]) -> str:
            alb, rds, *members = values
            region = args.region

            def widget(title: str, metrics: list[list[Any]], x: int, y: int) -> dict[str, Any]:
                return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6,
                        "properties": {"title": title, "region": region, "metrics": metrics, "period": 300,
                                       "stat": "Sum" if "5XX" in str(metrics) else "Average"}}

            widgets = [
                widget("ALB requests and errors", [
                    ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", alb],
                    ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", alb],
                    ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", alb]], 0, 0),
                widget("ALB latency", [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", alb]], 12, 0),
                widget("Redis", [["AWS/ElastiCache", metric, "CacheClusterId", member]
                                 for member in members
                                 for metric in ("DatabaseMemoryUsagePercentage", "Evictions")], 0, 12),
                widget("Nodes and pods", [
                    ["ContainerInsights", "node_cpu_utilization", "ClusterName", args.cluster_name],
                    ["ContainerInsights", "node_memory_utilization", "ClusterName", args.cluster_name],
                    ["ContainerInsights", "namespace_number_of_running_pods", "ClusterName", args.cluster_name,
                     "Namespace", args.langsmith_namespace]], 12, 12),
            ]
            if rds:
                widgets.append(widget("PostgreSQL", [
                    ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", rds],
                    ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", rds],
                    ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", rds]], 0, 6))
            if args.clickhouse_in_cluster:
                widgets.append(widget("ClickHouse volume used (%)", [
                    [CUSTOM_METRIC_NAMESPACE, CLICKHOUSE_DISK_METRIC, "ClusterName", args.cluster_name]], 12, 6))
            return json.dumps({"widgets": widgets}, sort_keys=True)

        return aws.cloudwatch.Dashboard(
            f"{self._name}-dashboard",
            dashboard_name=f"{args.name_prefix}-langsmith",
            dashboard_body=pulumi.Output.all(args.alb_arn_suffix, args.rds_identifier or "",
                                             *args.redis_member_cluster_ids).apply(body),
            opts=pulumi.ResourceOptions(parent=self),
        )

