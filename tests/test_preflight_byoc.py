"""The BYOC preflight (tools/preflight/byoc.py) against a moto account: the region and target account, and the
BYOVPC network rules of docs.langchain.com/langsmith/byoc-byovpc on an existing VPC, each failure naming its rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from settings.byoc import BYOC_REGIONS
from tests import test_preflight
from tests.test_preflight import REAL_CIPHERTEXT, ROOT, checker
from tools.preflight.byoc import acl_allows, check_byoc
from tools.preflight.context import FAIL, PASS

# The moto account of tests/test_preflight.py (its fixtures, shared).
moto_endpoint = test_preflight.moto_endpoint
aws = test_preflight.aws


def byoc_config(tmp_path: Path, byoc: dict[str, Any], network: dict[str, Any] | None = None) -> Path:
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.byoc.yaml").read_text())
    document["config"]["langsmith-aws:byoc"] = {"contract": "eks", **byoc}
    document["config"]["langsmith-aws:byocExternalId"] = {"secure": REAL_CIPHERTEXT}
    if network is not None:
        document["config"]["langsmith-aws:network"] = network
    path = tmp_path / "Pulumi.byoc.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_the_documented_regions_include_ca_central_1():
    # docs.langchain.com/langsmith/byoc (langchain-ai/docs@edc6069 src/langsmith/byoc.mdx): 4 US, Canada,
    # 5 EU and 6 APAC regions.
    assert len(BYOC_REGIONS) == 16 and len(set(BYOC_REGIONS)) == 16
    assert "ca-central-1" in BYOC_REGIONS and "sa-east-1" not in BYOC_REGIONS


def test_a_managed_vpc_stack_passes_region_and_account(aws: boto3.Session, tmp_path: Path) -> None:
    ctx = checker(byoc_config(tmp_path, {}), aws)
    found = {c.name: c for c in check_byoc(ctx, "arn:aws:iam::123456789012:role/deployer")}
    assert found["BYOC region"].verdict == PASS and found["BYOC target account"].verdict == PASS
    assert "BYOVPC network contract" not in found
    control_plane = {c.name: c for c in check_byoc(ctx, "arn:aws:iam::808407022534:role/x")}
    assert control_plane["BYOC target account"].verdict == FAIL


def _network(aws: boto3.Session, vpc_cidr: str, app: list[str], db: list[str], *,
             db_route: bool = False, app_to_igw: bool = False) -> dict[str, Any]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock=vpc_cidr)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    zones = ["us-east-1a", "us-east-1b"]

    def subnet(cidr: str, az: str) -> str:
        return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]

    app_ids = [subnet(c, z) for c, z in zip(app, zones)]
    db_ids = [subnet(c, z) for c, z in zip(db, zones)]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=db_ids[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    app_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    target = {"GatewayId": igw} if app_to_igw else {"NatGatewayId": nat}
    ec2.create_route(RouteTableId=app_table, DestinationCidrBlock="0.0.0.0/0", **target)
    for s in app_ids:
        ec2.associate_route_table(RouteTableId=app_table, SubnetId=s)
    db_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    if db_route:
        ec2.create_route(RouteTableId=db_table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    for s in db_ids:
        ec2.associate_route_table(RouteTableId=db_table, SubnetId=s)
    return {"existing": {"vpcId": vpc, "privateSubnetIds": app_ids, "dataSubnetIds": db_ids}}


def _byovpc_check(aws: boto3.Session, tmp_path: Path, network: dict[str, Any]):
    ctx = checker(byoc_config(tmp_path, {"vpc": "byovpc"}, network), aws)
    (found,) = [c for c in check_byoc(ctx, "arn:aws:iam::123456789012:role/deployer") if c.name == "BYOVPC network contract"]
    return found


def test_a_vpc_to_the_contract_passes(aws: boto3.Session, tmp_path: Path) -> None:
    network = _network(aws, "10.80.0.0/18", ["10.80.0.0/20", "10.80.16.0/20"], ["10.80.32.0/26", "10.80.32.64/26"])
    found = _byovpc_check(aws, tmp_path, network)
    assert found.verdict == PASS, found.detail


@pytest.mark.parametrize("vpc_cidr,app,db,kwargs,rule", [
    ("10.81.0.0/19", ["10.81.0.0/21", "10.81.8.0/21"], ["10.81.16.0/26", "10.81.16.64/26"], {}, "[cidr]"),
    ("10.82.0.0/16", ["10.82.0.0/21", "10.82.8.0/21"], ["10.82.16.0/26", "10.82.16.64/26"], {}, "[sizes] application"),
    ("10.83.0.0/16", ["10.83.0.0/20", "10.83.16.0/20"], ["10.83.32.0/27", "10.83.32.64/26"], {}, "[sizes] database"),
    ("10.84.0.0/16", ["10.84.0.0/20", "10.84.16.0/20"], ["10.84.32.0/26", "10.84.32.64/26"], {"db_route": True},
     "[db-isolated]"),
    ("10.85.0.0/16", ["10.85.0.0/20", "10.85.16.0/20"], ["10.85.32.0/26", "10.85.32.64/26"], {"app_to_igw": True},
     "[app-egress]"),
])
def test_each_broken_rule_fails_by_name(aws: boto3.Session, tmp_path: Path, vpc_cidr: str, app: list[str],
                                        db: list[str], kwargs: dict[str, Any], rule: str) -> None:
    found = _byovpc_check(aws, tmp_path, _network(aws, vpc_cidr, app, db, **kwargs))
    assert found.verdict == FAIL and rule in found.detail, found.detail


def test_network_acls_are_read_first_match_wins():
    vpc = "10.0.0.0/16"
    allow_all = [{"Egress": e, "RuleNumber": 100, "Protocol": "-1", "CidrBlock": "0.0.0.0/0", "RuleAction": "allow"}
                 for e in (True, False)]
    assert acl_allows(allow_all, True, "6", 443, "0.0.0.0/0") and acl_allows(allow_all, False, "17", 53, vpc)
    deny_first = [{"Egress": True, "RuleNumber": 50, "Protocol": "6", "PortRange": {"From": 443, "To": 443},
                   "CidrBlock": "0.0.0.0/0", "RuleAction": "deny"}, *allow_all]
    assert not acl_allows(deny_first, True, "6", 443, "0.0.0.0/0")
    assert acl_allows(deny_first, True, "6", 80, "0.0.0.0/0")
