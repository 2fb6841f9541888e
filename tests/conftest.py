"""Shared test helpers: run the real program under mocks, look resources up by ID."""

from __future__ import annotations

import json
from typing import Any, Mapping

import pytest

from tools.harness import ProgramRun, Registration, run_program
from tools.stack_config import load_stack_config

PROJECT = "langsmith-aws"


def key(name: str) -> str:
    return f"{PROJECT}:{name}"


def stack_values(stack: str) -> tuple[dict[str, str], frozenset[str]]:
    config = load_stack_config(stack=stack)
    return dict(config.values), config.secret_keys


def run_stack(stack: str, overrides: Mapping[str, Any] | None = None, *, preview: bool = False,
              secret: tuple[str, ...] = (), drop: tuple[str, ...] = ()) -> ProgramRun:
    """Run `__main__.py` with the committed stack file, some keys overridden (objects as dicts).

    `secret` names overridden keys set as secrets; `drop` removes keys from the stack file.
    """
    values, stack_secrets = stack_values(stack)
    secret_keys = set(stack_secrets)
    for name in (*drop, *(overrides or {})):
        values.pop(name if ":" in name else key(name), None)
        secret_keys.discard(name if ":" in name else key(name))
    for name, value in (overrides or {}).items():
        full = name if ":" in name else key(name)
        values[full] = value if isinstance(value, str) else json.dumps(value)
    secret_keys |= {name if ":" in name else key(name) for name in secret}
    return run_program(values, stack=stack, project=PROJECT, secret_keys=frozenset(secret_keys), preview=preview)


def by_id(run: ProgramRun) -> dict[str, Registration]:
    return {r.id: r for r in run.registrations if r.id}


def policy(registration: Registration, field: str = "policy") -> dict[str, Any]:
    value = registration.inputs[field]
    return json.loads(value) if isinstance(value, str) else value


@pytest.fixture(scope="session")
def dev_run() -> ProgramRun:
    return run_stack("dev")


@pytest.fixture(scope="session")
def prod_run() -> ProgramRun:
    return run_stack("prod")
