/**
 * The dedup + throttle store contract, and an in-memory implementation with the same semantics
 * (dry run, unit tests). The DynamoDB implementation is `dynamodb-store.ts`.
 *
 * Two kinds of records:
 * - **dedup** (one per rule × event): `pending` while an invocation holds its lease, then `done`
 *   (sent or suppressed). It remembers which channels were already published and the throttle
 *   decision, so a retry after a partial failure publishes only what is missing, with the same text.
 * - **throttle** (one per rule × throttle-key values): the current window (start, end, which alert
 *   opened it), the count of alerts suppressed in it, and the count reported by the alert that
 *   opened it (the "+N similar in the last X min" of that alert).
 */
import type { Channel } from './types.js';
import type { Suppression } from './view.js';

/** Dedup records outlive SQS's longest retention (14 days), so no redelivery or redrive resends. */
const DEDUP_RETENTION_MS = 15 * 86_400_000;
/** A throttle record outlives its window by this much, so its suppressed count reaches the next alert. */
const THROTTLE_RETENTION_MS = 7 * 86_400_000;

type ClaimResult =
  /** this invocation may act; `sent`/`decision` carry a previous attempt's progress */
  | { readonly kind: 'claimed'; readonly sent: readonly Channel[]; readonly decision: Suppression | null }
  /** already handled: never again */
  | { readonly kind: 'done'; readonly outcome: 'sent' | 'suppressed' }
  /** another invocation holds a live lease on it: try again later */
  | { readonly kind: 'busy' };

type ThrottleResult =
  /** send: the window is (now) this alert's; `suppression` is what the previous window suppressed */
  | { readonly kind: 'open'; readonly suppression: Suppression }
  /** suppressed inside someone else's window; `count` is the window's count including this one */
  | { readonly kind: 'suppressed'; readonly count: number };

interface AlertStore {
  /** Take the lease on a dedup record (created when absent or expired). */
  claim(dedupKey: string, owner: string, nowMs: number, leaseUntilMs: number): Promise<ClaimResult>;
  /**
   * Open the throttle window for this alert, or count it as suppressed. Idempotent for the alert
   * that opened the window (a retry after a crash finds its own window open and sends).
   */
  throttle(throttleKey: string, dedupKey: string, nowMs: number, windowMs: number): Promise<ThrottleResult>;
  /** Mark the dedup record done (only while holding the lease). */
  finish(
    dedupKey: string,
    owner: string,
    outcome: 'sent' | 'suppressed',
    sent: readonly Channel[],
    nowMs: number,
  ): Promise<void>;
  /**
   * Give the lease back after a failure, keeping progress and the throttle decision (null: none was
   * made yet) so the retry publishes only what is missing, with the same text.
   */
  release(dedupKey: string, owner: string, sent: readonly Channel[], decision: Suppression | null): Promise<void>;
}

interface DedupRecord {
  state: 'pending' | 'done';
  owner: string;
  leaseUntil: number;
  expiresAt: number;
  sent: Channel[];
  decision: Suppression | null;
  outcome: 'sent' | 'suppressed' | null;
}

interface ThrottleRecord {
  windowStart: number;
  windowEnd: number;
  openedBy: string;
  suppressed: number;
  reported: number;
  reportedSince: number;
}

/** In-memory store with the DynamoDB store's semantics (single process). */
class MemoryAlertStore implements AlertStore {
  readonly dedup = new Map<string, DedupRecord>();
  readonly windows = new Map<string, ThrottleRecord>();

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

  async throttle(key: string, dedupKey: string, now: number, windowMs: number): Promise<ThrottleResult> {
    const w = this.windows.get(key);
    if (!w || w.windowEnd <= now) {
      const next: ThrottleRecord = {
        windowStart: now,
        windowEnd: now + windowMs,
        openedBy: dedupKey,
        suppressed: 0,
        reported: w?.suppressed ?? 0,
        reportedSince: w?.windowStart ?? now,
      };
      this.windows.set(key, next);
      return { kind: 'open', suppression: { count: next.reported, sinceMs: next.reportedSince } };
    }
    if (w.openedBy === dedupKey) return { kind: 'open', suppression: { count: w.reported, sinceMs: w.reportedSince } };
    w.suppressed++;
    return { kind: 'suppressed', count: w.suppressed };
  }

  async finish(key: string, owner: string, outcome: 'sent' | 'suppressed', sent: readonly Channel[]): Promise<void> {
    const r = this.dedup.get(key);
    if (!r || r.owner !== owner) return;
    r.state = 'done';
    r.outcome = outcome;
    r.sent = [...sent];
  }

  async release(key: string, owner: string, sent: readonly Channel[], decision: Suppression | null): Promise<void> {
    const r = this.dedup.get(key);
    if (!r || r.owner !== owner) return;
    r.leaseUntil = 0;
    r.sent = [...sent];
    if (decision) r.decision = decision;
  }
}

export type { AlertStore, ClaimResult, ThrottleResult };
export { DEDUP_RETENTION_MS, MemoryAlertStore, THROTTLE_RETENTION_MS };
