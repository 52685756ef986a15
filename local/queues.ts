/**
 * The queues of a local relay, as the stack makes them: a source queue and its DLQ with the
 * stack's redrive policy, raw-delivery subscriptions to the events topic; sending to the ingest
 * queue within SQS's size rules; and what is left in each queue and DLQ (the ledger's inputs).
 */
import { type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DLQ_ATTR } from '../shared/contracts/index.js';

interface QueuePair {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/**
 * The SQS maximum message size, and the maximum payload of one SendMessageBatch: 1 MiB
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html:
 * "The maximum allowed individual message size and the maximum total payload size (the sum of
 * the individual lengths of all of the batched messages) are both 1 MiB").
 */
const SQS_MAX_MESSAGE_BYTES = 1_048_576;

interface SendFailure {
  /** index into the bodies given */
  readonly index: number;
  readonly code: string;
  readonly message: string;
}

interface SendReport {
  readonly sent: number;
  readonly failed: readonly SendFailure[];
}

interface DlqEntry {
  readonly queue: string;
  readonly sourceMessageId: string;
  readonly code: string;
  readonly field: string;
  readonly reason: string;
  readonly body: string;
}

async function arnOf(sqs: SQSClient, url: string): Promise<string> {
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return a.Attributes?.QueueArn as string;
}

/** A source queue and its DLQ, with the stack's redrive policy. */
async function createQueuePair(
  sqs: SQSClient,
  name: string,
  o: { readonly visibilitySec: number; readonly maxReceiveCount: number },
): Promise<QueuePair> {
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }),
  );
  const dlqArn = await arnOf(sqs, dlq.QueueUrl as string);
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(o.visibilitySec),
        MessageRetentionPeriod: '1209600',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: o.maxReceiveCount }),
      },
    }),
  );
  return {
    name,
    url: q.QueueUrl as string,
    arn: await arnOf(sqs, q.QueueUrl as string),
    dlqUrl: dlq.QueueUrl as string,
    dlqArn,
  };
}

/**
 * Subscribe a queue to the topic with raw message delivery, as the stack does, and the stack's
 * filter policy on the message attributes when it has one.
 */
async function subscribeQueue(
  sns: SNSClient,
  topicArn: string,
  q: QueuePair,
  filterPolicy?: Readonly<Record<string, unknown>>,
): Promise<void> {
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: q.arn,
      Attributes: {
        RawMessageDelivery: 'true',
        ...(filterPolicy ? { FilterPolicy: JSON.stringify(filterPolicy) } : {}),
      },
    }),
  );
}

/**
 * Send raw bodies to a queue in SendMessageBatch calls of at most 10 entries and at most
 * {@link SQS_MAX_MESSAGE_BYTES} in all. A body SQS refuses (too large, characters outside the
 * allowed set) is returned with its index and SQS's reason; the others are sent.
 */
async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<SendReport> {
  const failed: SendFailure[] = [];
  let sent = 0;
  let i = 0;
  while (i < bodies.length) {
    const idx: number[] = [];
    let bytes = 0;
    while (i < bodies.length && idx.length < 10) {
      const b = Buffer.byteLength(bodies[i] as string, 'utf8');
      if (b > SQS_MAX_MESSAGE_BYTES) {
        failed.push({
          index: i,
          code: 'MessageTooLong',
          message: `${b} bytes exceeds the ${SQS_MAX_MESSAGE_BYTES}-byte SQS message limit`,
        });
        i++;
        continue;
      }
      if (idx.length > 0 && bytes + b > SQS_MAX_MESSAGE_BYTES) break;
      idx.push(i);
      bytes += b;
      i++;
    }
    if (idx.length === 0) continue;
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: idx.map((k, j) => ({ Id: String(j), MessageBody: bodies[k] as string })),
      }),
    );
    for (const f of out.Failed ?? []) {
      failed.push({ index: idx[Number(f.Id)] ?? -1, code: f.Code ?? 'Failed', message: f.Message ?? '' });
    }
    sent += out.Successful?.length ?? 0;
  }
  failed.sort((a, b) => a.index - b.index);
  return { sent, failed };
}

/** Messages visible, in flight or delayed in one queue. */
async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const a = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * Every message in a queue pair's DLQ with the reason the relay (or SQS's redrive) parked it. Read
 * without deleting: in a local run nobody else reads the DLQ afterwards.
 */
async function readDlq(sqs: SQSClient, q: QueuePair, maxReceiveCount: number): Promise<DlqEntry[]> {
  const out: DlqEntry[] = [];
  const seen = new Set<string>();
  for (let round = 0; round < 1000; round++) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: q.dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
      }),
    );
    const msgs = r.Messages ?? [];
    if (msgs.length === 0) break;
    for (const m of msgs) {
      if (seen.has(m.MessageId as string)) continue;
      seen.add(m.MessageId as string);
      const a = m.MessageAttributes ?? {};
      out.push({
        queue: `${q.name}-dlq`,
        sourceMessageId: a[DLQ_ATTR.sourceMessageId]?.StringValue ?? (m.MessageId as string),
        code: a[DLQ_ATTR.code]?.StringValue ?? 'redrive',
        field: a[DLQ_ATTR.field]?.StringValue ?? '-',
        reason:
          a[DLQ_ATTR.reason]?.StringValue ?? `moved by SQS after ${maxReceiveCount} receives (delivery kept failing)`,
        body: m.Body ?? '',
      });
    }
  }
  return out;
}

export type { DlqEntry, QueuePair, SendFailure, SendReport };
export { createQueuePair, queueDepth, readDlq, SQS_MAX_MESSAGE_BYTES, sendBodies, subscribeQueue };
