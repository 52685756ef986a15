/**
 * One alert (rule × event) from decision to confirmed publish, shared by the function, the sweep
 * and the dry run. The scheme ("claim, decide, publish, confirm"):
 *
 * 1. **claim** the dedup record for (rule, event hash) with a lease that outlives this invocation
 *    but not the SQS visibility timeout. Done before → `duplicate` (acknowledged, nothing sent).
 *    Leased by a live invocation → `retry` (SQS brings it back; by then it is done or free).
 * 2. **decide**, each step one conditional write:
 *    - the throttle window for (rule, event id, key values): opened by this alert (send), open but
 *      this match is more severe than anything sent in it (send), or open (suppressed: counted
 *      with what it was, for the window's summary);
 *    - the rule's rate cap, then each channel's: within the cap (send), or beyond it (held: counted
 *      for that window's summary; a channel-held alert still goes to its other channels);
 *    - a window that closed still owing its summary is summarized first (`summarizeWindow`), so a
 *      summary always precedes the next window's alerts.
 *    A retry after a partial failure reuses the stored decision.
 * 3. **publish** every channel not yet published and not held, in parallel, one Publish per topic.
 * 4. **confirm**: all published → mark done. Some failed → give the lease back recording the
 *    channels that did go out and the decision, and report `retry`: the redelivery publishes only
 *    the missing channels, with the same text.
 *
 * Summaries (`summarizeWindow`) follow the same claim/publish/confirm steps under their own dedup
 * key (window key + window start), then clear the window's due marker; the periodic sweep
 * (`sweepDueWindows`) sends those no later event triggered.
 *
 * What this cannot rule out (documented in docs/alerts.md): a process crash or a lost Publish
 * response *between* SNS accepting a message and the DynamoDB confirmation; the retry then
 * publishes that channel again (SNS Publish has no idempotency key on standard topics). The chat
 * and ticket payloads carry a stable `alertId` so a receiver can drop such a repeat.
 */
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { toError } from '../errors.js';
import type { SecurityEvent } from '../model/security-event.js';
import { alertId, dedupKey, type IdKey, rawKeyValue, threadOf, throttleKey } from './identity.js';
import { type AlertMessages, publishInput, renderAlert } from './messages.js';
import type { AlertPublisher } from './sns-publisher.js';
import type { AlertStore, ClaimResult, Decision, HeldWindow, HoldInput } from './store.js';
import { entryOf, openEntry, renderSummary, type SummaryEntry, sealEntry } from './summary.js';
import { compileTemplate, pathText } from './template.js';
import { type AlertRule, CHANNELS, type Channel, type RateCap, type RuleSettings } from './types.js';
import { BUILTIN_TEMPLATES } from './validate.js';

