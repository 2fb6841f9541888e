"""Upgrading a stack of the previous release (docs/upgrade.md, "Upgrading from before 0.16.0") as a
scenario: the plans the previous code made for the stacks it shipped, recorded as facts
(data/upgrade/before-0.16.0.json, by data/upgrade/generate.py from that commit's own preview), against
this code's plan of the same stack files with the steps the document names applied.

The upgrade's promises: nothing that holds data (the RDS instance, buckets, the backup vault, KMS
keys, the ClickHouse claim, secrets) is replaced or deleted: its URN is kept (or aliased), no input
that replaces it changes, its protection is not loosened; what the update removes is what the
document says it removes; and each config step the document names is needed (without it the
stack is refused, naming the key) and together they are enough.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import pytest
import yaml

from components.chart_facts import lookup
from data.upgrade.generate import DEFAULT_COMMIT, DEFAULT_LABEL, OUT_DIR, as_reference, facts_of_plan, references
from settings import ConfigError, parse_config
from tests.conftest import PROJECT, run_program
from tools.engine.harness import ProgramRun
from tools.engine.plan import build_plan, mask
from tools.engine.plan_diff import REPLACING_INPUTS, replacing_paths
from tools.engine.scenario import DATA_TYPES, config_changes, section, shell_lines
from tools.engine.stack_config import load_stack_config

ROOT = Path(__file__).resolve().parent.parent
FACTS: dict[str, Any] = json.loads((OUT_DIR / f"{DEFAULT_LABEL}.json").read_text())
STACKS = sorted(FACTS["stacks"])
UPGRADE = section((ROOT / "docs" / "upgrade.md").read_text(), "Upgrading from before 0.16.0")
CLAIM = "data-langsmith-clickhouse-0"  # the StatefulSet's claim: template "data", pod langsmith-clickhouse-0
ORPHAN_STATEFULSET = "kubectl -n langsmith delete statefulset langsmith-clickhouse --cascade=orphan"


def documented_steps() -> dict[str, dict[str, Any]]:
    """The config the document's step blocks set: {area: {key: value}}."""
    return config_changes(UPGRADE)


def applies(config: Mapping[str, Any], area: str, leaf: str) -> bool:
    """A step sets a key of an area the stack configures, where the stack file does not set it yet
    (byoc.contract on a BYOC stack; langsmith.adminEmail where it is missing)."""
    current = config.get(f"{PROJECT}:{area}")
    return isinstance(current, dict) and leaf not in current


def upgraded_config(stack: str, *, skip: str | None = None) -> dict[str, Any]:
    """The previous stack file's config with the document's steps applied (all but `skip`, `area.key`)."""
    config = json.loads(json.dumps(FACTS["stacks"][stack]["config"]))
    for area, keys in documented_steps().items():
        for leaf, value in keys.items():
            if f"{area}.{leaf}" != skip and applies(config, area, leaf):
                config[f"{PROJECT}:{area}"][leaf] = value
    return config


def stack_file_values(config: Mapping[str, Any], stack: str, tmp: Path) -> tuple[dict[str, Any], frozenset[str],
                                                                              frozenset[str]]:
    """Values, secret keys and encrypted paths of a stack file holding `config`, read as preview reads one."""
    path = tmp / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": dict(config)}))
    loaded = load_stack_config(config_file=path)
    return dict(loaded.values), frozenset(loaded.secret_keys), frozenset(loaded.secret_paths)


_UPGRADED: dict[str, ProgramRun] = {}


def upgraded_run(stack: str, tmp: Path) -> ProgramRun:
    """This code's plan of the previous stack file after the documented steps (the committed stack
    file's shared run when they are the same)."""
    if stack not in _UPGRADED:
        values, secrets, paths = stack_file_values(upgraded_config(stack), stack, tmp)
        _UPGRADED[stack] = run_program(values, stack=stack, project=PROJECT, secret_keys=secrets,
                                       secret_paths=paths)
    return _UPGRADED[stack]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("upgrade")


def test_the_facts_name_the_previous_release_and_its_commit():
    assert FACTS["release"] == DEFAULT_LABEL and FACTS["source"]["commit"] == DEFAULT_COMMIT
    # the stacks it shipped (stacks/Pulumi.*.yaml at that commit), each with its config and plan
    assert STACKS == ["byoc", "dev", "hybrid", "prod"]
    for stack in STACKS:
        assert set(FACTS["stacks"][stack]) == {"config", "urns", "data", "clickhouseClaimTemplate"}
        # every input that replaces a data type is recorded (a new entry in REPLACING_INPUTS: regenerate)
        for urn, fact in FACTS["stacks"][stack]["data"].items():
            kind = urn.split("::")[2].split("$")[-1]
            assert sorted(fact["replacing"]) == sorted(REPLACING_INPUTS.get(kind, ())), \
                f"{urn}: rerun python -m data.upgrade.generate"


