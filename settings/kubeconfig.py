"""The principal of the kubeconfig: kubectl, Helm and the Kubernetes provider must act as the
principal that creates the cluster (its only admin when cluster.adminRoleArns is empty).

The kubeconfig runs `aws eks get-token` (aws/aws-cli awscli/customizations/eks/get_token.py): it
takes `--profile`, one `--role-arn` (one sts:AssumeRole from the base credentials: no external ID,
no chain, no session tags or policies) and the AWS CLI's environment (client-go's exec plugin
appends the kubeconfig's `env` to the provider's own). What of the stack's `aws:` settings it can
carry it carries (components/cluster.py `exec_kubeconfig`); the rest is refused here with the key,
so the cluster is never created as one principal and then reached, twenty minutes in, as another.
"""

from __future__ import annotations

from typing import Any, Mapping

from settings.base import Problem
from settings.json_values import parsed_json_document

PROFILE_HINT = ("define it as an AWS CLI profile (role_arn, source_profile, external_id, ...; the AWS provider "
                "and the CLI read a profile alike) and set aws:profile")
# assumeRoles fields `aws eks get-token --role-arn` cannot send (sessionName and duration do not
# change the principal: EKS access entries match the role).
_ROLE_FIELDS_NOT_CARRIED = ("externalId", "tags", "transitiveTagKeys", "sourceIdentity", "policy", "policyArns")
_WEB_IDENTITY_NOT_CARRIED = ("webIdentityToken", "policy", "policyArns")
# Provider settings carried as the AWS CLI's environment.
ENV_OF_SETTING = {"customCaBundle": "AWS_CA_BUNDLE", "httpProxy": "HTTP_PROXY", "httpsProxy": "HTTPS_PROXY",
                  "noProxy": "NO_PROXY"}


def _value(values: Mapping[str, Any], name: str) -> Any:
    return parsed_json_document(values.get(f"aws:{name}"))


def kubeconfig_problems(values: Mapping[str, Any]) -> list[Problem]:
    """(key, value, why) for each `aws:` setting the kubeconfig's `aws eks get-token` cannot carry."""
    problems: list[Problem] = []
    roles = _value(values, "assumeRoles")
    if isinstance(roles, list) and len(roles) > 1:
        problems.append(("aws:assumeRoles", f"{len(roles)} roles",
                         "a chain of roles cannot reach kubectl and Helm (`aws eks get-token` assumes one role): "
                         + PROFILE_HINT))
    for i, role in enumerate(roles if isinstance(roles, list) else []):
        for field in _ROLE_FIELDS_NOT_CARRIED:
            if isinstance(role, Mapping) and role.get(field) not in (None, "", [], {}):
                problems.append((f"aws:assumeRoles[{i}].{field}", role[field],
                                 f"`aws eks get-token` cannot send {field}, so kubectl and Helm would act as "
                                 f"another principal than the one creating the cluster: {PROFILE_HINT}"))
    for name in ("accessKey", "secretKey", "token"):
        if values.get(f"aws:{name}") not in (None, ""):
            problems.append((f"aws:{name}", "[redacted]",
                             "static keys in the stack config would have to be written into the kubeconfig (and "
                             "the state): export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN in "
                             "the environment (the provider and the AWS CLI both read them) or use aws:profile"))
    for name in ("sharedCredentialsFiles", "sharedConfigFiles"):
        files = _value(values, name)
        if isinstance(files, list) and len(files) > 1:
            problems.append((f"aws:{name}", files, "the AWS CLI reads one file of each kind: list one"))
    web = _value(values, "assumeRoleWithWebIdentity")
    if isinstance(web, Mapping):
        for field in _WEB_IDENTITY_NOT_CARRIED:
            if web.get(field) not in (None, "", []):
                problems.append((f"aws:assumeRoleWithWebIdentity.{field}",
                                 "[redacted]" if field == "webIdentityToken" else web[field],
                                 "the AWS CLI takes web identity from a token file only (webIdentityTokenFile), "
                                 "without session policies"))
    endpoints = _value(values, "endpoints")
    if isinstance(endpoints, list) and any(isinstance(e, Mapping) and e.get("sts") for e in endpoints):
        problems.append(("aws:endpoints", endpoints, "a custom STS endpoint cannot reach `aws eks get-token`: "
                                                     "set AWS_ENDPOINT_URL_STS in the environment instead"))
    if str(values.get("aws:insecure", "")).lower() == "true":
        problems.append(("aws:insecure", values["aws:insecure"],
                         "cannot reach `aws eks get-token` (the AWS CLI's --no-verify-ssl is not in a kubeconfig)"))
    return problems


def kubeconfig_env(values: Mapping[str, Any]) -> dict[str, str]:
    """The AWS CLI environment that reproduces the carried settings in the kubeconfig."""
    env: dict[str, str] = {}
    for name, variable in (("sharedCredentialsFiles", "AWS_SHARED_CREDENTIALS_FILE"),
                           ("sharedConfigFiles", "AWS_CONFIG_FILE")):
        files = _value(values, name)
        if isinstance(files, list) and len(files) == 1:
            env[variable] = str(files[0])
    web = _value(values, "assumeRoleWithWebIdentity")
    if isinstance(web, Mapping):
        # botocore's environment web-identity provider (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE).
        for field, variable in (("roleArn", "AWS_ROLE_ARN"), ("webIdentityTokenFile", "AWS_WEB_IDENTITY_TOKEN_FILE"),
                                ("sessionName", "AWS_ROLE_SESSION_NAME")):
            if web.get(field):
                env[variable] = str(web[field])
    for name, variable in ENV_OF_SETTING.items():
        if values.get(f"aws:{name}"):
            env[variable] = str(values[f"aws:{name}"])
    return env
