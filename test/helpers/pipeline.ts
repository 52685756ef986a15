/**
 * Shared helpers for the tests that run the whole relay on embedded emulators (fauxqs, the Firehose
 * double, the loopback TLS receiver): relay lifecycle with captured output, generated inputs,
 * bounded waits, and the ledgers every scenario ends with.
 *
 * Two ledgers:
 * - {@link ledgers}: per destination, the multiset comparison of `local/ledger.ts` (what `npm start`
 *   prints);
 * - {@link scenarioLedger}: the same per destination, plus every DLQ entry matched back to the
 *   input it came from (ingest DLQ by body, destination DLQs by the event's wire message), so
 *   "in DLQ" counts only the events that should be there, with their reasons.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, type TaskMeta } from 'vitest';
import { type DestinationLedger, expectations, expectedEvent, ledgerFor } from '../../local/ledger.js';
import { type DlqEntry, LocalRelay, type LocalRelayOptions } from '../../local/relay.js';
import { sampleEvents } from '../../local/sample-events.js';
import { InvalidEventError, RenderError } from '../../shared/errors.js';
import { toWire } from '../../shared/model/wire.js';
import type { parseInput } from '../../shared/parse/parse-payload.js';
import { type Captured, captureStdout } from './capture.js';

/**
 * Short function timeout, 1 s visibility, redrive only after 50 receives: faults do not park
 * events. The backoff while a destination is down is scaled to seconds (1 s doubling to 2 s).
 */
const FAST: LocalRelayOptions = {
  timeoutMs: 3_000,
  visibilityTimeoutSec: 1,
  maxReceiveCount: 50,
  backoff: { baseSeconds: 1, capSeconds: 2, jitter: 0.2 },
};

/** Syslog transport settings that fail fast on a loopback collector. */
const fastSyslog = {
  sink: { connectTimeoutMs: 500, writeTimeoutMs: 1_000, breaker: { failureThreshold: 3, coolDownMs: 300 } },
};

interface RelayHarness {
  relay: LocalRelay | null;
  cap: Captured | null;
  /** start the relay for this test (stopped after it) */
  start(o: LocalRelayOptions): Promise<LocalRelay>;
}

/**
 * Register hooks that capture the functions' stdout/stderr (Powertools logs and EMF, which the
 * assertions read) for each test and stop the relay after it. The relay's output files go to a
 * temporary folder, removed after the test.
 */
function relayHarness(): RelayHarness {
  let dir: string | null = null;
  const h: RelayHarness = {
    relay: null,
    cap: null,
    async start(o) {
      dir = mkdtempSync(join(tmpdir(), 'segura-relay-test-'));
      const r = await LocalRelay.start({ dir, ...o });
      h.relay = r;
      return r;
    },
  };
  beforeEach(() => {
    h.cap = captureStdout();
  });
  afterEach(async () => {
    h.cap?.restore();
    h.cap = null;
    await h.relay?.stop();
    h.relay = null;
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });
  return h;
}

interface RelayHarnessOnce {
  relay: LocalRelay | null;
  cap: Captured | null;
  /** start the relay (output captured from now on) */
  start(o: LocalRelayOptions): Promise<LocalRelay>;
  /** stop the relay and the capture (idempotent); the captured output stays readable */
  stop(): Promise<void>;
}

/** Like {@link relayHarness}, for one relay shared by a file (start in beforeAll, stop in afterAll). */
function relayHarnessOnce(): RelayHarnessOnce {
  let dir: string | null = null;
  let restore: (() => void) | null = null;
  const h: RelayHarnessOnce = {
    relay: null,
    cap: null,
    async start(o) {
      const cap = captureStdout();
      h.cap = cap;
      restore = cap.restore;
      dir = mkdtempSync(join(tmpdir(), 'segura-relay-test-'));
      h.relay = await LocalRelay.start({ dir, ...o });
      return h.relay;
    },
    async stop() {
      restore?.();
      restore = null;
      await h.relay?.stop();
      h.relay = null;
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
      dir = null;
    },
  };
  return h;
}

/** `n` generated vault events (JSON envelopes), deterministic for `seed`. */
function bodies(n: number, seed: number): string[] {
  return [...sampleEvents(n, seed)].map((e) => JSON.stringify(e));
}

/**
 * Like {@link bodies}, with the free text (`msg`) padded by about `padBytes` of plain text: large
 * events (syslog cuts them to its 8 KiB budget, Firehose keeps them whole).
 */
function paddedBodies(n: number, seed: number, padBytes: number): string[] {
  const words = 'vault session recorded for audit review lorem ipsum dolor sit amet ';
  const pad = words.repeat(Math.ceil(padBytes / words.length)).slice(0, padBytes);
  return [...sampleEvents(n, seed)].map((e, i) => {
    e.fields.msg = `${e.fields.msg ?? ''} #${seed}-${i} ${pad}`;
    return JSON.stringify(e);
  });
}

