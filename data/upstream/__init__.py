"""Constants the program takes from an upstream project's source at its pinned tag (see generate.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

UPSTREAM_DIR = Path(__file__).resolve().parent


def read_facts(filename: str, why_missing: str, regenerate: str) -> dict[str, Any]:
    """A data file of this folder, or an error saying which pin moved and the command that writes it."""
    path = UPSTREAM_DIR / filename
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is missing: {why_missing}; run `.venv/bin/python -m {regenerate}`")
    return json.loads(path.read_text())


def envoy_gateway_facts(version: str) -> dict[str, Any]:
    """The Envoy proxy ports Envoy Gateway `version` configures (file written by data/upstream/generate.py)."""
    return read_facts(f"envoy-gateway-{version}.json", f"the Envoy Gateway pin moved to {version}",
                      "data.upstream.generate --envoy-gateway <git dir of envoyproxy/gateway>")
