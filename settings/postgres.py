"""`postgres`: LangSmith's PostgreSQL, an RDS instance or an existing server (`postgresExternalUri`),
with the rules about its storage, backups, external URI and the classes RDS offers."""

from __future__ import annotations

from typing import Annotated, Optional

from pydantic import AfterValidator, Field, SecretStr

from settings import catalogue
from settings.base import MISSING_VALUE, ConfigModel, Problem, Profile, Shape, matching

# LangSmith needs PostgreSQL 14 or newer (self-hosting prerequisites); RDS's majors come from the catalogue.
POSTGRES_MIN_MAJOR = 14


def postgres_versions() -> list[str]:
    return [v for v in catalogue.postgres_major_versions() if int(v) >= POSTGRES_MIN_MAJOR]


def _check_postgres_major(value: str) -> str:
    allowed = postgres_versions()
    if value not in allowed:
        raise ValueError(f"must be a PostgreSQL major version RDS offers and LangSmith supports: {', '.join(allowed)}")
    return value


class PostgresSettings(ConfigModel):
    external: bool = Field(
        default=False,
        description="Use an existing PostgreSQL instead of RDS; its URI comes from the secret key postgresExternalUri")
    engine_version: Annotated[str, AfterValidator(_check_postgres_major)] = Field(
        default="16", description=f"PostgreSQL major version: {', '.join(postgres_versions())} "
                                  "(RDS applies minor upgrades itself)")
    instance_class: Annotated[str, matching(r"db\.[a-z0-9]+\.[a-z0-9]+", "db.m7g.large")] = Field(
        description="RDS instance class")
    allocated_storage_gb: int = Field(ge=20, le=65536, description="Initial gp3 storage (GiB)")
    max_allocated_storage_gb: int = Field(ge=20, le=65536, description="Storage autoscaling ceiling (GiB)")
    multi_az: bool = Field(description="Synchronous standby in a second AZ")
    backup_retention_days: int = Field(ge=1, le=35, description="Automated backup retention (days)")


def postgres_problems(postgres: PostgresSettings, profile: Profile,
                      external_uri: Optional[SecretStr]) -> list[Problem]:
    """Storage that can grow, production backups, and the external URI exactly when postgres.external."""
    problems: list[Problem] = []
    if postgres.max_allocated_storage_gb < postgres.allocated_storage_gb:
        problems.append(("postgres.maxAllocatedStorageGb", postgres.max_allocated_storage_gb,
                         f"must be at least postgres.allocatedStorageGb ({postgres.allocated_storage_gb})"))
    if profile.is_production and postgres.backup_retention_days < 14:
        problems.append(("postgres.backupRetentionDays", postgres.backup_retention_days,
                         "must be 14 or more with a production profile"))
    if postgres.external and external_uri is None:
        problems.append(("postgresExternalUri", MISSING_VALUE,
                         "is required when postgres.external is true "
                         "(pulumi config set --secret postgresExternalUri 'user:pass@host:5432/db?sslmode=require')"))
    if not postgres.external and external_uri is not None:
        problems.append(("postgresExternalUri", "[redacted]", "is only used with postgres.external: true"))
    return problems


def instance_class_problems(postgres: PostgresSettings, shape: Shape, region: str) -> list[Problem]:
    """The RDS instance class exists, is offered in the region and with the major (settings/catalogue.py)."""
    problems: list[Problem] = []
    if shape in (Shape.SELF_HOSTED, Shape.AGENT_SERVER) and not postgres.external:
        rds_class = postgres.instance_class
        every = set().union(*(catalogue.rds_postgres_classes(r) for r in catalogue.catalogued_regions()))
        if rds_class not in every:
            problems.append(("postgres.instanceClass", rds_class,
                             f"is not an RDS for PostgreSQL instance class{catalogue.nearest(rds_class, every)}"))
        elif region in catalogue.catalogued_regions() and rds_class not in catalogue.rds_postgres_classes(region):
            offered = catalogue.rds_postgres_classes(region)
            problems.append(("postgres.instanceClass", rds_class,
                             f"is not offered for PostgreSQL in {region}{catalogue.nearest(rds_class, offered)}"))
        else:
            for_major = catalogue.rds_postgres_classes_for_major(postgres.engine_version)
            if for_major is not None and rds_class not in for_major:
                problems.append(("postgres.instanceClass", rds_class,
                                 f"is not offered with PostgreSQL {postgres.engine_version} "
                                 f"(postgres.engineVersion){catalogue.nearest(rds_class, for_major)}"))
    return problems
