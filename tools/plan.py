"""The offline plan: what a run of the program registered, in the documented JSON format.

Format (a contract: fields are only ever added):

    {"project": str, "stack": str,
     "resources": [{"urn", "type", "name", "custom", "parent", "dependencies", "protect",
                    "retain_on_delete", "inputs", "id", "outputs"}],
     "outputs": {...},
     "violations": [{"policy", "enforcement", "urn", "message"}]}

Every secret value, wherever it sits, is written as "[secret]"; values the engine would only know
after deploy are written as "[unknown]".
"""

from __future__ import annotations

from typing import Any

from pulumi.output import Unknown
from pulumi.runtime import rpc

from tools.harness import ProgramRun
from tools.mocks import is_secret

SECRET = "[secret]"
UNKNOWN = "[unknown]"


def mask(value: Any) -> Any:
    """Replace every secret (as the engine marks it) by "[secret]", recursively."""
    if is_secret(value):
        return SECRET
    if isinstance(value, Unknown) or value == rpc.UNKNOWN:
        return UNKNOWN
    if isinstance(value, dict):
        return {str(k): mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only floats; plans read better with integers
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def build_plan(run: ProgramRun, violations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    resources = []
    for r in run.registrations:
        resources.append({
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "custom": r.custom,
            "parent": r.parent,
            "dependencies": sorted(set(r.dependencies)),
            "protect": r.protect,
            "retain_on_delete": r.retain_on_delete,
            "inputs": mask(r.inputs),
            "id": r.id,
            "outputs": {k: SECRET if k in r.secret_outputs else mask(v) for k, v in r.outputs.items()},
        })
    outputs = {name: SECRET if name in run.secret_outputs else mask(value)
               for name, value in sorted(run.outputs.items())}
    return {
        "project": run.project,
        "stack": run.stack,
        "resources": resources,
        "outputs": outputs,
        "violations": list(violations or []),
    }
