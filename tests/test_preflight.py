"""Preflight against a real AWS API emulator (moto in server mode, one per session), not fakes.

What moto 5.2.5 serves and what it does not (so the preflight says "could not check"):
- served: STS identity (assumed roles too), IAM roles, EC2 regions with opt-in status, AZs,
  instance type offerings per AZ, VPCs, subnets, route tables, NAT gateways, addresses,
  instances, Route53 zones, EKS clusters, ELBv2, RDS DB snapshots (manual and the automated one
  an instance gets), EBS snapshots, KMS keys, and Service Quotas for the `vpc` service only
  (VPCs per Region, internet gateways, NAT gateways per AZ) at AWS's default values;
- not served: Service Quotas for `ec2` (On-Demand / Spot vCPUs, Elastic IPs), `eks` and
  `elasticloadbalancing`, GetAWSDefaultServiceQuota, the IAM policy simulator, the Account
  API's GetRegionOptStatus, and EKS's DescribeAddonVersions / DescribeClusterVersions (HTTP 404).
  Moto offers no way to seed quota values or EKS's version catalogue, so those stay unchecked
  against it; the add-on check's parsing is tested with botocore's Stubber instead.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import boto3
import botocore.session
import pytest
import yaml

import tools.preview
from settings.identity import principal_arn
from settings.loader import parse_config
from components.versions import CLOUDWATCH_OBSERVABILITY_ADDON, EKS_ADDON_VERSIONS, KUBERNETES_VERSION
from tools.engine.stack_config import load_stack_config
from tools.preflight import quotas
from tools.preflight.__main__ import main as preflight_main
from tools.preflight.agent_images import check_agent_image_repository
from tools.preflight.clis import check_clis
from tools.preflight.context import FAIL, PASS, UNCHECKED, WARN, Context
from tools.preflight.dns import check_hosted_zones
from tools.preflight.identity import check_identity
from tools.preflight.needs import plan_needs
from tools.preflight.network import check_api_reachability, check_existing_network
from tools.preflight.region import availability_zones, check_region
from tools.preflight.restore import check_restore_sources, check_restore_target
from tools.preflight.secrets_and_placeholders import check_secrets_and_placeholders
from tools.preflight.versions import check_addon_versions

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"  # moto's default account
ZONE_ID = "Z0PREFLIGHTZONE1"  # the ID the emulator gives the test's hosted zone (a real-looking Route53 ID)
EGRESS_IP = "198.18.0.10"
REAL_CIPHERTEXT = "v1:AAABAJ1bq3Yk2nX0l9c6wZ1Ow8d0f3sO"  # what `pulumi config set --secret` writes
# A PostgreSQL restore brings the old stack's salt and JWT secret (settings/restore.py).
OLD_SECRETS = {"langsmith-aws:restoreSecrets": {"apiKeySalt": {"secure": REAL_CIPHERTEXT},
                                                "jwtSecret": {"secure": REAL_CIPHERTEXT}}}


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    # The emulator's EC2 would load thousands of public AMIs on every reset; no check reads them.
    previous = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    # APIs moto lacks answer HTTP 500 and Flask logs a traceback for each: keep the output readable.
    for name in ("werkzeug", "moto", "flask.app"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    if previous is None:
        os.environ.pop("MOTO_EC2_LOAD_DEFAULT_AMIS", None)
    else:
        os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = previous


@pytest.fixture()
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> boto3.Session:
    """A fresh emulated account (reset between tests) and the environment pointing boto3 at it."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).close()
    for name, value in {"AWS_ENDPOINT_URL": moto_endpoint, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_MAX_ATTEMPTS": "1", "AWS_CONFIG_FILE": "/dev/null",
                        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    return boto3.Session(botocore_session=_BOTOCORE, region_name="us-east-1", aws_access_key_id="testing",
                         aws_secret_access_key="testing")


# One botocore session for every test: it keeps the parsed service models (EC2's alone takes a
# noticeable part of a second to load), as a single preflight run does.
_BOTOCORE = botocore.session.get_session()


def create_zone(session: boto3.Session, name: str, zone_id: str = ZONE_ID, private: bool = False) -> None:
    """A hosted zone with a chosen ID (moto's ID manager lets a test pick it)."""
    from moto.route53.models import HostedZoneIdentifier
    from moto.utilities.id_generator import moto_id_manager

    moto_id_manager.set_custom_id(HostedZoneIdentifier(ACCOUNT, name + ".", None), zone_id)
    kwargs: dict[str, Any] = {"Name": name, "CallerReference": f"preflight-{time.monotonic_ns()}"}
    if private:
        vpc = session.client("ec2").create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
        kwargs |= {"HostedZoneConfig": {"PrivateZone": True}, "VPC": {"VPCRegion": "us-east-1", "VPCId": vpc}}
    session.client("route53").create_hosted_zone(**kwargs)


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for k, v in changes.items():
        merged[k] = _merge(merged[k], v) if isinstance(v, dict) and isinstance(merged.get(k), dict) else v
    return merged


def prepared_config(tmp_path: Path, changes: dict[str, Any] | None = None, stack: str = "prod") -> Path:
    """The prod stack file with the user's own values in place of the documentation ones."""
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())
    own = {
        "langsmith-aws:langsmith": {"domain": "langsmith.corp.internal", "hostedZoneId": ZONE_ID, "adminEmail": "admin@corp.internal",
                                    "oidc": {"issuerUrl": "https://login.corp.internal/oauth2/default"}},
        "langsmith-aws:cluster": {"publicAccessCidrs": [], "deployerAccessCidrs": ["198.18.0.0/15"]},
        "langsmith-aws:licenseKey": {"secure": REAL_CIPHERTEXT},
        "langsmith-aws:oidcClientSecret": {"secure": REAL_CIPHERTEXT},
    }
    document["config"] = _merge(_merge(document["config"], own), changes or {})
    if "existing" in document["config"].get("langsmith-aws:network", {}):
        # An existing VPC keeps its own layout: the stack file's CIDR would be refused as ignored.
        document["config"]["langsmith-aws:network"] = {"existing": document["config"]["langsmith-aws:network"]["existing"]}
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def every_cli(name: str) -> str:
    return f"/usr/local/bin/{name}"


def run_preflight(session: boto3.Session, *args: str,
                  which: Any = every_cli) -> tuple[int, dict[str, tuple[str, str, str]], str]:
    """Exit code, {check name: (verdict, detail, fix)} from the JSON checklist, and everything printed."""
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as directory:
        listing = Path(directory) / "checks.json"
        code = preflight_main([*args, "--json", str(listing)], out=out, err=err, which=which, session=session)
        found = json.loads(listing.read_text()) if listing.exists() else []
    checks = {c["name"]: (c["verdict"], c["detail"], c["fix"]) for c in found}
    return code, checks, out.getvalue() + err.getvalue()


