"""The CI roles' IAM documents: fresh, trusted for exactly one subject each, the preview role read-only."""

from __future__ import annotations

import json
from typing import Any

from parliament import analyze_policy_string

from tools.engine import ci_roles
from tools.engine.deployer_policy import MANAGED_POLICY_MAX_CHARS, POLICY_PATH, iam_catalogue, policy_size


def load(path: Any) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_the_committed_files_are_what_the_deployer_policy_generates() -> None:
    files = ci_roles.generate_from_text(POLICY_PATH.read_text())
    assert len(files) == 4
    for path, text in files.items():
        assert path.exists() and path.read_text() == text, f"{path} is stale: run python -m tools.deployer_policy"


def _subject(path: Any) -> str:
    (statement,) = load(path)["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": "arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com"}
    condition = statement["Condition"]
    assert list(condition) == ["StringEquals"], "an exact subject, never StringLike with a wildcard"
    assert condition["StringEquals"]["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    return condition["StringEquals"]["token.actions.githubusercontent.com:sub"]


def test_the_preview_role_trusts_pull_requests_and_the_deploy_role_only_the_environment() -> None:
    assert _subject(ci_roles.PREVIEW_TRUST) == "repo:ORG/REPO:pull_request"
    assert _subject(ci_roles.DEPLOY_TRUST) == "repo:ORG/REPO:environment:production"


def test_the_preview_role_reads_and_never_writes_nor_reads_secret_values() -> None:
    catalogue = iam_catalogue()
    policy = load(ci_roles.PREVIEW_POLICY)
    resources_statement, state_read, lock = policy["Statement"]
    actions = resources_statement["Action"]
    assert len(actions) > 100
    levels = {catalogue[a.split(":")[0]][a.split(":")[1]]["access_level"] for a in actions}
    assert levels == {"Read", "List"}
    assert "secretsmanager:GetSecretValue" not in actions
    deployer = ci_roles.policy_actions(load(POLICY_PATH))
    assert set(actions) <= deployer
    # Writes only the backend's lock files, which every preview takes and releases.
    assert state_read["Action"] == ["s3:GetObject", "s3:ListBucket"]
    assert lock["Resource"] == ["arn:aws:s3:::STATE_BUCKET/*.pulumi/locks/*"]
    assert policy_size(policy) <= MANAGED_POLICY_MAX_CHARS


def test_the_documents_pass_parliament_but_for_read_actions_on_every_resource() -> None:
    for path in (ci_roles.PREVIEW_POLICY, ci_roles.STATE_BACKEND_POLICY):
        findings = {f.issue for f in analyze_policy_string(path.read_text()).findings}
        assert findings <= {"RESOURCE_STAR"}, (path.name, findings)
