"""`observability`: where alarms go, their thresholds, and how long AWS Backup keeps recovery points."""

from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field

from settings.base import ConfigModel, matching


class ObservabilitySettings(ConfigModel):
    """Alarm thresholds and backup retention; every default comes from the profile table."""

    alarm_email: Optional[Annotated[str, matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "oncall@example.com")]] = Field(
        default=None, description="Email subscribed to the alarm topic (confirm the subscription once)")
    alb_errors_per_5_minutes: int = Field(ge=1, description="ALB + target 5xx responses in 5 minutes before alarming")
    rds_cpu_percent: int = Field(ge=1, le=100, description="RDS CPU utilisation alarm threshold (%)")
    rds_free_storage_gb: int = Field(ge=1, description="RDS free storage alarm threshold (GiB)")
    rds_max_connections: int = Field(ge=1, description="RDS connections alarm threshold")
    redis_memory_percent: int = Field(ge=1, le=100, description="ElastiCache memory usage alarm threshold (%)")
    redis_evictions_per_5_minutes: int = Field(ge=0, description="ElastiCache evictions in 5 minutes before alarming")
    pod_restarts_per_5_minutes: int = Field(ge=1, description="Container restarts in the LangSmith namespace in 5 minutes")
    clickhouse_disk_percent: int = Field(default=80, ge=1, le=100, description="ClickHouse volume usage alarm (%)")
    backup_retention_days: int = Field(ge=1, le=36500, description="Daily AWS Backup recovery points kept (days)")
