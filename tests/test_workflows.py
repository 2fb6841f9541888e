"""The GitHub workflows: they pass actionlint and zizmor, pin every action by commit, take their
stacks from stacks/, keep the plans and the summary of a failing job, guard the deploy, and need
nothing docs/ci.md does not list."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools import ci_stacks
from tools.engine import ci_roles
from tools.engine.harness import PROJECT_ROOT

WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.y*ml"))
CI = PROJECT_ROOT / ".github" / "workflows" / "ci.yml"
CI_DOC = PROJECT_ROOT / "docs" / "ci.md"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def tool(name: str) -> str:
    """The linter installed with the dev requirements (requirements-dev.txt), beside this Python."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed: run bin/setup (requirements-dev.txt pins it)"
    return found


def workflow(path: Path = CI) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


def uses_step(job: dict[str, Any], action: str) -> dict[str, Any]:
    (step,) = [s for s in steps(job) if s.get("uses", "").startswith(f"{action}@")]
    return step


def test_there_are_workflows() -> None:
    assert CI in WORKFLOWS


def test_the_workflows_pass_actionlint() -> None:
    result = subprocess.run([tool("actionlint"), "-no-color", *map(str, WORKFLOWS)], capture_output=True,
                            text=True, cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflows_pass_zizmor_offline() -> None:
    # --offline: no audit that needs GitHub's API (the tests run without network).
    result = subprocess.run([tool("zizmor"), "--offline", "--no-progress", *map(str, WORKFLOWS)],
                            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linters_catch_what_they_are_here_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n"
                   "      - uses: actions/checkout@v4\n      - run: echo ${{ github.event.pull_request.title }}\n"
                   "      - run: echo ${{ matrix.nope }}\n")
    lint = subprocess.run([tool("actionlint"), "-no-color", str(bad)], capture_output=True, text=True, timeout=120)
    assert lint.returncode != 0 and "matrix" in lint.stdout
    audit = subprocess.run([tool("zizmor"), "--offline", "--no-progress", str(bad)], capture_output=True,
                           text=True, timeout=120)
    assert audit.returncode != 0 and "unpinned-uses" in audit.stdout + audit.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_with_its_release_in_a_comment(path: Path) -> None:
    for line in path.read_text().splitlines():
        match = re.match(r"^\s*(?:- )?uses:\s*(.+)$", line)
        if match and not match.group(1).startswith(("./", "docker://")):
            assert PINNED.match(match.group(1).strip()), f"{path.name}: {line.strip()}"


def test_the_stacks_are_discovered_from_the_stack_files_and_never_listed() -> None:
    files = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (PROJECT_ROOT / "stacks").glob("Pulumi.*.yaml"))
    assert ci_stacks.discover() == files and len(files) >= 4
    out = io.StringIO()
    assert ci_stacks.main([], out=out) == 0
    assert out.getvalue() == 'stacks=["' + '","'.join(files) + '"]\n'
    jobs = workflow()["jobs"]
    matrices = {name: job["strategy"]["matrix"]["stack"] for name, job in jobs.items() if "strategy" in job}
    assert set(matrices) == {"plan", "preview", "deploy"}
    assert set(matrices.values()) == {"${{ fromJSON(needs.stacks.outputs.stacks) }}"}
    assert "tools.ci_stacks" in steps(jobs["stacks"])[-1]["run"]


