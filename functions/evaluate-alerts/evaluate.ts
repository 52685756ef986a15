/**
 * evaluate-alerts: SQS records (canonical events from the events topic, raw message delivery) →
 * rules → dedup/throttle → one SNS Publish per channel topic.
 * - an event that matches no rule is acknowledged;
 * - a malformed wire message is parked in the DLQ with the reason (never retried);
 * - an alert not finished (a Publish failed, the store was unavailable, another invocation holds
 *   it, or the invocation ran out of time) reports its record in `batchItemFailures`; the retry
 *   publishes only what is missing, and alerts already done are not sent again.
 * - a rule that throws while being evaluated on an event (it cannot with the validated rules and the
 *   linear-time regex engine; this is the last line) fails that rule only: the event goes on to the
 *   other rules, and a copy is parked in the DLQ naming the rule (a redrive re-evaluates it; rules
 *   that already alerted are deduplicated);
 * - summaries of closed windows a decision had to send first are logged and counted.
 * The alerts of one rule are decided in record order, one at a time: its throttle windows and its
 * rate cap then count them deterministically. Different rules share no throttle window or rule cap,
 * so their alerts are decided concurrently: a batch's alerts take about as long as its busiest
 * rule's, not the sum of all (docs/performance.md §5). What they can share is a channel's rate cap,
 * a counter DynamoDB updates atomically whoever calls first, as it already is across concurrent
 * invocations; within one batch the alerts of different rules therefore reach a channel cap in no
 * fixed order.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type AlertOutcome, type EngineDeps, processAlert, type SummaryOutcome } from '../../shared/alerts/engine.js';
import { evaluateRules } from '../../shared/alerts/match.js';
import type { AlertRule } from '../../shared/alerts/types.js';
import { ALERTS_DESTINATION, DIMENSION } from '../../shared/contracts/index.js';
import { type Parcel, parkInDlq } from '../../shared/deliver/dlq.js';
import { InvalidEventError } from '../../shared/errors.js';
import { payloadOf } from '../../shared/ingest/sqs-envelope.js';
import type { SecurityEvent } from '../../shared/model/security-event.js';
import { fromWire } from '../../shared/model/wire.js';
import { logger, METRIC, MetricUnit, metrics } from '../../shared/observability/index.js';
import type { EvaluateAlertsConfig } from './config.js';

interface EvaluateDeps {
  readonly config: EvaluateAlertsConfig;
  readonly engine: EngineDeps;
  readonly sqs: SQSClient;
  readonly functionName: string;
  /** absolute Date.now() time after which no new record is started */
  readonly deadlineMs: number;
}

interface EvaluateOutcome extends SQSBatchResponse {
  readonly alerts: readonly (AlertOutcome & { readonly sqsMessageId: string; readonly eventId: string })[];
  /** summaries sent (or attempted) before deciding an alert */
  readonly summaries: readonly SummaryOutcome[];
  /** rule × event evaluations that threw */
  readonly ruleErrors: number;
  readonly parked: number;
}

/** Log one summary outcome and count it; returns whether it still needs a retry. */
function logSummary(s: SummaryOutcome, ctx: Record<string, unknown>): void {
  const base = {
    ...ctx,
    windowRule: s.rule?.id,
    summaryId: s.alertId,
    windowKind: s.window?.kind,
    held: s.window?.count,
  };
  if (s.kind === 'sent')
    logger.info('suppression summary sent', {
      ...base,
      channels: s.published.map((p) => p.channel),
      listed: s.window?.entries.length,
      ...(s.unreadable ? { unreadableEntries: s.unreadable } : {}),
      ...(s.note ? { warning: s.note } : {}),
    });
  else if (s.kind === 'retry')
    logger.warn('suppression summary not finished; retried', {
      ...base,
      reason: s.note,
      failedChannels: s.failed.map((f) => f.channel),
      errors: s.failed.map((f) => f.error),
    });
}

