"""Network: which subnets are public, where NAT routes go, tags, isolation, flow logs."""

from __future__ import annotations

import ipaddress
import itertools
import json

import pytest

from components.network import ELB_ROLE_TAG, INTERNAL_ELB_ROLE_TAG, plan_subnets
from tests.conftest import by_id, policy, run_stack
from tools.engine.harness import ProgramRun

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"


def subnets(run: ProgramRun, tier: str):
    return [r for r in run.of_type(SUBNET) if r.inputs["tags"]["tier"] == tier]


def route_table_of(run: ProgramRun, subnet_id: str) -> str:
    (assoc,) = [a for a in run.of_type(ASSOC) if a.inputs["subnetId"] == subnet_id]
    return assoc.inputs["routeTableId"]


def default_routes(run: ProgramRun, route_table_id: str):
    return [r for r in run.of_type(ROUTE)
            if r.inputs["routeTableId"] == route_table_id and r.inputs["destinationCidrBlock"] == "0.0.0.0/0"]


@pytest.mark.parametrize("vpc_cidr", ["10.0.0.0/16", "172.16.0.0/18", "192.168.0.0/20"])
@pytest.mark.parametrize("zones", [2, 3, 6])
def test_subnet_plan_fits_the_vpc_without_overlap(vpc_cidr: str, zones: int):
    plan = plan_subnets(vpc_cidr, zones)
    blocks = [ipaddress.IPv4Network(c) for c in plan.public + plan.private + plan.data]
    assert len(plan.public) == len(plan.private) == len(plan.data) == zones
    assert all(b.subnet_of(ipaddress.IPv4Network(vpc_cidr)) for b in blocks)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(blocks, 2))
    # nodes and pods take VPC IPs: private subnets are the largest tier
    assert min(ipaddress.IPv4Network(c).num_addresses for c in plan.private) > \
        max(ipaddress.IPv4Network(c).num_addresses for c in plan.public + plan.data)


def test_three_tiers_across_three_zones(dev_run: ProgramRun):
    for tier in ("public", "private", "data"):
        tier_subnets = subnets(dev_run, tier)
        assert len(tier_subnets) == 3
        assert {s.inputs["availabilityZone"] for s in tier_subnets} == {"us-east-1a", "us-east-1b", "us-east-1c"}


def test_no_subnet_assigns_public_ips(dev_run: ProgramRun):
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in dev_run.of_type(SUBNET))


def test_load_balancer_discovery_tags(dev_run: ProgramRun):
    cluster_tag = "kubernetes.io/cluster/ls-dev-eks"
    for s in subnets(dev_run, "public"):
        assert s.inputs["tags"][ELB_ROLE_TAG] == "1" and INTERNAL_ELB_ROLE_TAG not in s.inputs["tags"]
        assert s.inputs["tags"][cluster_tag] == "shared"
    for s in subnets(dev_run, "private"):
        assert s.inputs["tags"][INTERNAL_ELB_ROLE_TAG] == "1" and ELB_ROLE_TAG not in s.inputs["tags"]
        assert s.inputs["tags"][cluster_tag] == "shared"
    for s in subnets(dev_run, "data"):  # no load balancer may land in a data subnet
        assert not {ELB_ROLE_TAG, INTERNAL_ELB_ROLE_TAG, cluster_tag} & set(s.inputs["tags"])


def test_only_public_subnets_route_to_the_internet_gateway(dev_run: ProgramRun):
    ids = by_id(dev_run)
    for s in subnets(dev_run, "public"):
        (route,) = default_routes(dev_run, route_table_of(dev_run, s.id or ""))
        assert ids[route.inputs["gatewayId"]].type == "aws:ec2/internetGateway:InternetGateway"
    for s in subnets(dev_run, "private") + subnets(dev_run, "data"):
        for route in default_routes(dev_run, route_table_of(dev_run, s.id or "")):
            assert "gatewayId" not in route.inputs


