/**
 * The periodic sweep (an EventBridge schedule invokes evaluate-alerts every minute; `npm start`
 * does the same locally): every throttle or rate-cap window that closed with suppressed or held
 * matches and whose summary is not out yet gets it now, so a summary is sent even when no further
 * event touches that key. The next event for a key would send it too (whichever comes first; both
 * use the summary's own dedup key, so it goes out once).
 *
 * A window is swept `SWEEP_GRACE_MS` after it closes: an instance whose clock runs slightly behind
 * may still count a match into it until then.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
 */
import { type EngineDeps, type SummaryOutcome, sweepDueWindows } from '../../shared/alerts/engine.js';
import { ALERTS_DESTINATION, DIMENSION } from '../../shared/contracts/index.js';
import { logger, METRIC, MetricUnit, metrics } from '../../shared/observability/index.js';

/** Seconds a closed window waits before the sweep summarizes it. */
const SWEEP_GRACE_MS = 5_000;
/** Windows summarized per sweep invocation at most (the next sweep takes the rest). */
const SWEEP_LIMIT = 50;

/** What a scheduled invocation looks like (EventBridge scheduled event). */
interface ScheduledInvocation {
  readonly source: string;
  readonly 'detail-type'?: string;
}

/** Is this invocation the schedule (not an SQS batch)? */
function isSweepInvocation(event: unknown): event is ScheduledInvocation {
  if (typeof event !== 'object' || event === null || 'Records' in event) return false;
  const e = event as { source?: unknown; 'detail-type'?: unknown };
  return e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event';
}

interface SweepOutcome {
  readonly summaries: readonly SummaryOutcome[];
  readonly sent: number;
  /** summaries not finished (a publish or the store failed): the next sweep tries again */
  readonly retry: number;
  readonly error: string | null;
}

async function sweep(engine: EngineDeps, deadlineMs: number): Promise<SweepOutcome> {
  const { summaries, error } = await sweepDueWindows(engine, deadlineMs, {
    graceMs: SWEEP_GRACE_MS,
    limit: SWEEP_LIMIT,
  });
  const sent = summaries.filter((s) => s.kind === 'sent').length;
  const retry = summaries.filter((s) => s.kind === 'retry').length;
  for (const s of summaries) {
    const ctx = { windowRule: s.rule?.id, summaryId: s.alertId, windowKind: s.window?.kind, held: s.window?.count };
    if (s.kind === 'sent')
      logger.info('suppression summary sent by the sweep', { ...ctx, channels: s.published.map((p) => p.channel) });
    else if (s.kind === 'retry')
      logger.warn('suppression summary not finished; the next sweep retries', { ...ctx, reason: s.note });
  }
  if (error) logger.error('sweep could not list the due windows; the next sweep retries', { error });
  metrics.addDimension(DIMENSION.destination, ALERTS_DESTINATION);
  metrics.addMetric(METRIC.alertSummariesSent, MetricUnit.Count, sent);
  metrics.addMetric(METRIC.alertsFailed, MetricUnit.Count, retry + (error ? 1 : 0));
  // messages per channel: AWS/SNS NumberOfMessagesPublished of the channel's topic
  logger.info('sweep done', { due: summaries.length, sent, retry });
  return { summaries, sent, retry, error };
}

export type { ScheduledInvocation, SweepOutcome };
export { isSweepInvocation, SWEEP_GRACE_MS, sweep };
