"""The pack's rules: the reference architecture's security baseline, as checks on resource inputs.

MUSTs (mandatory): TLS everywhere, no plaintext secrets, least-privilege IAM, data services
isolated, WAF with rate limiting at ingress, plus the storage, logging and key hygiene an AWS
review expects. SHOULDs (advisory): private access only, authentication on, regular patching.

Every rule reads the engine's camelCase input names. A value the engine does not know yet
(preview of a new resource) is skipped here; CrossGuard turns such reads into advisory notes.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Iterator, Mapping, Sequence

from langsmith_policies.framework import ResourceRule, ResourceView, Rule, StackContext, StackRule

UNKNOWN = "[unknown]"
OUTPUT_STR_ERROR = "Calling __str__ on an Output"

RDS = "aws:rds/instance:Instance"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
BUCKETS = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_ENCRYPTION = frozenset({"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                               "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"})
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
SECRET = "aws:secretsmanager/secret:Secret"
BACKUP_VAULT = "aws:backup/vault:Vault"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EBS_VOLUME = "aws:ebs/volume:Volume"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
EKS_COMPONENT = "eks:index:Cluster"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "eks:index:ManagedNodeGroup"
LISTENER = frozenset({"aws:lb/listener:Listener", "aws:alb/listener:Listener"})
LOAD_BALANCER = frozenset({"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"})
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
KMS_KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
IAM_ROLE = "aws:iam/role:Role"
IAM_INLINE_POLICIES = frozenset({"aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"})
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
IMDS_CIDR = "169.254.169.254/32"
# Pods LangSmith Deployment creates (agents and their operator-made data stores) carry this label
# (components/langsmith_values.py AGENT_LABEL, set in the operator's templates).
AGENT_LABEL_KEY = "langsmith.com/agent"
AWS_PROVIDER = "pulumi:providers:aws"

TLS12_PLUS_POLICIES = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-|TLS13-1-2-FIPS)")
REQUIRED_WAF_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                       "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList")
REQUIRED_TAGS = ("app", "langsmith:stack", "managed-by")
SECRET_LOOKING_KEY = re.compile(
    r"(password|passwd|secret|token|salt|licen[cs]e_?key|connection_?url|access_?key|encryption_?key|jwt|jwks)",
    re.IGNORECASE)
SECRET_REFERENCE_KEY = re.compile(r"(SecretName|SecretKey|secretRef|existingSecret)$", re.IGNORECASE)
BROAD_MANAGED_POLICY = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(.*FullAccess|.*ReadWrite.*|AdministratorAccess|PowerUserAccess)$")
# Documented exceptions: the BYOC contract grants these AWS managed policies to the cross-account
# role. Exempt only as attachments made by the ByocRole component, nothing else.
BYOC_COMPONENT = "langsmith:aws:ByocRole"
BYOC_DOCUMENTED_POLICIES = frozenset({
    "arn:aws:iam::aws:policy/AmazonVPCReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonECS_FullAccess",
    "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonRDSFullAccess",
})
# BYOC's cross-account roles (ecs: ByocRole; eks: ByocEksRole). Their trust must be gated on sts:ExternalId.
BYOC_COMPONENTS = frozenset({BYOC_COMPONENT, "langsmith:aws:ByocEksRole"})
BYOC_EKS_COMPONENT = "langsmith:aws:ByocEksRole"
BREAK_GLASS_ROLE_NAME = "LangSmithBYOCBreakGlass"
# Documented exemption: the statements of LangChain's langsmith-byoc-role module (langchain-ai/terraform@e27a2af,
# policies/*.json; vpc_byovpc.json @02339004) that grant on `Resource: "*"` (describes and lists, EBS default
# encryption, VPC flow-log delivery, hosted-zone creation, ACM requests, service quotas). LangChain's BYOC FAQ:
# some of these permissions cannot be scoped, which is why it recommends a dedicated account. Any other
# `Resource: "*"` Allow in that role's policies is a drift from the module and fails.
BYOC_EKS_WILDCARD_RESOURCE_SIDS = frozenset({
    "ACMReadAll", "ACMRequestCertificate", "CloudWatchLogsDeleteDeliveryForVpcFlowLogs",
    "CloudWatchLogsDeliveryForVpcFlowLogs", "EC2Describe", "EC2EBSEncryptionByDefault", "EKSDescribe", "ELBv2Describe",
    "ElastiCacheRead", "KMSListAliases", "RDSDescribe", "Route53CreatePrivateHostedZone",
    "Route53CreatePublicHostedZone", "ServiceQuotasRead",
})
# break_glass_role.tf: the placeholders that keep an opened trust matching nobody.
BREAK_GLASS_PLACEHOLDERS = frozenset({"__no_identitystore_user_ids_configured__", "__no_source_identities_configured__"})
PINNED_VERSION = re.compile(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")


# -- helpers ------------------------------------------------------------------------------

def known(value: Any) -> bool:
    return value is not None and value != UNKNOWN


def document(value: Any) -> dict[str, Any] | None:
    """An IAM or bucket policy, from JSON text or an object; None when unknown or masked."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str) and value.startswith("{"):
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else None
    return None


def statements(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = doc.get("Statement", [])
    return [found] if isinstance(found, dict) else list(found)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def component_chain(urn: str) -> list[str]:
    """The types of a resource's ancestors and itself, from its URN."""
    return urn.split("::")[2].split("$") if urn.count("::") >= 3 else []


def related(resource: ResourceView, by_urn: Mapping[str, ResourceView], types: frozenset[str] | set[str]) -> list[ResourceView]:
    return [by_urn[u] for u in resource.dependencies if u in by_urn and by_urn[u].type in types]


def targets_of(resource: ResourceView, key: str, candidates: Sequence[ResourceView]) -> list[ResourceView]:
    """The candidates `resource` points at through property `key` (by dependency or by ID/name)."""
    value = resource.props.get(key)
    return [c for c in candidates
            if c.urn in resource.dependencies or (known(value) and value in (c.id, c.props.get("bucket"),
                                                                                c.props.get("arn")))]


def string_leaves(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from string_leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from string_leaves(v)


# -- MUST: encryption at rest and in transit ------------------------------------------------

def _rds_encrypted(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("storageEncrypted") is not True:
        yield "RDS storage must be encrypted (storage_encrypted=True, with the data KMS key)."


def _rds_not_public(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("publiclyAccessible") is True:
        yield "RDS must not be publicly accessible: it belongs in the isolated data subnets."


def _rds_force_ssl(resources: Sequence[ResourceView], _: StackContext) -> Iterable[tuple[str, str]]:
    by_urn = {r.urn: r for r in resources}
    groups = [r for r in resources if r.type == RDS_PARAMETER_GROUP]
    for db in (r for r in resources if r.type == RDS):
        name = db.props.get("parameterGroupName")
        if not known(name) and not related(db, by_urn, {RDS_PARAMETER_GROUP}):
            continue
        mine = related(db, by_urn, {RDS_PARAMETER_GROUP}) or [g for g in groups if g.props.get("name") == name]
        values = [str(p.get("value")) for g in mine for p in g.props.get("parameters") or []
                  if p.get("name") == "rds.force_ssl"]
        # RDS for PostgreSQL defaults rds.force_ssl to 1 from major version 15 (RDS user guide).
        engine_default_on = db.props.get("engine") == "postgres" and _major(db.props.get("engineVersion")) >= 15
        forced = "1" in values or (engine_default_on and not values)
        if not forced:
            yield db.urn, ("RDS must force TLS: rds.force_ssl=1 in its parameter group "
                           "(the PostgreSQL 15+ default, when not overridden).")


def _below(value: Any, minimum: int) -> bool:
    """A known number under `minimum` (unknown values are not findings)."""
    if not known(value) or isinstance(value, bool):
        return False
    try:
        return float(value) < minimum
    except (TypeError, ValueError):
        return False


def _major(version: Any) -> int:
    match = re.match(r"^(\d+)", str(version)) if known(version) else None
    return int(match.group(1)) if match else 0


def _rds_statement_logging(resources: Sequence[ResourceView], _: StackContext) -> Iterable[tuple[str, str]]:
    by_urn = {r.urn: r for r in resources}
    groups = [r for r in resources if r.type == RDS_PARAMETER_GROUP]
    for db in (r for r in resources if r.type == RDS and r.props.get("engine") == "postgres"):
        exports = db.props.get("enabledCloudwatchLogsExports")
        if known(exports) and "postgresql" not in as_list(exports):
            yield db.urn, "PostgreSQL must export its `postgresql` log to CloudWatch (every profile)."
        name = db.props.get("parameterGroupName")
        mine = related(db, by_urn, {RDS_PARAMETER_GROUP}) or [g for g in groups if g.props.get("name") == name]
        if not mine and not known(name):
            continue
        slow = [str(p.get("value")) for g in mine for p in g.props.get("parameters") or []
                if p.get("name") == "log_min_duration_statement"]
        if not slow or not all(v.lstrip("-").isdigit() and int(v) >= 0 for v in slow):
            yield db.urn, "PostgreSQL must log slow statements (log_min_duration_statement >= 0)."


def _redis_encrypted(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("atRestEncryptionEnabled") is not True:
        yield "ElastiCache must encrypt at rest."
    if r.props.get("transitEncryptionEnabled") is not True:
        yield "ElastiCache must require TLS in transit."
    if not r.props.get("authToken") and not r.props.get("userGroupIds"):
        yield "ElastiCache must require authentication (AUTH token or RBAC user group)."


def _secret_kms(r: ResourceView, _: StackContext) -> Iterable[str]:
    if not r.props.get("kmsKeyId"):
        yield "Secrets Manager secrets must be encrypted with a customer-managed KMS key."


def _ebs_encrypted(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.type == LAUNCH_TEMPLATE:
        for mapping in r.props.get("blockDeviceMappings") or []:
            ebs = mapping.get("ebs") or {}
            if ebs and str(ebs.get("encrypted")).lower() != "true":
                yield f"Launch template volume {mapping.get('deviceName')} must be encrypted."
    elif r.type == EBS_VOLUME:
        if r.props.get("encrypted") is not True:
            yield "EBS volumes must be encrypted."
    elif r.type == STORAGE_CLASS:
        params = r.props.get("parameters") or {}
        if r.props.get("provisioner") == "ebs.csi.aws.com" and str(params.get("encrypted")).lower() != "true":
            yield "EBS StorageClasses must set encrypted: \"true\"."


def _bucket_baseline(resources: Sequence[ResourceView], _: StackContext) -> Iterable[tuple[str, str]]:
    blocks = [r for r in resources if r.type == PUBLIC_ACCESS_BLOCK]
    encryption = [r for r in resources if r.type in BUCKET_ENCRYPTION]
    policies = [r for r in resources if r.type == BUCKET_POLICY]
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    for bucket in (r for r in resources if r.type in BUCKETS):
        def of(candidates: list[ResourceView]) -> list[ResourceView]:
            return [c for c in candidates if bucket in targets_of(c, "bucket", [bucket])]
        if not any(all(b.props.get(f) is True for f in flags) for b in of(blocks)):
            yield bucket.urn, "S3 bucket needs a public access block with all four settings on."
        if not of(encryption):
            yield bucket.urn, "S3 bucket needs default server-side encryption."
        tls_only = False
        for p in of(policies):
            doc = document(p.props.get("policy"))
            if doc is None:
                tls_only = True  # unknown in preview: not a finding
            elif any(s.get("Effect") == "Deny" and
                     str(((s.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")).lower() == "false"
                     for s in statements(doc)):
                tls_only = True
        if not tls_only:
            yield bucket.urn, "S3 bucket policy must deny requests without TLS (aws:SecureTransport false)."


def _kms_rotation(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("enableKeyRotation") is not True:
        yield "KMS keys must rotate (enable_key_rotation=True)."
    if not r.props.get("policy"):
        yield "KMS keys need an explicit key policy (not the implicit default)."


def _described_rules(r: ResourceView, _: StackContext) -> Iterable[str]:
    if not r.props.get("description"):
        yield "Security group rules and groups carry a description (who may connect, and why)."


def _default_sg_closed(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("ingress") or r.props.get("egress"):
        yield "The VPC's default security group must have no rules (nothing should use it)."


def _bucket_lifecycle(resources: Sequence[ResourceView], _: StackContext) -> Iterable[tuple[str, str]]:
    lifecycles = [r for r in resources if r.type == "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"]
    for bucket in (r for r in resources if r.type in BUCKETS):
        mine = [c for c in lifecycles if bucket in targets_of(c, "bucket", [bucket])]
        aborts = any(rule.get("abortIncompleteMultipartUpload") and rule.get("status") == "Enabled"
                     for c in mine for rule in c.props.get("rules") or [])
        if not aborts:
            yield bucket.urn, "Buckets need a lifecycle rule that aborts incomplete multipart uploads."


def _log_retention(r: ResourceView, _: StackContext) -> Iterable[str]:
    if not r.props.get("retentionInDays"):
        yield "Log groups need a retention period (never keep-forever by accident)."
    if not r.props.get("kmsKeyId"):
        yield "Log groups must be encrypted with the logs KMS key."


# -- MUST: network isolation ----------------------------------------------------------------

def _no_world_ingress(r: ResourceView, _: StackContext) -> Iterable[str]:
    cidr = r.props.get("cidrIpv4") or r.props.get("cidrIpv6")
    if cidr in ("0.0.0.0/0", "::/0"):
        ports = (r.props.get("fromPort"), r.props.get("toPort"))
        if ports not in ((80, 80), (443, 443)):
            yield f"Only HTTP/HTTPS at the load balancer may be open to {cidr}; this rule opens ports {ports}."


def _no_world_inline_ingress(r: ResourceView, _: StackContext) -> Iterable[str]:
    for rule in r.props.get("ingress") or []:
        if "0.0.0.0/0" in (rule.get("cidrBlocks") or []) and (rule.get("fromPort"), rule.get("toPort")) not in ((80, 80), (443, 443)):
            yield "Inline security group ingress open to 0.0.0.0/0 beyond 80/443."


def _eks_endpoint(r: ResourceView, _: StackContext) -> Iterable[str]:
    props = r.props
    vpc = props.get("vpcConfig") or {}
    public = props.get("endpointPublicAccess", vpc.get("endpointPublicAccess"))
    cidrs = props.get("publicAccessCidrs", vpc.get("publicAccessCidrs"))
    private = props.get("endpointPrivateAccess", vpc.get("endpointPrivateAccess"))
    if public is not False and (not cidrs or "0.0.0.0/0" in cidrs):
        yield "The EKS public endpoint must be off or limited to listed CIDRs (never 0.0.0.0/0)."
    if private is not True:
        yield "The EKS private endpoint must be on."


def _eks_hardening(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.type == EKS_COMPONENT:
        if not r.props.get("encryptionConfigKeyArn"):
            yield "EKS secrets must be envelope-encrypted with a KMS key."
        if "audit" not in (r.props.get("enabledClusterLogTypes") or []):
            yield "EKS control-plane audit logs must be enabled."
        if r.props.get("authenticationMode") not in ("API", None) and r.props.get("authenticationMode") != UNKNOWN:
            yield "EKS should use API authentication mode (access entries), not the aws-auth ConfigMap."


def _imdsv2(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.type == LAUNCH_TEMPLATE:
        if (r.props.get("metadataOptions") or {}).get("httpTokens") != "required":
            yield "Instances must require IMDSv2 (metadata_options.http_tokens = required)."
    elif r.type == NODE_GROUP:
        if not r.props.get("launchTemplate") and r.props.get("enableImdSv2") is not True:
            yield "Managed node groups must require IMDSv2 (own launch template or enable_imd_sv2)."


def _data_in_private_subnets(resources: Sequence[ResourceView], _: StackContext) -> Iterable[tuple[str, str]]:
    """RDS and ElastiCache subnet groups must not contain subnets that route to an internet gateway."""
    public = [r for r in resources if r.type == "aws:ec2/subnet:Subnet"
              and (r.props.get("mapPublicIpOnLaunch") is True or (r.props.get("tags") or {}).get("tier") == "public")]
    public_subnets = {r.id for r in public if r.id}
    public_urns = {r.urn for r in public}
    for group in (r for r in resources if r.type in ("aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup")):
        ids = set(group.props.get("subnetIds") or [])
        if ids & public_subnets or set(group.dependencies) & public_urns:
            yield group.urn, "Data services must sit in private (data) subnets, not public ones."


# -- MUST: TLS and WAF at ingress -----------------------------------------------------------

def _listener_tls(r: ResourceView, _: StackContext) -> Iterable[str]:
    protocol = r.props.get("protocol")
    if protocol == "HTTPS":
        policy = r.props.get("sslPolicy")
        if not isinstance(policy, str) or not TLS12_PLUS_POLICIES.match(policy):
            yield f"HTTPS listeners need a TLS 1.2+ security policy, not {policy!r}."
    elif protocol == "HTTP":
        actions = r.props.get("defaultActions") or []
        redirects = all(a.get("type") == "redirect" and (a.get("redirect") or {}).get("protocol") == "HTTPS"
                        for a in actions)
        if not actions or not redirects:
            yield "HTTP listeners may only redirect to HTTPS."


def _alb_hygiene(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("loadBalancerType", "application") != "application":
        return
    if r.props.get("dropInvalidHeaderFields") is not True:
        yield "ALBs must drop invalid header fields (request smuggling)."
    if (r.props.get("accessLogs") or {}).get("enabled") is not True:
        yield "ALBs must write access logs."


def _waf_on_public_albs(resources: Sequence[ResourceView], _: StackContext) -> Iterable[tuple[str, str]]:
    associations = [r for r in resources if r.type == WEB_ACL_ASSOCIATION]
    for alb in (r for r in resources if r.type in LOAD_BALANCER):
        if alb.props.get("internal") is True or alb.props.get("loadBalancerType", "application") != "application":
            continue
        if not [a for a in associations if alb in targets_of(a, "resourceArn", [alb])]:
            yield alb.urn, "Internet-facing ALBs must have a WAF web ACL associated."


def _waf_rules(r: ResourceView, _: StackContext) -> Iterable[str]:
    rules = r.props.get("rules") or []
    groups = {((x.get("statement") or {}).get("managedRuleGroupStatement") or {}).get("name") for x in rules}
    for missing in (g for g in REQUIRED_WAF_GROUPS if g not in groups):
        yield f"The web ACL must include the AWS managed rule group {missing}."
    if not any((x.get("statement") or {}).get("rateBasedStatement") and "block" in (x.get("action") or {})
               for x in rules):
        yield "The web ACL must block by a rate-based rule (rate limiting)."


# -- MUST: least privilege and no plaintext secrets -----------------------------------------

def _irsa_trust(r: ResourceView, _: StackContext) -> Iterable[str]:
    doc = document(r.props.get("assumeRolePolicy"))
    if doc is None:
        return
    for s in statements(doc):
        federated = (s.get("Principal") or {}).get("Federated") if isinstance(s.get("Principal"), dict) else None
        if not isinstance(federated, str) or ":oidc-provider/" not in federated:
            continue
        conditions = s.get("Condition") or {}
        equals = conditions.get("StringEquals") or {}
        subs = [v for k, v in equals.items() if k.endswith(":sub")]
        auds = [v for k, v in equals.items() if k.endswith(":aud")]
        if "StringLike" in conditions or len(subs) != 1 or not isinstance(subs[0], str) or "*" in subs[0] \
                or not subs[0].startswith("system:serviceaccount:"):
            yield "IRSA trust must bind exactly one service account (StringEquals on :sub, no wildcard)."
        if auds != ["sts.amazonaws.com"]:
            yield "IRSA trust must pin :aud to sts.amazonaws.com."


def _no_admin_statements(r: ResourceView, _: StackContext) -> Iterable[str]:
    doc = document(r.props.get("policy"))
    if doc is None:
        return
    for s in statements(doc):
        if s.get("Effect") != "Allow":
            continue
        actions, resources = as_list(s.get("Action")), as_list(s.get("Resource"))
        if ("*" in actions or any(a.endswith(":*") for a in actions if isinstance(a, str))) and "*" in resources:
            yield f"IAM statement {s.get('Sid', '')!r} allows {actions} on every resource."


def _broad_managed_policies(r: ResourceView, _: StackContext) -> Iterable[str]:
    arn = r.props.get("policyArn")
    if not isinstance(arn, str) or not BROAD_MANAGED_POLICY.match(arn):
        return
    if arn in BYOC_DOCUMENTED_POLICIES and BYOC_COMPONENT in component_chain(r.urn):
        return  # documented BYOC contract
    yield f"{arn} grants far more than any component here needs."


def _trust_statements(r: ResourceView) -> list[dict[str, Any]]:
    doc = document(r.props.get("assumeRolePolicy"))
    return statements(doc) if doc is not None else []


def _aws_principals(statement: Mapping[str, Any]) -> list[Any]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    return as_list(principal.get("AWS", [])) if isinstance(principal, Mapping) else []


def _no_wildcard_principal(r: ResourceView, _: StackContext) -> Iterable[str]:
    for s in _trust_statements(r):
        if s.get("Effect") == "Allow" and "*" in _aws_principals(s):
            yield f"trust statement {s.get('Sid', '')!r} lets any AWS principal assume the role."


def _byoc_trust_gated_on_external_id(r: ResourceView, _: StackContext) -> Iterable[str]:
    if not BYOC_COMPONENTS & set(component_chain(r.urn)) or r.props.get("name") == BREAK_GLASS_ROLE_NAME:
        return
    for s in _trust_statements(r):
        if s.get("Effect") != "Allow":
            continue
        external_id = ((s.get("Condition") or {}).get("StringEquals") or {}).get("sts:ExternalId")
        if not external_id or external_id == UNKNOWN:
            yield "the BYOC role's trust must require sts:ExternalId (StringEquals) for the control plane."
        principals = _aws_principals(s)
        if len(principals) != 1 or not isinstance(principals[0], str) or ":role/" not in principals[0]:
            yield f"the BYOC role must trust exactly one control-plane role, not {principals}."


def _break_glass_closed(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("name") != BREAK_GLASS_ROLE_NAME or BYOC_EKS_COMPONENT not in component_chain(r.urn):
        return
    for s in _trust_statements(r):
        if s.get("Effect") != "Allow":
            continue
        conditions = s.get("Condition") or {}
        patterns = as_list((conditions.get("ArnLike") or {}).get("aws:PrincipalArn", []))
        equals = conditions.get("StringEquals") or {}
        users = as_list(equals.get("identitystore:UserId", []))
        identities = as_list(equals.get("sts:SourceIdentity", []))
        if not patterns or any("*" == p for p in patterns):
            yield "an open break-glass trust must name LangChain's break-glass SSO role (ArnLike aws:PrincipalArn)."
        if not users or not identities or BREAK_GLASS_PLACEHOLDERS & {*users, *identities}:
            yield "an open break-glass trust must name the Identity Store users and source identities LangChain gave."


def _byoc_wildcard_resources_documented(r: ResourceView, _: StackContext) -> Iterable[str]:
    if BYOC_EKS_COMPONENT not in component_chain(r.urn):
        return
    doc = document(r.props.get("policy"))
    for s in statements(doc) if doc is not None else []:
        if s.get("Effect") == "Allow" and "*" in as_list(s.get("Resource")) \
                and s.get("Sid") not in BYOC_EKS_WILDCARD_RESOURCE_SIDS:
            yield f"statement {s.get('Sid', '')!r} grants on every resource and is not one of LangChain's module's."
def _helm_values_have_no_secrets(r: ResourceView, _: StackContext) -> Iterable[str]:
    values = r.props.get("values")
    if values == "[secret]":
        yield "A secret value reached the Helm values; reference an existing Secret instead."
        return
    for path, leaf in _leaves(values):
        key = path.rsplit(".", 1)[-1]
        if isinstance(leaf, str) and leaf and SECRET_LOOKING_KEY.search(key) and not SECRET_REFERENCE_KEY.search(key):
            yield f"Helm value {path} looks like a credential in plain text; use the chart's existingSecretName."


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _leaves(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{prefix}[{i}]")
    else:
        yield prefix, value


def _helm_pinned(r: ResourceView, _: StackContext) -> Iterable[str]:
    version = r.props.get("version")
    if not isinstance(version, str) or not PINNED_VERSION.match(version):
        yield f"Helm chart {r.props.get('chart')!r} must be pinned to an exact version, not {version!r}."
    chart = r.props.get("chart")
    oci_reference = isinstance(chart, str) and chart.startswith("oci://")
    if not (r.props.get("repositoryOpts") or {}).get("repo") and not oci_reference:
        yield "Helm releases must name their chart repository (repository_opts, or an oci:// chart)."


def _no_output_strings(r: ResourceView, _: StackContext) -> Iterable[str]:
    if any(OUTPUT_STR_ERROR in s for s in string_leaves(r.props)):
        yield "An input holds the text of an unresolved Output (an f-string over an Output)."


# -- MUST: LangSmith Deployment (agents are user code, next to LangSmith's data) -------------

def _ecr_hygiene(r: ResourceView, _: StackContext) -> Iterable[str]:
    scanning = r.props.get("imageScanningConfiguration")
    if scanning != UNKNOWN and not (isinstance(scanning, Mapping) and scanning.get("scanOnPush") is True):
        yield "ECR repositories scan images on push (image_scanning_configuration.scan_on_push=True)."
    if r.props.get("imageTagMutability") not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", UNKNOWN):
        yield "ECR repositories keep tags immutable: a deployed tag never points at other code."
    configured = r.props.get("encryptionConfigurations")
    encryption = [e for e in configured if isinstance(e, Mapping)] if isinstance(configured, list) else []
    if configured != UNKNOWN and not any(e.get("encryptionType") == "KMS" and e.get("kmsKey") for e in encryption):
        yield "ECR repositories are encrypted with the stack's KMS key (encryption_type KMS)."


def _langsmith_deployments(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("chart") != "langsmith" or not isinstance(r.props.get("values"), Mapping):
        return
    values = r.props["values"]
    config = values.get("config") or {}
    deployment = config.get("deployment") or {}
    if deployment.get("enabled") is not True:
        return
    if deployment.get("tlsEnabled") is False:
        yield "LangSmith Deployment builds agents' URLs with TLS behind our HTTPS ALB (config.deployment.tlsEnabled)."
    routes = [k for k in ("ingress", "gateway", "istioGateway") if ((values.get(k) or {}).get("enabled") is True)]
    if len(routes) != 1 or not config.get("hostname"):
        yield ("LangSmith Deployment needs exactly one chart route (ingress, gateway or istioGateway) and "
               "config.hostname (the chart's validate.yaml).")
    if (values.get("operator") or {}).get("createCRDs") is not False:
        yield ("The LGP CRD is the stack's, installed once outside every release: operator.createCRDs must be "
               "false (a release that owns it deletes every agent when it is uninstalled).")


def _agents_fenced(resources: Sequence[ResourceView], _: StackContext) -> Iterable[tuple[str, str]]:
    """Where LangSmith Deployment runs, its agent pods have an egress policy of their own without IMDS, and
    the namespace-wide policy leaves them to it (NetworkPolicies add up: a wider one would open everything)."""
    for release in (r for r in resources if r.type == HELM_RELEASE and r.props.get("chart") == "langsmith"):
        values = release.props.get("values")
        if not isinstance(values, Mapping) or ((values.get("config") or {}).get("deployment") or {}).get("enabled") is not True:
            continue
        namespace = release.props.get("namespace")
        policies = [p for p in resources if p.type == NETWORK_POLICY
                    and ((p.props.get("metadata") or {}).get("namespace")) == namespace]
        agent_policies, wider = [], []
        for p in policies:
            selector = (p.props.get("spec") or {}).get("podSelector") or {}
            labels = selector.get("matchLabels") or {}
            excluded = any(e.get("key") == AGENT_LABEL_KEY and e.get("operator") == "DoesNotExist"
                           for e in selector.get("matchExpressions") or [])
            if AGENT_LABEL_KEY in labels:
                agent_policies.append(p)
            elif not excluded and not labels:
                wider.append(p)
        if not agent_policies:
            yield release.urn, (f"Agents run in namespace {namespace!r} without an egress NetworkPolicy selecting "
                                f"{AGENT_LABEL_KEY}: they would reach LangSmith's data stores and instance metadata.")
        for p in agent_policies:
            for rule in (p.props.get("spec") or {}).get("egress") or []:
                for peer in rule.get("to") or []:
                    block = peer.get("ipBlock") or {}
                    excepted = block.get("except")
                    if block.get("cidr") and known(excepted) and isinstance(excepted, list) and IMDS_CIDR not in excepted:
                        yield p.urn, f"The agents' egress policy admits {block.get('cidr')} without excepting IMDS."
        for p in wider:
            yield p.urn, (f"NetworkPolicy {(p.props.get('metadata') or {}).get('name')!r} selects every pod of "
                          f"{namespace!r}, agents included: NetworkPolicies add up, so the agents' own policy is void "
                          f"(exclude {AGENT_LABEL_KEY} with a DoesNotExist selector).")


# -- MUST in production: data survives ------------------------------------------------------

def _production_data_guards(resources: Sequence[ResourceView], ctx: StackContext) -> Iterable[tuple[str, str]]:
    if not ctx.production:
        return
    for r in resources:
        if r.type == RDS:
            p = r.props
            if p.get("deletionProtection") is not True:
                yield r.urn, "Production RDS needs deletion protection."
            if p.get("skipFinalSnapshot") is True:
                yield r.urn, "Production RDS must take a final snapshot."
            if (p.get("backupRetentionPeriod") or 0) < 7:
                yield r.urn, "Production RDS needs automated backups (7 days or more)."
            if not r.protect:
                yield r.urn, "Production RDS should be protected from pulumi destroy."
        elif r.type == REDIS and (r.props.get("snapshotRetentionLimit") or 0) < 1:
            yield r.urn, "Production ElastiCache needs daily snapshots."
        elif r.type in BUCKETS:
            if not r.protect:
                yield r.urn, "Production buckets must be protected from pulumi destroy."
            if r.props.get("forceDestroy") is True:
                yield r.urn, "Production buckets must not be force-destroyed with their objects."
        elif r.type == BACKUP_VAULT and r.props.get("forceDestroy") is True:
            yield r.urn, "A production backup vault must not be force-destroyed with its recovery points."
        elif r.type == SECRET and _below(r.props.get("recoveryWindowInDays"), 7):
            yield r.urn, "Production secrets keep a recovery window of 7 days or more (no immediate deletion)."


def _required_tags(resources: Sequence[ResourceView], _: StackContext) -> Iterable[tuple[str, str]]:
    for provider in (r for r in resources if r.type == AWS_PROVIDER):
        tags = provider.props.get("defaultTags")
        if isinstance(tags, str):
            tags = json.loads(tags)
        present = set(((tags or {}).get("tags") or {}))
        missing = [t for t in REQUIRED_TAGS if t not in present]
        if missing:
            yield provider.urn, f"The AWS provider must tag every resource ({', '.join(missing)} missing)."


# -- SHOULD ---------------------------------------------------------------------------------

def _private_access(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("internal") is not True:
        yield "LangSmith is reachable from the internet; an internal ALB (VPN, private link) is preferred."


def _auth_required(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.props.get("chart") != "langsmith":
        return
    config = (r.props.get("values") or {}).get("config") if isinstance(r.props.get("values"), dict) else None
    if not isinstance(config, dict):
        return
    basic = (config.get("basicAuth") or {}).get("enabled") is True
    oauth = (config.get("oauth") or {}).get("enabled") is True
    if config.get("authType") not in ("mixed", "oauth") or basic == oauth:
        yield "LangSmith must require sign-in: authType mixed/oauth with exactly one of basic auth or OIDC."


def _patching(r: ResourceView, _: StackContext) -> Iterable[str]:
    if r.type in (RDS, REDIS) and r.props.get("autoMinorVersionUpgrade") is False:
        yield "Minor version upgrades should apply automatically (patching)."
    if r.type == EKS_COMPONENT and (r.props.get("upgradePolicy") or {}).get("supportType") not in ("STANDARD", None):
        yield "The cluster should stay on standard support (a version that still gets patches)."


MANDATORY_RULES: tuple[Rule, ...] = (
    ResourceRule("rds-storage-encrypted", "RDS storage is encrypted.", "mandatory", frozenset({RDS}), _rds_encrypted),
    ResourceRule("rds-not-public", "RDS is never publicly accessible.", "mandatory", frozenset({RDS}), _rds_not_public),
    StackRule("rds-force-ssl", "RDS accepts TLS connections only.", "mandatory", _rds_force_ssl),
    StackRule("rds-statement-logging", "PostgreSQL logs slow statements and exports its log to CloudWatch.",
              "mandatory", _rds_statement_logging),
    ResourceRule("elasticache-encrypted-and-authenticated", "ElastiCache encrypts at rest and in transit, and requires auth.",
                 "mandatory", frozenset({REDIS}), _redis_encrypted),
    StackRule("s3-bucket-baseline", "Buckets block public access, encrypt by default and deny plain HTTP.",
              "mandatory", _bucket_baseline),
    ResourceRule("secrets-kms-encrypted", "Secrets Manager secrets use a customer-managed key.", "mandatory",
                 frozenset({SECRET}), _secret_kms),
    ResourceRule("ebs-encrypted", "EBS volumes, node root volumes and StorageClasses are encrypted.", "mandatory",
                 frozenset({LAUNCH_TEMPLATE, EBS_VOLUME, STORAGE_CLASS}), _ebs_encrypted),
    ResourceRule("kms-key-rotation", "KMS keys rotate and have an explicit key policy.", "mandatory",
                 frozenset({KMS_KEY}), _kms_rotation),
    ResourceRule("security-group-rules-described", "Security groups and their rules carry descriptions.", "mandatory",
                 frozenset({SG_INGRESS, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", SECURITY_GROUP}),
                 _described_rules),
    ResourceRule("default-security-group-closed", "The VPC's default security group has no rules.", "mandatory",
                 frozenset({"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"}), _default_sg_closed),
    StackRule("s3-lifecycle-aborts-uploads", "Every bucket expires incomplete multipart uploads.", "mandatory",
              _bucket_lifecycle),
    ResourceRule("log-group-retention-and-kms", "Log groups have a retention and the logs key.", "mandatory",
                 frozenset({LOG_GROUP}), _log_retention),
    ResourceRule("no-world-open-ports", "Nothing but HTTP/HTTPS is open to the internet.", "mandatory",
                 frozenset({SG_INGRESS}), _no_world_ingress),
    ResourceRule("no-world-open-inline-rules", "Inline security group rules are not open to the internet.",
                 "mandatory", frozenset({SECURITY_GROUP}), _no_world_inline_ingress),
    StackRule("data-services-in-private-subnets", "RDS and ElastiCache subnet groups hold no public subnet.",
              "mandatory", _data_in_private_subnets),
    ResourceRule("eks-endpoint-not-public", "The EKS API is private, or public only to listed CIDRs.", "mandatory",
                 frozenset({EKS_COMPONENT, EKS_CLUSTER}), _eks_endpoint),
    ResourceRule("eks-hardening", "EKS encrypts secrets, keeps audit logs and uses access entries.", "mandatory",
                 frozenset({EKS_COMPONENT}), _eks_hardening),
    ResourceRule("imdsv2-required", "Nodes require IMDSv2.", "mandatory", frozenset({LAUNCH_TEMPLATE, NODE_GROUP}), _imdsv2),
    ResourceRule("alb-tls", "HTTPS listeners use TLS 1.2+; HTTP only redirects to HTTPS.", "mandatory", LISTENER, _listener_tls),
    ResourceRule("alb-hygiene", "ALBs drop invalid headers and keep access logs.", "mandatory", LOAD_BALANCER, _alb_hygiene),
    StackRule("waf-on-internet-facing-alb", "Every internet-facing ALB has a WAF web ACL.", "mandatory", _waf_on_public_albs),
    ResourceRule("waf-managed-rules-and-rate-limit", "Web ACLs carry AWS's baseline groups and a rate limit.",
                 "mandatory", frozenset({WEB_ACL}), _waf_rules),
    ResourceRule("irsa-trust-one-service-account", "IRSA roles trust exactly one service account.", "mandatory",
                 frozenset({IAM_ROLE}), _irsa_trust),
    ResourceRule("iam-no-wildcard-admin", "No IAM statement allows every action on every resource.", "mandatory",
                 IAM_INLINE_POLICIES, _no_admin_statements),
    ResourceRule("iam-no-broad-managed-policies", "No FullAccess/ReadWrite/Admin managed policy (BYOC's documented set excepted).",
                 "mandatory", frozenset({ROLE_POLICY_ATTACHMENT}), _broad_managed_policies),
    ResourceRule("iam-no-wildcard-principal", "No role trusts every AWS principal.", "mandatory",
                 frozenset({IAM_ROLE}), _no_wildcard_principal),
    ResourceRule("byoc-trust-external-id", "BYOC's cross-account role trusts one control-plane role, with sts:ExternalId.",
                 "mandatory", frozenset({IAM_ROLE}), _byoc_trust_gated_on_external_id),
    ResourceRule("byoc-break-glass-closed", "The BYOC break-glass role denies unless opened for named identities.",
                 "mandatory", frozenset({IAM_ROLE}), _break_glass_closed),
    ResourceRule("byoc-wildcard-resources-documented",
                 "BYOC's data-plane role grants on Resource \"*\" only where LangChain's module does.",
                 "mandatory", IAM_INLINE_POLICIES, _byoc_wildcard_resources_documented),
    ResourceRule("helm-values-no-secrets", "No credential is passed as a plain Helm value.", "mandatory",
                 frozenset({HELM_RELEASE}), _helm_values_have_no_secrets),
    ResourceRule("helm-chart-pinned", "Helm charts are pinned to exact versions from named repositories.", "mandatory",
                 frozenset({HELM_RELEASE}), _helm_pinned),
    ResourceRule("ecr-repository-hygiene", "ECR repositories scan on push, keep tags immutable and use KMS.",
                 "mandatory", frozenset({ECR_REPOSITORY}), _ecr_hygiene),
    ResourceRule("langsmith-deployments-configured", "LangSmith Deployment: TLS agent URLs, one chart route, "
                 "the stack's CRD.", "mandatory", frozenset({HELM_RELEASE}), _langsmith_deployments),
    StackRule("agent-pods-fenced", "Agents from LangSmith Deployment have their own egress policy, without IMDS.",
              "mandatory", _agents_fenced),
    StackRule("production-data-survives", "In production, databases and buckets are protected and backed up.",
              "mandatory", _production_data_guards),
    StackRule("required-tags", "Every AWS resource is tagged through the provider's default tags.", "mandatory",
              _required_tags),
    ResourceRule("no-unresolved-output-text", "No input holds the text of an unresolved Output.", "mandatory",
                 frozenset({RDS, REDIS, SECRET, IAM_ROLE, HELM_RELEASE, LAUNCH_TEMPLATE, LOG_GROUP,
                            "aws:iam/rolePolicy:RolePolicy", "aws:s3/bucketPolicy:BucketPolicy"}), _no_output_strings),
)

ADVISORY_RULES: tuple[Rule, ...] = (
    ResourceRule("private-access-only", "LangSmith is reachable only privately.", "advisory", LOAD_BALANCER, _private_access),
    ResourceRule("authentication-required", "Every UI and API call is authenticated.", "advisory",
                 frozenset({HELM_RELEASE}), _auth_required),
    ResourceRule("regular-patching", "Minor versions and the cluster stay patched.", "advisory",
                 frozenset({RDS, REDIS, EKS_COMPONENT}), _patching),
)

ALL_RULES: tuple[Rule, ...] = MANDATORY_RULES + ADVISORY_RULES

# Why each rule exists: the baseline item it enforces, or the incident it prevents.
WHY: dict[str, str] = {
    "rds-storage-encrypted": "MUST: no plaintext data at rest; the provider default is unencrypted",
    "rds-not-public": "MUST: network isolation of data services",
    "rds-force-ssl": "MUST: TLS enabled; credentials and traces never cross the VPC in clear",
    "rds-statement-logging": "Scanner baseline (checkov/Trivy): an audit trail of slow statements, kept in CloudWatch",
    "elasticache-encrypted-and-authenticated": "MUST: TLS, encryption at rest and authentication for the cache and queues",
    "s3-bucket-baseline": "MUST: trace payloads are private, encrypted and only reachable over TLS",
    "secrets-kms-encrypted": "MUST: no plaintext secrets; a customer key also scopes who can decrypt",
    "ebs-encrypted": "MUST: node disks and ClickHouse volumes hold traces and credentials",
    "kms-key-rotation": "Scanner baseline (CIS/checkov): yearly rotation, and a key policy someone wrote",
    "security-group-rules-described": "Scanner baseline: every opening says what it is for",
    "default-security-group-closed": "CIS: a resource launched without a group must get no access",
    "s3-lifecycle-aborts-uploads": "Scanner baseline: abandoned multipart parts are billed forever",
    "log-group-retention-and-kms": "Audit trail kept for a known time, encrypted; never unbounded cost",
    "no-world-open-ports": "MUST: network isolation; only the ALB faces the internet, on 80/443",
    "no-world-open-inline-rules": "MUST: the same isolation for rules written inline",
    "data-services-in-private-subnets": "MUST: data services in private subnets",
    "eks-endpoint-not-public": "MUST: the Kubernetes API is the cluster's keys; never open to the world",
    "eks-hardening": "Secrets envelope encryption, audit logs, access entries instead of aws-auth",
    "imdsv2-required": "SSRF to the metadata service is the classic credential theft on EC2",
    "alb-tls": "MUST: TLS enabled at ingress with a modern policy; plain HTTP only redirects",
    "alb-hygiene": "Request smuggling defence and an access trail for every request",
    "waf-on-internet-facing-alb": "MUST: WAF or equivalent rate limiting at ingress",
    "waf-managed-rules-and-rate-limit": "MUST: the WAF actually filters known-bad input and floods",
    "irsa-trust-one-service-account": "MUST: least privilege; a wildcard lets every pod of a namespace take the role",
    "iam-no-wildcard-admin": "MUST: least-privilege IAM",
    "iam-no-broad-managed-policies": "MUST: least-privilege IAM; BYOC's documented set is the only exception",
    "iam-no-wildcard-principal": "MUST: least-privilege IAM; a role anyone can assume is anyone's",
    "byoc-trust-external-id": "Confused deputy: the control plane assumes the role for one organization only "
                              "(langsmith-byoc-role main.tf; the ECS module's trust likewise)",
    "byoc-break-glass-closed": "LangChain's break-glass role stays closed until the customer opens it for named "
                               "engineers (langsmith-byoc-role break_glass_role.tf)",
    "byoc-wildcard-resources-documented": "Documented exemption: LangChain's BYOC role has Resource \"*\" statements "
                                          "that cannot be scoped (BYOC FAQ); nothing beyond the module's",
    "helm-values-no-secrets": "MUST: no plaintext secrets; Helm stores values in the release Secret and in state",
    "helm-chart-pinned": "Reproducible deploys; an unpinned chart changes under you",
    "ecr-repository-hygiene": "Scanner baseline (checkov/Trivy): images scanned, tags immutable, encrypted with our key",
    "langsmith-deployments-configured": "The chart's own rules for Deployments, and the CRD never owned by a release",
    "agent-pods-fenced": "MUST: network isolation; agents are user code in LangSmith's namespace, next to its data",
    "production-data-survives": "Nothing that holds production data is lost to a careless destroy",
    "required-tags": "Cost allocation and ownership of every resource",
    "no-unresolved-output-text": "An f-string over an Output silently writes junk into policies and values",
    "private-access-only": "SHOULD: private access only",
    "authentication-required": "SHOULD: authentication required for all UI and API access",
    "regular-patching": "SHOULD: regular patching",
}
