"""Stack files read as the Pulumi CLI reads them (gopkg.in/yaml.v3 v3.0.1, then
pulumi/pulumi sdk/go/common/resource/config: every value reaches the program as text), by the one
reader both the preview and the preflight use."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tools import preview
from tools.engine.harness import PROJECT_ROOT
from tools.engine.pulumi_yaml import go_float_text
from tools.engine.stack_config import StackFileError, load_stack_config, read_yaml_document
from tools.preflight.context import FAIL


def program_receives(tmp_path: Path, text: str) -> str:
    """What the program gets for `langsmith-aws:probe: <text>`."""
    path = tmp_path / "Pulumi.probe.yaml"
    path.write_text(f"config:\n  langsmith-aws:probe: {text}\n")
    return load_stack_config(config_file=path).values["langsmith-aws:probe"]


@pytest.mark.parametrize(("text", "received"), [
    # yaml.v3's booleans are only these spellings; YAML 1.1's yes/no/on/off/y are text
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("Yes", "Yes"),
    ("true", "true"), ("True", "true"), ("TRUE", "true"), ("false", "false"),
    # no base 60
    ("12:30", "12:30"), ("1:20:30", "1:20:30"),
    # timestamps arrive as Go's time.Time.String()
    ("2024-01-01", "2024-01-01 00:00:00 +0000 UTC"),
    ("2024-01-01T10:00:00Z", "2024-01-01 10:00:00 +0000 UTC"),
    ("2024-1-2", "2024-01-02 00:00:00 +0000 UTC"),
    ("2024-01-01 10:00:00.500", "2024-01-01 10:00:00.5 +0000 UTC"),
    ("2024-01-01T10:00:00+02:00", "2024-01-01 10:00:00 +0200 +0200"),
    ("2024-13-01", "2024-13-01"),  # not a date: text
    # integers as strconv.ParseInt(text, 0, 64) reads them, `_` removed
    ("0o17", "15"), ("0777", "511"), ("0x1F", "31"), ("0b101", "5"), ("1_000", "1000"), ("+12", "12"),
    ("0", "0"), ("08", "8"),  # not octal, but yamlStyleFloat reads it: the float 8
    # floats: yamlStyleFloat, written as Go's encoding/json writes them
    ("1e3", "1000"), ("7.10", "7.1"), ("8.0", "8"), (".5", "0.5"), ("1.5e-7", "1.5e-7"),
    # quoted text stays as written
    ("'yes'", "yes"), ('"12:30"', "12:30"), ("'2024-01-01'", "2024-01-01"),
])
def test_values_reach_the_program_as_the_pulumi_cli_hands_them(tmp_path: Path, text: str, received: str):
    assert program_receives(tmp_path, text) == received


def test_floats_are_written_as_go_writes_them():
    assert [go_float_text(v) for v in (1000.0, 7.1, 1e21, 1e-7, 0.000001, -2.5)] == \
        ["1000", "7.1", "1e+21", "1e-7", "0.000001", "-2.5"]


@pytest.mark.parametrize(("text", "where", "first"), [
    ("config:\n  aws:region: us-east-1\n  aws:region: us-west-2\n", 3, 2),
    ("config:\n  langsmith-aws:hybrid:\n    domain: a.example.com\n    domain: b.example.com\n", 4, 3),
])
def test_a_repeated_key_is_refused_as_the_cli_refuses_it(tmp_path: Path, text: str, where: int, first: int):
    path = tmp_path / "Pulumi.dup.yaml"
    path.write_text(text)
    with pytest.raises(StackFileError, match=rf"Pulumi.dup.yaml:{where}:.*mapping key '.*' already defined at "
                                             rf"line {first}"):
        read_yaml_document(path)


def test_an_infinite_number_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "Pulumi.inf.yaml"
    path.write_text("config:\n  langsmith-aws:probe: .inf\n")
    with pytest.raises(StackFileError, match=r"Pulumi.inf.yaml:2:.*not a finite number"):
        read_yaml_document(path)


def test_a_date_no_longer_crashes_the_preview(tmp_path: Path):
    """PyYAML made `2024-01-01` a date, which json.dumps could not write: the preview exited 1."""
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text((PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text() + "  langsmith-aws:tags:\n"
                    "    created: 2024-01-01\n")
    out, err = io.StringIO(), io.StringIO()
    code = preview.main(["--config-file", str(path), "--quiet"], out=out, err=err)
    assert code == 0, err.getvalue()


def test_a_duplicate_key_exits_2_in_the_preview(tmp_path: Path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text((PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text() + "  aws:region: us-west-2\n")
    out, err = io.StringIO(), io.StringIO()
    assert preview.main(["--config-file", str(path), "--quiet"], out=out, err=err) == preview.EXIT_CONFIG
    assert "mapping key 'aws:region' already defined" in err.getvalue()


def test_the_preflight_reads_the_stack_file_with_the_same_reader():
    source = (PROJECT_ROOT / "tools" / "preflight" / "secrets_and_placeholders.py").read_text()
    assert "read_yaml_document" in source and "yaml.safe_load" not in source
    assert FAIL  # the module imports
