/**
 * Per-event latency of a local run (`npm start`, `npm run bench`), from the ingest queue to the bytes
 * at each destination, overall and per hop, with the relay's own work separated from queue waiting.
 *
 * Every timestamp is carried with the event or taken where the bytes land; nothing is added to the
 * messages, so the ledger is untouched:
 * - **sent**: the ingest message's SQS `SentTimestamp` (set by the queue when SendMessage succeeded);
 * - **normalize start**: when the poller invoked normalize with the batch holding the event;
 * - **published**: the `SentTimestamp` of the copy SNS fanned out to the destination's queue (the
 *   moment normalize's PublishBatch reached the events topic);
 * - **picked up**: when the poller invoked the destination function with the batch holding it;
 * - **at destination**: when the local collector decoded the frame, the Firehose double accepted
 *   the record, or the alert topic received the Publish (fauxqs spy).
 *
 * Hops: (a) sent → published = queue wait (sent → normalize start) + normalize's work (start →
 * published); (b) published → picked up, all queue wait (fan-out and polling, no relay code);
 * (c) picked up → at destination, the destination function's work (render, send, acknowledgement).
 * All times are `Date.now()` milliseconds (the queue's own clock is the same process's), so every
 * difference is exact to 1 ms and never negative.
 *
 * Events are matched across hops by content, after the run: each ingest body is normalized again
 * with the relay's own code to its wire message (what the destination queues carry) and rendered
 * with each destination's renderer (what the collector and Firehose receive). Redeliveries are
 * counted once, at their first arrival, exactly like the ledger.
 */
import { createHash } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { InvalidEventError, RenderError } from '../shared/errors.js';
import { payloadOf, provenance } from '../shared/ingest/sqs-envelope.js';
import type { SecurityEvent } from '../shared/model/security-event.js';
import { toWire } from '../shared/model/wire.js';
import type { Renderer } from '../shared/render/index.js';
import { expectedEvent } from './ledger.js';

/** Nearest-rank percentiles of a sample, milliseconds. */
interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** The hops of one destination, each a distribution over the same events. */
const HOPS = {
  total: 'end to end: SendMessage → bytes at the destination',
  a: '(a) SendMessage → published to the events topic',
  aWait: '    queue wait (ingest queue → normalize invoked)',
  aWork: '    relay: normalize (invoked → published)',
  b: '(b) published → destination function picked it up (queue wait)',
  c: '(c) relay: destination function (picked up → bytes at the destination)',
} as const;
type Hop = keyof typeof HOPS;

interface DestinationLatency {
  readonly name: string;
  readonly kind: 'syslog' | 'firehose' | 'alerts';
  /** events (alerts: channel messages) whose arrival was matched to their input */
  readonly events: number;
  /** arrivals that matched no input still owed to this destination (redeliveries, duplicates) */
  readonly unmatched: number;
  readonly hops: Readonly<Record<Hop, Percentiles>>;
}

interface LatencyReport {
  readonly destinations: readonly DestinationLatency[];
  /**
   * The relay's own work, p99 in milliseconds: normalize (hop a, worst over the destinations'
   * samples) and each destination function (hop c), by destination name.
   */
  readonly relayP99: { readonly normalize: number | null; readonly deliver: Readonly<Record<string, number>> };
}

interface Pickup {
  readonly messageId: string;
  readonly key: string;
  readonly pubMs: number;
  readonly pickMs: number;
}

/** Nearest-rank percentile (the smallest value with at least p% of the sample at or below it). */
function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const s = [...values].sort((x, y) => x - y);
  const at = (p: number) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] as number;
  return { count: s.length, p50: at(50), p95: at(95), p99: at(99), max: s[s.length - 1] as number };
}

const keyOf = (wire: string): string => createHash('sha1').update(wire).digest('base64');

/** The latest value in an ascending list that is ≤ limit (the list may be unsorted: scanned). */
function latestAtOrBefore(list: readonly number[], limit: number): number | undefined {
  let best: number | undefined;
  for (const v of list) if (v <= limit && (best === undefined || v > best)) best = v;
  return best;
}