interface EngineDeps {
  readonly settings: RuleSettings;
  readonly store: AlertStore;
  readonly publish: AlertPublisher;
  /** the per-deployment identity key (ids, hashes, sealed summary entries) */
  readonly key: IdKey;
  /** every enabled rule (a summary finds its window's rule by id) */
  readonly rules: readonly AlertRule[];
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

interface SummaryOutcome {
  readonly windowKey: string;
  readonly window: HeldWindow | null;
  readonly rule: AlertRule | null;
  readonly alertId: string;
  /** sent: published on every channel; duplicate: already sent; none: nothing owed; retry: not finished */
  readonly kind: 'sent' | 'duplicate' | 'none' | 'retry';
  readonly published: readonly Published[];
  readonly failed: readonly { readonly channel: Channel; readonly error: string }[];
  readonly messages: AlertMessages | null;
  /** entries that could not be opened (sealed under another key): counted, not listed */
  readonly unreadable: number;
  readonly note: string | null;
}

interface AlertOutcome {
  readonly rule: AlertRule;
  readonly alertId: string;
  /**
   * - sent: every channel not held is published (now or by an earlier attempt)
   * - suppressed: throttled inside an open window (in that window's summary)
   * - held: the rule's rate cap (or every channel's) held it back (in that window's summary)
   * - duplicate: this rule already handled this event (a redelivery or repeat)
   * - retry: not finished; report the SQS record as a batch item failure
   */
  readonly kind: 'sent' | 'suppressed' | 'held' | 'duplicate' | 'retry';
  /** channels published in this attempt */
  readonly published: readonly Published[];
  readonly failed: readonly { readonly channel: Channel; readonly error: string }[];
  /** channels a rate cap held back (sent: some channels; held: all) */
  readonly heldChannels: readonly Channel[];
  /** rendered messages (sent or retry after the decision) */
  readonly messages: AlertMessages | null;
  /** sent: what the previous window suppressed; suppressed: the open window's count so far */
  readonly suppressedCount: number;
  /** summaries of closed windows this alert had to send first */
  readonly summaries: readonly SummaryOutcome[];
  /** why a retry is needed, or a non-fatal problem (confirmation write failed after publishing) */
  readonly note: string | null;
}

/** Summaries a decision may trigger before giving up for this attempt (each closes a window). */
const MAX_SUMMARIES_PER_DECISION = 3;

/** Publish `channels` in parallel; what went out and what failed. */
async function publishAll(
  channels: readonly Channel[],
  messages: AlertMessages,
  d: EngineDeps,
): Promise<{ published: Published[]; failed: { channel: Channel; error: string }[] }> {
  const results = await Promise.allSettled(
    channels.map(async (channel): Promise<Published> => {
      const topic = d.topicArns[channel];
      if (!topic) throw new Error(`no topic configured for channel ${channel}`);
      const input = publishInput(channel, topic, messages);
      return { channel, input, messageId: await d.publish(input) };
    }),
  );
  const published: Published[] = [];
  const failed: { channel: Channel; error: string }[] = [];
  results.forEach((r, i) => {
    const channel = channels[i] as Channel;
    if (r.status === 'fulfilled') published.push(r.value);
    else failed.push({ channel, error: toError(r.reason).message });
  });
  return { published, failed };
}

/** The throttle key as text for the summary (`event.host=vault-01`), sealed for storage. */
function keyTextOf(rule: AlertRule, e: SecurityEvent, key: IdKey): string | null {
  if (!rule.throttle || rule.throttle.key.length === 0) return null;
  const text = rule.throttle.key.map((p) => `${pathText(p)}=${rawKeyValue(e, p).slice(0, 120)}`).join(', ');
  return key.sealText(text);
}

/** A stand-in rule for a window whose rule is gone (removed from the file) or a channel cap. */
function standInRule(w: HeldWindow, d: EngineDeps): AlertRule {
  const channels = w.kind === 'channel-cap' && w.channel ? [w.channel] : CHANNELS.filter((c) => d.topicArns[c]);
  const name =
    w.kind === 'channel-cap' ? `${w.channel} channel rate cap` : `rule ${w.ruleId} (no longer in the rules file)`;
  return {
    id: w.kind === 'channel-cap' ? `rate-cap-${w.channel}` : w.ruleId || 'unknown-rule',
    name,
    description: '',
    level: 'high',
    match: [],
    channels,
    throttle: null,
    rateCap: null,
    // summaries have their own built-in format; the rule's templates are never read
    templates: {
      sms: compileTemplate(BUILTIN_TEMPLATES.sms),
      emailSubject: compileTemplate(BUILTIN_TEMPLATES.emailSubject),
      emailBody: compileTemplate(BUILTIN_TEMPLATES.emailBody),
      chat: null,
      ticket: null,
    },
    index: -1,
  };
}

/**
 * Send the summary of a closed window that owes one (idempotent: its own dedup key; a window not
 * due, or not closed yet, is `none`). Never throws.
 */
async function summarizeWindow(windowKey: string, d: EngineDeps): Promise<SummaryOutcome> {
  const now = d.now();
  const base = {
    windowKey,
    window: null,
    rule: null,
    alertId: '',
    published: [],
    failed: [],
    messages: null,
    unreadable: 0,
  };
  let w: HeldWindow | null;
  try {
    w = await d.store.readWindow(windowKey);
  } catch (e) {
    return { ...base, kind: 'retry', note: `window store unavailable: ${toError(e).message}` };
  }
  if (!w?.due || w.windowEnd > now) return { ...base, window: w, kind: 'none', note: null };
  const found = w.kind === 'channel-cap' ? undefined : d.rules.find((r) => r.id === w.ruleId);
  const rule = found ?? standInRule(w, d);
  const id = `${windowKey}#${w.windowStart}`;
  const dk = `D#summary#${d.key.hash(id)}`;
  const sid = d.key.hex(`summary\n${id}`);
  const out = { ...base, window: w, rule, alertId: sid };
  const close = async (): Promise<string | null> => {
    try {
      await d.store.closeWindow(windowKey, (w as HeldWindow).windowStart, now);
      return null;
    } catch (e) {
      return `summary sent, but clearing the window's due marker failed: ${toError(e).message}`;
    }
  };
  let claim: ClaimResult;
  try {
    claim = await d.store.claim(dk, d.owner, now, d.leaseUntilMs);
  } catch (e) {
    return { ...out, kind: 'retry', note: `dedup store unavailable: ${toError(e).message}` };
  }
  if (claim.kind === 'done') return { ...out, kind: 'duplicate', note: await close() };
  if (claim.kind === 'busy') return { ...out, kind: 'retry', note: 'another invocation is sending this summary' };
  const entries: SummaryEntry[] = [];
  let unreadable = 0;
  for (const s of w.entries) {
    const e = openEntry(d.key, s);
    if (e) entries.push(e);
    else unreadable++;
  }
  let keyText: string | null = null;
  if (w.keyText) {
    try {
      keyText = d.key.openText(w.keyText);
    } catch {
      // sealed under a previous secret: the summary says "throttled" without the key values
      keyText = null;
    }
  }
  const cap: RateCap | null =
    w.kind === 'rule-cap'
      ? rule.rateCap
      : w.kind === 'channel-cap' && w.channel
        ? d.settings.channelRateCaps[w.channel]
        : null;
  const messages = renderSummary({
    rule,
    window: w,
    entries,
    keyText,
    cap,
    settings: d.settings,
    alertId: sid,
    threadId: w.kind === 'throttle' ? threadOf(windowKey) : `${rule.id}-summary`,
  });
  const todo = rule.channels.filter((c) => !claim.sent.includes(c));
  const { published, failed } = await publishAll(todo, messages, d);
  const sent = [...claim.sent, ...published.map((p) => p.channel)];
  const result = { ...out, published, failed, messages, unreadable };
  if (failed.length) {
    await d.store.release(dk, d.owner, sent, null).catch(() => undefined);
    return {
      ...result,
      kind: 'retry',
      note: `${failed.length} channel(s) of the summary not published; retried later`,
    };
  }
  let note: string | null = null;
  try {
    await d.store.finish(dk, d.owner, 'sent', sent, now);
  } catch (e) {
    note = `summary published, but confirming it failed: ${toError(e).message}`;
  }
  return { ...result, kind: 'sent', note: (await close()) ?? note };
}

/**
 * The periodic sweep: summarize every window that closed (a grace period ago, for clock skew
 * between instances) and still owes its summary, until `deadlineMs`. Never throws.
 */
async function sweepDueWindows(
  d: EngineDeps,
  deadlineMs: number,
  o: { readonly graceMs?: number; readonly limit?: number } = {},
): Promise<{ readonly summaries: SummaryOutcome[]; readonly error: string | null }> {
  const summaries: SummaryOutcome[] = [];
  let keys: string[];
  try {
    keys = await d.store.dueWindows(d.now() - (o.graceMs ?? 0), o.limit ?? 50);
  } catch (e) {
    return { summaries, error: `listing due windows failed: ${toError(e).message}` };
  }
  for (const k of keys) {
    if (Date.now() >= deadlineMs) break;
    summaries.push(await summarizeWindow(k, d));
  }
  return { summaries, error: null };
}

// summaries in progress in this process, per store and window key
const SUMMARIES_IN_PROGRESS = new WeakMap<AlertStore, Map<string, Promise<SummaryOutcome>>>();

/**
 * summarizeWindow, once per window at a time in this process: a second caller while the first is in
 * progress gets the same outcome with `mine: false`.
 */
async function summarizeOnce(windowKey: string, d: EngineDeps): Promise<{ outcome: SummaryOutcome; mine: boolean }> {
  let inProgress = SUMMARIES_IN_PROGRESS.get(d.store);
  if (!inProgress) {
    inProgress = new Map();
    SUMMARIES_IN_PROGRESS.set(d.store, inProgress);
  }
  const running = inProgress.get(windowKey);
  if (running) return { outcome: await running, mine: false };
  const p = summarizeWindow(windowKey, d);
  inProgress.set(windowKey, p);
  try {
    return { outcome: await p, mine: true };
  } finally {
    inProgress.delete(windowKey);
  }
}

/** Evaluate-and-deliver one alert. Never throws: store or SNS problems become `retry`. */
async function processAlert(rule: AlertRule, event: SecurityEvent, d: EngineDeps): Promise<AlertOutcome> {
  const now = d.now();
  const dk = dedupKey(d.key, rule, event);
  const summaries: SummaryOutcome[] = [];
  const base = {
    rule,
    alertId: alertId(d.key, rule, event),
    published: [],
    failed: [],
    heldChannels: [],
    messages: null,
    suppressedCount: 0,
    summaries,
  };
  const retry = (note: string): AlertOutcome => ({ ...base, kind: 'retry', note });

  let claim: ClaimResult;
  try {
    claim = await d.store.claim(dk, d.owner, now, d.leaseUntilMs);
  } catch (e) {
    return retry(`dedup store unavailable: ${toError(e).message}`);
  }
  if (claim.kind === 'done') return { ...base, kind: 'duplicate', note: `already ${claim.outcome}` };
  if (claim.kind === 'busy') return retry('another invocation holds this alert; it will be checked again');

  const tk = throttleKey(d.key, rule, event);
  let decision: Decision | null = claim.decision;
  if (decision === null) {
    const entry = sealEntry(d.key, entryOf(event, rule.id));
    const hold = (kind: HoldInput['kind'], channel: Channel | null = null): HoldInput => ({
      entry,
      kind,
      ruleId: rule.id,
      channel,
      keyText: kind === 'throttle' ? keyTextOf(rule, event, d.key) : null,
    });
    const giveBack = async (why: string): Promise<AlertOutcome> => {
      await d.store.release(dk, d.owner, claim.kind === 'claimed' ? claim.sent : [], null).catch(() => undefined);
      return retry(why);
    };
    const finishHeld = async (outcome: 'suppressed' | 'held', count: number, heldChannels: readonly Channel[]) => {
      let note: string | null = null;
      try {
        await d.store.finish(dk, d.owner, outcome, [], now);
      } catch (e) {
        note = `${outcome}, but marking it failed: ${toError(e).message}`;
      }
      return { ...base, kind: outcome, suppressedCount: count, heldChannels, note } satisfies AlertOutcome;
    };
    // a closed window owing its summary: summarize it, then decide again (bounded). Alerts decided
    // concurrently (other rules, other channels) that find the same window due wait for the one
    // summary in progress instead of racing for its claim; only the alert that sent it reports it.
    const summarizeDue = async (key: string): Promise<string | null> => {
      const { outcome: s, mine } = await summarizeOnce(key, d);
      if (mine) summaries.push(s);
      return s.kind === 'retry' ? `the summary of a closed window is not out yet: ${s.note ?? ''}` : null;
    };
    try {
      let reported = { count: 0, sinceMs: now };
      if (rule.throttle && tk !== null) {
        for (let i = 0; ; i++) {
          const t = await d.store.throttle(tk, dk, now, rule.throttle.windowMs, event.cefSeverity, hold('throttle'));
          if (t.kind === 'suppressed') return await finishHeld('suppressed', t.count, []);
          if (t.kind === 'open') reported = t.suppression;
          if (t.kind !== 'due') break;
          const why = i < MAX_SUMMARIES_PER_DECISION ? await summarizeDue(tk) : 'throttle window kept owing a summary';
          if (why) return await giveBack(why);
        }
      }
      if (rule.rateCap) {
        const key = `C#rule#${rule.id}`;
        for (let i = 0; ; i++) {
          const r = await d.store.rateCap(key, now, rule.rateCap.windowMs, rule.rateCap.max, hold('rule-cap'));
          if (r.kind === 'held') return await finishHeld('held', r.count, rule.channels);
          if (r.kind === 'ok') break;
          const why = i < MAX_SUMMARIES_PER_DECISION ? await summarizeDue(key) : 'rate-cap window kept owing a summary';
          if (why) return await giveBack(why);
        }
      }
      // each channel's cap is its own counter: all of them are taken at once (one round trip, not
      // one per channel); a channel whose window owes a summary first gives the alert back
      const capped = rule.channels.filter((ch) => d.settings.channelRateCaps[ch] && !claim.sent.includes(ch));
      const caps = await Promise.allSettled(
        capped.map(async (ch): Promise<{ held: boolean; why: string | null }> => {
          const cap = d.settings.channelRateCaps[ch] as RateCap;
          const key = `C#channel#${ch}`;
          for (let i = 0; ; i++) {
            const r = await d.store.rateCap(key, now, cap.windowMs, cap.max, hold('channel-cap', ch));
            if (r.kind !== 'due') return { held: r.kind === 'held', why: null };
            const why =
              i < MAX_SUMMARIES_PER_DECISION ? await summarizeDue(key) : 'channel cap window kept owing a summary';
            if (why) return { held: false, why };
          }
        }),
      );
      const rejected = caps.filter((c) => c.status === 'rejected');
      if (rejected.length > 0) {
        const more = rejected.length > 1 ? ` (and ${rejected.length - 1} more channel cap(s) failing)` : '';
        throw new Error(`${toError(rejected[0]?.reason).message}${more}`, { cause: rejected[0]?.reason });
      }
      const decided = caps.map((c) => (c as PromiseFulfilledResult<{ held: boolean; why: string | null }>).value);
      const why = decided.find((c) => c.why !== null)?.why;
      if (why) return await giveBack(why);
      const held: Channel[] = capped.filter((_, i) => decided[i]?.held === true);
      decision = { ...reported, held };
    } catch (e) {
      return await giveBack(`throttle/rate-cap store unavailable: ${toError(e).message}`);
    }
  }

  const todo = rule.channels.filter((c) => !claim.sent.includes(c) && !decision.held.includes(c));
  if (todo.length === 0 && claim.sent.length === 0) {
    // every channel's cap held it back: it is in those windows' summaries
    try {
      await d.store.finish(dk, d.owner, 'held', [], now);
      return { ...base, kind: 'held', heldChannels: decision.held, note: null };
    } catch (e) {
      return {
        ...base,
        kind: 'held',
        heldChannels: decision.held,
        note: `held, but marking it failed: ${toError(e).message}`,
      };
    }
  }
  const messages = renderAlert({
    rule,
    event,
    settings: d.settings,
    alertId: base.alertId,
    threadId: tk === null ? null : threadOf(tk),
    suppression: decision,
    nowMs: now,
  });
  const { published, failed } = await publishAll(todo, messages, d);
  const sent = [...claim.sent, ...published.map((p) => p.channel)];
  const out = { ...base, published, failed, messages, heldChannels: decision.held, suppressedCount: decision.count };
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

export type { AlertOutcome, EngineDeps, Published, SummaryOutcome };
export { processAlert, summarizeWindow, sweepDueWindows };
