"""Every operator procedure in docs/ as a scenario (tools/engine/scenario.py): its config steps, read
from the document itself where it has them, applied in order, previewed and diffed; the promises
about data checked on each step. Changing a document or the code so that a procedure loses data,
or no longer applies, fails here."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any, Mapping

import botocore.session
import pytest

from tests.conftest import run_stack, stack_values
from tools.engine.harness import ProgramRun
from tools.engine.scenario import (Step, config_changes, destroy, run_procedure, secret_config_keys, section,
                                   shell_lines)

DOCS = Path(__file__).resolve().parent.parent / "docs"
PROJECT = "langsmith-aws"


def doc(name: str) -> str:
    return (DOCS / name).read_text()


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        return {**base, **{k: _merge(base.get(k), v) for k, v in extra.items()}}
    return extra


def runner(stack: str, secret: tuple[str, ...] = ()):
    """Runs the stack file with changes merged into its objects (a `--path` set changes one field)."""
    values, _ = stack_values(stack)

    def run(changes: Mapping[str, Any]) -> ProgramRun:
        merged: dict[str, Any] = {}
        for key, value in changes.items():
            full = f"{PROJECT}:{key}"
            current = json.loads(values[full]) if full in values and values[full].startswith("{") else None
            merged[key] = _merge(current, value) if isinstance(value, dict) and current is not None else value
        return run_stack(stack, merged, secret=secret)
    return run


# -- teardown --------------------------------------------------------------------------------------

def test_production_teardown_keeps_the_backups_and_the_key_that_reads_them():
    steps_text = section(doc("teardown.md"), "Production: the order to lift protection")
    lift = config_changes(steps_text)
    assert lift == {"protectData": False}, "the teardown's config steps changed: review this scenario"
    results = run_procedure(runner("prod"), [Step("deployed"), Step("lift protection", lift)])
    assert results[1].broken == (), results[1].broken  # `pulumi up` with protectData false loses nothing
    after = destroy(results[1].run)
    assert after.blocked_by == (), f"pulumi destroy would stop at protected resources: {after.blocked_by}"
    survivors = "\n".join(after.survivors)
    for kept in ("aws:backup/vault:Vault observability-vault (retained)", "aws:kms/key:Key keys-data (retained)",
                 "RDS final snapshot ls-prod-postgres-final-", "EBS volumes of StorageClass clickhouse-gp3"):
        assert kept in survivors, f"{kept} does not survive the production teardown:\n{survivors}"
    # The document lists what survives.
    listed = section(doc("teardown.md"), "What survives a production teardown, and what it costs")
    for row in ("RDS final snapshot", "backup vault and its recovery points", "data KMS key", "ClickHouse volumes"):
        assert row in listed, row


def test_renaming_the_byoc_image_repository_is_a_data_loss():
    """An ECR repository holds the pushed images (force_delete when unprotected): renaming it replaces
    it, and a step that does so without saying is caught like a bucket's."""
    results = run_procedure(runner("byoc-ecs"), [
        Step("deployed"), Step("renamed", {"byoc": {"ecrRepositoryName": "langgraph-renamed"}})])
    assert results[-1].broken == ("replaces aws:ecr/repository:Repository byoc-images (name)",)


def test_dev_teardown_is_true_to_its_plan():
    after = destroy(run_stack("dev"))
    assert after.blocked_by == ()
    # Nothing that holds data outlives a dev destroy except the ClickHouse volumes the guide names.
    assert [s for s in after.survivors if "(retained)" in s and "PersistentVolume" not in s] == []
    assert any("clickhouse-gp3" in s for s in after.survivors)
    assert "ClickHouse volumes" in section(doc("teardown.md"), "Dev")


def test_dev_destroy_and_recreate_meets_no_leftover_name():
    run = run_stack("dev")
    # A retained resource with a physical name would collide when the stack is created again.
    named = [f"{r.type} {r.name}" for r in run.registrations
             if r.custom and r.retain_on_delete and r.type.startswith("aws:")
             and any(r.inputs.get(k) for k in ("name", "identifier", "bucket", "aliasName"))]
    assert named == []
    assert all(s.inputs["recoveryWindowInDays"] == 0 for s in run.of_type("aws:secretsmanager/secret:Secret"))


# -- restore ---------------------------------------------------------------------------------------