/**
 * Collects the timestamps of a local run. Recording is cheap (a few numbers and a hash per event);
 * the matching happens once, in {@link LatencyProbe.report}.
 */
class LatencyProbe {
  /** ingest message id → the record as normalize first saw it, and every normalize invocation start */
  private readonly ingest = new Map<string, { sentMs: number; record: SQSRecord; starts: number[] }>();
  /** per destination function: every record it was invoked with */
  private readonly pickups = new Map<string, Pickup[]>();
  /** per destination name: lines that arrived, in arrival order */
  private readonly arrivals = new Map<string, Array<{ line: string; atMs: number }>>();

  /** normalize was invoked at `atMs` with these ingest records */
  normalizeInvoked(records: readonly SQSRecord[], atMs: number): void {
    for (const r of records) {
      const seen = this.ingest.get(r.messageId);
      if (seen) seen.starts.push(atMs);
      else this.ingest.set(r.messageId, { sentMs: provenance(r).sentAtMs, record: r, starts: [atMs] });
    }
  }

  /** destination function `fn` was invoked at `atMs` with these records of its queue */
  destinationInvoked(fn: string, records: readonly SQSRecord[], atMs: number): void {
    const list = this.pickups.get(fn) ?? [];
    this.pickups.set(fn, list);
    for (const r of records) {
      // SentTimestamp of this copy: when SNS fanned the published event out to this queue
      list.push({ messageId: r.messageId, key: keyOf(r.body), pubMs: provenance(r).sentAtMs, pickMs: atMs });
    }
  }

  /** `line` arrived at destination `name` now */
  arrived(name: string, line: string, atMs = Date.now()): void {
    const list = this.arrivals.get(name) ?? [];
    this.arrivals.set(name, list);
    list.push({ line, atMs });
  }

