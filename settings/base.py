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

from components.quantity import BINARY_SUFFIXES, parse_quantity, split_quantity, suffix_multiplier

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


def _check_cpu(value: str) -> str:
    """CPU is cores (2, 0.5) or millicores (500m): the other suffixes are legal Kubernetes but
    almost always a memory size written in the wrong key."""
    number, suffix = split_quantity(value)
    if suffix in BINARY_SUFFIXES or suffix in ("k", "M", "G", "T", "P", "E"):
        raise ValueError(f"{value} is a memory size; CPU is cores (2, 0.5) or millicores (500m)")
    if suffix not in ("", "m"):
        raise ValueError("must be CPU cores (2, 0.5) or millicores (500m)")
    if number <= 0:
        raise ValueError("must be more than 0: CPU cores (2, 0.5) or millicores (500m)")
    if (number * 1000 if suffix == "" else number).denominator != 1:
        raise ValueError("must be a whole number of millicores: at most 3 decimals of a core (0.125) or 125m")
    return value


MIN_MEMORY_BYTES = 16 * 2**20  # below this no LangSmith container starts: a unit was surely left out


def _check_memory(value: str) -> str:
    _, suffix = split_quantity(value)
    written = value[:len(value) - len(suffix)]
    if suffix in ("m", "n", "u"):
        raise ValueError(f"{value} is a fraction of a byte (the suffix {suffix} divides: m is milli, not mega); memory is bytes with "
                         f"a suffix: did you mean {written}Mi?")
    suffix_multiplier(suffix)  # refuses a suffix Kubernetes does not know
    if parse_quantity(value) < MIN_MEMORY_BYTES:
        raise ValueError(f"{value} is {float(parse_quantity(value)):g} bytes, under 16Mi; memory is bytes with a suffix "
                         "(Ki Mi Gi Ti, or k M G T): did you mean " + (f"{written}Gi?" if suffix == "" else "more?"))
    return value


# Kubernetes quantities (components/quantity.py has the grammar), one rule for CPU and one for memory.
# A QuantityError is a ValueError: its message (what is wrong with the text) reaches the config error.
CpuQuantity = Annotated[str, AfterValidator(_check_cpu)]
MemoryQuantity = Annotated[str, AfterValidator(_check_memory)]
Url = Annotated[str, AfterValidator(check_url)]
