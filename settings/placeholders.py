"""Documentation values the shipped stack files carry, which must never reach AWS.

The offline preview warns about each one it finds; a real `pulumi up` (not a preview) refuses to
start while any is left. The preflight reports them too.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from typing import Any, Iterator, Mapping, NamedTuple

from settings.json_values import leaves, parsed_json_document

# Values reserved for documentation: RFC 2606 domains, RFC 5737 address blocks, and the hosted
# zone ID and secret markers our stack files use as examples.
PLACEHOLDER_DOMAIN_SUFFIXES = ("example.com", "example.net", "example.org")
PLACEHOLDER_CIDRS = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
PLACEHOLDER_HOSTED_ZONE_IDS = ("Z0000000000000EXAMPLE",)
# `secure:` values written as `v1:placeholder-...` cannot be decrypted by the CLI; offline they
# read as tools.engine.stack_config.OFFLINE_SECRET_PLACEHOLDER.
PLACEHOLDER_SECRET_PREFIX = "v1:placeholder"

# The offline preview's stand-in for every `secure:` value (it cannot decrypt them); kept in step
# with tools.engine.stack_config.OFFLINE_SECRET_PLACEHOLDER (which is this value).
OFFLINE_SECRET_VALUE = "offline-preview-placeholder-secret-0000"

_DOMAIN = re.compile(r"(?:^|[@/.])(example\.(?:com|net|org))(?:$|[/:?#])", re.IGNORECASE)
_DOCUMENTATION_NETWORKS = tuple(ipaddress.IPv4Network(c) for c in PLACEHOLDER_CIDRS)


class Placeholder(NamedTuple):
    key: str
    value: str
    why: str


def _why(value: str) -> str | None:
    if value == OFFLINE_SECRET_VALUE or value.startswith(PLACEHOLDER_SECRET_PREFIX):
        return "a placeholder secret: set it with `pulumi config set --secret`"
    if value in PLACEHOLDER_HOSTED_ZONE_IDS:
        return "the documentation hosted zone ID: use your Route53 zone's ID"
    if _DOMAIN.search(value) or value.lower() in PLACEHOLDER_DOMAIN_SUFFIXES:
        return "a documentation domain (RFC 2606): use your own"
    if "/" in value and value[:1].isdigit():
        try:
            network = ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            return None
        if any(network.subnet_of(doc) for doc in _DOCUMENTATION_NETWORKS):
            return "a documentation address block (RFC 5737): list your real egress CIDRs"
    return None


def find_placeholders(values: Mapping[str, Any], secret_keys: frozenset[str] | set[str] = frozenset()) -> list[Placeholder]:
    """Every documentation value in a stack's raw config (`{"project:key": value}`); secrets not shown."""
    found: list[Placeholder] = []
    for full_key, raw in sorted(values.items()):
        for path, text in leaves(parsed_json_document(raw), full_key):
            if not isinstance(text, str):
                continue
            why = _why(text)
            if why is not None:
                shown = "[secret]" if full_key in secret_keys else text
                found.append(Placeholder(path, shown, why))
    return found


_offline_runs = 0


@contextlib.contextmanager
def offline_run() -> Iterator[None]:
    """Mark a run of the program under mocks (the offline preview, the tests) as not reaching AWS."""
    global _offline_runs
    _offline_runs += 1
    try:
        yield
    finally:
        _offline_runs -= 1


def offline() -> bool:
    """Whether the program runs under the offline harness (mocks), not the Pulumi CLI."""
    return _offline_runs > 0


def reaches_aws(dry_run: bool) -> bool:
    """Whether this run creates real resources: a `pulumi up`, not a preview and not an offline run."""
    return not dry_run and _offline_runs == 0
