"""Sizing profiles: the defaults each profile gives to the stack configuration, as data.

Keys are the stack-config keys exactly as a user writes them (camelCase, nested objects), so a
profile default and a user override are the same thing: the user's value wins key by key
(`deep_merge`). This table is the one place where sizes, counts and retentions are chosen; the
generated configuration reference reads it too.
"""

from __future__ import annotations

from typing import Any, Final, Mapping

PROFILE_NAMES: Final = ("dev", "production", "production-large")

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS: Final = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)

PROFILE_DEFAULTS: Final[Mapping[str, Mapping[str, Any]]] = {
    "dev": {
        # dev is disposable: nothing is protected, logs are short-lived.
        "protectData": False,
        "logRetentionDays": 30,
        "network": {
            "azCount": 3,
            # One NAT gateway: dev accepts losing egress when its AZ fails, to save ~66 USD/month.
            "natGateways": "single",
            "interfaceEndpoints": [],
        },
    },
    "production": {
        "protectData": True,
        "logRetentionDays": 365,
        "network": {
            "azCount": 3,
            "natGateways": "per-az",
            # Interface endpoints cost ~22 USD/month each across 3 AZs. Images come through the
            # free S3 gateway endpoint, so only STS (IRSA credentials) is worth it by default:
            # pods keep getting credentials while NAT is degraded.
            "interfaceEndpoints": ["sts"],
        },
    },
    "production-large": {
        "protectData": True,
        "logRetentionDays": 731,
        "network": {
            "azCount": 3,
            "natGateways": "per-az",
            "interfaceEndpoints": ["sts", "ecr.api", "ecr.dkr", "logs", "secretsmanager"],
        },
    },
}


def deep_merge(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return `defaults` updated by `overrides`, recursing into nested mappings only.

    Lists and scalars from `overrides` replace the default whole; a non-mapping override of a
    mapping default is kept as is so that validation reports it against the right key.
    """
    merged: dict[str, Any] = dict(defaults)
    for key, value in overrides.items():
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(base, value)
        else:
            merged[key] = value
    return merged