def test_the_generator_reduces_a_plan_as_recorded(scratch: Path):
    """The reduction the facts were made with, applied to today's dev plan: same shape, references
    to other resources kept as references (the mock-made ARNs say nothing of the real ones)."""
    facts = facts_of_plan(build_plan(upgraded_run("dev", scratch)))
    vault = next(v for u, v in facts["data"].items() if u.endswith("::observability-vault"))
    assert vault["replacing"]["kmsKeyArn"].startswith("ref:") and vault["replacing"]["kmsKeyArn"].endswith(
        "$aws:kms/key:Key::keys-data#arn")
    assert set(facts) == {"urns", "data", "clickhouseClaimTemplate"}


@pytest.mark.parametrize("stack", STACKS)
def test_the_documented_steps_are_accepted(stack: str, scratch: Path):
    values, secrets, _ = stack_file_values(upgraded_config(stack), stack, scratch)
    parse_config(values, project=PROJECT, stack=stack, secret_keys=secrets)


@pytest.mark.parametrize("step", sorted(f"{area}.{leaf}" for area, keys in documented_steps().items()
                                        for leaf in keys))
def test_each_documented_step_is_needed(step: str, scratch: Path):
    """Without the step, a previous stack file it applies to is refused, naming the key."""
    area, leaf = step.split(".")
    needing = [s for s in STACKS if applies(FACTS["stacks"][s]["config"], area, leaf)]
    assert needing, f"{step}: no stack of the previous release needs it"
    for stack in needing:
        values, secrets, _ = stack_file_values(upgraded_config(stack, skip=step), stack, scratch)
        with pytest.raises(ConfigError) as refused:
            parse_config(values, project=PROJECT, stack=stack, secret_keys=secrets)
        assert step in str(refused.value), f"{stack}: {refused.value}"


def test_a_byoc_stack_from_before_is_told_to_keep_its_contract(scratch: Path):
    values, secrets, _ = stack_file_values(upgraded_config("byoc", skip="byoc.contract"), "byoc", scratch)
    with pytest.raises(ConfigError) as refused:
        parse_config(values, project=PROJECT, stack="byoc", secret_keys=secrets)
    assert "set byoc.contract: ecs to keep it" in str(refused.value)
    assert "pulumi config set --path 'byoc.contract' ecs" in shell_lines(UPGRADE)


def test_a_byoc_stack_from_before_that_sets_no_ecs_only_key_is_refused_too(scratch: Path):
    """The old model gave every byoc key a default: a stack file may set none of the ecs-only ones. With
    a default contract it would have become eks without a word (deleting the ecs contract's role, ECR
    repository, network and KMS keys); byoc.contract has no default, so it is refused, naming the key,
    both values and which one an old stack is."""
    config = json.loads(json.dumps(FACTS["stacks"]["byoc"]["config"]))
    config[f"{PROJECT}:byoc"] = {"controlPlane": "us", "roleName": "LangGraphCloudBYOCRole"}
    values, secrets, _ = stack_file_values(config, "byoc", scratch)
    with pytest.raises(ConfigError) as refused:
        parse_config(values, project=PROJECT, stack="byoc", secret_keys=secrets)
    [issue] = [i for i in refused.value.issues if i.key == "byoc.contract"]
    assert "eks" in issue.allowed and "ecs" in issue.allowed
    assert "deployed before 0.16.0 is ecs" in issue.allowed and "set byoc.contract: ecs" in issue.allowed


def _kept(run: ProgramRun) -> dict[str, Any]:
    """{URN the state may hold: the registration answering to it} (its own URN or an alias)."""
    kept: dict[str, Any] = {}
    for r in run.registrations:
        kept[r.urn] = r
        for alias in r.aliases:
            kept.setdefault(alias, r)
    return kept


@pytest.mark.parametrize("stack", STACKS)
def test_the_upgrade_replaces_and_deletes_no_data(stack: str, scratch: Path):
    run = upgraded_run(stack, scratch)
    kept = _kept(run)
    plan = build_plan(run)
    refs = references(plan["resources"])
    inputs = {r["urn"]: r["inputs"] for r in plan["resources"]}
    problems = []
    for urn, fact in FACTS["stacks"][stack]["data"].items():
        now = kept.get(urn)
        if now is None:
            problems.append(f"{urn} is gone: its state would be deleted (give the new resource an alias)")
            continue
        changed = [p for p, old in fact["replacing"].items()
                   if as_reference(lookup(inputs[now.urn], p), refs) != as_reference(old, {})]
        replaced = replacing_paths(now.type, changed, now.ignore_changes)
        if replaced:
            problems.append(f"{urn} is replaced: {', '.join(replaced)} changed")
        if fact["protect"] and not now.protect:
            problems.append(f"{urn} loses its protection")
        if fact["retain_on_delete"] and not now.retain_on_delete:
            problems.append(f"{urn} is no longer retained on delete")
    assert problems == []
    # every URN is kept, so the upgrade needs no state surgery, and the document names none
    assert not [line for line in shell_lines(UPGRADE) if line.startswith("pulumi state")]
    assert "pulumi state" not in UPGRADE


