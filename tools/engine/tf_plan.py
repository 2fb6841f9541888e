"""An offline plan as Terraform's `terraform show -json` would print a first plan of the same
resources, for scanners that read Terraform plans (checkov's `terraform_plan` framework).

The format (https://developer.hashicorp.com/terraform/internals/json-format, "Plan
representation", "Values representation", "Expression representation"):
- `planned_values.root_module.resources[]`: `address`, `type`, `name`, `values`. Attribute names
  are the Terraform schema's; a nested block is a list of objects (a block with at most one item
  too), a map attribute (`tags`) an object. A value Terraform only knows after apply (the ID or
  ARN of a resource being created, a name the provider generates) is left out, and inside a list
  written as null, with `after_unknown` marking it.
- `configuration.root_module.resources[].expressions`: per attribute `constant_value` or
  `references` (`["aws_vpc.network_vpc.id", "aws_vpc.network_vpc"]`), nested blocks as lists of
  such objects. checkov's graph draws its edges from these references
  (bridgecrewio/checkov@3.3.30 checkov/terraform/plan_parser.py `_add_references`), and its
  connection checks (the CKV2_* graph checks) follow the edges.

How the Pulumi records map onto it:
- types: the Pulumi token's Terraform type (`TF_TYPES`, pulumi/pulumi-aws
  provider/cmd/pulumi-resource-aws/bridge-metadata.json `renames.resources`);
- attribute names: camelCase to snake_case, and the list fields the bridge pluralised back to the
  Terraform block name (`RENAMED`, e.g. `defaultActions` -> `default_action`);
- references: an input that equals the ID, ARN or name of a resource it depends on (Pulumi
  records the dependencies an input's value brought) is that resource's attribute, as Terraform's
  configuration would hold it. Matching only among dependencies keeps a coincidence (a subnet
  group named like the database) from becoming an edge;
- pulumi-eks components (`eks:index:Cluster`, `eks:index:ManagedNodeGroup`) create their AWS
  resources inside the provider, so the plan has the component's inputs only: they become the
  `aws_eks_cluster` and `aws_eks_node_group` pulumi-eks builds from them (`_EXPANSIONS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

from tools.engine.plan import UNKNOWN

# Pulumi type token -> Terraform type (bridge-metadata.json `renames.resources`, pulumi-aws 7.x).
TF_TYPES: Mapping[str, str] = {
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
    "aws:ecr/repository:Repository": "aws_ecr_repository",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "aws_ecr_repository_policy",
    "aws:eks/addon:Addon": "aws_eks_addon",
    "aws:eks/cluster:Cluster": "aws_eks_cluster",
    "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:route53/healthCheck:HealthCheck": "aws_route53_health_check",
    "aws:route53/record:Record": "aws_route53_record",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "aws_s3_bucket_versioning",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
}
# List fields the bridge pluralised from a singular Terraform block (a block that may repeat),
# per Terraform type; the Pulumi name is matched at any depth of that type's inputs.
RENAMED: Mapping[str, Mapping[str, str]] = {
    "aws_backup_plan": {"rules": "rule"},
    "aws_backup_selection": {"selectionTags": "selection_tag"},
    "aws_cloudwatch_metric_alarm": {"metricQueries": "metric_query"},
    "aws_db_parameter_group": {"parameters": "parameter"},
    "aws_ecr_repository": {"encryptionConfigurations": "encryption_configuration"},
    "aws_eks_node_group": {"taints": "taint"},
    "aws_elasticache_replication_group": {"logDeliveryConfigurations": "log_delivery_configuration"},
    "aws_lb_listener": {"defaultActions": "default_action"},
    "aws_route53_record": {"aliases": "alias"},
    "aws_s3_bucket_lifecycle_configuration": {"rules": "rule"},
    "aws_s3_bucket_server_side_encryption_configuration": {"rules": "rule"},
    "aws_wafv2_web_acl": {"rules": "rule", "ruleActionOverrides": "rule_action_override",
                          "excludedRules": "excluded_rule", "statements": "statement",
                          "textTransformations": "text_transformation"},
}
# Attributes of map type (an object of arbitrary keys, kept as written); every other object is a
# nested block, which Terraform's JSON writes as a list.
_MAPS_EVERYWHERE = frozenset({"tags", "tags_all"})
# A resource's own name attributes: set by the program, never a reference, even when the name is
# the same as a resource it depends on (the database and its subnet group are both `ls-dev-postgres`).
OWN_NAMES = frozenset({"name", "name_prefix", "identifier", "identifier_prefix", "replication_group_id",
                       "dashboard_name", "node_group_name", "node_group_name_prefix"})
MAPS: Mapping[str, frozenset[str]] = {
    "aws_cloudwatch_metric_alarm": frozenset({"dimensions"}),
    "aws_eks_node_group": frozenset({"labels"}),
}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def identifier(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


@dataclass(frozen=True)
class Target:
    """An attribute of a converted resource another resource's input can refer to."""
    address: str
    attribute: str  # Terraform traversal after the address: "id", "name", "vpc_config[0].cluster_security_group_id"
    known: bool  # whether a first plan already knows it (a name set in the configuration)

    def references(self) -> list[str]:
        """Terraform lists the full traversal and each shorter one down to the resource."""
        parts = self.attribute.replace("[", ".[").split(".")
        chain = [self.address + "".join(p if p.startswith("[") else "." + p for p in parts[:n])
                 for n in range(len(parts), 0, -1)]
        return [*chain, self.address]


