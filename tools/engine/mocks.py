"""Pulumi mocks that answer like AWS would: realistic IDs, ARNs, endpoints and DNS names.

Used by the offline preview and by the tests, so both see the same wiring. IDs are derived from a
hash of the resource's name, so a plan is identical from run to run.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any, Callable

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

ACCOUNT_ID = "123456789012"
DEPLOYER_ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/ci/LangSmithDeployer"
DEPLOYER_SESSION_ARN = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/LangSmithDeployer/pulumi-deploy"
SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"

CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG) == SECRET_SIG


def unwrap(value: Any) -> Any:
    """Remove the secret wrappers the mock monitor leaves on inputs."""
    if is_secret(value):
        return unwrap(value["value"])
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def go_time_string(moment: datetime) -> str:
    """`moment` as Go's time.Time.String() prints it ("2026-11-02 09:00:00.123 +0000 UTC"): how
    aws.eks.getCluster reports createdAt (hashicorp/terraform-provider-aws
    internal/service/eks/cluster_data_source.go, `aws.ToTime(cluster.CreatedAt).String()`). Go prints
    the fraction without trailing zeros, and none when it is zero; the AWS SDK's times are UTC."""
    utc = moment.astimezone(timezone.utc)
    fraction = f"{utc.microsecond:06d}".rstrip("0")
    return f"{utc:%Y-%m-%d %H:%M:%S}{'.' + fraction if fraction else ''} +0000 UTC"


def rfc3339(moment: datetime) -> str:
    """`moment` as Go's time.RFC3339 prints it ("2026-11-02T09:00:00Z"): how aws.eks.getAccessEntry
    reports createdAt (internal/service/eks/access_entry_datasource.go, `Format(time.RFC3339)`)."""
    return f"{moment.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S}Z"


