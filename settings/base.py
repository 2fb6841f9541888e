"""What every area of the configuration shares: the model base, the shape and profile, the types
more than one area uses, and how a rule reports a problem.

Each area module (network, cluster, postgres, ...) holds its models and the rules about them. A
rule returns `Problem`s: (key, value, what is allowed), reported at the first key; the loader
turns them into `ConfigIssue`s and names the key, redacting secrets.
"""

from __future__ import annotations

import enum
import ipaddress
import re
import urllib.parse
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

# A broken cross-field rule: (config key, its value, what is allowed).
Problem = tuple[str, Any, str]


class _MissingValue:
    """Marks a key that is not set, in cross-field problems."""

    def __repr__(self) -> str:
        return "(not set)"


MISSING_VALUE: Any = _MissingValue()


class Shape(str, enum.Enum):
    SELF_HOSTED = "self-hosted"
    HYBRID = "hybrid"
    BYOC = "byoc"
    AGENT_SERVER = "agent-server"


class Profile(str, enum.Enum):
    DEV = "dev"
    PRODUCTION = "production"
    PRODUCTION_LARGE = "production-large"

    @property
    def is_production(self) -> bool:
        return self is not Profile.DEV


class ConfigModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        # People write `cpu: 2` and `engineVersion: 16`: numbers are read as the strings they spell.
        coerce_numbers_to_str=True,
    )


def matching(pattern: str, example: str) -> AfterValidator:
    """A string rule with a message a person can act on (not the regular expression)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"must look like {example}")
        return value
    return AfterValidator(check)


def _check_cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value, strict=True))
    except ValueError as exc:
        raise ValueError(f"must be an IPv4 CIDR block such as 203.0.113.0/24 ({exc})") from None


def check_url(value: str) -> str:
    parsed = urllib.parse.urlsplit(value)
    host = parsed.hostname or ""
    if parsed.scheme not in ("https", "http") or not host or " " in value:
        raise ValueError("must be an absolute http(s) URL such as https://api.host.langchain.com")
    return value


Cidr = Annotated[str, AfterValidator(_check_cidr)]
RoleArn = Annotated[str, matching(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+", "arn:aws:iam::123456789012:role/name")]
Hostname = Annotated[str, StringConstraints(max_length=253), matching(
    r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", "langsmith.example.com (a DNS name, no scheme)")]
HostedZoneId = Annotated[str, matching(r"Z[A-Z0-9]{4,32}", "Z0123456789ABCDEFGHIJ")]
Quantity = Annotated[str, matching(r"[0-9]+(\.[0-9]+)?(m|Mi|Gi)?", "500m, 2, 512Mi or 4Gi")]
Url = Annotated[str, AfterValidator(check_url)]
