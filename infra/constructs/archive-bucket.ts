/**
 * The archive bucket: Firehose S3 destinations write here (GZIP, date-partitioned prefixes), and
 * Splunk/HTTP destinations back up what they could not deliver. SSE-KMS with the archive key and
 * S3 Bucket Keys, public access blocked, TLS 1.2+ only, versioned, lifecycle, access-logged.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

interface ArchiveBucketProps {
  readonly encryptionKey: kms.IKey;
  /** server access logs go here. @default no access logs (acknowledged: operations.accessLogs=false) */
  readonly accessLogs?: s3.IBucket | undefined;
  /** expire archived objects after this many days. @default keep */
  readonly expirationDays?: number | undefined;
  /** noncurrent versions expire after this many days. @default 30 */
  readonly noncurrentVersionDays?: number;
  /**
   * RETAIN keeps bucket and objects on stack delete and replacement; DESTROY deletes the bucket
   * and empties it first, every version (CDK's auto-delete custom resource), so `cdk destroy` does
   * not fail on a non-empty versioned bucket. @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

class ArchiveBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [
        {
          id: 'archive',
          ...(props.expirationDays ? { expiration: Duration.days(props.expirationDays) } : {}),
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      ...(props.accessLogs ? { serverAccessLogsBucket: props.accessLogs, serverAccessLogsPrefix: 'archive/' } : {}),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });
    if (!props.accessLogs) {
      acknowledge(
        this.bucket,
        'AwsSolutions-S1',
        'Server access logs disabled by config (operations.accessLogs: false); writes come only from the relay Firehose role.',
      );
    }
  }
}

export type { ArchiveBucketProps };
export { ArchiveBucket };
