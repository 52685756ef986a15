/**
 * Fault: a poison message in every position of a batch. Ten batches of ten; batch i carries the
 * poison at position i. The pollers are stopped while the queue fills, so each receive takes ten
 * messages in order (fauxqs serves a standard queue first in, first out), and the batch
 * composition is checked, not assumed.
 * - ingest poison: ten different inputs the relay can never parse (bad JSON, wrong types,
 *   impossible dates, a leap second, unknown keys, a broken CEF header…): parked in the ingest DLQ
 *   with the reason, the other nine of each batch delivered, nothing retried;
 * - destination poison: a valid event whose fields other than the message text exceed the syslog
 *   collector's 8 KiB budget: Firehose archives it, deliver-syslog parks it in its own DLQ, and the
 *   nine others of each batch reach the collector.
 */
import { describe, expect, it } from 'vitest';
import { expectedEvent } from '../../local/ledger.js';
import type { OutboundItem } from '../../shared/deliver/sink.js';
import { bodies, closeScenario, FAST, fastSyslog, logsMatching, relayHarness, waitUntil } from '../helpers/pipeline.js';

const h = relayHarness();

/** Inputs that can never become an event, each a different way (all InvalidEventError). */
const INGEST_POISON = [
  'not an event',
  '{"id":164,"fields":{}}',
  '{"id":"1","timestamp":"2026-02-30T00:00:00Z"}',
  ' ',
  '{"id":"1","timestamp":"2026-01-19T10:41:00Z","host":"h","fields":{},"colour":"red"}',
  '<999>1 2026-01-19T10:41:00Z host app - - - x',
  'CEF:0|MT4|Segura',
  '[1,2,3]',
  '{"id":"1","timestamp":"2026-12-31T23:59:60Z","fields":{}}',
  '{"id":"1","timestamp":"2026-01-19T10:41:00Z","fields":{"msg":',
] as const;

/** Ten batches of ten: batch i = 9 good events with `poison(i)` at position i. */
function poisonedBatches(good: readonly string[], poison: (i: number) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < 10; i++) {
    const batch = good.slice(i * 9, i * 9 + 9);
    batch.splice(i, 0, poison(i));
    out.push(...batch);
  }
  return out;
}

