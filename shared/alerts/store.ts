/**
 * The dedup + throttle + rate-cap store contract, and an in-memory implementation with the same
 * semantics (dry run, unit tests). The DynamoDB implementation is `dynamodb-store.ts`.
 *
 * Three kinds of records:
 * - **dedup** (one per rule × event, and one per summary): `pending` while an invocation holds its
 *   lease, then `done` (sent, suppressed or held). It remembers which channels were already
 *   published and the decision, so a retry after a partial failure publishes only what is missing,
 *   with the same text.
 * - **throttle window** (one per rule × event id × throttle-key values): the current window (start,
 *   end, which alert opened it, the highest severity sent in it), the count of matches suppressed
 *   in it with a bounded set of sealed entries (what they were), and the count reported by the
 *   alert that opened it ("+N similar in the last X min").
 * - **rate-cap window** (one per rule, one per channel): a fixed window, the alerts sent in it, and
 *   the matches held beyond the cap (count + sealed entries).
 *
 * A window holding suppressed or held matches is **due** (`dueAt` = its end) until its summary is
 * sent. Whoever touches it first after it closes sends the summary: the next match for that key
 * (the store answers `due`, the engine summarizes, then decides), or the periodic sweep, which
 * lists due windows (`dueWindows`) so the summary goes out even if no further event arrives. A due
 * window is never reopened before its summary is out.
 */
import type { Channel } from './types.js';
import type { Suppression } from './view.js';

/** Dedup records outlive SQS's longest retention (14 days), so no redelivery or redrive resends. */
const DEDUP_RETENTION_MS = 15 * 86_400_000;
/** A window record outlives its window by this much, so its counts reach the next alert and the summary. */
const THROTTLE_RETENTION_MS = 7 * 86_400_000;
/** Sealed entries kept per window for its summary (distinct values; the count goes on). */
const MAX_WINDOW_ENTRIES = 20;

/** What kind of window held matches back. */
type HoldKind = 'throttle' | 'rule-cap' | 'channel-cap';

/** The decision an alert acted on (kept across retries). */
interface Decision extends Suppression {
  /** channels whose rate cap held this alert back (not published; in their window's summary) */
  readonly held: readonly Channel[];
}

type ClaimResult =
  /** this invocation may act; `sent`/`decision` carry a previous attempt's progress */
  | { readonly kind: 'claimed'; readonly sent: readonly Channel[]; readonly decision: Decision | null }
  /** already handled: never again */
  | { readonly kind: 'done'; readonly outcome: DoneOutcome }
  /** another invocation holds a live lease on it: try again later */
  | { readonly kind: 'busy' };

type DoneOutcome = 'sent' | 'suppressed' | 'held';

/** A match being counted into a window: its sealed summary entry and what the window is for. */
interface HoldInput {
  /** sealed `[eventId, target, command]` */
  readonly entry: string;
  readonly kind: HoldKind;
  readonly ruleId: string;
  /** channel-cap windows: the channel */
  readonly channel: Channel | null;
  /** throttle windows: the sealed key description (`event.host=vault-01`), for the summary */
  readonly keyText: string | null;
}

type ThrottleResult =
  /** send: the window is (now) this alert's; `suppression` is what the previous window suppressed */
  | { readonly kind: 'open'; readonly suppression: Suppression }
  /** send: the window is open, but this match is more severe than anything sent in it */
  | { readonly kind: 'escalate' }
  /** suppressed inside someone else's window; `count` is the window's count including this one */
  | { readonly kind: 'suppressed'; readonly count: number }
  /** the previous window closed with matches not yet summarized: summarize it first, then retry */
  | { readonly kind: 'due' };

type CapResult =
  | { readonly kind: 'ok' }
  /** over the cap: held in the window; `count` is the window's held count including this one */
  | { readonly kind: 'held'; readonly count: number }
  /** the previous window closed with held matches not yet summarized: summarize it first, then retry */
  | { readonly kind: 'due' };

