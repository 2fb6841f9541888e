"""Customer-managed KMS keys, one per kind of data.

Three keys rather than one, because their key policies differ and so does who may decrypt:
- `data`: RDS, ElastiCache, S3 objects and ClickHouse volumes (used through AWS service integrations);
- `secrets`: Secrets Manager and EKS secret envelope encryption (External Secrets decrypts with it,
  and must not be able to decrypt database snapshots);
- `logs`: CloudWatch Logs, whose service principal needs a grant in the key policy itself.
Each has yearly automatic rotation and a 30-day deletion window.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.iam import policy_document

KEY_DELETION_WINDOW_DAYS = 30
KEY_ROTATION_PERIOD_DAYS = 365


@dataclass(frozen=True)
class EncryptionKeysArgs:
    name_prefix: str
    account_id: str
    region: str
    partition: str = "aws"
    protect: bool = False
    # Production profiles: the data key outlives the stack (retain_on_delete), whatever `protect` says:
    # the final RDS snapshot and the vault's recovery points are encrypted with it.
    retain_data_key: bool = False


class EncryptionKeys(pulumi.ComponentResource):
    data_key: aws.kms.Key
    secrets_key: aws.kms.Key
    logs_key: aws.kms.Key

    def __init__(self, name: str, args: EncryptionKeysArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:EncryptionKeys", name, None, opts)
        root = f"arn:{args.partition}:iam::{args.account_id}:root"
        account_admin = {
            # Delegates key use to IAM policies of this account (the AWS default key policy).
            "Sid": "AccountAdministration",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": "kms:*",
            "Resource": "*",
        }
        logs_service = {
            "Sid": "CloudWatchLogsOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{args.region}.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnLike": {
                "kms:EncryptionContext:aws:logs:arn":
                    f"arn:{args.partition}:logs:{args.region}:{args.account_id}:log-group:*"}},
        }
        alarms_to_topics = {
            # Alarms publish to the SNS topic encrypted with this key.
            "Sid": "CloudWatchAlarmsOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
        }
        self.data_key = self._key(name, "data", "RDS, ElastiCache, S3 and ClickHouse volumes",
                                  [account_admin], args, retain=args.retain_data_key)
        self.secrets_key = self._key(name, "secrets", "Secrets Manager and EKS secrets",
                                     [account_admin], args)
        self.logs_key = self._key(name, "logs", "CloudWatch Logs and the alarm topic",
                                  [account_admin, logs_service, alarms_to_topics], args)
        self.register_outputs({
            "dataKeyArn": self.data_key.arn,
            "secretsKeyArn": self.secrets_key.arn,
            "logsKeyArn": self.logs_key.arn,
        })

    def _key(self, name: str, purpose: str, used_for: str, statements: list[dict[str, object]],
             args: EncryptionKeysArgs, retain: bool = False) -> aws.kms.Key:
        key = aws.kms.Key(
            f"{name}-{purpose}",
            description=f"{args.name_prefix}: {used_for}",
            enable_key_rotation=True,
            rotation_period_in_days=KEY_ROTATION_PERIOD_DAYS,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=policy_document(statements),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=retain),
        )
        aws.kms.Alias(
            f"{name}-{purpose}",
            name=f"alias/{args.name_prefix}-{purpose}",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key
