/**
 * An SQS queue with its dead-letter queue: both encrypted with a customer managed key, TLS-only,
 * the same retention, and a small maxReceiveCount so a message that keeps failing is parked
 * (and alarmed on) instead of retried for days.
 */
import { Duration } from 'aws-cdk-lib';
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
  /** retention of the queue and the DLQ. @default Duration.days(14) */
  readonly retentionPeriod?: Duration;
}

class EventQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly encryptionKey: kms.IKey;
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: EventQueueProps) {
    super(scope, id);
    const retentionPeriod = props.retentionPeriod ?? Duration.days(14);
    this.encryptionKey = props.encryptionKey;
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    const common = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // fewer KMS calls: SQS reuses a data key for 15 minutes
      dataKeyReuse: Duration.minutes(15),
      enforceSSL: true,
      retentionPeriod,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', common);
    this.queue = new sqs.Queue(this, 'Queue', {
      ...common,
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
  /** @default Duration.days(14) */
  readonly retentionPeriod?: Duration;
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
