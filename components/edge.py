"""The way in: certificate, ALB, WAF and DNS, all owned by Pulumi.

The ALB is ours rather than the Load Balancer Controller's, so its TLS policy, WAF association,
access logs and deletion protection are resources that policies can check and `pulumi destroy`
can remove. Pods join its target group through a TargetGroupBinding (see the LangSmith component).

- ACM certificate for the domain, validated by DNS in the existing hosted zone.
- HTTPS listener with a TLS 1.3/1.2-only policy; port 80 only redirects to HTTPS.
- Invalid header fields dropped; access logs to the log bucket; deletion protection in production.
- Security group: 80/443 from the allowed CIDRs only; out only to the cluster on the frontend port.
- WAFv2: a per-IP rate limit, then AWS's common, known-bad-inputs, IP-reputation and anonymous-IP
  rule groups (hosting-provider addresses only counted: SDKs call from clouds).
  LangSmith's API takes arbitrary LLM text in large JSON bodies (traces), so the common group's
  body-inspecting rules count instead of block; headers, paths and query strings stay enforced.
- WAF logs to CloudWatch with credentials redacted; a Route53 alias to the ALB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_aws as aws

from components.args_form import from_args
from components.security import allow_tcp_from_security_group
from components.logs import log_group

# ELB user guide, "Security policies for your Application Load Balancer": TLS 1.3 and 1.2 only.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
FRONTEND_CONTAINER_PORT = 8080
HEALTH_CHECK_PATH = "/health"
COMMON_RULES_BODY_INSPECTION = (
    "SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY", "EC2MetaDataSSRF_BODY",
)
# AWS WAF developer guide, "IP reputation rule groups": the anonymous IP list has two rules,
# AnonymousIPList (VPNs, Tor, proxies) and HostingProviderIPList (cloud and hosting providers).
# LangSmith's SDKs run in clouds (agents, CI, notebooks), so the hosting-provider rule only counts.
ANONYMOUS_IP_HOSTING_PROVIDERS = ("HostingProviderIPList",)
MANAGED_RULE_GROUPS = (
    ("AWSManagedRulesCommonRuleSet", COMMON_RULES_BODY_INSPECTION),
    ("AWSManagedRulesKnownBadInputsRuleSet", ()),
    ("AWSManagedRulesAmazonIpReputationList", ()),
    ("AWSManagedRulesAnonymousIpList", ANONYMOUS_IP_HOSTING_PROVIDERS),
)
REDACTED_HEADERS = ("authorization", "cookie", "x-api-key")
# Where LangSmith's SDKs and OpenTelemetry exporters send traces: the chart's nginx routes
# /api/v1/runs{,/batch,/multipart} and /api/v1/otel/ (and the legacy /api/runs*) to the Go
# ingestion service (langchain-ai/helm@langsmith-0.16.11 charts/langsmith/templates/frontend/
# config-map.yaml); the SDK's non-batch fallback also PATCHes /api/v1/runs/{id}. An SDK process
# under load posts a batch every ~0.3 s per sender thread (langsmith-sdk _background_thread.py),
# about 1,000 requests in 5 minutes; a fleet behind one NAT shares one IP. So ingestion has its own
# limit (default 50,000: ~50 busy processes per IP) and the UI and REST API theirs (10,000: the
# UI issues tens of calls per page view, ~100 per active user in 5 minutes, an office of ~100).
INGESTION_PATH_PREFIXES = ("/api/v1/runs", "/api/runs", "/api/v1/otel/")
RATE_WINDOW_SECONDS = 300
IDLE_TIMEOUT_SECONDS = 300  # the frontend proxies API calls for up to 300 s
# What the targets behind the ALB must keep an idle connection open for. The ELB guide
# ("Connection idle timeout"): the application's idle timeout must be larger than the load
# balancer's, or the ALB may send a request on a connection the target is closing and answer 502.
TARGET_KEEPALIVE_SECONDS = IDLE_TIMEOUT_SECONDS + 15


@dataclass(frozen=True)
class EdgeArgs:
    name_prefix: str
    domain: str
    hosted_zone_id: str
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    internal: bool
    allowed_cidrs: Sequence[str]
    cluster_security_group_id: pulumi.Input[str]
    access_log_bucket: pulumi.Input[str]
    logs_kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    waf_rate_limit: int
    deletion_protection: bool
    # Self-hosted: trace ingestion gets its own, higher rate limit (INGESTION_PATH_PREFIXES); None:
    # one limit for every path (hybrid: the ALB serves agents, which have no ingestion endpoint).
    waf_ingest_rate_limit: int | None = None
    # Where the ALB sends traffic: the LangSmith frontend pods by default, or a gateway's proxies.
    target_port: int = FRONTEND_CONTAINER_PORT
    health_check_path: str = HEALTH_CHECK_PATH
    health_check_port: int | None = None  # None: the traffic port
    # Also serve every direct subdomain (*.domain), e.g. one per hybrid listener.
    wildcard: bool = False
    # Callers inside the cluster (LangSmith Deployment's health check of each agent's URL): HTTPS from
    # these security groups (an internal ALB, reached directly) or addresses (a public ALB restricted by
    # allowed_cidrs, reached through the NAT gateways), on top of allowed_cidrs.
    in_cluster_security_group_ids: Sequence[pulumi.Input[str]] = ()
    in_cluster_addresses: Sequence[pulumi.Input[str]] = ()


def _visibility(metric: str) -> aws.wafv2.WebAclVisibilityConfigArgs:
    return aws.wafv2.WebAclVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True)


def _rule_visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True)


def _managed_rule(name: str, priority: int, count_only: Sequence[str]) -> aws.wafv2.WebAclRuleArgs:
    return aws.wafv2.WebAclRuleArgs(
        name=name,
        priority=priority,
        override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                vendor_name="AWS",
                name=name,
                rule_action_overrides=[
                    aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
                        name=rule,
                        action_to_use=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
                            count=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()),
                    )
                    for rule in count_only
                ] or None,
            )),
        visibility_config=_rule_visibility(name),
    )


class Edge(pulumi.ComponentResource):
    load_balancer: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    web_acl: aws.wafv2.WebAcl
    security_group: aws.ec2.SecurityGroup
    url: str

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:Edge", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.url = f"https://{args.domain}"  # with wildcard: https://<name>.<domain>

        names = [f"*.{args.domain}"] if args.wildcard else [args.domain]
        certificate = aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=names[0],
            validation_method="DNS",
            key_algorithm="RSA_2048",
            opts=pulumi.ResourceOptions(parent=self, replace_on_changes=["domainName"]),
        )
        validation_option = certificate.domain_validation_options[0]
        validation_record = aws.route53.Record(
            f"{name}-certificate-validation",
            zone_id=args.hosted_zone_id,
            name=validation_option.resource_record_name,
            type=validation_option.resource_record_type,
            records=[validation_option.resource_record_value],
            ttl=60,
            allow_overwrite=True,
            opts=child,
        )
        validated = aws.acm.CertificateValidation(
            f"{name}-certificate",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[validation_record.fqdn],
            opts=child,
        )

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-alb-sg",
            vpc_id=args.vpc_id,
            description=f"{args.name_prefix} ALB: HTTPS (and redirecting HTTP) from allowed CIDRs",
            tags={"Name": f"{args.name_prefix}-alb"},
            opts=child,
        )
        for port in (80, 443):
            for i, cidr in enumerate(args.allowed_cidrs):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-alb-in-{port}-{i}",
                    security_group_id=self.security_group.id,
                    description=f"{'HTTPS' if port == 443 else 'HTTP (redirected to HTTPS)'} from {cidr}",
                    ip_protocol="tcp", from_port=port, to_port=port, cidr_ipv4=cidr,
                    opts=child,
                )
        for i, group in enumerate(args.in_cluster_security_group_ids):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-alb-in-443-cluster-{i}",
                security_group_id=self.security_group.id,
                description="HTTPS from the cluster's pods (LangSmith's health check of each agent URL)",
                ip_protocol="tcp", from_port=443, to_port=443, referenced_security_group_id=group,
                opts=child,
            )
        for i, address in enumerate(args.in_cluster_addresses):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-alb-in-443-nat-{i}",
                security_group_id=self.security_group.id,
                description="HTTPS from a NAT gateway of the stack (pods calling LangSmith's public URL)",
                ip_protocol="tcp", from_port=443, to_port=443,
                cidr_ipv4=pulumi.Output.concat(address, "/32"),
                opts=child,
            )
        backend_ports = sorted({args.target_port, args.health_check_port or args.target_port})
        for port in backend_ports:
            suffix = "" if port == FRONTEND_CONTAINER_PORT else f"-{port}"
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-alb-out-frontend{suffix}",
                security_group_id=self.security_group.id,
                description=f"To the pods behind the ALB (port {port})",
                ip_protocol="tcp", from_port=port, to_port=port,
                referenced_security_group_id=args.cluster_security_group_id,
                opts=child,
            )
            allow_tcp_from_security_group(
                f"{name}-cluster-from-alb{suffix}",
                security_group_id=args.cluster_security_group_id,
                port=port,
                source_security_group_id=self.security_group.id,
                description=f"Pods behind the ALB (port {port}) from the ALB",
                parent=self,
            )

        self.load_balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            load_balancer_type="application",
            internal=args.internal,
            subnets=args.subnet_ids,
            security_groups=[self.security_group.id],
            drop_invalid_header_fields=True,
            desync_mitigation_mode="strictest",
            idle_timeout=IDLE_TIMEOUT_SECONDS,
            enable_deletion_protection=args.deletion_protection,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=args.access_log_bucket, prefix="alb", enabled=True),
            tags={"Name": f"{args.name_prefix}-alb"},
            opts=child,
        )
        self.target_group = aws.lb.TargetGroup(
            f"{name}-frontend",
            port=args.target_port,
            protocol="HTTP",
            target_type="ip",
            vpc_id=args.vpc_id,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                path=args.health_check_path,
                port=str(args.health_check_port) if args.health_check_port else "traffic-port",
                protocol="HTTP", matcher="200",
                interval=15, healthy_threshold=2, unhealthy_threshold=3),
            opts=child,
        )
        aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=self.load_balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=validated.certificate_arn,
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)],
            opts=child,
        )
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(
                type="redirect",
                redirect=aws.lb.ListenerDefaultActionRedirectArgs(protocol="HTTPS", port="443", status_code="HTTP_301"),
            )],
            opts=child,
        )

        # The Args form (components/args_form.py): the keyword form's `rules` drags in the TypedDict
        # form of the whole WAF rule grammar.
        self.web_acl = from_args(
            aws.wafv2.WebAcl, f"{name}-waf",
            aws.wafv2.WebAclArgs(
                name=f"{args.name_prefix}-langsmith",
                scope="REGIONAL",
                description=f"{args.name_prefix}: rate limit and AWS managed protections for LangSmith",
                default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
                visibility_config=_visibility(f"{args.name_prefix}-langsmith"),
                rules=[
                    *_rate_rules(args.waf_rate_limit, args.waf_ingest_rate_limit),
                    *[_managed_rule(group, 10 * (i + 1), count_only)
                      for i, (group, count_only) in enumerate(MANAGED_RULE_GROUPS)],
                ],
            ),
            child,
        )
        aws.wafv2.WebAclAssociation(
            f"{name}-waf", resource_arn=self.load_balancer.arn, web_acl_arn=self.web_acl.arn, opts=child)
        waf_logs = log_group(
            f"{name}-waf-logs", f"aws-waf-logs-{args.name_prefix}",  # WAF only delivers to groups with this prefix
            retention_days=args.log_retention_days, kms_key_arn=args.logs_kms_key_arn, parent=self,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-waf",
            resource_arn=self.web_acl.arn,
            log_destination_configs=[waf_logs.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header))
                for header in REDACTED_HEADERS
            ],
            opts=child,
        )
        aws.route53.Record(
            f"{name}-alias",
            zone_id=args.hosted_zone_id,
            name=names[0],
            type="A",
            aliases=[aws.route53.RecordAliasArgs(
                name=self.load_balancer.dns_name, zone_id=self.load_balancer.zone_id, evaluate_target_health=True)],
            opts=child,
        )
        self.register_outputs({
            "url": self.url,
            "albDnsName": self.load_balancer.dns_name,
            "targetGroupArn": self.target_group.arn,
        })


_ScopeDown = aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementArgs


def _ingestion_paths() -> _ScopeDown:
    """Requests whose path starts with one of INGESTION_PATH_PREFIXES (case as sent: nginx is exact)."""
    byte_match = aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementArgs
    field = aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementFieldToMatchArgs
    uri_path = aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementFieldToMatchUriPathArgs
    transform = aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementTextTransformationArgs
    return _ScopeDown(or_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementOrStatementArgs(
        statements=[_ScopeDown(byte_match_statement=byte_match(
            positional_constraint="STARTS_WITH", search_string=prefix, field_to_match=field(uri_path=uri_path()),
            text_transformations=[transform(priority=0, type="NONE")]))
            for prefix in INGESTION_PATH_PREFIXES]))


def _rate_rule(name: str, priority: int, limit: int, scope_down: _ScopeDown | None) -> aws.wafv2.WebAclRuleArgs:
    return aws.wafv2.WebAclRuleArgs(
        name=name,
        priority=priority,
        action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                limit=limit, aggregate_key_type="IP", evaluation_window_sec=RATE_WINDOW_SECONDS,
                scope_down_statement=scope_down)),
        visibility_config=_rule_visibility(name),
    )


def _rate_rules(limit: int, ingest_limit: int | None) -> list[aws.wafv2.WebAclRuleArgs]:
    """Per client IP (the ALB is the first hop, so WAF sees the real source; X-Forwarded-For would be
    the client's to forge). Self-hosted: ingestion and everything else counted apart."""
    if ingest_limit is None:
        return [_rate_rule("rate-limit-per-ip", 1, limit, None)]
    not_ingestion = _ScopeDown(not_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementNotStatementArgs(
        statement=_ingestion_paths()))
    return [_rate_rule("rate-ingest-per-ip", 1, ingest_limit, _ingestion_paths()),
            _rate_rule("rate-other-per-ip", 2, limit, not_ingestion)]
