/**
 * One Firehose delivery stream per Firehose destination: DirectPut, server-side encryption with the
 * archive CMK, delivery logs in CloudWatch, and its own role with only what its destination needs.
 * - s3: the archive bucket, GZIP, `<prefix>year=/month=/day=/hour=/`, errors under `<prefix>errors/`;
 * - splunk: HEC with the token from Secrets Manager, failed events backed up to the archive bucket;
 * - http: an HTTPS endpoint with its access key from Secrets Manager, failures backed up likewise.
 * `deliverFrom(fn)` gives deliver-firehose its DESTINATION and PutRecordBatch on this stream only.
 */
import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FIREHOSE_DATE_PARTITIONS, FIREHOSE_ERROR_PARTITIONS } from '../../shared/config/firehose-backup.js';
import { ENV } from '../../shared/contracts/index.js';
import type { FirehoseDestination } from '../config/types.js';
import { acknowledge } from '../nag.js';
import type { ArchiveBucket } from './archive-bucket.js';
import type { RelayFunction } from './relay-function.js';

interface FirehoseDeliveryProps {
  readonly destination: FirehoseDestination;
  /** S3 destination, or where failed Splunk/HTTP deliveries are backed up */
  readonly archive: ArchiveBucket;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

// shared with the local Firehose double and `redrive --from-s3` (shared/config/firehose-backup.ts)
const DATE_PARTITIONS = FIREHOSE_DATE_PARTITIONS;
const ERROR_PARTITIONS = FIREHOSE_ERROR_PARTITIONS;

/** CloudWatch metric name prefix of the stream's destination (`<prefix>.Success`, `.DataFreshness`). */
type DeliveryMetricPrefix = 'DeliveryToS3' | 'DeliveryToSplunk' | 'DeliveryToHttpEndpoint';

class FirehoseDelivery extends Construct {
  readonly stream: firehose.CfnDeliveryStream;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly destination: FirehoseDestination;
  /** the key prefix this stream writes under in the archive bucket */
  readonly archivePrefix: string;
  /** Splunk / HTTP: `s3://bucket/prefix/` of the records Firehose gave up on; undefined for S3 */
  readonly failedRecordsUri: string | undefined;
  readonly metricPrefix: DeliveryMetricPrefix;

