"""Config values and plan properties that hold a JSON document as text."""

from __future__ import annotations

import json
from typing import Any


def parsed_json_document(value: Any) -> Any:
    """A JSON object or array held in a string (config objects, IAM policies, Helm values),
    parsed; any other value, or text that is not JSON, as it is."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
