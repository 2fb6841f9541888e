"""The README's availability table states what each production profile runs: held to the profiles
and to what the program builds, so a profile change cannot leave the recovery story stale."""

from __future__ import annotations

import re

from settings.profiles import PROFILE_DEFAULTS
from tools.engine.harness import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def availability_section() -> str:
    match = re.search(r"^## Availability.*?(?=^## )", README, re.DOTALL | re.MULTILINE)
    assert match, "README has no Availability section"
    return match.group(0)


def test_availability_table_matches_the_profiles():
    section = availability_section()
    production, large = PROFILE_DEFAULTS["production"], PROFILE_DEFAULTS["production-large"]
    # production: one RDS instance (single-AZ); production-large: Multi-AZ.
    assert production["postgres"]["multiAz"] is False and "one RDS instance (single-AZ)" in section
    assert large["postgres"]["multiAz"] is True and "`production-large` turns on RDS Multi-AZ" in section
    # ElastiCache: a replica to promote in production, three nodes in production-large.
    assert production["redis"]["nodes"] >= 2 and "a replica in another AZ is promoted automatically" in section
    assert large["redis"]["nodes"] == 3 and "(and 3 ElastiCache nodes)" in section


def test_clickhouse_is_one_replica_on_one_volume_as_the_readme_says(prod_run):
    section = availability_section()
    assert "neither profile replicates\nClickHouse" in section or "neither profile replicates ClickHouse" in section
    release = prod_run.one("kubernetes:helm.sh/v3:Release", "langsmith-release")
    stateful_set = release.inputs["values"]["clickhouse"]["statefulSet"]
    assert stateful_set.get("replicas", 1) == 1
    # ... on a pool pinned to one AZ (the volume's): the node group spans exactly one subnet.
    node_group = prod_run.one("eks:index:ManagedNodeGroup", "cluster-clickhouse")
    assert len(node_group.inputs["subnetIds"]) == 1

