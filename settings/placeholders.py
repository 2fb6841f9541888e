"""Documentation values the shipped stack files carry, which must never reach AWS.

The offline preview warns about each one it finds; a real `pulumi up` (not a preview) refuses to
start while any is left. The preflight reports them too.
"""

from __future__ import annotations

# Values reserved for documentation: RFC 2606 domains, RFC 5737 address blocks, and the hosted
# zone ID and secret markers our stack files use as examples.
PLACEHOLDER_DOMAIN_SUFFIXES = ("example.com", "example.net", "example.org")
PLACEHOLDER_CIDRS = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
PLACEHOLDER_HOSTED_ZONE_IDS = ("Z0000000000000EXAMPLE",)
# `secure:` values written as `v1:placeholder-...` cannot be decrypted by the CLI; offline they
# read as tools.stack_config.OFFLINE_SECRET_PLACEHOLDER.
PLACEHOLDER_SECRET_PREFIX = "v1:placeholder"
