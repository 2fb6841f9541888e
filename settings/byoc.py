"""`byoc` and `byocExternalId`: the cross-account role LangChain's control plane assumes in this account,
under one of two contracts, with the rules about who may assume it and the network it needs.

- `eks` (LangChain's current BYOC, the one it offers new customers: docs.langchain.com/langsmith/byoc):
  its control plane in us-east-2 builds and runs an EKS data plane here through Crossplane, with the role
  of its `langsmith-byoc-role` module (langchain-ai/terraform@e27a2af, modules/byoc/aws/langsmith-byoc-role).
- `ecs` (the original contract: langchain-ai/terraform@d0897e3, modules/langgraph_cloud_setup, deleted in
  10abe9d on Aug 26 2025): LangGraph deployments on ECS, a role with AWS managed policies, tagged network,
  an ECR repository.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, StringConstraints

from settings.base import MISSING_VALUE, ConfigModel, Problem, RoleArn, check_url, matching
from settings.network import NetworkSettings

# ECS contract: LangChain's control-plane principal per `langsmith_data_region` of its module,
# langchain-ai/terraform@d0897e33756dde5f393b3de2eb1300d12632567a:modules/langgraph_cloud_setup/main.tf
# (`data.aws_iam_policy_document.assume_role`, both ARNs since 6f86206, Nov 17 2024).
BYOC_CONTROL_PLANE_PRINCIPALS = {
    "us": "arn:aws:iam::640174622193:role/HostBackendRoleProd",
    "eu": "arn:aws:iam::640174622193:role/HostBackendRoleProdEu",
}
# EKS contract: the control plane's reconcile role, table "Current LangSmith control-plane role values" of
# langchain-ai/terraform@e27a2af4f581b32a35b3a9f2f052e50829cfc0ab:modules/byoc/aws/langsmith-byoc-role/README.md.
# There is one control plane, in us-east-2 ("regardless of where you place your data planes", byoc.mdx).
EKS_CONTROL_PLANE_ROLE_ARN = "arn:aws:iam::808407022534:role/LangSmithCrossPlaneRole"
EKS_CONTROL_PLANE_ACCOUNT_ID = "808407022534"
# break_glass_role.tf / variables.tf defaults at the same commit.
EKS_BREAK_GLASS_PRINCIPAL_PATTERNS = (
    "arn:aws:iam::808407022534:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_BYOCBreakGlass_442d99d086ecd3c8",
    "arn:aws:iam::808407022534:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BYOCBreakGlass_442d99d086ecd3c8",
)
# Data-plane regions: docs.langchain.com/langsmith/byoc "Regions and cloud providers"
# (langchain-ai/docs@edc6069d9c9cf25c1c2f66bd604a550b7b7eea72:src/langsmith/byoc.mdx; the older @04ef8beb lacks ca-central-1).
BYOC_REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
)
BYOC_REGIONS_SOURCE = "docs.langchain.com/langsmith/byoc, Regions and cloud providers"
# The VPC CIDR of a data plane: "a /16 to /18 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16" (API reference,
# AwsDataPlaneCreateRequest.vpc_cidr; docs.langchain.com/langsmith/byoc-byovpc "Meet the network requirements").
EKS_VPC_PREFIXES = (16, 18)
RFC1918 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
DEFAULT_ROLE_NAMES = {"eks": "langsmith-byoc", "ecs": "LangGraphCloudBYOCRole"}


def _check_runs_endpoints(value: str) -> str:
    """LANGSMITH_RUNS_ENDPOINTS: a JSON object of LangSmith API URL -> API-key secret name."""
    try:
        decoded = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"must be a JSON object of URL to secret name ({exc.msg} at position {exc.pos})") from None
    if not isinstance(decoded, dict) or not decoded:
        raise ValueError('must be a non-empty JSON object such as {"https://langsmith.example.com/api/v1": "ls-key"}')
    for url, secret_name in decoded.items():
        check_url(url)
        if not isinstance(secret_name, str) or not secret_name:
            raise ValueError(f"must map each URL to a secret name; {url!r} maps to {secret_name!r}")
    return value


def _json_text(value: Any) -> Any:
    """A JSON value written as YAML (a mapping) is the same thing as its JSON text."""
    return json.dumps(value) if isinstance(value, dict) else value


IdentityStoreUserId = Annotated[str, matching(r"([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                              "906745f1d6-12345678-90ab-cdef-1234-567890abcdef")]
SourceIdentity = Annotated[str, matching(r"[\w+=,.@-]{2,64}", "engineer@langchain.dev")]


class BreakGlassSettings(ConfigModel):
    """LangSmithBYOCBreakGlass (eks contract): closed unless opened, and only for the identities LangChain names."""
    allow: bool = Field(default=False, description="Open the break-glass role (LangChain asks; close it afterwards)")
    identity_store_user_ids: list[IdentityStoreUserId] = Field(
        default_factory=list, description="IAM Identity Center user IDs LangChain gives for the engineers")
    source_identities: list[SourceIdentity] = Field(
        default_factory=list, description="Their source identities (LangChain emails), for CloudTrail")


ECS_ONLY_KEYS = {"trusted_principal_arn": "byoc.trustedPrincipalArn",
                 "max_session_duration_seconds": "byoc.maxSessionDurationSeconds",
                 "permissions_boundary_arn": "byoc.permissionsBoundaryArn",
                 "ecr_repository_name": "byoc.ecrRepositoryName", "keep_tagged_images": "byoc.keepTaggedImages",
                 "langsmith_runs_endpoints": "byoc.langsmithRunsEndpoints"}
EKS_ONLY_KEYS = {"vpc": "byoc.vpc", "allow_delete_permissions": "byoc.allowDeletePermissions",
                 "allow_public_ingress": "byoc.allowPublicIngress", "byoiam": "byoc.byoiam",
                 "break_glass": "byoc.breakGlass"}


class ByocSettings(ConfigModel):
    contract: Literal["eks", "ecs"] = Field(
        default="eks",
        description="eks: LangChain's current BYOC (an EKS data plane its control plane builds here); "
                    "ecs: the original contract (LangGraph on ECS)")
    control_plane: Literal["us", "eu"] = Field(
        default="us",
        description="Region of LangChain's control plane (ecs: us or eu; eks: us only, the control plane is in us-east-2)")
    trusted_principal_arn: Optional[RoleArn] = Field(
        default=None, description="Override of the control-plane role allowed to assume the BYOC role (ecs only)")
    role_name: Optional[Annotated[str, matching(r"[\w+=,.@-]{1,64}", "langsmith-byoc (up to 64 characters)")]] = Field(
        default=None,
        description="Name of the cross-account role (default: langsmith-byoc for eks, LangGraphCloudBYOCRole for ecs)")
    vpc: Literal["managed", "byovpc"] = Field(
        default="managed",
        description="eks: managed = LangChain builds the VPC from network.cidr; byovpc = this stack builds the VPC "
                    "to LangChain's contract, or validates network.existing")
    allow_delete_permissions: bool = Field(
        default=False, description="eks: let the control plane delete what it built (set before deleting a data plane)")
    allow_public_ingress: bool = Field(
        default=False, description="eks: public load balancer (public Route 53 zone and ACM DNS validation)")
    byoiam: bool = Field(
        default=False, description="eks: you create the IAM roles (LangChain's byoiam module); the role loses IAM management")
    break_glass: BreakGlassSettings = Field(default_factory=lambda: BreakGlassSettings())
    max_session_duration_seconds: int = Field(
        default=3600, ge=3600, le=43200, description="Longest session the control plane may hold (seconds)")
    permissions_boundary_arn: Optional[Annotated[str, matching(
        r"arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+", "arn:aws:iam::123456789012:policy/name")]] = Field(
        default=None, description="Permissions boundary policy for the role")
    ecr_repository_name: Annotated[str, StringConstraints(max_length=256),
                                   matching(r"[a-z0-9]+([._/-][a-z0-9]+)*", "langgraph-deployments")] = Field(
        default="langgraph-deployments", description="ECR repository the `langgraph build` image is pushed to")
    keep_tagged_images: int = Field(default=50, ge=1, le=1000, description="Tagged images the lifecycle policy keeps")
    langsmith_runs_endpoints: Optional[Annotated[str, BeforeValidator(_json_text), AfterValidator(_check_runs_endpoints)]] = Field(
        default=None,
        description="LANGSMITH_RUNS_ENDPOINTS for deployments that trace to a self-hosted LangSmith (JSON map of URL to API-key secret name)")

    @property
    def effective_role_name(self) -> str:
        return self.role_name or DEFAULT_ROLE_NAMES[self.contract]

    def principal_arn(self) -> str:
        """The trusted principal: explicit, else the published default (validated to exist)."""
        if self.contract == "eks":
            return EKS_CONTROL_PLANE_ROLE_ARN
        return self.trusted_principal_arn or BYOC_CONTROL_PLANE_PRINCIPALS[self.control_plane]


def byoc_problems(byoc: ByocSettings, external_id: Optional[SecretStr]) -> list[Problem]:
    """The ExternalId the control plane must present."""
    problems: list[Problem] = []
    if external_id is None:
        problems.append(("byocExternalId", MISSING_VALUE,
                         "is required for byoc: the external ID (eks: copy it from LangSmith, Settings > Data Planes; "
                         "ecs: your LangSmith organization ID) "
                         "(pulumi config set --secret byocExternalId <value>)"))
    elif not re.fullmatch(r"[\w+=,.@:/-]{2,1224}", external_id.get_secret_value()):
        problems.append(("byocExternalId", "[redacted]",
                         "must be 2-1224 characters of letters, digits and +=,.@:/-_"))
    return problems


def _explicit(model: ConfigModel, keys: dict[str, str]) -> list[str]:
    return [key for field_name, key in keys.items() if field_name in model.model_fields_set]


def byoc_contract_problems(byoc: ByocSettings, network: NetworkSettings, region: str,
                           postgres_external: bool) -> list[Problem]:
    """Keys of the other contract, and what config can tell of LangChain's EKS contract: the region, the
    VPC CIDR (/16-/18 RFC 1918), 2-3 zones, and the tiers of a supplied VPC (the rest needs the account:
    tools/preflight/byoc.py)."""
    problems: list[Problem] = []
    other = ECS_ONLY_KEYS if byoc.contract == "eks" else EKS_ONLY_KEYS
    # A BYOC stack from before 0.16.0 is the ecs contract but does not say so (eks is the default since).
    implicit_eks = byoc.contract == "eks" and "contract" not in byoc.model_fields_set
    for key in _explicit(byoc, other):
        problems.append((key, "(set)", f"only applies to byoc.contract: {'ecs' if byoc.contract == 'eks' else 'eks'}; "
                                       f"remove it with byoc.contract: {byoc.contract}"
                                       + ("; a BYOC stack deployed before 0.16.0 is the ecs contract: set "
                                          "byoc.contract: ecs to keep it (docs/upgrade.md)" if implicit_eks else "")))
    if byoc.contract == "ecs":
        return problems
    if byoc.control_plane != "us":
        problems.append(("byoc.controlPlane", byoc.control_plane,
                         "us with byoc.contract: eks: LangChain runs one BYOC control plane, in us-east-2 "
                         "(docs.langchain.com/langsmith/byoc); data planes may be in any supported region"))
    if region not in BYOC_REGIONS:
        problems.append(("aws:region", region, f"a region LangSmith BYOC supports ({BYOC_REGIONS_SOURCE}): "
                                               + ", ".join(BYOC_REGIONS)))
    if postgres_external:
        problems.append(("postgres.external", True, "false with byoc.contract: eks: LangChain's data plane runs "
                                                    "its own RDS (docs.langchain.com/langsmith/byoc-architecture)"))
    if byoc.break_glass.allow and not (byoc.break_glass.identity_store_user_ids and byoc.break_glass.source_identities):
        problems.append(("byoc.breakGlass.allow", True,
                         "only with byoc.breakGlass.identityStoreUserIds and sourceIdentities both listed (the "
                         "identities LangChain gives): with either empty the role stays closed "
                         "(langsmith-byoc-role break_glass_role.tf)"))
    existing = network.existing
    if byoc.vpc == "managed" and existing is not None:
        problems.append(("network.existing", existing.vpc_id,
                         "only with byoc.vpc: byovpc (with byoc.vpc: managed LangChain builds the VPC)"))
    if existing is None:
        cidr = ipaddress.IPv4Network(network.cidr)
        low, high = EKS_VPC_PREFIXES
        if not low <= cidr.prefixlen <= high or not any(cidr.subnet_of(block) for block in RFC1918):
            problems.append(("network.cidr", network.cidr,
                             f"[cidr] a /{low} to /{high} inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 "
                             "(docs.langchain.com/langsmith/byoc-byovpc; the data-plane VPC CIDR)"))
        if byoc.vpc == "byovpc" and not 2 <= network.az_count <= 3:
            problems.append(("network.azCount", network.az_count,
                             "[azs] 2 or 3 with byoc.vpc: byovpc (docs.langchain.com/langsmith/byoc-byovpc)"))
        return problems
    app, db, public = existing.private_subnet_ids, existing.data_subnet_ids, existing.public_subnet_ids
    if not 2 <= len(app) <= 3:
        problems.append(("network.existing.privateSubnetIds", app,
                         "[azs] 2 or 3 private application subnets, one per zone (byoc-byovpc)"))
    if len(db) != len(app):
        problems.append(("network.existing.dataSubnetIds", db,
                         f"[azs] one database subnet in each zone of the application subnets ({len(app)}) (byoc-byovpc)"))
    if public and len(public) != len(app):
        problems.append(("network.existing.publicSubnetIds", public,
                         f"[azs] none, or one public subnet in each zone of the application subnets ({len(app)}) (byoc-byovpc)"))
    if byoc.allow_public_ingress and not public:
        problems.append(("network.existing.publicSubnetIds", public,
                         "[public-lb] required with byoc.allowPublicIngress: the public load balancer sits in them"))
    every = [*app, *db, *public]
    repeated = sorted({i for i in every if every.count(i) > 1})
    if repeated:
        problems.append(("network.existing", repeated,
                         "[unique-ids] each subnet ID once across the application, database and public tiers (byoc-byovpc)"))
    return problems


def langchain_builds_the_vpc(byoc: ByocSettings) -> bool:
    """eks with a managed VPC: LangChain's control plane builds the network; this stack builds none."""
    return byoc.contract == "eks" and byoc.vpc == "managed"
