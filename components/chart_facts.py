"""Facts about a Helm chart at a pinned version, read from the data file `data/charts/generate.py` derives
from the chart's real source (data/charts/<chart>-<version>.json: value paths, workloads, hooks,
default requests and limits).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "charts"


@dataclass(frozen=True)
class ChartFacts:
    chart: str
    version: str
    source: Mapping[str, str]
    value_paths: frozenset[str]
    open_maps: frozenset[str]
    workloads: tuple[Mapping[str, Any], ...]
    defaults: Mapping[str, Any]
    # Paths the templates read that values.yaml does not define (no default, still a setting).
    template_only_paths: frozenset[str] = frozenset()

    def reads(self, path: str) -> bool:
        """Whether the chart's values define `path` (or it lies under a map the chart copies verbatim)."""
        if path in self.value_paths or path in self.template_only_paths:
            return True
        parts = path.split(".")
        return any(".".join(parts[:i]) in self.open_maps for i in range(1, len(parts)))

    def ignored(self, paths: set[str]) -> set[str]:
        return {p for p in paths if not self.reads(p)}


def chart_facts(chart: str, version: str) -> ChartFacts:
    return _load(chart, version)


@functools.cache
def _load(chart: str, version: str) -> ChartFacts:
    path = DATA_DIR / f"{chart}-{version}.json"
    if not path.exists():
        raise FileNotFoundError(f"no chart facts for {chart} {version}: run `python -m data.charts.generate` "
                                f"for tag {chart}-{version} ({path})")
    data = json.loads(path.read_text())
    return ChartFacts(chart=data["chart"], version=data["version"], source=data["source"],
                      value_paths=frozenset(data["valuePaths"]), open_maps=frozenset(data["openMaps"]),
                      workloads=tuple(data["workloads"]), defaults=data["defaults"],
                      template_only_paths=frozenset(data.get("templateOnlyPaths", ())))


def leaf_paths(values: Mapping[str, Any]) -> set[str]:
    """Dotted leaf paths of a values tree (lists and empty maps are leaves)."""
    return leaf_paths_and_open_maps(values)[0]


def leaf_paths_and_open_maps(values: Mapping[str, Any], prefix: str = "") -> tuple[set[str], set[str]]:
    """(leaf paths, open maps) of a values tree: a non-empty map is walked, anything else is a
    leaf; an empty map (annotations, nodeSelector) is also an open map, whose keys are free."""
    leaves: set[str] = set()
    open_maps: set[str] = set()
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            sub_leaves, sub_open = leaf_paths_and_open_maps(value, path + ".")
            leaves |= sub_leaves
            open_maps |= sub_open
        else:
            leaves.add(path)
            if isinstance(value, Mapping):
                open_maps.add(path)
    return leaves, open_maps


def lookup(values: Mapping[str, Any], path: str) -> Any:
    node: Any = values
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def merged(default: Any, override: Any) -> Any:
    """Helm's coalescing of a user value over a chart default: maps merge key by key, anything else replaces."""
    if isinstance(default, Mapping) and isinstance(override, Mapping):
        out = dict(default)
        for k, v in override.items():
            out[k] = merged(default.get(k), v)
        return out
    return default if override is None else override


class Values:
    """Effective values of a release: the user's values over the chart's recorded defaults."""

    def __init__(self, facts: ChartFacts, values: Mapping[str, Any]):
        self.facts, self.values = facts, values

    def get(self, path: str) -> Any:
        return merged(self.facts.defaults.get(path), lookup(self.values, path))

    def truthy(self, condition: str) -> bool:
        """Evaluate a template condition (`and`, `or`, `not`, `eq`, `ne`, `.Values.x`, strings)."""
        tokens = re.findall(r'\(|\)|"[^"]*"|[^\s()]+', condition)
        expression, rest = self._parse(tokens)
        if rest:
            raise ValueError(f"cannot evaluate chart condition {condition!r}")
        return _truth(expression)

    def _parse(self, tokens: list[str]) -> tuple[Any, list[str]]:
        """One call (function and arguments up to the closing parenthesis or the end)."""
        args: list[Any] = []
        while tokens and tokens[0] != ")":
            token, tokens = tokens[0], tokens[1:]
            if token == "(":
                value, tokens = self._parse(tokens)
                if not tokens or tokens[0] != ")":
                    raise ValueError("unbalanced parentheses in a chart condition")
                tokens = tokens[1:]
                args.append(value)
            elif token in ("and", "or", "not", "eq", "ne", "empty"):
                args.append(token)
            elif token.startswith(".Values."):
                args.append(self.get(token.removeprefix(".Values.")))
            elif token.startswith('"'):
                args.append(token[1:-1])
            elif token in ("true", "false"):
                args.append(token == "true")
            else:
                raise ValueError(f"unsupported token {token!r} in a chart condition")
        return _call(args), tokens


def _truth(value: Any) -> bool:
    return bool(value)


def _call(args: list[Any]) -> Any:
    if not args:
        return None
    head, rest = args[0], args[1:]
    if head == "and":
        return all(_truth(a) for a in rest)
    if head == "or":
        return any(_truth(a) for a in rest)
    if head == "not":
        return not _truth(_call(rest) if len(rest) > 1 else rest[0])
    if head == "eq":
        return rest[0] == rest[1]
    if head == "ne":
        return rest[0] != rest[1]
    if head == "empty":
        return not _truth(rest[0])
    if len(args) != 1:
        raise ValueError(f"unsupported chart condition arguments {args!r}")
    return head
