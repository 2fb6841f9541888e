"""Read the stack's configuration into `Settings`, or fail with one message listing every problem.

`parse_config` is pure (a mapping of config keys to raw values in, `Settings` out) so tests and
tools call it directly; `load_settings` feeds it the Pulumi runtime's configuration. Errors are
`ConfigError`, a `pulumi.RunError`: the CLI prints its message without a Python traceback.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from datetime import datetime
from typing import Any, Callable, Collection, Mapping, NamedTuple

import pulumi
from pulumi.runtime import config as runtime_config
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from settings.base import MISSING_VALUE, ConfigModel, Shape
from settings.identity import ExistingCluster, listed_creators
from settings.name_limits import NAME_PREFIX_MAX_LENGTH
from settings.placeholders import find_placeholders, offline, reaches_aws
from settings.profiles import PROFILE_DEFAULTS, deep_merge
from settings.retired import RETIRED_KEYS, pop_retired
from settings.rules import RELATED_KEYS, cross_field_problems
from settings.stack import SECRET_KEYS, Settings
from settings.json_values import leaves, parsed_json_document
from settings.secret_paths import runtime_secret_paths
from settings.kubeconfig import kubeconfig_problems

REGION_KEY = "aws:region"
_RUNTIME_FIELDS = {"project", "stack", "region"}
# Namespaces other than the project's that a stack file may use: the providers' and Pulumi's own.
PROVIDER_NAMESPACES = ("aws", "kubernetes", "pulumi")

# Top-level keys that only some shapes read (shapes/*.py): set on another, they would be silently ignored.
_SELF_HOSTED = frozenset({Shape.SELF_HOSTED})
SHAPE_KEYS: dict[str, frozenset[Shape]] = {
    **{k: _SELF_HOSTED for k in ("langsmith", "oidcClientSecret", "blobStorage", "clickhouse",
                                 "clickhouseExternalPassword")},
    # The Agent Servers use the stack's ElastiCache, its alarms and the license key too.
    **{k: frozenset({Shape.SELF_HOSTED, Shape.AGENT_SERVER}) for k in ("licenseKey", "redis", "observability")},
    "edge": frozenset({Shape.SELF_HOSTED, Shape.HYBRID, Shape.AGENT_SERVER}),  # each puts an ALB in front
    "agentServer": frozenset({Shape.AGENT_SERVER}), "agentServerApiKey": frozenset({Shape.AGENT_SERVER}),
    "postgresExternalUri": frozenset({Shape.SELF_HOSTED, Shape.BYOC}),
    "hybrid": frozenset({Shape.HYBRID}), "hybridApiKeys": frozenset({Shape.HYBRID}),
    "byoc": frozenset({Shape.BYOC}), "byocExternalId": frozenset({Shape.BYOC}),
}


# `pulumi:disable-default-providers` (Pulumi docs, "Disable default providers"): a list of packages,
# or "*"; the program's invokes and random values need these default providers.
DISABLE_DEFAULT_PROVIDERS_KEY = "pulumi:disable-default-providers"
DEFAULT_PROVIDERS_USED = ("aws", "random")


def _decode_quietly(value: Any) -> Any:
    try:
        return _decode(value)
    except json.JSONDecodeError:
        return value


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
    """`ls-<stack>`, made a valid namePrefix: a long stack name is cut and made unique with a hash."""
    name = "ls-" + re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", stack.lower())).strip("-")
    if len(name) <= NAME_PREFIX_MAX_LENGTH:
        return name
    digest = hashlib.sha256(stack.encode()).hexdigest()[:4]
    return f"{name[:NAME_PREFIX_MAX_LENGTH - 5].rstrip('-')}-{digest}"


def _plain_entries(key: str, value: Any, prefix: str, secret_paths: Collection[str]) -> list[ConfigIssue]:
    """Entries of a credential map that the stack file holds in clear beside encrypted ones."""
    document = parsed_json_document(value)
    if not isinstance(document, (dict, list)):
        return []
    return [ConfigIssue(path, "[redacted]",
                        "is a credential in clear beside encrypted entries (one `secure:` entry does not encrypt "
                        f"the others): set it with `pulumi config set --secret --path '{path}' ...`")
            for path, _ in leaves(document, key) if f"{prefix}{path}" not in secret_paths]


def parse_config(
    values: Mapping[str, Any],
    *,
    project: str,
    stack: str,
    secret_keys: Collection[str] = (),
    secret_paths: Collection[str] | None = None,
) -> Settings:
    """Validate raw config (`{"<project>:<key>": value, "aws:region": ...}`) into `Settings`.

    `secret_paths`: the stack file's encrypted entries (settings/secret_paths.py); with them every
    entry of a credential map must be encrypted, not only one of them."""
    issues: list[ConfigIssue] = []
    known = _config_keys()
    raw: dict[str, Any] = {}
    prefix = f"{project}:"
    for full_key, value in values.items():
        if not full_key.startswith(prefix):
            namespace_issue = _foreign_key_issue(full_key, value, project, known, secret_keys)
            if namespace_issue is not None:
                issues.append(namespace_issue)
            continue  # aws:, kubernetes:, pulumi: belong to their providers and the CLI
        key = full_key[len(prefix):]
        retired = next((r for r in RETIRED_KEYS if r.old == key), None)
        if retired is not None and key not in known:
            issues.append(ConfigIssue(key, MISSING if _is_secret_key(key) else value, retired.message()))
            continue
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            issues.append(ConfigIssue(key, MISSING if _is_secret_key(key) else value,
                                      f"unknown key{hint} Known keys: {', '.join(sorted(known))}"))
            continue
        if key in SECRET_KEYS and full_key not in secret_keys:
            issues.append(ConfigIssue(key, "[redacted]",
                                      f"is a credential: set it with `pulumi config set --secret {key} ...`"))
        elif key in SECRET_KEYS and secret_paths is not None:
            issues.extend(_plain_entries(key, value, prefix, secret_paths))
        try:
            raw[key] = _decode(value)
        except json.JSONDecodeError as exc:
            issues.append(ConfigIssue(key, "[redacted]" if _is_secret_key(key) else value,
                                      f"is not valid JSON ({exc.msg} at position {exc.pos})"))

    # A key an older release used: name what replaced it (and drop it, so it is not also "unknown").
    raw, retired_found = pop_retired(raw, RETIRED_KEYS)
    for where, value, retired in retired_found:
        issues.append(ConfigIssue(where, "[redacted]" if _is_secret_key(where) else value, retired.message()))
    if values.get(f"{prefix}shape") != "byoc":  # byoc creates no cluster: no kubeconfig to carry them
        issues.extend(ConfigIssue(*problem) for problem in kubeconfig_problems(values))

    region = values.get(REGION_KEY)
    user_values = dict(raw)  # what the stack file sets, before the profile fills the rest
    if region is not None:
        user_values[REGION_KEY] = region
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
                message = _unknown_nested_key(error["loc"])
            issues.append(ConfigIssue(key, value, message))
    if settings is not None:
        for k, v, a in cross_field_problems(settings):
            k, v, a = _blame_what_the_user_set(k, v, a, user_values)
            issues.append(ConfigIssue(k, "[redacted]" if _is_secret_key(k) and v is not MISSING else v, a))
        for key in sorted(user_values):
            shapes = SHAPE_KEYS.get(key)
            if shapes is not None and settings.shape not in shapes:
                names = " or ".join(sorted(s.value for s in shapes))
                issues.append(ConfigIssue(key, "[redacted]" if _is_secret_key(key) else user_values[key],
                                          f"only applies to shape {names}; this stack's shape is "
                                          f"{settings.shape.value}: remove it (or change shape)"))
        issues.extend(_ignored_nested_keys(settings, user_values))
    if issues:
        raise ConfigError(issues, project)
    assert settings is not None
    return settings


# Nested keys that only take effect under a condition: (key, condition holds, what the condition is).
_CONDITIONAL_KEYS: tuple[tuple[str, Callable[[Settings], bool], str], ...] = (
    *((f"network.{k}", lambda s: s.network.existing is None,
       "is ignored with network.existing (the existing VPC keeps its own layout)")
      for k in ("cidr", "azCount", "availabilityZones", "natGateways", "interfaceEndpoints")),
    *((f"clickhouse.{k}", lambda s: s.clickhouse.mode == "external", "only applies with clickhouse.mode: external")
      for k in ("externalHost", "externalPort", "externalNativePort", "externalUser", "externalDatabase",
                "externalTls")),
    ("langsmith.oidc", lambda s: s.langsmith is None or s.langsmith.auth == "oidc",
     "only applies with langsmith.auth: oidc"),
)


def _ignored_nested_keys(settings: Settings, user_values: Mapping[str, Any]) -> list[ConfigIssue]:
    """Keys the stack file sets that the chosen options would silently ignore."""
    found: list[ConfigIssue] = []
    for key, applies, why in _CONDITIONAL_KEYS:
        value = _user_value(key, user_values)
        if value is not MISSING and not applies(settings):
            found.append(ConfigIssue(key, value, f"{why}: remove it"))
    return found


def _foreign_key_issue(full_key: str, value: Any, project: str, known: set[str],
                       secret_keys: Collection[str] = ()) -> ConfigIssue | None:
    """A key outside the project's namespace: fine for a provider's, else an error with a suggestion."""
    namespace, _, name = full_key.partition(":")
    if namespace == "aws":
        provider_keys = _aws_provider_keys()
        if name in ("secretKey", "token") and full_key not in secret_keys:
            return ConfigIssue(full_key, "[redacted]", f"is a credential: set it with `pulumi config set --secret "
                               f"{full_key} ...` (or leave credentials to the environment / aws:profile)")
        if name in provider_keys:
            return None
        close = difflib.get_close_matches(name, sorted(provider_keys), n=1)
        hint = f"; did you mean 'aws:{close[0]}'?" if close else ""
        return ConfigIssue(full_key, "[redacted]" if name in ("secretKey", "token") else value,
                           f"is not a setting of the AWS provider (pulumi-aws), so it would be ignored{hint}")
    if full_key == DISABLE_DEFAULT_PROVIDERS_KEY:
        disabled = _decode_quietly(value)
        needed = sorted(set(disabled if isinstance(disabled, list) else [disabled]) & {"*", *DEFAULT_PROVIDERS_USED})
        if needed:
            return ConfigIssue(full_key, value, (
                f"disables {', '.join(needed)}: the program needs the default providers "
                f"{' and '.join(DEFAULT_PROVIDERS_USED)} (its AWS lookups run before any resource exists: caller "
                "identity, availability zones; its generated passwords use random); every AWS and Kubernetes "
                "resource already goes through explicit providers. List other packages only"))
        return None
    if namespace in PROVIDER_NAMESPACES:
        return None
    shown = "[redacted]" if _is_secret_key(name) else value
    close = difflib.get_close_matches(namespace, [project, *PROVIDER_NAMESPACES], n=1, cutoff=0.5)
    if close and close[0] == project:
        hint = f"did you mean '{project}:{name}'?" if name in known else f"did you mean the namespace '{project}:'?"
    elif close:
        hint = f"did you mean '{close[0]}:{name}'?"
    else:
        hint = f"keys belong to '{project}:' or a provider ({', '.join(p + ':' for p in PROVIDER_NAMESPACES)})"
    return ConfigIssue(full_key, shown, f"unknown namespace '{namespace}', so this key would be ignored; {hint}")


def ignored_provider_keys(values: Mapping[str, Any]) -> list[str]:
    """Warnings for `kubernetes:` keys: Pulumi applies a provider's config namespace to its default
    provider only, and every Kubernetes object here goes through the cluster's explicit provider,
    so these keys do nothing. Warned, not refused: an ESC environment shared with other projects
    may carry them."""
    return [f"{key} is ignored: Pulumi applies `kubernetes:` config to the default provider only, and every "
            "Kubernetes object of this program goes through the cluster's own (explicit) provider; use the "
            "provider's PULUMI_K8S_* environment variable instead (e.g. PULUMI_K8S_DELETE_UNREACHABLE=true)"
            for key in sorted(values) if key.startswith("kubernetes:")]


@functools.lru_cache(maxsize=1)
def _aws_provider_keys() -> frozenset[str]:
    """The `aws:` config keys the pinned pulumi-aws provider reads (its config module's properties)."""
    import inspect

    import pulumi_aws.config as aws_config

    exported = getattr(aws_config, "_ExportableConfig")
    return frozenset(to_camel(name) for name, member in inspect.getmembers(exported) if isinstance(member, property))


def _model_at(loc: tuple[int | str, ...]) -> type[ConfigModel] | None:
    """The settings model that holds the field at `loc` (a pydantic error location)."""
    model: type[ConfigModel] | None = Settings
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return None
        model = _config_model_in(field.annotation)
    return model


def _config_model_in(annotation: Any) -> type[ConfigModel] | None:
    """The ConfigModel an annotation holds (directly, in Optional, or as list items)."""
    if isinstance(annotation, type) and issubclass(annotation, ConfigModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _config_model_in(arg)
        if found is not None:
            return found
    return None


def _unknown_nested_key(loc: tuple[int | str, ...]) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return "unknown key"
    allowed = sorted(f.alias or n for n, f in model.model_fields.items())
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key; {hint}Allowed keys here: {', '.join(allowed)}"


def _user_value(key: str, user_values: Mapping[str, Any]) -> Any:
    """What the stack file itself sets at `key` (a dotted path; `[i]` indices ignored), else MISSING."""
    if key in user_values:
        return user_values[key]
    node: Any = user_values
    for part in re.sub(r"\[\d+\]", "", key).split("."):
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return node


def _blame_what_the_user_set(key: str, value: Any, allowed: str,
                             user_values: Mapping[str, Any]) -> tuple[str, Any, str]:
    """A rule broken by a value the user did not set (a profile default) names the key they did set."""
    if ":" in key or _user_value(key, user_values) is not MISSING:
        return key, value, allowed
    set_by_user = [k for k in RELATED_KEYS.get(key, ()) if _user_value(k, user_values) is not MISSING]
    if not set_by_user:
        return key, value, allowed
    source = "the profile's default" if _has_profile_default(key) else "the default"
    return set_by_user[0], _user_value(set_by_user[0], user_values), (
        f"conflicts with {source} {key} = {_show(value)}, which the stack file does not set ({key}: {allowed}); "
        f"change {' or '.join(set_by_user)}, or set {key} yourself")


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


def creator_conflicts(settings: Settings, caller_arn: str,
                      cluster: ExistingCluster | None = None) -> list[ConfigIssue]:
    """Items of cluster.adminRoleArns that name the cluster creator, whom EKS already makes admin:
    the caller when the cluster is about to be created (`cluster` None), else whoever holds the
    entry made with the cluster (settings.identity.listed_creators)."""
    if settings.shape is Shape.BYOC:
        return []  # no cluster of the stack's own
    return [ConfigIssue(f"cluster.adminRoleArns[{c.index}]", c.arn,
                        f"{c.why}: remove it here (it stays cluster admin as the creator), or deploy as another role")
            for c in listed_creators(settings.cluster.admin_role_arns, caller_arn, cluster)]


def deploy_checks(settings: Settings, values: Mapping[str, Any], secret_keys: Collection[str], *,
                  caller_arn: str, reaches_aws: bool, cluster: ExistingCluster | None = None) -> list[ConfigIssue]:
    """What only the running deployment can check: who deploys, and whether placeholders would reach AWS."""
    issues = creator_conflicts(settings, caller_arn, cluster)
    if reaches_aws:
        issues.extend(ConfigIssue(p.key, p.value, f"is {p.why}; `pulumi up` refuses documentation values "
                                                   "(the preview only warns)")
                      for p in find_placeholders(values, frozenset(secret_keys)))
    return issues


def runtime_values() -> tuple[dict[str, Any], set[str]]:
    """The running program's raw config (`{"<namespace>:<key>": text}`) and which keys are secrets."""
    values: dict[str, Any] = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    secret_keys = {key for key in values if runtime_config.is_config_secret(key)}
    secret_keys.update(runtime_config.get_config_secret_keys_env())
    return values, secret_keys


def _timestamp(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def existing_cluster(settings: Settings) -> ExistingCluster | None:
    """The stack's cluster as the account has it, or None when it is not created yet.

    Read only when cluster.adminRoleArns lists anyone (what it is read for): ListClusters, then
    DescribeCluster and DescribeAccessEntry of each listed principal (the deployer may run them:
    tools/engine/iam_actions.py). An entry not found is one the stack will make.
    """
    import pulumi_aws as aws

    if settings.cluster_name not in (aws.eks.get_clusters().names or []):
        return None
    created = _timestamp(aws.eks.get_cluster(name=settings.cluster_name).created_at)
    if created is None:
        return None
    entries: dict[str, datetime | None] = {}
    for arn in settings.cluster.admin_role_arns:
        try:
            entry = aws.eks.get_access_entry(cluster_name=settings.cluster_name, principal_arn=arn)
        except Exception:  # noqa: BLE001 - not found: the stack makes it on this run
            continue
        entries[arn] = _timestamp(entry.created_at)
    return ExistingCluster(settings.cluster_name, created, entries)


def load_settings() -> Settings:
    """Settings of the running Pulumi program, from the stack's config.

    Before any resource is registered it also asks AWS who is deploying (one synchronous invoke),
    and a real `pulumi up` refuses the stack files' documentation placeholders.
    """
    project = pulumi.get_project()
    values, secret_keys = runtime_values()
    stack = pulumi.get_stack()
    settings = parse_config(values, project=project, stack=stack, secret_keys=secret_keys,
                            secret_paths=runtime_secret_paths(project, stack))
    import pulumi_aws as aws  # the provider's invoke; settings stay importable without it

    caller_arn = aws.get_caller_identity().arn
    dry_run = pulumi.runtime.is_dry_run()
    cluster = existing_cluster(settings) if settings.shape is not Shape.BYOC and settings.cluster.admin_role_arns else None
    issues = deploy_checks(settings, values, secret_keys, caller_arn=caller_arn, reaches_aws=reaches_aws(dry_run),
                           cluster=cluster)
    if issues:
        raise ConfigError(issues, project)
    for warning in ignored_provider_keys(values):
        pulumi.log.warn(warning)
    if dry_run and not offline():
        for placeholder in find_placeholders(values, frozenset(secret_keys)):
            pulumi.log.warn(f"{placeholder.key} = {placeholder.value!r} is {placeholder.why}; "
                            "`pulumi up` refuses to start until it is replaced")
    return settings
