"""Collect the diagnostics bundle of a stack into one redacted archive.

    python -m tools.diagnose prod [--since 1h] [--output-dir .]
    python -m tools.diagnose prod --cluster ls-prod-eks --region us-east-1 --kubeconfig ~/.kube/config

Needs on PATH: pulumi (logged in to the stack's backend, PULUMI_CONFIG_PASSPHRASE set), aws
(credentials that can read the stack), kubectl and helm; a tool that is missing or a command that
fails is recorded in the bundle and the rest is collected. The stack's secret values are read only
to redact them. Exit status: 0 the archive was written; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence, TextIO

from tools.diagnose.bundle import build
from tools.diagnose.collect import parse_since
from tools.diagnose.runner import Runner, SubprocessRunner

VERSION_FILE = Path(__file__).resolve().parents[2] / "VERSION"


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
         runner: Runner | None = None, now: datetime | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bin/diagnose", description="A redacted diagnostics bundle of a stack.")
    parser.add_argument("stack", help="stack name (stacks/Pulumi.<stack>.yaml)")
    parser.add_argument("--since", default="1h", help="window for events and logs: 30m, 1h, 2d (default 1h)")
    parser.add_argument("--output-dir", type=Path, default=Path("."), help="where to write the archive (default .)")
    parser.add_argument("--cluster", help="EKS cluster name, when the stack outputs cannot be read")
    parser.add_argument("--region", help="AWS region, when the stack outputs cannot be read")
    parser.add_argument("--kubeconfig", type=Path, help="use this kubeconfig instead of writing one with aws eks")
    args = parser.parse_args(argv)
    try:
        parse_since(args.since)
    except ValueError as exc:
        print(f"error: {exc}", file=err)
        return 2
    version = VERSION_FILE.read_text().strip() if VERSION_FILE.exists() else "unknown"
    path = build(args.stack, args.since, runner or SubprocessRunner(), now or datetime.now(timezone.utc),
                 args.output_dir, cluster=args.cluster, region=args.region, kubeconfig=args.kubeconfig,
                 project_version=version)
    print(f"wrote {path}: send it to support; secrets are redacted (MANIFEST.md inside lists what it holds)", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