def checker(config_file: Path, session: boto3.Session, egress_ip: str | None = None) -> Context:
    """What one preflight checks with, to run a single check on it."""
    config = load_stack_config(config_file=config_file)
    settings = parse_config(config.values, project=config.project, stack=config.stack, secret_keys=config.secret_keys)
    return Context(settings, config, session, egress_ip=egress_ip, which=every_cli)


def verdicts(checks: dict[str, tuple[str, str, str]], verdict: str) -> list[str]:
    return [name for name, (v, _, _) in checks.items() if v == verdict]


def test_a_prepared_account_passes_and_the_vcpu_quota_is_reported_unchecked(aws: boto3.Session, tmp_path: Path) -> None:
    create_zone(aws, "corp.internal")
    code, checks, text = run_preflight(aws, "--config-file", str(prepared_config(tmp_path)), "--egress-ip", EGRESS_IP)
    assert verdicts(checks, FAIL) == [], text
    assert code == 0
    for name in ("caller identity", "region enabled", "availability zones", "hosted zone (langsmith.hostedZoneId)",
                 "instance types (cluster.generalPool)", "instance types (cluster.clickhousePool)",
                 "quota: VPCs per region", "quota: NAT gateways per AZ", "Kubernetes API reachable from here",
                 "secrets set", "documentation values replaced", "deploy tools"):
        assert checks[name][0] == PASS, (name, checks.get(name))
    # prod: 6 general + 1 ClickHouse m6i.2xlarge on demand at maxSize = 7 x 8 vCPUs; moto serves no
    # EC2 quota, so the check says what it needs and that it could not read the quota.
    vcpu = checks["quota: On-Demand standard vCPUs (cluster.generalPool, cluster.clickhousePool at maxSize)"]
    assert vcpu[0] == UNCHECKED and "needs 56" in vcpu[1] and "L-1216C47A" in vcpu[1]
    assert checks["quota: Elastic IPs (NAT gateways)"][0] == UNCHECKED and "needs 3" in checks[
        "quota: Elastic IPs (NAT gateways)"][1]
    assert "Not checked (check by hand):" in text and "On-Demand standard vCPUs" in text.split("Not checked")[1]


def test_a_missing_hosted_zone_is_named_with_its_fix(aws: boto3.Session, tmp_path: Path) -> None:
    create_zone(aws, "corp.internal", zone_id="Z0SOMEOTHERZONE")
    code, checks, _ = run_preflight(aws, "--config-file", str(prepared_config(tmp_path)), "--egress-ip", EGRESS_IP)
    verdict, detail, fix = checks["hosted zone (langsmith.hostedZoneId)"]
    assert code == 1 and verdict == FAIL
    assert f"{ZONE_ID} does not exist" in detail and "create-hosted-zone" in fix
    assert verdicts(checks, FAIL) == ["hosted zone (langsmith.hostedZoneId)"]


def test_a_domain_outside_its_zone_and_a_private_zone_fail(aws: boto3.Session, tmp_path: Path) -> None:
    create_zone(aws, "corp.internal")
    config = prepared_config(tmp_path, {"langsmith-aws:langsmith": {"domain": "langsmith.elsewhere.internal"}})
    code, checks, _ = run_preflight(aws, "--config-file", str(config), "--egress-ip", EGRESS_IP)
    verdict, detail, _ = checks["hosted zone (langsmith.hostedZoneId)"]
    assert code == 1 and verdict == FAIL
    assert "langsmith.domain langsmith.elsewhere.internal is outside the zone" in detail and "corp.internal" in detail
    assert verdicts(checks, FAIL) == ["hosted zone (langsmith.hostedZoneId)"]

    create_zone(aws, "private.internal", zone_id="Z0PRIVATEZONE1", private=True)
    found = check_hosted_zones(checker(prepared_config(tmp_path, {"langsmith-aws:langsmith": {
        "domain": "langsmith.private.internal", "hostedZoneId": "Z0PRIVATEZONE1"}}), aws))
    assert found[-1].verdict == FAIL and "is a private zone" in found[-1].detail


def test_an_account_at_its_vpc_quota_fails_the_vpc_check(aws: boto3.Session, tmp_path: Path) -> None:
    create_zone(aws, "corp.internal")
    ec2 = aws.client("ec2")
    quota = aws.client("service-quotas").get_service_quota(ServiceCode="vpc", QuotaCode="L-F678F1CE")["Quota"]["Value"]
    while len(ec2.describe_vpcs()["Vpcs"]) < quota:  # the default VPC counts too
        ec2.create_vpc(CidrBlock=f"10.{len(ec2.describe_vpcs()['Vpcs'])}.0.0/16")
    code, checks, _ = run_preflight(aws, "--config-file", str(prepared_config(tmp_path)), "--egress-ip", EGRESS_IP)
    verdict, detail, fix = checks["quota: VPCs per region"]
    assert code == 1 and verdict == FAIL
    assert f"needs 1, {int(quota)} in use, quota {int(quota)}" in detail
    assert "L-F678F1CE" in fix and "network.existing" in fix
    assert verdicts(checks, FAIL) == ["quota: VPCs per region"]


def test_the_shipped_stack_file_fails_on_its_placeholders(aws: boto3.Session) -> None:
    found = check_secrets_and_placeholders(checker(ROOT / "stacks" / "Pulumi.prod.yaml", aws))  # the stack file only
    checks = {c.name: (c.verdict, c.detail, c.fix) for c in found}
    text = "\n".join(f"{c.detail} {c.fix}" for c in found)
    assert checks["secrets set"][0] == FAIL and "licenseKey" in checks["secrets set"][1]
    assert "pulumi config set --secret licenseKey" in checks["secrets set"][2]
    placeholders = checks["documentation values replaced"][1]
    assert "langsmith.domain = langsmith.example.com" in placeholders
    assert "langsmith.hostedZoneId = Z0000000000000EXAMPLE" in placeholders
    assert "v1:placeholder" not in text  # the ciphertext placeholder is named by key, never printed