  /**
   * Match and summarize. `destinations` lists each one with the function that feeds it and its
   * renderer; `alerts` (optional) the channel messages the alert topics received, each with the
   * alerts-queue message that raised it and when the topic got it.
   */
  report(
    destinations: ReadonlyArray<{
      readonly name: string;
      readonly kind: 'syslog' | 'firehose';
      readonly fn: string;
      readonly renderer: Renderer;
    }>,
    alerts?: { readonly fn: string; readonly received: ReadonlyArray<{ sqsMessageId: string; atMs: number }> },
  ): LatencyReport {
    // each ingest message normalized again, as normalize did (time-less inputs take SentTimestamp)
    const events = new Map<string, { event: SecurityEvent; key: string }>();
    const idsByKey = new Map<string, string[]>();
    for (const [id, r] of this.ingest) {
      let e: SecurityEvent;
      try {
        // what normalize does (functions/normalize/normalize.ts), with its default settings
        e = expectedEvent(payloadOf(r.record), { receivedAtMs: r.sentMs });
      } catch (err) {
        if (err instanceof InvalidEventError) continue; // parked in the ingest DLQ: never delivered
        throw err;
      }
      const key = keyOf(toWire(e));
      events.set(id, { event: e, key });
      const ids = idsByKey.get(key) ?? [];
      ids.push(id);
      idsByKey.set(key, ids);
    }
    const out: DestinationLatency[] = [];
    const sample = (): Record<Hop, number[]> => ({ total: [], a: [], aWait: [], aWork: [], b: [], c: [] });
    const add = (s: Record<Hop, number[]>, id: string, p: Pickup, atMs: number): void => {
      const r = this.ingest.get(id);
      if (!r) return;
      const start = latestAtOrBefore(r.starts, p.pubMs) ?? r.starts[0] ?? r.sentMs;
      s.total.push(atMs - r.sentMs);
      s.a.push(p.pubMs - r.sentMs);
      s.aWait.push(start - r.sentMs);
      s.aWork.push(p.pubMs - start);
      s.b.push(p.pickMs - p.pubMs);
      s.c.push(atMs - p.pickMs);
    };
    const summarize = (s: Record<Hop, number[]>) =>
      Object.fromEntries(Object.keys(HOPS).map((h) => [h, percentiles(s[h as Hop])])) as Record<Hop, Percentiles>;

    for (const d of destinations) {
      const byKey = new Map<string, Pickup[]>();
      for (const p of this.pickups.get(d.fn) ?? []) {
        const l = byKey.get(p.key) ?? [];
        l.push(p);
        byKey.set(p.key, l);
      }
      // expected line → inputs still owed, in send order
      const owed = new Map<string, string[]>();
      for (const [id, { event }] of events) {
        let line: string;
        try {
          line = d.renderer.render(event);
        } catch (err) {
          if (err instanceof RenderError) continue; // parked in the destination's DLQ
          throw err;
        }
        const l = owed.get(line) ?? [];
        l.push(id);
        owed.set(line, l);
      }
      const s = sample();
      let matched = 0;
      let unmatched = 0;
      const arrivals = [...(this.arrivals.get(d.name) ?? [])].sort((x, y) => x.atMs - y.atMs);
      for (const a of arrivals) {
        const id = owed.get(a.line)?.shift();
        const key = id === undefined ? undefined : events.get(id)?.key;
        const cands = key === undefined ? undefined : byKey.get(key);
        // the invocation that delivered it: the latest pick-up at or before the arrival
        let pick: Pickup | undefined;
        for (const p of cands ?? []) if (p.pickMs <= a.atMs && (!pick || p.pickMs > pick.pickMs)) pick = p;
        if (id === undefined || !pick) {
          unmatched++;
          continue;
        }
        add(s, id, pick, a.atMs);
        matched++;
      }
      out.push({ name: d.name, kind: d.kind, events: matched, unmatched, hops: summarize(s) });
    }

    if (alerts) {
      const byId = new Map((this.pickups.get(alerts.fn) ?? []).map((p) => [p.messageId, p]));
      const s = sample();
      let matched = 0;
      let unmatched = 0;
      for (const a of alerts.received) {
        const p = byId.get(a.sqsMessageId);
        const id = p ? idsByKey.get(p.key)?.[0] : undefined;
        if (!p || id === undefined) {
          unmatched++;
          continue;
        }
        add(s, id, p, a.atMs);
        matched++;
      }
      out.push({ name: 'alert topics', kind: 'alerts', events: matched, unmatched, hops: summarize(s) });
    }

    const timed = out.filter((d) => d.events > 0);
    return {
      destinations: out,
      relayP99: {
        normalize: timed.length ? Math.max(...timed.map((d) => d.hops.aWork.p99)) : null,
        deliver: Object.fromEntries(timed.map((d) => [d.name, d.hops.c.p99])),
      },
    };
  }
}

/** The report as text lines for the `npm start` summary and the bench. */
function formatLatency(r: LatencyReport, targetMs = 50): string[] {
  const lines: string[] = [];
  const cols = ['count', 'p50', 'p95', 'p99', 'max'];
  const w = Math.max(...Object.values(HOPS).map((h) => h.length));
  lines.push(`    ${''.padEnd(w)}  ${cols.map((c) => c.padStart(6)).join(' ')}   (ms)`);
  for (const d of r.destinations) {
    const extra = d.unmatched ? `, ${d.unmatched} redelivered/unmatched arrival(s) not counted` : '';
    lines.push(`  ${d.kind} ${d.name}: ${d.events} event(s)${extra}`);
    for (const [h, label] of Object.entries(HOPS)) {
      const p = d.hops[h as Hop];
      lines.push(
        `    ${label.padEnd(w)}  ${[p.count, p.p50, p.p95, p.p99, p.max].map((v) => String(v).padStart(6)).join(' ')}`,
      );
    }
  }
  const verdict = (v: number | null) => (v === null ? 'n/a' : `${v} ms (${v <= targetMs ? 'met' : 'NOT met'})`);
  const deliver = Object.entries(r.relayP99.deliver).map(([n, v]) => `${n} ${verdict(v)}`);
  lines.push(
    `  relay's own work, p99 per hop (target ≤ ${targetMs} ms beyond the batching windows): (a) normalize ${verdict(r.relayP99.normalize)}; (c) ${deliver.join(', ') || 'n/a'}`,
  );
  return lines;
}

export type { DestinationLatency, LatencyReport, Percentiles };
export { formatLatency, HOPS, LatencyProbe, percentiles };
