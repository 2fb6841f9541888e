"""Config values and plan properties that hold a JSON document as text."""

from __future__ import annotations

import json
from typing import Any, Iterator, Mapping


def parsed_json_document(value: Any) -> Any:
    """A JSON object or array held in a string (config objects, IAM policies, Helm values),
    parsed; any other value, or text that is not JSON, as it is."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every scalar of a nested config value with its path (`a.b[0].c`), mappings and lists walked."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, value
