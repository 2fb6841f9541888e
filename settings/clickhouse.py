"""`clickhouse`: LangSmith's ClickHouse, in the cluster on its own pool and gp3 volume, or external
(`clickhouseExternalPassword`), with the rules about the volume's IOPS and the external server."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, SecretStr

from settings.base import MISSING_VALUE, ConfigModel, Problem, CpuQuantity, MemoryQuantity


def _check_host(value: str) -> str:
    """A host name (RFC 1123) or an IP address: what a client connects to, without scheme or port."""
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    label = r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    if len(value) > 253 or not re.fullmatch(rf"{label}(\.{label})*", value):
        raise ValueError("must be a host name or IP address, without scheme or port (e.g. ch.corp.internal)")
    return value


class ClickHouseSettings(ConfigModel):
    mode: Literal["in-cluster", "external"] = Field(
        default="in-cluster", description="in-cluster (StatefulSet on the dedicated pool) or external")
    volume_size_gb: int = Field(ge=20, le=16384, description="ClickHouse data volume (GiB)")
    volume_iops: int = Field(ge=3000, le=80000, description="gp3 provisioned IOPS of the data volume")
    volume_throughput_mibps: int = Field(ge=125, le=2000, description="gp3 throughput of the data volume (MiB/s)")
    cpu: CpuQuantity = Field(description="CPU request of the in-cluster ClickHouse")
    memory: MemoryQuantity = Field(description="Memory request (and limit) of the in-cluster ClickHouse")
    external_host: Optional[Annotated[str, AfterValidator(_check_host)]] = Field(
        default=None, description="Host of an external ClickHouse (mode: external): a DNS name or an IP address")
    external_port: int = Field(default=8443, ge=1, le=65535, description="HTTP(S) port of the external ClickHouse")
    external_native_port: int = Field(default=9440, ge=1, le=65535, description="Native port of the external ClickHouse")
    external_user: str = Field(default="default", description="User of the external ClickHouse")
    external_database: str = Field(default="default", description="Database of the external ClickHouse")
    external_tls: bool = Field(default=True, description="TLS to the external ClickHouse")


def clickhouse_problems(ch: ClickHouseSettings, external_password: Optional[SecretStr]) -> list[Problem]:
    """gp3's IOPS and throughput ratios, and an external server's host and password."""
    problems: list[Problem] = []
    if ch.volume_iops > 500 * ch.volume_size_gb:
        problems.append(("clickhouse.volumeIops", ch.volume_iops,
                         f"gp3 allows at most 500 IOPS per GiB ({500 * ch.volume_size_gb} for {ch.volume_size_gb} GiB)"))
    if ch.volume_throughput_mibps * 4 > ch.volume_iops:
        problems.append(("clickhouse.volumeThroughputMibps", ch.volume_throughput_mibps,
                         f"gp3 allows at most 0.25 MiB/s per IOPS ({ch.volume_iops // 4} MiB/s at {ch.volume_iops} IOPS)"))
    if ch.mode == "external":
        if not ch.external_host:
            problems.append(("clickhouse.externalHost", MISSING_VALUE, "is required when clickhouse.mode is external"))
        if external_password is None:
            problems.append(("clickhouseExternalPassword", MISSING_VALUE,
                             "is required when clickhouse.mode is external (pulumi config set --secret ...)"))
    return problems
