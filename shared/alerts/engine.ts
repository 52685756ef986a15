/**
 * One alert (rule × event) from decision to confirmed publish, shared by the function and the dry
 * run. The scheme ("claim, decide, publish, confirm"):
 *
 * 1. **claim** the dedup record for (rule, event hash) with a lease that outlives this invocation
 *    but not the SQS visibility timeout. Done before → `duplicate` (acknowledged, nothing sent).
 *    Leased by a live invocation → `retry` (SQS brings it back; by then it is done or free).
 * 2. **decide**: the throttle window for (rule, key values) is opened by this alert (send, carrying
 *    what the previous window suppressed) or already open (count it, mark the dedup record done as
 *    `suppressed`). A retry after a partial failure reuses the stored decision.
 * 3. **publish** every channel not yet published, in parallel, one Publish per channel topic.
 * 4. **confirm**: all published → mark done. Some failed → give the lease back recording the
 *    channels that did go out and the decision, and report `retry`: the redelivery publishes only
 *    the missing channels, with the same text.
 *
 * What this cannot rule out (documented in docs/alerts.md): a process crash or a lost Publish
 * response *between* SNS accepting a message and the DynamoDB confirmation; the retry then
 * publishes that channel again (SNS Publish has no idempotency key on standard topics). The chat
 * and ticket payloads carry a stable `alertId` so a receiver can drop such a repeat.
 */
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { toError } from '../errors.js';
import type { SecurityEvent } from '../model/security-event.js';
import { alertId, dedupKey, throttleKey } from './identity.js';
import { type AlertMessages, publishInput, renderAlert } from './messages.js';
import type { AlertPublisher } from './sns-publisher.js';
import type { AlertStore } from './store.js';
import type { AlertRule, Channel, RuleSettings } from './types.js';
import { buildView, type Suppression } from './view.js';

interface EngineDeps {
  readonly settings: RuleSettings;
  readonly store: AlertStore;
  readonly publish: AlertPublisher;
  /** topic ARN per channel; every channel an enabled rule uses must be present (checked at cold start) */
  readonly topicArns: Readonly<Partial<Record<Channel, string>>>;
  /** lease owner: the invocation's request id */
  readonly owner: string;
  /** absolute time (epoch ms) until which a claim is held: past this invocation's end */
  readonly leaseUntilMs: number;
  readonly now: () => number;
}

interface Published {
  readonly channel: Channel;
  readonly input: PublishCommandInput;
  readonly messageId: string;
}

interface AlertOutcome {
  readonly rule: AlertRule;
  readonly alertId: string;
  /**
   * - sent: every channel is published (now or by an earlier attempt)
   * - suppressed: throttled inside an open window (counted for the next alert)
   * - duplicate: this rule already handled this event (a redelivery or repeat)
   * - retry: not finished; report the SQS record as a batch item failure
   */
  readonly kind: 'sent' | 'suppressed' | 'duplicate' | 'retry';
  /** channels published in this attempt */
  readonly published: readonly Published[];
  readonly failed: readonly { readonly channel: Channel; readonly error: string }[];
  /** rendered messages (sent or retry after the decision) */
  readonly messages: AlertMessages | null;
  /** sent: what the previous window suppressed; suppressed: the open window's count so far */
  readonly suppressedCount: number;
  /** why a retry is needed, or a non-fatal problem (confirmation write failed after publishing) */
  readonly note: string | null;
}

/** Evaluate-and-deliver one alert. Never throws: store or SNS problems become `retry`. */
async function processAlert(rule: AlertRule, event: SecurityEvent, d: EngineDeps): Promise<AlertOutcome> {
  const now = d.now();
  const dk = dedupKey(rule, event);
  const base = { rule, alertId: alertId(rule, event), published: [], failed: [], messages: null, suppressedCount: 0 };
  const retry = (note: string): AlertOutcome => ({ ...base, kind: 'retry', note });

  let claim: Awaited<ReturnType<AlertStore['claim']>>;
  try {
    claim = await d.store.claim(dk, d.owner, now, d.leaseUntilMs);
  } catch (e) {
    return retry(`dedup store unavailable: ${toError(e).message}`);
  }
  if (claim.kind === 'done') return { ...base, kind: 'duplicate', note: `already ${claim.outcome}` };
  if (claim.kind === 'busy') return retry('another invocation holds this alert; it will be checked again');

  let decision: Suppression | null = claim.decision;
  let threadId: string | null = null;
  if (rule.throttle) {
    threadId = throttleKey(rule, buildView(event, rule, null, now, { scrub: false }));
    if (decision === null && threadId !== null) {
      try {
        const t = await d.store.throttle(threadId, dk, now, rule.throttle.windowMs);
        if (t.kind === 'suppressed') {
          let note: string | null = null;
          try {
            await d.store.finish(dk, d.owner, 'suppressed', [], now);
          } catch (e) {
            note = `suppressed, but marking it failed: ${toError(e).message}`;
          }
          return { ...base, kind: 'suppressed', suppressedCount: t.count, note };
        }
        decision = t.suppression;
      } catch (e) {
        await d.store.release(dk, d.owner, claim.sent, null).catch(() => undefined);
        return retry(`throttle store unavailable: ${toError(e).message}`);
      }
    }
  }
  decision ??= { count: 0, sinceMs: now };

  const messages = renderAlert({
    rule,
    event,
    settings: d.settings,
    alertId: base.alertId,
    threadId: threadId === null ? null : threadId.slice(threadId.lastIndexOf('#') + 1),
    suppression: decision,
    nowMs: now,
  });
  const todo = rule.channels.filter((c) => !claim.sent.includes(c));
  const results = await Promise.allSettled(
    todo.map(async (channel): Promise<Published> => {
      const topic = d.topicArns[channel];
      if (!topic) throw new Error(`no topic configured for channel ${channel}`);
      const input = publishInput(channel, topic, messages);
      return { channel, input, messageId: await d.publish(input) };
    }),
  );
  const published: Published[] = [];
  const failed: { channel: Channel; error: string }[] = [];
  results.forEach((r, i) => {
    const channel = todo[i] as Channel;
    if (r.status === 'fulfilled') published.push(r.value);
    else failed.push({ channel, error: toError(r.reason).message });
  });
  const sent = [...claim.sent, ...published.map((p) => p.channel)];
  const out = { ...base, published, failed, messages, suppressedCount: decision.count };
  if (failed.length) {
    let note = `${failed.length} channel(s) not published; the retry sends only those`;
    try {
      await d.store.release(dk, d.owner, sent, decision);
    } catch (e) {
      note += ` (releasing the lease failed: ${toError(e).message}; the retry waits for it to lapse)`;
    }
    return { ...out, kind: 'retry', note };
  }
  try {
    await d.store.finish(dk, d.owner, 'sent', sent, now);
    return { ...out, kind: 'sent', note: null };
  } catch (e) {
    // published: acknowledge anyway; retrying now would be the very duplicate this prevents
    return { ...out, kind: 'sent', note: `published, but confirming it failed: ${toError(e).message}` };
  }
}

export type { AlertOutcome, EngineDeps, Published };
export { processAlert };
