/**
 * Load and soak: 100,000 generated vault events through the whole local relay (fauxqs, normalize,
 * SNS fan-out, deliver-firehose → Firehose double, deliver-syslog → loopback TLS receiver), at the
 * highest rate the machine sustains, with an exact ledger for both destinations and memory sampled
 * every second. Numbers go to test-results/load.json.
 *
 * - Sender: as fast as the ingest queue accepts, but never more than WINDOW events ahead of the
 *   slower destination. The measured rate is then the pipeline's sustained end-to-end rate (first
 *   send to last event at both destinations); without the window the sender outruns the pipeline
 *   and the difference just piles up in the emulated ingest queue.
 * - Ledger, streaming: the expected rendered line of every event (a 96-bit hash of it) is computed
 *   up front; lines are matched as they arrive and then dropped (the receiver's list is emptied as
 *   it is read), so the check itself holds no growing state.
 * - Memory: every component runs in this one process, so the samples are the process's RSS and V8
 *   heap. The Firehose double keeps every record it accepted (it is the destination, S3's stand-in);
 *   that grows with the events by design, so "relay heap" = heapUsed minus the bytes those records
 *   hold, and flatness is asserted on it: max in the second half of the run ≤ 1.25 × max in the first.
 * - Concurrency: the pollers run 1 receive loop per function (the default), then CONCURRENCY loops
 *   (as Lambda scales an SQS source) on a shorter run, to report both rates.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, type TaskMeta, vi } from 'vitest';
import { LocalRelay } from '../../local/relay.js';
import { sampleEvents } from '../../local/sample-events.js';
import { InvalidEventError } from '../../shared/errors.js';
import { parseInput } from '../../shared/parse/parse-payload.js';
import { type DestinationRow, rendererFor, type ScenarioLedger, sleep } from '../helpers/pipeline.js';

const EVENTS = Number(process.env.LOAD_EVENTS ?? 100_000);
const CONCURRENT_EVENTS = Number(process.env.LOAD_EVENTS_CONCURRENT ?? 20_000);
const CONCURRENCY = 4;
/** most events sent but not yet at both destinations */
const WINDOW = 5_000;
/** give up (and fail with the partial ledger) after this long */
const BUDGET_MS = 10 * 60_000;
const SENDERS = 4;
const OUT = 'test-results/load.json';

/** 96 bits of SHA-1: the ledger keeps 100,000s of these instead of the lines themselves. */
function digest(line: string): string {
  return createHash('sha1').update(line).digest('base64').slice(0, 16);
}

/** Approximate V8 heap size of a string: a sequential one-byte or two-byte string. */
function heapBytes(s: string): number {
  return 16 + (/[^\u0000-\u00ff]/.test(s) ? 2 * s.length : s.length);
}

/** Streaming multiset match of one destination's lines against the expected ones. */
class Tally {
  readonly want = new Map<string, number>();
  expected = 0;
  delivered = 0;
  duplicates = 0;
  unexpected = 0;

  expect(line: string): void {
    const k = digest(line);
    this.want.set(k, (this.want.get(k) ?? 0) + 1);
    this.expected++;
  }

  see(line: string): void {
    const k = digest(line);
    const left = this.want.get(k);
    if (left === undefined) this.unexpected++;
    else if (left > 0) {
      this.want.set(k, left - 1);
      this.delivered++;
    } else this.duplicates++;
  }
}

interface MemorySample {
  /** seconds since the first send */
  readonly t: number;
  readonly rssMB: number;
  readonly heapUsedMB: number;
  readonly externalMB: number;
  /** what the Firehose double (the destination) holds, MB */
  readonly destinationHeldMB: number;
  /** heapUsed minus what the destination holds, MB */
  readonly relayHeapMB: number;
  readonly sent: number;
  readonly archived: number;
  readonly collected: number;
}

interface RunResult {
  readonly concurrency: number;
  readonly events: number;
  readonly drained: boolean;
  readonly seconds: number;
  /** events / (last event at both destinations − first send) */
  readonly eventsPerSecond: number;
  /** best 10-second window of the slower destination, events/s */
  readonly peak10sEventsPerSecond: number;
  readonly memory: {
    readonly samples: MemorySample[];
    readonly relayHeapMaxFirstHalfMB: number;
    readonly relayHeapMaxSecondHalfMB: number;
    readonly relayHeapRatio: number;
    readonly heapUsedMaxFirstHalfMB: number;
    readonly heapUsedMaxSecondHalfMB: number;
    readonly rssMaxFirstHalfMB: number;
    readonly rssMaxSecondHalfMB: number;
    readonly destinationHeldAtEndMB: number;
  };
  readonly ledger: ScenarioLedger;
}

