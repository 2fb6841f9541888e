"""An S3 bucket that receives AWS service access logs (S3 server access logs, ALB access logs).

Log delivery only supports SSE-S3 on the target bucket, so this bucket uses it (not KMS). Public
access is blocked, the policy denies plain HTTP and lets only the log delivery services of this
account write, and objects expire after the stack's log retention.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.args_form import from_args
from components.iam import policy_document
from components.s3 import deny_insecure_transport, secure_bucket_baseline, stack_bucket

# The ALB log-delivery principal of each region predating 2022 (newer regions use the
# logdelivery.elasticloadbalancing.amazonaws.com service principal, which we also allow).
# Source: Elastic Load Balancing user guide, "Enable access logs for your Application Load
# Balancer", step "Attach a policy to your S3 bucket" (the Elastic Load Balancing account ID per Region).
ELB_ACCOUNT_BY_REGION = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "ca-central-1": "985666609251", "eu-central-1": "054676820928",
    "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-west-3": "009996457667",
    "eu-north-1": "897822967062", "ap-northeast-1": "582318560864", "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266", "ap-south-1": "718504428378",
    "sa-east-1": "507241528517",
}


@dataclass(frozen=True)
class LogBucketArgs:
    name_prefix: str
    account_id: str
    region: str
    retention_days: int
    protect: bool
    # Production profiles: audit logs are never emptied by a delete, whatever `protect` says.
    keep_contents: bool = False


class LogBucket(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    # The bucket name for log writers (ALB, S3 server access logging): it resolves only once the
    # bucket policy, ownership and encryption exist. Enabling ALB access logs makes ELB test-write
    # to the bucket, which fails ("Access Denied for bucket") while the policy is not there yet.
    delivery_bucket_name: pulumi.Output[str]

    def __init__(self, name: str, args: LogBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:LogBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = stack_bucket(name, f"{args.name_prefix}-access-logs-", protect=args.protect,
                                   keep_contents=args.keep_contents, parent=self)
        baseline = secure_bucket_baseline(name, self.bucket, parent=self, sse_algorithm="AES256")
        from_args(
            aws.s3.BucketLifecycleConfiguration, f"{name}-lifecycle",
            aws.s3.BucketLifecycleConfigurationArgs(
                bucket=self.bucket.id,
                rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.retention_days),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=7),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=1),
                )],
            ),
            child,
        )
        elb_account = ELB_ACCOUNT_BY_REGION.get(args.region)

        def bucket_policy(arn: str) -> str:
            writers: list[dict[str, object]] = [{
                "Sid": "S3ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/s3/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
            }, {
                "Sid": "AlbAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/alb/AWSLogs/{args.account_id}/*",
            }]
            if elb_account is not None:
                writers.append({
                    "Sid": "AlbAccessLogsRegionalAccount",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{elb_account}:root"},
                    "Action": "s3:PutObject",
                    "Resource": f"{arn}/alb/AWSLogs/{args.account_id}/*",
                })
            return policy_document([deny_insecure_transport(arn), *writers])

        policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(bucket_policy),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[baseline.public_access_block]),
        )
        self.delivery_bucket_name = pulumi.Output.all(
            self.bucket.bucket, policy.id, baseline.ownership.id, baseline.encryption.id,
        ).apply(lambda v: str(v[0]))
        self.register_outputs({"bucket": self.bucket.bucket})
