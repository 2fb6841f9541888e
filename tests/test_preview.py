"""The offline preview: its JSON contract, secret masking and exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from tools import preview
from tools.engine.harness import run_program
from tools.engine.plan import SECRET, build_plan

RESOURCE_FIELDS = {"urn", "type", "name", "custom", "parent", "dependencies", "protect",
                   "retain_on_delete", "inputs", "id", "outputs"}


def run_preview(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = preview.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def dev_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str]:
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    code, out, _ = run_preview("--stack", "dev", "--json", str(path))
    return code, json.loads(path.read_text()), out


def test_dev_plan_exits_zero_in_the_documented_format(dev_plan):
    code, plan, _ = dev_plan
    assert code == 0
    assert set(plan) >= {"project", "stack", "resources", "outputs", "violations"}
    assert (plan["project"], plan["stack"]) == ("langsmith-aws", "dev")
    assert isinstance(plan["violations"], list)
    for r in plan["resources"]:
        assert set(r) >= RESOURCE_FIELDS
        assert isinstance(r["urn"], str) and isinstance(r["custom"], bool)
        assert isinstance(r["dependencies"], list) and isinstance(r["inputs"], dict)
        assert isinstance(r["protect"], bool) and isinstance(r["retain_on_delete"], bool)


def test_dev_plan_has_parents_and_dependencies(dev_plan):
    _, plan, _ = dev_plan
    by_urn = {r["urn"]: r for r in plan["resources"]}
    (vpc,) = [r for r in plan["resources"] if r["type"] == "aws:ec2/vpc:Vpc"]
    assert by_urn[vpc["parent"]]["type"] == "langsmith:aws:Network"
    (flow_log,) = [r for r in plan["resources"] if r["type"] == "aws:ec2/flowLog:FlowLog"]
    dependency_types = {by_urn[u]["type"] for u in flow_log["dependencies"]}
    assert {"aws:ec2/vpc:Vpc", "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role"} <= dependency_types
    # inputs use the engine's camelCase names
    assert vpc["inputs"]["cidrBlock"] == "10.30.0.0/16" and vpc["inputs"]["enableDnsHostnames"] is True
    assert vpc["id"].startswith("vpc-")


def test_summary_lists_types_components_and_outputs(dev_plan):
    _, _, out = dev_plan
    assert "aws:ec2/subnet:Subnet" in out
    assert "network (langsmith:aws:Network)" in out
    assert "vpcId:" in out


def test_secrets_are_masked_in_inputs_and_outputs():
    secret_value = "s3cr3t-value-that-must-not-leak"

    def program() -> None:
        aws.secretsmanager.SecretVersion(
            "example", secret_id="arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
            secret_string=pulumi.Output.secret(secret_value))
        pulumi.export("token", pulumi.Output.secret(secret_value))
        pulumi.export("plain", "visible")

    run = run_program({}, stack="test", program=program)
    plan = build_plan(run)
    text = json.dumps(plan)
    assert secret_value not in text
    (version,) = plan["resources"]
    assert version["inputs"]["secretString"] == SECRET
    assert plan["outputs"] == {"plain": "visible", "token": SECRET}


def test_bad_config_exits_two_naming_every_bad_key_without_traceback(tmp_path: Path):
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text(
        "config:\n"
        "  aws:region: us-east-1\n"
        "  langsmith-aws:shape: self-hosted\n"
        "  langsmith-aws:profile: huge\n"
        "  langsmith-aws:network:\n"
        "    cidr: 10.0.0.0/33\n")
    code, out, err = run_preview("--config-file", str(bad), "--json", str(tmp_path / "plan.json"))
    assert code == 2
    assert "langsmith-aws:profile = 'huge'" in err
    assert "langsmith-aws:network.cidr = '10.0.0.0/33'" in err
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "plan.json").exists()


def test_missing_stack_file_exits_two():
    code, _, err = run_preview("--stack", "no-such-stack")
    assert code == 2 and "no stack config file" in err


def test_mandatory_violation_exits_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    violation = {"policy": "example", "enforcement": "mandatory", "urn": "urn:x", "message": "broken"}
    monkeypatch.setattr(preview, "check_plan", lambda plan: [violation])
    code, out, _ = run_preview("--stack", "dev", "--json", str(tmp_path / "plan.json"))
    assert code == 1
    assert json.loads((tmp_path / "plan.json").read_text())["violations"] == [violation]
    assert "[mandatory] example on urn:x: broken" in out


def test_a_failing_plan_prints_its_violations_even_when_quiet(monkeypatch: pytest.MonkeyPatch):
    urn = "urn:pulumi:dev::langsmith-aws::langsmith:data:Postgres$aws:rds/instance:Instance::ls-dev-pg"
    advisory = {"policy": "a-advice", "enforcement": "advisory", "urn": "urn:x", "message": "consider"}
    mandatory = {"policy": "z-rule", "enforcement": "mandatory", "urn": urn, "message": "not encrypted"}
    monkeypatch.setattr(preview, "check_plan", lambda plan: [advisory, mandatory])
    code, out, _ = run_preview("--stack", "dev", "--quiet")
    assert code == 1
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    assert lines == ["Policy violations: 2 (1 mandatory, 1 advisory)",
                     "[mandatory] z-rule on ls-dev-pg (aws:rds/instance:Instance): not encrypted",
                     "[advisory] a-advice on urn:x: consider"]


def test_advisory_violation_keeps_exit_zero(monkeypatch: pytest.MonkeyPatch):
    violation = {"policy": "example", "enforcement": "advisory", "urn": "urn:x", "message": "consider"}
    monkeypatch.setattr(preview, "check_plan", lambda plan: [violation])
    code, out, _ = run_preview("--stack", "dev", "--quiet")
    assert code == 0
    assert "[advisory] example on urn:x: consider" in out


def test_a_clean_quiet_plan_prints_nothing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(preview, "check_plan", lambda plan: [])
    code, out, _ = run_preview("--stack", "dev", "--quiet")
    assert (code, out) == (0, "")


def test_secure_stack_values_are_marked_secret(tmp_path: Path):
    from tools.engine.stack_config import OFFLINE_ENCRYPTED_SECRET, OFFLINE_SECRET_PLACEHOLDER, load_stack_config
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text("config:\n  langsmith-aws:licenseKey:\n    secure: v1:abcdef\n  langsmith-aws:profile: dev\n"
                    "  langsmith-aws:oidcClientSecret:\n    secure: v1:placeholder-set-it\n")
    config = load_stack_config(config_file=path)
    assert config.stack == "s"
    # A real encrypted value cannot be decrypted offline, but it is not a documentation placeholder.
    assert config.values["langsmith-aws:licenseKey"] == OFFLINE_ENCRYPTED_SECRET
    assert config.values["langsmith-aws:oidcClientSecret"] == OFFLINE_SECRET_PLACEHOLDER
    assert config.secret_keys == {"langsmith-aws:licenseKey", "langsmith-aws:oidcClientSecret"}
