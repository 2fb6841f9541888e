"""S3 bucket for LangSmith's large trace payloads.

Private (all four public-access blocks, owner-enforced ownership), SSE-KMS with a bucket key,
versioned, a policy that denies anything but TLS, lifecycle rules for the chart's TTL prefixes
(`ttl_s/`, `ttl_l/`) and for old versions, and server access logs to the log bucket. Server access
logging rather than CloudTrail data events: LangSmith writes an object per large run, and data
events are billed per request.

No access keys exist: the LangSmith pods reach the bucket through IRSA roles built from
`bucket_arn` and `kms_key_arn`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.args_form import from_args
from components.iam import policy_document
from components.s3 import deny_insecure_transport, secure_bucket_baseline, stack_bucket

SHORT_TTL_PREFIX = "ttl_s/"
LONG_TTL_PREFIX = "ttl_l/"


@dataclass(frozen=True)
class BlobStorageArgs:
    name_prefix: str
    data_kms_key_arn: pulumi.Input[str]
    access_log_bucket: pulumi.Input[str]
    short_ttl_days: int
    long_ttl_days: int
    noncurrent_version_days: int
    protect: bool
    # Production profiles: the bucket is never emptied by a delete, whatever `protect` says (teardown
    # lifts `protect`; the operator empties the bucket deliberately, docs/teardown.md).
    keep_contents: bool = False


class BlobStorage(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: BlobStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("langsmith:aws:BlobStorage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = stack_bucket(name, f"{args.name_prefix}-traces-", protect=args.protect,
                                   keep_contents=args.keep_contents, parent=self)
        baseline = secure_bucket_baseline(
            name, self.bucket, parent=self, sse_algorithm="aws:kms", kms_key_arn=args.data_kms_key_arn)

        def expire(rule_id: str, prefix: str, days: int) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
            return aws.s3.BucketLifecycleConfigurationRuleArgs(
                id=rule_id,
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=prefix),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
            )

        from_args(
            aws.s3.BucketLifecycleConfiguration, f"{name}-lifecycle",
            aws.s3.BucketLifecycleConfigurationArgs(
                bucket=self.bucket.id,
                rules=[
                    expire("short-ttl", SHORT_TTL_PREFIX, args.short_ttl_days),
                    expire("long-ttl", LONG_TTL_PREFIX, args.long_ttl_days),
                    aws.s3.BucketLifecycleConfigurationRuleArgs(
                        id="old-versions-and-uploads",
                        status="Enabled",
                        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                            noncurrent_days=args.noncurrent_version_days),
                        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                            days_after_initiation=7),
                        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                            expired_object_delete_marker=True),
                    ),
                ],
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[baseline.versioning]),
        )
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(lambda arn: policy_document([deny_insecure_transport(arn)])),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[baseline.public_access_block]),
        )
        aws.s3.BucketLogging(
            f"{name}-access-logs",
            bucket=self.bucket.id,
            target_bucket=args.access_log_bucket,
            target_prefix="s3/traces/",
            opts=child,
        )
        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        self.kms_key_arn = pulumi.Output.from_input(args.data_kms_key_arn)
        self.register_outputs({"bucketName": self.bucket_name, "bucketArn": self.bucket_arn})
