"""Run the real Pulumi program under mocks and record every registration.

The recording monitor keeps what the engine would receive for each resource: type, name, parent,
dependencies, options and inputs (secrets still marked), plus what the mocks answered. The offline
preview and the tests are both built on `run_program`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import runpy
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import rpc
from pulumi.runtime import sync_await as pulumi_sync_await
from pulumi.runtime.proto import resource_pb2, source_pb2
from pulumi.runtime.settings import reset_options
from pulumi.runtime.sync_await import _sync_await

from settings.placeholders import offline_run
from settings.secret_paths import stack_file_secrets
from tools.engine.mocks import AwsMocks

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROGRAM = PROJECT_ROOT / "__main__.py"


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    retain_on_delete: bool
    provider: str | None
    inputs: dict[str, Any]
    id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    # Output properties the provider schema marks secret (e.g. a RandomPassword's result).
    secret_outputs: list[str] = field(default_factory=list)
    # Input properties whose changes the engine ignores (ResourceOptions.ignore_changes).
    ignore_changes: list[str] = field(default_factory=list)
    # URNs this resource answers to besides its own (ResourceOptions.aliases): state under one of
    # them is moved, not deleted and re-created.
    aliases: list[str] = field(default_factory=list)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that records each registration request.

    It does not advertise resource references, so resources passed as inputs arrive as URN
    strings; that avoids the mock's worker thread rehydrating them on another event loop.
    """

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        # The inputs the mock monitor deserialized for the mocks, per worker thread (registrations
        # run concurrently): recorded as they are rather than deserialized a second time.
        self._seen = threading.local()
        new_resource = mocks.new_resource

        def seeing_inputs(args: pulumi.runtime.MockResourceArgs) -> Any:
            self._seen.inputs = args.inputs
            return new_resource(args)

        mocks.new_resource = seeing_inputs

    def GetDeploymentInfo(self, request: Any) -> Any:
        info = super().GetDeploymentInfo(request)
        return resource_pb2.DeploymentInfo(supportedFeatures=[
            f for f in info.supportedFeatures
            if f != resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES])

    def RegisterResource(self, request: Any) -> Any:
        self._seen.inputs = None
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = self._seen.inputs
        urn = response.urn
        registered = self.resources.get(urn)
        self.registrations.append(Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent or None,
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            provider=request.provider or None,
            inputs=inputs if inputs is not None else rpc.deserialize_properties(request.object),
            id=registered.id if registered else None,
            outputs=dict(registered.state) if registered else {},
            secret_outputs=list(request.additionalSecretOutputs),
            ignore_changes=list(request.ignoreChanges),
            aliases=alias_urns(request, urn),
        ))
        return response


def _type_chain(urn: str) -> str:
    """`urn:pulumi:s::p::A$B::name` -> `A$B`: the qualified type of the resource the URN names, as its
    children's URNs carry it (the root stack's type is no part of them)."""
    return urn.split("::")[2].removeprefix("pulumi:pulumi:Stack").removeprefix("$")


def alias_urns(request: Any, urn: str) -> list[str]:
    """The URNs of a registration's aliases, as the engine computes them: an alias is a URN, or a spec
    whose missing parts are the resource's own (name, type, stack, project, parent)."""
    stack, project = urn.split("::")[0].removeprefix("urn:pulumi:"), urn.split("::")[1]
    found: list[str] = []
    for alias in request.aliases:  # RegisterResourceRequest.aliases: Alias {urn | spec}
        if isinstance(alias, str) or alias.WhichOneof("alias") == "urn":
            found.append(str(alias if isinstance(alias, str) else alias.urn))
            continue
        spec = alias.spec
        parent = "" if spec.noParent else (spec.parentUrn or request.parent)
        type_ = spec.type or request.type
        chain = _type_chain(parent) if parent else ""
        qualified = f"{chain}${type_}" if chain else type_
        found.append(f"urn:pulumi:{spec.stack or stack}::{spec.project or project}::{qualified}::"
                     f"{spec.name or request.name}")
    return found


@dataclass
class ProgramRun:
    project: str
    stack: str
    registrations: list[Registration]
    outputs: dict[str, Any]
    secret_outputs: set[str]

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_)]
            raise AssertionError(f"expected one {type_} named {name!r}, found {len(found)} among {names}")
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        for r in self.registrations:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def children_of(self, urn: str) -> list[Registration]:
        return [r for r in self.registrations if r.parent == urn]