# What the provider answers for a data source whose object does not exist: terraform-plugin-sdk's
# retry.NotFoundError text, wrapped by the provider's "reading ..." (a failed invoke, not an empty result).
def not_found(what: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    return {}, [("", f"reading {what}: couldn't find resource")]


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _uuid(seed: str) -> str:
    h = _hex(seed, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class AwsMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes with AWS-shaped values."""

    # The account's EKS clusters (name -> created), their access entries ((cluster, principal ARN) ->
    # created) and IAM roles (name -> ARN, with its path) as the EKS and IAM data sources see them.
    # None by default: every stack is about to be created. Tests set them (monkeypatch) for a cluster
    # that exists.
    eks_clusters: dict[str, datetime] = {}
    access_entries: dict[tuple[str, str], datetime] = {}
    iam_roles: dict[str, str] = {}

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self.monitor: MockMonitor | None = None
        self._handlers: dict[str, Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
            "aws:ec2/vpc:Vpc": self._vpc,
            "aws:ec2/subnet:Subnet": self._prefixed("subnet", "subnet"),
            "aws:ebs/volume:Volume": self._prefixed("vol", "volume"),
            "aws:ec2/internetGateway:InternetGateway": self._prefixed("igw", "internet-gateway"),
            "aws:ec2/natGateway:NatGateway": self._prefixed("nat", "natgateway"),
            "aws:ec2/eip:Eip": self._eip,
            "aws:ec2/routeTable:RouteTable": self._prefixed("rtb", "route-table"),
            "aws:ec2/securityGroup:SecurityGroup": self._prefixed("sg", "security-group"),
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": self._prefixed("sg", "security-group"),
            "aws:ec2/vpcEndpoint:VpcEndpoint": self._prefixed("vpce", "vpc-endpoint"),
            "aws:ec2/flowLog:FlowLog": self._prefixed("fl", "vpc-flow-log"),
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": self._prefixed("sgr", "security-group-rule"),
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": self._prefixed("sgr", "security-group-rule"),
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:iam/role:Role": self._iam("role"),
            "aws:iam/policy:Policy": self._iam("policy"),
            "aws:iam/rolePolicy:RolePolicy": self._role_policy,
            "aws:kms/key:Key": self._kms_key,
            "aws:rds/instance:Instance": self._rds_instance,
            "aws:elasticache/replicationGroup:ReplicationGroup": self._replication_group,
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:secretsmanager/secret:Secret": self._secret,
            "random:index/randomPassword:RandomPassword": self._random_password,
            "aws:ec2/launchTemplate:LaunchTemplate": self._launch_template,
            "aws:ecr/repository:Repository": self._ecr_repository,
            "aws:acm/certificate:Certificate": self._certificate,
            "aws:acm/certificateValidation:CertificateValidation": self._certificate_validation,
            "aws:route53/record:Record": self._route53_record,
            "aws:lb/loadBalancer:LoadBalancer": self._load_balancer,
            "aws:lb/targetGroup:TargetGroup": self._target_group,
            "aws:lb/listener:Listener": self._listener,
            "aws:wafv2/webAcl:WebAcl": self._web_acl,
            "random:index/randomBytes:RandomBytes": self._random_bytes,
            "random:index/randomId:RandomId": self._random_id,
            "eks:index:Cluster": self._eks_cluster,
            "eks:index:ManagedNodeGroup": self._managed_node_group,
            "aws:kms/alias:Alias": self._kms_alias,
        }

    # -- helpers ---------------------------------------------------------------------------
    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (f"arn:aws:{service}:{self.region if region else ''}:"
                f"{ACCOUNT_ID if account else ''}:{resource}")

    @staticmethod
    def physical_name(name: str, inputs: dict[str, Any], key: str = "name") -> str:
        """What the provider would name it: the explicit name, else Pulumi's auto-name."""
        explicit = inputs.get(key)
        if isinstance(explicit, str) and explicit:
            return explicit
        prefix = inputs.get("namePrefix")
        if isinstance(prefix, str) and prefix:
            return prefix + _hex(name, 26)
        return f"{name}-{_hex(name, 7)}"

    def _prefixed(self, id_prefix: str, arn_kind: str) -> Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
        def handler(name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            id_ = f"{id_prefix}-{_hex(name, 17)}"
            return id_, {"arn": self.arn("ec2", f"{arn_kind}/{id_}")}
        return handler

    # -- resources -------------------------------------------------------------------------
    def _vpc(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        id_ = f"vpc-{_hex(name, 17)}"
        return id_, {"arn": self.arn("ec2", f"vpc/{id_}"), "defaultSecurityGroupId": f"sg-{_hex(name + 'default', 17)}",
                     "mainRouteTableId": f"rtb-{_hex(name + 'main', 17)}"}

    def _eip(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        digest = hashlib.sha256(name.encode()).digest()
        return f"eipalloc-{_hex(name, 17)}", {"publicIp": f"54.{digest[0]}.{digest[1]}.{digest[2] or 1}",
                                              "allocationId": f"eipalloc-{_hex(name, 17)}"}

    def _log_group(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        physical = self.physical_name(name, inputs)
        return physical, {"name": physical, "arn": self.arn("logs", f"log-group:{physical}")}

    def _iam(self, kind: str) -> Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
        def handler(name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            physical = self.physical_name(name, inputs)
            return physical, {"name": physical, "arn": self.arn("iam", f"{kind}/{physical}", region=False),
                              "uniqueId": "AROA" + _hex(name, 17).upper()}
        return handler

    def _rds_instance(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        identifier = self.physical_name(name, inputs, "identifier")
        address = f"{identifier}.c{_hex(name, 10)}.{self.region}.rds.amazonaws.com"
        state: dict[str, Any] = {
            "identifier": identifier, "address": address, "port": inputs.get("port", 5432),
            "endpoint": f"{address}:{inputs.get('port', 5432)}", "resourceId": f"db-{_hex(name, 26).upper()}",
            "arn": self.arn("rds", f"db:{identifier}"),
        }
        if inputs.get("manageMasterUserPassword"):
            state["masterUserSecrets"] = [{
                "secretArn": self.arn("secretsmanager", f"secret:rds!db-{_uuid(name)}-{_hex(name, 6)}"),
                "kmsKeyId": inputs.get("masterUserSecretKmsKeyId"), "secretStatus": "active"}]
        return identifier, state

    def _replication_group(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        group_id = self.physical_name(name, inputs, "replicationGroupId")
        suffix = f"{_hex(name, 6)}.use1.cache.amazonaws.com"
        return group_id, {
            "primaryEndpointAddress": f"master.{group_id}.{suffix}",
            "readerEndpointAddress": f"replica.{group_id}.{suffix}",
            "arn": self.arn("elasticache", f"replicationgroup:{group_id}")}

    def _bucket(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        bucket = inputs.get("bucket") or (inputs.get("bucketPrefix") or f"{name}-") + _hex(name, 26)
        return bucket, {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}",
                        "bucketRegionalDomainName": f"{bucket}.s3.{self.region}.amazonaws.com"}

    def _secret(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = self.arn("secretsmanager", f"secret:{self.physical_name(name, inputs)}-{_hex(name, 6)}")
        return arn, {"arn": arn}

    def _random_password(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        length = int(inputs.get("length", 16))
        # Deterministic, and long enough to satisfy each generator's class minimums.
        value = ("Aa1!" + _hex(name, 64) * 2)[:length]
        return "none", {"result": value}

    def _certificate(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = self.arn("acm", f"certificate/{_uuid(name)}")
        domain = inputs.get("domainName", "example.com")
        return arn, {"arn": arn, "domainValidationOptions": [{
            "domainName": domain, "resourceRecordName": f"_{_hex(name, 32)}.{domain}.",
            "resourceRecordType": "CNAME", "resourceRecordValue": f"_{_hex(name + 'v', 32)}.acm-validations.aws."}]}

    def _certificate_validation(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"{name}-validation", {"certificateArn": inputs.get("certificateArn")}

    def _route53_record(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        fqdn = str(inputs.get("name", name)).rstrip(".")
        return f"{inputs.get('zoneId')}_{fqdn}_{inputs.get('type')}", {"fqdn": fqdn}

    def _load_balancer(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        physical = self.physical_name(name, inputs)[:32]
        arn = self.arn("elasticloadbalancing", f"loadbalancer/app/{physical}/{_hex(name, 16)}")
        scheme = "internal-" if inputs.get("internal") else ""
        return arn, {"arn": arn, "arnSuffix": arn.split(":loadbalancer/")[-1], "zoneId": "Z35SXDOTRQ7X7K",
                     "dnsName": f"{scheme}{physical}-{int(_hex(name, 8), 16)}.{self.region}.elb.amazonaws.com"}

    def _target_group(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        physical = self.physical_name(name, inputs)[:32]
        arn = self.arn("elasticloadbalancing", f"targetgroup/{physical}/{_hex(name, 16)}")
        return arn, {"arn": arn, "arnSuffix": arn.split(":")[-1]}

    def _listener(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = self.arn("elasticloadbalancing", f"listener/app/{name}/{_hex(name, 16)}/{_hex(name + 'l', 16)}")
        return arn, {"arn": arn}

    def _web_acl(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        acl_id = _uuid(name)
        physical = self.physical_name(name, inputs)
        return acl_id, {"arn": self.arn("wafv2", f"regional/webacl/{physical}/{acl_id}"), "capacity": 1000}

    def _random_bytes(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        import base64
        raw = hashlib.sha256(name.encode()).digest()[: int(inputs.get("length", 32))]
        return "none", {"base64": base64.b64encode(raw).decode(), "hex": raw.hex()}

    def _random_id(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        import base64
        raw = hashlib.sha256(name.encode()).digest()[: int(inputs.get("byteLength", 8))]
        return base64.urlsafe_b64encode(raw).decode().rstrip("="), {
            "hex": raw.hex(), "b64Url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            "b64Std": base64.b64encode(raw).decode(), "dec": str(int.from_bytes(raw, "big"))}

    def _ecr_repository(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        repo = self.physical_name(name, inputs)
        return repo, {"repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{self.region}.amazonaws.com/{repo}",
                      "arn": self.arn("ecr", f"repository/{repo}"), "registryId": ACCOUNT_ID}

    def _launch_template(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        id_ = f"lt-{_hex(name, 17)}"
        return id_, {"latestVersion": 1, "defaultVersion": 1, "arn": self.arn("ec2", f"launch-template/{id_}")}

    def ref(self, typ: str, name: str, state: dict[str, Any], id_: str | None = None) -> dict[str, Any]:
        """Register a child of a remote component and return a reference to it.

        Remote components (pulumi-eks) create their children in the provider, which the mocks
        never run; their resource-typed outputs must still be real references.
        """
        assert self.monitor is not None, "set AwsMocks.monitor before registering resources"
        id_ = id_ or f"{name}-id"
        urn = f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{typ}::{name}"
        self.monitor.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, state)
        return {SIG: RESOURCE_SIG, "urn": urn, "id": id_}

    def _eks_cluster(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        cluster_name = self.physical_name(name, inputs)
        issuer = f"oidc.eks.{self.region}.amazonaws.com/id/{_hex(name, 32).upper()}"
        endpoint = f"https://{_hex(name, 32).upper()}.gr7.{self.region}.eks.amazonaws.com"
        cluster_sg = f"sg-{_hex(name + 'cluster', 17)}"
        kubeconfig = {
            "apiVersion": "v1", "kind": "Config", "current-context": "aws",
            "clusters": [{"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": "Q0E="}}],
            "contexts": [{"name": "aws", "context": {"cluster": cluster_name, "user": "aws"}}],
            "users": [{"name": "aws", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
                "args": ["eks", "get-token", "--cluster-name", cluster_name, "--output", "json"]}}}],
        }
        oidc_arn = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{issuer}"
        eks_cluster = self.ref("aws:eks/cluster:Cluster", f"{name}-eksCluster", {
            "name": cluster_name, "endpoint": endpoint, "version": inputs.get("version"),
            "arn": self.arn("eks", f"cluster/{cluster_name}"),
            "certificateAuthority": {"data": "Q0E="},
            "identities": [{"oidcs": [{"issuer": f"https://{issuer}"}]}],
            "vpcConfig": {"clusterSecurityGroupId": cluster_sg, "vpcId": inputs.get("vpcId")}}, id_=cluster_name)
        oidc = self.ref("aws:iam/openIdConnectProvider:OpenIdConnectProvider", f"{name}-oidcProvider",
                        {"arn": oidc_arn, "url": issuer}, id_=oidc_arn)
        core = {
            "cluster": eks_cluster, "endpoint": endpoint, "oidcProvider": oidc,
            "clusterIamRole": self.ref("aws:iam/role:Role", f"{name}-eksRole",
                                       {"arn": self.arn("iam", f"role/{name}-eksRole", region=False)}),
            "instanceRoles": [], "nodeGroupOptions": {}, "kubeconfig": kubeconfig,
            "subnetIds": inputs.get("privateSubnetIds", []), "vpcId": inputs.get("vpcId"),
        }
        return cluster_name, {
            "eksCluster": eks_cluster, "core": core, "kubeconfig": kubeconfig,
            "kubeconfigJson": json.dumps(kubeconfig), "oidcProviderArn": oidc_arn, "oidcIssuer": issuer,
            "oidcProviderUrl": f"https://{issuer}", "clusterSecurityGroupId": cluster_sg,
            "nodeSecurityGroupId": cluster_sg,
        }

    def _managed_node_group(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        group_name = (inputs.get("nodeGroupNamePrefix") or f"{name}-") + _hex(name, 8)
        node_group = self.ref("aws:eks/nodeGroup:NodeGroup", f"{name}-nodeGroup", {
            "nodeGroupName": group_name, "arn": self.arn("eks", f"nodegroup/{group_name}")}, id_=group_name)
        return group_name, {"nodeGroup": node_group}

    def _role_policy(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        physical = self.physical_name(name, inputs)
        return f"{inputs.get('role')}:{physical}", {"name": physical}

    def _kms_key(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        key_id = _uuid(name)
        return key_id, {"keyId": key_id, "arn": self.arn("kms", f"key/{key_id}")}

    def _kms_alias(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        alias = inputs.get("name", f"alias/{name}")
        return alias, {"arn": self.arn("kms", alias), "targetKeyArn": self.arn("kms", f"key/{inputs.get('targetKeyId')}")}

    # -- Mocks interface -------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        inputs = unwrap(args.inputs)
        state: dict[str, Any] = dict(args.inputs)
        if args.typ == CRD_TYPE:
            # A CRD's schema is its input, recorded with it; echoed back as its output it would double
            # the cost of the run and the size of the plan, and nothing reads it from the resource.
            state.pop("spec", None)
        handler = self._handlers.get(args.typ)
        if handler is not None:
            id_, extra = handler(args.name, inputs)
        elif args.typ.startswith("pulumi:providers:"):
            id_, extra = _uuid(args.name), {}
        else:
            id_ = self.physical_name(args.name, inputs)
            service = args.typ.split(":")[1].split("/")[0] if ":" in args.typ else "unknown"
            extra = {"arn": self.arn(service, f"{args.typ.rsplit(':', 1)[-1].lower()}/{id_}")}
            if inputs.get("namePrefix") and not inputs.get("name"):
                # The provider computes `name` from the prefix; without it every `x.name` of a
                # prefixed resource (an RDS parameter group) is unknown and its input is dropped.
                extra["name"] = id_
        state.update({k: v for k, v in extra.items() if k not in state or k in ("arn", "id")})
        return id_, state

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            # As CI or an operator sees it: a session of an assumed role (its path is not in the ARN).
            return {"accountId": ACCOUNT_ID, "arn": DEPLOYER_SESSION_ARN,
                    "userId": "AROAEXAMPLEDEPLOYER:pulumi-deploy", "id": ACCOUNT_ID}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}, []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{s}" for s in "abcdef"]
            return {"names": names, "zoneIds": [f"use1-az{i + 1}" for i in range(len(names))],
                    "id": self.region}, []
        if token == "aws:ec2/getSubnet:getSubnet":
            subnet_id = args.args.get("id", "subnet-0123456789abcdef0")
            return {"id": subnet_id, "availabilityZone": f"{self.region}a",
                    "arn": self.arn("ec2", f"subnet/{subnet_id}")}, []
        if token == "aws:eks/getClusters:getClusters":
            return {"names": sorted(self.eks_clusters), "id": self.region}, []
        if token == "aws:eks/getCluster:getCluster":
            name = str(args.args["name"])
            if name not in self.eks_clusters:
                return not_found(f"EKS Cluster ({name})")
            return {"name": name, "createdAt": go_time_string(self.eks_clusters[name]), "id": name,
                    "arn": self.arn("eks", f"cluster/{name}")}, []
        if token == "aws:eks/getAccessEntry:getAccessEntry":
            cluster, principal = str(args.args["clusterName"]), str(args.args["principalArn"])
            made = self.access_entries.get((cluster, principal))
            if made is None:
                return not_found(f"EKS Access Entry ({cluster}:{principal})")
            return {"clusterName": cluster, "principalArn": principal, "createdAt": rfc3339(made),
                    "id": f"{cluster}:{principal}"}, []
        if token == "aws:iam/getRole:getRole":
            role = str(args.args["name"])
            if role not in self.iam_roles:
                return not_found(f"IAM Role ({role})")
            return {"name": role, "arn": self.iam_roles[role], "id": role}, []
        if token == "aws:ec2/getVpc:getVpc":
            vpc_id = args.args.get("id", "vpc-0123456789abcdef0")
            return {"id": vpc_id, "cidrBlock": "10.20.0.0/16", "arn": self.arn("ec2", f"vpc/{vpc_id}")}, []
        return {}, []

