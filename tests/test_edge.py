"""Edge: certificate, ALB with TLS-only listeners, WAF, logs and DNS."""

from __future__ import annotations

import pytest

from components.edge import COMMON_RULES_BODY_INSPECTION, FRONTEND_CONTAINER_PORT, TLS_POLICY
from tests.conftest import by_id, run_stack
from tools.engine.harness import ProgramRun

LISTENER = "aws:lb/listener:Listener"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def listeners(run: ProgramRun) -> dict[int, dict]:
    return {int(l.inputs["port"]): l.inputs for l in run.of_type(LISTENER)}


def test_certificate_is_dns_validated_in_the_hosted_zone(prod_run: ProgramRun):
    cert = prod_run.one("aws:acm/certificate:Certificate")
    assert cert.inputs["domainName"] == "langsmith.example.com" and cert.inputs["validationMethod"] == "DNS"
    validation = prod_run.one("aws:route53/record:Record", "edge-certificate-validation").inputs
    option = cert.outputs["domainValidationOptions"][0]
    assert validation["zoneId"] == "Z0000000000000EXAMPLE"
    assert (validation["name"], validation["type"], validation["records"]) == (
        option["resourceRecordName"], option["resourceRecordType"], [option["resourceRecordValue"]])
    validated = prod_run.one("aws:acm/certificateValidation:CertificateValidation")
    assert listeners(prod_run)[443]["certificateArn"] == validated.outputs["certificateArn"]
    assert validated.urn in prod_run.one(LISTENER, "edge-https").dependencies


def test_https_listener_uses_a_tls12_plus_policy_and_forwards(prod_run: ProgramRun):
    https = listeners(prod_run)[443]
    assert https["protocol"] == "HTTPS" and https["sslPolicy"] == TLS_POLICY
    assert "TLS13-1-2" in TLS_POLICY
    (action,) = https["defaultActions"]
    assert action == {"type": "forward", "targetGroupArn": prod_run.one("aws:lb/targetGroup:TargetGroup").outputs["arn"]}