describe('fault: a poison message in every position of a batch', () => {
  it('ingest: the poison is parked with its reason, the other nine deliver, nothing is retried', async ({ task }) => {
    const t0 = Date.now();
    const batches: string[][] = [];
    let current: string[] | null = null;
    const relay = await h.start({
      ...FAST,
      syslog: fastSyslog,
      // the bodies of each batch normalize receives, in order (one synchronous loop per invocation)
      onIngest: (_id, body) => {
        if (current === null) {
          const b: string[] = [];
          current = b;
          batches.push(b);
          queueMicrotask(() => {
            current = null;
          });
        }
        current.push(body);
      },
    });
    const normalize = relay.pollerFor('normalize');
    if (!normalize) throw new Error('no normalize poller');
    await normalize.stop();
    const input = poisonedBatches(bodies(90, 91), (i) => INGEST_POISON[i] as string);
    await relay.send(input);
    normalize.start();
    const drained = await relay.drain(20_000);

    const poisonAt = batches.map((b) => b.findIndex((body) => (INGEST_POISON as readonly string[]).includes(body)));
    const perBatch = logsMatching(h.cap, 'batch normalized').map((j) => ({
      received: j.received,
      published: j.published,
      parked: j.parked,
      failed: j.failed,
    }));
    const ledger = await closeScenario(
      task,
      relay,
      'poison in every position of a batch: ingest (10 kinds of bad input)',
      input,
      {
        drained,
        batchSizes: batches.map((b) => b.length),
        poisonPositionPerBatch: poisonAt,
        normalizeBatches: perBatch,
        normalizeStats: { ...normalize.stats },
      },
      t0,
    );
    expect(drained).toBe(true);
    // the composition is what the scenario says: ten batches of ten, the poison at position i of batch i
    expect(batches.map((b) => b.length)).toEqual(Array(10).fill(10));
    expect(poisonAt).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(perBatch).toEqual(Array(10).fill({ received: 10, published: 9, parked: 1, failed: 0 }));
    expect(ledger.ingest).toMatchObject({ invalid: 10, inDlq: 10 });
    for (const d of ledger.destinations)
      expect(d).toMatchObject({ expected: 90, delivered: 90, inDlq: 0, duplicates: 0 });
    // parked at once, never retried: each message was received exactly once
    expect(normalize.stats).toMatchObject({ invocations: 10, received: 100, deleted: 100, itemFailures: 0 });
    expect(new Set(ledger.dlqReasons.map((r) => r.code))).toEqual(new Set(['syntax', 'schema']));
  });

  it('destination: an event over the syslog budget is parked by deliver-syslog only; Firehose archives it', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({ ...FAST, syslog: fastSyslog });
    const syslog = relay.pollerFor('deliver-syslog');
    const normalize = relay.pollerFor('normalize');
    const sink = relay.syslogHandler?.sink;
    const collector = relay.destinations.find((d) => d.kind === 'syslog');
    if (!syslog || !normalize || !sink || !collector) throw new Error('no syslog destination');
    // what deliver-syslog hands to its sink, per batch (the poison never gets that far)
    const sinkBatches: OutboundItem[][] = [];
    const send = sink.send.bind(sink);
    sink.send = (items, opts) => {
      sinkBatches.push([...items]);
      return send(items, opts);
    };
    await syslog.stop();
    const good = bodies(90, 92);
    const poison = bodies(10, 93).map((b) => {
      const e = JSON.parse(b) as { fields: Record<string, string> };
      e.fields.note = 'over the syslog budget '.repeat(400);
      return JSON.stringify(e);
    });
    const input = poisonedBatches(good, (i) => poison[i] as string);
    await relay.send(input);
    // every event published (in order) before deliver-syslog takes its first batch
    expect(await waitUntil(() => normalize.stats.deleted === 100, 15_000)).toBe(true);
    syslog.start();
    const drained = await relay.drain(20_000);

    const renderer = collector.renderer;
    const expectedBatches = Array.from({ length: 10 }, (_, i) =>
      input.slice(i * 10, i * 10 + 10).flatMap((b, j) => (j === i ? [] : [renderer.render(expectedEvent(b))])),
    );
    const perBatch = logsMatching(h.cap, 'batch delivered')
      .filter((j) => j.destination === 'collector')
      .map((j) => ({ received: j.received, delivered: j.delivered, parked: j.parked, retry: j.retry }));
    const ledger = await closeScenario(
      task,
      relay,
      'poison in every position of a batch: over the syslog budget',
      input,
      {
        drained,
        sinkBatchSizes: sinkBatches.map((b) => b.length),
        syslogBatches: perBatch,
        syslogStats: { ...syslog.stats },
      },
      t0,
    );
    expect(drained).toBe(true);
    // batch i held the poison at position i: the sink got the other nine of the same ten, in order
    expect(sinkBatches.map((b) => b.map((x) => x.payload))).toEqual(expectedBatches);
    expect(perBatch).toEqual(Array(10).fill({ received: 10, delivered: 9, parked: 1, retry: 0 }));
    const [archive, syslogRow] = ledger.destinations;
    expect(archive).toMatchObject({ name: 'archive', expected: 100, delivered: 100, inDlq: 0, duplicates: 0 });
    expect(syslogRow).toMatchObject({ name: 'collector', expected: 100, delivered: 90, inDlq: 10, refused: 10 });
    expect(syslogRow?.duplicates).toBe(0);
    // each parked with the renderer's reason (sizes differ per event)
    expect(ledger.dlqReasons.reduce((n, r) => n + r.count, 0)).toBe(10);
    for (const r of ledger.dlqReasons) {
      expect(r).toMatchObject({ queue: 'segura-syslog-collector-dlq', code: 'render' });
      expect(r.reason).toMatch(
        /without the message text \+ 3 for the truncation mark "…"\), over the 8192-byte budget$/,
      );
    }
    expect(syslog.stats).toMatchObject({ invocations: 10, received: 100, deleted: 100, itemFailures: 0 });
  });
});