/** A window with held matches, as the summary reads it. */
interface HeldWindow {
  readonly pk: string;
  readonly kind: HoldKind;
  readonly ruleId: string;
  readonly channel: Channel | null;
  readonly keyText: string | null;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** matches suppressed or held in the window */
  readonly count: number;
  /** sealed entries (distinct, at most MAX_WINDOW_ENTRIES) */
  readonly entries: readonly string[];
  /** its summary is not sent yet */
  readonly due: boolean;
}

interface AlertStore {
  /** Take the lease on a dedup record (created when absent or expired). */
  claim(dedupKey: string, owner: string, nowMs: number, leaseUntilMs: number): Promise<ClaimResult>;
  /**
   * Open the throttle window for this alert, let a more severe match through, or count it as
   * suppressed (with its entry). Idempotent for the alert that opened the window.
   */
  throttle(
    throttleKey: string,
    dedupKey: string,
    nowMs: number,
    windowMs: number,
    severity: number,
    hold: HoldInput,
  ): Promise<ThrottleResult>;
  /** Count one alert against a fixed-window rate cap, or hold it (with its entry) beyond `max`. */
  rateCap(capKey: string, nowMs: number, windowMs: number, max: number, hold: HoldInput): Promise<CapResult>;
  /** Mark the dedup record done (only while holding the lease). */
  finish(dedupKey: string, owner: string, outcome: DoneOutcome, sent: readonly Channel[], nowMs: number): Promise<void>;
  /**
   * Give the lease back after a failure, keeping progress and the decision (null: none was made yet)
   * so the retry publishes only what is missing, with the same text.
   */
  release(dedupKey: string, owner: string, sent: readonly Channel[], decision: Decision | null): Promise<void>;
  /** Keys of windows that closed at or before `nowMs` and still owe a summary (at most `limit`). */
  dueWindows(nowMs: number, limit: number): Promise<string[]>;
  /** A window record (consistent read), or null. */
  readWindow(key: string): Promise<HeldWindow | null>;
  /** The summary of the window that started at `windowStart` is out: it is no longer due. */
  closeWindow(key: string, windowStart: number, nowMs: number): Promise<void>;
}

interface DedupRecord {
  state: 'pending' | 'done';
  owner: string;
  leaseUntil: number;
  expiresAt: number;
  sent: Channel[];
  decision: Decision | null;
  outcome: DoneOutcome | null;
}

interface WindowRecord {
  kind: HoldKind;
  ruleId: string;
  channel: Channel | null;
  keyText: string | null;
  windowStart: number;
  windowEnd: number;
  /** throttle: which alert opened the window, and the highest severity sent in it */
  openedBy: string;
  severity: number;
  /** rate caps: alerts sent in the window */
  sentCount: number;
  /** suppressed (throttle) or held (caps) */
  held: number;
  entries: Set<string>;
  reported: number;
  reportedSince: number;
  dueAt: number | null;
}

function addEntry(w: WindowRecord, entry: string): void {
  if (w.entries.size < MAX_WINDOW_ENTRIES) w.entries.add(entry);
}

function markDue(w: WindowRecord): void {
  w.dueAt ??= w.windowEnd;
}

/** In-memory store with the DynamoDB store's semantics (single process). */
class MemoryAlertStore implements AlertStore {
  readonly dedup = new Map<string, DedupRecord>();
  readonly windows = new Map<string, WindowRecord>();

  async claim(key: string, owner: string, now: number, leaseUntil: number): Promise<ClaimResult> {
    const r = this.dedup.get(key);
    if (!r || r.expiresAt < now) {
      this.dedup.set(key, {
        state: 'pending',
        owner,
        leaseUntil,
        expiresAt: now + DEDUP_RETENTION_MS,
        sent: [],
        decision: null,
        outcome: null,
      });
      return { kind: 'claimed', sent: [], decision: null };
    }
    if (r.state === 'done') return { kind: 'done', outcome: r.outcome ?? 'sent' };
    if (r.leaseUntil >= now) return { kind: 'busy' };
    r.owner = owner;
    r.leaseUntil = leaseUntil;
    return { kind: 'claimed', sent: [...r.sent], decision: r.decision };
  }

