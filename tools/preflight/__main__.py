"""Preflight: what only the AWS account can tell, checked before the first `pulumi up`.

    python -m tools.preflight --stack prod [--egress-ip 198.51.100.7]
    python -m tools.preflight --config-file path/to/Pulumi.mystack.yaml
    bin/preflight prod

Uses the caller's AWS credentials through boto3 (so `AWS_PROFILE`, `AWS_REGION` and
`AWS_ENDPOINT_URL` apply) and only reads: nothing is created. Prints one line per check with its
verdict (PASS, FAIL, WARN, COULD NOT CHECK) and, for each failure, the fix.

Exit status: 0 nothing failed (warnings and unchecked items are listed); 1 at least one check
failed; 2 the config is invalid (the same message as the preview's).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from settings import ConfigError, parse_config
from tools.engine.stack_config import load_for_command
from tools.preflight.context import FAIL, PASS, UNCHECKED, WARN, Check, Context
from tools.preflight.errors import one_line
from tools.preflight.runner import run_checks
from tools.preflight.session import stack_session

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def print_checklist(checks: Sequence[Check], title: str, out: TextIO) -> None:
    print(title, file=out)
    width = max(len(c.verdict) for c in checks) if checks else 4
    for c in checks:
        print(f"  {c.verdict:<{width}}  {c.name}: {c.detail}", file=out)
        if c.fix and c.verdict != PASS:
            print(f"  {'':<{width}}  fix: {c.fix}", file=out)
    counts = Counter(c.verdict for c in checks)
    print(f"\n{counts[PASS]} passed, {counts[FAIL]} failed, {counts[WARN]} warnings, "
          f"{counts[UNCHECKED]} could not be checked", file=out)
    unchecked = [c.name for c in checks if c.verdict == UNCHECKED]
    if unchecked:
        print(f"Not checked (check by hand): {'; '.join(unchecked)}", file=out)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
         session: Any = None, which: Callable[[str], str | None] = shutil.which) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.preflight",
                                     description="Check the AWS account before the first pulumi up.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="stack name: reads stacks/Pulumi.<stack>.yaml")
    source.add_argument("--config-file", type=Path, help="a stack config file to use instead")
    parser.add_argument("--egress-ip", help="this machine's public egress IP, to check the API endpoint's allow list")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the checklist as JSON to PATH")
    args = parser.parse_args(argv)
    if args.egress_ip is not None:
        try:
            ipaddress.ip_address(args.egress_ip)
        except ValueError:
            print(f"error: --egress-ip {args.egress_ip!r} is not an IP address", file=err)
            return EXIT_CONFIG

    config = load_for_command(args.stack, args.config_file, err)
    if config is None:
        return EXIT_CONFIG
    try:
        settings = parse_config(config.values, project=config.project, stack=config.stack,
                                secret_keys=config.secret_keys, secret_paths=config.secret_paths)
    except ConfigError as exc:
        print(f"error: {config.source}: {exc}", file=err)
        return EXIT_CONFIG

    try:
        session = stack_session(config.values, settings.region, session)
    except Exception as exc:  # noqa: BLE001 - a profile that does not exist, a role that cannot be assumed
        print(f"error: the stack's AWS credentials (aws:profile / aws:assumeRoles) do not work: {one_line(exc)}",
              file=err)
        return EXIT_FAILED
    checks = run_checks(Context(settings, config, session, egress_ip=args.egress_ip, which=which))
    print_checklist(checks, f"Preflight of {config.project}/{config.stack} ({settings.shape.value}) in "
                    f"{settings.region}:", out)
    if args.json:
        args.json.write_text(json.dumps([c.__dict__ for c in checks], indent=2) + "\n")
    return EXIT_FAILED if any(c.verdict == FAIL for c in checks) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
