"""Read constants the program depends on from an upstream project's source at the pinned tag.

Envoy Gateway configures its proxies' listeners in `internal/xds/bootstrap/bootstrap.go`: the
readiness endpoint the ALB health-checks (moved from 19001 to 19003 in v1.4.0, where 19001 became
the Prometheus stats listener) and the stats port. This writes them, with the tag and commit,
to `data/upstream/envoy-gateway-<tag>.json`; a test compares the registered target group's health
check with that file, so a pin bump without regenerating fails.

    .venv/bin/python -m data.upstream.generate --envoy-gateway <git dir of envoyproxy/gateway>
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess

from components.versions import ENVOY_GATEWAY
from data.upstream import UPSTREAM_DIR

BOOTSTRAP_PATH = "internal/xds/bootstrap/bootstrap.go"
PORT_CONSTANTS = ("EnvoyReadinessPort", "EnvoyStatsPort")
PATH_CONSTANTS = ("EnvoyReadinessPath",)


def git(git_dir: str, *args: str) -> str:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True, text=True).stdout


def bootstrap_facts(source: str) -> dict[str, int | str]:
    """The constants of bootstrap.go; a missing one is an error, so a rename upstream is noticed."""
    facts: dict[str, int | str] = {}
    for name in PORT_CONSTANTS:
        match = re.search(rf"^\s*{name}\s*=\s*(\d+)\s*$", source, re.MULTILINE)
        if match is None:
            raise ValueError(f"{name} not found in {BOOTSTRAP_PATH}")
        facts[name] = int(match.group(1))
    for name in PATH_CONSTANTS:
        match = re.search(rf'^\s*{name}\s*=\s*"([^"]+)"\s*$', source, re.MULTILINE)
        if match is None:
            raise ValueError(f"{name} not found in {BOOTSTRAP_PATH}")
        facts[name] = match.group(1)
    return facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.upstream.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--envoy-gateway", required=True, help="git directory of envoyproxy/gateway")
    args = parser.parse_args(argv)
    tag = ENVOY_GATEWAY.version
    data = {
        "source": {"repository": "envoyproxy/gateway", "tag": tag,
                   "commit": git(args.envoy_gateway, "rev-parse", f"{tag}^{{commit}}").strip(),
                   "path": BOOTSTRAP_PATH},
        "facts": bootstrap_facts(git(args.envoy_gateway, "show", f"{tag}:{BOOTSTRAP_PATH}")),
        "generator": "python -m data.upstream.generate --envoy-gateway <git dir of envoyproxy/gateway>",
    }
    path = UPSTREAM_DIR / f"envoy-gateway-{tag}.json"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
