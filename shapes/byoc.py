"""BYOC: the cross-account role, the tagged network and the image repository."""

from __future__ import annotations

import pulumi

from components.byoc import ByocRole, ByocRoleArgs, ExistingNetworkToTag
from components.secrets import Secrets, SecretsArgs
from shapes.foundation import Foundation, secret_input


def build(f: Foundation) -> None:
    s = f.settings
    assert s.byoc_external_id is not None  # validated with the settings
    existing = s.network.existing
    # POSTGRES_URI_CUSTOM: an external PostgreSQL for the deployments, kept in Secrets Manager.
    secrets = Secrets("secrets", SecretsArgs(
        name_prefix=s.name_prefix,
        secrets_kms_key_arn=f.keys.secrets_key.arn,
        recovery_window_days=f.secrets_recovery_days,
        postgres_external_uri=secret_input(s.postgres_external_uri),
        generate_langsmith_secrets=False,
    ), opts=f.opts) if s.postgres.external else None
    byoc = ByocRole("byoc", ByocRoleArgs(
        account_id=f.account_id,
        role_name=s.byoc.role_name,
        trusted_principal_arn=s.byoc.principal_arn(),
        external_id=pulumi.Output.secret(s.byoc_external_id.get_secret_value()),
        max_session_duration_seconds=s.byoc.max_session_duration_seconds,
        permissions_boundary_arn=s.byoc.permissions_boundary_arn,
        ecr_repository_name=s.byoc.ecr_repository_name,
        ecr_kms_key_arn=f.keys.data_key.arn,
        keep_tagged_images=s.byoc.keep_tagged_images,
        protect=s.protect_data,
        tag_existing_network=ExistingNetworkToTag(
            vpc_id=existing.vpc_id,
            public_subnet_ids=existing.public_subnet_ids,
            private_subnet_ids=existing.private_subnet_ids,
        ) if existing else None,
    ), opts=f.opts)
    # What the user pastes into the LangSmith UI. The ExternalId is referenced, never exported.
    pulumi.export("byocRoleArn", byoc.role.arn)
    pulumi.export("byocExternalIdConfigKey", f"{s.project}:byocExternalId")
    pulumi.export("ecrRepositoryUrl", byoc.repository.repository_url)
    if secrets is not None and secrets.postgres_external_uri is not None:
        pulumi.export("postgresUriSecretArn", secrets.postgres_external_uri.arn)
    if s.byoc.langsmith_runs_endpoints is not None:
        pulumi.export("langsmithRunsEndpoints", s.byoc.langsmith_runs_endpoints)
