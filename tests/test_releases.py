"""Releases: one version on the supported chart line, a CHANGELOG entry per release, and a migration
note plus a loader message naming the new key for every renamed or removed config key."""

from __future__ import annotations

from typing import Any

import pytest

from components.versions import LANGSMITH
from settings import ConfigError
from settings import loader
from settings.retired import RETIRED_KEYS, RetiredKey, pop_retired
from tests.conftest import run_stack
from tools.engine import release


def test_the_version_is_on_the_chart_line_the_code_pins() -> None:
    assert release.rule_problems(release.version()) == []
    assert release.version().startswith(release.line_of(LANGSMITH.version) + ".")


def test_the_rule_catches_a_version_off_the_chart_line() -> None:
    (problem,) = release.rule_problems("0.15.3")
    assert "0.16" in problem and "components/versions.py" in problem
    assert release.rule_problems("1.0") == ["VERSION '1.0' is not MAJOR.MINOR.PATCH"]


def test_the_changelog_starts_with_this_version_and_every_entry_has_both_sections() -> None:
    entries = release.changelog_entries()
    assert next(iter(entries)) == release.version()
    for version, text in entries.items():
        assert "### For operators" in text and "### Config to change" in text, version


@pytest.mark.parametrize("retired", RETIRED_KEYS, ids=lambda r: r.old)
def test_every_retired_key_has_a_migration_note_in_its_release(retired: RetiredKey) -> None:
    entry = release.changelog_entries().get(retired.release)
    assert entry is not None, f"no CHANGELOG.md entry for release {retired.release} ({retired.old})"
    config_section = entry[entry.index("### Config to change"):]
    note = next((p for p in config_section.split("\n- ") if "Migration note" in p and f"`{retired.old}`" in p), None)
    assert note is not None, f"CHANGELOG.md {retired.release} has no migration note naming `{retired.old}`"
    if retired.new is not None:
        assert f"`{retired.new}`" in note


def test_the_real_retired_key_is_refused_naming_the_listener_and_the_note() -> None:
    listener = {"name": "team-a", "workspaceId": "0f6b4c1e-5d3a-4a5b-9c1d-2e3f4a5b6c7d",
                "namespaces": ["team-a"], "ownsCrds": True}
    with pytest.raises(ConfigError) as err:
        run_stack("hybrid", {"hybrid": {"listeners": [listener]}})
    issues = [i for i in err.value.issues if i.key.endswith("ownsCrds")]
    assert [(i.key, i.value) for i in issues] == [("hybrid.listeners[0].ownsCrds", True)]
    assert "removed in release 0.16.0" in issues[0].allowed and "CHANGELOG.md" in issues[0].allowed


def test_a_renamed_key_is_refused_naming_the_new_key(monkeypatch: pytest.MonkeyPatch) -> None:
    table = (RetiredKey("clusterVersion", "cluster.version", "0.16.1", "cluster settings live under cluster"),
             RetiredKey("cluster.nodeSize", "cluster.nodeGroups[].instanceType", "0.16.1", "per node group"))
    monkeypatch.setattr(loader, "RETIRED_KEYS", table)
    with pytest.raises(ConfigError) as err:
        run_stack("dev", {"clusterVersion": "1.33", "cluster": {"nodeSize": "m7i.xlarge"}})
    by_key = {i.key: i for i in err.value.issues}
    assert "renamed to 'cluster.version' in release 0.16.1" in by_key["clusterVersion"].allowed
    assert "unknown key" not in by_key["clusterVersion"].allowed
    assert "renamed to 'cluster.nodeGroups[].instanceType'" in by_key["cluster.nodeSize"].allowed
    assert by_key["cluster.nodeSize"].value == "m7i.xlarge"


def test_pop_retired_finds_each_list_item_and_leaves_the_input_alone() -> None:
    values: dict[str, Any] = {"hybrid": {"listeners": [{"name": "a", "ownsCrds": True}, {"name": "b"},
                                                       {"name": "c", "ownsCrds": False}]}}
    cleaned, found = pop_retired(values)
    assert [(where, value) for where, value, _ in found] == [("hybrid.listeners[0].ownsCrds", True),
                                                            ("hybrid.listeners[2].ownsCrds", False)]
    assert cleaned == {"hybrid": {"listeners": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}
    assert values["hybrid"]["listeners"][0]["ownsCrds"] is True