/** Per-destination ledger (multiset of rendered lines) and the raw DLQ contents. */
async function ledgers(
  r: LocalRelay,
  input: readonly string[],
): Promise<{ l: Map<string, DestinationLedger>; dlq: DlqEntry[] }> {
  const dlq = await r.dlqContents();
  const renderers = new Map(r.destinations.map((d) => [d.name, d.renderer]));
  const exp = expectations(input, renderers);
  const l = new Map<string, DestinationLedger>();
  for (const d of r.destinations) {
    l.set(
      d.name,
      ledgerFor(
        d.name,
        exp.expected.get(d.name) ?? [],
        exp.byCount.get(d.name) ?? 0,
        d.received() ?? [],
        dlq.filter((x) => x.queue === `${d.queue.name}-dlq`).length,
      ),
    );
  }
  return { l, dlq };
}

/** Poll `cond` every 25 ms, at most `timeoutMs`; resolves to the last value of `cond`. */
async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(25);
  }
  return cond();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One destination's line of a scenario ledger. */
interface DestinationRow {
  readonly name: string;
  readonly kind: 'firehose' | 'syslog';
  /** valid inputs: each must be delivered or sit in this destination's DLQ */
  readonly expected: number;
  /** distinct expected events seen at the destination, content compared */
  readonly delivered: number;
  /** entries in this destination's DLQ (each matched to an undelivered input) */
  readonly inDlq: number;
  /** expected events neither delivered nor in the DLQ: lost */
  readonly missing: number;
  /** extra copies of expected lines (at-least-once redeliveries) */
  readonly duplicates: number;
  /** lines that match no input */
  readonly unexpected: number;
  /** events this destination's renderer refuses (size budget): they belong in its DLQ */
  readonly refused: number;
  /** DLQ entries whose body is no input's wire message */
  readonly dlqUnmatched: number;
  /** DLQ entries whose event was also delivered */
  readonly dlqAlsoDelivered: number;
}

/** A scenario's closing ledger, as written to test-results/faults-ledger.json. */
interface ScenarioLedger {
  readonly scenario: string;
  /** input events sent to the ingest queue */
  readonly input: number;
  readonly ingest: {
    /** inputs the relay must reject */
    readonly invalid: number;
    readonly inDlq: number;
    /** invalid inputs not in the ingest DLQ */
    readonly missing: number;
    /** ingest DLQ entries that are not an invalid input */
    readonly dlqUnmatched: number;
  };
  readonly destinations: DestinationRow[];
  /** DLQ entries grouped by queue, code and reason */
  readonly dlqReasons: Array<{ queue: string; code: string; reason: string; count: number }>;
  /** what proves the fault happened and was handled (counters, log counts, timings) */
  readonly evidence: Record<string, unknown>;
  readonly durationMs: number;
}

declare module 'vitest' {
  interface TaskMeta {
    /** set by the fault and load tests; collected by test/helpers/ledger-reporter.ts */
    ledger?: ScenarioLedger;
  }
}

function countOf<K>(m: Map<K, number>, k: K): number {
  return m.get(k) ?? 0;
}

function bump<K>(m: Map<K, number>, k: K, by = 1): void {
  m.set(k, countOf(m, k) + by);
}

/**
 * The exact ledger of a run: every input is delivered to each destination (content compared), or
 * sits in the right DLQ; every DLQ entry is matched back to its input. `received` overrides what a
 * destination received (default: `d.received()`).
 */
