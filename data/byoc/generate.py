"""Derive the table of LangChain's BYOC data-plane role (statement IDs, effects and action sets per
managed policy, for every option combination) from its Terraform module, into
data/byoc/langsmith-byoc-role.json.

    python -m data.byoc.generate --repo /path/to/langchain-ai/terraform.git \
        [--ref e27a2af4f581b32a35b3a9f2f052e50829cfc0ab] [--byovpc-vpc-json PATH]

The module is langchain-ai/terraform `modules/byoc/aws/langsmith-byoc-role` (docs.langchain.com/langsmith/byoc
says to create the role with it). Its `policies.tf` loads `policies/*.json` as templates and packs them into
ten customer-managed policies named `<role_name>-<group>`; GROUPS below is that packing, read from policies.tf
at the cited commit (the delete statements of the vpc group go into `ec2-eni`, those of storage into `data`,
so each policy stays under IAM's 6,144-character limit). The program's own statements
(components/byoc_eks_policies.py) are written by hand; tests/test_byoc_eks.py holds them to this table.

`--byovpc-vpc-json`: the module's later `policies/vpc_byovpc.json` (langchain-ai/terraform@02339004, after the
cited commit: the BYOVPC variant of the vpc policy). It is recorded in its own section with its own commit.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SOURCE_REPOSITORY = "https://github.com/langchain-ai/terraform"
MODULE = "modules/byoc/aws/langsmith-byoc-role"
DEFAULT_REF = "e27a2af4f581b32a35b3a9f2f052e50829cfc0ab"
BYOVPC_COMMIT = "02339004b6e2d50da314672e2fe9ddd02af8ca19"
OUT = Path(__file__).resolve().parent / "langsmith-byoc-role.json"  # beside its generator
# Values the templates are rendered with for the size figures (the sizes grow with the role name,
# which iam.json templates once: the 64-character figure is the worst case IAM allows).
TEMPLATE_VALUES = {"account_id": "123456789012", "control_plane_account_id": "808407022534",
                   "role_name": "langsmith-byoc"}
LONGEST_ROLE_NAME = "r" * 64

# policies.tf `role_policies`: group -> parts in order. ("file", name) = policies/<name>.json;
# ("delete", key) = delete.json[key] when allow_delete_permissions; ("public", ...) only with
# allow_public_ingress; ("public-delete", key) with both.
GROUPS: dict[str, list[tuple[str, str]]] = {
    "vpc": [("file", "vpc")],
    "ec2-eni": [("file", "ec2-eni"), ("delete", "vpc")],
    "iam": [("file", "iam"), ("delete", "iam")],
    "iam-karpenter-eks-profiles": [("file", "iam-karpenter-eks-profiles"), ("delete", "iam-karpenter-eks-profiles")],
    "eks": [("file", "eks"), ("delete", "eks")],
    "elbv2": [("file", "elbv2"), ("delete", "elbv2")],
    "data": [("file", "rds"), ("file", "secrets_manager"), ("file", "kms"), ("delete", "data"), ("delete", "storage")],
    "storage": [("file", "elasticache"), ("file", "s3")],
    "lambda": [("file", "lambda"), ("file", "eventbridge"), ("delete", "lambda")],
    "dns": [("file", "route53"), ("public", "route53_public"), ("file", "acm"), ("delete", "dns"),
            ("public-delete", "dns-public")],
}


def render(text: str, values: dict[str, str]) -> Any:
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    if "${" in text:
        raise SystemExit(f"a template variable is left unrendered: {text[text.index('${'):][:60]}")
    return json.loads(text)


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def group_statements(read: Any, group: str, public: bool, delete: bool, values: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kind, name in GROUPS[group]:
        if kind == "file":
            out += render(read(f"policies/{name}.json"), values)
        elif kind == "public" and public:
            out += render(read(f"policies/{name}.json"), values)
        elif kind == "delete" and delete:
            out += render(read("policies/delete.json"), values)[name]
        elif kind == "public-delete" and public and delete:
            out += render(read("policies/delete.json"), values)[name]
    return out


def size(statements: list[dict[str, Any]]) -> int:
    """Characters of the policy document as the program writes it (compact JSON)."""
    return len(json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":")))


def summary(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"sid": s["Sid"], "effect": s["Effect"], "actions": sorted(set(actions(s)))} for s in statements]


def build(read: Any, ref: str, byovpc_vpc: list[dict[str, Any]] | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for public, delete in itertools.product([False, True], repeat=2):
        key = f"publicIngress={str(public).lower()},delete={str(delete).lower()}"
        options[key] = {}
        for group in GROUPS:
            statements = group_statements(read, group, public, delete, TEMPLATE_VALUES)
            longest = group_statements(read, group, public, delete, {**TEMPLATE_VALUES, "role_name": LONGEST_ROLE_NAME})
            options[key][group] = {"statements": summary(statements), "size": size(statements),
                                   "sizeWith64CharacterRoleName": size(longest)}
    table: dict[str, Any] = {
        "source": {"repository": SOURCE_REPOSITORY, "commit": ref, "path": MODULE,
                   "files": "policies/*.json packed as policies.tf role_policies"},
        "templateValues": TEMPLATE_VALUES,
        "groups": list(GROUPS),
        "options": options,
    }
    if byovpc_vpc is not None:
        table["byovpcVpc"] = {
            "source": {"repository": SOURCE_REPOSITORY, "commit": BYOVPC_COMMIT,
                       "path": f"{MODULE}/policies/vpc_byovpc.json"},
            "statements": summary(byovpc_vpc),
        }
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.byoc.generate",
                                     description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--repo", required=True, help="git directory of github.com/langchain-ai/terraform")
    parser.add_argument("--ref", default=DEFAULT_REF, help="commit to read the module at")
    parser.add_argument("--byovpc-vpc-json", type=Path, default=None,
                        help=f"policies/vpc_byovpc.json of the module at {BYOVPC_COMMIT} (kept from the "
                             "current table when omitted)")
    args = parser.parse_args(argv)
    commit = subprocess.run(["git", f"--git-dir={args.repo}", "rev-parse", f"{args.ref}^{{commit}}"],
                            check=True, capture_output=True, text=True).stdout.strip()

    def read(path: str) -> str:
        return subprocess.run(["git", f"--git-dir={args.repo}", "show", f"{commit}:{MODULE}/{path}"],
                              check=True, capture_output=True, text=True).stdout

    byovpc = None
    if args.byovpc_vpc_json is not None:
        # customer_vpc_arns is a JSON list in the module (jsonencode of the vpc_ids' ARNs).
        byovpc = render(args.byovpc_vpc_json.read_text(),
                        {**TEMPLATE_VALUES, "customer_vpc_arns": json.dumps(["arn:aws:ec2:*:123456789012:vpc/vpc-0"])})
    table = build(read, commit, byovpc)
    if byovpc is None and args.byovpc_vpc_json is None and OUT.exists():
        previous = json.loads(OUT.read_text())
        if "byovpcVpc" in previous:
            table["byovpcVpc"] = previous["byovpcVpc"]
    OUT.write_text(json.dumps(table, indent=1, sort_keys=False) + "\n")
    print(f"wrote {OUT} from {SOURCE_REPOSITORY}@{commit}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
