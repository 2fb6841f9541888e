"""Read the stack's configuration into `Settings`, or fail with one message listing every problem.

`parse_config` is pure (a mapping of config keys to raw values in, `Settings` out) so tests and
tools call it directly; `load_settings` feeds it the Pulumi runtime's configuration. Errors are
`ConfigError`, a `pulumi.RunError`: the CLI prints its message without a Python traceback.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any, Collection, Mapping, NamedTuple

import pulumi
from pulumi.runtime import config as runtime_config
from pydantic import ValidationError

from settings.model import MISSING_VALUE, SECRET_KEYS, ConfigModel, Settings
from settings.profiles import PROFILE_DEFAULTS, deep_merge

REGION_KEY = "aws:region"
_RUNTIME_FIELDS = {"project", "stack", "region"}


class ConfigIssue(NamedTuple):
    key: str
    value: Any
    allowed: str


class ConfigError(pulumi.RunError):
    """Invalid stack configuration; the message names every bad key, its value and what is allowed."""

    def __init__(self, issues: list[ConfigIssue], project: str) -> None:
        self.issues = issues
        lines = [f"invalid stack configuration ({len(issues)} problem{'s' if len(issues) != 1 else ''}):"]
        for issue in issues:
            key = issue.key if ":" in issue.key else f"{project}:{issue.key}"
            lines.append(f"  - {key} = {_show(issue.value)}: {issue.allowed}")
        super().__init__("\n".join(lines))


MISSING: Any = MISSING_VALUE


def _show(value: Any) -> str:
    if value is MISSING:
        return "(not set)"
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, default=str)


def _config_keys() -> set[str]:
    """Every config key name the model reads at the top level of the project namespace."""
    return {
        field.alias or name
        for name, field in Settings.model_fields.items()
        if name not in _RUNTIME_FIELDS
    }


def _loc_to_key(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key


def _is_secret_key(key: str) -> bool:
    return any(key == s or key.startswith(s + ".") or key.startswith(s + "[") for s in SECRET_KEYS)


def _decode(value: Any) -> Any:
    """Config values arrive as strings; objects and lists are JSON text."""
    if isinstance(value, str) and value[:1] in "{[":
        return json.loads(value)
    return value


def _default_name_prefix(stack: str) -> str:
    return "ls-" + re.sub(r"[^a-z0-9-]+", "-", stack.lower()).strip("-")


def parse_config(
    values: Mapping[str, Any],
    *,
    project: str,
    stack: str,
    secret_keys: Collection[str] = (),
) -> Settings:
    """Validate raw config (`{"<project>:<key>": value, "aws:region": ...}`) into `Settings`."""
    issues: list[ConfigIssue] = []
    known = _config_keys()
    raw: dict[str, Any] = {}
    prefix = f"{project}:"
    for full_key, value in values.items():
        if not full_key.startswith(prefix):
            continue  # other namespaces (aws:, kubernetes:) belong to their providers
        key = full_key[len(prefix):]
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            issues.append(ConfigIssue(key, MISSING if _is_secret_key(key) else value,
                                      f"unknown key{hint} Known keys: {', '.join(sorted(known))}"))
            continue
        if key in SECRET_KEYS and full_key not in secret_keys:
            issues.append(ConfigIssue(key, "[redacted]",
                                      f"is a credential: set it with `pulumi config set --secret {key} ...`"))
        try:
            raw[key] = _decode(value)
        except json.JSONDecodeError as exc:
            issues.append(ConfigIssue(key, "[redacted]" if _is_secret_key(key) else value,
                                      f"is not valid JSON ({exc.msg} at position {exc.pos})"))

    region = values.get(REGION_KEY)
    profile = raw.get("profile")
    if isinstance(profile, str) and profile in PROFILE_DEFAULTS:
        raw = deep_merge(PROFILE_DEFAULTS[profile], raw)
    raw.setdefault("namePrefix", _default_name_prefix(stack))
    raw.update(project=project, stack=stack, region=region if region is not None else MISSING)
    if region is None:
        raw.pop("region")

    settings: Settings | None = None
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            key = _loc_to_key(error["loc"])
            if key == "region":
                key = REGION_KEY
            value = MISSING if error["type"] == "missing" else error.get("input")
            if _is_secret_key(key):
                value = "[redacted]"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing" and profile not in PROFILE_DEFAULTS and _has_profile_default(key):
                continue  # reported as the bad profile; its defaults would have filled this key
            if error["type"] == "missing":
                help_text = _field_help(error["loc"])
                message = "is required" + (f" ({help_text})" if help_text else "")
            elif error["type"] == "extra_forbidden":
                message = "unknown key"
            issues.append(ConfigIssue(key, value, message))
    if settings is not None:
        issues.extend(ConfigIssue(k, "[redacted]" if _is_secret_key(k) and v is not MISSING else v, a)
                      for k, v, a in settings.check_cross_field_rules())
    if issues:
        raise ConfigError(issues, project)
    assert settings is not None
    return settings


def _has_profile_default(key: str) -> bool:
    """Whether some profile gives `key` (a dotted path) a default."""
    for defaults in PROFILE_DEFAULTS.values():
        node: Any = defaults
        for part in key.split("."):
            node = node.get(part, MISSING) if isinstance(node, Mapping) else MISSING
        if node is not MISSING:
            return True
    return False


def _field_help(loc: tuple[int | str, ...]) -> str:
    """The description of the field at `loc`, to say what a missing key should hold."""
    model: type[ConfigModel] | None = Settings
    description = ""
    for part in loc:
        if model is None or isinstance(part, int):
            return ""
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return ""
        description = field.description or ""
        annotation = field.annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, ConfigModel) else None
    return description


def load_settings() -> Settings:
    """Settings of the running Pulumi program, from the stack's config."""
    project = pulumi.get_project()
    values: dict[str, Any] = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    secret_keys = {key for key in values if runtime_config.is_config_secret(key)}
    secret_keys.update(runtime_config.get_config_secret_keys_env())
    return parse_config(values, project=project, stack=pulumi.get_stack(), secret_keys=secret_keys)
