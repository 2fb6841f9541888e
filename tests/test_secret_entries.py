"""A credential map is encrypted entry by entry: one `secure:` entry in `hybridApiKeys` marks the
whole key secret for Pulumi (object.go `Secure()`), but a plain entry beside it sits in the stack
file in clear. The preview, the preflight and a real run refuse it, naming the entry."""

from __future__ import annotations

import io
from pathlib import Path

from settings.secret_paths import runtime_secret_paths, secure_leaf_paths
from tools import preview
from tools.engine.harness import PROJECT_ROOT
from tools.engine.stack_config import load_stack_config
from tools.preflight.__main__ import main as preflight_main

SECURE_RESEARCH = "    research:\n      secure: v1:placeholder-set-with-pulumi-config-set-secret-path-hybridApiKeys.research\n"


def hybrid_file(tmp_path: Path, research: str = SECURE_RESEARCH) -> Path:
    text = (PROJECT_ROOT / "stacks" / "Pulumi.hybrid.yaml").read_text()
    assert SECURE_RESEARCH in text
    path = tmp_path / "Pulumi.hybrid.yaml"
    path.write_text(text.replace(SECURE_RESEARCH, research))
    return path


def test_the_reader_records_each_encrypted_entry(tmp_path: Path):
    config = load_stack_config(config_file=hybrid_file(tmp_path, "    research: lsv2_pt_plain\n"))
    assert "langsmith-aws:hybridApiKeys" in config.secret_keys  # Pulumi's view: the whole key
    assert {p for p in config.secret_paths if "hybridApiKeys" in p} == {"langsmith-aws:hybridApiKeys.team-a"}


def test_a_plain_entry_beside_an_encrypted_one_exits_2_in_the_preview(tmp_path: Path):
    out, err = io.StringIO(), io.StringIO()
    path = hybrid_file(tmp_path, "    research: lsv2_pt_plain\n")
    assert preview.main(["--config-file", str(path), "--quiet"], out=out, err=err) == preview.EXIT_CONFIG
    assert "hybridApiKeys.research = '[redacted]': is a credential in clear beside encrypted entries" in err.getvalue()
    assert "lsv2_pt_plain" not in err.getvalue()


def test_every_entry_encrypted_previews(tmp_path: Path):
    out, err = io.StringIO(), io.StringIO()
    assert preview.main(["--config-file", str(hybrid_file(tmp_path)), "--quiet"], out=out, err=err) == 0, err.getvalue()


def test_the_preflight_refuses_it_too(tmp_path: Path):
    out, err = io.StringIO(), io.StringIO()
    path = hybrid_file(tmp_path, "    research: lsv2_pt_plain\n")
    assert preflight_main(["--config-file", str(path)], out=out, err=err) == 2
    assert "hybridApiKeys.research" in err.getvalue()


def test_a_real_run_reads_the_entries_from_the_stack_file(tmp_path: Path):
    (tmp_path / "Pulumi.yaml").write_text("name: langsmith-aws\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    hybrid_file(tmp_path / "stacks", "    research: lsv2_pt_plain\n")
    paths = runtime_secret_paths("langsmith-aws", "hybrid", project_dir=tmp_path)
    assert paths is not None and "langsmith-aws:hybridApiKeys.team-a" in paths
    assert "langsmith-aws:hybridApiKeys.research" not in paths
    assert runtime_secret_paths("langsmith-aws", "missing", project_dir=tmp_path) is None


def test_leaf_paths_use_the_config_path_syntax():
    config = {"a": {"b": [{"secure": "x"}, "plain"]}, "aws:secretKey": {"secure": "y"}}
    assert secure_leaf_paths(config, "p") == {"p:a.b[0]", "aws:secretKey"}
