"""`edge`: the ALB in front of LangSmith (self-hosted) or the agents (hybrid): who may reach it, and WAF."""

from __future__ import annotations

from pydantic import Field

from settings.base import Cidr, ConfigModel, Problem, Profile


class EdgeSettings(ConfigModel):
    internal: bool = Field(default=False, description="Internal ALB in the private subnets (VPN / peered access only)")
    allowed_cidrs: list[Cidr] = Field(
        default_factory=lambda: ["0.0.0.0/0"], min_length=1, description="Who may reach the ALB on 80/443")
    waf_rate_limit: int = Field(
        default=2000, ge=100, le=2_000_000_000, description="Requests per IP per 5 minutes before WAF blocks")


def internal_alb_problems(edge: EdgeSettings, profile: Profile) -> list[Problem]:
    """A production internal ALB names who reaches it rather than keeping the open default."""
    if profile.is_production and "0.0.0.0/0" in edge.allowed_cidrs and edge.internal:
        return [("edge.allowedCidrs", edge.allowed_cidrs,
                 "an internal ALB should list the private ranges that may reach it")]
    return []