def test_http_only_redirects(prod_run: ProgramRun):
    http = listeners(prod_run)[80]
    assert http["protocol"] == "HTTP"
    assert http["defaultActions"] == [{"type": "redirect", "redirect": {
        "protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]
    assert set(listeners(prod_run)) == {80, 443}


def test_alb_settings(prod_run: ProgramRun, dev_run: ProgramRun):
    alb = prod_run.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["loadBalancerType"] == "application" and alb["internal"] is False
    assert alb["dropInvalidHeaderFields"] is True and alb["enableDeletionProtection"] is True
    log_bucket = prod_run.one("aws:s3/bucket:Bucket", "access-logs-bucket").outputs["bucket"]
    assert alb["accessLogs"] == {"bucket": log_bucket, "prefix": "alb", "enabled": True}
    public = {s.id for s in prod_run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "public"}
    assert set(alb["subnets"]) == public
    assert dev_run.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is False


def test_target_group_health_checks_the_frontend(prod_run: ProgramRun):
    tg = prod_run.one("aws:lb/targetGroup:TargetGroup").inputs
    assert tg["targetType"] == "ip" and tg["port"] == FRONTEND_CONTAINER_PORT == 8080
    assert tg["healthCheck"]["path"] == "/health" and tg["healthCheck"]["matcher"] == "200"


def test_alb_security_group_opens_80_and_443_to_allowed_cidrs_only(prod_run: ProgramRun):
    alb = prod_run.one("aws:lb/loadBalancer:LoadBalancer").inputs
    (sg_id,) = alb["securityGroups"]
    ingress = [r.inputs for r in prod_run.of_type(INGRESS) if r.inputs["securityGroupId"] == sg_id]
    assert sorted((r["fromPort"], r["toPort"], r["cidrIpv4"]) for r in ingress) == [
        (80, 80, "0.0.0.0/0"), (443, 443, "0.0.0.0/0")]
    assert all(r["description"] for r in ingress)
    egress = [r.inputs for r in prod_run.of_type(EGRESS) if r.inputs["securityGroupId"] == sg_id]
    cluster_sg = prod_run.one("eks:index:Cluster").outputs["clusterSecurityGroupId"]
    assert [(e["fromPort"], e["referencedSecurityGroupId"]) for e in egress] == [(8080, cluster_sg)]
    into_cluster = [r.inputs for r in prod_run.of_type(INGRESS) if r.inputs["securityGroupId"] == cluster_sg]
    assert [(r["fromPort"], r["referencedSecurityGroupId"]) for r in into_cluster] == [(8080, sg_id)]


def test_internal_alb_in_private_subnets_for_listed_cidrs():
    run = run_stack("prod", {"edge": {"internal": True, "allowedCidrs": ["10.0.0.0/8"]}})
    alb = run.one("aws:lb/loadBalancer:LoadBalancer").inputs
    private = {s.id for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "private"}
    assert alb["internal"] is True and set(alb["subnets"]) == private
    (sg_id,) = alb["securityGroups"]
    assert {r.inputs["cidrIpv4"] for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == sg_id} == {"10.0.0.0/8"}


def test_waf_rules(prod_run: ProgramRun):
    acl = prod_run.one("aws:wafv2/webAcl:WebAcl").inputs
    assert acl["scope"] == "REGIONAL" and acl["defaultAction"] == {"allow": {}}
    rules = {r["name"]: r for r in acl["rules"]}
    ingest, other = rules["rate-ingest-per-ip"], rules["rate-other-per-ip"]
    assert ingest["action"] == other["action"] == {"block": {}}
    assert (ingest["priority"], other["priority"]) == (1, 2)
    ingest_rate, other_rate = ingest["statement"]["rateBasedStatement"], other["statement"]["rateBasedStatement"]
    assert {k: ingest_rate[k] for k in ("limit", "aggregateKeyType", "evaluationWindowSec")} == {
        "limit": 50_000, "aggregateKeyType": "IP", "evaluationWindowSec": 300}
    assert {k: other_rate[k] for k in ("limit", "aggregateKeyType", "evaluationWindowSec")} == {
        "limit": 10_000, "aggregateKeyType": "IP", "evaluationWindowSec": 300}
    # the rest is exactly what the ingestion rule is not: every request counts in one bucket
    assert other_rate["scopeDownStatement"] == {"notStatement": {"statement": ingest_rate["scopeDownStatement"]}}
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                  "AWSManagedRulesAmazonIpReputationList"):
        statement = rules[group]["statement"]["managedRuleGroupStatement"]
        assert statement["vendorName"] == "AWS" and statement["name"] == group
        assert rules[group]["overrideAction"] == {"none": {}}
    overrides = rules["AWSManagedRulesCommonRuleSet"]["statement"]["managedRuleGroupStatement"]["ruleActionOverrides"]
    assert {o["name"] for o in overrides} == set(COMMON_RULES_BODY_INSPECTION)
    assert all(o["actionToUse"] == {"count": {}} for o in overrides)
    assert all(name.endswith("_BODY") for name in COMMON_RULES_BODY_INSPECTION)
    assert len({r["priority"] for r in acl["rules"]}) == len(acl["rules"])


# Web ACL capacity units of each rule, from the AWS WAF developer guide ("AWS Managed Rules rule
# groups list": Core rule set 700, Known bad inputs 200, Amazon IP reputation 25, Anonymous IP 50;
# a rate-based rule with IP aggregation 2). A regional web ACL allows 1,500 WCUs by default.
RULE_WCU = {"AWSManagedRulesCommonRuleSet": 700, "AWSManagedRulesKnownBadInputsRuleSet": 200,
            "AWSManagedRulesAmazonIpReputationList": 25, "AWSManagedRulesAnonymousIpList": 50,
            "rate-limit-per-ip": 2,
            # rate-based 2 + a scope-down OR of 3 STARTS_WITH byte matches without transformation (2 each)
            "rate-ingest-per-ip": 8, "rate-other-per-ip": 8}
WEB_ACL_DEFAULT_WCU_LIMIT = 1500


def test_waf_blocks_anonymous_ips_but_only_counts_hosting_providers(prod_run: ProgramRun):
    acl = prod_run.one("aws:wafv2/webAcl:WebAcl").inputs
    rules = {r["name"]: r for r in acl["rules"]}
    anonymous = rules["AWSManagedRulesAnonymousIpList"]
    assert anonymous["overrideAction"] == {"none": {}}  # the group's own block actions apply...
    statement = anonymous["statement"]["managedRuleGroupStatement"]
    assert statement["vendorName"] == "AWS"
    # ...except for cloud and hosting providers, where LangSmith's SDKs run.
    assert statement["ruleActionOverrides"] == [{"name": "HostingProviderIPList", "actionToUse": {"count": {}}}]
    assert sum(RULE_WCU[name] for name in rules) <= WEB_ACL_DEFAULT_WCU_LIMIT


def test_waf_is_associated_and_logs_without_credentials(prod_run: ProgramRun):
    ids = by_id(prod_run)
    (association,) = prod_run.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    acl = prod_run.one("aws:wafv2/webAcl:WebAcl")
    assert association.inputs["webAclArn"] == acl.outputs["arn"]
    assert ids[association.inputs["resourceArn"]].type == "aws:lb/loadBalancer:LoadBalancer"
    logging = prod_run.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs
    group = prod_run.one("aws:cloudwatch/logGroup:LogGroup", "edge-waf-logs")
    assert logging["logDestinationConfigs"] == [group.outputs["arn"]]
    assert group.inputs["name"].startswith("aws-waf-logs-") and group.inputs["retentionInDays"] == 365
    redacted = {f["singleHeader"]["name"] for f in logging["redactedFields"]}
    assert redacted == {"authorization", "cookie", "x-api-key"}


def test_dns_alias_points_at_the_alb(prod_run: ProgramRun):
    alias = prod_run.one("aws:route53/record:Record", "edge-alias").inputs
    alb = prod_run.one("aws:lb/loadBalancer:LoadBalancer").outputs
    assert (alias["name"], alias["type"], alias["zoneId"]) == ("langsmith.example.com", "A", "Z0000000000000EXAMPLE")
    assert alias["aliases"] == [{"name": alb["dnsName"], "zoneId": alb["zoneId"], "evaluateTargetHealth": True}]


def test_edge_does_not_wait_for_the_cluster(prod_run: ProgramRun):
    """The ALB, WAF and certificate start while EKS is still being created."""
    cluster = prod_run.one("eks:index:Cluster")
    for type_ in ("aws:lb/loadBalancer:LoadBalancer", "aws:wafv2/webAcl:WebAcl", "aws:acm/certificate:Certificate"):
        assert cluster.urn not in prod_run.one(type_).dependencies


@pytest.mark.parametrize("bad, key", [({"allowedCidrs": ["not-a-cidr"]}, "edge.allowedCidrs[0]"),
                                      ({"wafRateLimit": 9}, "edge.wafRateLimit"),
                                      ({"wafIngestRateLimit": 2_000_000_001}, "edge.wafIngestRateLimit")])
def test_edge_config_errors(bad: dict, key: str):
    from settings import ConfigError
    with pytest.raises(ConfigError) as err:
        run_stack("prod", {"edge": bad})
    assert [i.key for i in err.value.issues] == [key]


@pytest.mark.parametrize("stack", ["prod", "hybrid"])
def test_alb_access_logs_wait_for_the_log_buckets_policy_ownership_and_encryption(stack: str, prod_run: ProgramRun):
    # Enabling access logs makes ELB test-write to the bucket: it fails with "Access Denied for
    # bucket" unless the bucket policy (and the bucket's ownership and encryption) already exist.
    run = prod_run if stack == "prod" else run_stack("hybrid")
    alb = run.one("aws:lb/loadBalancer:LoadBalancer")
    needed = {run.one(t, f"access-logs-{n}").urn for t, n in (
        ("aws:s3/bucketPolicy:BucketPolicy", "policy"),
        ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "ownership"),
        ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "encryption"))}
    assert needed <= set(alb.dependencies)
    assert needed <= set(alb.property_dependencies["accessLogs"])
    # The same holds for S3 server access logging of the trace bucket (self-hosted).
    if stack == "prod":
        logging = run.one("aws:s3/bucketLogging:BucketLogging", "blob-storage-access-logs")
        assert needed <= set(logging.dependencies)


