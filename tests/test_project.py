"""The project file and the stack files agree: what the Pulumi CLI checks before running anything."""

from __future__ import annotations

import pytest

from settings import parse_config
from tools.engine.harness import PROJECT_ROOT
from tools.engine.stack_config import load_stack_config, project_file

STACK_FILES = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml")
                     for p in (PROJECT_ROOT / "stacks").glob("Pulumi.*.yaml"))


def test_project_file_runtime_and_stack_dir():
    project = project_file()
    assert project["name"] == "langsmith-aws"
    assert project["runtime"]["name"] == "python" and project["runtime"]["options"]["virtualenv"] == ".venv"
    assert project["stackConfigDir"] == "stacks"
    assert STACK_FILES == ["agent-server", "byoc", "byoc-ecs", "dev", "hybrid", "prod"]


@pytest.mark.parametrize("stack", STACK_FILES)
def test_every_declared_key_without_default_is_set(stack: str):
    """The CLI refuses a stack that lacks a declared key that has no default."""
    config = load_stack_config(stack=stack)
    for key, spec in (project_file().get("config") or {}).items():
        if "default" not in spec and "value" not in spec:
            assert f"langsmith-aws:{key}" in config.values, f"{stack} must set {key}"


@pytest.mark.parametrize("stack", STACK_FILES)
def test_every_stack_file_is_valid_and_names_its_region(stack: str):
    config = load_stack_config(stack=stack)
    assert config.values["aws:region"] == "us-east-1"
    settings = parse_config(config.values, project=config.project, stack=stack, secret_keys=config.secret_keys)
    assert settings.shape.value in ("self-hosted", "hybrid", "byoc", "agent-server")


@pytest.mark.parametrize("stack", STACK_FILES)
def test_no_plain_credentials_in_stack_files(stack: str):
    text = (PROJECT_ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    config = load_stack_config(stack=stack)
    for key in ("licenseKey", "oidcClientSecret", "byocExternalId", "hybridApiKeys", "postgresExternalUri"):
        if f"langsmith-aws:{key}:" in text:
            assert f"langsmith-aws:{key}" in config.secret_keys


@pytest.mark.parametrize("stack", ["hybrid", "byoc", "byoc-ecs"])
def test_stack_builds_in_preview_mode(stack: str):
    """In `pulumi preview` many outputs are unknown; the program must still register everything."""
    from tests.conftest import run_stack
    run = run_stack(stack, preview=True)
    # byoc (eks, managed VPC) is the two roles and ten policies; the others build a network.
    assert len([r for r in run.registrations if r.custom]) > (20 if stack == "byoc" else 40)