def test_restore_into_a_new_stack_as_the_guide_writes_it():
    steps_text = section(doc("restore.md"), "Restore into a new stack")
    changes = config_changes(steps_text)
    secret = tuple(secret_config_keys(steps_text))
    assert {"restore", "restoreSecrets", "langsmith"} <= set(changes), changes
    # `cp stacks/Pulumi.prod.yaml ...`: the new stack starts from the production stack file.
    assert any(line.startswith("cp stacks/Pulumi.prod.yaml") for line in shell_lines(steps_text))
    (restored,) = [r.run for r in run_procedure(runner("prod", secret), [Step("restored", changes)])]
    db = restored.one("aws:rds/instance:Instance")
    copy = restored.one("aws:rds/snapshotCopy:SnapshotCopy")
    assert copy.inputs["sourceDbSnapshotIdentifier"] == changes["restore"]["postgresSnapshot"]
    assert db.inputs["snapshotIdentifier"] == copy.inputs["targetDbSnapshotIdentifier"]
    assert restored.one("aws:ebs/volume:Volume").inputs["snapshotId"].startswith("snap-")
    # The new stack's domain is not the live one's.
    live, _ = stack_values("prod")
    assert changes["langsmith"]["domain"] != json.loads(live[f"{PROJECT}:langsmith"])["domain"]


# -- day-two changes -------------------------------------------------------------------------------

@pytest.mark.parametrize("restore", [False, True], ids=["created", "restored"])
def test_raising_the_clickhouse_volume_grows_the_claim_and_nothing_else(restore: bool):
    base: dict[str, Any] = {}
    secret: tuple[str, ...] = ()
    if restore:
        base = {"restore": {"clickhouseSnapshot": "snap-0fedcba9876543210"}}
    results = run_procedure(runner("prod", secret), [
        Step("deployed", base), Step("bigger disk", {"clickhouse": {"volumeSizeGb": 400}})])
    diff = results[1].diff
    assert diff is not None and results[1].broken == ()
    assert not diff.added and not diff.removed
    claim_changes = {(c.name, p.path, p.new) for c in diff.changed for p in c.changes
                     if c.type == "kubernetes:core/v1:PersistentVolumeClaim"}
    assert ("spec.resources.requests.storage", "400Gi") in {(p, n) for _, p, n in claim_changes}
    # The Helm release is not touched: a StatefulSet's claim templates are immutable.
    assert "kubernetes:helm.sh/v3:Release" not in {c.type for c in diff.changed}
    if restore:
        # The volume and the PersistentVolume grow through the claim; the program never plans them back.
        run = results[1].run
        assert "size" in run.one("aws:ebs/volume:Volume").ignore_changes
        assert "spec.capacity" in run.one("kubernetes:core/v1:PersistentVolume").ignore_changes
    # The StorageClass allows the expansion.
    sc = [r for r in results[1].run.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
          if r.inputs["metadata"]["name"] == "clickhouse-gp3"]
    assert sc and sc[0].inputs["allowVolumeExpansion"] is True


def test_postgresql_major_upgrade_as_the_guide_writes_it():
    steps_text = section(doc("upgrade.md"), "PostgreSQL major version")
    changes = config_changes(steps_text)
    assert changes == {"postgres": {"engineVersion": 17}} or changes == {"postgres": {"engineVersion": "17"}}
    changes = {"postgres": {"engineVersion": str(changes["postgres"]["engineVersion"])}}
    results = run_procedure(runner("prod"), [Step("deployed"), Step("major upgrade", changes)])
    assert results[1].broken == ()
    db = results[1].run.one("aws:rds/instance:Instance").inputs
    assert db["engineVersion"] == "17" and db["allowMajorVersionUpgrade"] is True
    params = results[1].run.one("aws:rds/parameterGroup:ParameterGroup").inputs
    assert params["family"] == "postgres17"


def test_langsmith_chart_upgrade_as_the_guide_writes_it():
    changes = config_changes(section(doc("upgrade.md"), "Steps"))
    results = run_procedure(runner("prod"), [Step("deployed", {"langsmith": {"chartVersion": "0.16.9"}}),
                                             Step("upgrade", changes)])
    assert results[1].broken == ()
    (release,) = [c for c in results[1].diff.changed if c.name == "langsmith-release"] if results[1].diff else []
    assert any(p.path == "version" for p in release.changes)


def test_node_groups_follow_the_cluster_version(prod_run: ProgramRun):
    cluster = prod_run.one("eks:index:Cluster").inputs["version"]
    groups = prod_run.of_type("eks:index:ManagedNodeGroup")
    assert groups and all(g.inputs.get("version") == cluster for g in groups)


# -- every AWS CLI command the guides print exists, with its options --------------------------------

