/**
 * normalize: SQS ingest records → canonical events → SNS events topic.
 * - a record that can never succeed (malformed, schema-invalid, oversize) is parked in the DLQ with
 *   the reason and counted; it is not retried;
 * - a record whose publish failed (or whose DLQ parking failed) is reported in
 *   `batchItemFailures`, so SQS retries it; everything else is acknowledged.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type Parcel, parkInDlq } from '../../shared/deliver/dlq.js';
import { type Publication, publishEvents, SNS_MAX_MESSAGE_BYTES } from '../../shared/deliver/events-publisher.js';
import { InvalidEventError } from '../../shared/errors.js';
import { payloadOf, provenance } from '../../shared/ingest/sqs-envelope.js';
import { redactSecrets } from '../../shared/model/secrets.js';
import { EVENT_FLAGS } from '../../shared/model/security-event.js';
import { toWire } from '../../shared/model/wire.js';
import { logger, METRIC, MetricUnit, metrics } from '../../shared/observability/index.js';
import { parseInput } from '../../shared/parse/parse-payload.js';
import type { NormalizeConfig } from './config.js';

interface NormalizeDeps {
  readonly config: NormalizeConfig;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly functionName: string;
}

async function normalizeBatch(
  event: SQSEvent,
  deps: NormalizeDeps,
  deadlineMs = Number.POSITIVE_INFINITY,
): Promise<SQSBatchResponse> {
  const t0 = Date.now();
  const pubs: Publication[] = [];
  const parcels: Parcel[] = [];
  let unknown = 0;
  for (const r of event.Records) {
    const prov = provenance(r);
    try {
      const parsed = parseInput(payloadOf(r), {
        receivedAtMs: prov.sentAtMs,
        maxInputBytes: deps.config.maxInputBytes,
      });
      // secret-looking fields never leave normalize unless the deployment allows them
      const e = deps.config.allowSecretFields ? parsed : redactSecrets(parsed);
      const message = toWire(e);
      if (Buffer.byteLength(message, 'utf8') > SNS_MAX_MESSAGE_BYTES) {
        throw new InvalidEventError(
          '(event)',
          `normalized event of ${Buffer.byteLength(message)} bytes exceeds the SNS message limit`,
          'oversize',
        );
      }
      if (e.flags.includes(EVENT_FLAGS.unknownId)) {
        unknown++;
        logger.warn('unknown event id kept and flagged', {
          sqsMessageId: r.messageId,
          eventId: e.eventId,
          input: e.input,
        });
      }
      pubs.push({ id: r.messageId, event: e, message });
    } catch (err) {
      if (!(err instanceof InvalidEventError)) throw err;
      logger.error('invalid event parked in DLQ', {
        sqsMessageId: r.messageId,
        errorCode: err.code,
        field: err.field,
        reason: err.reason,
      });
      parcels.push({
        id: r.messageId,
        body: r.body,
        code: err.code,
        field: err.field,
        reason: err.reason,
        ...(r.attributes?.MessageGroupId ? { messageGroupId: r.attributes.MessageGroupId } : {}),
      });
    }
  }
  const [pub, park] = await Promise.all([
    publishEvents(deps.sns, deps.config.eventsTopicArn, pubs, deadlineMs),
    parkInDlq(deps.sqs, deps.config.deadLetterQueueUrl, deps.functionName, parcels),
  ]);
  const eventIdOf = new Map(pubs.map((p) => [p.id, p.event.eventId]));
  for (const f of pub.failed) {
    logger.error('publish failed; SQS will retry', {
      sqsMessageId: f.id,
      eventId: eventIdOf.get(f.id),
      error: f.error,
    });
  }
  for (const f of park.failed)
    logger.error('DLQ parking failed; SQS will retry', { sqsMessageId: f.id, error: f.error });
  metrics.addMetric(METRIC.received, MetricUnit.Count, event.Records.length);
  metrics.addMetric(METRIC.published, MetricUnit.Count, pub.published.length);
  metrics.addMetric(METRIC.invalid, MetricUnit.Count, parcels.length);
  metrics.addMetric(METRIC.parked, MetricUnit.Count, park.parked.length);
  metrics.addMetric(METRIC.unknownIds, MetricUnit.Count, unknown);
  metrics.addMetric(METRIC.failed, MetricUnit.Count, pub.failed.length + park.failed.length);
  metrics.addMetric(METRIC.batchLatency, MetricUnit.Milliseconds, Date.now() - t0);
  logger.info('batch normalized', {
    received: event.Records.length,
    published: pub.published.length,
    parked: park.parked.length,
    failed: pub.failed.length + park.failed.length,
  });
  return { batchItemFailures: [...pub.failed, ...park.failed].map((f) => ({ itemIdentifier: f.id })) };
}

export type { NormalizeDeps };
export { normalizeBatch };
