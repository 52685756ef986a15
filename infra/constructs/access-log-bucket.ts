/**
 * Target of the archive bucket's server access logs and the NLB access logs. SSE-S3, because
 * S3 server access logging cannot write to SSE-KMS buckets; public access blocked, TLS only,
 * logs expire with the configured log retention.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

interface AccessLogBucketProps {
  /** expire log objects after this many days. @default 90 */
  readonly expirationDays?: number;
  /**
   * RETAIN keeps bucket and logs on stack delete and replacement; DESTROY deletes the bucket and
   * empties it first (CDK's auto-delete custom resource), so `cdk destroy` does not fail on a
   * non-empty bucket. @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

class AccessLogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      lifecycleRules: [
        { expiration: Duration.days(props.expirationDays ?? 90) },
        { abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });
  }

  /**
   * Acknowledge that this bucket has no access logs of its own. cdk-nag only raises it when no
   * bucket of the stack logs here (e.g. only the NLB does).
   */
  acknowledgeNoOwnAccessLogs(): void {
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'This bucket is the access-log target itself (NLB access logs); logging its own accesses into itself would loop.',
    );
  }
}

export type { AccessLogBucketProps };
export { AccessLogBucket };
