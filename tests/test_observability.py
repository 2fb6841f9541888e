"""Observability and backups: log retention everywhere, events, health, alarms, backups, dashboard."""

from __future__ import annotations

import json
import re

import pytest

from components import metric_catalogue, versions
from components.cluster import CLICKHOUSE_BACKUP_TAG
from data.upstream.otelcol import collector_tag, otelcol_facts
from tests.conftest import policy, run_stack
from tools.engine.harness import ProgramRun

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def alarms(run: ProgramRun) -> dict[str, dict]:
    return {a.name.removeprefix("observability-"): a.inputs for a in run.of_type(ALARM)}


def test_every_log_group_has_the_profile_retention_and_the_logs_key(prod_run: ProgramRun, dev_run: ProgramRun):
    for run, days in ((prod_run, 365), (dev_run, 30)):
        logs_key = run.one("aws:kms/key:Key", "keys-logs").outputs["arn"]
        groups = {g.inputs["name"]: g.inputs for g in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
        for group in groups.values():
            assert group["retentionInDays"] == days and group["kmsKeyId"] == logs_key
        prefix = "ls-prod" if run is prod_run else "ls-dev"
        expected = {f"/aws/eks/{prefix}-eks/cluster", f"/aws/vpc/{prefix}/flow-logs", f"aws-waf-logs-{prefix}",
                    f"/aws/elasticache/{prefix}-redis/slow-log", f"/aws/elasticache/{prefix}-redis/engine-log",
                    *(f"/aws/containerinsights/{prefix}-eks/{k}" for k in ("application", "dataplane", "host", "performance"))}
        assert expected <= set(groups)
    prod_groups = {g.inputs["name"] for g in prod_run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert {"/aws/rds/instance/ls-prod-postgres/postgresql", "/aws/rds/instance/ls-prod-postgres/upgrade"} <= prod_groups


def test_alb_access_logs_expire_with_the_same_retention(prod_run: ProgramRun):
    lifecycle = [r for r in prod_run.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
                 if r.name == "access-logs-lifecycle"][0]
    assert lifecycle.inputs["rules"][0]["expiration"]["days"] == 365


def test_container_logs_come_from_the_cloudwatch_add_on(prod_run: ProgramRun):
    (addon,) = [a for a in prod_run.of_type("aws:eks/addon:Addon") if a.inputs["addonName"] == "amazon-cloudwatch-observability"]
    assert addon.inputs["addonVersion"] == versions.CLOUDWATCH_OBSERVABILITY_ADDON
    role = prod_run.one("aws:iam/role:Role", "observability-cloudwatch-agent-role")
    assert addon.inputs["serviceAccountRoleArn"] == role.outputs["arn"]
    (statement,) = policy(role, "assumeRolePolicy")["Statement"]
    subs = [v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert subs == ["system:serviceaccount:amazon-cloudwatch:cloudwatch-agent"]
    groups = [g.urn for g in prod_run.of_type("aws:cloudwatch/logGroup:LogGroup") if "containerinsights" in g.inputs["name"]]
    assert len(groups) == 4 and set(groups) <= set(addon.dependencies)


def test_kubernetes_events_go_to_their_log_group_through_a_maintained_collector(prod_run: ProgramRun):
    """The OpenTelemetry Collector (contrib) watches Events and writes them to a log group of their
    own; the old resmoio exporter (unmaintained since 2024) printed them to stdout."""
    deployment = prod_run.one("kubernetes:apps/v1:Deployment").inputs
    assert deployment["spec"]["replicas"] == 1  # two would write every event twice
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == versions.EVENTS_COLLECTOR_IMAGE
    assert container["image"].startswith("docker.io/otel/opentelemetry-collector-contrib:")
    assert "resmoio" not in container["image"]
    assert pod["serviceAccountName"] == "events-collector"
    config = json.loads(prod_run.one("kubernetes:core/v1:ConfigMap").inputs["data"]["config.yaml"])
    assert config["receivers"] == {"k8sobjects": {"auth_type": "serviceAccount", "objects": [
        {"name": "events", "group": "events.k8s.io", "mode": "watch", "exclude_watch_type": ["DELETED"]}]}}
    group = prod_run.one("aws:cloudwatch/logGroup:LogGroup", "observability-events")
    assert group.inputs["name"] == "/aws/eks/ls-prod-eks/events"
    exporter = config["exporters"]["awscloudwatchlogs"]
    assert exporter["log_group_name"] == group.inputs["name"] and exporter["region"] == "us-east-1"
    assert config["service"]["pipelines"] == {"logs": {
        "receivers": ["k8sobjects"], "processors": ["memory_limiter", "batch"], "exporters": ["awscloudwatchlogs"]}}
    # Nothing else listens: the health endpoint for the probes, no metrics endpoint.
    assert config["service"]["telemetry"]["metrics"] == {"level": "none"}
    assert container["livenessProbe"]["httpGet"]["port"] == container["ports"][0]["containerPort"] == 13133


def test_the_collector_image_is_built_with_every_component_its_config_uses(prod_run: ProgramRun):
    """A component type the image lacks stops the collector at start: each one the config names is
    in the pinned release's contrib manifest (data/upstream/otelcol-<tag>.json, from the release's
    source), and the image is that release's, published for arm64 too (settings/architecture.py)."""
    facts = otelcol_facts(collector_tag())
    contrib = facts["distributions"]["otelcol-contrib"]
    config = json.loads(prod_run.one("kubernetes:core/v1:ConfigMap").inputs["data"]["config.yaml"])
    for kind in ("receivers", "processors", "exporters", "extensions"):
        for component_type in config[kind]:
            # each module is named after its type, underscores dropped, and its kind
            module = component_type.replace("_", "") + kind.removesuffix("s")
            assert module in contrib["modules"][kind], f"{kind}: {component_type} is not in the image"
    name, tag = versions.EVENTS_COLLECTOR_IMAGE.removeprefix("docker.io/").rsplit(":", 1)
    assert tag == contrib["version"] and "arm64" in contrib["images"][name]
    # Why contrib: the Kubernetes distribution has the receiver, but only OTLP-family exporters.
    k8s = facts["distributions"]["otelcol-k8s"]["modules"]
    assert "k8sobjectsreceiver" in k8s["receivers"] and "awscloudwatchlogsexporter" not in k8s["exporters"]


def test_the_events_collector_reads_events_only_and_writes_one_log_group(prod_run: ProgramRun):
    (rule,) = prod_run.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").inputs["rules"]
    assert rule == {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["list", "watch"]}
    binding = prod_run.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").inputs
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "events-collector", "namespace": "kube-events"}]
    # IRSA: one service account, and only CreateLogStream / PutLogEvents on the group's streams.
    role = prod_run.one("aws:iam/role:Role", "observability-events-collector-role")
    (statement,) = policy(role, "assumeRolePolicy")["Statement"]
    subs = [v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert subs == ["system:serviceaccount:kube-events:events-collector"]
    account = prod_run.one("kubernetes:core/v1:ServiceAccount", "observability-events-sa").inputs
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role.outputs["arn"]}
    group = prod_run.one("aws:cloudwatch/logGroup:LogGroup", "observability-events")
    (grant,) = policy(prod_run.one("aws:iam/rolePolicy:RolePolicy", "observability-events-collector-policy"))["Statement"]
    assert grant == {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                     "Resource": f"{group.outputs['arn']}:log-stream:*"}
    assert [r for r in prod_run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            if r.parent == role.parent] == []


def test_the_events_collector_starts_after_its_group_role_and_network_policy(prod_run: ProgramRun):
    deployment = prod_run.one("kubernetes:apps/v1:Deployment")
    group = prod_run.one("aws:cloudwatch/logGroup:LogGroup", "observability-events")
    closed = [p for p in prod_run.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
              if p.inputs["metadata"]["namespace"] == "kube-events"]
    assert len(closed) == 1 and closed[0].inputs["metadata"]["name"] == "deny-instance-metadata"
    assert {group.urn, closed[0].urn} <= set(deployment.dependencies)
    # the IRSA component, expanded by the SDK into its role and the role's policy
    role = prod_run.one("aws:iam/role:Role", "observability-events-collector-role")
    grant = prod_run.one("aws:iam/rolePolicy:RolePolicy", "observability-events-collector-policy")
    assert {role.urn, grant.urn} <= set(deployment.dependencies)


def test_health_check_on_the_public_url(prod_run: ProgramRun):
    check = prod_run.one("aws:route53/healthCheck:HealthCheck")
    assert (check.inputs["fqdn"], check.inputs["type"], check.inputs["port"], check.inputs["resourcePath"]) == (
        "langsmith.example.com", "HTTPS", 443, "/health")
    health = alarms(prod_run)["health-check"]
    assert health["namespace"] == "AWS/Route53" and health["dimensions"] == {"HealthCheckId": check.id}
    assert health["comparisonOperator"] == "LessThanThreshold" and health["threshold"] == 1


def test_health_check_alarm_lives_in_us_east_1_elsewhere():
    run = run_stack("prod", {"aws:region": "eu-west-1"})
    (extra,) = [p for p in run.of_type("pulumi:providers:aws") if p.name == "observability-us-east-1"]
    assert extra.inputs["region"] == "us-east-1"
    health = run.one(ALARM, "observability-health-check")
    assert (health.provider or "").startswith(extra.urn)
    assert json.loads(extra.inputs["defaultTags"])["tags"]["app"] == "langsmith"
    topic = run.one("aws:sns/topic:Topic", "observability-health-alarms")
    key = run.one("aws:kms/key:Key", "observability-health-alarms")
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"] and (topic.provider or "").startswith(extra.urn)
    assert "cloudwatch.amazonaws.com" in key.inputs["policy"]
    from tools.engine.plan import build_plan
    from tools.engine.policy_check import check_plan
    assert [v for v in check_plan(build_plan(run)) if v["enforcement"] == "mandatory"] == []


def test_internal_alb_has_no_route53_health_check():
    run = run_stack("prod", {"edge": {"internal": True, "allowedCidrs": ["10.0.0.0/8"]}})
    assert run.of_type("aws:route53/healthCheck:HealthCheck") == []
    assert "alb-unhealthy-targets" in alarms(run)


@pytest.mark.parametrize("stack, expected", [
    ("prod", {"alb-target-5xx": 20, "rds-cpu": 80, "rds-connections": 700, "redis-memory-1": 80,
              "redis-evictions-1": 0, "pod-restarts": 3, "clickhouse-disk": 80, "rds-free-storage": 10 * 2**30}),
    ("dev", {"alb-target-5xx": 50, "rds-cpu": 90, "rds-connections": 300, "redis-memory-1": 90,
             "redis-evictions-1": 1000, "pod-restarts": 10, "clickhouse-disk": 80, "rds-free-storage": 5 * 2**30}),
])
def test_alarm_thresholds_follow_the_profile(stack: str, expected: dict, dev_run: ProgramRun, prod_run: ProgramRun):
    found = alarms(prod_run if stack == "prod" else dev_run)
    assert {k: found[k]["threshold"] for k in expected} == expected


def test_every_alarm_notifies_the_encrypted_topic(prod_run: ProgramRun):
    topic = prod_run.one("aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == prod_run.one("aws:kms/key:Key", "keys-logs").outputs["arn"]
    found = alarms(prod_run)
    assert set(found) == {"alb-target-5xx", "alb-elb-5xx", "alb-unhealthy-targets", "redis-memory-1", "redis-evictions-1",
                          "redis-memory-2", "redis-evictions-2",
                          "pod-restarts", "failed-nodes", "rds-cpu", "rds-free-storage", "rds-connections",
                          "rds-no-connections", "clickhouse-disk", "health-check"}
    for alarm in found.values():
        assert alarm["alarmActions"] == [topic.outputs["arn"]] and alarm["okActions"] == [topic.outputs["arn"]]
    key_policy = {s["Sid"]: s for s in policy(prod_run.one("aws:kms/key:Key", "keys-logs"))["Statement"]}
    assert key_policy["CloudWatchAlarmsOfThisAccount"]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}


def test_alarm_dimensions_point_at_the_stacks_resources(prod_run: ProgramRun):
    found = alarms(prod_run)
    alb = prod_run.one("aws:lb/loadBalancer:LoadBalancer").outputs["arnSuffix"]
    assert found["alb-target-5xx"]["dimensions"] == {"LoadBalancer": alb}
    assert found["alb-unhealthy-targets"]["dimensions"]["TargetGroup"] == \
        prod_run.one("aws:lb/targetGroup:TargetGroup").outputs["arnSuffix"]
    assert found["rds-cpu"]["dimensions"] == {"DBInstanceIdentifier": "ls-prod-postgres"}
    # One alarm per member cluster: ElastiCache publishes node metrics per CacheClusterId.
    assert found["redis-memory-1"]["dimensions"] == {"CacheClusterId": "ls-prod-redis-001"}
    assert found["redis-evictions-2"]["dimensions"] == {"CacheClusterId": "ls-prod-redis-002"}
    (query,) = found["pod-restarts"]["metricQueries"]
    assert "ClusterName = 'ls-prod-eks' AND Namespace = 'langsmith'" in query["expression"]


def test_restart_alarm_adds_up_the_namespaces_restarts(prod_run: ProgramRun):
    # Each pod_number_of_container_restarts datapoint is the restarts since the agent's previous
    # collection (awscontainerinsightreceiver internal/stores/podstore.go addStatus: current
    # RestartCount sum minus the previous one). A pod crash-looping for 5 minutes publishes e.g.
    # 1, 0, 1, 0, 1: MAX is 1 (never above a threshold of 3), SUM is 3, the restarts that happened.
    deltas = [1, 0, 1, 0, 1]
    assert max(deltas) == 1 and sum(deltas) == 3
    (query,) = alarms(prod_run)["pod-restarts"]["metricQueries"]
    assert query["expression"].startswith("SELECT SUM(pod_number_of_container_restarts) FROM SCHEMA(ContainerInsights, ")
    assert query["period"] == 300


def test_zero_database_connections_raise_an_alarm(prod_run: ProgramRun):
    # RDS publishes DatabaseConnections = 0 (data, not missing) while no client is connected: the
    # "limit" alarm (Maximum > N) stays OK then, so "unreachable" is an alarm of its own.
    found = alarms(prod_run)
    high, none = found["rds-connections"], found["rds-no-connections"]
    assert high["comparisonOperator"] == "GreaterThanThreshold"
    assert none["metricName"] == "DatabaseConnections" and none["statistic"] == "Maximum"
    assert none["comparisonOperator"] == "LessThanThreshold" and none["threshold"] == 1
    assert none["evaluationPeriods"] >= 2 and none["treatMissingData"] == "breaching"
    assert none["dimensions"] == high["dimensions"]


def test_no_route53_health_check_the_alb_would_refuse():
    # Route53's checkers call from AWS ranges of their own (ROUTE53_HEALTHCHECKS in ip-ranges.json);
    # an ALB open only to allowedCidrs refuses them, and the check (and its alarm) would fail for good.
    run = run_stack("prod", {"edge": {"allowedCidrs": ["198.51.100.0/24"]}})
    assert run.of_type("aws:route53/healthCheck:HealthCheck") == []
    assert "health-check" not in alarms(run) and "alb-unhealthy-targets" in alarms(run)


def test_alarm_email_subscription():
    run = run_stack("prod", {"observability": {"alarmEmail": "oncall@example.com"}})
    (subscription,) = run.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.inputs["protocol"] == "email" and subscription.inputs["endpoint"] == "oncall@example.com"


def test_clickhouse_disk_probe_publishes_the_metric_the_alarm_watches(prod_run: ProgramRun):
    cron = prod_run.one("kubernetes:batch/v1:CronJob").inputs
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (ask,) = pod["initContainers"]
    (publish,) = pod["containers"]
    alarm = alarms(prod_run)["clickhouse-disk"]
    script = publish["command"][-1]
    assert f"--namespace {alarm['namespace']}" in script and f"--metric-name {alarm['metricName']}" in script
    assert "--dimensions ClusterName=ls-prod-eks" in script and publish["image"] == versions.AWS_CLI_IMAGE
    assert "system.disks" in ask["command"][-1] and ask["image"] == versions.CURL_IMAGE
    assert ask["env"][0]["valueFrom"]["secretKeyRef"] == {"name": "langsmith-clickhouse", "key": "clickhouse_password"}
    inline = policy(prod_run.one("aws:iam/rolePolicy:RolePolicy", "observability-clickhouse-probe-policy"))
    (statement,) = inline["Statement"]
    assert statement["Action"] == "cloudwatch:PutMetricData"
    assert statement["Condition"] == {"StringEquals": {"cloudwatch:namespace": "LangSmith"}}


def test_backups_cover_clickhouse_volumes_and_rds(prod_run: ProgramRun):
    vault = prod_run.one("aws:backup/vault:Vault")
    assert vault.inputs["kmsKeyArn"] == prod_run.one("aws:kms/key:Key", "keys-data").outputs["arn"]
    assert vault.protect is True
    (rule,) = prod_run.one("aws:backup/plan:Plan").inputs["rules"]
    assert rule["schedule"] == "cron(0 5 * * ? *)" and rule["lifecycle"] == {"deleteAfter": 35}
    selections = {s.inputs["name"]: s.inputs for s in prod_run.of_type("aws:backup/selection:Selection")}
    key, value = CLICKHOUSE_BACKUP_TAG
    assert selections["clickhouse-volumes"]["selectionTags"] == [{"type": "STRINGEQUALS", "key": key, "value": value}]
    classes = {s.inputs["metadata"]["name"]: s.inputs for s in prod_run.of_type("kubernetes:storage.k8s.io/v1:StorageClass")}
    assert classes["clickhouse-gp3"]["parameters"]["tagSpecification_1"] == f"{key}={value}"
    assert selections["postgres"]["resources"] == [prod_run.one("aws:rds/instance:Instance").outputs["arn"]]
    role = prod_run.one("aws:iam/role:Role", "observability-backup-role")
    (trust,) = policy(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "backup.amazonaws.com"}
    assert selections["postgres"]["iamRoleArn"] == role.outputs["arn"]


def test_backup_retention_per_profile(dev_run: ProgramRun):
    (rule,) = dev_run.one("aws:backup/plan:Plan").inputs["rules"]
    assert rule["lifecycle"] == {"deleteAfter": 7}


def test_dashboard_shows_the_alarmed_figures(prod_run: ProgramRun):
    body = json.loads(prod_run.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    metrics = {m[1] for w in body["widgets"] for m in w["properties"]["metrics"]}
    assert {"HTTPCode_Target_5XX_Count", "CPUUtilization", "DatabaseConnections", "FreeStorageSpace",
            "DatabaseMemoryUsagePercentage", "Evictions", "namespace_number_of_running_pods",
            "ClickHouseDiskUsedPercent"} <= metrics


SCHEMA = re.compile(r"^SELECT (?P<stat>[A-Z]+)\((?P<metric>\w+)\) FROM SCHEMA\((?P<namespace>[\w/]+), (?P<dims>[\w, ]+)\)")


def _checked_metric(alarm: dict) -> tuple[str, str, frozenset[str]]:
    """(namespace, metric, dimension names) an alarm watches: a plain metric or a Metrics Insights query."""
    if alarm.get("metricQueries"):
        (query,) = alarm["metricQueries"]
        m = SCHEMA.match(query["expression"])
        assert m, query["expression"]
        return m["namespace"], m["metric"], frozenset(d.strip() for d in m["dims"].split(","))
    return alarm["namespace"], alarm["metricName"], frozenset(alarm["dimensions"])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_alarm_watches_a_metric_aws_publishes(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    run = prod_run if stack == "prod" else dev_run
    found = alarms(run)
    assert found
    for key, alarm in found.items():
        namespace, metric, dims = _checked_metric(alarm)
        spec = metric_catalogue.spec(namespace, metric)
        assert dims in spec.dimension_sets, f"{key}: {namespace}/{metric} is not published with {sorted(dims)}"
        # No data at all from a metric that is always published is a failure, never "OK".
        expected = "breaching" if spec.always_published else "notBreaching"
        assert alarm["treatMissingData"] == expected, key


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_dashboard_shows_only_published_metrics(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    run = prod_run if stack == "prod" else dev_run
    body = json.loads(run.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    for widget in body["widgets"]:
        for namespace, metric, *pairs in widget["properties"]["metrics"]:
            dims = frozenset(pairs[0::2])
            assert dims in metric_catalogue.spec(namespace, metric).dimension_sets, (metric, dims)


def test_old_alarm_shapes_are_refused_by_the_catalogue():
    # What the alarms used to watch: none of these series exists.
    assert frozenset({"ReplicationGroupId"}) not in metric_catalogue.spec("AWS/ElastiCache", "Evictions").dimension_sets
    assert frozenset({"ClusterName", "Namespace"}) not in metric_catalogue.spec(
        "ContainerInsights", "pod_number_of_container_restarts").dimension_sets


def test_redis_alarms_follow_the_member_count(dev_run: ProgramRun, prod_run: ProgramRun):
    for run in (dev_run, prod_run):
        nodes = run.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs["numCacheClusters"]
        members = {a["dimensions"]["CacheClusterId"] for a in alarms(run).values()
                   if a.get("namespace") == "AWS/ElastiCache"}
        group = run.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs["replicationGroupId"]
        assert members == {f"{group}-{i:03d}" for i in range(1, int(nodes) + 1)}


def test_backup_role_trust_is_the_documented_one(prod_run: ProgramRun):
    # AWS Backup's documented default service role trusts the service principal without a
    # condition; a source-account condition Backup does not send fails every backup job silently.
    role = prod_run.one("aws:iam/role:Role", "observability-backup-role")
    (trust,) = policy(role, "assumeRolePolicy")["Statement"]
    assert trust == {"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "sts:AssumeRole"}
    attached = {a.inputs["policyArn"] for a in prod_run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                if a.inputs["role"] == role.outputs["name"]}
    assert attached == {"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"}