  private fresh(hold: HoldInput, start: number, end: number, prev: WindowRecord | undefined): WindowRecord {
    return {
      kind: hold.kind,
      ruleId: hold.ruleId,
      channel: hold.channel,
      keyText: hold.keyText,
      windowStart: start,
      windowEnd: end,
      openedBy: '',
      severity: -1,
      sentCount: 0,
      held: 0,
      entries: new Set(),
      reported: prev?.held ?? 0,
      reportedSince: prev?.windowStart ?? start,
      dueAt: null,
    };
  }

  async throttle(
    key: string,
    dedupKey: string,
    now: number,
    windowMs: number,
    severity: number,
    hold: HoldInput,
  ): Promise<ThrottleResult> {
    const w = this.windows.get(key);
    if (!w || w.windowEnd <= now) {
      if (w && w.dueAt !== null) return { kind: 'due' };
      const next = this.fresh(hold, now, now + windowMs, w);
      next.openedBy = dedupKey;
      next.severity = severity;
      this.windows.set(key, next);
      return { kind: 'open', suppression: { count: next.reported, sinceMs: next.reportedSince } };
    }
    if (w.openedBy === dedupKey) return { kind: 'open', suppression: { count: w.reported, sinceMs: w.reportedSince } };
    if (severity > w.severity) {
      w.severity = severity;
      return { kind: 'escalate' };
    }
    w.held++;
    addEntry(w, hold.entry);
    markDue(w);
    return { kind: 'suppressed', count: w.held };
  }

  async rateCap(key: string, now: number, windowMs: number, max: number, hold: HoldInput): Promise<CapResult> {
    const start = Math.floor(now / windowMs) * windowMs;
    let w = this.windows.get(key);
    if (!w || w.windowStart < start) {
      if (w && w.dueAt !== null) return { kind: 'due' };
      w = this.fresh(hold, start, start + windowMs, w);
      this.windows.set(key, w);
    }
    if (w.sentCount < max) {
      w.sentCount++;
      return { kind: 'ok' };
    }
    w.held++;
    addEntry(w, hold.entry);
    markDue(w);
    return { kind: 'held', count: w.held };
  }

  async finish(key: string, owner: string, outcome: DoneOutcome, sent: readonly Channel[]): Promise<void> {
    const r = this.dedup.get(key);
    if (!r || r.owner !== owner) return;
    r.state = 'done';
    r.outcome = outcome;
    r.sent = [...sent];
  }

  async release(key: string, owner: string, sent: readonly Channel[], decision: Decision | null): Promise<void> {
    const r = this.dedup.get(key);
    if (!r || r.owner !== owner) return;
    r.leaseUntil = 0;
    r.sent = [...sent];
    if (decision) r.decision = decision;
  }

  async dueWindows(now: number, limit: number): Promise<string[]> {
    return [...this.windows]
      .filter(([, w]) => w.dueAt !== null && w.dueAt <= now)
      .sort((a, b) => (a[1].dueAt as number) - (b[1].dueAt as number))
      .slice(0, limit)
      .map(([k]) => k);
  }

  async readWindow(key: string): Promise<HeldWindow | null> {
    const w = this.windows.get(key);
    if (!w) return null;
    return {
      pk: key,
      kind: w.kind,
      ruleId: w.ruleId,
      channel: w.channel,
      keyText: w.keyText,
      windowStart: w.windowStart,
      windowEnd: w.windowEnd,
      count: w.held,
      entries: [...w.entries],
      due: w.dueAt !== null,
    };
  }

  async closeWindow(key: string, windowStart: number, _nowMs?: number): Promise<void> {
    const w = this.windows.get(key);
    if (w && w.windowStart === windowStart) w.dueAt = null;
  }
}

export type {
  AlertStore,
  CapResult,
  ClaimResult,
  Decision,
  DoneOutcome,
  HeldWindow,
  HoldInput,
  HoldKind,
  ThrottleResult,
};
export { DEDUP_RETENTION_MS, MAX_WINDOW_ENTRIES, MemoryAlertStore, THROTTLE_RETENTION_MS };
