"""How the collectors run commands: through a runner, so tests replay recorded real outputs."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Protocol, Sequence


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Runner(Protocol):
    def run(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> CommandResult: ...


class SubprocessRunner:
    """Runs the command on this machine; a missing program or a timeout is a failed result, never a crash."""

    def __init__(self, timeout_seconds: float = 120) -> None:
        self.timeout_seconds = timeout_seconds

    def run(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> CommandResult:
        try:
            done = subprocess.run(list(argv), capture_output=True, text=True, timeout=self.timeout_seconds,
                                  env={**os.environ, **(env or {})}, check=False)
        except FileNotFoundError:
            return CommandResult(tuple(argv), 127, "", f"{argv[0]}: command not found")
        except subprocess.TimeoutExpired:
            return CommandResult(tuple(argv), 124, "", f"timed out after {self.timeout_seconds:g} s")
        return CommandResult(tuple(argv), done.returncode, done.stdout, done.stderr)


class RecordedRunner:
    """Replays recordings: a JSON list of {"argv": [...], "returncode", "stdout", "stderr"}, or
    {"argv", "returncode", "stdout_file"} naming a file beside it. A command not recorded fails
    with exit 127, as a missing tool would; `calls` lists what was asked, in order."""

    def __init__(self, recordings: Path) -> None:
        self.calls: list[tuple[str, ...]] = []
        self._results: dict[tuple[str, ...], CommandResult] = {}
        for record in json.loads(recordings.read_text()):
            argv = tuple(record["argv"])
            stdout = (recordings.parent / record["stdout_file"]).read_text() if "stdout_file" in record \
                else record.get("stdout", "")
            self._results[argv] = CommandResult(argv, record.get("returncode", 0), stdout, record.get("stderr", ""))

    def run(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> CommandResult:
        key = tuple(argv)
        self.calls.append(key)
        return self._results.get(key, CommandResult(key, 127, "", f"not recorded: {' '.join(key)}"))