async function scenarioLedger(
  r: LocalRelay,
  scenario: string,
  input: readonly string[],
  evidence: Record<string, unknown>,
  startedAt: number,
  received: Record<string, readonly string[]> = {},
): Promise<ScenarioLedger> {
  const dlq = await r.dlqContents();
  const invalid = new Map<string, number>();
  // per destination: expected line → count; refused wire → count; wire → line (for DLQ matching)
  const lines = new Map<string, string[]>();
  const refused = new Map<string, Map<string, number>>();
  const lineOfWire = new Map<string, Map<string, string>>();
  const renderers = new Map(r.destinations.map((d) => [d.name, d.renderer]));
  for (const d of r.destinations) {
    lines.set(d.name, []);
    refused.set(d.name, new Map());
    lineOfWire.set(d.name, new Map());
  }
  let valid = 0;
  for (const b of input) {
    let e: ReturnType<typeof parseInput>;
    try {
      // what the local normalize publishes: with its stable id, secret-looking fields redacted
      e = expectedEvent(b);
    } catch (err) {
      if (!(err instanceof InvalidEventError)) throw err;
      bump(invalid, b);
      continue;
    }
    if (e.time === null) throw new Error('scenarioLedger: inputs must carry a timestamp (their lines are predictable)');
    valid++;
    const wire = toWire(e);
    for (const [name, renderer] of renderers) {
      try {
        const line = renderer.render(e);
        (lines.get(name) as string[]).push(line);
        (lineOfWire.get(name) as Map<string, string>).set(wire, line);
      } catch (err) {
        if (!(err instanceof RenderError)) throw err;
        bump(refused.get(name) as Map<string, number>, wire);
      }
    }
  }

  // ingest DLQ: exactly the invalid inputs, by body
  const ingestQueue = `${r.ingest.name}-dlq`;
  const leftInvalid = new Map(invalid);
  let ingestInDlq = 0;
  let ingestUnmatched = 0;
  for (const x of dlq.filter((q) => q.queue === ingestQueue)) {
    ingestInDlq++;
    if (countOf(leftInvalid, x.body) > 0) bump(leftInvalid, x.body, -1);
    else ingestUnmatched++;
  }
  let ingestMissing = 0;
  for (const n of leftInvalid.values()) ingestMissing += n;

  const destinations: DestinationRow[] = [];
  for (const d of r.destinations) {
    const got = received[d.name] ?? d.received() ?? [];
    const gotCount = new Map<string, number>();
    for (const l of got) bump(gotCount, l);
    const leftRefused = new Map(refused.get(d.name));
    let dlqRenderable = 0;
    let dlqUnmatched = 0;
    let dlqAlsoDelivered = 0;
    const entries = dlq.filter((x) => x.queue === `${d.queue.name}-dlq`);
    for (const x of entries) {
      if (countOf(leftRefused, x.body) > 0) {
        bump(leftRefused, x.body, -1);
        continue;
      }
      const line = lineOfWire.get(d.name)?.get(x.body);
      if (line === undefined) dlqUnmatched++;
      else {
        dlqRenderable++;
        if (countOf(gotCount, line) > 0) dlqAlsoDelivered++;
      }
    }
    let refusedMissing = 0;
    for (const n of leftRefused.values()) refusedMissing += n;
    const base = ledgerFor(d.name, lines.get(d.name) ?? [], 0, got, dlqRenderable);
    let refusedCount = 0;
    for (const n of (refused.get(d.name) as Map<string, number>).values()) refusedCount += n;
    destinations.push({
      name: d.name,
      kind: d.kind,
      expected: valid,
      delivered: base.delivered,
      inDlq: entries.length,
      missing: base.missing + refusedMissing,
      duplicates: base.duplicates,
      unexpected: base.unexpected,
      refused: refusedCount,
      dlqUnmatched,
      dlqAlsoDelivered,
    });
  }

  const reasons = new Map<string, { queue: string; code: string; reason: string; count: number }>();
  for (const x of dlq) {
    // timestamps and ids in reasons would split identical causes
    const reason = x.reason.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>').slice(0, 200);
    const k = `${x.queue}|${x.code}|${reason}`;
    const row = reasons.get(k) ?? { queue: x.queue, code: x.code, reason, count: 0 };
    row.count++;
    reasons.set(k, row);
  }
  return {
    scenario,
    input: input.length,
    ingest: {
      invalid: input.length - valid,
      inDlq: ingestInDlq,
      missing: ingestMissing,
      dlqUnmatched: ingestUnmatched,
    },
    destinations,
    dlqReasons: [...reasons.values()],
    evidence,
    durationMs: Date.now() - startedAt,
  };
}

/**
 * Compute the scenario's ledger, attach it to the test (the ledger reporter writes and prints it,
 * also when an assertion below fails), and assert what holds in every scenario: nothing lost,
 * nothing unexpected, every DLQ entry an input that belongs there.
 */
async function closeScenario(
  task: { meta: TaskMeta },
  r: LocalRelay,
  scenario: string,
  input: readonly string[],
  evidence: Record<string, unknown>,
  startedAt: number,
  received: Record<string, readonly string[]> = {},
): Promise<ScenarioLedger> {
  const ledger = await scenarioLedger(r, scenario, input, evidence, startedAt, received);
  task.meta.ledger = ledger;
  expect(ledger.ingest, 'ingest DLQ').toMatchObject({ missing: 0, dlqUnmatched: 0 });
  for (const d of ledger.destinations) {
    expect(d, d.name).toMatchObject({ missing: 0, unexpected: 0, dlqUnmatched: 0, dlqAlsoDelivered: 0 });
  }
  return ledger;
}

/** Log entries (Powertools JSON) whose message matches, from a capture. */
function logsMatching(cap: Captured | null, message: string | RegExp): Array<Record<string, unknown>> {
  if (!cap) throw new Error('stdout not captured');
  return cap
    .json()
    .filter(
      (j) =>
        typeof j.message === 'string' &&
        (typeof message === 'string' ? j.message === message : message.test(j.message)),
    );
}

export type { DestinationRow, RelayHarness, ScenarioLedger };
export {
  bodies,
  closeScenario,
  FAST,
  fastSyslog,
  ledgers,
  logsMatching,
  paddedBodies,
  relayHarness,
  relayHarnessOnce,
  scenarioLedger,
  sleep,
  waitUntil,
};