  constructor(scope: Construct, id: string, props: FirehoseDeliveryProps) {
    super(scope, id);
    const d = props.destination;
    const t = d.delivery;
    this.destination = d;
    const bucket = props.archive.bucket;
    const key = props.archive.encryptionKey;
    this.archivePrefix = t.type === 's3' ? t.prefix : t.backupPrefix;
    this.failedRecordsUri = t.type === 's3' ? undefined : `s3://${bucket.bucketName}/${t.backupPrefix}`;
    this.metricPrefix =
      t.type === 's3' ? 'DeliveryToS3' : t.type === 'splunk' ? 'DeliveryToSplunk' : 'DeliveryToHttpEndpoint';

    // Firehose assumes the role with the account id as external id (confused-deputy protection).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } },
      }),
      description: `Firehose ${d.name}: write to ${t.type} and the archive prefix ${this.archivePrefix}`,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const destinationLogs = this.logGroup.addStream('DestinationDelivery', { logStreamName: 'DestinationDelivery' });
    const backupLogs = this.logGroup.addStream('BackupDelivery', { logStreamName: 'BackupDelivery' });

    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'ArchiveBucket',
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'ArchivePrefixObjects',
          actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
          resources: [`${bucket.bucketArn}/${this.archivePrefix}*`],
        }),
        new iam.PolicyStatement({
          sid: 'ArchiveKey',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [key.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'DeliveryLogs',
          actions: ['logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    const secret = t.type === 'splunk' ? t.hecTokenSecretArn : t.type === 'http' ? t.accessKeySecretArn : undefined;
    if (secret) {
      policy.addStatements(
        new iam.PolicyStatement({
          sid: 'EndpointSecret',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [secret],
        }),
      );
      const secretKey = t.type !== 's3' ? t.secretKmsKeyArn : undefined;
      if (secretKey) {
        policy.addStatements(
          new iam.PolicyStatement({
            sid: 'EndpointSecretKey',
            actions: ['kms:Decrypt'],
            resources: [secretKey],
            conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
          }),
        );
      }
    }
    policy.attachToRole(this.role);
    const objects = Stack.of(this).resolve(Stack.of(this).getLogicalId(bucket.node.defaultChild as s3.CfnBucket));
    acknowledge(
      policy,
      `AwsSolutions-IAM5[Resource::<${objects}.Arn>/${this.archivePrefix}*]`,
      `Firehose names the objects it writes (date partitions, random suffix); access is limited to this destination's prefix ${this.archivePrefix} of the archive bucket.`,
    );

    const s3Config = (prefix: string, compression: 'GZIP' | 'UNCOMPRESSED', seconds: number, mib: number) => ({
      bucketArn: bucket.bucketArn,
      roleArn: this.role.roleArn,
      prefix: `${prefix}${DATE_PARTITIONS}`,
      errorOutputPrefix: `${prefix}${ERROR_PARTITIONS}`,
      compressionFormat: compression,
      bufferingHints: { intervalInSeconds: seconds, sizeInMBs: mib },
      encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: key.keyArn } },
      cloudWatchLoggingOptions: {
        enabled: true,
        logGroupName: this.logGroup.logGroupName,
        logStreamName: t.type === 's3' ? destinationLogs.logStreamName : backupLogs.logStreamName,
      },
    });
    const logging = {
      enabled: true,
      logGroupName: this.logGroup.logGroupName,
      logStreamName: destinationLogs.logStreamName,
    };

    this.stream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: key.keyArn },
      ...(t.type === 's3'
        ? {
            extendedS3DestinationConfiguration: {
              ...s3Config(t.prefix, t.compression, t.bufferingSeconds, t.bufferingMiB),
              s3BackupMode: 'Disabled',
            },
          }
        : t.type === 'splunk'
          ? {
              splunkDestinationConfiguration: {
                hecEndpoint: t.hecEndpoint,
                hecEndpointType: t.hecEndpointType,
                hecAcknowledgmentTimeoutInSeconds: t.hecAckTimeoutSeconds,
                secretsManagerConfiguration: {
                  enabled: true,
                  secretArn: t.hecTokenSecretArn,
                  roleArn: this.role.roleArn,
                },
                retryOptions: { durationInSeconds: t.retrySeconds },
                bufferingHints: { intervalInSeconds: t.bufferingSeconds, sizeInMBs: t.bufferingMiB },
                s3BackupMode: 'FailedEventsOnly',
                s3Configuration: s3Config(t.backupPrefix, 'GZIP', 300, 5),
                cloudWatchLoggingOptions: logging,
              },
            }
          : {
              httpEndpointDestinationConfiguration: {
                endpointConfiguration: { url: t.url, name: t.endpointName },
                ...(t.accessKeySecretArn
                  ? {
                      secretsManagerConfiguration: {
                        enabled: true,
                        secretArn: t.accessKeySecretArn,
                        roleArn: this.role.roleArn,
                      },
                    }
                  : {}),
                requestConfiguration: {
                  contentEncoding: t.contentEncoding,
                  commonAttributes: Object.entries(t.attributes).map(([attributeName, attributeValue]) => ({
                    attributeName,
                    attributeValue,
                  })),
                },
                retryOptions: { durationInSeconds: t.retrySeconds },
                bufferingHints: { intervalInSeconds: t.bufferingSeconds, sizeInMBs: t.bufferingMiB },
                roleArn: this.role.roleArn,
                s3BackupMode: 'FailedDataOnly',
                s3Configuration: s3Config(t.backupPrefix, 'GZIP', 300, 5),
                cloudWatchLoggingOptions: logging,
              },
            }),
    });
    // Firehose checks its role's access when the stream is created
    this.stream.node.addDependency(policy);
  }

  get deliveryStreamName(): string {
    return this.stream.ref;
  }

  get deliveryStreamArn(): string {
    return this.stream.attrArn;
  }

  /** Give deliver-firehose its DESTINATION (JSON) and PutRecord(Batch) on this stream only. */
  deliverFrom(fn: RelayFunction): void {
    const d = this.destination;
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        resources: [this.deliveryStreamArn],
      }),
    );
    fn.addEnvironment(
      ENV.destination,
      Stack.of(this).toJsonString({
        name: d.name,
        deliveryStreamName: this.deliveryStreamName,
        format: d.format,
        aggregate: d.aggregate,
        render: d.render,
      }),
    );
  }
}

export type { DeliveryMetricPrefix, FirehoseDeliveryProps };
export { FirehoseDelivery };
