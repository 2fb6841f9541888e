"""Secrets out of everything the bundle holds: known shapes of secrets (LangSmith API keys, JWTs,
AWS keys, private keys, credentials in URLs, values of keys that name a secret) and, literally,
the stack's own secret config values wherever they appear."""

from __future__ import annotations

import re
from typing import Iterable

MASK = "[REDACTED]"

# Names that make the value beside them a secret: `password: x`, "apiKey": "x", TOKEN=x,
# --client-secret x. `[\w-]*` lets prefixes and suffixes through (POSTGRES_PASSWORD, licenseKey).
_SECRET_NAME = (r"[\w-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|license[_-]?key|licensekey"
                r"|private[_-]?key|access[_-]?key|auth[_-]?key|credentials?|session[_-]?key|jwt|salt"
                r"|signing[_-]?key|encryption[_-]?key)[\w-]*")
# Key names that match the pattern but carry no secret: kept so the bundle stays readable.
_NOT_SECRET = re.compile(r"(?i)^(?:secretArns?|[\w-]*secret[_-]?(?:arn|name|ref|key[_-]?ref|keyref)s?|"
                         r"secretName|[\w-]*tokenExpirationSeconds|[\w-]*token[_-]?(?:url|endpoint|path|file)|"
                         r"serviceAccountToken|automountServiceAccountToken|[\w-]*credentials?[_-]?(?:provider|file|source|process)|"
                         r"[\w-]*access[_-]?key[_-]?id|[\w-]*secretsmanager[\w-]*)$")

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S)),
    ("LangSmith API key", re.compile(r"\blsv2_[A-Za-z0-9_]{8,}|\bls__[A-Za-z0-9]{16,}")),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")),
    ("AWS access key ID", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b")),
    ("bearer token", re.compile(r"(?i)(?<=\bbearer )[A-Za-z0-9._~+/=-]{8,}")),
    ("basic auth", re.compile(r"(?i)(?<=\bbasic )[A-Za-z0-9+/=]{8,}")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}")),
    ("Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
)
# scheme://user:password@host -> scheme://user:[REDACTED]@host (also scheme://:password@host).
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@'\"]*):([^\s@/'\"]+)@")
# name: value, name=value, "name": "value", name "value" (the value quoted, or up to a delimiter).
_NAMED = re.compile(
    r"(?i)(?P<lead>[\"']?)\b(?P<name>" + _SECRET_NAME + r")(?P=lead)(?P<sep>\s*[:=]\s*)"
    r"(?:\"(?P<dq>[^\"\n]*)\"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s,;}\]\)\"']+))")
_FLAG = re.compile(r"(?i)(?P<flag>--" + _SECRET_NAME + r")(?P<sep>[ =])(?P<value>[^\s\"']+)")
# Kubernetes env entries in JSON: {"name": "POSTGRES_PASSWORD", "value": "..."}.
_ENV_ENTRY = re.compile(r"(?i)(?P<head>\"name\"\s*:\s*\"" + _SECRET_NAME + r"\"\s*,\s*\"value\"\s*:\s*\")"
                        r"(?P<value>[^\"]*)\"")


class Redactor:
    """Replaces secrets with [REDACTED]; `counts` says how many of each kind it replaced."""

    def __init__(self, literals: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is replaced whole. Very short values
        # (`true`, a port) would blank ordinary text and are left to the patterns.
        self.literals = sorted({s for s in literals if len(s) >= 6}, key=len, reverse=True)
        self.counts: dict[str, int] = {}

    def _count(self, kind: str, n: int) -> None:
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n

    def redact(self, text: str) -> str:
        for literal in self.literals:
            n = text.count(literal)
            if n:
                text = text.replace(literal, MASK)
                self._count("stack secret value", n)
        for kind, pattern in _PATTERNS:
            text, n = pattern.subn(MASK, text)
            self._count(kind, n)
        text, n = _URL_CREDENTIALS.subn(lambda m: f"{m.group(1)}:{MASK}@" if m.group(2) != MASK else m.group(0), text)
        self._count("URL credentials", n)
        text = _NAMED.sub(self._named, text)
        text = _ENV_ENTRY.sub(self._env_entry, text)
        text = _FLAG.sub(lambda m: self._masked(m, "flag"), text)
        return text

    def _named(self, m: re.Match[str]) -> str:
        group = next(g for g in ("dq", "sq", "bare") if m.group(g) is not None)
        value = m.group(group)
        if _NOT_SECRET.match(m.group("name")) or _harmless(value) or value.startswith(MASK[:-1]):
            return m.group(0)
        self._count("named secret", 1)
        start, end = m.start(group) - m.start(0), m.end(group) - m.start(0)
        return m.group(0)[:start] + MASK + m.group(0)[end:]

    def _env_entry(self, m: re.Match[str]) -> str:
        if _harmless(m.group("value")) or m.group("value").startswith(MASK[:-1]):
            return m.group(0)
        self._count("named secret", 1)
        return f'{m.group("head")}{MASK}"'

    def _masked(self, m: re.Match[str], kind: str) -> str:
        if m.group("value").startswith(MASK[:-1]):
            return m.group(0)
        self._count(kind, 1)
        return f"{m.group('flag')}{m.group('sep')}{MASK}"


def _harmless(value: str) -> bool:
    """Values that name or point to a secret rather than being one: references, booleans, nulls,
    a Kubernetes secretKeyRef block's opening, the `[secret]` Pulumi prints for a hidden value."""
    v = value.strip().strip("\"'")
    return v.lower() in {"", "true", "false", "null", "none", "{", "[", "[secret]", "<redacted>", "***", "{}", "[]"} \
        or v.startswith(("arn:aws:", "${", "$(", "valueFrom", "secretKeyRef"))