def test_data_subnets_have_no_route_out(dev_run: ProgramRun, prod_run: ProgramRun):
    for run in (dev_run, prod_run):
        for s in subnets(run, "data"):
            rt = route_table_of(run, s.id or "")
            assert [r for r in run.of_type(ROUTE) if r.inputs["routeTableId"] == rt] == []


def test_dev_has_one_nat_gateway_that_all_private_subnets_use(dev_run: ProgramRun):
    (nat,) = dev_run.of_type(NAT)
    assert by_id(dev_run)[nat.inputs["subnetId"]].inputs["tags"]["tier"] == "public"
    for s in subnets(dev_run, "private"):
        (route,) = default_routes(dev_run, route_table_of(dev_run, s.id or ""))
        assert route.inputs["natGatewayId"] == nat.id


def test_production_routes_each_zone_through_its_own_nat(prod_run: ProgramRun):
    ids = by_id(prod_run)
    nats = prod_run.of_type(NAT)
    assert len(nats) == 3
    for s in subnets(prod_run, "private"):
        (route,) = default_routes(prod_run, route_table_of(prod_run, s.id or ""))
        nat = ids[route.inputs["natGatewayId"]]
        nat_subnet = ids[nat.inputs["subnetId"]]
        assert nat_subnet.inputs["tags"]["tier"] == "public"
        assert nat_subnet.inputs["availabilityZone"] == s.inputs["availabilityZone"]


def test_s3_gateway_endpoint_serves_private_and_data_subnets(prod_run: ProgramRun):
    (endpoint,) = [e for e in prod_run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                   if e.inputs["vpcEndpointType"] == "Gateway"]
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    expected = {route_table_of(prod_run, s.id or "") for s in subnets(prod_run, "private") + subnets(prod_run, "data")}
    assert set(endpoint.inputs["routeTableIds"]) == expected


def test_interface_endpoints_in_private_subnets_behind_https_only(prod_run: ProgramRun):
    endpoints = [e for e in prod_run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                 if e.inputs["vpcEndpointType"] == "Interface"]
    assert [e.inputs["serviceName"] for e in endpoints] == ["com.amazonaws.us-east-1.sts"]
    private_ids = {s.id for s in subnets(prod_run, "private")}
    (sts,) = endpoints
    assert set(sts.inputs["subnetIds"]) == private_ids and sts.inputs["privateDnsEnabled"] is True
    (rule,) = [r for r in prod_run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
               if r.name == "network-endpoints-https"]
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (443, 443, "tcp")
    assert rule.inputs["cidrIpv4"] == "10.40.0.0/16" and rule.inputs["description"]
    assert sts.inputs["securityGroupIds"] == [rule.inputs["securityGroupId"]]


def test_default_security_group_is_stripped(dev_run: ProgramRun):
    (default_sg,) = dev_run.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert "ingress" not in default_sg.inputs and "egress" not in default_sg.inputs