const results: RunResult[] = [];
const mb = (n: number) => Math.round((n / 1_048_576) * 10) / 10;
const maxOf = (xs: readonly number[]) => xs.reduce((m, x) => Math.max(m, x), 0);

async function run(events: number, concurrency: number, task: { meta: TaskMeta }): Promise<RunResult> {
  const started = Date.now();
  // the functions' logs and EMF: discarded, not buffered (a buffer would be the biggest thing in memory)
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const dir = mkdtempSync(join(tmpdir(), 'segura-relay-load-'));
  let relay: LocalRelay | null = null;
  try {
    const r = await LocalRelay.start({
      dir,
      timeoutMs: 10_000,
      // the stack's rule (≥ 6 × timeout): several loops per queue must never see a batch twice
      visibilityTimeoutSec: 60,
      maxReceiveCount: 5,
      concurrency,
      firehose: { format: 'cef', aggregate: true },
      syslog: {},
    });
    relay = r;
    const fh = r.firehose;
    const rx = r.syslogReceiver;
    const archive = r.destinations.find((d) => d.kind === 'firehose');
    const collector = r.destinations.find((d) => d.kind === 'syslog');
    if (!fh || !rx || !archive || !collector) throw new Error('local destinations missing');

    const bodies = [...sampleEvents(events, 2026)].map((e) => JSON.stringify(e));
    const tallies = { archive: new Tally(), collector: new Tally() };
    const renderers = { archive: rendererFor(archive), collector: rendererFor(collector) };
    let invalid = 0;
    for (const b of bodies) {
      try {
        const e = parseInput(b);
        tallies.archive.expect(renderers.archive.render(e));
        tallies.collector.expect(renderers.collector.render(e));
      } catch (e) {
        if (!(e instanceof InvalidEventError)) throw e;
        invalid++;
      }
    }

    let fhRecords = 0;
    let destinationHeld = 0;
    const consume = (): void => {
      for (const m of rx.messages.splice(0)) tallies.collector.see(m);
      const records = fh.records('segura-archive');
      for (let i = fhRecords; i < records.length; i++) {
        const r = records[i] as string;
        destinationHeld += heapBytes(r);
        for (const line of r.split('\n')) if (line !== '') tallies.archive.see(line);
      }
      fhRecords = records.length;
    };
    const atBoth = () => Math.min(tallies.archive.delivered, tallies.collector.delivered);
    const complete = () =>
      tallies.archive.delivered === tallies.archive.expected &&
      tallies.collector.delivered === tallies.collector.expected;

    const t0 = Date.now();
    const deadline = t0 + BUDGET_MS;
    let next = 0;
    let sent = 0;
    const sender = async (): Promise<void> => {
      while (next < bodies.length && Date.now() < deadline) {
        if (sent - atBoth() >= WINDOW) {
          await sleep(20);
          continue;
        }
        const i = next;
        next += 10;
        sent += await r.send(bodies.slice(i, i + 10));
      }
    };
    const samples: MemorySample[] = [];
    const progress: Array<{ t: number; atBoth: number }> = [];
    const sampler = async (): Promise<void> => {
      let lastSample = 0;
      while (Date.now() < deadline) {
        consume();
        const now = Date.now();
        if (now - lastSample >= 1_000) {
          lastSample = now;
          const m = process.memoryUsage();
          samples.push({
            t: Math.round((now - t0) / 100) / 10,
            rssMB: mb(m.rss),
            heapUsedMB: mb(m.heapUsed),
            externalMB: mb(m.external),
            destinationHeldMB: mb(destinationHeld),
            relayHeapMB: mb(m.heapUsed - destinationHeld),
            sent,
            archived: tallies.archive.delivered,
            collected: tallies.collector.delivered,
          });
          progress.push({ t: now - t0, atBoth: atBoth() });
        }
        if (complete() && sent === bodies.length) return;
        await sleep(250);
      }
    };
    await Promise.all([sampler(), ...Array.from({ length: SENDERS }, sender)]);
    const seconds = (Date.now() - t0) / 1000;
    const delivered = complete();
    // every delete done, nothing left in any queue
    const drained = delivered && (await r.drain(Math.max(1_000, deadline - Date.now())));
    consume();

    const dlq = await r.dlqContents();
    const inDlq = (q: string) => dlq.filter((x) => x.queue === q).length;
    const row = (t: Tally, d: typeof archive): DestinationRow => ({
      name: d.name,
      kind: d.kind,
      expected: t.expected,
      delivered: t.delivered,
      inDlq: inDlq(`${d.queue.name}-dlq`),
      missing: t.expected - t.delivered - inDlq(`${d.queue.name}-dlq`),
      duplicates: t.duplicates,
      unexpected: t.unexpected,
      refused: 0,
      dlqUnmatched: 0,
      dlqAlsoDelivered: 0,
    });
    const half = seconds / 2;
    const first = samples.filter((s) => s.t <= half);
    const second = samples.filter((s) => s.t > half);
    let peak = 0;
    for (const p of progress) {
      const before = progress.find((q) => q.t >= p.t - 10_000);
      if (before && p.t - before.t >= 9_000)
        peak = Math.max(peak, ((p.atBoth - before.atBoth) * 1000) / (p.t - before.t));
    }
    const memory = {
      samples,
      relayHeapMaxFirstHalfMB: maxOf(first.map((s) => s.relayHeapMB)),
      relayHeapMaxSecondHalfMB: maxOf(second.map((s) => s.relayHeapMB)),
      relayHeapRatio: 0,
      heapUsedMaxFirstHalfMB: maxOf(first.map((s) => s.heapUsedMB)),
      heapUsedMaxSecondHalfMB: maxOf(second.map((s) => s.heapUsedMB)),
      rssMaxFirstHalfMB: maxOf(first.map((s) => s.rssMB)),
      rssMaxSecondHalfMB: maxOf(second.map((s) => s.rssMB)),
      destinationHeldAtEndMB: mb(destinationHeld),
    };
    memory.relayHeapRatio = Math.round((memory.relayHeapMaxSecondHalfMB / memory.relayHeapMaxFirstHalfMB) * 100) / 100;
    const eventsPerSecond = Math.round(atBoth() / seconds);
    const pollers = Object.fromEntries(r.pollers.map((p) => [p.name, { ...p.stats }]));
    const ledger: ScenarioLedger = {
      scenario: `load: ${events} events, ${concurrency} receive loop(s) per function`,
      input: events,
      ingest: { invalid, inDlq: inDlq(`${r.ingest.name}-dlq`), missing: 0, dlqUnmatched: 0 },
      destinations: [row(tallies.archive, archive), row(tallies.collector, collector)],
      dlqReasons: [],
      evidence: {
        drained,
        seconds,
        eventsPerSecond,
        peak10sEventsPerSecond: Math.round(peak),
        senderWindow: WINDOW,
        relayHeapRatio: memory.relayHeapRatio,
        pollers,
      },
      durationMs: Date.now() - started,
    };
    task.meta.ledger = ledger;
    const result: RunResult = {
      concurrency,
      events,
      drained,
      seconds,
      eventsPerSecond,
      peak10sEventsPerSecond: Math.round(peak),
      memory,
      ledger,
    };
    results.push(result);
    return result;
  } finally {
    out.mockRestore();
    err.mockRestore();
    await relay?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectExact(r: RunResult): void {
  expect(r.drained, `not drained within ${BUDGET_MS / 60_000} min`).toBe(true);
  expect(r.ledger.ingest).toMatchObject({ invalid: 0, inDlq: 0 });
  for (const d of r.ledger.destinations) {
    expect(d, d.name).toMatchObject({ expected: r.events, delivered: r.events, inDlq: 0, missing: 0, unexpected: 0 });
    // one receive loop per queue and a visibility timeout longer than any invocation: no redelivery
    expect(d.duplicates, d.name).toBe(0);
  }
}

afterAll(() => {
  if (results.length === 0) return;
  mkdirSync('test-results', { recursive: true });
  const cpu = cpus();
  writeFileSync(
    OUT,
    `${JSON.stringify(
      {
        writtenAt: new Date().toISOString(),
        machine: { cpus: cpu.length, model: cpu[0]?.model, node: process.version },
        senderWindow: WINDOW,
        runs: results,
      },
      null,
      2,
    )}\n`,
  );
});

describe('load and soak', () => {
  it(`${EVENTS} events, one receive loop per function: exact ledger at both destinations, flat memory`, async ({
    task,
  }) => {
    const r = await run(EVENTS, 1, task);
    expectExact(r);
    // flat: what the relay holds does not grow with the number of events it has moved
    expect(r.memory.samples.length).toBeGreaterThanOrEqual(10);
    expect(r.memory.relayHeapMaxSecondHalfMB).toBeLessThanOrEqual(1.25 * r.memory.relayHeapMaxFirstHalfMB);
  });

  it(`${CONCURRENT_EVENTS} events, ${CONCURRENCY} receive loops per function: exact ledger, rate reported`, async ({
    task,
  }) => {
    const r = await run(CONCURRENT_EVENTS, CONCURRENCY, task);
    expectExact(r);
  });
});