@dataclass
class Source:
    """One resource to write: a plan record, or one a pulumi-eks component creates."""
    urn: str
    pulumi_type: str
    name: str
    inputs: Mapping[str, Any]
    dependencies: Sequence[str]
    # (attribute, value, known): what another input most likely refers to (name, ARN, ID), then any
    # other attribute, matched only when no resource's identity matches
    identities: list[tuple[str, Any, bool]] = field(default_factory=list)
    attributes: list[tuple[str, Any, bool]] = field(default_factory=list)


def _identities(record: Mapping[str, Any]) -> list[tuple[str, Any, bool]]:
    """The values other inputs carry to name this resource: a name set in the configuration is
    known at plan time; a generated name, the ARN and the ID are not. The ARN before the ID: where
    they are equal (load balancers, listeners, target groups) Terraform configurations write `.arn`."""
    inputs, outputs = record.get("inputs") or {}, record.get("outputs") or {}
    return [("name", outputs.get("name", inputs.get("name")), isinstance(inputs.get("name"), str)),
            ("arn", outputs.get("arn"), False), ("id", record.get("id"), False)]


def _attributes(record: Mapping[str, Any]) -> list[tuple[str, Any, bool]]:
    """Its other attributes (an ALB's `dns_name` and `zone_id` in a Route 53 alias): one the
    configuration set is known at plan time, one the provider computes is not."""
    inputs, outputs = record.get("inputs") or {}, record.get("outputs") or {}
    return [(snake(key), value, key in inputs) for key, value in sorted(outputs.items())
            if isinstance(value, str) and key not in ("name", "arn", "id")]


# -- pulumi-eks ------------------------------------------------------------------------------------
# pulumi/pulumi-eks (4.x, nodejs/eks/cluster/cluster.ts `createCore`, nodejs/eks/nodes/nodegroup.ts
# `createManagedNodeGroupInternal`) builds these arguments from the component's inputs.
_NODE_GROUP_FIELDS = ("amiType", "capacityType", "diskSize", "forceUpdateVersion", "instanceTypes", "labels",
                      "launchTemplate", "nodeGroupName", "nodeGroupNamePrefix", "nodeRepairConfig",
                      "releaseVersion", "remoteAccess", "scalingConfig", "subnetIds", "tags", "taints",
                      "updateConfig", "version")


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _child_urn(record: Mapping[str, Any], *path: str) -> str | None:
    node: Any = record.get("outputs") or {}
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, str) else None