def test_flow_logs_capture_all_traffic_into_an_encrypted_log_group(dev_run: ProgramRun):
    (flow_log,) = dev_run.of_type("aws:ec2/flowLog:FlowLog")
    (vpc,) = dev_run.of_type("aws:ec2/vpc:Vpc")
    assert flow_log.inputs["vpcId"] == vpc.id and flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    group = dev_run.one("aws:cloudwatch/logGroup:LogGroup", "network-flow-logs")
    assert flow_log.inputs["logDestination"] == group.outputs["arn"]
    assert group.inputs["retentionInDays"] == 30
    logs_key = dev_run.one("aws:kms/key:Key", "keys-logs")
    assert group.inputs["kmsKeyId"] == logs_key.outputs["arn"]
    (role,) = [r for r in dev_run.of_type("aws:iam/role:Role") if r.outputs["arn"] == flow_log.inputs["iamRoleArn"]]
    (statement,) = policy(role, "assumeRolePolicy")["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    role_policy = dev_run.one("aws:iam/rolePolicy:RolePolicy", "network-flow-logs")
    (allow,) = policy(role_policy)["Statement"]
    assert allow["Resource"] == [group.outputs["arn"], group.outputs["arn"] + ":*"]


def test_production_keeps_flow_logs_a_year(prod_run: ProgramRun):
    group = prod_run.one("aws:cloudwatch/logGroup:LogGroup", "network-flow-logs")
    assert group.inputs["retentionInDays"] == 365


def test_logs_key_lets_only_this_accounts_log_groups_use_it(dev_run: ProgramRun):
    logs_key = dev_run.one("aws:kms/key:Key", "keys-logs")
    statements = {s["Sid"]: s for s in policy(logs_key)["Statement"]}
    service = statements["CloudWatchLogsOfThisAccount"]
    assert service["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert service["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == \
        "arn:aws:logs:us-east-1:123456789012:log-group:*"
    for key in dev_run.of_type("aws:kms/key:Key"):
        assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 30


def test_every_aws_resource_uses_the_tagging_provider(dev_run: ProgramRun):
    (provider,) = dev_run.of_type("pulumi:providers:aws")
    tags = json.loads(provider.inputs["defaultTags"])["tags"]
    assert tags["app"] == "langsmith" and tags["langsmith:profile"] == "dev"
    aws_resources = [r for r in dev_run.registrations if r.custom and r.type.startswith("aws:")]
    assert aws_resources and all((r.provider or "").startswith(provider.urn) for r in aws_resources)


def test_existing_vpc_is_used_not_created():
    existing = {
        "vpcId": "vpc-0123456789abcdef0",
        "publicSubnetIds": ["subnet-00000000000000001", "subnet-00000000000000002"],
        "privateSubnetIds": ["subnet-00000000000000003", "subnet-00000000000000004"],
    }
    run = run_stack("dev", {"network": {"existing": existing}})
    for created in ("aws:ec2/vpc:Vpc", SUBNET, NAT, "aws:ec2/internetGateway:InternetGateway", ROUTE):
        assert run.of_type(created) == []
    assert run.outputs["vpcId"] == existing["vpcId"]
    assert run.outputs["privateSubnetIds"] == existing["privateSubnetIds"]
    assert run.outputs["dataSubnetIds"] == existing["privateSubnetIds"]  # data defaults to private
    assert run.outputs["publicSubnetIds"] == existing["publicSubnetIds"]


def test_network_also_builds_in_preview_mode():
    run = run_stack("prod", preview=True)
    assert len(run.of_type(SUBNET)) == 9 and len(run.of_type(NAT)) == 3


def test_zones_do_not_move_when_one_is_impaired(monkeypatch: pytest.MonkeyPatch):
    """A zone degraded during an outage must not re-choose the zones (and so move the subnets)."""
    from types import SimpleNamespace

    from settings import parse_config
    from shapes import foundation
    from tests.conftest import PROJECT, stack_values

    values, secrets = stack_values("dev")
    settings = parse_config(values, project=PROJECT, stack="dev", secret_keys=secrets)
    assert settings.network.availability_zones is None  # chosen by the program

    def zones(impaired: set[str]):
        def get_availability_zones(state: str | None = None, **_: object) -> SimpleNamespace:
            names = [f"us-east-1{s}" for s in "fedcba"]  # EC2 does not promise an order
            return SimpleNamespace(names=[n for n in names if state != "available" or n not in impaired])
        return get_availability_zones

    monkeypatch.setattr(foundation.aws, "get_availability_zones", zones(set()))
    healthy = foundation.availability_zones(settings)
    monkeypatch.setattr(foundation.aws, "get_availability_zones", zones({"us-east-1b"}))
    assert foundation.availability_zones(settings) == healthy == ["us-east-1a", "us-east-1b", "us-east-1c"]