def test_one_stack_can_be_chosen_and_a_wrong_name_is_refused(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert ci_stacks.main(["--only", "prod"], out=out) == 0 and out.getvalue() == 'stacks=["prod"]\n'
    assert ci_stacks.main(["--only", "prdo"], out=out, err=err) == 2
    assert "prdo" in err.getvalue() and "prod" in err.getvalue()


def test_a_failing_plan_keeps_its_summary_and_its_plans_then_fails() -> None:
    plan = workflow()["jobs"]["plan"]
    names = [s.get("name") or s.get("uses", "").split("@")[0] for s in steps(plan)]
    assert names.index("Offline plan") < names.index("Job summary") < names.index("actions/upload-artifact") \
        < names.index("Fail on a failing plan") == len(names) - 1
    preview_step = next(s for s in steps(plan) if s.get("name") == "Offline plan")
    assert "--quiet" in preview_step["run"] and "|| status=$?" in preview_step["run"]
    for step in steps(plan):
        if step.get("name") in {"Job summary", "Check out the base branch", "Offline plan of the base branch"} \
                or step.get("uses", "").startswith("actions/upload-artifact@"):
            assert str(step.get("if", "")).startswith("always()"), step
    summary = next(s for s in steps(plan) if s.get("name") == "Job summary")
    assert "tools.ci_summary" in summary["run"] and "--base" in summary["run"] and "GITHUB_STEP_SUMMARY" in summary["run"]
    base = next(s for s in steps(plan) if s.get("name") == "Check out the base branch")
    assert base["with"]["ref"] == "${{ github.base_ref }}"


def test_previews_are_read_only_on_pull_requests_and_deploys_wait_for_the_environment() -> None:
    jobs = workflow()["jobs"]
    preview, deploy = jobs["preview"], jobs["deploy"]
    assert "github.event_name == 'pull_request'" in preview["if"]
    assert uses_step(preview, "aws-actions/configure-aws-credentials")["with"]["role-to-assume"] \
        == "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
    assert uses_step(preview, "pulumi/actions")["with"]["command"] == "preview"
    assert deploy["environment"] == ci_roles.DEPLOY_ENVIRONMENT
    assert "refs/heads/main" in deploy["if"] and "workflow_dispatch" in deploy["if"]
    assert "pull_request" not in deploy["if"]
    assert uses_step(deploy, "aws-actions/configure-aws-credentials")["with"]["role-to-assume"] \
        == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    runs = [s.get("run", "") or s.get("uses", "") for s in steps(deploy)]
    preflight = next(i for i, r in enumerate(runs) if r.startswith("bin/preflight"))
    up = next(i for i, r in enumerate(runs) if r.startswith("pulumi/actions@"))
    assert preflight < up
    up_inputs = steps(deploy)[up]["with"]
    assert (up_inputs["command"], up_inputs["policyPacks"], up_inputs["upsert"]) == ("up", "policies", True)
    for job in (preview, deploy):
        assert job["permissions"] == {"contents": "read", "id-token": "write", **(
            {"pull-requests": "write"} if job is preview else {})}
    assert workflow()["permissions"] == {}


def _doc_table_names(heading_word: str) -> set[str]:
    """The first column of the table after the line that names the kind (variables, secrets)."""
    text = CI_DOC.read_text()
    section = text[text.index(f"Repository **{heading_word}**"):]
    table = section[section.index("\n|"):]
    table = table[:table.index("\n\n")]
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, flags=re.M))


def test_docs_ci_lists_every_variable_secret_and_environment_the_workflows_use() -> None:
    text = "\n".join(p.read_text() for p in WORKFLOWS if p.name == "ci.yml" or "vars." in p.read_text())
    used_vars = set(re.findall(r"\bvars\.([A-Z0-9_]+)", text))
    used_secrets = set(re.findall(r"\bsecrets\.([A-Z0-9_]+)", text)) - {"GITHUB_TOKEN"}
    assert used_vars == _doc_table_names("variables"), "docs/ci.md's variables table differs from the workflows"
    assert used_secrets == _doc_table_names("secrets"), "docs/ci.md's secrets table differs from the workflows"
    doc = CI_DOC.read_text()
    for job in workflow()["jobs"].values():
        if "environment" in job:
            assert f"**Environment** `{job['environment']}`" in doc
    for path in ci_roles.generate_from_text((ci_roles.IAM_DIR / "deployer-policy.json").read_text()):
        assert f"`iam/{path.name}`" in doc, f"docs/ci.md does not name iam/{path.name}"


def test_the_docs_name_the_pinned_releases() -> None:
    doc = CI_DOC.read_text()
    for line in CI.read_text().splitlines():
        match = re.search(r"uses: ([\w-]+/[\w-]+)@[0-9a-f]{40} # (v[\d.]+)", line)
        if match:
            assert f"`{match.group(1)}` {match.group(2)}" in doc, match.group(0)
