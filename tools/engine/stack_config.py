"""Read a stack file (`stacks/Pulumi.<stack>.yaml`) the way the Pulumi CLI hands it to a program.

Config values reach a program as strings; objects and lists as JSON text. Encrypted values
(`secure: ...`) cannot be decrypted offline: they are replaced by a placeholder and marked secret,
which is all a preview needs.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from settings.secret_paths import secure_leaf_paths
from settings.placeholders import OFFLINE_SECRET_VALUE, PLACEHOLDER_SECRET_PREFIX
from tools.engine.harness import PROJECT_ROOT
from tools.engine.pulumi_yaml import PulumiYamlLoader, config_string

OFFLINE_SECRET_PLACEHOLDER = OFFLINE_SECRET_VALUE  # a `secure: v1:placeholder-...` documentation value
# A real encrypted value: the preview cannot decrypt it, but it is not a placeholder.
OFFLINE_ENCRYPTED_SECRET = "offline-preview-encrypted-secret-0000"


class StackFileError(ValueError):
    """A stack file that cannot be read as a Pulumi stack config (the message names file and line)."""


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    values: dict[str, str]
    secret_keys: frozenset[str]
    source: Path
    # The encrypted entries, entry by entry (`langsmith-aws:hybridApiKeys.team-a`): Pulumi's secret_keys
    # are top-level only (settings/secret_paths.py).
    secret_paths: frozenset[str] = frozenset()
    # YAML numbers whose text the program will not see as written (`7.10` arrives as 7.1): "LINE: what".
    reshaped_numbers: tuple[str, ...] = ()
    # Pulumi ESC environments the stack file imports (`environment:`): the CLI merges their
    # `pulumiConfig` into the config; the offline tools cannot open them.
    esc_environments: tuple[str, ...] = ()


def project_file(root: Path = PROJECT_ROOT) -> dict[str, Any]:
    loaded = read_yaml_document(root / "Pulumi.yaml")
    return loaded


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _decrypt_offline(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            if str(value["secure"]).startswith(PLACEHOLDER_SECRET_PREFIX):
                return OFFLINE_SECRET_PLACEHOLDER
            return OFFLINE_ENCRYPTED_SECRET
        return {k: _decrypt_offline(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decrypt_offline(v) for v in value]
    return value


def available_stacks(root: Path = PROJECT_ROOT) -> list[str]:
    """Names of the stacks that have a config file in the project's stack directory."""
    stack_dir = root / str(project_file(root).get("stackConfigDir", "."))
    return sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in stack_dir.glob("Pulumi.*.yaml"))


def read_yaml_document(path: Path, reshaped: list[str] | None = None) -> dict[str, Any]:
    """A stack (or project) file's document as the Pulumi CLI reads it (tools/engine/pulumi_yaml.py):
    a mapping, or a StackFileError naming the file and line. The one reader of stack files."""
    loader = PulumiYamlLoader(path.read_text())
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        started = (f" ({context} that starts at line {context_mark.line + 1})"
                   if context and context_mark is not None and mark is not None and context_mark.line != mark.line
                   else "")
        raise StackFileError(f"{where}: not valid YAML: {problem}{started}") from None
    finally:
        loader.dispose()
    if reshaped is not None:
        reshaped.extend(loader.reshaped)
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackFileError(f"{path}:1: a stack file must be a mapping with a 'config:' key, "
                             f"not a {type(document).__name__}")
    return document


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
        stack_dir = root / str(project.get("stackConfigDir", "."))
        existing = available_stacks(root)
        close = difflib.get_close_matches(stack or "", existing, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise FileNotFoundError(f"no stack config file at {config_file}{hint} "
                                f"Stacks in {stack_dir}: {', '.join(existing) or '(none)'}")
    reshaped: list[str] = []
    document = read_yaml_document(config_file, reshaped)
    config_section = document.get("config") or {}
    if not isinstance(config_section, dict):
        raise StackFileError(f"{config_file}: 'config' must be a mapping of keys to values, "
                             f"not {type(config_section).__name__}")
    raw: dict[str, Any] = dict(config_section)

    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    # Project-level defaults (Pulumi.yaml `config:` entries with a default) apply first.
    for key, spec in (project.get("config") or {}).items():
        full_key = key if ":" in key else f"{project_name}:{key}"
        if isinstance(spec, dict) and "default" in spec:
            values[full_key] = config_string(spec["default"])
        elif isinstance(spec, dict) and "value" in spec:
            values[full_key] = config_string(spec["value"])
    for key, value in raw.items():
        full_key = key if ":" in key else f"{project_name}:{key}"
        if _has_secure(value):
            secret_keys.add(full_key)
        values[full_key] = config_string(_decrypt_offline(value))
    imports = document.get("environment") or []
    environments = tuple(str(e) for e in (imports if isinstance(imports, list) else [imports]))
    return StackConfig(project=project_name, stack=stack, values=values,
                       secret_keys=frozenset(secret_keys), source=config_file,
                       secret_paths=secure_leaf_paths(raw, project_name), reshaped_numbers=tuple(reshaped),
                       esc_environments=environments)


def load_for_command(stack: str | None, config_file: Path | None, err: Any) -> StackConfig | None:
    """The stack config for a command-line tool, or None after printing why it cannot be read
    (the caller exits 2), with a warning for each number YAML reshaped."""
    try:
        config = load_stack_config(stack=stack, config_file=config_file)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=err)
        return None
    if config.esc_environments:
        print(f"warning: {config.source} imports the Pulumi ESC environment(s) {', '.join(config.esc_environments)}: "
              "their values are not read here (only the stack file is), so a key they set may be reported "
              "missing; `pulumi preview` sees them", file=err)
    for reshaped in config.reshaped_numbers:
        print(f"warning: {config.source}:{reshaped}; quote it if you meant the text (versions such as '7.10')",
              file=err)
    return config
