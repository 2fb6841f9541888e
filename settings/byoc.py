"""`byoc` and `byocExternalId`: the cross-account role and ECR repository LangChain's control plane uses
to run deployments in this account, with the rules about who may assume the role."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, StringConstraints

from settings.base import MISSING_VALUE, ConfigModel, Problem, RoleArn, check_url, matching

# LangChain's control-plane principal per control-plane region, only where LangChain publishes it.
# us: langchain-ai/terraform, modules/langgraph_cloud_setup/README.md (`langgraph_role_arn`).
# eu: no public LangChain source names one, so there is no default: a wrong trusted principal
# means LangChain can never assume the role. byoc.trustedPrincipalArn is then required.
BYOC_CONTROL_PLANE_PRINCIPALS = {
    "us": "arn:aws:iam::640174622193:role/HostBackendRoleProd",
}


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


class ByocSettings(ConfigModel):
    control_plane: Literal["us", "eu"] = Field(
        default="us",
        description="Region of LangChain's control plane: us has a published principal; eu needs byoc.trustedPrincipalArn")
    trusted_principal_arn: Optional[RoleArn] = Field(
        default=None, description="Override of the control-plane role allowed to assume the BYOC role")
    role_name: Annotated[str, matching(r"[\w+=,.@-]{1,64}", "LangGraphCloudBYOCRole (up to 64 characters)")] = Field(
        default="LangGraphCloudBYOCRole", description="Name of the cross-account role")
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

    def principal_arn(self) -> str:
        """The trusted principal: explicit, else the published default (validated to exist)."""
        principal = self.trusted_principal_arn or BYOC_CONTROL_PLANE_PRINCIPALS.get(self.control_plane)
        assert principal is not None, "checked by settings.byoc.byoc_problems"
        return principal


def byoc_problems(byoc: ByocSettings, external_id: Optional[SecretStr]) -> list[Problem]:
    """A control-plane principal to trust, and the ExternalId it must present."""
    problems: list[Problem] = []
    if byoc.trusted_principal_arn is None and byoc.control_plane not in BYOC_CONTROL_PLANE_PRINCIPALS:
        problems.append((
            "byoc.trustedPrincipalArn", MISSING_VALUE,
            f"is required with byoc.controlPlane: {byoc.control_plane}: LangChain publishes no control-plane "
            f"role for that region (only for: {', '.join(sorted(BYOC_CONTROL_PLANE_PRINCIPALS))}); ask LangChain "
            "for the role ARN its control plane assumes from"))
    if external_id is None:
        problems.append(("byocExternalId", MISSING_VALUE,
                         "is required for byoc: the ExternalId you share with LangChain "
                         "(pulumi config set --secret byocExternalId <value>)"))
    elif not re.fullmatch(r"[\w+=,.@:/-]{2,1224}", external_id.get_secret_value()):
        problems.append(("byocExternalId", "[redacted]",
                         "must be 2-1224 characters of letters, digits and +=,.@:/-_"))
    return problems
