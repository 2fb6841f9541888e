"""Read a stack file (`stacks/Pulumi.<stack>.yaml`) the way the Pulumi CLI hands it to a program.

Config values reach a program as strings; objects and lists as JSON text. Encrypted values
(`secure: ...`) cannot be decrypted offline: they are replaced by a placeholder and marked secret,
which is all a preview needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tools.harness import PROJECT_ROOT

OFFLINE_SECRET_PLACEHOLDER = "offline-preview-placeholder-secret-0000"


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    values: dict[str, str]
    secret_keys: frozenset[str]
    source: Path


def project_file(root: Path = PROJECT_ROOT) -> dict[str, Any]:
    loaded = yaml.safe_load((root / "Pulumi.yaml").read_text())
    return loaded if isinstance(loaded, dict) else {}


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _decrypt_offline(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return OFFLINE_SECRET_PLACEHOLDER
        return {k: _decrypt_offline(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decrypt_offline(v) for v in value]
    return value


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def load_stack_config(stack: str | None = None, config_file: Path | None = None,
                      root: Path = PROJECT_ROOT) -> StackConfig:
    """Config of `stack` from the project's stack directory, or of an explicit file."""
    project = project_file(root)
    project_name = str(project["name"])
    if config_file is None:
        if stack is None:
            raise ValueError("give a stack name or a config file")
        config_file = root / str(project.get("stackConfigDir", ".")) / f"Pulumi.{stack}.yaml"
    elif stack is None:
        stack = config_file.name.removeprefix("Pulumi.").removesuffix(".yaml").removesuffix(".yml")
    if not config_file.is_file():
        raise FileNotFoundError(f"no stack config file at {config_file}")
    document = yaml.safe_load(config_file.read_text()) or {}
    raw: dict[str, Any] = dict(document.get("config") or {})

    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    # Project-level defaults (Pulumi.yaml `config:` entries with a default) apply first.
    for key, spec in (project.get("config") or {}).items():
        full_key = key if ":" in key else f"{project_name}:{key}"
        if isinstance(spec, dict) and "default" in spec:
            values[full_key] = _as_config_string(spec["default"])
        elif isinstance(spec, dict) and "value" in spec:
            values[full_key] = _as_config_string(spec["value"])
    for key, value in raw.items():
        full_key = key if ":" in key else f"{project_name}:{key}"
        if _has_secure(value):
            secret_keys.add(full_key)
        values[full_key] = _as_config_string(_decrypt_offline(value))
    return StackConfig(project=project_name, stack=stack, values=values,
                       secret_keys=frozenset(secret_keys), source=config_file)
