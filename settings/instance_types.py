"""vCPU and memory of EC2 instance types, and what EKS leaves allocatable on a node.

Derived from the naming rules of the general-purpose (m), memory (r) and compute (c) families, so
any size of those families is known; burstable t3 sizes are listed.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class InstanceShape(NamedTuple):
    vcpu: float
    memory_gib: float


_SIZES = {"large": 2, "xlarge": 4}
_GIB_PER_VCPU = {"m": 4, "r": 8, "c": 2}
_T3 = {"t3.medium": InstanceShape(2, 4), "t3.large": InstanceShape(2, 8), "t3.xlarge": InstanceShape(4, 16),
       "t3.2xlarge": InstanceShape(8, 32)}
_PATTERN = re.compile(r"^(?P<family>[mrc])[5-8][a-z]*\.(?P<size>large|xlarge|(?P<n>\d+)xlarge)$")
# AL2023 EKS AMI: max pods with the VPC CNI (no prefix delegation), by vCPU count.
_MAX_PODS = {2: 29, 4: 58, 8: 58, 16: 234, 32: 234, 48: 737, 64: 737, 96: 737}


def shape_of(instance_type: str) -> InstanceShape | None:
    if instance_type in _T3:
        return _T3[instance_type]
    match = _PATTERN.match(instance_type)
    if match is None:
        return None
    vcpu = int(match["n"]) * 4 if match["n"] else _SIZES[match["size"]]
    return InstanceShape(vcpu, float(vcpu * _GIB_PER_VCPU[match["family"]]))


def allocatable(shape: InstanceShape) -> InstanceShape:
    """What kubelet leaves for pods (EKS AMI reservation formulas, less the eviction threshold)."""
    cores = int(shape.vcpu)
    reserved_millicores = 60 + 10 + (5 * min(max(cores - 2, 0), 2)) + 2.5 * max(cores - 4, 0)
    max_pods = _MAX_PODS.get(cores, 110)
    reserved_mib = 255 + 11 * max_pods + 100
    return InstanceShape(cores - reserved_millicores / 1000, shape.memory_gib - reserved_mib / 1024)


def cpu_cores(quantity: str) -> float:
    """A Kubernetes CPU quantity ("500m", "2") in cores."""
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def memory_gib(quantity: str) -> float:
    """A Kubernetes memory quantity ("512Mi", "4Gi") in GiB."""
    if quantity.endswith("Gi"):
        return float(quantity[:-2])
    if quantity.endswith("Mi"):
        return float(quantity[:-2]) / 1024
    return float(quantity) / 2**30
