"""Preflight: what only the AWS account can tell, checked before the first `pulumi up`.

    python -m tools.preflight --stack prod [--egress-ip 198.51.100.7]
    python -m tools.preflight --config-file path/to/Pulumi.mystack.yaml
    bin/preflight prod

Uses the caller's AWS credentials through boto3 (so `AWS_PROFILE`, `AWS_REGION` and
`AWS_ENDPOINT_URL` apply) and only reads: nothing is created. Prints one line per check with its
verdict (PASS, FAIL, WARN, COULD NOT CHECK) and, for each failure, the fix.

Exit status: 0 nothing failed (warnings and unchecked items are listed); 1 at least one check
failed; 2 the config is invalid (the same message as the preview's).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TextIO

import yaml

from components.versions import CLOUDWATCH_OBSERVABILITY_ADDON, EKS_ADDON_VERSIONS, KUBERNETES_VERSION
from settings import ConfigError, Settings, Shape, parse_config
from settings.identity import principal_arn, role_name
from settings.loader import creator_conflicts
from settings.instance_types import shape_of
from settings.json_values import leaves
from settings.stack import SECRET_KEYS
from settings.restore import RDS_SNAPSHOT_ARN
from settings.placeholders import PLACEHOLDER_SECRET_PREFIX, find_placeholders
from tools.stack_config import OFFLINE_SECRET_PLACEHOLDER, StackConfig, load_for_command

PASS, FAIL, WARN, UNCHECKED = "PASS", "FAIL", "WARN", "COULD NOT CHECK"
EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2

# Service Quotas codes (AWS Service Quotas console / `aws service-quotas list-service-quotas`).
QUOTA_ON_DEMAND_STANDARD_VCPU = ("ec2", "L-1216C47A")  # Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances
QUOTA_SPOT_STANDARD_VCPU = ("ec2", "L-34B43A08")  # All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests
QUOTA_ELASTIC_IPS = ("ec2", "L-0263D0A3")  # EC2-VPC Elastic IPs
QUOTA_VPCS = ("vpc", "L-F678F1CE")  # VPCs per Region
QUOTA_INTERNET_GATEWAYS = ("vpc", "L-A4707A72")  # Internet gateways per Region
QUOTA_NAT_PER_AZ = ("vpc", "L-FE5A380F")  # NAT gateways per Availability Zone
QUOTA_EKS_CLUSTERS = ("eks", "L-1194D53C")  # Clusters (per Region)
QUOTA_ALBS = ("elasticloadbalancing", "L-53DA6B97")  # Application Load Balancers per Region
STANDARD_FAMILIES = frozenset("acdhimrtz")  # the instance families the two "Standard" vCPU quotas count
# Families whose first letter is a standard one but that AWS counts under quotas of their own
# (Inferentia, Trainium, DL, HPC, Mac: Service Quotas, "Running On-Demand Inf/Trn/DL/HPC/Mac instances").
NON_STANDARD_PREFIXES = ("inf", "trn", "dl", "hpc", "mac")


def is_standard_family(instance_type: str) -> bool:
    """Whether the Standard (A, C, D, H, I, M, R, T, Z) vCPU quotas count this instance type."""
    letters = re.match(r"[a-z]+", instance_type)
    family = letters.group(0) if letters else ""
    return family[:1] in STANDARD_FAMILIES and not family.startswith(NON_STANDARD_PREFIXES)

# A sample of what a deploy does, simulated for the caller when the IAM policy simulator answers.
DEPLOY_ACTIONS_SAMPLE = (
    "ec2:CreateVpc", "ec2:CreateNatGateway", "eks:CreateCluster", "eks:CreateNodegroup", "iam:CreateRole",
    "iam:PassRole", "kms:CreateKey", "s3:CreateBucket", "secretsmanager:CreateSecret", "logs:CreateLogGroup",
)
SELF_HOSTED_ACTIONS_SAMPLE = (
    "rds:CreateDBInstance", "elasticache:CreateReplicationGroup", "elasticloadbalancing:CreateLoadBalancer",
    "wafv2:CreateWebACL", "acm:RequestCertificate", "route53:ChangeResourceRecordSets", "backup:CreateBackupVault",
)


@dataclass(frozen=True)
class Check:
    name: str
    verdict: str
    detail: str
    fix: str = ""


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
    new_network = settings.network.existing is None
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


def _short(exc: BaseException) -> str:
    """One line about a failed call: the AWS error code and message, or the HTTP status."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = str(error.get("Message", "")).strip()
        if message.startswith("<") or not message:  # an HTML error page: the endpoint lacks this API
            return f"{error.get('Code') or 'error'} (HTTP {status}): the endpoint does not serve this API"
        text = f"{error.get('Code', 'error')}: {message.splitlines()[0]}"
    elif type(exc).__name__ == "ResponseParserError":
        text = "the endpoint answered with something other than an AWS response (it does not serve this API)"
    else:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _version_key(version: str) -> tuple[int, ...]:
    """v1.21.1-eksbuild.3 -> (1, 21, 1, 3): add-on versions in release order."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


class Preflight:
    def __init__(self, settings: Settings, config: StackConfig, session: Any, *,
                 egress_ip: str | None = None, which: Callable[[str], str | None] = shutil.which) -> None:
        self.s = settings
        self.config = config
        self.session = session
        self.egress_ip = egress_ip
        self.which = which
        self._clients: dict[str, Any] = {}
        self.checks: list[Check] = []

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, region_name=self.s.region)
        return self._clients[service]

    def every(self, service: str, operation: str, key: str, **kwargs: Any) -> list[Any]:
        """All items of a listing call, following its pages (an account can hold more than one)."""
        client = self.client(service)
        if client.can_paginate(operation):
            return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]
        return list(getattr(client, operation)(**kwargs)[key])

    def add(self, name: str, verdict: str, detail: str, fix: str = "") -> None:
        self.checks.append(Check(name, verdict, detail, fix))

    # -- the checklist ------------------------------------------------------------------------

    def run(self) -> list[Check]:
        identity = self.check_identity()
        if identity is not None:
            self.check_permissions(identity)
            self.check_region()
            self.check_addon_versions()
            self.check_restore_sources(identity)
            zones = self.zones()
            if zones is not None:
                needs = plan_needs(self.s, zones)
                self.check_hosted_zones()
                self.check_instance_types(needs)
                self.check_quotas(needs)
                self.check_existing_network()
        else:
            self.add("AWS checks", UNCHECKED,
                     "region, hosted zone, instance types, quotas, network and cluster checks need credentials")
        self.check_api_reachability(identity is not None)
        self.check_secrets_and_placeholders()
        self.check_clis()
        return self.checks

    def check_identity(self) -> str | None:
        try:
            arn = str(self.client("sts").get_caller_identity()["Arn"])
        except Exception as exc:  # noqa: BLE001 - no credentials, expired token, no network: all say the same
            self.add("caller identity", FAIL, f"sts:GetCallerIdentity failed: {_short(exc)}",
                     "configure AWS credentials for the target account (aws sts get-caller-identity must answer)")
            return None
        principal = principal_arn(arn)
        if principal != arn:
            try:  # the session ARN omits the role's path; the access entry names the role with it
                role = self.client("iam").get_role(RoleName=role_name(principal))["Role"]
                principal = principal_arn(arn, str(role.get("Path", "/")))
            except Exception:  # noqa: BLE001 - reading the role is a nicety; the path is usually "/"
                pass
        self.add("caller identity", PASS, f"{arn} (principal {principal})")
        if self.s.shape is not Shape.BYOC:
            # As the program compares (settings.loader.creator_conflicts): the same role whatever path
            # the listed ARN spells (an SSO role lives under /aws-reserved/sso.amazonaws.com/).
            listed = [str(issue.value) for issue in creator_conflicts(self.s, arn)]
            if listed:
                self.add("cluster creator not listed as admin", FAIL,
                         f"cluster.adminRoleArns lists {', '.join(listed)}, the role running pulumi ({principal}): "
                         "EKS already gives the cluster creator an admin access entry and a second one fails "
                         "cluster creation",
                         f"remove {', '.join(listed)} from cluster.adminRoleArns (it stays cluster admin as the creator)")
            else:
                self.add("cluster creator not listed as admin", PASS,
                         "the caller is not in cluster.adminRoleArns (it becomes admin as the cluster creator)")
        return principal

    def check_permissions(self, principal: str) -> None:
        actions: list[str] = [a for a in DEPLOY_ACTIONS_SAMPLE
                              if self.s.shape is not Shape.BYOC or not a.startswith("eks:")]
        if self.s.shape is Shape.SELF_HOSTED:
            actions.extend(SELF_HOSTED_ACTIONS_SAMPLE)
        if ":root" in principal:
            self.add("deploy permissions", WARN, "the caller is the account root user: it may deploy, but should not",
                     "deploy with a role carrying iam/deployer-policy-part-*.json")
            return
        try:
            results = self.client("iam").simulate_principal_policy(
                PolicySourceArn=principal, ActionNames=actions)["EvaluationResults"]
        except Exception as exc:  # noqa: BLE001
            self.add("deploy permissions", UNCHECKED,
                     f"the IAM policy simulator did not answer ({_short(exc)}); not checked: whether {principal} may "
                     f"{', '.join(actions[:3])}, ...")
            return
        denied = {str(r["EvalActionName"]): str(r["EvalDecision"]) for r in results if r["EvalDecision"] != "allowed"}
        explicit = sorted(a for a, d in denied.items() if d == "explicitDeny")
        if explicit:
            self.add("deploy permissions", FAIL, f"explicitly denied: {', '.join(explicit)}",
                     "lift the deny (an SCP or permissions boundary) or deploy with another role")
        elif denied:
            self.add("deploy permissions", WARN,
                     f"not allowed on every resource: {', '.join(sorted(denied))} (fine if the policy scopes them "
                     "to the stack's name prefix, as iam/deployer-policy.json does)",
                     "attach iam/deployer-policy-part-*.json to the deploying role (README: the deployer policy)")
        else:
            self.add("deploy permissions", PASS, f"{len(actions)} sampled deploy actions allowed")

    def check_region(self) -> None:
        region = self.s.region
        try:
            status = str(self.client("account").get_region_opt_status(RegionName=region)["RegionOptStatus"])
            enabled = status in ("ENABLED", "ENABLED_BY_DEFAULT")
            source = "account:GetRegionOptStatus"
        except Exception:  # noqa: BLE001 - not allowed or not served: ask EC2 instead
            try:
                regions = self.client("ec2").describe_regions(AllRegions=True, RegionNames=[region])["Regions"]
            except Exception as exc:  # noqa: BLE001
                code = _error_code(exc)
                # UnauthorizedOperation is the caller's policy denying ec2:DescribeRegions, not the
                # region: only AuthFailure / OptInRequired say the region is not enabled.
                if code in ("AuthFailure", "OptInRequired"):
                    self.add("region enabled", FAIL, f"{region}: EC2 refuses the call ({code})",
                             f"enable the region: aws account enable-region --region-name {region}")
                else:
                    self.add("region enabled", UNCHECKED, f"neither the Account nor the EC2 API answered: {_short(exc)}")
                return
            status = str(regions[0].get("OptInStatus", "")) if regions else "unknown"
            enabled = status in ("opt-in-not-required", "opted-in")
            source = "ec2:DescribeRegions"
        if enabled:
            self.add("region enabled", PASS, f"{region} is {status} ({source})")
        else:
            self.add("region enabled", FAIL, f"{region} is {status} ({source})",
                     f"enable the region: aws account enable-region --region-name {region} (takes minutes), "
                     "or choose another aws:region")

    # -- versions EKS offers, restore sources ----------------------------------------------------

    def check_addon_versions(self) -> None:
        """KUBERNETES_VERSION and every pinned add-on version are offered by EKS in this region."""
        if self.s.shape is Shape.BYOC:
            return
        versions_file = "components/versions.py"
        try:
            offered = self.every("eks", "describe_cluster_versions", "clusterVersions",
                                 clusterVersions=[KUBERNETES_VERSION])
        except Exception as exc:  # noqa: BLE001
            self.add("EKS Kubernetes version", UNCHECKED,
                     f"eks:DescribeClusterVersions did not answer ({_short(exc)}); not checked: whether EKS offers "
                     f"Kubernetes {KUBERNETES_VERSION} in {self.s.region}")
        else:
            match = [v for v in offered if str(v.get("clusterVersion")) == KUBERNETES_VERSION]
            status = str(match[0].get("versionStatus") or match[0].get("status") or "") if match else ""
            if not match or status.upper() == "UNSUPPORTED":
                self.add("EKS Kubernetes version", FAIL,
                         f"EKS does not offer Kubernetes {KUBERNETES_VERSION} in {self.s.region}"
                         + (f" ({status})" if status else ""),
                         f"raise KUBERNETES_VERSION in {versions_file} with every pin and its KUBERNETES_SUPPORT row "
                         "(aws eks describe-cluster-versions)")
            elif status.upper() == "EXTENDED_SUPPORT":
                end = match[0].get("endOfStandardSupportDate")
                self.add("EKS Kubernetes version", WARN,
                         f"Kubernetes {KUBERNETES_VERSION} is in extended support (standard support ended "
                         f"{end:%Y-%m-%d}): EKS bills extended support per cluster-hour" if end else
                         f"Kubernetes {KUBERNETES_VERSION} is in extended support: EKS bills it per cluster-hour",
                         f"raise KUBERNETES_VERSION in {versions_file} (docs/upgrade.md)")
            else:
                self.add("EKS Kubernetes version", PASS,
                         f"EKS offers Kubernetes {KUBERNETES_VERSION} in {self.s.region} ({status or 'offered'})")
        pins = {**EKS_ADDON_VERSIONS, "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY_ADDON}
        for addon, pin in pins.items():
            name = f"EKS add-on {addon}"
            try:
                addons = self.every("eks", "describe_addon_versions", "addons",
                                    kubernetesVersion=KUBERNETES_VERSION, addonName=addon)
            except Exception as exc:  # noqa: BLE001
                # One line for all: an endpoint without the API answers the same for every add-on.
                self.add("EKS add-on versions", UNCHECKED,
                         f"eks:DescribeAddonVersions did not answer ({_short(exc)}); not checked for Kubernetes "
                         f"{KUBERNETES_VERSION}: " + ", ".join(f"{a} {v}" for a, v in pins.items()))
                return
            versions = sorted({str(v["addonVersion"]) for a in addons if a.get("addonName") == addon
                               for v in a.get("addonVersions", [])}, key=_version_key)
            fix = (f"set {addon} to an offered version in {versions_file} and update its KUBERNETES_SUPPORT row "
                   f"(aws eks describe-addon-versions --kubernetes-version {KUBERNETES_VERSION} --addon-name {addon})")
            if not versions:
                self.add(name, FAIL, f"EKS offers no {addon} for Kubernetes {KUBERNETES_VERSION} in {self.s.region} "
                         f"(pinned {pin})", fix)
            elif pin not in versions:
                self.add(name, FAIL, f"pinned {pin} is not offered for Kubernetes {KUBERNETES_VERSION}; newest offered "
                         f"{versions[-1]}", fix)
            else:
                newer = versions[-1] if versions[-1] != pin else ""
                self.add(name, PASS, f"{pin} offered for Kubernetes {KUBERNETES_VERSION}"
                         + (f" (newest {newer})" if newer else " (the newest)"))

    def _kms_key_note(self, key_id: str) -> tuple[str, tuple[str, str] | None]:
        """What to say about a snapshot's KMS key, and (problem, fix) when the key is unusable."""
        try:
            metadata = self.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]
        except Exception as exc:  # noqa: BLE001 - another account's key, or no kms:DescribeKey: not a failure
            return f"encrypted with KMS key {key_id} (its state unreadable: {_short(exc)})", None
        state = str(metadata.get("KeyState", ""))
        if state == "Enabled":
            return f"encrypted with KMS key {key_id} (Enabled)", None
        fix = {"Disabled": f"aws kms enable-key --key-id {key_id}",
               "PendingDeletion": f"aws kms cancel-key-deletion --key-id {key_id}, then enable it"}.get(
            state, "make the key usable, or restore another snapshot")
        return (f"encrypted with KMS key {key_id}",
                (f"its KMS key {key_id} is {state}: the snapshot cannot be restored", fix))

    def check_restore_sources(self, principal: str) -> None:
        restore = self.s.restore
        if restore.postgres_snapshot is not None:
            self.check_postgres_snapshot(restore.postgres_snapshot, principal.split(":")[4])
        if restore.clickhouse_snapshot is not None:
            self.check_clickhouse_snapshot(restore.clickhouse_snapshot)

    def check_postgres_snapshot(self, value: str, account: str) -> None:
        name = "restore source (restore.postgresSnapshot)"
        arn = RDS_SNAPSHOT_ARN.fullmatch(value)
        kwargs: dict[str, Any]
        if arn is not None and arn.group("account") != account:  # shared from another account: by ARN
            kwargs = {"DBSnapshotIdentifier": value, "SnapshotType": "shared", "IncludeShared": True}
        else:
            identifier = arn.group("id") if arn is not None else value
            kwargs = {"DBSnapshotIdentifier": identifier}
            # DescribeDBSnapshots finds automated and AWS Backup snapshots only when told their type.
            for prefix, snapshot_type in (("rds:", "automated"), ("awsbackup:", "awsbackup")):
                if identifier.startswith(prefix):
                    kwargs["SnapshotType"] = snapshot_type
        try:
            snapshots = self.client("rds").describe_db_snapshots(**kwargs)["DBSnapshots"]
        except Exception as exc:  # noqa: BLE001
            if _error_code(exc) not in ("DBSnapshotNotFound", "DBSnapshotNotFoundFault"):
                self.add(name, UNCHECKED, f"rds:DescribeDBSnapshots {value}: {_short(exc)}")
                return
            snapshots = []
        if not snapshots:
            self.add(name, FAIL, f"DB snapshot {value} not found in {self.s.region} (for this account"
                     + (", shared with it" if kwargs.get("SnapshotType") == "shared" else "") + ")",
                     "name an existing snapshot (aws rds describe-db-snapshots --snapshot-type manual|automated|"
                     "awsbackup|shared --include-shared); a snapshot in another region must be copied first "
                     f"(aws rds copy-db-snapshot --region {self.s.region})")
            return
        snap = snapshots[0]
        problems: list[tuple[str, str]] = []
        status, engine = str(snap.get("Status", "")), str(snap.get("Engine", ""))
        version = str(snap.get("EngineVersion", ""))
        if status != "available":
            problems.append((f"its status is {status}, not available", "wait until it is available, or take another"))
        if engine != "postgres":
            problems.append((f"its engine is {engine}, not postgres", "name a snapshot of an RDS for PostgreSQL instance"))
        wanted = self.s.postgres.engine_version
        major = version.split(".")[0]
        if engine == "postgres" and major.isdigit() and int(major) != int(wanted):
            why = ("RDS cannot restore to an older major version" if int(major) > int(wanted) else
                   f"the restore is refused with the stack's postgres{wanted} parameter group family; upgrade "
                   "after the restore, not during it")
            problems.append((f"it is PostgreSQL {version} and postgres.engineVersion is {wanted}: {why}",
                             f"set postgres.engineVersion: \"{major}\" for the restore (docs/restore.md)"))
        storage = int(snap.get("AllocatedStorage", 0))
        if storage > self.s.postgres.allocated_storage_gb:
            problems.append((f"it holds {storage} GiB and postgres.allocatedStorageGb is "
                             f"{self.s.postgres.allocated_storage_gb}: RDS cannot shrink storage",
                             f"set postgres.allocatedStorageGb to at least {storage}"))
        key_note = "not encrypted"
        if snap.get("Encrypted"):
            key_note, key_problem = self._kms_key_note(str(snap.get("KmsKeyId", "(not reported)")))
            if key_problem:
                problems.append(key_problem)
        what = (f"{snap.get('DBSnapshotIdentifier', value)} ({snap.get('SnapshotType', '?')}, {engine} {version}, "
                f"{storage} GiB, {status}, {key_note})")
        if problems:
            self.add(name, FAIL, f"{what}: " + "; ".join(p for p, _ in problems), "; ".join(f for _, f in problems))
        else:
            self.add(name, PASS, what)

    def check_clickhouse_snapshot(self, value: str) -> None:
        name = "restore source (restore.clickhouseSnapshot)"
        snapshot_id = self.s.restore.clickhouse_snapshot_id or value
        try:
            snapshots = self.client("ec2").describe_snapshots(SnapshotIds=[snapshot_id])["Snapshots"]
        except Exception as exc:  # noqa: BLE001
            if not _error_code(exc).startswith("InvalidSnapshot"):
                self.add(name, UNCHECKED, f"ec2:DescribeSnapshots {snapshot_id}: {_short(exc)}")
                return
            snapshots = []
        if not snapshots:
            self.add(name, FAIL, f"EBS snapshot {snapshot_id} not found in {self.s.region} (owned by or shared with "
                     "this account)",
                     "name an existing snapshot (aws ec2 describe-snapshots --owner-ids self); a snapshot restores only "
                     f"in its own region: copy it first (aws ec2 copy-snapshot --region {self.s.region} "
                     f"--source-region <region> --source-snapshot-id {snapshot_id})")
            return
        snap = snapshots[0]
        problems: list[tuple[str, str]] = []
        state, size = str(snap.get("State", "")), int(snap.get("VolumeSize", 0))
        if state != "completed":
            problems.append((f"its state is {state}, not completed",
                             "wait until it completes (aws ec2 wait snapshot-completed)" if state == "pending"
                             else "take or choose another snapshot"))
        if snap.get("StorageTier") == "archive" and not snap.get("RestoreExpiryTime"):
            problems.append(("it is in the archive tier", "restore it to the standard tier first "
                             f"(aws ec2 restore-snapshot-tier --snapshot-id {snapshot_id})"))
        wanted = self.s.clickhouse.volume_size_gb
        if size > wanted:
            problems.append((f"it is {size} GiB and clickhouse.volumeSizeGb is {wanted}: a volume cannot be smaller "
                             "than its snapshot", f"set clickhouse.volumeSizeGb to at least {size}"))
        key_note = "not encrypted"
        if snap.get("Encrypted"):
            key = snap.get("KmsKeyId")
            if key:
                key_note, key_problem = self._kms_key_note(str(key))
                if key_problem:
                    problems.append(key_problem)
            else:
                key_note = "encrypted (the KMS key is not reported)"
        what = f"{snapshot_id} ({size} GiB, {state}, owner {snap.get('OwnerId', '?')}, {key_note})"
        if problems:
            self.add(name, FAIL, f"{what}: " + "; ".join(p for p, _ in problems), "; ".join(f for _, f in problems))
        else:
            self.add(name, PASS, f"{what}; the volume is created at {wanted} GiB in {self.s.region}")

    def zones(self) -> list[str] | None:
        """The AZs the stack will use, as the program picks them."""
        net = self.s.network
        try:
            if net.existing is not None:
                subnets = self.client("ec2").describe_subnets(SubnetIds=list(net.existing.private_subnet_ids))["Subnets"]
                by_id = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}
                return list(dict.fromkeys(by_id[i] for i in net.existing.private_subnet_ids if i in by_id))
            offered = self.client("ec2").describe_availability_zones(Filters=[
                {"Name": "state", "Values": ["available"]},
                {"Name": "opt-in-status", "Values": ["opt-in-not-required"]}])["AvailabilityZones"]
        except Exception as exc:  # noqa: BLE001
            code = _error_code(exc)
            if net.existing is not None and code.startswith("InvalidSubnet"):
                self.add("availability zones", FAIL, f"network.existing.privateSubnetIds: {_short(exc)}",
                         "list subnets of this account and region")
            else:
                self.add("availability zones", UNCHECKED,
                         f"ec2 did not answer ({_short(exc)}); instance types, quotas and the network are unchecked")
            return None
        available = sorted(z["ZoneName"] for z in offered)
        if net.availability_zones is not None:
            missing = [z for z in net.availability_zones if z not in available]
            if missing:
                self.add("availability zones", FAIL, f"network.availabilityZones: {', '.join(missing)} not available "
                         f"(available: {', '.join(available)})", "list available zones of the region")
                return None
            zones = list(net.availability_zones)
        elif len(available) < net.az_count:
            self.add("availability zones", FAIL, f"{self.s.region} has {len(available)} available zones, "
                     f"network.azCount is {net.az_count}", "lower network.azCount")
            return None
        else:
            zones = available[: net.az_count]
        self.add("availability zones", PASS, ", ".join(zones))
        return zones

    def check_hosted_zones(self) -> None:
        if self.s.shape is Shape.SELF_HOSTED and self.s.langsmith is not None:
            domain, zone_id, key = self.s.langsmith.domain, self.s.langsmith.hosted_zone_id, "langsmith"
        elif self.s.shape is Shape.HYBRID:
            domain, zone_id, key = self.s.hybrid.domain, self.s.hybrid.hosted_zone_id, "hybrid"
        else:
            return
        if domain is None or zone_id is None:
            return  # a config error, reported as such
        name = f"hosted zone ({key}.hostedZoneId)"
        try:
            zone = self.client("route53").get_hosted_zone(Id=zone_id)["HostedZone"]
        except Exception as exc:  # noqa: BLE001
            if _error_code(exc) in ("NoSuchHostedZone", "InvalidInput"):
                self.add(name, FAIL, f"hosted zone {zone_id} does not exist in this account",
                         f"create a public hosted zone that holds {domain} and delegate it from the parent zone "
                         f"(aws route53 create-hosted-zone --name {domain} --caller-reference $(date +%s)), "
                         f"then set {key}.hostedZoneId to its ID")
            else:
                self.add(name, UNCHECKED, f"route53:GetHostedZone {zone_id}: {_short(exc)}")
            return
        zone_name = str(zone["Name"]).rstrip(".").lower()
        problems: list[tuple[str, str]] = []
        if zone.get("Config", {}).get("PrivateZone"):
            problems.append((f"{zone_id} ({zone_name}) is a private zone: ACM cannot validate the certificate "
                             "through it and clients outside the VPC cannot resolve the name",
                             "use a public hosted zone"))
        fqdn = domain.lower().rstrip(".")
        if not (fqdn == zone_name or fqdn.endswith("." + zone_name)):
            problems.append((f"{key}.domain {domain} is outside the zone {zone_id} ({zone_name})",
                             f"set {key}.domain to a name under {zone_name}, or {key}.hostedZoneId to the zone "
                             f"that holds {domain}"))
        if problems:
            self.add(name, FAIL, "; ".join(p for p, _ in problems), "; ".join(f for _, f in problems))
        else:
            self.add(name, PASS, f"{zone_id} is the public zone {zone_name}, which holds {domain}")

    def check_instance_types(self, needs: Needs) -> None:
        for pool in needs.pools:
            try:
                offerings = self.every(
                    "ec2", "describe_instance_type_offerings", "InstanceTypeOfferings",
                    LocationType="availability-zone",
                    Filters=[{"Name": "instance-type", "Values": list(pool.instance_types)},
                             {"Name": "location", "Values": list(pool.zones)}])
            except Exception as exc:  # noqa: BLE001
                self.add(f"instance types ({pool.name})", UNCHECKED, f"ec2:DescribeInstanceTypeOfferings: {_short(exc)}")
                continue
            offered = {(o["InstanceType"], o["Location"]) for o in offerings}
            missing = [f"{t} in {z}" for t in pool.instance_types for z in pool.zones if (t, z) not in offered]
            if missing:
                self.add(f"instance types ({pool.name})", FAIL, f"not offered: {', '.join(missing)}",
                         f"choose {pool.name}.instanceTypes offered in every zone "
                         "(aws ec2 describe-instance-type-offerings --location-type availability-zone), "
                         "or set network.availabilityZones")
            else:
                self.add(f"instance types ({pool.name})", PASS,
                         f"{', '.join(pool.instance_types)} offered in {', '.join(pool.zones)}")

    # -- quotas -------------------------------------------------------------------------------

    def quota(self, service_code: str, quota_code: str) -> tuple[float | None, str]:
        """The applied quota value (or the AWS default when none is applied), else why not."""
        client = self.client("service-quotas")
        try:
            return float(client.get_service_quota(ServiceCode=service_code, QuotaCode=quota_code)["Quota"]["Value"]), ""
        except Exception as exc:  # noqa: BLE001
            first = exc
        if _error_code(first) in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
            # Denied, not absent: the account may have a raised value, so AWS's default proves nothing.
            return None, (f"{service_code} {quota_code}: servicequotas:GetServiceQuota is denied ({_short(first)}); "
                          "allow it to check this quota")
        try:  # NoSuchResource: no value applied to the account, the default holds
            return float(client.get_aws_default_service_quota(
                ServiceCode=service_code, QuotaCode=quota_code)["Quota"]["Value"]), ""
        except Exception as exc:  # noqa: BLE001
            return None, (f"{service_code} {quota_code} not readable from Service Quotas (GetServiceQuota: "
                          f"{_short(first)}; GetAWSDefaultServiceQuota: {_short(exc)})")

    def _quota_check(self, name: str, code: tuple[str, str], need: int, usage: int | None, usage_note: str,
                     fix: str) -> None:
        value, why = self.quota(*code)
        what = f"needs {need}"
        if value is None:
            self.add(name, UNCHECKED, f"{what}; {why}; check it in the Service Quotas console")
            return
        if usage is None:
            self.add(name, WARN if need > value else PASS,
                     f"{what} of quota {value:g} ({code[1]}); current usage unknown ({usage_note})",
                     fix if need > value else "")
            return
        if usage + need > value:
            self.add(name, FAIL, f"{what}, {usage} in use, quota {value:g} ({code[0]} {code[1]})", fix)
        else:
            self.add(name, PASS, f"{what}, {usage} in use, quota {value:g} ({code[1]})")

    def _count(self, call: Callable[[], int]) -> tuple[int | None, str]:
        try:
            return call(), ""
        except Exception as exc:  # noqa: BLE001
            return None, _short(exc)

    def check_quotas(self, needs: Needs) -> None:
        ec2 = self.client("ec2")
        increase = "request an increase: aws service-quotas request-service-quota-increase --service-code {} " \
                   "--quota-code {} --desired-value N (or free some)"
        if needs.vpcs:
            usage, note = self._count(lambda: len(self.every("ec2", "describe_vpcs", "Vpcs")))
            self._quota_check("quota: VPCs per region", QUOTA_VPCS, needs.vpcs, usage, note,
                              increase.format(*QUOTA_VPCS) + ", or reuse a VPC with network.existing")
        if needs.internet_gateways:
            usage, note = self._count(lambda: len(self.every("ec2", "describe_internet_gateways", "InternetGateways")))
            self._quota_check("quota: internet gateways per region", QUOTA_INTERNET_GATEWAYS, needs.internet_gateways,
                              usage, note, increase.format(*QUOTA_INTERNET_GATEWAYS))
        if needs.elastic_ips:
            usage, note = self._count(lambda: len(ec2.describe_addresses()["Addresses"]))
            self._quota_check("quota: Elastic IPs (NAT gateways)", QUOTA_ELASTIC_IPS, needs.elastic_ips, usage, note,
                              increase.format(*QUOTA_ELASTIC_IPS) + ", or network.natGateways: single")
        if needs.nat_gateways_per_az:
            self.check_nat_per_az(needs.nat_gateways_per_az, increase.format(*QUOTA_NAT_PER_AZ))
        if needs.eks_clusters:
            usage, note = self._count(lambda: len(self.every("eks", "list_clusters", "clusters")))
            self._quota_check("quota: EKS clusters", QUOTA_EKS_CLUSTERS, needs.eks_clusters, usage, note,
                              increase.format(*QUOTA_EKS_CLUSTERS))
        if needs.albs:
            usage, note = self._count(lambda: sum(
                1 for lb in self.every("elbv2", "describe_load_balancers", "LoadBalancers")
                if lb.get("Type") == "application"))
            self._quota_check("quota: Application Load Balancers", QUOTA_ALBS, needs.albs, usage, note,
                              increase.format(*QUOTA_ALBS))
        self.check_vcpus(needs, increase)

    def check_nat_per_az(self, need: Mapping[str, int], fix: str) -> None:
        value, why = self.quota(*QUOTA_NAT_PER_AZ)
        name = "quota: NAT gateways per AZ"
        if value is None:
            self.add(name, UNCHECKED, f"needs {max(need.values())} per AZ; {why}")
            return
        try:
            ec2 = self.client("ec2")
            gateways = self.every("ec2", "describe_nat_gateways", "NatGateways",
                                  Filter=[{"Name": "state", "Values": ["pending", "available"]}])
            subnet_ids = sorted({g["SubnetId"] for g in gateways})
            subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"] if subnet_ids else []
            az_of = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}
            usage = Counter(az_of.get(g["SubnetId"], "?") for g in gateways)
        except Exception as exc:  # noqa: BLE001
            self.add(name, WARN, f"needs {max(need.values())} per AZ of quota {value:g}; usage unknown ({_short(exc)})")
            return
        full = [f"{az} ({usage[az]} in use)" for az, n in sorted(need.items()) if usage[az] + n > value]
        if full:
            self.add(name, FAIL, f"quota {value:g} per AZ reached in {', '.join(full)}", fix)
        else:
            self.add(name, PASS, f"needs {max(need.values())} per AZ in {', '.join(sorted(need))}, quota {value:g}")

    def _vcpus_in_use(self) -> tuple[dict[str, int] | None, str]:
        """vCPUs of running standard-family instances, by on-demand / spot."""
        try:
            reservations = self.every("ec2", "describe_instances", "Reservations", Filters=[
                {"Name": "instance-state-name", "Values": ["pending", "running"]}])
        except Exception as exc:  # noqa: BLE001
            return None, _short(exc)
        used = {"ON_DEMAND": 0, "SPOT": 0}
        for reservation in reservations:
            for instance in reservation["Instances"]:
                type_ = str(instance["InstanceType"])
                if not is_standard_family(type_):
                    continue
                cpu = instance.get("CpuOptions") or {}
                vcpu = int(cpu.get("CoreCount", 0)) * int(cpu.get("ThreadsPerCore", 1))
                shape = shape_of(type_)
                vcpu = vcpu or (int(shape.vcpu) if shape else 0)
                used["SPOT" if instance.get("InstanceLifecycle") == "spot" else "ON_DEMAND"] += vcpu
        return used, ""

    def check_vcpus(self, needs: Needs, increase: str) -> None:
        by_capacity: dict[str, int] = {}
        unknown: list[str] = []
        for pool in needs.pools:  # node pool types are all Standard families (data/nodes/instance-types.json)
            vcpu = pool.max_vcpu
            if vcpu is None:
                unknown.append(pool.name)
                continue
            by_capacity[pool.capacity_type] = by_capacity.get(pool.capacity_type, 0) + vcpu
        if unknown:
            self.add("quota: vCPUs", WARN, f"vCPUs of {', '.join(unknown)} unknown (instance sizes not catalogued)")
        if not by_capacity:
            return
        used, note = self._vcpus_in_use()
        for capacity, code, label in (("ON_DEMAND", QUOTA_ON_DEMAND_STANDARD_VCPU, "On-Demand"),
                                      ("SPOT", QUOTA_SPOT_STANDARD_VCPU, "Spot")):
            if capacity not in by_capacity:
                continue
            pools = ", ".join(p.name for p in needs.pools if p.capacity_type == capacity and p.name not in unknown)
            self._quota_check(f"quota: {label} standard vCPUs ({pools} at maxSize)", code, by_capacity[capacity],
                              None if used is None else used[capacity], note, increase.format(*code))

    # -- network, API, secrets, tools -----------------------------------------------------------

    def _route_targets(self, vpc_id: str, subnet_id: str) -> tuple[set[str], str]:
        """Gateway kinds (igw, nat, tgw, ...) of the subnet's default routes, and its route table."""
        ec2 = self.client("ec2")
        tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["RouteTables"]
        if not tables:  # no explicit association: the VPC's main table applies
            tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                         {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
        kinds: set[str] = set()
        for route in (tables[0]["Routes"] if tables else []):
            if route.get("DestinationCidrBlock") != "0.0.0.0/0" or route.get("State") == "blackhole":
                continue
            for field_name, kind in (("GatewayId", "igw"), ("NatGatewayId", "nat"), ("TransitGatewayId", "tgw"),
                                     ("NetworkInterfaceId", "eni"), ("VpcPeeringConnectionId", "pcx")):
                target = route.get(field_name)
                if target and (kind != "igw" or str(target).startswith("igw-")):
                    kinds.add(kind)
        return kinds, str(tables[0]["RouteTableId"]) if tables else "(none)"

    def check_existing_network(self) -> None:
        existing = self.s.network.existing
        if existing is None:
            return
        ec2 = self.client("ec2")
        try:
            ec2.describe_vpcs(VpcIds=[existing.vpc_id])
        except Exception as exc:  # noqa: BLE001
            verdict = FAIL if _error_code(exc).startswith("InvalidVpc") else UNCHECKED
            self.add("existing VPC", verdict, f"network.existing.vpcId {existing.vpc_id}: {_short(exc)}",
                     "set network.existing.vpcId to a VPC of this account and region" if verdict == FAIL else "")
            return
        tiers = (("public", existing.public_subnet_ids, {"igw"}),
                 ("private", existing.private_subnet_ids, {"nat", "tgw", "eni"}),
                 ("data", existing.data_subnet_ids, set()))
        all_ids = sorted({i for _, ids, _ in tiers for i in ids})
        try:
            subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(SubnetIds=all_ids)["Subnets"]}
        except Exception as exc:  # noqa: BLE001
            self.add("existing subnets", FAIL if _error_code(exc).startswith("InvalidSubnet") else UNCHECKED,
                     f"network.existing subnets: {_short(exc)}", "list subnets of network.existing.vpcId")
            return
        problems: list[str] = []
        outside = [i for i in all_ids if subnets[i]["VpcId"] != existing.vpc_id]
        if outside:
            problems.append(f"not in {existing.vpc_id}: {', '.join(outside)}")
        for tier, ids, allowed in tiers:
            if not ids:
                continue
            zones = sorted({subnets[i]["AvailabilityZone"] for i in ids})
            if len(zones) < 2:
                problems.append(f"{tier} subnets span one AZ ({zones[0]}); two or more are needed")
            for subnet_id in ids:
                try:
                    kinds, table = self._route_targets(existing.vpc_id, subnet_id)
                except Exception as exc:  # noqa: BLE001
                    problems.append(f"routes of {subnet_id} unreadable ({_short(exc)})")
                    continue
                if tier == "public" and "igw" not in kinds:
                    problems.append(f"public subnet {subnet_id} has no default route to an internet gateway ({table})")
                if tier == "private" and not kinds & allowed:
                    problems.append(f"private subnet {subnet_id} has no default route to a NAT gateway ({table}): "
                                    "nodes cannot pull images or reach AWS APIs")
                if tier == "private" and "igw" in kinds:
                    problems.append(f"private subnet {subnet_id} routes to an internet gateway ({table})")
                if tier == "data" and kinds:
                    problems.append(f"data subnet {subnet_id} has a default route ({', '.join(sorted(kinds))}, "
                                    f"{table}): the data tier must have no internet route")
        if problems:
            self.add("existing network", FAIL, "; ".join(problems),
                     "fix the routes or list other subnets under network.existing (public: 0.0.0.0/0 -> igw; "
                     "private: 0.0.0.0/0 -> NAT; data: no default route)")
        else:
            self.add("existing network", PASS, f"{existing.vpc_id}: {len(all_ids)} subnets over their AZs, routed as "
                     "their tiers require")

    def check_api_reachability(self, can_ask_aws: bool) -> None:
        if self.s.shape is Shape.BYOC:
            return
        cluster = self.s.cluster
        allowed = [*cluster.public_access_cidrs, *cluster.deployer_access_cidrs]
        name = "Kubernetes API reachable from here"
        exists: bool | None = None
        if can_ask_aws:
            try:
                self.client("eks").describe_cluster(name=self.s.cluster_name)
                exists = True
            except Exception as exc:  # noqa: BLE001
                exists = False if _error_code(exc) == "ResourceNotFoundException" else None
        if not allowed:
            if not cluster.deployer_inside_vpc:
                self.add(name, FAIL, "the endpoint is private (no publicAccessCidrs, no deployerAccessCidrs) and "
                         "cluster.deployerInsideVpc is false: pulumi could not reach the cluster it creates",
                         "list this machine's egress CIDR in cluster.deployerAccessCidrs, or run pulumi inside the "
                         "VPC and set cluster.deployerInsideVpc: true")
            elif self.s.network.existing is None and exists is not True:
                self.add(name, FAIL, "private-only endpoint on a VPC this stack creates: on the first deploy no "
                         "machine is inside that VPC yet, so every Kubernetes resource would time out after the "
                         "cluster is built",
                         "for the first deploy list this machine's egress CIDR in cluster.deployerAccessCidrs; remove "
                         "it once a runner inside the VPC deploys")
            else:
                where = self.s.network.existing.vpc_id if self.s.network.existing else "the stack's VPC"
                self.add(name, WARN, f"private-only endpoint: pulumi must run inside {where} "
                         "(cluster.deployerInsideVpc), which this check cannot see")
            return
        if "0.0.0.0/0" in allowed:
            self.add(name, PASS, "the endpoint is open to every address (0.0.0.0/0)")
            return
        if self.egress_ip is None:
            self.add(name, UNCHECKED, f"the public endpoint allows {', '.join(allowed)}; this check cannot tell this "
                     "machine's egress IP: rerun with --egress-ip $(curl -s https://checkip.amazonaws.com)")
            return
        address = ipaddress.ip_address(self.egress_ip)
        if any(address in ipaddress.ip_network(c) for c in allowed):
            self.add(name, PASS, f"{self.egress_ip} is inside the endpoint's allow list ({', '.join(allowed)})")
        else:
            self.add(name, FAIL, f"{self.egress_ip} is outside the endpoint's allow list ({', '.join(allowed)})",
                     f"add {self.egress_ip}/32 (or your NAT's CIDR) to cluster.deployerAccessCidrs")

    def check_secrets_and_placeholders(self) -> None:
        document = yaml.safe_load(self.config.source.read_text()) or {}
        raw = dict(document.get("config") or {})
        prefix = f"{self.config.project}:"
        placeholder_secrets: list[str] = []
        placeholder_values: list[str] = []
        for full_key, value in raw.items():
            key = full_key.removeprefix(prefix)
            for path, leaf in leaves(value, key):
                is_secret_leaf = path.endswith(".secure")
                if is_secret_leaf and str(leaf).startswith(PLACEHOLDER_SECRET_PREFIX):
                    placeholder_secrets.append(path.removesuffix(".secure"))
                elif leaf == OFFLINE_SECRET_PLACEHOLDER:
                    placeholder_secrets.append(path)
        # The same rule as `pulumi up`'s refusal (settings.placeholders): documentation domains, the
        # example zone ID, and any address inside an RFC 5737 block (203.0.113.7/32 too).
        placeholder_values.extend(
            f"{p.key.removeprefix(prefix)} = {p.value}"
            for p in find_placeholders(self.config.values, self.config.secret_keys)
            if p.value != "[secret]" and not any(p.key == k or p.key.startswith((k + ".", k + "["))
                                                 for k in self.config.secret_keys))
        set_secrets = sorted(k.removeprefix(prefix) for k in self.config.secret_keys
                             if k.removeprefix(prefix).split(".")[0] in SECRET_KEYS)
        if placeholder_secrets:
            self.add("secrets set", FAIL, f"still the shipped placeholders: {', '.join(sorted(placeholder_secrets))}",
                     "; ".join(f"pulumi config set --secret {'--path ' if '.' in k else ''}{k} <value>"
                               for k in sorted(placeholder_secrets)))
        else:
            self.add("secrets set", PASS, f"{', '.join(set_secrets) or 'none needed'} set, encrypted (values not read)")
        if placeholder_values:
            self.add("documentation values replaced", FAIL, f"still documentation values: {'; '.join(placeholder_values)}",
                     "replace each with your own domain, zone ID or CIDR in the stack file")
        else:
            self.add("documentation values replaced", PASS, "no example domain, zone ID or CIDR left")

    def check_clis(self) -> None:
        needed = [("pulumi", "runs the deploy: https://www.pulumi.com/docs/install/")]
        if self.s.shape is not Shape.BYOC:
            needed.append(("aws", "the kubeconfig calls `aws eks get-token`: install the AWS CLI v2"))
        missing = [f"{cli} ({why})" for cli, why in needed if self.which(cli) is None]
        if missing:
            self.add("deploy tools", FAIL, f"not on PATH: {', '.join(c for c, _ in needed if self.which(c) is None)}",
                     "; ".join(missing))
        else:
            self.add("deploy tools", PASS, ", ".join(f"{c} at {self.which(c)}" for c, _ in needed))
        if self.s.shape is not Shape.BYOC:
            if self.which("kubectl") is None:
                self.add("kubectl (optional)", WARN, "not on PATH: not needed to deploy, handy to operate")
            else:
                self.add("kubectl (optional)", PASS, f"at {self.which('kubectl')}")


