"""The stacks CI plans, previews and deploys: one per stacks/Pulumi.<stack>.yaml, so adding a stack
file is all it takes (no list in the workflow to keep in step). Standard library only: CI runs it
before anything is installed.

    python3 -m tools.ci_stacks                 # stacks=["byoc","dev","hybrid","prod"]  (for $GITHUB_OUTPUT)
    python3 -m tools.ci_stacks --only prod     # stacks=["prod"]; exit 2 when there is no such stack
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Sequence, TextIO

STACKS_DIR = Path(__file__).resolve().parent.parent / "stacks"
STACK_FILE = re.compile(r"^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$")


def discover(stacks_dir: Path = STACKS_DIR) -> list[str]:
    return sorted(m.group(1) for p in stacks_dir.iterdir() if (m := STACK_FILE.match(p.name)))


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tools.ci_stacks",
                                     description="The stacks in stacks/, as a JSON list for a job matrix.")
    parser.add_argument("--only", default="", help="one stack (empty: all of them)")
    parser.add_argument("--dir", type=Path, default=STACKS_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    stacks = discover(args.dir)
    if args.only:
        if args.only not in stacks:
            print(f"error: --only {args.only!r}: no stacks/Pulumi.{args.only}.yaml; the stacks are: "
                  f"{', '.join(stacks)}", file=err)
            return 2
        stacks = [args.only]
    print(f"stacks={json.dumps(stacks, separators=(',', ':'))}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