def _eks_cluster(record: Mapping[str, Any], plan: Mapping[str, Mapping[str, Any]]) -> list[Source]:
    inputs, outputs = record.get("inputs") or {}, record.get("outputs") or {}
    subnets = inputs.get("subnetIds")
    if subnets is None and ("publicSubnetIds" in inputs or "privateSubnetIds" in inputs):
        subnets = [*(inputs.get("publicSubnetIds") or []), *(inputs.get("privateSubnetIds") or [])]
    key_arn = inputs.get("encryptionConfigKeyArn")
    mode = inputs.get("authenticationMode")
    args = _without_none({
        "name": inputs.get("name"), "version": inputs.get("version"),
        "enabledClusterLogTypes": inputs.get("enabledClusterLogTypes"),
        "vpcConfig": _without_none({
            "subnetIds": subnets, "endpointPrivateAccess": inputs.get("endpointPrivateAccess"),
            "endpointPublicAccess": inputs.get("endpointPublicAccess"),
            "publicAccessCidrs": inputs.get("publicAccessCidrs"),
            "securityGroupIds": [inputs["clusterSecurityGroup"]] if inputs.get("clusterSecurityGroup") else None}),
        "encryptionConfig": {"provider": {"keyArn": key_arn}, "resources": ["secrets"]} if key_arn else None,
        "accessConfig": {"authenticationMode": mode, "bootstrapClusterCreatorAdminPermissions": True} if mode else None,
        "upgradePolicy": inputs.get("upgradePolicy"), "deletionProtection": inputs.get("deletionProtection"),
        "bootstrapSelfManagedAddons": inputs.get("bootstrapSelfManagedAddons", True),
        "tags": {"Name": f"{record['name']}-eksCluster", **(inputs.get("clusterTags") or {}),
                 **(inputs.get("tags") or {})},
    })
    child = _child_urn(record, "core", "cluster", "urn") or f"{record['urn']}-eksCluster"
    name = child.rsplit("::", 1)[-1]
    identities = [("name", inputs.get("name") or record.get("id"), "name" in inputs), ("id", record.get("id"), False),
                  ("vpc_config[0].cluster_security_group_id", outputs.get("clusterSecurityGroupId"), False)]
    return [Source(child, "aws:eks/cluster:Cluster", name, args, record.get("dependencies") or [], identities)]


def _managed_node_group(record: Mapping[str, Any], plan: Mapping[str, Mapping[str, Any]]) -> list[Source]:
    inputs = record.get("inputs") or {}
    cluster = plan.get(str(inputs.get("cluster")))
    role_arn = inputs.get("nodeRoleArn")
    if role_arn is None and inputs.get("nodeRole") is not None:
        role_arn = next(((r.get("outputs") or {}).get("arn") for r in plan.values() if r["type"] == "aws:iam/role:Role"
                         and inputs["nodeRole"] in (r.get("id"), (r.get("outputs") or {}).get("name"))), None)
    args = _without_none({
        **{k: inputs.get(k) for k in _NODE_GROUP_FIELDS},
        "clusterName": inputs.get("clusterName") or (cluster and ((cluster.get("inputs") or {}).get("name")
                                                                  or cluster.get("id"))),
        "nodeRoleArn": role_arn,
    })
    child = _child_urn(record, "nodeGroup", "urn") or f"{record['urn']}-nodeGroup"
    identities = [("id", record.get("id"), False), ("arn", (record.get("outputs") or {}).get("arn"), False)]
    return [Source(child, "aws:eks/nodeGroup:NodeGroup", record["name"], args, record.get("dependencies") or [],
                   identities)]


