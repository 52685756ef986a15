/**
 * An SQS queue with its dead-letter queue: both encrypted with a customer managed key, TLS-only,
 * the DLQ keeping messages longer than its source (a parked message keeps its original enqueue
 * time: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html),
 * and a small maxReceiveCount so a message that keeps failing is parked (and alarmed on) instead
 * of retried for days. Both are retained on stack delete and on replacement unless told otherwise.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

interface EventQueueProps {
  /** the CMK of both queues */
  readonly encryptionKey: kms.IKey;
  /** visibility timeout of the source queue: at least 6× the consumer's timeout (+ batching window) */
  readonly visibilityTimeout: Duration;
  /** receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** retention of the source queue. @default Duration.days(10) */
  readonly retentionPeriod?: Duration;
  /** retention of the DLQ: must be longer than `retentionPeriod`. @default Duration.days(14) */
  readonly deadLetterRetentionPeriod?: Duration;
  /**
   * stack delete / replacement of both queues (RETAIN: DeletionPolicy and UpdateReplacePolicy
   * Retain, so parked events survive). @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

class EventQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly encryptionKey: kms.IKey;
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: EventQueueProps) {
    super(scope, id);
    const retentionPeriod = props.retentionPeriod ?? Duration.days(10);
    const deadLetterRetentionPeriod = props.deadLetterRetentionPeriod ?? Duration.days(14);
    if (deadLetterRetentionPeriod.toSeconds() <= retentionPeriod.toSeconds())
      throw new Error(
        `${this.node.path}: the DLQ must keep messages longer than its source queue (${deadLetterRetentionPeriod.toDays()} ≤ ${retentionPeriod.toDays()} days)`,
      );
    this.encryptionKey = props.encryptionKey;
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    const common = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // fewer KMS calls: SQS reuses a data key for 15 minutes
      dataKeyReuse: Duration.minutes(15),
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...common,
      retentionPeriod: deadLetterRetentionPeriod,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...common,
      retentionPeriod,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
    acknowledge(
      this.deadLetterQueue,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself a dead-letter queue: a DLQ of a DLQ would hide parked events; its depth alarms instead.',
    );
  }

  /**
   * Let `grantee` park messages in the DLQ itself (SendMessage + the key, nothing else): the
   * functions move events that can never succeed there with the reason, instead of retrying them.
   */
  grantParkInDeadLetterQueue(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
      }),
    );
  }
}

interface SubscriptionDeadLetterQueueProps {
  readonly encryptionKey: kms.IKey;
  /** SNS sends here afresh, so the DLQ retention applies from arrival. @default Duration.days(14) */
  readonly retentionPeriod?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * DLQ of the notification subscriptions (alert SMS/email/chat/ticket, ops email): what SNS could
 * not deliver after its retries lands here, and its depth alarms.
 */
class SubscriptionDeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SubscriptionDeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.queue,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of the notification subscriptions; its depth alarms.',
    );
    acknowledge(
      this.queue,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself a dead-letter queue (of SNS subscriptions); its depth alarms instead.',
    );
  }
}

export type { EventQueueProps, SubscriptionDeadLetterQueueProps };
export { EventQueue, SubscriptionDeadLetterQueue };
