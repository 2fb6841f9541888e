"""What each EC2 instance type is and what it leaves for pods: vCPU, memory, architecture and max pods,
from the node facts (data/nodes/instance-types.json, derived from Karpenter's generated instance-type
reference by python -m data.nodes.generate), and what an EKS AL2023 node keeps for itself.

A leaf: the settings models (instance type checks), the catalogue (architectures) and the capacity
arithmetic all read it, and it reads none of them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

NODE_DATA = Path(__file__).resolve().parent.parent / "data" / "nodes" / "instance-types.json"

# Memory the hypervisor and firmware keep from the nominal size (Karpenter's default
# VM_MEMORY_OVERHEAD_PERCENT, aws/karpenter-provider-aws pkg/operator/options).
VM_MEMORY_OVERHEAD = 0.075
# Kubelet hard eviction threshold on EKS AL2023 nodes (nodeadm kubelet config: memory.available 100Mi).
EVICTION_HARD_MIB = 100


@dataclass(frozen=True)
class Node:
    instance_type: str
    vcpu: int
    memory_mib: int
    arch: str
    max_pods: int

    @property
    def kube_reserved_cpu_m(self) -> int:
        # nodeadm getCPUMillicoresToReserve: 6% of core 1, 1% of core 2, 0.5% of cores 3-4, 0.25% above.
        total = self.vcpu * 1000
        reserved = 0.0
        for start, end, share in ((0, 1000, 0.06), (1000, 2000, 0.01), (2000, 4000, 0.005), (4000, total, 0.0025)):
            if total > start:
                reserved += (min(total, end) - start) * share
        return int(reserved)

    @property
    def kube_reserved_memory_mib(self) -> int:
        return 11 * self.max_pods + 255  # nodeadm getMemoryMebibytesToReserve

    @property
    def allocatable_cpu_m(self) -> int:
        return self.vcpu * 1000 - self.kube_reserved_cpu_m

    @property
    def allocatable_memory_mib(self) -> float:
        capacity = self.memory_mib * (1 - VM_MEMORY_OVERHEAD)
        return capacity - self.kube_reserved_memory_mib - EVICTION_HARD_MIB


@functools.cache
def _node_table() -> Mapping[str, Mapping[str, Any]]:
    return json.loads(NODE_DATA.read_text())["instanceTypes"]


def node(instance_type: str) -> Node | None:
    facts = _node_table().get(instance_type)
    if facts is None:
        return None
    return Node(instance_type, facts["vcpu"], facts["memoryMiB"], facts["arch"], facts["maxPods"])


def architecture_of(instance_type: str) -> str | None:
    n = node(instance_type)
    return n.arch if n else None