class _WorkerLoops:
    """Close the event loops the mock monitor opens on executor threads.

    Left to the garbage collector, they are finalised at interpreter exit after their sockets,
    and each prints an "Invalid file descriptor" traceback.
    """

    def __init__(self) -> None:
        self.loops: list[asyncio.AbstractEventLoop] = []
        self._original = pulumi_sync_await._ensure_event_loop

    def _ensure_event_loop(self) -> asyncio.AbstractEventLoop:
        try:
            return asyncio.get_event_loop()
        except RuntimeError:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self.loops.append(loop)
            return loop

    def __enter__(self) -> "_WorkerLoops":
        pulumi_sync_await._ensure_event_loop = self._ensure_event_loop
        pulumi_mocks._ensure_event_loop = self._ensure_event_loop
        return self

    def __exit__(self, *exc: object) -> None:
        pulumi_sync_await._ensure_event_loop = self._original
        pulumi_mocks._ensure_event_loop = self._original
        for loop in self.loops:
            if not loop.is_closed():
                loop.close()


@contextlib.contextmanager
def _without_source_positions() -> Iterator[None]:
    """Skip the stack trace the SDK captures for every registration.

    The engine uses it to point at the line that declared a resource; the recording monitor keeps
    no source positions, and walking the stack (a source line and a file URI per frame) costs about
    a sixth of each run.
    """
    original = pulumi_resource._get_stack_trace
    pulumi_resource._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        pulumi_resource._get_stack_trace = original


@contextlib.contextmanager
def _one_garbage_collection() -> Iterator[None]:
    """Collect the run's garbage once, when it ends, instead of during it.

    A run keeps nearly everything it allocates (outputs, futures, resources) alive until it ends, so
    collections during it only re-scan live objects, and in a process that holds the provider SDKs
    that re-scanning costs a fifth of the run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect(generation=0)  # what the run allocated is all still in the young generation


def _fresh_event_loop() -> asyncio.AbstractEventLoop:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop


def _close_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()
    asyncio.set_event_loop(None)


async def _resolve_outputs(outputs: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    values: dict[str, Any] = {}
    secret: set[str] = set()
    for name, value in outputs.items():
        output = pulumi.Output.from_input(value)
        values[name] = await output.future(with_unknowns=True)
        if await output.is_secret():
            secret.add(name)
    return values, secret


def run_program(
    config: Mapping[str, Any],
    *,
    stack: str,
    project: str = "langsmith-aws",
    secret_keys: set[str] | frozenset[str] = frozenset(),
    preview: bool = False,
    program: Callable[[], None] | None = None,
    as_real_deploy: bool = False,
    secret_paths: frozenset[str] | None = None,
) -> ProgramRun:
    """Run `program` (default: the project's `__main__.py`) under mocks with `config`.

    Exceptions raised by the program (including `settings.ConfigError`) propagate to the caller.
    A run under mocks reaches no AWS account, so the program's "real `pulumi up`" guards
    (documentation placeholders) stay off unless `as_real_deploy` asks for them. `secret_paths`: the
    stack file's encrypted entries (StackConfig.secret_paths), checked entry by entry when given.
    """
    loop = _fresh_event_loop()
    reset_options()
    mocks = AwsMocks(region=str(config.get("aws:region", "us-east-1")))
    monitor = RecordingMonitor(mocks)
    mocks.monitor = monitor
    try:
        with _one_garbage_collection(), _WorkerLoops(), _without_source_positions(), \
                (contextlib.nullcontext() if as_real_deploy else offline_run()), stack_file_secrets(secret_paths):
            pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
            pulumi.runtime.set_all_config({k: str(v) for k, v in config.items()}, list(secret_keys))

            def default_program() -> None:
                runpy.run_path(str(PROGRAM), run_name="__main__")

            pulumi_mocks.test(program or default_program)()
            root = pulumi.runtime.settings.get_root_resource()
            stack_outputs: Mapping[str, Any] = getattr(root, "outputs", {}) or {}
            values, secret = _sync_await(_resolve_outputs(stack_outputs))
            return ProgramRun(project=project, stack=stack, registrations=list(monitor.registrations),
                              outputs=values, secret_outputs=secret)
    finally:
        pulumi.runtime.set_all_config({}, [])
        _close_event_loop(loop)
        reset_options()
