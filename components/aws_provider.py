"""Explicit AWS providers that keep the stack's `aws:` settings (read by settings/aws_provider.py).

Only Pulumi's default AWS provider reads the `aws:` config namespace; an explicit `aws.Provider`
is configured from its arguments and the environment alone (by design: pulumi/pulumi-aws#1307),
so every explicit provider the program creates is given those settings here.
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple


class ProviderSettings(NamedTuple):
    """Keyword arguments for `aws.Provider`, the names among them that are secrets, and the stack's
    own default tags (to merge with the program's)."""
    kwargs: dict[str, Any]
    secret: frozenset[str]
    default_tags: dict[str, str]
    # The credentials a kubeconfig's `aws eks get-token` must use to be the cluster creator.
    profile: str | None
    role_arn: str | None
    # The AWS CLI environment the kubeconfig sets (shared files, web identity, CA bundle, proxies).
    kubeconfig_env: Mapping[str, str] = {}


def new_provider(name: str, region: str, tags: Mapping[str, str], carried: ProviderSettings,
                 opts: Any = None) -> Any:
    """An explicit `aws.Provider` in `region` that keeps the stack's `aws:` settings (credentials,
    assumed roles, account guards, endpoints) and tags every resource with the stack's default tags
    and the program's (the program's win on a clash)."""
    import pulumi
    import pulumi_aws as aws

    kwargs: dict[str, Any] = {k: pulumi.Output.secret(v) if k in carried.secret else v
                              for k, v in carried.kwargs.items()}
    return aws.Provider(name, region=region,
                        default_tags=aws.ProviderDefaultTagsArgs(tags={**carried.default_tags, **tags}),
                        opts=opts, **kwargs)
