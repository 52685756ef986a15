/**
 * normalize: SQS ingest records → canonical events → SNS events topic.
 * - a record that can never succeed (malformed, schema-invalid, oversize) is parked in the DLQ with
 *   the reason and counted; it is not retried;
 * - a record whose publish failed (or whose DLQ parking failed) is reported in
 *   `batchItemFailures`, so SQS retries it; everything else is acknowledged;
 * - a record that throws unexpectedly (a bug in the parser or the model) never fails its
 *   neighbours: it alone is retried, then parked with code `internal` once it has failed
 *   INTERNAL_PARK_AFTER receives (no longer transient);
 * - publishing and DLQ parking are bounded by the invocation deadline.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { INTERNAL_PARK_AFTER } from '../../shared/deliver/deliver-batch.js';
import { type Parcel, parkInDlq } from '../../shared/deliver/dlq.js';
import {
  attributesOf,
  type Publication,
  publishEvents,
  SNS_MAX_MESSAGE_BYTES,
} from '../../shared/deliver/events-publisher.js';
import { REPLAY_ATTR } from '../../shared/deliver/replay.js';
import { InvalidEventError, toError } from '../../shared/errors.js';
import { payloadOf, provenance } from '../../shared/ingest/sqs-envelope.js';
import { type EventIdKey, withUid } from '../../shared/model/event-uid.js';
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
  /**
   * Stand-in for the parser (fault injection: the pipeline tests make one record throw an
   * unexpected error). @default parseInput
   */
  readonly parse?: typeof parseInput;
  /** key of the stable event ids (model/event-uid.ts); without it events carry no uid */
  readonly eventIdKey?: EventIdKey;
}

async function normalizeBatch(
  event: SQSEvent,
  deps: NormalizeDeps,
  deadlineMs = Number.POSITIVE_INFINITY,
  endMs = deadlineMs,
): Promise<SQSBatchResponse> {
  const pubs: Publication[] = [];
  const parcels: Parcel[] = [];
  const retry: string[] = [];
  const parse = deps.parse ?? parseInput;
  let unknown = 0;
  let internal = 0;
  for (const r of event.Records) {
    try {
      if (r.messageAttributes?.[REPLAY_ATTR.format] !== undefined) {
        // a rendered line would parse as vault CEF and be relayed a second time, changed
        throw new InvalidEventError(
          '(replay)',
          'a replayed rendered line (segura-relay redrive --from-s3) belongs in a destination queue, not the ingest queue',
          'unsupported',
        );
      }
      const prov = provenance(r);
      const payload = payloadOf(r);
      let parsed = parse(payload, {
        receivedAtMs: prov.sentAtMs,
        maxInputBytes: deps.config.maxInputBytes,
      });
      // the stable id comes from the payload as received (before redaction), never from the SQS message
      if (deps.eventIdKey !== undefined) parsed = withUid(deps.eventIdKey, payload, parsed);
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
      // built here so a value SNS cannot carry fails this record alone, not its PublishBatch call
      pubs.push({ id: r.messageId, event: e, message, attributes: attributesOf(e) });
    } catch (err) {
      if (!(err instanceof InvalidEventError)) {
        internal++;
        const e = toError(err);
        const receives = Number(r.attributes?.ApproximateReceiveCount ?? 1) || 1;
        const park = receives >= INTERNAL_PARK_AFTER;
        logger.error(
          park
            ? 'unexpected error on this record again; parked in DLQ as internal'
            : 'unexpected error on this record; SQS will retry it',
          { sqsMessageId: r.messageId, receiveCount: receives, errorName: e.name, error: e.message, stack: e.stack },
        );
        if (park) {
          parcels.push({
            id: r.messageId,
            body: r.body,
            code: 'internal',
            field: '(internal)',
            reason: `${e.name}: ${e.message} (after ${receives} receives)`,
            ...(r.attributes?.MessageGroupId ? { messageGroupId: r.attributes.MessageGroupId } : {}),
          });
        } else {
          retry.push(r.messageId);
        }
        continue;
      }
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
    parkInDlq(deps.sqs, deps.config.deadLetterQueueUrl, deps.functionName, parcels, endMs),
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
  metrics.addMetric(
    METRIC.invalid,
    MetricUnit.Count,
    parcels.length - parcels.filter((p) => p.code === 'internal').length,
  );
  metrics.addMetric(METRIC.internalErrors, MetricUnit.Count, internal);
  metrics.addMetric(METRIC.parked, MetricUnit.Count, park.parked.length);
  metrics.addMetric(METRIC.unknownIds, MetricUnit.Count, unknown);
  metrics.addMetric(METRIC.failed, MetricUnit.Count, pub.failed.length + park.failed.length + retry.length);
  // batch time: AWS/Lambda Duration (free, the same figure)
  logger.info('batch normalized', {
    received: event.Records.length,
    published: pub.published.length,
    parked: park.parked.length,
    failed: pub.failed.length + park.failed.length + retry.length,
  });
  return {
    batchItemFailures: [...pub.failed.map((f) => f.id), ...park.failed.map((f) => f.id), ...retry].map((id) => ({
      itemIdentifier: id,
    })),
  };
}

export type { NormalizeDeps };
export { normalizeBatch };
