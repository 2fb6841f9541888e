"""The IAM documents of the two CI roles (written with the deployer policy by `python -m tools.deployer_policy`).

- The **preview** role, assumed by pull-request jobs: GitHub's OIDC token of a `pull_request` event
  has the subject `repo:ORG/REPO:pull_request`, so a role trusted only for the protected branch
  can never serve a preview. Its permissions are the read-only part of the deployer policy (the
  actions the IAM catalogue rates Read or List), without the one that returns secret material
  (`secretsmanager:GetSecretValue`): code on a pull request can run any step, so the role it gets
  must not open the stack's secrets. Plus the state backend: read, and the lock files a preview
  takes.
- The **deploy** role, assumed only by the deploy job: a job that names a GitHub environment gets
  the subject `repo:ORG/REPO:environment:ENV`, whatever branch it runs on; the environment's
  protection rules (required reviewers, deployment branches: main only) are what guard it.
  Its permissions are the deployer policy's parts and the state backend read/write.

The files carry placeholders the one-time setup replaces (docs/ci.md): ACCOUNT_ID, ORG/REPO,
STATE_BUCKET, and the environment name `production`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from tools.engine.deployer_policy import POLICY_PATH, iam_catalogue, render

IAM_DIR = POLICY_PATH.parent
PREVIEW_TRUST = IAM_DIR / "ci-preview-role-trust.json"
PREVIEW_POLICY = IAM_DIR / "ci-preview-role-policy.json"
DEPLOY_TRUST = IAM_DIR / "ci-deploy-role-trust.json"
STATE_BACKEND_POLICY = IAM_DIR / "ci-state-backend-policy.json"

GITHUB_OIDC = "token.actions.githubusercontent.com"
REPOSITORY = "ORG/REPO"
DEPLOY_ENVIRONMENT = "production"
PREVIEW_SUBJECT = f"repo:{REPOSITORY}:pull_request"
DEPLOY_SUBJECT = f"repo:{REPOSITORY}:environment:{DEPLOY_ENVIRONMENT}"
STATE_BUCKET_ARN = "arn:aws:s3:::STATE_BUCKET"
READ_LEVELS = ("Read", "List")
# Read-level actions that return secret material: never granted to a pull request.
SECRET_READING = frozenset({"secretsmanager:GetSecretValue"})


def trust_policy(subject: str) -> dict[str, Any]:
    """Trust GitHub's OIDC tokens for this repository with exactly this subject (no wildcard)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "GitHubActionsOidc",
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::ACCOUNT_ID:oidc-provider/{GITHUB_OIDC}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{GITHUB_OIDC}:aud": "sts.amazonaws.com",
                                       f"{GITHUB_OIDC}:sub": subject}},
    }]}


def policy_actions(policy: Mapping[str, Any]) -> set[str]:
    actions: set[str] = set()
    for statement in policy["Statement"]:
        granted = statement["Action"]
        actions.update(granted if isinstance(granted, list) else [granted])
    return actions


def read_only_actions(deployer_policy: Mapping[str, Any],
                      catalogue: Mapping[str, Mapping[str, Any]] | None = None) -> list[str]:
    catalogue = catalogue if catalogue is not None else iam_catalogue()
    read = []
    for action in policy_actions(deployer_policy):
        service, name = action.split(":", 1)
        if catalogue[service][name]["access_level"] in READ_LEVELS and action not in SECRET_READING:
            read.append(action)
    return sorted(read)


def preview_policy(deployer_policy: Mapping[str, Any],
                   catalogue: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadTheStacksResources", "Effect": "Allow",
         "Action": read_only_actions(deployer_policy, catalogue), "Resource": "*"},
        {"Sid": "ReadTheState", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": [STATE_BUCKET_ARN, f"{STATE_BUCKET_ARN}/*"]},
        # A preview takes the stack's lock in the backend like any operation, and removes it after.
        {"Sid": "TakeThePreviewLock", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
         "Resource": [f"{STATE_BUCKET_ARN}/*.pulumi/locks/*"]},
    ]}


def state_backend_policy() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "ListTheStateBucket", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
         "Resource": [STATE_BUCKET_ARN]},
        {"Sid": "ReadAndWriteTheState", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": [f"{STATE_BUCKET_ARN}/*"]},
    ]}


def generate(deployer_policy: Mapping[str, Any],
             catalogue: Mapping[str, Mapping[str, Any]] | None = None) -> dict[Path, str]:
    return {
        PREVIEW_TRUST: render(trust_policy(PREVIEW_SUBJECT)),
        PREVIEW_POLICY: render(preview_policy(deployer_policy, catalogue)),
        DEPLOY_TRUST: render(trust_policy(DEPLOY_SUBJECT)),
        STATE_BACKEND_POLICY: render(state_backend_policy()),
    }


def generate_from_text(deployer_policy_text: str) -> dict[Path, str]:
    return generate(json.loads(deployer_policy_text))
