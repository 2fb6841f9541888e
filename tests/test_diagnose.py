"""bin/diagnose: one archive of what support asks for, from recorded real-shaped command outputs
that carry secrets in the places they really leak; none of them may survive into the archive."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Sequence

import pytest

from tools.diagnose.__main__ import main
from tools.diagnose.collect import parse_since
from tools.diagnose.redact import MASK, Redactor
from tools.diagnose.runner import CommandResult, RecordedRunner
from tools.engine.harness import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data" / "diagnose"
SECRETS: list[str] = json.loads((DATA / "secrets.json").read_text())
NOW = datetime(2026, 12, 6, 20, 0, tzinfo=timezone.utc)


def bundle(tmp_path: Path, *argv: str, runner: object | None = None) -> tuple[dict[str, str], RecordedRunner | object]:
    """{path inside the archive: text} of the bundle of prod built from the recordings."""
    runner = runner or RecordedRunner(DATA / "recordings.json")
    out = io.StringIO()
    assert main(["prod", "--output-dir", str(tmp_path), *argv], out=out, runner=runner, now=NOW) == 0  # type: ignore[arg-type]
    (archive,) = tmp_path.glob("diagnose-prod-*.tar.gz")
    assert str(archive) in out.getvalue()
    with tarfile.open(archive) as tar:
        members = {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
                   for m in tar.getmembers()}
    return members, runner


@pytest.fixture(scope="module")
def prod_bundle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    members, _ = bundle(tmp_path_factory.mktemp("bundle"))
    return members


def test_no_secret_survives_anywhere_in_the_archive(prod_bundle: dict[str, str]) -> None:
    assert len(SECRETS) >= 9
    leaks = [(path, secret) for path, text in prod_bundle.items() for secret in SECRETS if secret in text]
    assert not leaks
    assert all(s in (DATA / "recordings.json").read_text() for s in SECRETS), "the recordings must carry every secret"


def test_the_archive_holds_what_support_asks_for(prod_bundle: dict[str, str]) -> None:
    assert set(prod_bundle) == {
        "MANIFEST.md", "versions.txt",
        "pulumi/stack-outputs.json", "pulumi/config.json", "pulumi/history.json",
        "kubernetes/nodes.txt", "kubernetes/pods.txt", "kubernetes/pod-status.json", "kubernetes/events.txt",
        "kubernetes/logs/langsmith/langsmith-backend-6d9f7c8b5-x2k4p/backend.log",
        "kubernetes/logs/langsmith/langsmith-backend-6d9f7c8b5-x2k4p/backend.previous.log",
        "helm/releases.json", "helm/langsmith/langsmith-status.txt", "helm/langsmith/langsmith-history.json",
        "helm/kube-system/aws-load-balancer-controller-status.txt",
        "helm/kube-system/aws-load-balancer-controller-history.json",
        "aws/eks-cluster.json", "aws/eks-addons.json", "aws/target-health.json", "aws/alarms.txt"}
    manifest = prod_bundle["MANIFEST.md"]
    for path in prod_bundle:
        if path != "MANIFEST.md":
            assert f"| {path} |" in manifest
    assert "Commands that failed: 0" in manifest and "Secrets redacted: " in manifest


def test_what_the_files_say(prod_bundle: dict[str, str]) -> None:
    health = json.loads(prod_bundle["aws/target-health.json"])
    assert [t["TargetHealth"]["State"] for t in health[0]["targets"]] == ["healthy", "unhealthy"]
    assert "ALARM              ls-prod-alb-5xx" in prod_bundle["aws/alarms.txt"]
    versions = prod_bundle["versions.txt"]
    for line in ("langsmith-aws release: 0.16.0", "langsmith chart: 0.16.11", "1.33 (eks.9)",
                 "aws-ebs-csi-driver: v1.48.0-eksbuild.2 DEGRADED", "langsmith/langsmith: langsmith-0.16.11 app 0.12.33 failed"):
        assert line in versions
    assert "FATAL could not connect to postgres" in prod_bundle[
        "kubernetes/logs/langsmith/langsmith-backend-6d9f7c8b5-x2k4p/backend.previous.log"]
    statuses = json.loads(prod_bundle["kubernetes/pod-status.json"])
    assert [p["phase"] for p in statuses] == ["Running", "Running", "Pending"]
    assert "env" not in prod_bundle["kubernetes/pod-status.json"]  # env values never enter the bundle
    assert "Insufficient memory" in prod_bundle["kubernetes/pod-status.json"]


def test_events_and_logs_follow_the_window(tmp_path: Path) -> None:
    members, _ = bundle(tmp_path / "one-hour")
    assert "outside the window" not in members["kubernetes/events.txt"]
    assert members["kubernetes/events.txt"].startswith("events since 2026-12-06T19:00:00Z (3)")
    wide, wide_runner = bundle(tmp_path / "two-days", "--since", "2d",
                               runner=RecordedRunner(DATA / "recordings.json"))
    assert "outside the window" in wide["kubernetes/events.txt"]
    logs = [c for c in wide_runner.calls if c[2] == "logs"]  # type: ignore[attr-defined]
    assert logs and all("--since=172800s" in c for c in logs)
    # Logs only of the failing pod: not of the healthy frontend, nor of the unscheduled queue pod.
    assert {c[5] for c in logs} == {"langsmith-backend-6d9f7c8b5-x2k4p"}


class NothingInstalled:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def run(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> CommandResult:
        self.calls.append(tuple(argv))
        return CommandResult(tuple(argv), 127, "", f"{argv[0]}: command not found")


def test_missing_tools_still_give_a_bundle_that_says_what_failed(tmp_path: Path) -> None:
    members, _ = bundle(tmp_path, runner=NothingInstalled())
    assert "pass --cluster and --region" in members["aws/SKIPPED.txt"]
    assert members["pulumi/stack-outputs.json"].startswith("exit status 127\npulumi: command not found")
    assert "Commands that failed: " in members["MANIFEST.md"] and "Commands that failed: 0" not in members["MANIFEST.md"]


class PrivateApi(NothingInstalled):
    def run(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> CommandResult:
        self.calls.append(tuple(argv))
        if argv[0] == "kubectl":
            return CommandResult(tuple(argv), 1, "", "Unable to connect to the server: dial tcp 10.0.1.5:443: i/o timeout")
        return CommandResult(tuple(argv), 0, "{}", "")


def test_a_private_api_out_of_reach_says_where_to_run_it(tmp_path: Path) -> None:
    runner = PrivateApi()
    members, _ = bundle(tmp_path, "--cluster", "ls-prod-eks", "--region", "us-east-1", "--kubeconfig", "/dev/null",
                        runner=runner)
    assert "inside its VPC" in members["kubernetes/API-UNREACHABLE.txt"]
    assert [c for c in runner.calls if c[0] == "kubectl"] == [("kubectl", "--request-timeout=20s", "get", "nodes", "-o", "wide")]
    assert not any(c[:3] == ("aws", "eks", "update-kubeconfig") for c in runner.calls)


@pytest.mark.parametrize("text, kept", [
    ("password: hunter2hunter", "password: "),
    ('"licenseKey": "LS-0123-4567-89ab"', '"licenseKey": "'),
    ("LANGSMITH_API_KEY=lsv2_pt_0123456789abcdef0123456789abcdef_0123456789", "LANGSMITH_API_KEY="),
    ("postgresql://user:p%40ss@host:5432/db", "postgresql://user:"),
    ("clickhouse://default:chpass12@ch:8123", "clickhouse://default:"),
    ("Authorization: Bearer abcdef0123456789", "Authorization: Bearer "),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", ""),
    ("--client-secret s3cr3t-value", "--client-secret "),
    ('{"name": "REDIS_PASSWORD", "value": "r3d1s-pw"}', '{"name": "REDIS_PASSWORD", "value": "'),
    ("github token ghp_0123456789abcdefghijABCDEFGHIJ", "github token "),
])
def test_each_kind_of_secret_is_redacted(text: str, kept: str) -> None:
    redacted = Redactor().redact(text)
    assert redacted.startswith(kept) and MASK in redacted
    assert text.split(kept, 1)[1][:6] not in redacted.split(kept, 1)[1] if kept else MASK == redacted.strip()


@pytest.mark.parametrize("text", [
    '"secretArns": {"postgres": "arn:aws:secretsmanager:us-east-1:1:secret:ls-prod-x"}',
    "automountServiceAccountToken: false", "token: true", "secretName: langsmith-secrets",
    "https://langsmith.example.com/api/v1/info", "readinessProbe: /health",
])
def test_what_is_not_a_secret_stays_readable(text: str) -> None:
    assert Redactor().redact(text) == text


def test_the_window_is_checked() -> None:
    assert parse_since("90s") == 90 and parse_since("30m") == 1800 and parse_since("2d") == 172800
    for bad in ("1w", "0h", "h", "-1h"):
        with pytest.raises(ValueError, match="30m, 1h, 2d"):
            parse_since(bad)
    err = io.StringIO()
    assert main(["prod", "--since", "1w"], err=err) == 2 and "--since '1w'" in err.getvalue()


def test_bin_diagnose_runs_with_a_plain_python() -> None:
    result = subprocess.run([str(PROJECT_ROOT / "bin" / "diagnose"), "--help"], capture_output=True, text=True,
                            timeout=60, cwd="/")
    assert result.returncode == 0 and "--since" in result.stdout
