"""`edge`: the ALB in front of LangSmith (self-hosted) or the agents (hybrid): who may reach it, and WAF."""

from __future__ import annotations

from pydantic import Field

from settings.base import Cidr, ConfigModel, Problem, Profile

# AWS WAF's bounds for a rate-based rule's Limit (wafv2 API, RateBasedStatement.Limit: shape
# RateLimit, min 10, max 2,000,000,000; tests/test_edge.py reads them from botocore's model).
WAF_RATE_LIMIT_MIN = 10
WAF_RATE_LIMIT_MAX = 2_000_000_000


class EdgeSettings(ConfigModel):
    internal: bool = Field(default=False, description="Internal ALB in the private subnets (VPN / peered access only)")
    allowed_cidrs: list[Cidr] = Field(
        default_factory=lambda: ["0.0.0.0/0"], min_length=1, description="Who may reach the ALB on 80/443")
    waf_rate_limit: int = Field(
        default=10_000, ge=WAF_RATE_LIMIT_MIN, le=WAF_RATE_LIMIT_MAX,
        description="Requests per client IP per 5 minutes to everything but trace ingestion (UI, REST API; "
                    "all agent traffic in hybrid) before WAF blocks that IP")
    waf_ingest_rate_limit: int = Field(
        default=50_000, ge=WAF_RATE_LIMIT_MIN, le=WAF_RATE_LIMIT_MAX,
        description="Trace ingestion requests (SDK runs and OTLP endpoints) per client IP per 5 minutes "
                    "before WAF blocks that IP (self-hosted)")


def internal_alb_problems(edge: EdgeSettings, profile: Profile) -> list[Problem]:
    """A production internal ALB names who reaches it rather than keeping the open default."""
    if profile.is_production and "0.0.0.0/0" in edge.allowed_cidrs and edge.internal:
        return [("edge.allowedCidrs", edge.allowed_cidrs,
                 "an internal ALB should list the private ranges that may reach it")]
    return []
