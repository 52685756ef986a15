/**
 * Customer managed KMS keys, one per trust boundary, each with yearly automatic rotation:
 * - `ingest`: the ingest queue and its DLQ; the vault producer may use it (through SQS only);
 * - `topics`: the events topic, alert topics and ops topic (CloudWatch alarms publish with it);
 * - `pipeline`: destination/alerts queues, their DLQs, the notification DLQ, the throttle table
 *   (SNS writes into these queues with it);
 * - `archive`: the Firehose streams' server-side encryption and the archive bucket.
 * Topics and queues use different keys: the queue key's policy names the topic that may write
 * with it, which would otherwise be a dependency cycle (topic → key → topic).
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

interface EncryptionKeysProps {
  /** deployment name, for aliases (`alias/<name>/ingest`) */
  readonly name: string;
  /** create the archive key (only when a Firehose destination exists). @default false */
  readonly archive?: boolean;
  /** what happens to the keys when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

class EncryptionKeys extends Construct {
  /** ingest queue + ingest DLQ */
  readonly ingest: kms.Key;
  /** events, alert and ops topics */
  readonly topics: kms.Key;
  /** consumer queues and DLQs, the notification DLQ, the throttle table */
  readonly pipeline: kms.Key;
  /** Firehose SSE + archive bucket (undefined when no Firehose destination exists) */
  readonly archive: kms.Key | undefined;

  constructor(scope: Construct, id: string, props: EncryptionKeysProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const key = (kid: string, what: string) =>
      new kms.Key(this, kid, {
        alias: `alias/${props.name}/${kid.toLowerCase()}`,
        description: `Segura SIEM relay ${props.name}: ${what}`,
        enableKeyRotation: true,
        rotationPeriod: Duration.days(365),
        removalPolicy,
        pendingWindow: Duration.days(30),
      });
    this.ingest = key('Ingest', 'ingest queue and its DLQ');
    this.topics = key('Topics', 'events topic, alert topics and ops topic');
    this.pipeline = key('Pipeline', 'consumer queues, dead-letter queues and the throttle table');
    this.archive = props.archive ? key('Archive', 'Firehose streams and the archive bucket') : undefined;

    // SNS writes into the encrypted subscriber queues and subscription DLQs, and CloudWatch alarms
    // publish to the encrypted ops topic, both only on behalf of this account.
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
    const service = (k: kms.Key, principal: string, sid: string) =>
      k.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal(principal)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
      );
    service(this.pipeline, 'sns.amazonaws.com', 'AllowSnsToWriteToThisAccountsQueues');
    service(this.topics, 'cloudwatch.amazonaws.com', 'AllowThisAccountsAlarmsToPublish');
  }
}

export type { EncryptionKeysProps };
export { EncryptionKeys };
