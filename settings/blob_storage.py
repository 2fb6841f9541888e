"""`blobStorage`: the S3 bucket LangSmith keeps large payloads in, and its expiry rules."""

from __future__ import annotations

from pydantic import Field

from settings.base import ConfigModel, Problem


class BlobStorageSettings(ConfigModel):
    short_ttl_days: int = Field(default=14, ge=1, le=3650, description="Expiry of objects under ttl_s/ (days)")
    long_ttl_days: int = Field(default=400, ge=1, le=3650, description="Expiry of objects under ttl_l/ (days)")
    noncurrent_version_days: int = Field(
        ge=1, le=3650, description="How long overwritten or deleted object versions are kept (days)")


def blob_storage_problems(blob: BlobStorageSettings) -> list[Problem]:
    if blob.long_ttl_days < blob.short_ttl_days:
        return [("blobStorage.longTtlDays", blob.long_ttl_days,
                 f"must be at least blobStorage.shortTtlDays ({blob.short_ttl_days})")]
    return []
