"""Shared test helpers: run the real program under mocks, look resources up by ID."""

from __future__ import annotations

import fcntl
import functools
import gc
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import pytest

if TYPE_CHECKING:
    from tools.engine.harness import ProgramRun, Registration
    from tools.engine.stack_config import StackConfig

# The program and the tools are imported where first used, not here: pytest-xdist's controller
# process loads this file too, and runs no test.

PROJECT = "langsmith-aws"


_RUNS: dict[tuple[Any, ...], ProgramRun] = {}


def run_program(config: Mapping[str, Any], *, stack: str, project: str = PROJECT,
                secret_keys: frozenset[str] | set[str] = frozenset(), preview: bool = False,
                program: Any = None, secret_paths: frozenset[str] | None = None) -> ProgramRun:
    """`tools.engine.harness.run_program`, memoised: the program is deterministic for a given config,
    so tests that need the same stack share one run (it is the slow part of the suite)."""
    from tools.engine.harness import run_program as _run_program

    if program is not None:
        return _run_program(config, stack=stack, project=project, secret_keys=secret_keys, preview=preview,
                            program=program, secret_paths=secret_paths)
    paths = None if secret_paths is None else sorted(secret_paths)
    cache_key = (stack, project, tuple(sorted(config.items())), frozenset(secret_keys), preview,
                 None if paths is None else tuple(paths))
    if cache_key not in _RUNS:
        def compute() -> ProgramRun:
            return _run_program(config, stack=stack, project=project, secret_keys=secret_keys, preview=preview,
                                secret_paths=secret_paths)
        # A preview run holds unknown sentinels, which do not survive pickling: only real runs are shared.
        _RUNS[cache_key] = compute() if preview else _shared_between_workers(
            [stack, project, sorted(config.items()), sorted(secret_keys), paths], compute)
    return _RUNS[cache_key]


def _shared_runs_folder(run_id: str) -> Path:
    return Path(tempfile.gettempdir()) / f"langsmith-aws-test-runs-{run_id}"


def pytest_configure(config: pytest.Config) -> None:
    # The controller names the run, so that it can remove the workers' shared recordings at the end.
    if not hasattr(config, "workerinput") and config.pluginmanager.hasplugin("xdist") \
            and not config.getoption("testrunuid", None):
        config.option.testrunuid = uuid.uuid4().hex


def pytest_collection_finish(session: pytest.Session) -> None:
    # Everything imported so far (the provider SDKs' thousand-odd modules, the catalogues) lives
    # until the process ends: moved out of the collector's reach, it is not re-scanned by every
    # full collection the tests' allocations trigger (about a fifth of a program run's CPU).
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    run_id = config.getoption("testrunuid", None) if not hasattr(config, "workerinput") else None
    if run_id:
        shutil.rmtree(_shared_runs_folder(run_id), ignore_errors=True)


def _shared_between_workers(key: Any, compute: Callable[[], ProgramRun]) -> ProgramRun:
    """Under pytest-xdist, one worker runs the program for a config and the others load its
    recording, so that two workers do not each pay for the same run. Outside xdist: just run."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run_id:
        return compute()
    folder = _shared_runs_folder(run_id)
    folder.mkdir(exist_ok=True)
    digest = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:32]
    with open(folder / f"{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits here while this one runs it
        recorded = folder / f"{digest}.pickle"
        if recorded.exists():
            return pickle.loads(recorded.read_bytes())
        run = compute()  # a ConfigError propagates and records nothing
        recorded.write_bytes(pickle.dumps(run))
        return run


@pytest.fixture(autouse=True)
def _share_preview_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # The preview and the README generator run the committed stacks the tests run too.
    import tools.docs
    import tools.preview

    monkeypatch.setattr(tools.preview, "run_program", run_program)
    monkeypatch.setattr(tools.docs, "run_program", run_program)


def key(name: str) -> str:
    return f"{PROJECT}:{name}"


@functools.cache
def _committed_stack(stack: str) -> StackConfig:
    # Read once per session: run_stack starts from it about 270 times, most of them answered by the memo.
    from tools.engine.stack_config import load_stack_config

    return load_stack_config(stack=stack)


def stack_values(stack: str) -> tuple[dict[str, str], frozenset[str]]:
    config = _committed_stack(stack)
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
    # The stack file as it is: its encrypted entries are known (and the run is the preview's, shared).
    as_filed = not (overrides or secret or drop)
    return run_program(values, stack=stack, project=PROJECT, secret_keys=frozenset(secret_keys), preview=preview,
                       secret_paths=_committed_stack(stack).secret_paths if as_filed else None)


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


EXAMPLE_START, EXAMPLE_END = "# example: deployments", "# end of example"


def deployments_example() -> dict[str, Any]:
    """The prod stack's `langsmith` with the commented LangSmith Deployment example turned on, exactly
    as stacks/Pulumi.prod.yaml writes it (its lines between the markers, uncommented)."""
    import yaml

    text = (Path(__file__).resolve().parent.parent / "stacks" / "Pulumi.prod.yaml").read_text()
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == EXAMPLE_START)
    end = next(i for i, line in enumerate(lines) if line.strip() == EXAMPLE_END)
    # Each line is "<indent># <yaml>": what follows the first "# " keeps the block's own indentation.
    example = yaml.safe_load("\n".join(line.split("# ", 1)[1] for line in lines[start + 1:end]))
    values, _ = stack_values("prod")
    return {**json.loads(values[key("langsmith")]), **example}


@pytest.fixture(scope="session")
def deployments_run() -> ProgramRun:
    """The prod stack with the shipped LangSmith Deployment example on."""
    return run_stack("prod", {"langsmith": deployments_example()})
