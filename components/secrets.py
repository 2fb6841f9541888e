"""Credentials in Secrets Manager, one secret each, under one per-stack name prefix.

Generated ones come from pulumi-random (so they are Pulumi secrets in state and never printed);
user-supplied ones come from Pulumi config secrets. All are encrypted with the secrets KMS key.
External Secrets later copies them into Kubernetes; its IAM role may read exactly `arns`.

None of these secrets has automatic rotation, on purpose: the API key salt derives every API key
(rotating it revokes them all), the JWT secret signs sessions, the admin password is only the
initial one, and the ClickHouse password and Redis AUTH token are fixed in their servers. Rotate
them by changing the value here and rolling the pods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random

# The langsmith chart's admin-password rule: 12+ characters with a lower, an upper and a symbol
# from its list. Symbols that need quoting in URLs, YAML or shells are left out.
ADMIN_PASSWORD_SYMBOLS = "!#%()+,-.:?_~"


@dataclass(frozen=True)
class SecretsArgs:
    name_prefix: str
    secrets_kms_key_arn: pulumi.Input[str]
    recovery_window_days: int
    license_key: pulumi.Input[str] | None = None
    postgres_external_uri: pulumi.Input[str] | None = None
    clickhouse_external_password: pulumi.Input[str] | None = None
    oidc_client_secret: pulumi.Input[str] | None = None
    # Other user-supplied credentials, by secret name suffix (e.g. hybrid listener API keys).
    named: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # Fernet keys to generate, by feature (e.g. "insights", "polly").
    fernet_keys: Sequence[str] = ()
    # LangSmith's own credentials (salt, JWT, admin, ClickHouse, Redis AUTH); not for BYOC.
    generate_langsmith_secrets: bool = True
    # A restored stack's values, by secret name suffix ("api-key-salt", "jwt-secret",
    # "<feature>-encryption-key"): taken instead of generated, because the restored data depends on them.
    restored: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class GeneratedCredentials:
    api_key_salt: aws.secretsmanager.Secret
    jwt_secret: aws.secretsmanager.Secret
    initial_admin_password: aws.secretsmanager.Secret
    clickhouse_password: aws.secretsmanager.Secret
    redis_auth_token: aws.secretsmanager.Secret
    redis_auth_token_value: pulumi.Output[str]


class Secrets(pulumi.ComponentResource):
    """Generated and user-supplied credentials, each stored as its own secret."""

    generated: GeneratedCredentials | None
    license_key: aws.secretsmanager.Secret | None
    postgres_external_uri: aws.secretsmanager.Secret | None
    clickhouse_external_password: aws.secretsmanager.Secret | None
    oidc_client_secret: aws.secretsmanager.Secret | None
    fernet_keys: dict[str, aws.secretsmanager.Secret]
    named: dict[str, aws.secretsmanager.Secret]
    arns: pulumi.Output[list[str]]

    def __init__(self, name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:Secrets", name, None, opts)
        self._name = name
        self._args = args
        self._all: list[aws.secretsmanager.Secret] = []
        self.generated = self._generate() if args.generate_langsmith_secrets else None
        self.license_key = self._optional("license-key", "LangSmith license key", args.license_key)
        self.postgres_external_uri = self._optional(
            "postgres-external-uri", "Connection URI of the external PostgreSQL", args.postgres_external_uri)
        self.clickhouse_external_password = self._optional(
            "clickhouse-external-password", "Password of the external ClickHouse", args.clickhouse_external_password)
        self.oidc_client_secret = self._optional("oidc-client-secret", "OIDC client secret", args.oidc_client_secret)
        self.fernet_keys = {feature: self._fernet_key(feature) for feature in args.fernet_keys}
        self.named = {suffix: self._secret(suffix, f"{suffix} (user-supplied)", value)
                      for suffix, value in args.named.items()}
        self.arns = pulumi.Output.all(*[s.arn for s in self._all])
        self.register_outputs({"secretArns": self.arns})

    def _password(self, suffix: str, **kwargs: object) -> random.RandomPassword:
        return random.RandomPassword(f"{self._name}-{suffix}", opts=pulumi.ResourceOptions(parent=self),
                                     **kwargs)  # type: ignore[arg-type]

    def _generated_or_restored(self, suffix: str, **kwargs: object) -> pulumi.Input[str]:
        restored = self._args.restored.get(suffix)
        return restored if restored is not None else self._password(suffix, **kwargs).result

    def _generate(self) -> GeneratedCredentials:
        salt = self._generated_or_restored("api-key-salt", length=48, special=False)
        jwt = self._generated_or_restored("jwt-secret", length=64, special=False)
        admin = self._password("initial-admin-password", length=24, min_lower=2, min_upper=2, min_numeric=2,
                               min_special=2, override_special=ADMIN_PASSWORD_SYMBOLS)
        clickhouse = self._password("clickhouse-password", length=40, special=False)
        # ElastiCache AUTH tokens: 16-128 printable characters without " / @; alphanumeric is safest.
        redis_token = self._password("redis-auth-token", length=64, special=False)
        return GeneratedCredentials(
            api_key_salt=self._secret("api-key-salt", "LangSmith API key salt (never rotate)", salt),
            jwt_secret=self._secret("jwt-secret", "LangSmith basic-auth JWT signing secret", jwt),
            initial_admin_password=self._secret(
                "initial-admin-password", "LangSmith initial organisation admin password", admin.result),
            clickhouse_password=self._secret(
                "clickhouse-password", "ClickHouse password of the langsmith user", clickhouse.result),
            redis_auth_token=self._secret("redis-auth-token", "ElastiCache AUTH token", redis_token.result),
            redis_auth_token_value=redis_token.result,
        )

    def _fernet_key(self, feature: str) -> aws.secretsmanager.Secret:
        """A Fernet key: 32 random bytes, URL-safe base64 with padding (or the restored stack's own)."""
        restored = self._args.restored.get(f"{feature}-encryption-key")
        if restored is not None:
            return self._secret(f"{feature}-encryption-key", f"LangSmith {feature} encryption key (Fernet, restored)",
                                restored)
        raw = random.RandomBytes(f"{self._name}-{feature}-encryption-key", length=32,
                                 opts=pulumi.ResourceOptions(parent=self))
        key = raw.base64.apply(lambda b64: b64.replace("+", "-").replace("/", "_"))
        return self._secret(f"{feature}-encryption-key", f"LangSmith {feature} encryption key (Fernet)", key)

    def _optional(self, suffix: str, description: str,
                  value: pulumi.Input[str] | None) -> aws.secretsmanager.Secret | None:
        return self._secret(suffix, description, value) if value is not None else None

    def _secret(self, suffix: str, description: str, value: pulumi.Input[str]) -> aws.secretsmanager.Secret:
        secret = aws.secretsmanager.Secret(
            f"{self._name}-{suffix}",
            name=f"{self._args.name_prefix}/{suffix}",
            description=description,
            kms_key_id=self._args.secrets_kms_key_arn,
            recovery_window_in_days=self._args.recovery_window_days,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.secretsmanager.SecretVersion(
            f"{self._name}-{suffix}",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(value),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._all.append(secret)
        return secret
