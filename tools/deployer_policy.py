"""Write the least-privilege IAM policy of the principal that runs `pulumi up`, derived from the
offline plans of all shapes (how: tools/engine/deployer_policy.py; the actions per resource type:
tools/engine/iam_actions.py), and with it the CI roles' documents derived from it
(tools/engine/ci_roles.py: the pull-request preview role, the deploy role, the state backend).

    .venv/bin/python -m tools.deployer_policy            # writes iam/deployer-policy*.json, iam/role-boundary.json, iam/ci-*.json
    .venv/bin/python -m tools.deployer_policy --check    # exit 1 when a committed file is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence, TextIO

from tools.engine import ci_roles
from tools.engine.deployer_policy import BOUNDARY_PATH, DEFAULT_PREFIX, POLICY_PATH, generate, policy_size
from tools.engine.harness import PROJECT_ROOT


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.deployer_policy",
                                     description="Generate the deploying principal's IAM policy from the plans.")
    parser.add_argument("--prefix", default=DEFAULT_PREFIX,
                        help="name prefix the stacks' namePrefix values start with (default: ls-)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the files differ from a fresh generation")
    args = parser.parse_args(argv)
    files = generate(args.prefix)
    files.update(ci_roles.generate_from_text(files[POLICY_PATH]))
    stale_parts = sorted(set(POLICY_PATH.parent.glob("deployer-policy-part-*.json")) - set(files))
    assert BOUNDARY_PATH in files
    if args.check:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text] + stale_parts
        for path in stale:
            print(f"{path} is stale: run python -m tools.deployer_policy", file=out)
        return 1 if stale else 0
    POLICY_PATH.parent.mkdir(parents=True, exist_ok=True)
    for path in stale_parts:
        path.unlink()
    for path, text in files.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(PROJECT_ROOT)}: {len(json.loads(text)['Statement'])} statements, "
              f"{policy_size(json.loads(text))} characters", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
