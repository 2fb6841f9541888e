"""Operator procedures as executable scenarios: what each step of a procedure does to the data.

A procedure (docs/teardown.md, docs/restore.md, docs/upgrade.md, ...) is a list of steps; each step
changes the stack's config (read from the document's own `pulumi config set` lines where it has
them) and is then previewed offline and diffed against the step before (tools/engine/plan_diff.py).
The promises checked on each diff:

- nothing that holds data (the RDS instance and its snapshot copy, buckets, the backup vault, KMS
  keys, the ClickHouse volume and claim, the secrets the data depends on, the ECR repositories of
  pushed images) is deleted or replaced,
  unless the step names it;
- a `pulumi destroy` deletes only what the procedure says: what survives is listed (retained,
  StorageClass-retained volumes, RDS's final snapshot), and nothing protected is left to stop it.

A step's replacements are found from the inputs each provider marks ForceNew for the data types
(tools/engine/plan_diff.py REPLACING_INPUTS), minus the ones the program ignores.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from tools.engine.harness import ProgramRun, Registration
from tools.engine.plan import build_plan
from tools.engine.plan_diff import PlanDiff, diff_plans, replacing_paths

# Types that hold data, or unlock it (keys, the secrets the data depends on).
DATA_TYPES: frozenset[str] = frozenset({
    "aws:rds/instance:Instance",
    "aws:rds/snapshotCopy:SnapshotCopy",
    "aws:s3/bucket:Bucket",
    "aws:backup/vault:Vault",
    "aws:kms/key:Key",
    "aws:ebs/volume:Volume",
    "kubernetes:core/v1:PersistentVolume",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "aws:secretsmanager/secret:Secret",
    # The images pushed to it (agent servers', BYOC ecs deployments'): force_delete when unprotected
    # (components/byoc.py, agent_server.py, agent_images.py), so a deleted repository loses them.
    "aws:ecr/repository:Repository",
})
@dataclass(frozen=True)
class Step:
    """One step of a procedure: config changes (key -> value, None removes it) and what it may lose."""

    title: str
    config: Mapping[str, Any] = field(default_factory=dict)
    # Names (Pulumi resource names) the step says it deletes or replaces.
    may_lose: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StepResult:
    step: Step
    run: ProgramRun
    plan: dict[str, Any]
    diff: PlanDiff | None  # against the step before (None for the first)
    broken: tuple[str, ...]


Runner = Callable[[Mapping[str, Any]], ProgramRun]


def run_procedure(runner: Runner, steps: Sequence[Step]) -> list[StepResult]:
    """Apply the steps in order (their config changes accumulate), preview and diff each."""
    config: dict[str, Any] = {}
    results: list[StepResult] = []
    for step in steps:
        config.update(step.config)
        run = runner({k: v for k, v in config.items()})
        plan = build_plan(run)
        previous = results[-1] if results else None
        diff = diff_plans(previous.plan, plan) if previous else None
        broken = tuple(data_losses(previous.run, run, diff, step.may_lose)) if previous and diff else ()
        results.append(StepResult(step, run, plan, diff, broken))
    return results


def replacing_changes(registration: Registration, paths: Sequence[str]) -> list[str]:
    """The changed input paths that replace this resource (the program's ignore_changes left out)."""
    return replacing_paths(registration.type, paths, registration.ignore_changes)


def data_losses(before: ProgramRun, after: ProgramRun, diff: PlanDiff, allowed: frozenset[str]) -> list[str]:
    """Each data-holding resource the step deletes or replaces without saying so."""
    losses: list[str] = []
    for removed in diff.removed:
        if removed["type"] in DATA_TYPES and removed["name"] not in allowed:
            losses.append(f"deletes {removed['type']} {removed['name']}")
    for change in diff.changed:
        if change.type not in DATA_TYPES or change.name in allowed:
            continue
        paths = [c.path for c in change.changes if not c.path.startswith("(")]
        replaced = replacing_changes(after.by_urn(change.urn), paths)
        if replaced:
            losses.append(f"replaces {change.type} {change.name} ({', '.join(replaced)})")
    return losses


@dataclass(frozen=True)
class Destroy:
    """What `pulumi destroy` of a run does to the data."""

    blocked_by: tuple[str, ...]  # protected resources: the destroy stops at them
    deleted: tuple[str, ...]  # data-holding resources deleted with their data
    survivors: tuple[str, ...]  # what stays in the account (and costs)


def destroy(run: ProgramRun) -> Destroy:
    blocked = tuple(sorted(f"{r.type} {r.name}" for r in run.registrations if r.custom and r.protect))
    deleted: list[str] = []
    survivors: list[str] = []
    for r in run.registrations:
        if not r.custom:
            continue
        if r.retain_on_delete:
            if r.type in DATA_TYPES:
                survivors.append(f"{r.type} {r.name} (retained)")
            continue
        if r.type == "aws:rds/instance:Instance" and not r.inputs.get("skipFinalSnapshot"):
            survivors.append(f"RDS final snapshot {r.inputs.get('finalSnapshotIdentifier')}")
        if r.type == "kubernetes:storage.k8s.io/v1:StorageClass" and r.inputs.get("reclaimPolicy") == "Retain":
            survivors.append(f"EBS volumes of StorageClass {r.inputs.get('metadata', {}).get('name')} (Retain)")
        if r.type == "aws:secretsmanager/secret:Secret" and r.inputs.get("recoveryWindowInDays"):
            survivors.append(f"secret {r.inputs.get('name')} for {r.inputs['recoveryWindowInDays']} days")
            continue
        if r.type in DATA_TYPES:
            deleted.append(f"{r.type} {r.name}")
    return Destroy(blocked, tuple(sorted(deleted)), tuple(sorted(survivors)))


# -- procedures read from the documents -----------------------------------------------------------

def section(text: str, heading: str) -> str:
    """The text under a markdown heading (to the next heading of the same or a higher level; a `#`
    line inside a fenced block is a shell comment, not a heading)."""
    lines = text.splitlines(keepends=True)
    fenced, level, taken = False, 0, []
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else re.match(r"(#+) (.*?)\s*$", line)
        if level and match and len(match.group(1)) <= level:
            break
        if level:
            taken.append(line)
        elif match and match.group(2) == heading:
            level = len(match.group(1))
    if not level:
        raise KeyError(f"no heading {heading!r}")
    return "".join(taken)


def shell_lines(text: str) -> list[str]:
    """The command lines of the fenced bash blocks, continuations joined, comments dropped."""
    lines: list[str] = []
    for block in re.findall(r"```(?:bash|sh|shell)\n(.*?)```", text, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


# What a value read from the running account stands for offline (`"$(aws ... get-secret-value ...)"`).
OFFLINE_VALUE = "value-from-the-old-stack"


def config_changes(text: str) -> dict[str, Any]:
    """`pulumi config set [--path] [--secret] KEY VALUE` lines -> {top-level key: value (objects merged)}."""
    changes: dict[str, Any] = {}
    for line in shell_lines(text):
        if not line.startswith("pulumi config set"):
            continue
        line = re.sub(r'"\$\([^)]*\)"', OFFLINE_VALUE, line)
        words = [w for w in shlex.split(line)[3:] if not w.startswith("--")]
        key, value = words[0], _scalar(words[1]) if len(words) > 1 else ""
        parts = key.split(".")
        if len(parts) == 1:
            changes[key] = value
            continue
        node = changes.setdefault(parts[0], {})
        for part in parts[1:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return changes


def _scalar(word: str) -> Any:
    if word in ("true", "false"):
        return word == "true"
    return int(word) if word.isdigit() else word


def secret_config_keys(text: str) -> set[str]:
    """The top-level keys the text sets with --secret."""
    lines = [re.sub(r'"\$\([^)]*\)"', OFFLINE_VALUE, line) for line in shell_lines(text)]
    return {shlex.split(line)[-2].split(".")[0] for line in lines
            if line.startswith("pulumi config set") and "--secret" in line}
