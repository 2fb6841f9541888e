"""Which entries of a stack file are encrypted, entry by entry.

Pulumi marks a whole top-level key secret when any entry under it is `secure:`
(pulumi/pulumi sdk/go/common/resource/config/object.go `Secure()`: an object is secure if any element
is), so a program only learns "hybridApiKeys is a secret" while a plain entry beside an encrypted one
sits in the stack file, and in git, in clear. Only the stack file's text says which leaves are
encrypted: the offline tools read it (tools/engine/stack_config.py) and hand the paths in; a real
`pulumi up` reads the stack file from the project's stackConfigDir. Values from a Pulumi ESC
environment are not in the file and stay checked key by key.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from settings.placeholders import offline

_offline_paths: list[frozenset[str] | None] = []


def secure_leaf_paths(config: Mapping[str, Any], project: str) -> frozenset[str]:
    """Full paths (`<project>:hybridApiKeys.team-a`, `a.b[0]`) of the `{secure: ...}` entries of a
    stack file's `config:` mapping."""
    found: set[str] = set()

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            if set(value) == {"secure"}:
                found.add(path)
                return
            for k, v in value.items():
                walk(v, f"{path}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")

    for key, value in config.items():
        walk(value, key if ":" in str(key) else f"{project}:{key}")
    return frozenset(found)


@contextlib.contextmanager
def stack_file_secrets(paths: frozenset[str] | None) -> Iterator[None]:
    """For a run under the harness: the encrypted entries of the stack file it read (None: not
    known, checked key by key), instead of the stack file on disk."""
    _offline_paths.append(paths)
    try:
        yield
    finally:
        _offline_paths.pop()


def runtime_secret_paths(project: str, stack: str, project_dir: Path | None = None) -> frozenset[str] | None:
    """The encrypted entries of the running stack's file, or None when they cannot be known."""
    if _offline_paths:  # a run under the harness: what it read, if anything
        return _offline_paths[-1]
    if offline():
        return None
    root = project_dir or Path.cwd()  # the Pulumi CLI runs the program in the project directory
    try:
        project_file = yaml.safe_load((root / "Pulumi.yaml").read_text()) or {}
        stack_dir = root / str(project_file.get("stackConfigDir", "."))
        document = yaml.safe_load((stack_dir / f"Pulumi.{stack}.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError, AttributeError):
        return None
    config = document.get("config") if isinstance(document, dict) else None
    return secure_leaf_paths(config, project) if isinstance(config, dict) else None
