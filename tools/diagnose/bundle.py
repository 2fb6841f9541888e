"""The archive: every collected file redacted, and MANIFEST.md, its table of contents."""

from __future__ import annotations

import io
import tarfile
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from tools.diagnose.collect import BundleFile
from tools.diagnose.redact import Redactor


def versions_text(project_version: str, pinned: dict[str, str], found: dict[str, Any]) -> str:
    lines = [f"langsmith-aws release: {project_version}", "", "pinned by this checkout (components/versions.py):"]
    lines += [f"  {name}: {version}" for name, version in sorted(pinned.items())]
    for title, value in found.items():
        lines += ["", f"{title}:"]
        if isinstance(value, dict):
            lines += [f"  {k}: {v}" for k, v in sorted(value.items())] or ["  none found"]
        else:
            lines.append(f"  {value}")
    return "\n".join(lines) + "\n"


def manifest(stack: str, created: datetime, since: str, files: list[BundleFile], redactor: Redactor) -> str:
    failed = [f for f in files if f.status not in (None, 0)]
    lines = [f"# Diagnostics bundle: stack `{stack}`", "",
             f"Created {created.strftime('%Y-%m-%dT%H:%M:%SZ')}; events and logs since {since} before.",
             f"Secrets redacted: {sum(redactor.counts.values())} "
             f"({', '.join(f'{kind} {n}' for kind, n in sorted(redactor.counts.items())) or 'none found'}).",
             f"Commands that failed: {len(failed)} (their files hold the exit status and error).", "",
             "| file | bytes | from | exit |", "| --- | --- | --- | --- |"]
    for f in sorted(files, key=lambda f: f.path):
        status = "" if f.status is None else str(f.status)
        lines.append(f"| {f.path} | {len(f.content.encode())} | `{f.source}` | {status} |")
    return "\n".join(lines) + "\n"


def write_archive(path: Path, root: str, files: Iterable[BundleFile], created: datetime) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for f in files:
            data = f.content.encode()
            info = tarfile.TarInfo(f"{root}/{f.path}")
            info.size, info.mtime, info.mode = len(data), int(created.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))


def pinned_versions() -> dict[str, str]:
    from components import versions  # standard library only: safe without the venv

    return {f"{v.chart} chart": v.version for v in vars(versions).values() if isinstance(v, versions.HelmChart)}


def build(stack: str, since: str, runner: Any, now: datetime, output_dir: Path, *, cluster: str | None = None,
          region: str | None = None, kubeconfig: Path | None = None, project_version: str = "unknown") -> Path:
    """Run every collector, redact everything, write `diagnose-STACK-TIME.tar.gz`; returns its path."""
    import tempfile

    from tools.diagnose.collect import COLLECTORS, Context, parse_since

    since_seconds = parse_since(since)
    with tempfile.TemporaryDirectory(prefix="diagnose-") as scratch:
        config_path = kubeconfig if kubeconfig is not None else Path(scratch) / "kubeconfig"
        ctx = Context(stack=stack, since_seconds=since_seconds, now=now, runner=runner,
                      kube_env={"KUBECONFIG": str(config_path)}, kubeconfig_given=kubeconfig is not None,
                      cluster=cluster, region=region)
        for collector in COLLECTORS:
            collector(ctx)
    ctx.derived("versions.txt", versions_text(project_version, pinned_versions(), ctx.versions),
                "VERSION, components/versions.py, aws eks describe-cluster/describe-addon, helm list")
    redactor = Redactor(ctx.secret_values)
    files = [BundleFile(f.path, redactor.redact(f.content), redactor.redact(f.source), f.status) for f in ctx.files]
    files.append(BundleFile("MANIFEST.md", redactor.redact(manifest(stack, now, since, files, redactor)),
                            "this table of contents", None))
    root = f"diagnose-{stack}-{now.strftime('%Y%m%dT%H%M%SZ')}"
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / f"{root}.tar.gz"
    write_archive(path, root, files, now)
    return path
