"""Pulumi mocks that answer like AWS would: realistic IDs, ARNs, endpoints and DNS names.

Used by the offline preview and by the tests, so both see the same wiring. IDs are derived from a
hash of the resource's name, so a plan is identical from run to run.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

ACCOUNT_ID = "123456789012"
SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


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


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _uuid(seed: str) -> str:
    h = _hex(seed, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class AwsMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes with AWS-shaped values."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self.monitor: MockMonitor | None = None
        self._handlers: dict[str, Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
            "aws:ec2/vpc:Vpc": self._vpc,
            "aws:ec2/subnet:Subnet": self._prefixed("subnet", "subnet"),
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
        handler = self._handlers.get(args.typ)
        if handler is not None:
            id_, extra = handler(args.name, inputs)
        elif args.typ.startswith("pulumi:providers:"):
            id_, extra = _uuid(args.name), {}
        else:
            id_ = self.physical_name(args.name, inputs)
            service = args.typ.split(":")[1].split("/")[0] if ":" in args.typ else "unknown"
            extra = {"arn": self.arn(service, f"{args.typ.rsplit(':', 1)[-1].lower()}/{id_}")}
        state.update({k: v for k, v in extra.items() if k not in state or k in ("arn", "id")})
        return id_, state

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/deployer",
                    "userId": "AIDAEXAMPLE", "id": ACCOUNT_ID}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}, []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{s}" for s in "abcdef"]
            return {"names": names, "zoneIds": [f"use1-az{i + 1}" for i in range(len(names))],
                    "id": self.region}, []
        if token == "aws:ec2/getVpc:getVpc":
            vpc_id = args.args.get("id", "vpc-0123456789abcdef0")
            return {"id": vpc_id, "cidrBlock": "10.20.0.0/16", "arn": self.arn("ec2", f"vpc/{vpc_id}")}, []
        return {}, []


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)