@pytest.mark.parametrize("stack", STACKS)
def test_what_the_upgrade_removes_is_what_the_document_says(stack: str, scratch: Path):
    kept = _kept(upgraded_run(stack, scratch))
    removed = [u for u in FACTS["stacks"][stack]["urns"] if u not in kept]
    kinds = {u.split("::")[2].split("$")[-1] for u in removed}
    assert not kinds & DATA_TYPES, removed
    roles = [u.split("::")[-1] for u in removed if u.split("::")[2].endswith("aws:iam/role:Role")]
    # Step 1: the External Secrets controller's role goes, through the deployer's TakeApartTheStacksOwnRoles.
    assert all("external-secrets" in name for name in roles), roles
    if roles:
        flat = " ".join(UPGRADE.split())
        assert "the External Secrets controller's" in flat and "TakeApartTheStacksOwnRoles" in flat
        sids = {s.get("Sid") for s in json.loads((ROOT / "iam" / "deployer-policy.json").read_text())["Statement"]}
        assert "TakeApartTheStacksOwnRoles" in sids


@pytest.mark.parametrize("stack", [s for s in STACKS if FACTS["stacks"][s]["clickhouseClaimTemplate"]])
def test_the_clickhouse_claim_is_adopted_whole_and_the_statefulset_step_is_the_one_needed(stack: str, scratch: Path):
    """The StatefulSet made claim data-langsmith-clickhouse-0 from its template; the stack now owns that
    claim (adopted, never shrunk) and the chart's template changes, which Kubernetes refuses on a live
    StatefulSet: the document orphans the StatefulSet once, and only because the template changed."""
    template = FACTS["stacks"][stack]["clickhouseClaimTemplate"]
    run = upgraded_run(stack, scratch)
    claims = [r for r in run.of_type("kubernetes:core/v1:PersistentVolumeClaim")
              if r.inputs["metadata"]["name"] == CLAIM]
    assert len(claims) == 1, "the claim the StatefulSet made is not the stack's"
    claim = claims[0]
    assert claim.inputs["metadata"]["namespace"] == "langsmith"
    assert claim.inputs["spec"]["storageClassName"] == template["storageClassName"]
    assert claim.inputs["spec"]["resources"]["requests"]["storage"] == template["size"]  # same size: no shrink
    assert claim.retain_on_delete
    release = run.one("kubernetes:helm.sh/v3:Release", "langsmith-release")
    now = mask(release.inputs["values"]["clickhouse"]["statefulSet"]["persistence"])
    assert now != template  # the claim template changes ...
    assert ORPHAN_STATEFULSET in " ".join(UPGRADE.split())  # ... so the StatefulSet is orphaned once
    assert "`clickhouse.volumeSizeGb` to at least the claim's current size" in " ".join(UPGRADE.split())


def test_aliases_are_recorded_as_the_urns_the_engine_would_match():
    """An aliased resource is kept, not deleted: the harness records each alias as the URN the engine
    computes from it (the parts an alias leaves out are the resource's own)."""
    import pulumi
    import pulumi_random as random

    from tools.engine.harness import run_program as harness_run

    def program() -> None:
        class Parent(pulumi.ComponentResource):
            def __init__(self, name: str) -> None:
                super().__init__("test:index:Parent", name, None)

        parent = Parent("parent")
        random.RandomId("moved", byte_length=4, opts=pulumi.ResourceOptions(parent=parent, aliases=[
            pulumi.Alias(name="old"), pulumi.Alias(type_="test:index:Old"),
            pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE),
            "urn:pulumi:s::other::random:index/randomId:RandomId::elsewhere"]))

    run = harness_run({}, stack="s", program=program)
    moved = run.one("random:index/randomId:RandomId", "moved")
    base = "urn:pulumi:s::langsmith-aws::"
    assert moved.urn == f"{base}test:index:Parent$random:index/randomId:RandomId::moved"
    assert moved.aliases == [f"{base}test:index:Parent$random:index/randomId:RandomId::old",
                             f"{base}test:index:Parent$test:index:Old::moved",
                             f"{base}random:index/randomId:RandomId::moved",
                             "urn:pulumi:s::other::random:index/randomId:RandomId::elsewhere"]