# AWS CLI renames of model members (aws/aws-cli awscli/customizations/argrename.py).
ARG_RENAMES = {("eks", "update-nodegroup-version", "kubernetes-version"): "version",
               ("eks", "create-nodegroup", "kubernetes-version"): "version",
               ("eks", "update-cluster-version", "kubernetes-version"): "version"}
# Commands the CLI adds on top of the service models (awscli/customizations).
CUSTOM_COMMANDS = {("eks", "update-kubeconfig"), ("eks", "get-token"), ("ec2", "wait"), ("rds", "wait"),
                   ("s3", "*"), ("configure", "*"), ("sts", "get-caller-identity"),
                   ("ecr", "get-login-password")}
GLOBAL_OPTIONS = {"query", "output", "region", "profile", "no-cli-pager", "cli-input-json", "debug",
                  "starting-token", "max-items", "page-size", "no-paginate"}
SERVICE_NAMES = {"backup": "backup", "rds": "rds", "ec2": "ec2", "eks": "eks", "kms": "kms", "logs": "logs",
                 "secretsmanager": "secretsmanager", "elbv2": "elbv2", "route53": "route53", "iam": "iam",
                 "sts": "sts", "ecr": "ecr", "cloudwatch": "cloudwatch", "acm": "acm", "ssm": "ssm",
                 "wafv2": "wafv2", "elasticache": "elasticache", "s3api": "s3", "sns": "sns",
                 "servicequotas": "service-quotas", "cloudtrail": "cloudtrail", "service-quotas": "service-quotas", "iam-ac": "iam"}


def aws_commands() -> list[tuple[str, str, bool]]:
    """(page, command, whether it is a full command line of a fenced block, not a mention in prose)."""
    found = []
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text()
        for candidates, full in ((shell_lines(text), True), (re.findall(r"`(aws [^`]+)`", text), False)):
            for line in candidates:
                for command in re.findall(r"(?:^|\$\(|\|\s*|xargs -n1 )(aws [a-z0-9-]+ [a-z0-9-]+[^|;)`]*)", line):
                    found.append((page.name, command.strip(), full))
    return sorted(set(found))


AWS_COMMANDS = aws_commands()


@functools.cache
def _service_model(service: str) -> Any:
    # One botocore session for every case: each session would parse the service's model again.
    return _BOTOCORE.get_service_model(service)


_BOTOCORE = botocore.session.get_session()


def test_the_guides_print_aws_commands():
    assert len(AWS_COMMANDS) >= 15


@pytest.mark.parametrize("page, command, full", AWS_COMMANDS, ids=[f"{p}:{c[:60]}" for p, c, _ in AWS_COMMANDS])
def test_every_aws_command_a_guide_prints_exists(page: str, command: str, full: bool):
    from botocore import xform_name
    words = command.split()
    service, operation = words[1], words[2]
    if (service, operation) in CUSTOM_COMMANDS or (service, "*") in CUSTOM_COMMANDS:
        return
    assert service in SERVICE_NAMES, f"{page}: unknown service in {command}"
    model = _service_model(SERVICE_NAMES[service])
    operation_names: Any = model.operation_names
    operations = {str(xform_name(name, "-")): str(name) for name in operation_names}
    assert operation in operations, f"{page}: aws {service} has no {operation}"
    members: Any = model.operation_model(operations[operation]).input_shape
    names = {str(xform_name(m, "-")): shape for m, shape in (members.members.items() if members else [])}
    for flag in re.findall(r"(?<!\S)--([a-z0-9-]+)", command):
        if flag in GLOBAL_OPTIONS:
            continue
        member = str(ARG_RENAMES.get((service, operation, flag), flag))
        if member in names:
            continue
        negated = member.removeprefix("no-")
        assert member.startswith("no-") and names.get(negated) is not None and \
            names[negated].type_name == "boolean", f"{page}: aws {service} {operation} has no --{flag}"
    required = {str(xform_name(m, "-")) for m in (members.required_members if members else [])}
    given = {ARG_RENAMES.get((service, operation, f), f) for f in re.findall(r"(?<!\S)--([a-z0-9-]+)", command)}
    if operation == "update-nodegroup-version":
        # Without the version EKS updates to the latest AMI of the node group's *current* minor.
        assert "version" in given, f"{page}: {command} does not name the Kubernetes version"
    missing = required - given
    if full and "..." not in command:  # a command to run as printed names every required option
        # (xargs appends the last option's value)
        assert not missing or command.rstrip().endswith("--recovery-point-arn"), \
            f"{page}: {command} lacks {sorted(missing)}"