_EXPANSIONS: Mapping[str, Callable[[Mapping[str, Any], Mapping[str, Mapping[str, Any]]], list[Source]]] = {
    "eks:index:Cluster": _eks_cluster,
    "eks:index:ManagedNodeGroup": _managed_node_group,
}
# What the expansions leave out (pulumi-eks creates them; no scanner check reads them here).
NOT_EXPANDED = ("eks:index:Cluster: the cluster's IAM service role and its policy attachments, the OIDC "
                "provider, access entries and the vpc-cni and kube-proxy add-ons pulumi-eks creates",)


# -- conversion ------------------------------------------------------------------------------------
@dataclass
class _Converted:
    values: Any
    expression: Any
    unknown: Any  # after_unknown: True, or the same shape as values with True where unknown


class _Resolver:
    """Turns an input value into a reference to a resource this one depends on, when it is one."""

    def __init__(self, targets: Sequence[tuple[Any, Target]]):
        self.targets = targets

    def __call__(self, value: Any) -> Target | None:
        if not isinstance(value, str) or not value or value in (UNKNOWN, "[secret]"):
            return None
        return next((t for v, t in self.targets if v == value), None)


_NO_REFERENCES = _Resolver([])


def _is_map(tf_type: str, attribute: str) -> bool:
    return attribute in _MAPS_EVERYWHERE or attribute in MAPS.get(tf_type, ())


def _convert(value: Any, tf_type: str, resolve: _Resolver, name: str = "", top: bool = True) -> _Converted:
    """Values, expression and after_unknown of one input (a resource's inputs at the top)."""
    renamed = RENAMED.get(tf_type, {})
    if isinstance(value, dict) and _is_map(tf_type, name):
        items = {k: _convert(v, tf_type, resolve, top=False) for k, v in value.items()}
        return _Converted({k: c.values for k, c in items.items() if c.unknown is not True},
                          _flatten_expressions([c.expression for c in items.values()], constant=value),
                          {k: True for k, c in items.items() if c.unknown is True} or False)
    if isinstance(value, dict):
        values: dict[str, Any] = {}
        expressions: dict[str, Any] = {}
        unknown: dict[str, Any] = {}
        for key, inner in value.items():
            attribute = renamed.get(key) or snake(key)
            own_name = top and attribute in OWN_NAMES
            converted = _convert(inner, tf_type, _NO_REFERENCES if own_name else resolve, attribute, top=False)
            if isinstance(inner, dict) and not _is_map(tf_type, attribute):
                # a block that holds at most one item is still a list of one in Terraform's JSON
                converted = _Converted([converted.values], [converted.expression],
                                       [converted.unknown] if converted.unknown else False)
            if converted.unknown is not True:
                values[attribute] = converted.values
            expressions[attribute] = converted.expression
            if converted.unknown:
                unknown[attribute] = converted.unknown
        return _Converted(values, expressions, unknown or False)
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        blocks = [_convert(v, tf_type, resolve, name, top=False) for v in value]
        return _Converted([b.values for b in blocks], [b.expression for b in blocks],
                          [b.unknown or {} for b in blocks] if any(b.unknown for b in blocks) else False)
    if isinstance(value, list):
        elements = [_convert(v, tf_type, resolve, top=False) for v in value]
        return _Converted([None if e.unknown else e.values for e in elements],
                          _flatten_expressions([e.expression for e in elements], constant=value),
                          [bool(e.unknown) for e in elements] if any(e.unknown for e in elements) else False)
    if value == UNKNOWN:
        return _Converted(None, {}, True)
    target = resolve(value)
    if target is None:
        return _Converted(value, {"constant_value": value}, False)
    return _Converted(value, {"references": target.references()}, not target.known)


def _flatten_expressions(expressions: list[Any], constant: Any) -> dict[str, Any]:
    """One attribute's expression: its references, if any element has some, else the constant."""
    references = [r for e in expressions if isinstance(e, dict) for r in e.get("references", [])]
    return {"references": references} if references else {"constant_value": constant}


