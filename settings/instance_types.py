"""vCPU and memory of EC2 instance types, nominal (as AWS sells them).

Read from the node facts (`data/nodes/instance-types.json`, built by `data/nodes/generate.py` from
Karpenter's generated instance-type reference), the same table the capacity check uses for what a
node leaves allocatable (`settings.node_facts.node`), so that every size the stack reasons about
comes from one place.
"""

from __future__ import annotations

from typing import NamedTuple

from settings.node_facts import node


class InstanceShape(NamedTuple):
    vcpu: float
    memory_gib: float


def shape_of(instance_type: str) -> InstanceShape | None:
    facts = node(instance_type)
    if facts is None:
        return None
    return InstanceShape(float(facts.vcpu), facts.memory_mib / 1024)
