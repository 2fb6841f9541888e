"""The langsmith release: values key by key, the Secrets it reads, its dependencies, its ALB binding."""

from __future__ import annotations

import json

import pytest

from components import versions
from components.cluster import CLICKHOUSE_TAINT_KEY, POOL_LABEL
from components.langsmith_values import CHART, S3_COMPONENTS, ignored_value_paths, value_paths
from tests.conftest import policy, run_stack
from tools.engine.harness import ProgramRun, Registration
from tools.engine.mocks import is_secret
from tools.engine.plan import build_plan

RELEASE = "kubernetes:helm.sh/v3:Release"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
COMPONENT_KEYS = ("backend", "platformBackend", "queue", "ingestQueue", "frontend", "playground", "aceBackend")


def release(run: ProgramRun) -> Registration:
    return run.one(RELEASE, "langsmith-release")


def values(run: ProgramRun) -> dict:
    v = release(run).inputs["values"]
    assert not is_secret(v), "a secret reached the Helm values"
    return v


def external_secret(run: ProgramRun, name: str) -> dict:
    return run.one(EXTERNAL_SECRET, f"langsmith-{name}").inputs


def secret_arn(run: ProgramRun, suffix: str) -> str:
    (s,) = [s for s in run.of_type("aws:secretsmanager/secret:Secret") if s.inputs["name"].endswith("/" + suffix)]
    return s.outputs["arn"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_value_is_a_key_the_chart_reads(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    # The chart's values.yaml at the pinned tag (data/charts/, derived by data/charts/generate.py).
    run = dev_run if stack == "dev" else prod_run
    assert CHART.version == versions.LANGSMITH.version
    assert ignored_value_paths(values(run)) == set()
    assert len(value_paths(values(run))) > 40


def test_a_value_the_chart_ignores_is_caught():
    # 0.16.x has no NetworkPolicy template nor value: the value we used to pass did nothing.
    assert ignored_value_paths({"networkPolicy": {"enabled": True}}) == {"networkPolicy.enabled"}
    assert ignored_value_paths({"backend": {"deployment": {"replica": 3}}}) == {"backend.deployment.replica"}
    # Under maps the chart copies verbatim, any key is read.
    assert ignored_value_paths({"backend": {"serviceAccount": {"annotations": {"x/y": "z"}}},
                                "clickhouse": {"statefulSet": {"nodeSelector": {"pool": "ch"}}}}) == set()
    assert not any("networkPolicy" in p or "NetworkPolicy" in p for p in CHART.value_paths)
    assert CHART.source["tag"] == f"langsmith-{versions.LANGSMITH.version}" and len(CHART.source["commit"]) == 40


def test_release_is_pinned_in_its_namespace(prod_run: ProgramRun):
    r = release(prod_run).inputs
    assert (r["chart"], r["version"]) == ("langsmith", versions.LANGSMITH.version)
    assert r["repositoryOpts"]["repo"] == "https://langchain-ai.github.io/helm/"
    assert versions.LANGSMITH.version.startswith("0.16.")
    assert r["namespace"] == "langsmith" and r["name"] == "langsmith"
    assert r["timeout"] >= 1800


# The hooks of langsmith 0.16.11 (charts/langsmith/templates/**, annotations "helm.sh/hook" and
# "helm.sh/hook-weight", read at tag langsmith-0.16.11 of langchain-ai/helm): the schema is created
# by post-install hooks, after Helm's readiness wait.
LANGSMITH_HOOKS = {
    "backend/postgres-migrations.yaml": ({"post-install", "pre-upgrade"}, -1),
    "backend/clickhouse-migrations.yaml": ({"post-install", "pre-upgrade"}, -1),
    "backend/auth-bootstrap.yaml": ({"post-install", "post-upgrade"}, 0),
    "backend/e2e-test.yaml": ({"post-install", "post-upgrade"}, 1),  # "helm.sh/fail-hook-policy": fail
    "backend/backfill-check.yaml": ({"pre-upgrade"}, -2),
    "smithdb/metastore-migration.yaml": ({"pre-install", "pre-upgrade"}, -1),
    "smithdb/service-account.yaml": ({"pre-install", "pre-upgrade"}, -2),
    "pre-install-manifests.yaml": ({"pre-install", "pre-upgrade"}, -5),
}
MIGRATIONS = ("backend/postgres-migrations.yaml", "backend/clickhouse-migrations.yaml")


def test_release_does_not_wait_for_readiness_before_its_post_install_migrations(prod_run: ProgramRun):
    # Helm installs, waits (when Wait, which Atomic implies), then runs post-install hooks: a
    # release that waits never reaches the migrations its backend needs.
    assert all("post-install" in LANGSMITH_HOOKS[m][0] for m in MIGRATIONS)
    r = release(prod_run).inputs
    assert r["skipAwait"] is True
    assert not r.get("atomic") and not r.get("waitForJobs")
    # Every other release keeps atomic with Helm's wait (their CRDs and webhooks come first).
    others = [o for o in prod_run.of_type(RELEASE) if o.name != "langsmith-release"]
    assert others and all(o.inputs["atomic"] is True and not o.inputs.get("skipAwait") for o in others)


def test_readiness_is_a_job_pulumi_awaits_after_the_release(prod_run: ProgramRun):
    job = prod_run.one("kubernetes:batch/v1:Job", "langsmith-ready")
    assert release(prod_run).urn in job.dependencies
    annotations = job.inputs["metadata"]["annotations"]
    assert "pulumi.com/skipAwait" not in annotations  # awaited: Complete, or the update fails
    assert annotations["pulumi.com/replaceUnready"] == "true"
    assert int(annotations["pulumi.com/timeoutSeconds"]) > 1500
    spec = job.inputs["spec"]
    assert spec["backoffLimit"] == 0
    pod = spec["template"]["spec"]
    containers = [*pod["initContainers"], *pod["containers"]]
    kinds = [c["args"][2] for c in containers]
    assert kinds == ["statefulset", "deployment"]
    for c in containers:
        a = c["args"]
        assert a[:2] == ["rollout", "status"] and c["image"] == versions.KUBECTL_IMAGE
        # The chart's selector label (langsmith.selectorLabels) with the release name: a wrong
        # selector would match nothing and pass.
        assert a[a.index("--selector") + 1] == "app.kubernetes.io/instance=langsmith"
        assert a[a.index("--namespace") + 1] == "langsmith"
        assert any(e["name"] == "LANGSMITH_RELEASE_REVISION" for e in c["env"])
    role = prod_run.one("kubernetes:rbac.authorization.k8s.io/v1:Role", "langsmith-readiness").inputs
    (rule,) = role["rules"]
    assert set(rule["verbs"]) == {"get", "list", "watch"} and rule["apiGroups"] == ["apps"]
    assert pod["serviceAccountName"] == role["metadata"]["name"]


def test_chart_e2e_hook_cannot_fail_the_first_install(dev_run: ProgramRun, prod_run: ProgramRun):
    # The e2e hook runs with basic auth (dev) right after the migrations; without the wait it
    # would race starting pods, and its fail policy would fail the install.
    for run in (dev_run, prod_run):
        assert values(run)["backend"]["e2eTest"]["enabled"] is False


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_chart_renders_no_secret_of_its_own(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    v = values(dev_run if stack == "dev" else prod_run)
    assert v["config"]["existingSecretName"] == "langsmith-config"
    assert v["postgres"]["external"] == {"enabled": True, "existingSecretName": "langsmith-postgres",
                                         "connectionUrlSecretKey": "connection_url"}
    assert v["redis"]["external"] == {"enabled": True, "existingSecretName": "langsmith-redis",
                                      "connectionUrlSecretKey": "connection_url"}
    assert v["clickhouse"]["external"]["existingSecretName"] == "langsmith-clickhouse"
    text = json.dumps(v)
    for forbidden in ("langsmithLicenseKey", "apiKeySalt", "initialOrgAdminPassword", "jwtSecret",
                      "oauthClientSecret", "connectionUrl\"", "password", "accessKey"):
        assert forbidden not in text


def test_no_secret_value_in_the_release_values(prod_run: ProgramRun):
    text = json.dumps(build_plan(prod_run)["resources"][prod_run.registrations.index(release(prod_run))])
    for generated in prod_run.of_type("random:index/randomPassword:RandomPassword"):
        assert generated.outputs["result"] not in text


def test_hostname_blob_storage_and_feature_flags(prod_run: ProgramRun):
    config = values(prod_run)["config"]
    assert config["hostname"] == "https://langsmith.example.com"
    assert config["blobStorage"] == {"enabled": True, "engine": "S3",
                                     "bucketName": prod_run.outputs["bucketName"],
                                     "apiURL": "https://s3.us-east-1.amazonaws.com"}
    v = values(prod_run)
    assert v["insights"]["enabled"] is False and v["polly"]["enabled"] is False
    assert v["frontend"]["service"] == {"type": "ClusterIP"}
    assert "networkPolicy" not in v
    assert config["deployment"] == {"enabled": False}


def test_s3_api_url_follows_the_region():
    run = run_stack("dev", {"aws:region": "eu-west-1"})
    assert values(run)["config"]["blobStorage"]["apiURL"] == "https://s3.eu-west-1.amazonaws.com"


def test_dev_uses_basic_auth(dev_run: ProgramRun):
    config = values(dev_run)["config"]
    assert config["authType"] == "mixed" and config["basicAuth"] == {"enabled": True}
    assert config["initialOrgAdminEmail"] == "admin@example.com" and "oauth" not in config
    data = external_secret(dev_run, "langsmith-config")["spec"]["data"]
    keys = {d["secretKey"]: d["remoteRef"]["key"] for d in data}
    assert keys["jwt_secret"] == secret_arn(dev_run, "jwt-secret")
    assert keys["initial_org_admin_password"] == secret_arn(dev_run, "initial-admin-password")


def test_prod_uses_oidc_with_its_client_secret_from_secrets_manager(prod_run: ProgramRun):
    config = values(prod_run)["config"]
    assert config["authType"] == "mixed" and config["oauth"]["enabled"] is True
    assert "basicAuth" not in config
    # The auth-bootstrap hook creates the SSO organisation with this admin (every auth mode).
    assert config["initialOrgAdminEmail"] == "admin@example.com"
    spec = external_secret(prod_run, "langsmith-config")["spec"]
    template = spec["target"]["template"]["data"]
    assert template["oauth_client_id"] == "langsmith"
    assert template["oauth_issuer_url"] == "https://login.example.com/oauth2/default"
    refs = {d["secretKey"]: d["remoteRef"]["key"] for d in spec["data"]}
    assert refs["oauth_client_secret"] == secret_arn(prod_run, "oidc-client-secret")
    assert template["oauth_client_secret"] == "{{ .oauth_client_secret }}"


def test_oidc_without_client_secret_uses_pkce():
    run = run_stack("prod", drop=("oidcClientSecret",))
    assert values(run)["config"]["authType"] == "oauth"
    assert values(run)["config"]["initialOrgAdminEmail"] == "admin@example.com"


def test_config_secret_carries_license_and_salt(prod_run: ProgramRun):
    refs = {d["secretKey"]: d["remoteRef"]["key"] for d in external_secret(prod_run, "langsmith-config")["spec"]["data"]}
    assert refs["langsmith_license_key"] == secret_arn(prod_run, "license-key")
    assert refs["api_key_salt"] == secret_arn(prod_run, "api-key-salt")


def test_insights_and_polly_get_generated_keys_when_enabled():
    run = run_stack("prod", {"langsmith": {"domain": "ls.example.com", "hostedZoneId": "Z0123456789ABC",
                                           "auth": "basic", "adminEmail": "a@example.com",
                                           "insightsEnabled": True, "pollyEnabled": True}}, drop=("oidcClientSecret",))
    v = values(run)
    assert v["insights"]["enabled"] is True and v["polly"]["enabled"] is True
    refs = {d["secretKey"]: d["remoteRef"]["key"] for d in external_secret(run, "langsmith-config")["spec"]["data"]}
    assert refs["insights_encryption_key"] == secret_arn(run, "insights-encryption-key")
    assert refs["polly_encryption_key"] == secret_arn(run, "polly-encryption-key")


def test_postgres_url_is_templated_from_the_rds_managed_secret(prod_run: ProgramRun):
    spec = external_secret(prod_run, "langsmith-postgres")["spec"]
    master = prod_run.outputs["databaseMasterSecretArn"]
    assert [(d["secretKey"], d["remoteRef"]) for d in spec["data"]] == [
        ("username", {"key": master, "property": "username"}),
        ("password", {"key": master, "property": "password"})]
    url = spec["target"]["template"]["data"]["connection_url"]
    assert url == ("{{ .username }}:{{ .password | urlquery }}@"
                   f"{prod_run.outputs['databaseEndpoint']}:5432/langsmith?sslmode=require")


def test_redis_url_uses_tls_and_the_auth_token(prod_run: ProgramRun):
    spec = external_secret(prod_run, "langsmith-redis")["spec"]
    assert spec["data"] == [{"secretKey": "token", "remoteRef": {"key": secret_arn(prod_run, "redis-auth-token")}}]
    assert spec["target"]["template"]["data"]["connection_url"] == \
        f"rediss://:{{{{ .token | urlquery }}}}@{prod_run.outputs['redisEndpoint']}:6379"


def test_clickhouse_secret_has_all_seven_keys(prod_run: ProgramRun):
    spec = external_secret(prod_run, "langsmith-clickhouse")["spec"]
    template = spec["target"]["template"]["data"]
    assert template == {
        "clickhouse_host": "langsmith-clickhouse.langsmith.svc.cluster.local", "clickhouse_port": "8123",
        "clickhouse_native_port": "9000", "clickhouse_tls": "false", "clickhouse_user": "default",
        "clickhouse_password": "{{ .password }}", "clickhouse_db": "default"}
    assert values(prod_run)["clickhouse"]["external"]["user"] == template["clickhouse_user"]
    assert spec["data"][0]["remoteRef"]["key"] == secret_arn(prod_run, "clickhouse-password")


def test_external_secrets_use_the_namespaced_store_and_are_awaited(prod_run: ProgramRun):
    (store,) = prod_run.of_type("kubernetes:external-secrets.io/v1:SecretStore")
    assert store.inputs["metadata"]["namespace"] == "langsmith"
    # it reads as the namespace's own reader, never with the controller's identity (test_cluster.py)
    assert store.inputs["spec"] == {"provider": {"aws": {
        "service": "SecretsManager", "region": "us-east-1",
        "auth": {"jwt": {"serviceAccountRef": {"name": "secrets-reader"}}}}}}
    for es in prod_run.of_type(EXTERNAL_SECRET):
        assert es.inputs["metadata"]["namespace"] == "langsmith"
        assert es.inputs["metadata"]["annotations"]["pulumi.com/waitFor"] == "condition=Ready"
        assert es.inputs["spec"]["secretStoreRef"] == {"kind": "SecretStore", "name": "aws-secrets-manager"}
        assert store.urn in es.dependencies


def test_clickhouse_runs_on_its_pool_with_its_storage_class(prod_run: ProgramRun):
    stateful = values(prod_run)["clickhouse"]["statefulSet"]
    (group,) = [g for g in prod_run.of_type("eks:index:ManagedNodeGroup") if g.name == "cluster-clickhouse"]
    assert stateful["nodeSelector"] == group.inputs["labels"] == {POOL_LABEL: "clickhouse"}
    (taint,) = group.inputs["taints"]
    assert stateful["tolerations"] == [{"key": taint["key"], "operator": "Equal", "value": taint["value"],
                                        "effect": "NoSchedule"}]
    assert taint["key"] == CLICKHOUSE_TAINT_KEY and taint["effect"] == "NO_SCHEDULE"
    classes = {s.inputs["metadata"]["name"] for s in prod_run.of_type("kubernetes:storage.k8s.io/v1:StorageClass")}
    # The template's size is fixed (immutable in a StatefulSet); the claim it adopts carries the config's.
    assert stateful["persistence"] == {"enabled": True, "size": "20Gi", "storageClassName": "clickhouse-gp3"}
    assert stateful["persistence"]["storageClassName"] in classes
    assert stateful["resources"] == {"requests": {"cpu": "6", "memory": "24Gi"}, "limits": {"memory": "24Gi"}}


def test_external_clickhouse_keeps_the_chart_workload_off():
    run = run_stack("dev", {"clickhouse": {"mode": "external", "externalHost": "ch.example.com"},
                            "clickhouseExternalPassword": "pw"}, secret=("clickhouseExternalPassword",))
    ch = values(run)["clickhouse"]
    assert ch == {"enabled": True, "external": {"enabled": True, "existingSecretName": "langsmith-clickhouse",
                                                 "user": "default"}}
    template = external_secret(run, "langsmith-clickhouse")["spec"]["target"]["template"]["data"]
    assert template["clickhouse_host"] == "ch.example.com" and template["clickhouse_tls"] == "true"
    assert template["clickhouse_port"] == "8443"


@pytest.mark.parametrize("stack, backend", [("dev", (1, "500m", "2Gi")), ("prod", (3, "1", "4Gi"))])
def test_every_component_has_profile_resources(stack: str, backend: tuple, dev_run: ProgramRun, prod_run: ProgramRun):
    v = values(dev_run if stack == "dev" else prod_run)
    for component in COMPONENT_KEYS:
        deployment = v[component]["deployment"]
        assert deployment["replicas"] >= 1
        assert set(deployment["resources"]["requests"]) == {"cpu", "memory"}
        assert deployment["resources"]["limits"] == {"memory": deployment["resources"]["requests"]["memory"]}
    b = v["backend"]["deployment"]
    assert (b["replicas"], b["resources"]["requests"]["cpu"], b["resources"]["requests"]["memory"]) == backend


def test_s3_service_accounts_carry_their_own_role(prod_run: ProgramRun):
    v = values(prod_run)
    issuer = prod_run.one("eks:index:Cluster").outputs["oidcIssuer"]
    bucket_arn = prod_run.one("aws:s3/bucket:Bucket", "blob-storage-bucket").outputs["arn"]
    for component in S3_COMPONENTS:
        role = prod_run.one("aws:iam/role:Role", f"langsmith-s3-{component}-role")
        account = v[component]["serviceAccount"]
        assert account["annotations"] == {"eks.amazonaws.com/role-arn": role.outputs["arn"]}
        (statement,) = policy(role, "assumeRolePolicy")["Statement"]
        assert statement["Condition"]["StringEquals"][f"{issuer}:sub"] == \
            f"system:serviceaccount:langsmith:{account['name']}"
        inline = policy(prod_run.one("aws:iam/rolePolicy:RolePolicy", f"langsmith-s3-{component}-policy"))
        resources = {r for s in inline["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])}
        assert resources == {bucket_arn, f"{bucket_arn}/*", prod_run.one("aws:kms/key:Key", "keys-data").outputs["arn"]}
    for component in set(COMPONENT_KEYS) - set(S3_COMPONENTS):
        assert "annotations" not in v[component]["serviceAccount"]


def test_release_waits_for_secrets_storage_and_controllers(prod_run: ProgramRun):
    deps = set(release(prod_run).dependencies)
    for es in prod_run.of_type(EXTERNAL_SECRET):
        assert es.urn in deps
    for name in ("external-secrets", "aws-load-balancer-controller", "keda"):
        assert prod_run.one(RELEASE, f"addons-{name}").urn in deps
    for sc in prod_run.of_type("kubernetes:storage.k8s.io/v1:StorageClass"):
        assert sc.urn in deps


def test_frontend_joins_the_alb_target_group(prod_run: ProgramRun):
    (binding,) = prod_run.of_type("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding")
    target_group = prod_run.one("aws:lb/targetGroup:TargetGroup")
    assert binding.inputs["spec"] == {"serviceRef": {"name": "langsmith-frontend", "port": 80},
                                      "targetGroupARN": target_group.outputs["arn"], "targetType": "ip"}
    assert binding.inputs["metadata"]["namespace"] == "langsmith"
    assert release(prod_run).urn in binding.dependencies


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_nginx_keeps_connections_longer_than_the_alb(stack: str, dev_run: ProgramRun, prod_run: ProgramRun):
    # ELB guide, "Connection idle timeout": the target's keep-alive must exceed the ALB's idle
    # timeout, or the ALB reuses a connection nginx is closing and answers 502. The chart's default
    # (langsmith values.yaml frontend.keepAliveTimeout "75") does not.
    run = dev_run if stack == "dev" else prod_run
    alb = run.one("aws:lb/loadBalancer:LoadBalancer").inputs
    keepalive = values(run)["frontend"]["keepAliveTimeout"]
    assert isinstance(keepalive, str) and int(keepalive) > alb["idleTimeout"]
    assert "frontend.keepAliveTimeout" in CHART.value_paths


def test_stack_outputs(prod_run: ProgramRun):
    out = prod_run.outputs
    assert out["langsmithUrl"] == "https://langsmith.example.com"
    assert out["clusterName"] == "ls-prod-eks" and "kubeconfig" in prod_run.secret_outputs
    assert out["albDnsName"] == prod_run.one("aws:lb/loadBalancer:LoadBalancer").outputs["dnsName"]
    assert out["bucketName"].startswith("ls-prod-traces-") and out["databaseEndpoint"].endswith(".rds.amazonaws.com")


def test_release_builds_in_preview_mode():
    run = run_stack("dev", preview=True)
    assert run.one(RELEASE, "langsmith-release").inputs["chart"] == "langsmith"


# Every Deployment template of langsmith 0.16.11 that reads the PostgreSQL URL (through
# "langsmith.commonEnv", whose POSTGRES_DATABASE_URI comes from the postgres Secret), with the
# values path whose `deployment.annotations` its metadata renders. Recorded with `git grep` over
# charts/langsmith/templates at tag langsmith-0.16.11.
POSTGRES_URL_READER_TEMPLATES = {
    "backend/deployment.yaml": "backend", "platform-backend/deployment.yaml": "platformBackend",
    "queue/deployment.yaml": "queue", "ingest-queue/deployment.yaml": "ingestQueue",
    "host-backend/deployment.yaml": "hostBackend", "listener/deployment.yaml": "listener",
    "agent-gateway/deployment.yaml": "agentGateway", "presidio-analyzer/deployment.yaml": "presidioAnalyzer",
    "agent-features/fleet/api-server/deployment.yaml": "fleet.apiServer",
    "agent-features/fleet/queue/deployment.yaml": "fleet.queue",
    "agent-features/fleet/tool-server/deployment.yaml": "fleetToolServer",
    "agent-features/fleet/trigger-server/deployment.yaml": "fleetTriggerServer",
    "agent-features/insights/api-server/deployment.yaml": "engineInsightsAgent.apiServer",
    "agent-features/insights/queue/deployment.yaml": "engineInsightsAgent.queue",
    "agent-features/polly/api-server/deployment.yaml": "polly.apiServer",
    "agent-features/polly/queue/deployment.yaml": "polly.queue",
}


def _get(tree: dict, path: str):
    for key in path.split("."):
        tree = tree.get(key, {}) if isinstance(tree, dict) else {}
    return tree


def _seconds(duration: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    return int(duration[:-1]) * units[duration[-1]]


def test_password_rotation_rolls_every_deployment_that_reads_the_url(prod_run: ProgramRun):
    # RDS rotates the managed master password every 7 days; LangSmith reads the URL at start.
    pg = external_secret(prod_run, "langsmith-postgres")
    target = pg["spec"]["target"]["name"]
    assert _seconds(pg["spec"]["refreshInterval"]) <= 300 < 7 * 86400
    v = values(prod_run)
    assert target == v["postgres"]["external"]["existingSecretName"]
    # Every Deployment that reads the URL carries the annotation (chart facts above)...
    for template, path in POSTGRES_URL_READER_TEMPLATES.items():
        annotations = _get(v, f"{path}.deployment.annotations")
        assert annotations.get("secret.reloader.stakater.com/reload") == target, template
    # ...and nothing else: ClickHouse would restart at every rotation.
    assert "commonAnnotations" not in v
    assert "secret.reloader.stakater.com/reload" not in _get(v, "clickhouse.statefulSet.annotations")
    # The other values of those components survive the merge.
    assert v["backend"]["deployment"]["resources"]
    reloader = prod_run.one(RELEASE, "langsmith-reloader").inputs
    assert (reloader["chart"], reloader["version"]) == ("reloader", versions.RELOADER.version)
    assert reloader["repositoryOpts"]["repo"] == versions.RELOADER.repository
    # It watches the namespace it runs in, which is LangSmith's, and nothing else.
    assert reloader["namespace"] == release(prod_run).inputs["namespace"]
    assert reloader["values"]["reloader"]["watchGlobally"] is False
    assert "namespaces" not in reloader["values"]["reloader"]
    assert reloader["values"]["reloader"]["reloadStrategy"] == "annotations"
    # Reloader ignores Secrets that exist when it starts (reloadOnCreate: false), so the release
    # does not wait for it (two minutes off the first deploy); the readiness Job does, so no
    # `pulumi up` completes, and no later Secret change happens under Pulumi, without it.
    reloader_urn = prod_run.one(RELEASE, "langsmith-reloader").urn
    assert reloader_urn not in release(prod_run).dependencies
    readiness = [j for j in prod_run.of_type("kubernetes:batch/v1:Job") if j.name.startswith("langsmith-ready")]
    assert readiness and all(reloader_urn in j.dependencies for j in readiness)


def test_secrets_that_never_rotate_keep_the_hourly_refresh(prod_run: ProgramRun):
    for name in ("langsmith-config", "langsmith-redis", "langsmith-clickhouse"):
        assert external_secret(prod_run, name)["spec"]["refreshInterval"] == "1h"


def test_clickhouse_migrations_wait_for_the_in_cluster_clickhouse_to_answer(prod_run: ProgramRun, dev_run: ProgramRun):
    # Without Helm's wait, the post-install ClickHouse migration Job (backoffLimit 2) starts with
    # the StatefulSet: its init container holds it until the Service routes to a ready pod.
    from components.langsmith_values import CLICKHOUSE_HTTP_PORT, CLICKHOUSE_SERVICE

    for run in (prod_run, dev_run):
        v = values(run)
        [wait] = v["backend"]["clickhouseMigrations"]["initContainers"]
        assert wait["image"] == versions.CURL_IMAGE
        script = wait["command"][2]
        assert f"http://{CLICKHOUSE_SERVICE}.langsmith.svc.cluster.local:{CLICKHOUSE_HTTP_PORT}/ping" in script
        assert "exit 1" in script  # bounded: a ClickHouse that never starts fails the hook, not hangs it
        # runAsNonRoot needs a numeric user to verify (the image's USER is a name)
        assert wait["securityContext"]["runAsNonRoot"] is True and wait["securityContext"]["runAsUser"] > 0
        assert not ignored_value_paths(v)
    # The Service the chart names "<fullname>-clickhouse" (fullname = the release name), as the
    # restored claim and the disk probe name it too.
    assert CLICKHOUSE_SERVICE == "langsmith-clickhouse"


def test_external_clickhouse_migrations_do_not_wait_for_an_in_cluster_service():
    from components.langsmith import release_options

    plain = release_options({}, namespace="langsmith", in_cluster_clickhouse=False)
    assert "clickhouseMigrations" not in plain["backend"]