def test_a_private_api_on_a_new_vpc_fails_before_anything_is_created(aws: boto3.Session, tmp_path: Path) -> None:
    name = "Kubernetes API reachable from here"
    inside = prepared_config(tmp_path, {"langsmith-aws:cluster": {"deployerAccessCidrs": [], "deployerInsideVpc": True}})
    found = check_api_reachability(checker(inside, aws), can_ask_aws=True)  # asks EKS: no cluster yet
    verdict, detail, fix = found[-1].verdict, found[-1].detail, found[-1].fix
    assert found[-1].name == name and verdict == FAIL
    assert "first deploy" in detail and "deployerAccessCidrs" in fix

    # with an allow list: without --egress-ip it says it cannot tell; outside the list it fails
    for egress_ip, expected in ((None, UNCHECKED), ("192.0.2.44", FAIL), (EGRESS_IP, PASS)):
        found = check_api_reachability(checker(prepared_config(tmp_path), aws, egress_ip), can_ask_aws=False)
        assert found[-1].verdict == expected, found[-1]
    found = check_api_reachability(checker(prepared_config(tmp_path), aws), can_ask_aws=False)
    assert "cannot tell this machine's egress IP" in found[-1].detail
    found = check_api_reachability(checker(prepared_config(tmp_path), aws, "192.0.2.44"), can_ask_aws=False)
    assert "192.0.2.44/32" in found[-1].fix


def test_the_deploying_role_listed_as_cluster_admin_fails(aws: boto3.Session, tmp_path: Path) -> None:
    create_zone(aws, "corp.internal")
    aws.client("iam").create_role(RoleName="Deployer", Path="/ci/", AssumeRolePolicyDocument="{}")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/ci/Deployer"
    credentials = aws.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="ci-run-1")["Credentials"]
    as_deployer = boto3.Session(botocore_session=_BOTOCORE, region_name="us-east-1",
                                aws_access_key_id=credentials["AccessKeyId"],
                                aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"])
    config = prepared_config(tmp_path, {"langsmith-aws:cluster": {"adminRoleArns": [role_arn]}})
    principal, found = check_identity(checker(config, as_deployer))
    assert principal == role_arn
    checks = {c.name: (c.verdict, c.detail, c.fix) for c in found}
    verdict, detail, fix = checks["cluster creator not listed as admin"]
    assert verdict == FAIL and f"remove {role_arn} from cluster.adminRoleArns" in fix
    assert role_arn in detail and "assumed-role/Deployer/ci-run-1" in checks["caller identity"][1]
    assert f"principal {role_arn}" in checks["caller identity"][1]  # the role's path read from IAM
    assert principal_arn("arn:aws:sts::123456789012:assumed-role/Deployer/ci-run-1") != role_arn  # the path matters


def test_a_region_not_enabled_and_missing_clis_fail(aws: boto3.Session, tmp_path: Path) -> None:
    # An opt-in region, not opted in (with an RDS class the catalogue lists there).
    config = prepared_config(tmp_path, {"aws:region": "ap-east-1",
                                        "langsmith-aws:postgres": {"instanceClass": "db.m6g.large"}})
    ctx = checker(config, aws)
    ctx.which = lambda name: None if name in ("pulumi", "kubectl") else every_cli(name)
    checks = {c.name: (c.verdict, c.detail, c.fix) for c in [*check_region(ctx), *check_clis(ctx)]}
    assert checks["region enabled"][0] == FAIL and "not-opted-in" in checks["region enabled"][1]
    assert "enable-region --region-name ap-east-1" in checks["region enabled"][2]
    assert checks["deploy tools"][0] == FAIL and "pulumi" in checks["deploy tools"][1]
    assert checks["kubectl (optional)"][0] == WARN


def test_an_existing_vpc_is_checked_tier_by_tier(aws: boto3.Session, tmp_path: Path) -> None:
    create_zone(aws, "corp.internal")
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

    def subnet(cidr: str, az: str) -> str:
        return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]

    public = [subnet("10.70.0.0/24", "us-east-1a"), subnet("10.70.1.0/24", "us-east-1b")]
    private = [subnet("10.70.10.0/24", "us-east-1a"), subnet("10.70.11.0/24", "us-east-1b")]
    data = [subnet("10.70.20.0/24", "us-east-1a"), subnet("10.70.21.0/24", "us-east-1b")]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]

    def table(subnets: list[str], **route: str) -> None:
        table_id = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        if route:
            ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", **route)
        for s in subnets:
            ec2.associate_route_table(RouteTableId=table_id, SubnetId=s)

    table(public, GatewayId=igw)
    table(private, NatGatewayId=nat)
    table(data[:1])
    table(data[1:], NatGatewayId=nat)  # wrong: the data tier must have no internet route
    existing = {"vpcId": vpc, "publicSubnetIds": public, "privateSubnetIds": private, "dataSubnetIds": data}
    config = prepared_config(tmp_path, {"langsmith-aws:network": {"existing": existing}})
    ctx = checker(config, aws)
    zones, _ = availability_zones(ctx)
    assert zones is not None and zones == ["us-east-1a", "us-east-1b"]  # the private subnets' zones
    needs = plan_needs(ctx.settings, zones)
    assert needs.vpcs == 0 and needs.elastic_ips == 0  # no VPC, no NAT gateway is created
    checks = {c.name: (c.verdict, c.detail, c.fix) for c in check_existing_network(ctx)}
    verdict, detail, _ = checks["existing network"]
    assert verdict == FAIL
    assert f"data subnet {data[1]} has a default route (nat" in detail and data[0] not in detail
    assert "public subnet" not in detail and "private subnet" not in detail

    # routed as the tiers require, it passes
    ec2.replace_route_table_association(
        AssociationId=ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [data[1]]}])[
            "RouteTables"][0]["Associations"][0]["RouteTableAssociationId"],
        RouteTableId=ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [data[0]]}])[
            "RouteTables"][0]["RouteTableId"])
    found = check_existing_network(checker(config, aws))
    assert found[-1].verdict == PASS, found[-1]


def test_an_invalid_config_exits_2_with_the_previews_message(aws: boto3.Session, tmp_path: Path) -> None:
    config = prepared_config(tmp_path, {"langsmith-aws:network": {"cidr": "10.0.0.0/8"}, "langsmith-aws:colour": "x"})
    code, _, text = run_preflight(aws, "--config-file", str(config))
    err = io.StringIO()
    assert tools.preview.main(["--config-file", str(config), "--quiet"], out=io.StringIO(), err=err) == 2
    assert code == 2 and text == err.getvalue()
    assert "network.cidr" in text and "colour" in text


