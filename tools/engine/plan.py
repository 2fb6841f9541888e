"""The offline plan: what a run of the program registered, in the documented JSON format.

Format (a contract: fields are only ever added):

    {"project": str, "stack": str,
     "resources": [{"urn", "type", "name", "custom", "parent", "dependencies", "protect",
                    "retain_on_delete", "inputs", "id", "outputs"}],
     "outputs": {...},
     "violations": [{"policy", "enforcement", "urn", "message"}]}

Every secret value, wherever it sits, is written as "[secret]"; values the engine would only know
after deploy are written as "[unknown]".

`stable_order` puts a plan in one canonical order (resources by URN, object keys sorted,
violations sorted): the engine registers resources concurrently, so two runs of the same config
register them in different orders, and only an ordered plan diffs cleanly.
"""

from __future__ import annotations

from typing import Any

from pulumi.output import Unknown
from pulumi.runtime import rpc

from tools.engine.harness import ProgramRun
from tools.engine.mocks import is_secret

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


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(v) for v in value]
    return value


def sorted_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(violations, key=lambda v: (str(v.get("urn", "")), str(v.get("policy", "")),
                                             str(v.get("message", ""))))


PLAN_FIELDS = ("project", "stack", "resources", "outputs", "violations")
RESOURCE_FIELDS = ("urn", "type", "name", "custom", "parent", "dependencies", "protect",
                   "retain_on_delete", "inputs", "id", "outputs")


def _in_field_order(record: dict[str, Any], documented: tuple[str, ...]) -> dict[str, Any]:
    """Documented fields first in their documented order, any added field after, by name."""
    names = [f for f in documented if f in record] + sorted(f for f in record if f not in documented)
    return {name: record[name] for name in names}


def stable_order(plan: dict[str, Any]) -> dict[str, Any]:
    """The same plan in canonical order: resources by URN, documented fields in their order,
    object keys inside inputs and outputs sorted, violations sorted. Lists inside inputs keep
    their order, which can be meaningful."""
    ordered = _in_field_order(dict(plan), PLAN_FIELDS)
    ordered["resources"] = [
        _in_field_order({name: _sorted_keys(value) for name, value in r.items()}, RESOURCE_FIELDS)
        for r in sorted(plan["resources"], key=lambda r: r["urn"])]
    ordered["outputs"] = _sorted_keys(plan.get("outputs", {}))
    ordered["violations"] = sorted_violations(list(plan.get("violations", [])))
    return ordered


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
