"""Every physical name the program derives fits its AWS limit, at the longest the settings allow."""

from __future__ import annotations

import json
from typing import Any

import pytest

from settings import ConfigError, parse_config
from settings.name_limits import AUTO_NAME_LIMITS, NAME_LIMITS, NAME_PREFIX_MAX_LENGTH
from tests.conftest import PROJECT, run_stack, stack_values
from tools.engine.harness import ProgramRun

LONGEST_PREFIX = "l" + "x" * (NAME_PREFIX_MAX_LENGTH - 2) + "z"
LONGEST_LISTENER = "t" + "x" * 46 + "z"  # 48: the longest listener name the settings accept
# Input properties that name the resource they belong to (references to other resources' names,
# such as a BucketPolicy's `bucket`, are not: only the owner's own property is checked).
NAMING_PROPERTIES = {"name", "namePrefix", "bucket", "bucketPrefix", "identifier", "replicationGroupId",
                     "nodeGroupNamePrefix", "dashboardName", "roleName"}
NAME_OWNERS = {t for t, _ in NAME_LIMITS}


def _longest_runs() -> list[ProgramRun]:
    hybrid_values, _ = stack_values("hybrid")
    hybrid = json.loads(hybrid_values[f"{PROJECT}:hybrid"])
    hybrid["listeners"][0]["name"] = LONGEST_LISTENER
    return [
        run_stack("prod", {"namePrefix": LONGEST_PREFIX}),
        run_stack("hybrid", {"namePrefix": LONGEST_PREFIX, "hybrid": hybrid,
                             "hybridApiKeys": {LONGEST_LISTENER: "lsv2_pt_x", "research": "lsv2_pt_y"}},
                  secret=("hybridApiKeys",)),
        run_stack("byoc", {"namePrefix": LONGEST_PREFIX}),
        run_stack("byoc-ecs", {"namePrefix": LONGEST_PREFIX}),
    ]


@pytest.fixture(scope="module")
def longest_runs() -> list[ProgramRun]:
    return _longest_runs()


def _value(inputs: dict[str, Any], prop: str) -> Any:
    node: Any = inputs
    for part in prop.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def test_every_derived_name_fits_its_aws_limit(longest_runs: list[ProgramRun]):
    too_long: list[str] = []
    checked = 0
    for run in longest_runs:
        for r in run.registrations:
            for (type_, prop), limit in NAME_LIMITS.items():
                value = _value(r.inputs, prop) if r.type == type_ else None
                if isinstance(value, str):
                    checked += 1
                    if len(value) > limit.max_length:
                        too_long.append(f"{run.stack}: {r.type} {prop} {value!r} has {len(value)} characters; "
                                        f"{limit.source}")
            auto = AUTO_NAME_LIMITS.get(r.type)
            if auto is not None and not r.inputs.get("name") and not r.inputs.get("namePrefix"):
                physical = f"{r.name}-xxxxxxx"  # Pulumi's auto-name: the logical name and 7 characters
                checked += 1
                if len(physical) > auto.max_length:
                    too_long.append(f"{run.stack}: auto-named {r.type} {physical!r}; {auto.source}")
            if r.type == "aws:route53/record:Record":
                labels = str(r.inputs["name"]).rstrip(".").split(".")
                if max(len(label) for label in labels) > 63 or len(str(r.inputs["name"])) > 253:
                    too_long.append(f"{run.stack}: DNS name {r.inputs['name']!r} (labels 63, names 253: RFC 1035)")
    assert not too_long, "\n".join(too_long)
    assert checked > 60  # the three shapes name dozens of resources


def test_every_named_resource_type_has_a_limit(longest_runs: list[ProgramRun]):
    """A resource given an explicit name must appear in settings/name_limits.py, so it is checked."""
    missing: set[str] = set()
    for run in longest_runs:
        for r in run.registrations:
            if not r.custom or r.type.startswith(("kubernetes:", "random:", "pulumi:")) and r.type not in NAME_OWNERS:
                continue
            for prop in NAMING_PROPERTIES & set(r.inputs):
                if r.type in NAME_OWNERS or prop in ("name", "namePrefix", "bucketPrefix", "identifier"):
                    if (r.type, prop) not in NAME_LIMITS and not _is_reference(r.type, prop):
                        missing.add(f"{r.type} {prop}")
    assert not missing, sorted(missing)


def _is_reference(type_: str, prop: str) -> bool:
    """Properties that name another resource (checked at that resource) or that are not names."""
    return (type_, prop) in {
        ("aws:ec2/vpcEndpoint:VpcEndpoint", "name"), ("aws:acm/certificate:Certificate", "name"),
        ("aws:route53/record:Record", "name"),  # a DNS name, checked above
    } or (prop == "bucket" and type_ != "aws:s3/bucket:Bucket")


def test_the_node_group_prefix_would_overflow_one_character_later():
    """The limit on namePrefix is the tightest derived name: one more character breaks the node group."""
    limit = NAME_LIMITS[("eks:index:ManagedNodeGroup", "nodeGroupNamePrefix")].max_length
    assert len(f"{LONGEST_PREFIX}-eks-clickhouse-") == limit
    values, secrets = stack_values("prod")
    with pytest.raises(ConfigError) as err:
        parse_config({**values, f"{PROJECT}:namePrefix": LONGEST_PREFIX + "a"}, project=PROJECT, stack="prod",
                     secret_keys=secrets)
    assert [i.key for i in err.value.issues] == ["namePrefix"]
    assert f"3-{NAME_PREFIX_MAX_LENGTH}" in err.value.issues[0].allowed


@pytest.mark.parametrize("prefix", ["ls--prod", "1s-prod", "ls-prod-"])
def test_name_prefix_follows_the_rds_identifier_rules(prefix: str):
    values, secrets = stack_values("prod")
    with pytest.raises(ConfigError) as err:
        parse_config({**values, f"{PROJECT}:namePrefix": prefix}, project=PROJECT, stack="prod", secret_keys=secrets)
    assert [i.key for i in err.value.issues] == ["namePrefix"]


def test_a_long_stack_name_gets_a_valid_default_prefix():
    """The default `ls-<stack>` is the user's only if it fits: a long stack name is cut, not blamed on them."""
    values, secrets = stack_values("prod")
    stack = "platform-team-langsmith-production-eu-central"
    settings = parse_config(values, project=PROJECT, stack=stack, secret_keys=secrets)
    assert len(settings.name_prefix) <= NAME_PREFIX_MAX_LENGTH and settings.name_prefix.startswith("ls-platform")
    other = parse_config(values, project=PROJECT, stack=stack + "-2", secret_keys=secrets)
    assert other.name_prefix != settings.name_prefix