def stack_session(values: Mapping[str, str], region: str, session: Any = None) -> Any:
    """A boto3 session that is who `pulumi up` will be: the stack's `aws:profile` (else the
    environment's credentials), then each role of `aws:assumeRoles` in turn, as the AWS provider
    chains them. Without this the checks would read another principal, perhaps another account."""
    import boto3  # imported here: the offline tools never need it

    if session is None:
        profile = values.get("aws:profile")
        session = boto3.Session(region_name=region, profile_name=profile or None)
    raw_roles = values.get("aws:assumeRoles")
    roles = json.loads(raw_roles) if isinstance(raw_roles, str) and raw_roles.startswith("[") else []
    for role in roles:
        if not isinstance(role, dict) or not role.get("roleArn"):
            continue
        kwargs: dict[str, Any] = {"RoleArn": str(role["roleArn"]),
                                  "RoleSessionName": str(role.get("sessionName") or "langsmith-preflight")}
        if role.get("externalId"):
            kwargs["ExternalId"] = str(role["externalId"])
        credentials = session.client("sts", region_name=region).assume_role(**kwargs)["Credentials"]
        session = boto3.Session(region_name=region,
                                aws_access_key_id=credentials["AccessKeyId"],
                                aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"])
    return session


def print_checklist(checks: Sequence[Check], title: str, out: TextIO) -> None:
    print(title, file=out)
    width = max(len(c.verdict) for c in checks) if checks else 4
    for c in checks:
        print(f"  {c.verdict:<{width}}  {c.name}: {c.detail}", file=out)
        if c.fix and c.verdict != PASS:
            print(f"  {'':<{width}}  fix: {c.fix}", file=out)
    counts = Counter(c.verdict for c in checks)
    print(f"\n{counts[PASS]} passed, {counts[FAIL]} failed, {counts[WARN]} warnings, "
          f"{counts[UNCHECKED]} could not be checked", file=out)
    unchecked = [c.name for c in checks if c.verdict == UNCHECKED]
    if unchecked:
        print(f"Not checked (check by hand): {'; '.join(unchecked)}", file=out)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
         session: Any = None, which: Callable[[str], str | None] = shutil.which) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.preflight",
                                     description="Check the AWS account before the first pulumi up.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="stack name: reads stacks/Pulumi.<stack>.yaml")
    source.add_argument("--config-file", type=Path, help="a stack config file to use instead")
    parser.add_argument("--egress-ip", help="this machine's public egress IP, to check the API endpoint's allow list")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the checklist as JSON to PATH")
    args = parser.parse_args(argv)
    if args.egress_ip is not None:
        try:
            ipaddress.ip_address(args.egress_ip)
        except ValueError:
            print(f"error: --egress-ip {args.egress_ip!r} is not an IP address", file=err)
            return EXIT_CONFIG

    config = load_for_command(args.stack, args.config_file, err)
    if config is None:
        return EXIT_CONFIG
    try:
        settings = parse_config(config.values, project=config.project, stack=config.stack,
                                secret_keys=config.secret_keys)
    except ConfigError as exc:
        print(f"error: {config.source}: {exc}", file=err)
        return EXIT_CONFIG

    try:
        session = stack_session(config.values, settings.region, session)
    except Exception as exc:  # noqa: BLE001 - a profile that does not exist, a role that cannot be assumed
        print(f"error: the stack's AWS credentials (aws:profile / aws:assumeRoles) do not work: {_short(exc)}",
              file=err)
        return EXIT_FAILED
    checks = Preflight(settings, config, session, egress_ip=args.egress_ip, which=which).run()
    print_checklist(checks, f"Preflight of {config.project}/{config.stack} ({settings.shape.value}) in "
                    f"{settings.region}:", out)
    if args.json:
        args.json.write_text(json.dumps([c.__dict__ for c in checks], indent=2) + "\n")
    return EXIT_FAILED if any(c.verdict == FAIL for c in checks) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
