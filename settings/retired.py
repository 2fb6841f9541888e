"""Config keys a release renamed or removed, so the loader can name what replaces them instead of
calling them unknown. Every entry has its migration note in CHANGELOG.md under its release
(tests/test_releases.py holds the two together; docs/releases.md says when to add one).

A path is dotted, with `[]` for "any item of this list": `hybrid.listeners[].ownsCrds`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Iterator


@dataclass(frozen=True)
class RetiredKey:
    old: str
    new: str | None  # None: removed, nothing replaces it
    release: str     # the release (VERSION) whose CHANGELOG entry carries the migration note
    why: str

    def message(self) -> str:
        if self.new is not None:
            return (f"was renamed to '{self.new}' in release {self.release}: set '{self.new}' instead ({self.why}); "
                    "see the migration note in CHANGELOG.md")
        return (f"was removed in release {self.release}: {self.why}; remove the key "
                "(see the migration note in CHANGELOG.md)")


RETIRED_KEYS: tuple[RetiredKey, ...] = (
    RetiredKey("hybrid.listeners[].ownsCrds", None, "0.16.0",
               "the stack installs the LangGraph operator's LGP CRD once, outside every listener release"),
)


def _segments(path: str) -> list[tuple[str, bool]]:
    """`a.b[].c` -> [("a", False), ("b", True), ("c", False)]: (key, is a list of items)."""
    return [(part.removesuffix("[]"), part.endswith("[]")) for part in path.split(".")]


def _walk(node: Any, segments: list[tuple[str, bool]], shown: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(concrete path, the mapping that holds the last key, that key) for each place the path occurs."""
    if not isinstance(node, dict) or not segments:
        return
    (key, is_list), rest = segments[0], segments[1:]
    if key not in node:
        return
    here = f"{shown}.{key}" if shown else key
    if not rest:
        yield here, node, key
    elif is_list:
        items = node[key]
        if isinstance(items, list):
            for i, item in enumerate(items):
                yield from _walk(item, rest, f"{here}[{i}]")
    else:
        yield from _walk(node[key], rest, here)


def pop_retired(values: dict[str, Any], table: tuple[RetiredKey, ...] = RETIRED_KEYS
                ) -> tuple[dict[str, Any], list[tuple[str, Any, RetiredKey]]]:
    """The values without the retired keys they set, and (where, value, entry) for each one found."""
    found: list[tuple[str, Any, RetiredKey]] = []
    cleaned = copy.deepcopy(values)
    for entry in table:
        for where, holder, key in list(_walk(cleaned, _segments(entry.old), "")):
            found.append((where, holder[key], entry))
            del holder[key]
    return cleaned, found