def test_vcpu_quota_counts_running_instances_when_a_quota_value_is_known(aws: boto3.Session, tmp_path: Path) -> None:
    """Moto serves no EC2 quota and offers no way to seed one, so the value alone is given here (by
    botocore's Stubber); the usage is counted from instances really running in the emulator."""
    from botocore.stub import Stubber

    ec2 = aws.client("ec2")
    image = ec2.register_image(Name="node", RootDeviceName="/dev/xvda")["ImageId"]
    ec2.run_instances(ImageId=image, InstanceType="m5.4xlarge", MinCount=2, MaxCount=2)  # 2 x 16 vCPUs
    ec2.run_instances(ImageId=image, InstanceType="g5.xlarge", MinCount=1, MaxCount=1)  # not a standard family

    service, code = quotas.QUOTA_ON_DEMAND_STANDARD_VCPU
    known = _BOTOCORE.create_client("service-quotas", region_name="us-east-1", aws_access_key_id="testing",
                                    aws_secret_access_key="testing")
    ctx = checker(prepared_config(tmp_path), aws)
    ctx.clients["service-quotas"] = known
    needs = plan_needs(ctx.settings, ["us-east-1a", "us-east-1b", "us-east-1c"])
    with Stubber(known) as stub:
        stub.add_response("get_service_quota", {"Quota": {"Value": 64.0}}, {"ServiceCode": service, "QuotaCode": code})
        found = quotas.check_vcpus(ctx, needs, "raise it: {} {}")
        stub.assert_no_pending_responses()
    vcpu = found[-1]
    assert vcpu.verdict == FAIL, vcpu  # 56 needed + 32 running > 64
    assert "needs 56, 32 in use, quota 64" in vcpu.detail and "L-1216C47A" in vcpu.fix


