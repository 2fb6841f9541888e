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

from dataclasses import dataclass

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
    generate_clickhouse_password: bool = True


class Secrets(pulumi.ComponentResource):
    """Generated and user-supplied credentials, each stored as its own secret."""

    api_key_salt: aws.secretsmanager.Secret
    jwt_secret: aws.secretsmanager.Secret
    initial_admin_password: aws.secretsmanager.Secret
    clickhouse_password: aws.secretsmanager.Secret | None
    license_key: aws.secretsmanager.Secret | None
    postgres_external_uri: aws.secretsmanager.Secret | None
    redis_auth_token_value: pulumi.Output[str]

    def __init__(self, name: str, args: SecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:Secrets", name, None, opts)
        self._name = name
        self._args = args
        self._all: list[aws.secretsmanager.Secret] = []

        salt = random.RandomPassword(f"{name}-api-key-salt", length=48, special=False,
                                     opts=pulumi.ResourceOptions(parent=self))
        jwt = random.RandomPassword(f"{name}-jwt-secret", length=64, special=False,
                                    opts=pulumi.ResourceOptions(parent=self))
        admin = random.RandomPassword(
            f"{name}-initial-admin-password", length=24, min_lower=2, min_upper=2, min_numeric=2,
            min_special=2, override_special=ADMIN_PASSWORD_SYMBOLS, opts=pulumi.ResourceOptions(parent=self))
        # ElastiCache AUTH tokens: 16-128 printable characters without " / @; alphanumeric is safest.
        redis_token = random.RandomPassword(f"{name}-redis-auth-token", length=64, special=False,
                                            opts=pulumi.ResourceOptions(parent=self))

        self.api_key_salt = self._secret("api-key-salt", "LangSmith API key salt (never rotate)", salt.result)
        self.jwt_secret = self._secret("jwt-secret", "LangSmith basic-auth JWT signing secret", jwt.result)
        self.initial_admin_password = self._secret(
            "initial-admin-password", "LangSmith initial organisation admin password", admin.result)
        self.redis_auth_token = self._secret("redis-auth-token", "ElastiCache AUTH token", redis_token.result)
        self.redis_auth_token_value = redis_token.result
        self.clickhouse_password = None
        if args.generate_clickhouse_password:
            clickhouse = random.RandomPassword(f"{name}-clickhouse-password", length=40, special=False,
                                               opts=pulumi.ResourceOptions(parent=self))
            self.clickhouse_password = self._secret(
                "clickhouse-password", "ClickHouse password of the langsmith user", clickhouse.result)
        self.license_key = (self._secret("license-key", "LangSmith license key", args.license_key)
                            if args.license_key is not None else None)
        self.postgres_external_uri = (
            self._secret("postgres-external-uri", "Connection URI of the external PostgreSQL",
                         args.postgres_external_uri)
            if args.postgres_external_uri is not None else None)

        self.arns: pulumi.Output[list[str]] = pulumi.Output.all(*[s.arn for s in self._all])
        self.register_outputs({"secretArns": self.arns})

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