def _sources(plan: Mapping[str, Any]) -> tuple[list[Source], dict[str, list[str]], list[str]]:
    """The resources to write, the URNs each expanded component stands for, and the AWS types
    not converted."""
    records = {r["urn"]: r for r in plan["resources"]}
    sources: list[Source] = []
    expanded: dict[str, list[str]] = {}
    skipped: set[str] = set()
    for r in plan["resources"]:
        if r["type"] in _EXPANSIONS:
            children = _EXPANSIONS[r["type"]](r, records)
            sources.extend(children)
            expanded[r["urn"]] = [c.urn for c in children]
        elif r.get("custom") and r["type"] in TF_TYPES:
            sources.append(Source(r["urn"], r["type"], r["name"], r.get("inputs") or {}, r.get("dependencies") or [],
                                  _identities(r), _attributes(r)))
        elif r.get("custom") and r["type"].startswith("aws:"):
            skipped.add(r["type"])
    return sources, expanded, sorted(skipped)


def _descendants(plan: Mapping[str, Any]) -> dict[str, set[str]]:
    """Each URN with the URNs under it (itself included): depending on a component is depending on
    every resource it holds."""
    parents = {r["urn"]: r.get("parent") for r in plan["resources"]}
    under: dict[str, set[str]] = {}
    for urn in parents:
        node: str | None = urn
        while node:
            under.setdefault(node, set()).add(urn)
            node = parents.get(node)
    return under


def _addresses(sources: Sequence[Source]) -> dict[str, str]:
    addresses: dict[str, str] = {}
    taken: set[str] = set()
    for s in sources:
        base = f"{TF_TYPES[s.pulumi_type]}.{identifier(s.name)}"
        address, n = base, 1
        while address in taken:  # the same name under two components
            n += 1
            address = f"{base}_{n}"
        taken.add(address)
        addresses[s.urn] = address
    return addresses


def convert(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The Terraform-plan JSON of an offline plan (tools.preview --json)."""
    sources, expanded_from, skipped = _sources(plan)
    addresses = _addresses(sources)
    under = _descendants(plan)
    by_urn = {s.urn: s for s in sources}
    planned: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for s in sources:
        address, tf_type = addresses[s.urn], TF_TYPES[s.pulumi_type]
        reachable: list[str] = []
        for dependency in s.dependencies:
            for urn in sorted(under.get(dependency, {dependency})):
                reachable.extend(expanded_from.get(urn, [urn]))
        dependencies = [by_urn[urn] for urn in dict.fromkeys(reachable) if urn in by_urn and urn != s.urn]
        targets = [(value, Target(addresses[d.urn], attribute, known))
                   for pool in ("identities", "attributes") for d in dependencies
                   for attribute, value, known in getattr(d, pool) if value]
        converted = _convert(dict(s.inputs), tf_type, _Resolver(targets))
        common = {"address": address, "mode": "managed", "type": tf_type, "name": address.split(".", 1)[1]}
        planned.append({**common, "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                        "values": converted.values})
        configured.append({**common, "provider_config_key": "aws", "schema_version": 0,
                           "expressions": converted.expression})
        changes.append({**common, "provider_name": "registry.terraform.io/hashicorp/aws",
                        "change": {"actions": ["create"], "before": None, "after": converted.values,
                                   "after_unknown": converted.unknown or {}}})
    return {
        "format_version": "1.2", "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"provider_config": {"aws": {"name": "aws",
                                                      "full_name": "registry.terraform.io/hashicorp/aws"}},
                          "root_module": {"resources": configured}},
        "skipped": skipped,
        "not_expanded": list(NOT_EXPANDED) if any(r["type"] in _EXPANSIONS for r in plan["resources"]) else [],
    }


def resources(document: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each resource's planned values with its configuration, by address."""
    configured = {r["address"]: r for r in document["configuration"]["root_module"]["resources"]}
    for r in document["planned_values"]["root_module"]["resources"]:
        yield r, configured[r["address"]]
