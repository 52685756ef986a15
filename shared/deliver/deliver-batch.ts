/**
 * The common body of every delivery function: SQS records (canonical events from the events topic)
 * → render → sink → `batchItemFailures`.
 * - an event that can never be delivered (malformed wire message, cannot fit the size budget, the
 *   sink says non-retryable) is parked in the DLQ with the reason and acknowledged;
 * - what the sink could not confirm before the deadline is reported for SQS to retry;
 * - a record is acknowledged only once the sink confirmed it (or its DLQ copy was accepted).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { PipelineError } from '../errors.js';
import { payloadOf } from '../ingest/sqs-envelope.js';
import { fromWire } from '../model/wire.js';
import { logger, METRIC, MetricUnit, metrics } from '../observability/index.js';
import type { Renderer } from '../render/types.js';
import { type Parcel, parkInDlq } from './dlq.js';
import type { OutboundItem, Sink } from './sink.js';

interface DeliverDeps {
  readonly destination: string;
  readonly renderer: Renderer;
  readonly sink: Sink;
  readonly sqs: SQSClient;
  readonly deadLetterQueueUrl: string;
  readonly functionName: string;
  /** absolute Date.now() time by which the sink must return */
  readonly deadlineMs: number;
}

interface DeliverOutcome extends SQSBatchResponse {
  readonly delivered: number;
  readonly parked: number;
  readonly retry: number;
}

async function deliverBatch(event: SQSEvent, d: DeliverDeps): Promise<DeliverOutcome> {
  const t0 = Date.now();
  const items: OutboundItem[] = [];
  const parcels: Parcel[] = [];
  const eventIdOf = new Map<string, string>();
  const bodyOf = new Map<string, string>();
  let truncated = 0;
  for (const r of event.Records) {
    bodyOf.set(r.messageId, r.body);
    try {
      const e = fromWire(payloadOf(r));
      eventIdOf.set(r.messageId, e.eventId);
      const out = d.renderer.renderWithInfo(e);
      if (out.truncated) truncated++;
      items.push({ id: r.messageId, payload: out.text });
    } catch (err) {
      if (!(err instanceof PipelineError) || err.retryable) throw err;
      const field = 'field' in err && typeof err.field === 'string' ? err.field : '(render)';
      const code = 'code' in err && typeof err.code === 'string' ? err.code : 'render';
      logger.error('event cannot be delivered; parked in DLQ', {
        sqsMessageId: r.messageId,
        eventId: eventIdOf.get(r.messageId),
        destination: d.destination,
        errorCode: code,
        reason: err.message,
      });
      parcels.push({
        id: r.messageId,
        body: r.body,
        code,
        field,
        reason: err.message,
        eventId: eventIdOf.get(r.messageId),
      });
    }
  }
  const result = items.length
    ? await d.sink.send(items, { deadlineMs: d.deadlineMs })
    : { delivered: [], failed: [], bytes: 0 };
  const retry: string[] = [];
  for (const f of result.failed) {
    const eventId = eventIdOf.get(f.id);
    if (f.retryable) {
      retry.push(f.id);
      logger.warn('delivery not confirmed; SQS will retry', {
        sqsMessageId: f.id,
        eventId,
        destination: d.destination,
        error: f.error,
      });
    } else {
      logger.error('destination refused the event for good; parked in DLQ', {
        sqsMessageId: f.id,
        eventId,
        destination: d.destination,
        error: f.error,
      });
      parcels.push({
        id: f.id,
        body: bodyOf.get(f.id) ?? '',
        code: 'rejected',
        field: '(destination)',
        reason: f.error,
        ...(eventId ? { eventId } : {}),
      });
    }
  }
  const park = await parkInDlq(d.sqs, d.deadLetterQueueUrl, d.functionName, parcels);
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
  metrics.addDimension('Destination', d.destination);
  metrics.addMetric(METRIC.received, MetricUnit.Count, event.Records.length);
  metrics.addMetric(METRIC.delivered, MetricUnit.Count, result.delivered.length);
  metrics.addMetric(METRIC.failed, MetricUnit.Count, retry.length);
  metrics.addMetric(METRIC.parked, MetricUnit.Count, park.parked.length);
  metrics.addMetric(METRIC.truncated, MetricUnit.Count, truncated);
  metrics.addMetric(METRIC.bytes, MetricUnit.Bytes, result.bytes);
  metrics.addMetric(METRIC.batchLatency, MetricUnit.Milliseconds, Date.now() - t0);
  logger.info('batch delivered', {
    destination: d.destination,
    received: event.Records.length,
    delivered: result.delivered.length,
    retry: retry.length,
    parked: park.parked.length,
    bytes: result.bytes,
  });
  return {
    batchItemFailures: retry.map((id) => ({ itemIdentifier: id })),
    delivered: result.delivered.length,
    parked: park.parked.length,
    retry: retry.length,
  };
}

export type { DeliverDeps, DeliverOutcome };
export { deliverBatch };
