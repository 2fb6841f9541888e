"""This project's release version (the file VERSION, the one place it is written) and its rule:
MAJOR.MINOR is the LangSmith chart line the release supports and deploys by default
(components/versions.py, LANGSMITH); PATCH counts our releases on that line (docs/releases.md)."""

from __future__ import annotations

import re

from components.versions import LANGSMITH, LANGSMITH_SUPPORTED_VERSIONS
from tools.engine.harness import PROJECT_ROOT

VERSION_FILE = PROJECT_ROOT / "VERSION"
CHANGELOG = PROJECT_ROOT / "CHANGELOG.md"
VERSION_FORMAT = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
ENTRY_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) \((\d{4}-\d{2}-\d{2})\)$", re.M)


def version() -> str:
    return VERSION_FILE.read_text().strip()


def line_of(chart_or_release_version: str) -> str:
    """`0.16.11` -> `0.16`."""
    return ".".join(chart_or_release_version.split(".")[:2])


def rule_problems(release: str) -> list[str]:
    """What breaks the versioning rule, if anything."""
    if not VERSION_FORMAT.match(release):
        return [f"VERSION {release!r} is not MAJOR.MINOR.PATCH"]
    problems = []
    if line_of(release) != line_of(LANGSMITH.version):
        problems.append(f"VERSION {release} is not on the chart line {line_of(LANGSMITH.version)} "
                        f"(langsmith chart {LANGSMITH.version} in components/versions.py): a new chart line "
                        f"starts at {line_of(LANGSMITH.version)}.0")
    other_lines = sorted({line_of(v) for v in LANGSMITH_SUPPORTED_VERSIONS} - {line_of(LANGSMITH.version)})
    if other_lines:
        problems.append(f"LANGSMITH_SUPPORTED_VERSIONS spans other chart lines {other_lines}: a release supports one")
    return problems


def changelog_entries(text: str | None = None) -> dict[str, str]:
    """{release: its entry's text}, newest first as written."""
    text = CHANGELOG.read_text() if text is None else text
    heads = list(ENTRY_HEADING.finditer(text))
    return {m.group(1): text[m.end():(heads[i + 1].start() if i + 1 < len(heads) else len(text))]
            for i, m in enumerate(heads)}
