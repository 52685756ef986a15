/**
 * The common body of every delivery function: SQS records (canonical events from the events topic)
 * → render → sink → `batchItemFailures`.
 * - an event that can never be delivered (malformed wire message, cannot fit the size budget, the
 *   sink says non-retryable) is parked in the DLQ with the reason and acknowledged;
 * - what the sink could not confirm before the deadline is reported for SQS to retry;
 * - what failed because the destination is down is kept out of sight with a capped, jittered
 *   exponential backoff (ChangeMessageVisibilityBatch) before it is reported, so a long outage
 *   costs a few receives per hour instead of one per visibility timeout (see
 *   shared/config/retry-backoff.ts for the numbers and the SQS rules);
 * - one record that throws unexpectedly (a bug in the model or a renderer) never fails its
 *   neighbours: it alone is retried, and parked with code `internal` once it has failed
 *   {@link INTERNAL_PARK_AFTER} receives (no longer transient);
 * - a replayed line (`segura-relay redrive --from-s3`, attribute relay.replay.format) is sent as
 *   it is when it is one line in this destination's format, else parked with code `replay`;
 * - a record is acknowledged only once the sink confirmed it (or its DLQ copy was accepted).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { backoffSeconds, DEFAULT_RETRY_BACKOFF, type RetryBackoff } from '../config/retry-backoff.js';
import { DIMENSION } from '../contracts/index.js';
import { PipelineError, toError } from '../errors.js';
import { payloadOf } from '../ingest/sqs-envelope.js';
import { fromWire } from '../model/wire.js';
import { logger, METRIC, MetricUnit, metrics } from '../observability/index.js';
import type { Renderer } from '../render/types.js';
import { type Parcel, parkInDlq } from './dlq.js';
import { eventIdOfLine, REPLAY_ATTR, replayLineIssue } from './replay.js';
import type { DeliveryResult, OutboundItem, Sink } from './sink.js';
import { extendVisibility, queueUrlFromArn, type VisibilityChange } from './visibility.js';

/**
 * Receives after which a record that keeps throwing unexpectedly is parked with code `internal`
 * (a bug that a retry does not fix) instead of being retried until maxReceiveCount.
 */
const INTERNAL_PARK_AFTER = 3;

interface DeliverDeps {
  readonly destination: string;
  readonly renderer: Renderer;
  readonly sink: Sink;
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string;
  readonly functionName: string;
  /** absolute Date.now() time by which the sink must return */
  readonly deadlineMs: number;
  /**
   * absolute time by which DLQ parking and visibility changes must have returned (the invocation's
   * end less a small margin). @default deadlineMs + 1 s
   */
  readonly endMs?: number;
  /** the source queue (visibility changes). @default derived from each record's eventSourceARN */
  readonly sourceQueueUrl?: string;
  /** backoff while the destination is down. @default DEFAULT_RETRY_BACKOFF */
  readonly backoff?: RetryBackoff;
  /** uniform [0, 1) source for the backoff jitter. @default Math.random */
  readonly random?: () => number;
}

interface DeliverOutcome extends SQSBatchResponse {
  readonly delivered: number;
  readonly parked: number;
  readonly retry: number;
  /** records kept invisible for a backoff because the destination is down */
  readonly backedOff: number;
}