# The chart's nginx routes to the Go ingestion service, without a basePath (langchain-ai/helm@
# langsmith-0.16.11 charts/langsmith/templates/frontend/config-map.yaml: `location = /api/v1/runs/multipart`,
# `= /api/v1/runs/batch`, `= /api/v1/runs`, `/api/v1/otel/`, and the legacy `= /api/runs{,/batch,/multipart}`),
# plus the SDK's non-batch PATCH /api/v1/runs/{id} (langsmith-sdk client.py update_run).
CHART_INGESTION_ROUTES = ("/api/v1/runs/multipart", "/api/v1/runs/batch", "/api/v1/runs", "/api/v1/otel/v1/traces",
                          "/api/runs/multipart", "/api/runs/batch", "/api/runs", "/api/v1/runs/0b5e-run-id")
NOT_INGESTION = ("/", "/api/v1/sessions", "/api/v1/info", "/api/v1/datasets", "/api/v2/", "/api/v1/me")


def _matches(scope_down: dict, path: str) -> bool:
    if "orStatement" in scope_down:
        return any(_matches(s, path) for s in scope_down["orStatement"]["statements"])
    if "notStatement" in scope_down:
        return not _matches(scope_down["notStatement"]["statement"], path)
    byte_match = scope_down["byteMatchStatement"]
    assert "uriPath" in byte_match["fieldToMatch"] and byte_match["positionalConstraint"] == "STARTS_WITH"
    return path.startswith(byte_match["searchString"])


