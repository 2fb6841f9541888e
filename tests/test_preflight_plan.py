"""What the preflight counts against the account's quotas is what the program's plan creates."""

from __future__ import annotations

import json

import pytest

from settings.loader import parse_config
from tests.conftest import run_stack, stack_values
from tools.engine.harness import ProgramRun
from tools.preflight.needs import plan_needs


@pytest.mark.parametrize("stack", ["dev", "prod", "hybrid", "byoc", "byoc-ecs"])
def test_what_preflight_counts_is_what_the_plan_creates(stack: str) -> None:
    """The quota needs come from the settings (no program run): hold them to the program's plan."""
    run: ProgramRun = run_stack(stack)
    values, secret_keys = stack_values(stack)
    settings = parse_config(values, project="langsmith-aws", stack=stack, secret_keys=secret_keys)
    zones = sorted({r.inputs["availabilityZone"] for r in run.of_type("aws:ec2/subnet:Subnet")})
    needs = plan_needs(settings, zones)
    assert needs.vpcs == len(run.of_type("aws:ec2/vpc:Vpc"))
    assert needs.internet_gateways == len(run.of_type("aws:ec2/internetGateway:InternetGateway"))
    assert needs.elastic_ips == len(run.of_type("aws:ec2/eip:Eip"))
    assert sum(needs.nat_gateways_per_az.values()) == len(run.of_type("aws:ec2/natGateway:NatGateway"))
    assert needs.eks_clusters == len(run.of_type("eks:index:Cluster"))
    assert needs.albs == len([r for r in run.of_type("aws:lb/loadBalancer:LoadBalancer")
                              if r.inputs.get("loadBalancerType", "application") == "application"])
    groups = sorted((g.inputs["scalingConfig"]["maxSize"], tuple(g.inputs["instanceTypes"]), g.inputs["capacityType"],
                     len(g.inputs["subnetIds"])) for g in run.of_type("eks:index:ManagedNodeGroup"))
    assert groups == sorted((p.max_size, p.instance_types, p.capacity_type, len(p.zones)) for p in needs.pools)
    assert json.dumps(needs.nat_gateways_per_az)  # keyed by zone name
