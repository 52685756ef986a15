/**
 * Parking messages that can never succeed (malformed, schema-invalid, oversize, unrenderable) in a
 * dead-letter queue, with the reason in message attributes, the original body byte for byte (so a
 * redrive after a fix replays it exactly). A message is removed from its source queue only after
 * its DLQ copy was accepted: what could not be parked is reported as a batch item failure.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DLQ_ATTR } from '../contracts/index.js';
import { toError } from '../errors.js';
import { signalUntil } from './deadline.js';

interface Parcel {
  /** SQS message id of the source record */
  readonly id: string;
  readonly body: string;
  readonly code: string;
  readonly field: string;
  readonly reason: string;
  readonly eventId?: string;
  /** FIFO DLQs need the group id of the source message */
  readonly messageGroupId?: string;
}

interface ParkResult {
  readonly parked: string[];
  readonly failed: Array<{ id: string; error: string }>;
}

const MAX_ATTR = 1024;

/**
 * Send parcels to the DLQ with SendMessageBatch (10 per call). Never throws. Bounded by
 * `deadlineMs` like every other call of an invocation: what is not parked by then is reported
 * failed (the caller leaves it to SQS to retry).
 */
async function parkInDlq(
  client: SQSClient,
  queueUrl: string,
  functionName: string,
  parcels: readonly Parcel[],
  deadlineMs = Number.POSITIVE_INFINITY,
): Promise<ParkResult> {
  const parked: string[] = [];
  const failed: Array<{ id: string; error: string }> = [];
  for (let i = 0; i < parcels.length; i += 10) {
    const chunk = parcels.slice(i, i + 10);
    const s = (v: string) => ({ DataType: 'String', StringValue: v.slice(0, MAX_ATTR) || '-' });
    if (Date.now() >= deadlineMs) {
      for (const p of chunk) failed.push({ id: p.id, error: 'DLQ parking not attempted: invocation deadline' });
      continue;
    }
    try {
      const out = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((p, j) => ({
            Id: String(j),
            MessageBody: p.body === '' ? ' ' : p.body,
            ...(p.messageGroupId ? { MessageGroupId: p.messageGroupId, MessageDeduplicationId: p.id } : {}),
            MessageAttributes: {
              [DLQ_ATTR.code]: s(p.code),
              [DLQ_ATTR.field]: s(p.field),
              [DLQ_ATTR.reason]: s(p.reason),
              [DLQ_ATTR.sourceMessageId]: s(p.id),
              [DLQ_ATTR.function]: s(functionName),
              ...(p.eventId ? { [DLQ_ATTR.eventId]: s(p.eventId) } : {}),
            },
          })),
        }),
        Number.isFinite(deadlineMs) ? { abortSignal: signalUntil(deadlineMs) } : {},
      );
      const bad = new Map((out.Failed ?? []).map((f) => [f.Id, `${f.Code ?? 'Error'}: ${f.Message ?? ''}`]));
      chunk.forEach((p, j) => {
        const err = bad.get(String(j));
        if (err === undefined) parked.push(p.id);
        else failed.push({ id: p.id, error: `DLQ rejected: ${err}` });
      });
    } catch (e) {
      const msg = toError(e).message;
      for (const p of chunk) failed.push({ id: p.id, error: `DLQ unavailable: ${msg}` });
    }
  }
  return { parked, failed };
}

export type { Parcel, ParkResult };
export { DLQ_ATTR, parkInDlq };
