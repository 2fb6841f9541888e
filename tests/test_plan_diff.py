"""Plans that diff: canonical plan JSON, and `tools.preview --diff` resource by resource."""

from __future__ import annotations

import copy
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

import tools.preview
from tests.conftest import run_program
from tools.engine.harness import ProgramRun
from tools.engine.plan import SECRET, build_plan, stable_order
from tools.engine.plan_diff import diff_plans
from tools.engine.stack_config import OFFLINE_SECRET_PLACEHOLDER

ROOT = Path(__file__).resolve().parent.parent


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


def test_plan_order_does_not_depend_on_registration_order(prod_run: ProgramRun) -> None:
    plan = build_plan(prod_run)
    shuffled = copy.deepcopy(plan)
    random.Random(7).shuffle(shuffled["resources"])
    shuffled = _reversed_keys(shuffled)
    assert json.dumps(shuffled) != json.dumps(plan)  # the raw plans do differ
    assert json.dumps(stable_order(shuffled)) == json.dumps(stable_order(plan))
    urns = [r["urn"] for r in stable_order(plan)["resources"]]
    assert urns == sorted(urns)
    # documented field order of a resource is kept
    assert list(stable_order(plan)["resources"][0]) == list(plan["resources"][0])


def test_two_previews_of_one_config_write_identical_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine registers resources concurrently: the second run here registers them in
    another order, as a real second run does, and the JSON must not change."""
    calls: list[int] = []

    def run_in_some_order(*args: Any, **kwargs: Any) -> ProgramRun:
        run = run_program(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            return run
        registrations = list(run.registrations)
        random.Random(len(calls)).shuffle(registrations)
        return ProgramRun(run.project, run.stack, registrations, dict(reversed(list(run.outputs.items()))),
                          run.secret_outputs)

    monkeypatch.setattr(tools.preview, "run_program", run_in_some_order)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert tools.preview.main(["--stack", "prod", "--quiet", "--json", str(first)]) == 0
    assert tools.preview.main(["--stack", "prod", "--quiet", "--json", str(second)]) == 0
    assert len(calls) == 2
    assert first.read_bytes() == second.read_bytes()


def test_plan_diff_of_a_one_key_change_lists_only_what_that_key_changes(
        tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    assert tools.preview.main(["--stack", "prod", "--quiet", "--json", str(old)]) == 0
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())
    document["config"]["langsmith-aws:observability"] = {"rdsCpuPercent": 70}  # profile default: 80
    changed = tmp_path / "Pulumi.prod.yaml"
    changed.write_text(yaml.safe_dump(document))
    new, out = tmp_path / "new.json", io.StringIO()
    assert tools.preview.main(["--config-file", str(changed), "--quiet", "--json", str(new),
                               "--diff", str(old)], out=out) == 0
    printed = out.getvalue()

    diff = diff_plans(json.loads(old.read_text()), json.loads(new.read_text()))
    assert diff.added == [] and diff.removed == []
    assert [(c.type, c.name) for c in diff.changed] == [
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "observability-rds-cpu")]
    assert [(p.path, p.old, p.new) for p in diff.changed[0].changes] == [("threshold", 80, 70)]
    assert "0 to add, 0 to remove, 1 to change" in printed
    assert "~ threshold: 80 -> 70" in printed
    assert OFFLINE_SECRET_PLACEHOLDER not in printed


def test_plan_diff_names_added_removed_and_nested_changes_and_keeps_secrets_masked(prod_run: ProgramRun) -> None:
    old = stable_order(build_plan(prod_run))
    new = copy.deepcopy(old)
    removed = new["resources"].pop(0)
    added = copy.deepcopy(new["resources"][0]) | {"urn": new["resources"][0]["urn"] + "-extra", "name": "extra"}
    new["resources"].append(added)
    # a JSON document held in a string input changes in one nested field
    role = next(r for r in new["resources"] if r["type"] == "aws:iam/role:Role"
                and isinstance(r["inputs"].get("assumeRolePolicy"), str))
    document = json.loads(role["inputs"]["assumeRolePolicy"])
    document["Statement"][0]["Effect"] = "Deny"
    role["inputs"]["assumeRolePolicy"] = json.dumps(document)
    # a secret stays "[secret]" on both sides: no change, no value
    secret_holder = next(r for r in new["resources"] if SECRET in json.dumps(r["inputs"]))

    diff = diff_plans(old, new)
    assert [r["urn"] for r in diff.removed] == [removed["urn"]]
    assert [r["urn"] for r in diff.added] == [added["urn"]]
    assert [c.urn for c in diff.changed] == [role["urn"]]
    assert [(p.path, p.old, p.new) for p in diff.changed[0].changes] == [
        ("assumeRolePolicy.Statement[0].Effect", "Allow", "Deny")]
    assert secret_holder["urn"] not in [c.urn for c in diff.changed]
    assert diff_plans(old, copy.deepcopy(old)).empty


def test_diff_against_the_same_config_says_no_changes_and_a_bad_file_is_a_usage_error(tmp_path: Path) -> None:
    old, out = tmp_path / "old.json", io.StringIO()
    assert tools.preview.main(["--stack", "prod", "--quiet", "--json", str(old)]) == 0
    assert tools.preview.main(["--stack", "prod", "--quiet", "--diff", str(old)], out=out) == 0
    assert "0 to add, 0 to remove, 0 to change" in out.getvalue() and "no changes" in out.getvalue()
    broken, err = tmp_path / "broken.json", io.StringIO()
    broken.write_text("{not json")
    assert tools.preview.main(["--stack", "prod", "--quiet", "--diff", str(broken)], err=err) == 2
    assert "cannot read the plan to diff against" in err.getvalue()


def test_the_diff_says_when_each_change_takes_effect():
    from tests.conftest import run_stack
    from tools.engine.plan import build_plan
    from tools.engine.plan_diff import MAINTENANCE_WINDOW, NOW, REPLACEMENT, diff_plans
    before = build_plan(run_stack("prod"))
    bigger = diff_plans(before, build_plan(run_stack("prod", {"postgres": {
        **_prod_postgres(), "engineVersion": "17"}})))
    when = {c.name: c.when for c in bigger.changed}
    # Production applies RDS changes at the maintenance window; the parameter group's family is ForceNew.
    assert when["postgres-instance"] == MAINTENANCE_WINDOW
    assert when["postgres-params"] == REPLACEMENT
    dev = diff_plans(build_plan(run_stack("dev")), build_plan(run_stack("dev", {"postgres": {
        **_dev_postgres(), "engineVersion": "17"}})))
    assert {c.name: c.when for c in dev.changed}["postgres-instance"] == NOW


def _stack_postgres(stack: str) -> dict[str, object]:
    import json
    from tests.conftest import key, stack_values
    values, _ = stack_values(stack)
    return json.loads(values[key("postgres")]) if key("postgres") in values else {}


def _prod_postgres() -> dict[str, object]:
    return _stack_postgres("prod")


def _dev_postgres() -> dict[str, object]:
    return _stack_postgres("dev")