def test_trace_ingestion_has_its_own_rate_limit(prod_run: ProgramRun):
    rules = {r["name"]: r for r in prod_run.one("aws:wafv2/webAcl:WebAcl").inputs["rules"]}
    ingest = rules["rate-ingest-per-ip"]["statement"]["rateBasedStatement"]["scopeDownStatement"]
    other = rules["rate-other-per-ip"]["statement"]["rateBasedStatement"]["scopeDownStatement"]
    for path in CHART_INGESTION_ROUTES:
        assert _matches(ingest, path) and not _matches(other, path), path
    for path in NOT_INGESTION:
        assert _matches(other, path) and not _matches(ingest, path), path


def test_hybrid_edge_has_one_rate_limit_for_agents():
    run = run_stack("hybrid")
    (rate,) = [r for r in run.one("aws:wafv2/webAcl:WebAcl").inputs["rules"] if "rateBasedStatement" in r["statement"]]
    assert rate["name"] == "rate-limit-per-ip" and rate["statement"]["rateBasedStatement"]["limit"] == 10_000
    assert "scopeDownStatement" not in rate["statement"]["rateBasedStatement"]


def test_rate_limit_bounds_are_aws_wafs():
    import botocore.session

    from settings.edge import WAF_RATE_LIMIT_MAX, WAF_RATE_LIMIT_MIN
    limit = botocore.session.get_session().get_service_model("wafv2").shape_for("RateLimit").metadata
    assert (WAF_RATE_LIMIT_MIN, WAF_RATE_LIMIT_MAX) == (limit["min"], limit["max"]) == (10, 2_000_000_000)
    run_stack("prod", {"edge": {"wafRateLimit": 10, "wafIngestRateLimit": 10}})  # AWS's minimum is accepted