# -- the private-API handover (docs/ci.md, docs/deploy.md, README.md) --------------------------------

HANDOVER_KEYS = ("cluster.deployerAccessCidrs", "cluster.adminRoleArns", "cluster.deployerInsideVpc")


def handover_path(text: str) -> dict[str, Any]:
    """The handover as a page tells it: the keys it names, the one it starts with (the bootstrap list),
    who the in-VPC runner deploys as, and whether it says not to list that role in cluster.adminRoleArns."""
    flat = " ".join(text.split())
    firsts = sorted((flat.index(f"`{k}"), k) for k in HANDOVER_KEYS if f"`{k}" in flat)
    admin = flat[flat.index("`cluster.adminRoleArns`") - 60:flat.index("`cluster.adminRoleArns`")] \
        if "`cluster.adminRoleArns`" in flat else ""
    return {
        "keys": sorted(k for _, k in firsts),
        "starts with": firsts[0][1] if firsts else None,
        "runner deploys as the creator": bool(re.search(r"same deployer role|as the role that created the cluster",
                                                        flat)),
        "creator not listed": bool(re.search(r"(never|not) list(ed)?( it| that role)? in $", admin)),
        "bootstrap closed": bool(re.search(r"remove `cluster.deployerAccessCidrs`", flat, re.I)),
    }


def test_readme_and_deploy_md_tell_one_handover_path():
    """README step 3, deploy.md steps 3 and 8 and ci.md's private-API section: the same keys, the
    bootstrap list first, the runner as the role that created the cluster, that role never listed as admin."""
    readme = (DOCS.parent / "README.md").read_text()
    readme_step = readme[readme.index("The machine running `pulumi` must reach"):readme.index("4. Check the account")]
    deploy = doc("deploy.md")
    deploy_steps = (section(deploy, "3. Reaching the Kubernetes API on the first deploy")
                    + section(deploy, "8. Close the bootstrap"))
    ci = section(doc("ci.md"), "A runner inside the VPC: the private API")
    expected = {"keys": sorted(HANDOVER_KEYS), "starts with": "cluster.deployerAccessCidrs",
                "runner deploys as the creator": True,
                "creator not listed": True, "bootstrap closed": True}
    for name, text in (("README.md", readme_step), ("deploy.md", deploy_steps), ("ci.md", ci)):
        assert handover_path(text) == expected, name
    # deploy.md step 8's commands are the handover's config: the runner's flag on, the bootstrap list gone
    assert config_changes(section(deploy, "8. Close the bootstrap")) == {"cluster": {"deployerInsideVpc": True}}
    assert "pulumi config rm --path 'cluster.deployerAccessCidrs'" in section(deploy, "8. Close the bootstrap")


def test_the_documented_handover_passes_the_creator_check_and_the_contradicting_one_fails():
    """The handover's config from the runner, as the role that created the cluster: accepted on the
    existing cluster; the same with that role listed as admin (the old README) is refused naming the key."""
    from datetime import datetime, timedelta, timezone

    from settings import parse_config
    from settings.identity import ExistingCluster
    from settings.loader import creator_conflicts

    handover = config_changes(section(doc("deploy.md"), "8. Close the bootstrap"))
    values, secrets = stack_values("prod")
    cluster_config = {**json.loads(values[f"{PROJECT}:cluster"]), **handover["cluster"]}
    cluster_config.pop("deployerAccessCidrs", None)  # `pulumi config rm --path 'cluster.deployerAccessCidrs'`
    deployer = "arn:aws:iam::123456789012:role/ls-deployer"
    runner_session = "arn:aws:sts::123456789012:assumed-role/ls-deployer/runner-1"
    created = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    people = "arn:aws:iam::123456789012:role/platform"
    cluster = ExistingCluster("ls-prod-eks", created, {deployer: created, people: created + timedelta(minutes=11)})

    def settings_listing(*arns: str) -> Any:
        config = {**cluster_config, "adminRoleArns": list(arns)}
        return parse_config({**values, f"{PROJECT}:cluster": json.dumps(config)}, project=PROJECT, stack="prod",
                            secret_keys=secrets)

    assert creator_conflicts(settings_listing(people), runner_session, cluster) == []
    refused = creator_conflicts(settings_listing(people, deployer), runner_session, cluster)
    assert [(i.key, i.value) for i in refused] == [("cluster.adminRoleArns[1]", deployer)]
