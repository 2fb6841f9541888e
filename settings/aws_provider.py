"""The stack's `aws:` settings, read for the program's explicit AWS providers (components/aws_provider.py).

Only Pulumi's default AWS provider reads the `aws:` config namespace; an explicit `aws.Provider`
is configured from its arguments and the environment alone (by design: pulumi/pulumi-aws#1307).
Every resource here goes through explicit providers (the tagging one, the us-east-1 one for
Route53 health alarms) while the lookups (`get_caller_identity`, availability zones) use the
default provider, so without this module `aws:profile`, `aws:assumeRoles`, `aws:allowedAccountIds`
or `aws:defaultTags` in a stack file would apply to the lookups and not to what is created: the
resources could land in another account, under the ambient credentials.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, Collection, Mapping

from components.aws_provider import ProviderSettings
from settings.json_values import parsed_json_document
from settings.kubeconfig import kubeconfig_env

# Credentials: secrets in the provider's inputs (and so in plans and state) however they were set.
CREDENTIAL_KEYS = frozenset({"accessKey", "secretKey", "token"})
# Keys the program sets itself on every explicit provider (the stack's defaultTags are merged).
_SET_BY_PROGRAM = frozenset({"region", "defaultTags"})


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _provider_types() -> dict[str, Any]:
    """The pinned provider's `aws:` keys (camelCase) and their Python type (from its config module)."""
    import pulumi_aws.config.vars as aws_vars

    exported = getattr(aws_vars, "_ExportableConfig")
    types: dict[str, Any] = {}
    for name, member in inspect.getmembers(exported):
        if isinstance(member, property) and member.fget is not None:
            annotation = inspect.signature(member.fget).return_annotation
            args = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
            camel = name.split("_")[0] + "".join(p[:1].upper() + p[1:] for p in name.split("_")[1:])
            types[camel] = args[0] if args else str
    return types


    return value


def _typed(value: Any, kind: Any) -> Any:
    if kind is bool and isinstance(value, str):
        return value.strip().lower() == "true"
    if kind is int and isinstance(value, str):
        return int(value)
    return value


def provider_settings(values: Mapping[str, Any], secret_keys: Collection[str] = ()) -> ProviderSettings:
    """What an explicit provider needs from the stack's `aws:` config (`{"aws:profile": "..."}`)."""
    types = _provider_types()
    kwargs: dict[str, Any] = {}
    secret: set[str] = set()
    for full_key, raw in values.items():
        namespace, _, name = full_key.partition(":")
        if namespace != "aws" or name in _SET_BY_PROGRAM or name not in types:
            continue  # unknown aws: keys are refused by the loader
        python_name = _snake(name)
        # Objects keep the config's camelCase field names: the SDK sends a plain dict as it is, and
        # the provider reads its own (camelCase) names, as it does from the default provider's config.
        kwargs[python_name] = _typed(parsed_json_document(raw), types[name])
        if full_key in secret_keys or name in CREDENTIAL_KEYS:
            secret.add(python_name)
    tags_value = parsed_json_document(values.get("aws:defaultTags"))
    tags = tags_value.get("tags") if isinstance(tags_value, dict) else None
    default_tags = {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}
    roles = kwargs.get("assume_roles")
    last_role = roles[-1] if isinstance(roles, list) and roles and isinstance(roles[-1], dict) else {}
    role_arn = last_role.get("roleArn")
    profile = kwargs.get("profile")
    return ProviderSettings(kwargs, frozenset(secret), default_tags,
                            profile if isinstance(profile, str) else None,
                            role_arn if isinstance(role_arn, str) else None,
                            kubeconfig_env(values))
