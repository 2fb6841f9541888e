"""Record what the previous release deployed, so that an upgrade from it is a scenario
(tests/test_upgrade.py): for each stack it shipped, the stack file's config and the plan its own
code made, reduced to what an upgrade must keep.

    .venv/bin/python -m data.upgrade.generate [--commit 5073422...] [--label "before 0.16.0"]

It checks the commit out into a temporary git worktree, runs that commit's own offline preview
(`python -m tools.preview --stack S --json ...`, with this project's .venv) for every
`stacks/Pulumi.*.yaml` it has, and writes data/upgrade/<label>.json:

- `stacks.<S>.config`: the stack file's `config` (its secrets are the shipped placeholders);
- `stacks.<S>.urns`: every resource's URN (a URN carries its type and parents): what the state holds;
- `stacks.<S>.data`: per data-holding resource (tools/engine/scenario.py DATA_TYPES), its protect
  and retain_on_delete and the value of each input whose change replaces it
  (tools/engine/plan_diff.py REPLACING_INPUTS; absent inputs as null);
- `stacks.<S>.clickhouseClaimTemplate`: the langsmith release's `clickhouse.statefulSet.persistence`
  values (the StatefulSet's claim template, which Kubernetes never lets a live StatefulSet change).

The previous release: this project's first versioned release is 0.16.0 (CHANGELOG.md); stacks
deployed before it ran the code of the last commit before the 0.16.0 work began, DEFAULT_COMMIT.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Mapping

import yaml

from components.chart_facts import lookup
from tools.engine.harness import PROJECT_ROOT
from tools.engine.plan_diff import REPLACING_INPUTS
from tools.engine.scenario import DATA_TYPES

# The last commit of the code before 0.16.0 ("One values-tree walker ...", 2026-12-01): the next
# commit starts the 0.16.0 work (the settings and tools layout of issue 19).
DEFAULT_COMMIT = "5073422874072fd289f9207c36eda3762fc0c3af"
DEFAULT_LABEL = "before-0.16.0"
OUT_DIR = Path(__file__).resolve().parent
CLAIM_TEMPLATE_RELEASE = "langsmith-release"


# Outputs that other resources' inputs refer to (a key's ARN in a bucket's encryption, ...).
REFERENCED_OUTPUTS = ("arn", "id", "keyId")


def references(resources: Any) -> dict[str, str]:
    """{an output's value: "ref:<URN>#<output>"}: an input holding another resource's ARN or ID is
    recorded as that reference, not as the mock-made value (which says nothing of the real one)."""
    found: dict[str, str] = {}
    for r in resources:
        for name in REFERENCED_OUTPUTS:
            value = r.get("outputs", {}).get(name)
            if isinstance(value, str) and value and value not in found:
                found[value] = f"ref:{r['urn']}#{name}"
    return found


def as_reference(value: Any, refs: Mapping[str, str]) -> Any:
    return refs.get(value, value) if isinstance(value, str) else value


def facts_of_plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    """What an upgrade must keep, from one stack's plan (tools.preview --json)."""
    resources = plan["resources"]
    refs = references(resources)
    data = {}
    for r in resources:
        if r["type"] not in DATA_TYPES:
            continue
        data[r["urn"]] = {
            "protect": r["protect"],
            "retain_on_delete": r["retain_on_delete"],
            "replacing": {p: as_reference(lookup(r["inputs"], p), refs) for p in REPLACING_INPUTS.get(r["type"], ())},
        }
    claim_template = None
    for r in resources:
        if r["type"] == "kubernetes:helm.sh/v3:Release" and r["name"] == CLAIM_TEMPLATE_RELEASE:
            claim_template = lookup(r["inputs"], "values.clickhouse.statefulSet.persistence")
    return {"urns": sorted(r["urn"] for r in resources), "data": dict(sorted(data.items())),
            "clickhouseClaimTemplate": claim_template}


def previous_facts(commit: str, label: str) -> dict[str, Any]:
    """Check the commit out, run its own preview for each of its stacks, and reduce the plans."""
    full = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", commit], check=True,
                          capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "previous"
        subprocess.run(["git", "-C", str(PROJECT_ROOT), "worktree", "add", "--detach", str(tree), full],
                       check=True, capture_output=True)
        try:
            for shared in (".venv", ".cache"):  # the old code runs with this project's environment
                if (PROJECT_ROOT / shared).exists():
                    (tree / shared).symlink_to((PROJECT_ROOT / shared).resolve())
            stacks: dict[str, Any] = {}
            for stack_file in sorted((tree / "stacks").glob("Pulumi.*.yaml")):
                stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
                out = Path(scratch) / f"{stack}.json"
                subprocess.run([sys.executable, "-m", "tools.preview", "--stack", stack, "--json", str(out),
                                "--quiet"], cwd=tree, check=True, capture_output=True)
                config = yaml.safe_load(stack_file.read_text())["config"]
                stacks[stack] = {"config": config, **facts_of_plan(json.loads(out.read_text()))}
        finally:
            subprocess.run(["git", "-C", str(PROJECT_ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False, capture_output=True)
    return {
        "release": label,
        "source": {"commit": full, "how": "each stack's plan by that commit's own `python -m tools.preview "
                   "--stack S --json`, reduced by data/upgrade/generate.py"},
        "stacks": stacks,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--commit", default=DEFAULT_COMMIT, help="the previous release's commit")
    parser.add_argument("--label", default=DEFAULT_LABEL, help="the file's name: data/upgrade/<label>.json")
    args = parser.parse_args(argv)
    facts = previous_facts(args.commit, args.label)
    out = OUT_DIR / f"{args.label}.json"
    out.write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out.relative_to(PROJECT_ROOT)}: {', '.join(facts['stacks'])} from {facts['source']['commit'][:12]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