def test_without_credentials_the_aws_checks_are_named_unchecked(aws: boto3.Session, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    no_credentials = boto3.Session(botocore_session=botocore.session.Session(), region_name="us-east-1")
    code, checks, _ = run_preflight(no_credentials, "--config-file", str(prepared_config(tmp_path)),
                                    "--egress-ip", EGRESS_IP)
    assert code == 1 and checks["caller identity"][0] == FAIL and "credentials" in checks["caller identity"][1]
    assert checks["AWS checks"][0] == UNCHECKED and "quotas" in checks["AWS checks"][1]
    assert checks["secrets set"][0] == PASS  # the offline checks still run


# -- versions EKS offers ------------------------------------------------------------------------

def test_addon_versions_are_named_unchecked_where_eks_does_not_serve_them(aws: boto3.Session, tmp_path: Path) -> None:
    """Moto 5.2.5 answers neither eks:DescribeAddonVersions nor eks:DescribeClusterVersions (HTTP 404)."""
    checks = {c.name: (c.verdict, c.detail) for c in check_addon_versions(checker(prepared_config(tmp_path), aws))}
    assert set(checks) == {"EKS Kubernetes version", "EKS add-on versions"}  # one line, not one per add-on
    assert checks["EKS Kubernetes version"][0] == UNCHECKED
    assert "eks:DescribeClusterVersions" in checks["EKS Kubernetes version"][1]
    verdict, detail = checks["EKS add-on versions"]
    assert verdict == UNCHECKED and "eks:DescribeAddonVersions" in detail and "does not serve this API" in detail
    for addon, pin in {**EKS_ADDON_VERSIONS, "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY_ADDON}.items():
        assert f"{addon} {pin}" in detail


def _addon_response(addon: str, versions: list[str]) -> dict[str, Any]:
    """DescribeAddonVersions as AWS documents it (EKS API reference, DescribeAddonVersions, response syntax)."""
    return {"addons": [{
        "addonName": addon, "type": "networking", "owner": "aws", "publisher": "eks",
        "addonVersions": [{"addonVersion": v, "architecture": ["amd64", "arm64"], "computeTypes": ["ec2"],
                           "compatibilities": [{"clusterVersion": KUBERNETES_VERSION, "platformVersions": ["*"],
                                                "defaultVersion": i == 0}],
                           "requiresConfiguration": False, "requiresIamPermissions": False}
                          for i, v in enumerate(versions)]}]}


def test_an_addon_pin_eks_does_not_offer_fails_naming_the_newest(aws: boto3.Session, tmp_path: Path) -> None:
    """Moto lacks the APIs, so botocore's Stubber answers (it validates each response against EKS's model)."""
    from botocore.stub import Stubber

    pins = {**EKS_ADDON_VERSIONS, "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY_ADDON}
    eks = _BOTOCORE.create_client("eks", region_name="us-east-1", aws_access_key_id="testing",
                                  aws_secret_access_key="testing")
    with Stubber(eks) as stub:
        stub.add_response("describe_cluster_versions", {"clusterVersions": [{
            "clusterVersion": KUBERNETES_VERSION, "clusterType": "eks", "defaultPlatformVersion": "eks.3",
            "defaultVersion": True, "status": "STANDARD_SUPPORT", "versionStatus": "STANDARD_SUPPORT",
            "kubernetesPatchVersion": f"{KUBERNETES_VERSION}.2"}]}, {"clusterVersions": [KUBERNETES_VERSION]})
        for addon, pin in pins.items():
            # coredns: the pin was withdrawn; the others: offered, with a newer build
            offered = ["v1.13.2-eksbuild.9", "v1.12.4-eksbuild.1"] if addon == "coredns" else [pin + "0", pin]
            stub.add_response("describe_addon_versions", _addon_response(addon, offered),
                              {"kubernetesVersion": KUBERNETES_VERSION, "addonName": addon})
        ctx = checker(prepared_config(tmp_path), aws)
        ctx.clients["eks"] = eks
        found = check_addon_versions(ctx)
        stub.assert_no_pending_responses()
    checks = {c.name: (c.verdict, c.detail, c.fix) for c in found}
    assert checks["EKS Kubernetes version"][0] == PASS
    verdict, detail, fix = checks["EKS add-on coredns"]
    assert verdict == FAIL
    assert f"pinned {EKS_ADDON_VERSIONS['coredns']} is not offered" in detail
    assert "newest offered v1.13.2-eksbuild.9" in detail  # by release order, not the response's order
    assert "components/versions.py" in fix and "KUBERNETES_SUPPORT" in fix and "--addon-name coredns" in fix
    assert [n for n, (v, _, _) in checks.items() if v == FAIL] == ["EKS add-on coredns"]
    assert checks["EKS add-on vpc-cni"][0] == PASS


# -- restore sources ------------------------------------------------------------------------------

def _restore_sources(aws: boto3.Session, postgres_major: str, postgres_gb: int, volume_gb: int) -> tuple[str, str, str]:
    """An RDS instance with a manual snapshot (and its automated one), a volume with a snapshot."""
    kms = aws.client("kms").create_key(Description="old stack data key")["KeyMetadata"]["Arn"]
    rds = aws.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="ls-old-postgres", Engine="postgres",
                           EngineVersion=f"{postgres_major}.4", DBInstanceClass="db.m6g.large",
                           AllocatedStorage=postgres_gb, MasterUsername="langsmith", MasterUserPassword="not-a-secret-1",
                           StorageEncrypted=True, KmsKeyId=kms)
    rds.create_db_snapshot(DBInstanceIdentifier="ls-old-postgres", DBSnapshotIdentifier="ls-old-postgres-final")
    automated = rds.describe_db_snapshots(DBInstanceIdentifier="ls-old-postgres", SnapshotType="automated")[
        "DBSnapshots"][0]["DBSnapshotIdentifier"]
    ec2 = aws.client("ec2")
    volume = ec2.create_volume(Size=volume_gb, AvailabilityZone="us-east-1a", Encrypted=True, KmsKeyId=kms)["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    return kms, automated, snapshot


def test_good_restore_sources_pass_and_name_their_key(aws: boto3.Session, tmp_path: Path) -> None:
    create_zone(aws, "corp.internal")
    base = checker(prepared_config(tmp_path), aws).settings
    kms, automated, snapshot = _restore_sources(aws, base.postgres.engine_version, base.postgres.allocated_storage_gb,
                                                base.clickhouse.volume_size_gb)
    config = prepared_config(tmp_path, {"langsmith-aws:restore": {
        "postgresSnapshot": f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:ls-old-postgres-final",
        "clickhouseSnapshot": f"arn:aws:ec2:us-east-1::snapshot/{snapshot}"}, **OLD_SECRETS})
    code, checks, text = run_preflight(aws, "--config-file", str(config), "--egress-ip", EGRESS_IP)
    assert code == 0 and verdicts(checks, FAIL) == [], text
    verdict, detail, _ = checks["restore source (restore.postgresSnapshot)"]
    assert verdict == PASS and "ls-old-postgres-final (manual, postgres" in detail
    assert f"encrypted with KMS key {kms} (Enabled)" in detail
    verdict, detail, _ = checks["restore source (restore.clickhouseSnapshot)"]
    assert verdict == PASS and snapshot in detail and f"{base.clickhouse.volume_size_gb} GiB, completed" in detail
    assert "encrypted (the KMS key is not reported)" in detail  # moto's EBS snapshots omit KmsKeyId; AWS's carry it

    # the automated snapshot's form (rds:...) is found too: DescribeDBSnapshots needs its type
    ctx = checker(prepared_config(tmp_path, {"langsmith-aws:restore": {"postgresSnapshot": automated}, **OLD_SECRETS}), aws)
    found = check_restore_sources(ctx, f"arn:aws:iam::{ACCOUNT}:role/Deployer")
    assert found[-1].verdict == PASS and "(automated, postgres" in found[-1].detail, found[-1]


def test_missing_and_unfit_restore_sources_are_named(aws: boto3.Session, tmp_path: Path) -> None:
    base = checker(prepared_config(tmp_path), aws).settings
    newer_major = str(int(base.postgres.engine_version) + 1)
    kms, _, snapshot = _restore_sources(aws, newer_major, base.postgres.allocated_storage_gb + 50,
                                        base.clickhouse.volume_size_gb + 100)
    aws.client("kms").disable_key(KeyId=kms.split("/")[-1])  # its backups become unusable (moto: by key ID)
    deployer = f"arn:aws:iam::{ACCOUNT}:role/Deployer"

    missing = checker(prepared_config(tmp_path, {"langsmith-aws:restore": {
        "postgresSnapshot": "ls-prod-postgres-gone", "clickhouseSnapshot": "snap-0123456789abcdef0"}, **OLD_SECRETS}), aws)
    checks = {c.name: (c.verdict, c.detail, c.fix) for c in check_restore_sources(missing, deployer)}
    verdict, detail, fix = checks["restore source (restore.postgresSnapshot)"]
    assert verdict == FAIL and "DB snapshot ls-prod-postgres-gone not found in us-east-1" in detail
    assert "copy-db-snapshot" in fix
    verdict, detail, fix = checks["restore source (restore.clickhouseSnapshot)"]
    assert verdict == FAIL and "EBS snapshot snap-0123456789abcdef0 not found in us-east-1" in detail
    assert "copy-snapshot" in fix

    unfit = checker(prepared_config(tmp_path, {"langsmith-aws:restore": {
        "postgresSnapshot": "ls-old-postgres-final", "clickhouseSnapshot": snapshot}, **OLD_SECRETS}), aws)
    checks = {c.name: (c.verdict, c.detail, c.fix) for c in check_restore_sources(unfit, deployer)}
    verdict, detail, fix = checks["restore source (restore.postgresSnapshot)"]
    assert verdict == FAIL
    assert (f"PostgreSQL {newer_major}.4 and postgres.engineVersion is {base.postgres.engine_version}: RDS cannot "
            "restore to an older major version") in detail
    assert f'postgres.engineVersion: "{newer_major}"' in fix
    assert f"it holds {base.postgres.allocated_storage_gb + 50} GiB" in detail and "RDS cannot shrink storage" in detail
    assert f"postgres.allocatedStorageGb to at least {base.postgres.allocated_storage_gb + 50}" in fix
    assert f"its KMS key {kms} is Disabled" in detail and "enable-key" in fix
    verdict, detail, fix = checks["restore source (restore.clickhouseSnapshot)"]
    size = base.clickhouse.volume_size_gb + 100
    assert verdict == FAIL and f"it is {size} GiB and clickhouse.volumeSizeGb is {base.clickhouse.volume_size_gb}" in detail
    assert f"clickhouse.volumeSizeGb to at least {size}" in fix



def test_a_restore_into_a_live_stack_or_onto_a_live_domain_is_refused_naming_the_key(
        aws: boto3.Session, tmp_path: Path) -> None:
    restore = {"langsmith-aws:restore": {"postgresSnapshot": "ls-old-postgres-final",
                                         "clickhouseSnapshot": "snap-0123456789abcdef0"}, **OLD_SECRETS}
    create_zone(aws, "corp.internal")
    fresh = checker(prepared_config(tmp_path, restore), aws)
    (check,) = check_restore_target(fresh)
    assert check.verdict == PASS, check
    # The live stack: its database, its cluster and its domain's record exist.
    s = fresh.settings
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier=f"{s.name_prefix}-postgres", Engine="postgres", DBInstanceClass="db.m6g.large",
        AllocatedStorage=100, MasterUsername="langsmith", MasterUserPassword="not-a-secret-1")
    iam = aws.client("iam")
    role = iam.create_role(RoleName="eks", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    aws.client("eks").create_cluster(name=s.cluster_name, roleArn=role,
                                     resourcesVpcConfig={"subnetIds": ["subnet-0aaaaaaaaaaaaaaa1"]})
    assert s.langsmith is not None and s.langsmith.domain is not None
    aws.client("route53").change_resource_record_sets(HostedZoneId=ZONE_ID, ChangeBatch={"Changes": [{
        "Action": "CREATE", "ResourceRecordSet": {"Name": s.langsmith.domain, "Type": "A", "TTL": 60,
                                                  "ResourceRecords": [{"Value": "198.18.0.1"}]}}]})
    (check,) = check_restore_target(checker(prepared_config(tmp_path, restore), aws))
    assert check.verdict == FAIL
    for named in ("restore.postgresSnapshot", "restore.clickhouseSnapshot", f"langsmith.domain: {s.langsmith.domain}"):
        assert named in check.detail, named
    assert "new stack" in check.fix and "langsmith.domain" in check.fix


# -- denied is not missing; SSO roles ---------------------------------------------------------------

def test_a_denied_region_lookup_is_unchecked_not_a_disabled_region(aws: boto3.Session, tmp_path: Path) -> None:
    """A policy without account:GetRegionOptStatus and ec2:DescribeRegions says nothing about the region:
    EC2 answers UnauthorizedOperation for a denied call (EC2 API reference, common client errors)."""
    from botocore.stub import Stubber

    clients = {name: _BOTOCORE.create_client(name, region_name="us-east-1", aws_access_key_id="testing",
                                             aws_secret_access_key="testing") for name in ("account", "ec2")}
    with Stubber(clients["account"]) as account, Stubber(clients["ec2"]) as ec2:
        account.add_client_error("get_region_opt_status", "AccessDeniedException", "not authorized", 403)
        ec2.add_client_error("describe_regions", "UnauthorizedOperation", "You are not authorized", 403)
        ctx = checker(prepared_config(tmp_path), aws)
        ctx.clients.update(clients)
        (check,) = check_region(ctx)
    assert check.verdict == UNCHECKED and "UnauthorizedOperation" in check.detail


def test_a_denied_quota_read_is_unchecked_not_the_aws_default(aws: boto3.Session, tmp_path: Path) -> None:
    """GetServiceQuota denied: the account may hold a raised value, so the default must not decide."""
    from botocore.stub import Stubber

    denied = _BOTOCORE.create_client("service-quotas", region_name="us-east-1", aws_access_key_id="testing",
                                     aws_secret_access_key="testing")
    with Stubber(denied) as stub:
        stub.add_client_error("get_service_quota", "AccessDeniedException", "not authorized", 400)
        stub.add_response("get_aws_default_service_quota", {"Quota": {"Value": 5.0}})
        ctx = checker(prepared_config(tmp_path), aws)
        ctx.clients["service-quotas"] = denied
        value, why = quotas.read_quota(ctx, *quotas.QUOTA_VPCS)
    assert value is None and "denied" in why and "AccessDeniedException" in why


def test_an_sso_role_listed_with_its_path_is_the_cluster_creator(aws: boto3.Session, tmp_path: Path) -> None:
    """IAM Identity Center roles live under /aws-reserved/sso.amazonaws.com/; the session ARN omits the
    path: the listed role and the session's are the same role (the program compares the same way)."""
    create_zone(aws, "corp.internal")
    name = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
    role = aws.client("iam").create_role(RoleName=name, Path="/aws-reserved/sso.amazonaws.com/",
                                         AssumeRolePolicyDocument="{}")["Role"]
    credentials = aws.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="jane@corp.internal")["Credentials"]
    as_sso_user = boto3.Session(botocore_session=_BOTOCORE, region_name="us-east-1",
                                aws_access_key_id=credentials["AccessKeyId"],
                                aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"])
    # listed with its path (the config refuses the path-less form: EKS would refuse its access entry)
    config = prepared_config(tmp_path, {"langsmith-aws:cluster": {"adminRoleArns": [role["Arn"]]}})
    principal, found = check_identity(checker(config, as_sso_user))
    assert principal == role["Arn"]  # the principal, with the path read from IAM
    checks = {c.name: (c.verdict, c.detail, c.fix) for c in found}
    verdict, _, fix = checks["cluster creator not listed as admin"]
    assert verdict == FAIL and f"remove {role['Arn']} from cluster.adminRoleArns" in fix


def test_the_preflight_runs_as_the_stacks_assumed_role(aws: boto3.Session, tmp_path: Path) -> None:
    """`aws:assumeRoles` in the stack file is who `pulumi up` deploys as: the checks must read as it."""
    create_zone(aws, "corp.internal")
    role = aws.client("iam").create_role(RoleName="Deployer", Path="/ci/", AssumeRolePolicyDocument="{}")["Role"]
    config = prepared_config(tmp_path, {"aws:assumeRoles": [{"roleArn": role["Arn"], "sessionName": "preflight-ci"}]})
    code, checks, text = run_preflight(aws, "--config-file", str(config), "--egress-ip", EGRESS_IP)
    verdict, detail, _ = checks["caller identity"]
    assert verdict == PASS and "assumed-role/Deployer/preflight-ci" in detail and f"principal {role['Arn']}" in detail
    assert code == 0, text


def test_an_address_inside_a_documentation_block_fails_as_pulumi_up_would(aws: boto3.Session, tmp_path: Path) -> None:
    """`pulumi up` refuses any address inside an RFC 5737 block (settings.placeholders); the preflight
    must not pass what the deploy then refuses (the docs' example egress is 198.51.100.7/32)."""
    config = prepared_config(tmp_path, {"langsmith-aws:cluster": {"deployerAccessCidrs": ["198.51.100.7/32"]}})
    checks = {c.name: (c.verdict, c.detail) for c in check_secrets_and_placeholders(checker(config, aws))}
    verdict, detail = checks["documentation values replaced"]
    assert verdict == FAIL and "cluster.deployerAccessCidrs[0] = 198.51.100.7/32" in detail


def test_only_standard_families_count_against_the_standard_vcpu_quota(aws: boto3.Session, tmp_path: Path) -> None:
    """Inferentia, Trainium, DL, HPC and Mac types start with a Standard letter but have quotas of their
    own (Service Quotas: "Running On-Demand Inf instances" ...): running ones do not use the Standard quota."""
    assert [t for t in ("m7i.large", "c7gn.xlarge", "im4gn.large", "r8g.large", "t3.medium", "z1d.large", "x2gd.large",
                        "inf2.xlarge", "trn1.2xlarge", "dl1.24xlarge", "hpc7g.4xlarge", "mac2.metal", "g5.xlarge")
            if quotas.is_standard_family(t)] == ["m7i.large", "c7gn.xlarge", "im4gn.large", "r8g.large",
                                                    "t3.medium", "z1d.large"]
    ec2 = aws.client("ec2")
    image = ec2.register_image(Name="node", RootDeviceName="/dev/xvda")["ImageId"]
    ec2.run_instances(ImageId=image, InstanceType="m5.large", MinCount=1, MaxCount=1)  # 2 vCPUs
    ec2.run_instances(ImageId=image, InstanceType="inf1.xlarge", MinCount=1, MaxCount=1)  # Inf quota
    used, _ = quotas.vcpus_in_use(checker(prepared_config(tmp_path), aws))
    assert used == {"ON_DEMAND": 2, "SPOT": 0}


def test_the_agent_image_repository_name_must_be_free(aws: boto3.Session, tmp_path: Path) -> None:
    """LangSmith Deployment creates <namePrefix>/agents: taken already, `pulumi up` would fail at the end."""
    name = "ECR repository for agent images (langsmith.deployments)"
    deployments = {"langsmith-aws:langsmith": {"deployments": {"enabled": True}}}
    ctx = checker(prepared_config(tmp_path, deployments), aws)
    assert [(c.name, c.verdict) for c in check_agent_image_repository(ctx)] == [(name, PASS)]
    aws.client("ecr", region_name="us-east-1").create_repository(repositoryName="ls-prod/agents")
    (check,) = check_agent_image_repository(ctx)
    assert check.verdict == FAIL and "already exists" in check.detail and "pulumi import" in check.fix
    # Without deployments the stack creates no repository: nothing to check.
    assert list(check_agent_image_repository(checker(prepared_config(tmp_path), aws))) == []
def agent_server_config(tmp_path: Path) -> Path:
    """The agent-server stack file with the user's own values in place of the documentation ones."""
    document = yaml.safe_load((ROOT / "stacks" / "Pulumi.agent-server.yaml").read_text())
    config = document["config"]
    config["langsmith-aws:agentServer"].update(domain="agents.corp.internal", hostedZoneId=ZONE_ID)
    config["langsmith-aws:cluster"]["deployerAccessCidrs"] = ["198.18.0.0/15"]
    config["langsmith-aws:licenseKey"] = {"secure": REAL_CIPHERTEXT}
    config["langsmith-aws:agentServerApiKey"] = {"secure": REAL_CIPHERTEXT}
    path = tmp_path / "Pulumi.agent-server.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_agent_server_images_must_be_in_their_repositories_and_the_zone_is_checked(aws: boto3.Session,
                                                                                   tmp_path: Path) -> None:
    from tools.preflight.images import check_server_images

    create_zone(aws, "corp.internal")
    ctx = checker(agent_server_config(tmp_path), aws)
    (zone,) = check_hosted_zones(ctx)
    assert zone.name == "hosted zone (agentServer.hostedZoneId)" and zone.verdict == PASS
    first, second = check_server_images(ctx)
    assert first.name == "image (agentServer.servers[0].image)" and first.verdict == FAIL
    assert "ls-agent-server/support:v1.0.0: the repository does not exist yet" in first.detail
    assert "leave agentServer.servers[0].image unset" in first.fix
    ecr = aws.client("ecr", region_name="us-east-1")
    ecr.create_repository(repositoryName="ls-agent-server/support")
    ecr.create_repository(repositoryName="ls-agent-server/research")
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {}, "layers": []})
    ecr.put_image(repositoryName="ls-agent-server/support", imageManifest=manifest, imageTag="v1.0.0")
    ctx = checker(agent_server_config(tmp_path), aws)
    first, second = check_server_images(ctx)
    assert first.verdict == PASS and second.verdict == FAIL and "no image tagged v0.3.1" in second.detail


