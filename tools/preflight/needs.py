"""What the plan creates that an account quota counts: VPCs, gateways, addresses, clusters, load
balancers and node pools at their maximum size (a test keeps it equal to the program's plan)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from settings import Settings, Shape
from settings.byoc import langchain_builds_the_vpc
from settings.instance_types import shape_of


@dataclass(frozen=True)
class PoolNeed:
    name: str
    instance_types: tuple[str, ...]
    capacity_type: str
    max_size: int
    zones: tuple[str, ...]  # the AZs the pool's nodes can land in

    @property
    def max_vcpu(self) -> int | None:
        """vCPUs at maximum size on the largest of its types (None: a type's size is unknown)."""
        shapes = [shape_of(t) for t in self.instance_types]
        if any(s is None for s in shapes):
            return None
        return self.max_size * int(max(s.vcpu for s in shapes if s is not None))


@dataclass(frozen=True)
class Needs:
    """What the plan creates that an account quota counts (kept equal to the program's plan by a test)."""

    vpcs: int
    internet_gateways: int
    nat_gateways_per_az: dict[str, int]
    elastic_ips: int
    eks_clusters: int
    albs: int
    pools: tuple[PoolNeed, ...]


def plan_needs(settings: Settings, zones: Sequence[str]) -> Needs:
    # BYOC eks with a managed VPC: LangChain's control plane builds the network, not this stack.
    new_network = settings.network.existing is None and not (
        settings.shape is Shape.BYOC and langchain_builds_the_vpc(settings.byoc))
    nat_zones = (list(zones) if settings.network.nat_gateways == "per-az" else list(zones[:1])) if new_network else []
    with_cluster = settings.shape is not Shape.BYOC
    pools: list[PoolNeed] = []
    if with_cluster:
        general = settings.cluster.general_pool
        pools.append(PoolNeed("cluster.generalPool", tuple(general.instance_types), general.capacity_type,
                              general.max_size, tuple(zones)))
        if settings.shape is Shape.SELF_HOSTED and settings.clickhouse.mode == "in-cluster":
            ch = settings.cluster.clickhouse_pool  # pinned to the first private subnet (its volume's AZ)
            pools.append(PoolNeed("cluster.clickhousePool", tuple(ch.instance_types), ch.capacity_type,
                                  ch.max_size, tuple(zones[:1])))
    return Needs(
        vpcs=1 if new_network else 0,
        internet_gateways=1 if new_network else 0,
        nat_gateways_per_az=dict(Counter(nat_zones)),
        elastic_ips=len(nat_zones),
        eks_clusters=1 if with_cluster else 0,
        albs=1 if with_cluster else 0,
        pools=tuple(pools),
    )
