"""Constants the program takes from an upstream project's source at its pinned tag (see generate.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

UPSTREAM_DIR = Path(__file__).resolve().parent


def envoy_gateway_facts(version: str) -> dict[str, Any]:
    """The Envoy proxy ports Envoy Gateway `version` configures (file written by data/upstream/generate.py)."""
    path = UPSTREAM_DIR / f"envoy-gateway-{version}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path.name} is missing: the Envoy Gateway pin moved to {version}; run "
            f"`.venv/bin/python -m data.upstream.generate --envoy-gateway <git dir of envoyproxy/gateway>`")
    return json.loads(path.read_text())