# -- the private-API handover: who may be listed in cluster.adminRoleArns ---------------------------
#
# EKS makes an admin access entry for whoever calls CreateCluster (bootstrapClusterCreatorAdminPermissions);
# listing that principal in cluster.adminRoleArns makes the stack's CreateAccessEntry fail with
# ResourceInUseException. When creating the cluster that principal is the caller; once it exists, it is
# whoever holds the entry made with the cluster, and a caller that is not the creator may be listed.
# Moto 5.2.5 serves DescribeCluster but not ListAccessEntries / DescribeAccessEntry (HTTP 404), so the
# entries come from botocore's Stubber, validated against EKS's model.

CREATOR_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ls-deployer"  # the deployer role of docs/ci.md
RUNNER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ci/ls-runner"  # another role, listed as admin
PLATFORM_ROLE = f"arn:aws:iam::{ACCOUNT}:role/platform"  # people's role, listed as admin
CLUSTER_CREATED = datetime(2026, 11, 2, 9, 0, 0, tzinfo=timezone.utc)
STACK_ENTRIES_MADE = CLUSTER_CREATED + timedelta(minutes=11)  # after the cluster became ACTIVE


def _session_as(aws: boto3.Session, role_arn: str) -> boto3.Session:
    name, path = role_arn.rsplit("/", 1)[-1], "/" + "/".join(role_arn.split(":role/")[1].split("/")[:-1]) + "/"
    aws.client("iam").create_role(RoleName=name, Path=path.replace("//", "/"), AssumeRolePolicyDocument="{}")
    credentials = aws.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="runner-1")["Credentials"]
    return boto3.Session(botocore_session=_BOTOCORE, region_name="us-east-1",
                         aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"])


def _cluster_admin_checks(aws: boto3.Session, tmp_path: Path, *, caller: str, listed: list[str],
                          entries: dict[str, datetime]) -> dict[str, tuple[str, str, str]]:
    """The identity checks for `caller` on an existing prod cluster whose access entries are `entries`
    (principal -> when made), with the handover's config (deploy.md step 8) and cluster.adminRoleArns = listed."""
    from botocore.stub import ANY, Stubber

    as_caller = _session_as(aws, caller)
    config = prepared_config(tmp_path, {"langsmith-aws:cluster": {
        "deployerInsideVpc": True, "deployerAccessCidrs": [], "adminRoleArns": listed}})
    ctx = checker(config, as_caller)
    name = ctx.settings.cluster_name
    eks = _BOTOCORE.create_client("eks", region_name="us-east-1", aws_access_key_id="testing",
                                  aws_secret_access_key="testing")
    with Stubber(eks) as stub:
        stub.add_response("describe_cluster", {"cluster": {"name": name, "createdAt": CLUSTER_CREATED,
                                                           "status": "ACTIVE"}}, {"name": name})
        stub.add_response("list_access_entries", {"accessEntries": list(entries)}, {"clusterName": name})
        for arn, made in entries.items():
            if any(principal_arn(arn) == principal_arn(p) for p in [*listed, caller]):
                stub.add_response("describe_access_entry", {"accessEntry": {
                    "clusterName": name, "principalArn": arn, "createdAt": made, "type": "STANDARD"}},
                    {"clusterName": name, "principalArn": ANY})
        ctx.clients["eks"] = eks
        _, found = check_identity(ctx)
        stub.assert_no_pending_responses()
    return {c.name: (c.verdict, c.detail, c.fix) for c in found}


def test_the_documented_handover_passes_the_creator_check(aws: boto3.Session, tmp_path: Path) -> None:
    """docs/ci.md and deploy.md: the in-VPC runner deploys as the role that created the cluster, which is
    not listed; people's roles are (their entries are the stack's own, made after the cluster)."""
    checks = _cluster_admin_checks(aws, tmp_path, caller=CREATOR_ROLE, listed=[PLATFORM_ROLE],
                                   entries={CREATOR_ROLE: CLUSTER_CREATED, PLATFORM_ROLE: STACK_ENTRIES_MADE})
    assert checks["cluster creator not listed as admin"][0] == PASS
    verdict, detail, _ = checks["caller has access to the existing cluster"]
    assert verdict == PASS and CREATOR_ROLE in detail


def test_listing_the_creator_on_the_existing_cluster_fails_naming_the_key(aws: boto3.Session, tmp_path: Path) -> None:
    """The contradicting path (the old README): the runner's role, which created the cluster, listed as admin."""
    checks = _cluster_admin_checks(aws, tmp_path, caller=CREATOR_ROLE, listed=[PLATFORM_ROLE, CREATOR_ROLE],
                                   entries={CREATOR_ROLE: CLUSTER_CREATED, PLATFORM_ROLE: STACK_ENTRIES_MADE})
    verdict, detail, fix = checks["cluster creator not listed as admin"]
    assert verdict == FAIL
    assert f"cluster.adminRoleArns[1] = {CREATOR_ROLE}" in detail and "ResourceInUseException" in detail
    assert "is the principal that created cluster" in detail
    assert f"remove {CREATOR_ROLE} from cluster.adminRoleArns" in fix


def test_a_listed_caller_that_did_not_create_the_cluster_passes(aws: boto3.Session, tmp_path: Path) -> None:
    """The check the old preflight got wrong: on an existing cluster a listed caller is fine unless it is
    the creator (its entry is the stack's own, made by an earlier deploy)."""
    checks = _cluster_admin_checks(aws, tmp_path, caller=RUNNER_ROLE, listed=[RUNNER_ROLE],
                                   entries={CREATOR_ROLE: CLUSTER_CREATED, RUNNER_ROLE: STACK_ENTRIES_MADE})
    assert checks["cluster creator not listed as admin"][0] == PASS
    assert checks["caller has access to the existing cluster"][0] == PASS


def test_a_runner_with_no_access_entry_fails_naming_the_handover(aws: boto3.Session, tmp_path: Path) -> None:
    checks = _cluster_admin_checks(aws, tmp_path, caller=RUNNER_ROLE, listed=[],
                                   entries={CREATOR_ROLE: CLUSTER_CREATED})
    assert checks["cluster creator not listed as admin"][0] == PASS
    verdict, detail, fix = checks["caller has access to the existing cluster"]
    assert verdict == FAIL and "no access entry" in detail
    assert "role that created the cluster" in fix and "cluster.adminRoleArns" in fix


def test_an_existing_cluster_whose_entries_moto_cannot_list_is_unchecked(aws: boto3.Session, tmp_path: Path) -> None:
    """Against the emulator itself: the cluster exists (DescribeCluster answers), ListAccessEntries does
    not: the creator check says what it could not read instead of guessing from the caller."""
    as_creator = _session_as(aws, CREATOR_ROLE)
    config = prepared_config(tmp_path, {"langsmith-aws:cluster": {"adminRoleArns": [CREATOR_ROLE]}})
    ctx = checker(config, as_creator)
    aws.client("eks").create_cluster(name=ctx.settings.cluster_name, roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks",
                                     resourcesVpcConfig={"subnetIds": []})
    _, found = check_identity(ctx)
    checks = {c.name: (c.verdict, c.detail, c.fix) for c in found}
    verdict, detail, _ = checks["cluster creator not listed as admin"]
    assert verdict == UNCHECKED and "eks:ListAccessEntries" in detail and "exists" in detail


def test_the_creator_rule_by_case() -> None:
    """The decision the program and the preflight share (settings.identity.listed_creators)."""
    from settings.identity import ExistingCluster, creators, listed_creators

    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/ls-deployer/runner-1"
    # creating the cluster: the caller is the creator, whatever path the listed ARN spells
    assert [c.index for c in listed_creators([PLATFORM_ROLE, f"arn:aws:iam::{ACCOUNT}:role/x/ls-deployer"],
                                             session, None)] == [1]
    existing = ExistingCluster("ls-prod", CLUSTER_CREATED, {CREATOR_ROLE: CLUSTER_CREATED + timedelta(seconds=3),
                                                             RUNNER_ROLE: STACK_ENTRIES_MADE})
    assert creators(existing) == [CREATOR_ROLE]
    assert listed_creators([RUNNER_ROLE], f"arn:aws:sts::{ACCOUNT}:assumed-role/ls-runner/r", existing) == []
    assert [c.arn for c in listed_creators([RUNNER_ROLE, CREATOR_ROLE], session, existing)] == [CREATOR_ROLE]
    # the creator listed by another caller fails too: the entry is there whoever deploys
    assert [c.index for c in listed_creators([CREATOR_ROLE], f"arn:aws:sts::{ACCOUNT}:assumed-role/other/s",
                                             existing)] == [0]
    # entries that could not be read name no creator (the preflight says so instead)
    assert listed_creators([CREATOR_ROLE], session, ExistingCluster("ls-prod", CLUSTER_CREATED, None)) == []
