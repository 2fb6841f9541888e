"""BYOC: the cross-account role LangChain's control plane assumes, under the stack's contract.

eks (LangChain's current BYOC): the data-plane role and break-glass role of its `langsmith-byoc-role`
module, optionally the VPC (BYOVPC), and outputs with what Settings > Data Planes asks for.
ecs (the original contract): the role with AWS managed policies, the tagged network and the image repository."""

from __future__ import annotations

import pulumi

from components.byoc import ByocRole, ByocRoleArgs, ExistingNetworkToTag
from components.byoc_eks import BREAK_GLASS_ROLE_NAME, BreakGlass, ByocEksRole, ByocEksRoleArgs
from components.byoc_eks_policies import RoleOptions
from settings.byoc import (EKS_BREAK_GLASS_PRINCIPAL_PATTERNS, EKS_CONTROL_PLANE_ACCOUNT_ID,
                           langchain_builds_the_vpc)
from components.secrets import Secrets, SecretsArgs
from shapes.foundation import Foundation, secret_input


def build(f: Foundation) -> None:
    if f.settings.byoc.contract == "eks":
        build_eks(f)
    else:
        build_ecs(f)


def build_eks(f: Foundation) -> None:
    s = f.settings
    assert s.byoc_external_id is not None  # validated with the settings
    byoc = s.byoc
    existing = s.network.existing
    byovpc = not langchain_builds_the_vpc(byoc)
    vpc_ids: list[str] | None = None
    if byovpc:
        # The role may create security groups only in the supplied VPC (later module's `vpc_ids`): its ID
        # must be known when the policy is written, so a VPC this stack builds is referenced by its output.
        vpc_ids = [existing.vpc_id] if existing is not None else None
    role = ByocEksRole("byoc", ByocEksRoleArgs(
        account_id=f.account_id,
        role_name=byoc.effective_role_name,
        control_plane_role_arn=byoc.principal_arn(),
        external_id=pulumi.Output.secret(s.byoc_external_id.get_secret_value()),
        options=RoleOptions(allow_delete=byoc.allow_delete_permissions,
                            allow_public_ingress=byoc.allow_public_ingress,
                            byovpc_vpc_ids=vpc_ids if vpc_ids is not None else ([] if byovpc else None),
                            byoiam=byoc.byoiam),
        byovpc_vpc_id=f.network.vpc_id if byovpc and existing is None else None,
        break_glass=BreakGlass(
            control_plane_account_id=EKS_CONTROL_PLANE_ACCOUNT_ID,
            principal_arn_patterns=EKS_BREAK_GLASS_PRINCIPAL_PATTERNS,
            allow=byoc.break_glass.allow,
            identitystore_user_ids=byoc.break_glass.identity_store_user_ids,
            source_identities=byoc.break_glass.source_identities,
        ),
    ), opts=f.opts)
    # What Settings > Data Planes (or the API's AwsDataPlaneCreateRequest) asks for. The external ID came
    # from LangSmith; it is referenced by its config key, never exported.
    pulumi.export("byocContract", "eks")
    pulumi.export("byocRoleArn", role.role.arn)
    pulumi.export("byocBreakGlassRoleArn", role.break_glass_role.arn)
    pulumi.export("byocBreakGlassRoleName", BREAK_GLASS_ROLE_NAME)
    pulumi.export("byocExternalIdConfigKey", f"{s.project}:byocExternalId")
    pulumi.export("byocRegion", s.region)
    pulumi.export("byocPublicLoadBalancer", byoc.allow_public_ingress)
    if not byovpc:
        pulumi.export("byocVpcCidr", s.network.cidr)
    else:
        net = f.network
        pulumi.export("byocNetwork", {
            "vpcId": net.vpc_id,
            "privateAppSubnetIds": net.private_subnet_ids,
            "privateDbSubnetIds": net.data_subnet_ids,
            "publicSubnetIds": net.public_subnet_ids if byoc.allow_public_ingress else [],
        })
    if byoc.byoiam:
        pulumi.export("byocIam", {"isEnabled": True, "createWith": "langchain-ai/terraform modules/byoc/aws/byoiam",
                                  "resourceNames": "the byoiam module's role_names and karpenter_instance_profile_name"})


def build_ecs(f: Foundation) -> None:
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
        role_name=s.byoc.effective_role_name,
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
    pulumi.export("byocContract", "ecs")
    pulumi.export("byocRoleArn", byoc.role.arn)
    pulumi.export("byocExternalIdConfigKey", f"{s.project}:byocExternalId")
    pulumi.export("ecrRepositoryUrl", byoc.repository.repository_url)
    if secrets is not None and secrets.postgres_external_uri is not None:
        pulumi.export("postgresUriSecretArn", secrets.postgres_external_uri.arn)
    if s.byoc.langsmith_runs_endpoints is not None:
        pulumi.export("langsmithRunsEndpoints", s.byoc.langsmith_runs_endpoints)
