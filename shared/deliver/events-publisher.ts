/**
 * Publish canonical events to the SNS events topic with PublishBatch (≤ 10 entries, ≤ 256 KiB per
 * call) and the message attributes the per-destination subscriptions filter on.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
 */
import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from '@aws-sdk/client-sns';
import { EVENT_ATTRIBUTES, type EventAttribute } from '../config/event-attributes.js';
import { EVENT_ATTR } from '../contracts/index.js';
import { toError } from '../errors.js';
import type { SecurityEvent } from '../model/security-event.js';
import { signalUntil } from './deadline.js';

/** SNS maximum message size (payload + attributes), 256 KiB. */
const SNS_MAX_BYTES = 262_144;
/** Room left for attributes and the rest of the entry. */
const SNS_MAX_MESSAGE_BYTES = SNS_MAX_BYTES - 2_048;
/** PublishBatch calls in flight at once. */
const PUBLISH_CONCURRENCY = 4;

interface Publication {
  /** SQS message id of the source record */
  readonly id: string;
  readonly event: SecurityEvent;
  /** the wire JSON of `event` */
  readonly message: string;
  /** its message attributes, when the caller built them already. @default attributesOf(event) */
  readonly attributes?: PublishBatchRequestEntry['MessageAttributes'];
}

interface PublishResult {
  readonly published: string[];
  readonly failed: Array<{ id: string; error: string; retryable: boolean }>;
}

/** Message attributes for filter policies ({@link EVENT_ATTR}: eventId, severity (CEF, Number), category, origin, …). */
function attributesOf(e: SecurityEvent): PublishBatchRequestEntry['MessageAttributes'] {
  const a = (attr: (typeof EVENT_ATTR)[keyof typeof EVENT_ATTR], value: string) =>
    [attr.name, { DataType: attr.type, StringValue: value }] as const;
  return Object.fromEntries([
    a(EVENT_ATTR.eventId, e.eventId),
    a(EVENT_ATTR.severity, String(e.cefSeverity)),
    a(EVENT_ATTR.syslogSeverity, String(e.syslogSeverity)),
    a(EVENT_ATTR.category, e.category ?? 'none'),
    a(EVENT_ATTR.origin, e.origin ?? 'none'),
    a(EVENT_ATTR.catalogMatch, e.catalogMatch),
  ]);
}

/** Publish all; every id ends in published or failed. Never throws. */
async function publishEvents(
  client: SNSClient,
  topicArn: string,
  pubs: readonly Publication[],
  deadlineMs = Number.POSITIVE_INFINITY,
): Promise<PublishResult> {
  const published: string[] = [];
  const failed: Array<{ id: string; error: string; retryable: boolean }> = [];
  // pack ≤ 10 entries and ≤ 256 KiB per call
  let batch: Publication[] = [];
  let bytes = 0;
  const batches: Publication[][] = [];
  for (const p of pubs) {
    const b = Buffer.byteLength(p.message, 'utf8') + 512;
    if (batch.length === 10 || (batch.length > 0 && bytes + b > SNS_MAX_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(p);
    bytes += b;
  }
  if (batch.length) batches.push(batch);
  const publishChunk = async (chunk: Publication[]): Promise<void> => {
    if (Date.now() >= deadlineMs - 50) {
      for (const p of chunk)
        failed.push({ id: p.id, error: 'SNS PublishBatch not attempted: invocation deadline', retryable: true });
      return;
    }
    try {
      const out = await client.send(
        new PublishBatchCommand({
          TopicArn: topicArn,
          PublishBatchRequestEntries: chunk.map((p, j) => ({
            Id: String(j),
            Message: p.message,
            MessageAttributes: p.attributes ?? attributesOf(p.event),
          })),
        }),
        // bounded by the invocation: a stalled call fails these records (SQS retries them)
        Number.isFinite(deadlineMs) ? { abortSignal: signalUntil(deadlineMs) } : {},
      );
      const bad = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
      chunk.forEach((p, j) => {
        const f = bad.get(String(j));
        if (f === undefined) published.push(p.id);
        // SenderFault entries are still retried: SQS redrive parks them after maxReceiveCount
        else failed.push({ id: p.id, error: `SNS ${f.Code ?? 'Error'}: ${f.Message ?? ''}`, retryable: true });
      });
    } catch (e) {
      const err = toError(e);
      for (const p of chunk) {
        failed.push({ id: p.id, error: `SNS PublishBatch failed: ${err.name}: ${err.message}`, retryable: true });
      }
    }
  };
  // a few calls in flight: a 100-record batch is 10 calls
  const queue = [...batches];
  await Promise.all(
    Array.from({ length: Math.min(PUBLISH_CONCURRENCY, queue.length) }, async () => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) await publishChunk(c);
    }),
  );
  return { published, failed };
}

export type { EventAttribute, Publication, PublishResult };
export { attributesOf, EVENT_ATTRIBUTES, publishEvents, SNS_MAX_MESSAGE_BYTES };
