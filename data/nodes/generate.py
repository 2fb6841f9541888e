"""Derive the EC2 facts the capacity check needs (vCPU, memory, CPU architecture, max pods) from a
well-kept public source, into data/nodes/instance-types.json.

    python -m data.nodes.generate --repo /path/to/aws/karpenter-provider-aws.git

The source is Karpenter's generated instance-type reference (website/content/en/docs/reference/
instance-types.md, produced from the EC2 DescribeInstanceTypes API by hack/docs/instancetypes_gen):
per type, `karpenter.k8s.aws/instance-cpu`, `instance-memory` (MiB), `kubernetes.io/arch`, and the
`pods` capacity (ENIs x (IPv4 per ENI - 1) + 2, the same figure the EKS AL2023 AMI's nodeadm uses as
max pods without prefix delegation). botocore ships instance type names only, not these figures.
Only the families an EKS node pool here may use are kept (general purpose, memory, compute, burstable).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

SOURCE_REPOSITORY = "https://github.com/aws/karpenter-provider-aws"
SOURCE_PATH = "website/content/en/docs/reference/instance-types.md"
OUT = Path(__file__).resolve().parent / "instance-types.json"  # beside its generator
FAMILIES = re.compile(r"^(m[5-8][a-z]*|r[5-8][a-z]*|c[5-8][a-z]*|t3a?|t4g)\.(medium|large|\d*xlarge)$")


def parse(text: str) -> dict[str, dict[str, Any]]:
    types: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        if line.startswith("### `"):
            name = line.strip()[5:-1]
            current = {} if FAMILIES.match(name) else None
            if current is not None:
                types[name] = current
            continue
        if current is None:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2:
            continue
        label, value = cells
        if label == "karpenter.k8s.aws/instance-cpu":
            current["vcpu"] = int(value)
        elif label == "karpenter.k8s.aws/instance-memory":
            current["memoryMiB"] = int(value)
        elif label == "kubernetes.io/arch":
            current["arch"] = {"amd64": "x86_64", "arm64": "arm64"}[value]
        elif label == "pods":
            current["maxPods"] = int(value)
    return {k: v for k, v in sorted(types.items()) if {"vcpu", "memoryMiB", "arch", "maxPods"} <= set(v)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.nodes.generate",
                                     description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--repo", required=True, help="git directory of github.com/aws/karpenter-provider-aws")
    parser.add_argument("--ref", default="HEAD")
    args = parser.parse_args(argv)
    git = ["git", f"--git-dir={args.repo}"]
    commit = subprocess.run([*git, "rev-parse", args.ref], check=True, capture_output=True, text=True).stdout.strip()
    date = subprocess.run([*git, "log", "-1", "--format=%cs", commit], check=True, capture_output=True,
                          text=True).stdout.strip()
    text = subprocess.run([*git, "show", f"{commit}:{SOURCE_PATH}"], check=True, capture_output=True, text=True).stdout
    types = parse(text)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "source": {"repository": SOURCE_REPOSITORY, "path": SOURCE_PATH, "commit": commit, "date": date},
        "generator": "python -m data.nodes.generate --repo <git dir of aws/karpenter-provider-aws>",
        "instanceTypes": types,
    }, indent=0) + "\n")
    print(f"{OUT}: {len(types)} instance types", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
