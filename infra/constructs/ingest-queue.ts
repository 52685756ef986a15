/**
 * The ingest queue the vault sends to: an EventQueue on its own key, whose policy lets only the
 * configured producer principals (and, for DLQ redrive, the configured operators) send, over TLS.
 * Optionally creates the vault's IAM role, with nothing but send rights.
 */
import { Aws, type Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EventQueue } from './event-queue.js';

interface IngestQueueProps {
  readonly encryptionKey: kms.IKey;
  /** account ids or IAM role/user ARNs allowed to send (the vault) */
  readonly producers: readonly string[];
  /** account ids or IAM ARNs also allowed to send, for DLQ redrive. @default none */
  readonly operators?: readonly string[];
  /** create a role for the vault, trusted to this principal. @default no role */
  readonly producerRole?: { readonly trustedPrincipal: string; readonly externalId?: string | undefined };
  /** roles of this stack that also send (the syslog endpoint's tasks); their own policies grant it. @default none */
  readonly stackProducers?: readonly iam.IRole[];
  readonly visibilityTimeout: Duration;
  /** @default 5 */
  readonly maxReceiveCount?: number;
  /** @default 10 days */
  readonly retentionPeriod?: Duration;
  /** @default 14 days */
  readonly deadLetterRetentionPeriod?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

const SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes'];

function principalOf(p: string): iam.AccountPrincipal | iam.ArnPrincipal {
  return /^\d{12}$/.test(p) ? new iam.AccountPrincipal(p) : new iam.ArnPrincipal(p);
}

/** `arn:…:root` and bare account ids mean "any principal of that account". */
function accountOf(p: string): string | undefined {
  if (/^\d{12}$/.test(p)) return p;
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(p);
  return m?.[1];
}

class IngestQueue extends Construct {
  readonly queue: EventQueue;
  /** the vault's role (only when `producerRole` is set) */
  readonly producerRole: iam.Role | undefined;

  constructor(scope: Construct, id: string, props: IngestQueueProps) {
    super(scope, id);
    this.queue = new EventQueue(this, 'Ingest', {
      encryptionKey: props.encryptionKey,
      visibilityTimeout: props.visibilityTimeout,
      ...(props.maxReceiveCount ? { maxReceiveCount: props.maxReceiveCount } : {}),
      ...(props.retentionPeriod ? { retentionPeriod: props.retentionPeriod } : {}),
      ...(props.deadLetterRetentionPeriod ? { deadLetterRetentionPeriod: props.deadLetterRetentionPeriod } : {}),
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    });
    const q = this.queue.queue;

    if (props.producerRole) {
      const trusted = principalOf(props.producerRole.trustedPrincipal);
      this.producerRole = new iam.Role(this, 'VaultProducerRole', {
        assumedBy: props.producerRole.externalId
          ? trusted.withConditions({ StringEquals: { 'sts:ExternalId': props.producerRole.externalId } })
          : trusted,
        description: 'Segura vault: send security events to the relay ingest queue (nothing else)',
      });
      this.producerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: SEND_ACTIONS, resources: [q.queueArn] }),
      );
      this.producerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }

    const senders = [...props.producers, ...(props.operators ?? [])];
    q.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowVaultProducers',
        principals: props.producers.map(principalOf),
        actions: SEND_ACTIONS,
        resources: [q.queueArn],
      }),
    );
    if (props.operators?.length) {
      q.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowOperatorsRedrive',
          principals: props.operators.map(principalOf),
          actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
          resources: [q.queueArn],
        }),
      );
    }
    // Deny SendMessage to everyone else, even principals of this account whose own IAM policies
    // allow sqs:* (only the vault writes security events).
    const arns = senders.filter((p) => accountOf(p) === undefined);
    if (this.producerRole) arns.push(this.producerRole.roleArn);
    for (const r of props.stackProducers ?? []) arns.push(r.roleArn);
    const accounts = senders.map(accountOf).filter((a): a is string => a !== undefined);
    q.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenySendersOtherThanTheVault',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [q.queueArn],
        // one operator block, two keys: deny only when the caller matches neither list
        conditions: {
          StringNotEquals: {
            ...(arns.length ? { 'aws:PrincipalArn': arns } : {}),
            ...(accounts.length ? { 'aws:PrincipalAccount': accounts } : {}),
          },
        },
      }),
    );
    // The vault's own account (possibly another one) uses the key only through SQS.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowVaultProducersThroughSqs',
        principals: senders.map(principalOf),
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }
}

export type { IngestQueueProps };
export { IngestQueue };
