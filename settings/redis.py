"""`redis`: LangSmith's ElastiCache replication group (Redis OSS or Valkey), with the rules about the
node types and engine versions ElastiCache offers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from settings import catalogue
from settings.base import ConfigModel, Problem, Shape, matching

# Default engine version of each ElastiCache engine: one ElastiCache offers (data/aws/catalogue.json).
# Redis OSS 7.1 is what LangSmith documents; Valkey 8.1 is a Valkey line ElastiCache offers (7.2, 8.0, 8.1...).
REDIS_DEFAULT_VERSIONS = {"redis": "7.1", "valkey": "8.1"}
# Oldest Redis OSS line the replication group supports: transit_encryption_mode needs 7.0 or newer.
REDIS_MIN_OSS_VERSION = (7, 0)


def redis_versions(engine: str) -> list[str]:
    versions = catalogue.elasticache_engine_versions(engine)
    if engine == "redis":
        return [v for v in versions if tuple(int(p) for p in v.split(".")[:2]) >= REDIS_MIN_OSS_VERSION]
    return list(versions)


class RedisSettings(ConfigModel):
    engine: Literal["redis", "valkey"] = Field(
        default="redis",
        description="redis (Redis OSS 7.1, what LangSmith is tested with) or valkey (protocol-compatible, ~20% cheaper)")
    engine_version: str = Field(
        default=REDIS_DEFAULT_VERSIONS["redis"],
        description="Engine version (default per engine: " + ", ".join(
            f"{v} for {e}" for e, v in REDIS_DEFAULT_VERSIONS.items()) + "); one ElastiCache offers for the engine")
    node_type: Annotated[str, matching(r"cache\.[a-z0-9]+\.[a-z0-9]+", "cache.m7g.large")] = Field(
        description="ElastiCache node type")
    nodes: int = Field(ge=1, le=6, description="Primary plus replicas; 2 or more enables automatic failover")
    snapshot_retention_days: int = Field(ge=0, le=35, description="Daily snapshots kept (days)")

    @model_validator(mode="before")
    @classmethod
    def _default_version_of_engine(cls, data: Any) -> Any:
        """Each engine gets its own default version (Valkey has no 7.1); the pair is checked across fields."""
        if isinstance(data, dict) and data.get("engineVersion", data.get("engine_version")) is None:
            engine = data.get("engine", "redis")
            if engine in REDIS_DEFAULT_VERSIONS:
                return {**data, "engineVersion": REDIS_DEFAULT_VERSIONS[engine]}
        return data


def elasticache_problems(redis: RedisSettings, shape: Shape, region: str) -> list[Problem]:
    """The node type exists and is offered in the region; the engine version is one of the engine's."""
    problems: list[Problem] = []
    if shape in (Shape.SELF_HOSTED, Shape.AGENT_SERVER):
        node_type = redis.node_type
        every = set().union(*(catalogue.elasticache_node_types(r) for r in catalogue.catalogued_regions()))
        if node_type not in every:
            problems.append(("redis.nodeType", node_type,
                             f"is not an ElastiCache node type{catalogue.nearest(node_type, every)}"))
        elif region in catalogue.catalogued_regions() and node_type not in catalogue.elasticache_node_types(region):
            offered = catalogue.elasticache_node_types(region)
            problems.append(("redis.nodeType", node_type,
                             f"is not offered in {region}{catalogue.nearest(node_type, offered)}"))
        versions = redis_versions(redis.engine)
        if redis.engine_version not in versions:
            problems.append(("redis.engineVersion", redis.engine_version,
                             f"is not a version of engine {redis.engine!r} on ElastiCache; "
                             f"allowed: {', '.join(versions)} (or omit it for {REDIS_DEFAULT_VERSIONS[redis.engine]})"))
    return problems
