"""Write the CI job summary of one stack's offline plan (Markdown, to stdout or appended to a file).

    python -m tools.ci_summary --stack dev --plan plan-dev.json --base base/plan-dev.json \
        --exit-code 1 >> "$GITHUB_STEP_SUMMARY"

A missing plan (the preview failed before writing it) or base plan (the stack is new on this
branch, or the base branch fails to plan) is reported, not an error: the summary must always be
written, it is how a failing job explains itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence, TextIO

from tools.engine.ci_summary import render


def _read(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        return None


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.ci_summary",
                                     description="The job summary of one stack's offline plan, in Markdown.")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--plan", type=Path, required=True, help="the plan written by tools.preview --json")
    parser.add_argument("--base", type=Path, help="the base branch's plan of the same stack")
    parser.add_argument("--exit-code", type=int, default=0, help="the preview's exit status")
    args = parser.parse_args(argv)
    out.write(render(args.stack, _read(args.plan), _read(args.base), args.exit_code))
    return 0


if __name__ == "__main__":
    sys.exit(main())