/** One rule matched on one record's event: decided by processAlert. */
interface AlertTask {
  readonly messageId: string;
  readonly event: SecurityEvent;
  readonly rule: AlertRule;
  /** undefined: not started before the deadline */
  outcome?: AlertOutcome;
}

/**
 * Decide every task: one chain per rule, in record order within it, the chains concurrently. A
 * task not started before the deadline keeps no outcome (its record is retried; nothing was
 * claimed for it).
 */
async function decideAll(tasks: readonly AlertTask[], d: EvaluateDeps): Promise<void> {
  const chains = new Map<string, AlertTask[]>();
  for (const t of tasks) {
    const chain = chains.get(t.rule.id);
    if (chain) chain.push(t);
    else chains.set(t.rule.id, [t]);
  }
  await Promise.all(
    [...chains.values()].map(async (chain) => {
      for (const t of chain) {
        if (Date.now() >= d.deadlineMs) return;
        // processAlert never throws: store or SNS problems come back as outcome `retry`
        t.outcome = await processAlert(t.rule, t.event, d.engine);
      }
    }),
  );
}

async function evaluateBatch(event: SQSEvent, d: EvaluateDeps): Promise<EvaluateOutcome> {
  const retry = new Set<string>();
  const parcels: Parcel[] = [];
  const alerts: (AlertOutcome & { sqsMessageId: string; eventId: string })[] = [];
  const summaries: SummaryOutcome[] = [];
  const tasks: AlertTask[] = [];
  let ruleErrors = 0;
  let outOfTime = 0;
  for (const r of event.Records) {
    if (Date.now() >= d.deadlineMs) {
      // nothing claimed for this record yet: SQS simply delivers it again
      retry.add(r.messageId);
      outOfTime++;
      continue;
    }
    let e: ReturnType<typeof fromWire>;
    try {
      e = fromWire(payloadOf(r));
    } catch (err) {
      if (!(err instanceof InvalidEventError)) throw err;
      logger.error('malformed event parked in DLQ', {
        sqsMessageId: r.messageId,
        errorCode: err.code,
        field: err.field,
        reason: err.reason,
      });
      parcels.push({ id: r.messageId, body: r.body, code: err.code, field: err.field, reason: err.reason });
      continue;
    }
    const { matched, failed } = evaluateRules(d.config.rules.rules, e);
    for (const f of failed) {
      ruleErrors++;
      logger.error('rule failed on this event; the other rules go on, a copy is parked in the DLQ', {
        sqsMessageId: r.messageId,
        eventId: e.eventId,
        ruleId: f.rule.id,
        error: `${f.error.name}: ${f.error.message}`,
      });
      parcels.push({
        id: r.messageId,
        body: r.body,
        code: 'rule-failed',
        field: `rule:${f.rule.id}`,
        reason: `${f.error.name}: ${f.error.message}`,
        eventId: e.eventId,
      });
    }
    for (const rule of matched) tasks.push({ messageId: r.messageId, event: e, rule });
  }
  await decideAll(tasks, d);
  // outcomes are logged and counted in record order, whatever order the chains finished in
  const notStarted = new Set<string>();
  for (const t of tasks) {
    const o = t.outcome;
    if (o === undefined) {
      retry.add(t.messageId);
      notStarted.add(t.messageId);
      continue;
    }
    alerts.push({ ...o, sqsMessageId: t.messageId, eventId: t.event.eventId });
    const ctx = { sqsMessageId: t.messageId, eventId: t.event.eventId, ruleId: t.rule.id, alertId: o.alertId };
    for (const s of o.summaries) {
      summaries.push(s);
      logSummary(s, ctx);
    }
    switch (o.kind) {
      // INFO: the batch summary ('batch evaluated') and each alert sent (an action outside the
      // relay, bounded by the rate caps); what was not sent is DEBUG, counted in the metrics
      case 'sent':
        logger.info('alert sent', {
          ...ctx,
          channels: o.published.map((p) => p.channel),
          ...(o.heldChannels.length ? { heldChannels: o.heldChannels } : {}),
          ...(o.messages?.truncated.length ? { truncatedChannels: o.messages.truncated } : {}),
          suppressedBefore: o.suppressedCount,
          ...(o.note ? { warning: o.note } : {}),
        });
        if (o.note) logger.error('alert published but not confirmed in the dedup table', { ...ctx, error: o.note });
        break;
      case 'suppressed':
        logger.debug('alert suppressed by throttle; the window summary will list it', {
          ...ctx,
          suppressedInWindow: o.suppressedCount,
        });
        break;
      case 'held':
        (o.note ? logger.info : logger.debug).call(
          logger,
          'alert held by a rate cap; the cap window summary will list it',
          { ...ctx, heldChannels: o.heldChannels, ...(o.note ? { warning: o.note } : {}) },
        );
        break;
      case 'duplicate':
        logger.debug('alert already handled; not sent again', { ...ctx, reason: o.note });
        break;
      default:
        retry.add(t.messageId);
        logger.warn('alert not finished; SQS will retry', {
          ...ctx,
          reason: o.note,
          failedChannels: o.failed.map((f) => f.channel),
          errors: o.failed.map((f) => f.error),
        });
    }
  }
  outOfTime += notStarted.size;
  const park = await parkInDlq(d.sqs, d.config.deadLetterQueueUrl, d.functionName, parcels);
  for (const f of park.failed) {
    logger.error('DLQ parking failed; SQS will retry', { sqsMessageId: f.id, error: f.error });
    retry.add(f.id);
  }
  const count = (k: AlertOutcome['kind']) => alerts.filter((a) => a.kind === k).length;
  metrics.addDimension(DIMENSION.destination, ALERTS_DESTINATION);
  metrics.addMetric(METRIC.alertsMatched, MetricUnit.Count, alerts.length);
  metrics.addMetric(METRIC.alertsSent, MetricUnit.Count, count('sent'));
  metrics.addMetric(METRIC.alertsSuppressed, MetricUnit.Count, count('suppressed'));
  metrics.addMetric(METRIC.alertsDuplicate, MetricUnit.Count, count('duplicate'));
  metrics.addMetric(METRIC.alertsFailed, MetricUnit.Count, count('retry'));
  metrics.addMetric(METRIC.alertsHeld, MetricUnit.Count, count('held'));
  metrics.addMetric(METRIC.alertSummariesSent, MetricUnit.Count, summaries.filter((s) => s.kind === 'sent').length);
  metrics.addMetric(METRIC.alertRuleErrors, MetricUnit.Count, ruleErrors);
  metrics.addMetric(METRIC.invalid, MetricUnit.Count, parcels.length);
  metrics.addMetric(METRIC.parked, MetricUnit.Count, park.parked.length);
  // events received: AWS/SQS NumberOfMessagesReceived of the alerts queue; duration: AWS/Lambda
  // Duration; messages per channel: AWS/SNS NumberOfMessagesPublished of the channel's topic
  logger.info('batch evaluated', {
    received: event.Records.length,
    matched: alerts.length,
    sent: count('sent'),
    suppressed: count('suppressed'),
    held: count('held'),
    summaries: summaries.filter((x) => x.kind === 'sent').length,
    ruleErrors,
    duplicate: count('duplicate'),
    retry: retry.size,
    parked: park.parked.length,
    ...(outOfTime ? { notStartedBeforeDeadline: outOfTime } : {}),
  });
  return {
    batchItemFailures: [...retry].map((id) => ({ itemIdentifier: id })),
    alerts,
    summaries,
    ruleErrors,
    parked: park.parked.length,
  };
}

export type { EvaluateDeps, EvaluateOutcome };
export { evaluateBatch };