function receiveCountOf(r: SQSRecord): number {
  const n = Number(r.attributes?.ApproximateReceiveCount ?? 1);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

async function deliverBatch(event: SQSEvent, d: DeliverDeps): Promise<DeliverOutcome> {
  const endMs = d.endMs ?? d.deadlineMs + 1_000;
  const items: OutboundItem[] = [];
  const parcels: Parcel[] = [];
  const eventIdOf = new Map<string, string>();
  const record = new Map<string, SQSRecord>();
  const retry: string[] = [];
  let truncated = 0;
  let internal = 0;
  let replayed = 0;
  for (const r of event.Records) {
    record.set(r.messageId, r);
    const replayFormat = r.messageAttributes?.[REPLAY_ATTR.format]?.stringValue;
    if (replayFormat !== undefined) {
      // a line this destination rendered once, back from Firehose's backup bucket: sent unchanged
      const issue = replayLineIssue(r.body, d.renderer.format);
      const eventId = eventIdOfLine(r.body);
      if (eventId !== null) eventIdOf.set(r.messageId, eventId);
      if (issue !== undefined) {
        logger.error('replayed line cannot be sent to this destination; parked in DLQ', {
          sqsMessageId: r.messageId,
          eventId: eventId ?? undefined,
          destination: d.destination,
          errorCode: 'replay',
          reason: issue,
        });
        parcels.push({
          id: r.messageId,
          body: r.body,
          code: 'replay',
          field: '(replay)',
          reason: issue,
          ...eventIdPart(eventIdOf, r),
        });
      } else {
        replayed++;
        items.push({ id: r.messageId, payload: r.body });
      }
      continue;
    }
    try {
      const e = fromWire(payloadOf(r));
      eventIdOf.set(r.messageId, e.eventId);
      const out = d.renderer.renderWithInfo(e);
      if (out.truncated) truncated++;
      items.push({ id: r.messageId, payload: out.text });
    } catch (err) {
      if (err instanceof PipelineError && !err.retryable) {
        const field = 'field' in err && typeof err.field === 'string' ? err.field : '(render)';
        const code = 'code' in err && typeof err.code === 'string' ? err.code : 'render';
        logger.error('event cannot be delivered; parked in DLQ', {
          sqsMessageId: r.messageId,
          eventId: eventIdOf.get(r.messageId),
          destination: d.destination,
          errorCode: code,
          reason: err.message,
        });
        parcels.push({ id: r.messageId, body: r.body, code, field, reason: err.message, ...eventIdPart(eventIdOf, r) });
        continue;
      }
      // not an error we model: isolate it to this record
      internal++;
      const e = toError(err);
      const receives = receiveCountOf(r);
      const park = receives >= INTERNAL_PARK_AFTER;
      logger.error(
        park
          ? 'unexpected error on this record again; parked in DLQ as internal'
          : 'unexpected error on this record; SQS will retry it',
        {
          sqsMessageId: r.messageId,
          eventId: eventIdOf.get(r.messageId),
          destination: d.destination,
          receiveCount: receives,
          errorName: e.name,
          error: e.message,
          stack: e.stack,
        },
      );
      if (park) {
        parcels.push({
          id: r.messageId,
          body: r.body,
          code: 'internal',
          field: '(internal)',
          reason: `${e.name}: ${e.message} (after ${receives} receives)`,
          ...eventIdPart(eventIdOf, r),
        });
      } else {
        retry.push(r.messageId);
      }
    }
  }
  let result: DeliveryResult;
  try {
    result = items.length
      ? await d.sink.send(items, { deadlineMs: d.deadlineMs })
      : { delivered: [], failed: [], bytes: 0 };
  } catch (err) {
    // sinks do not throw by contract; if one does, every item is still accounted for (retried)
    const e = toError(err);
    logger.error('sink threw unexpectedly; the batch will be retried', {
      destination: d.destination,
      error: e.message,
    });
    result = { delivered: [], failed: items.map((i) => ({ id: i.id, error: e.message, retryable: true })), bytes: 0 };
  }
  const backoff = d.backoff ?? DEFAULT_RETRY_BACKOFF;
  const random = d.random ?? Math.random;
  const changes: VisibilityChange[] = [];
  let down = false;
  for (const f of result.failed) {
    const eventId = eventIdOf.get(f.id);
    if (f.retryable) {
      retry.push(f.id);
      const r = record.get(f.id);
      if (f.down && r) {
        down = true;
        changes.push({
          id: f.id,
          receiptHandle: r.receiptHandle,
          seconds: backoffSeconds(receiveCountOf(r), backoff, random),
        });
      } else {
        logger.warn('delivery not confirmed; SQS will retry', {
          sqsMessageId: f.id,
          eventId,
          destination: d.destination,
          error: f.error,
        });
      }
    } else {
      logger.error('destination refused the event for good; parked in DLQ', {
        sqsMessageId: f.id,
        eventId,
        destination: d.destination,
        error: f.error,
      });
      parcels.push({
        id: f.id,
        body: record.get(f.id)?.body ?? '',
        code: 'rejected',
        field: '(destination)',
        reason: f.error,
        ...(eventId ? { eventId } : {}),
      });
    }
  }
  const queueUrl = d.sourceQueueUrl ?? queueUrlFromArn(event.Records[0]?.eventSourceARN ?? '');
  const [park, vis] = await Promise.all([
    parkInDlq(d.sqs, d.deadLetterQueueUrl, d.functionName, parcels, endMs),
    changes.length > 0 && queueUrl
      ? extendVisibility(d.sqs, queueUrl, changes, endMs)
      : { changed: [], failed: changes.map((c) => ({ id: c.id, error: 'source queue URL unknown' })) },
  ]);
  if (down) {
    const seconds = changes.map((c) => c.seconds);
    logger.warn('destination down: records backed off before SQS retries them', {
      destination: d.destination,
      records: changes.length,
      backedOff: vis.changed.length,
      minBackoffSeconds: Math.min(...seconds),
      maxBackoffSeconds: Math.max(...seconds),
      error: result.failed.find((f) => f.down)?.error,
    });
  }
  for (const f of vis.failed) {
    // the record is still retried, at the queue's visibility timeout instead of the backoff
    logger.warn('visibility change failed; SQS retries the record at its visibility timeout', {
      sqsMessageId: f.id,
      destination: d.destination,
      error: f.error,
    });
  }
  for (const f of park.failed) {
    logger.error('DLQ parking failed; SQS will retry', {
      sqsMessageId: f.id,
      eventId: eventIdOf.get(f.id),
      error: f.error,
    });
    retry.push(f.id);
  }
  // one function serves one destination: the dimension is added per invocation (Powertools clears
  // non-default dimensions when it publishes at the end of the invocation)
  metrics.addDimension(DIMENSION.destination, d.destination);
  metrics.addMetric(METRIC.delivered, MetricUnit.Count, result.delivered.length);
  metrics.addMetric(METRIC.failed, MetricUnit.Count, retry.length);
  metrics.addMetric(METRIC.parked, MetricUnit.Count, park.parked.length);
  metrics.addMetric(METRIC.truncated, MetricUnit.Count, truncated);
  metrics.addMetric(METRIC.backedOff, MetricUnit.Count, vis.changed.length);
  // 1 while this destination is down, 0 once an invocation gets through: the alarm's state
  metrics.addMetric(METRIC.destinationDown, MetricUnit.Count, down ? 1 : 0);
  metrics.addMetric(METRIC.internalErrors, MetricUnit.Count, internal);
  metrics.addMetric(METRIC.replayed, MetricUnit.Count, replayed);
  metrics.addMetric(METRIC.bytes, MetricUnit.Bytes, result.bytes);
  // records received: AWS/SQS NumberOfMessagesReceived of the queue; batch time: AWS/Lambda Duration
  logger.info('batch delivered', {
    destination: d.destination,
    received: event.Records.length,
    delivered: result.delivered.length,
    retry: retry.length,
    backedOff: vis.changed.length,
    parked: park.parked.length,
    bytes: result.bytes,
  });
  return {
    batchItemFailures: retry.map((id) => ({ itemIdentifier: id })),
    delivered: result.delivered.length,
    parked: park.parked.length,
    retry: retry.length,
    backedOff: vis.changed.length,
  };
}

function eventIdPart(eventIdOf: ReadonlyMap<string, string>, r: SQSRecord): { eventId?: string } {
  const id = eventIdOf.get(r.messageId);
  return id ? { eventId: id } : {};
}

export type { DeliverDeps, DeliverOutcome };
export { deliverBatch, INTERNAL_PARK_AFTER };
