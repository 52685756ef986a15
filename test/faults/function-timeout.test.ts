/**
 * Fault: a dependency stalls mid-batch for longer than the function timeout. Normalize publishes a
 * batch of ten ~70 KB events in four `PublishBatch` calls (3 + 3 + 3 + 1, the 256 KiB limit); the
 * SNS fault proxy holds the second call of the first batch for 4 s, past the 3 s function timeout.
 *
 * (a) As deployed: every network call is bounded by the invocation's own deadline
 *     (shared/deliver/deadline.ts, 10% / at least 2 s kept back), so the held call is aborted, the
 *     records it carried are reported in batchItemFailures, and the function ends in time: no
 *     timeout, no lost event, the retried records published once more at most.
 *
 * (b) The function killed mid-batch anyway (a stall its deadline cannot see: here the context
 *     reports 60 s while the platform kills at 3 s). Nothing of that batch is deleted, so it comes
 *     back after the visibility timeout and the next invocation publishes it again: duplicates,
 *     never a loss. In-process the abandoned handler runs on in the background and publishes the
 *     rest of its batch when the proxy releases the held call; in Lambda the environment is frozen
 *     and the same continuation happens when it is resumed (or never). Either way the duplicates
 *     of one timed-out batch are bounded by that batch: 10 per destination and timeout.
 */

import { describe, expect, it } from 'vitest';
import { publishBatchEntryIds, snsAction } from '../../local/fault-proxy.js';
import { uidOf } from '../../local/ledger.js';
import { closeScenario, FAST, paddedBodies, relayHarness, sleep } from '../helpers/pipeline.js';

const h = relayHarness();
const publishBatch = snsAction('PublishBatch');
const HOLD_MS = 4_000;

async function runScenario(
  task: Parameters<typeof closeScenario>[0],
  title: string,
  contextTimeoutMs: number | undefined,
) {
  const t0 = Date.now();
  const relayLog: string[] = [];
  const relay = await h.start({
    ...FAST,
    snsProxy: true,
    ...(contextTimeoutMs ? { contextTimeoutMs } : {}),
    syslog: { sink: { connectTimeoutMs: 500 } },
    log: (l) => relayLog.push(l),
  });
  const proxy = relay.snsProxy;
  const normalize = relay.pollerFor('normalize');
  if (!proxy || !normalize) throw new Error('no SNS proxy');
  const calls: Array<{ at: number; entries: number }> = [];
  proxy.observe((req) => {
    if (publishBatch(req)) calls.push({ at: Date.now(), entries: publishBatchEntryIds(req.body).length });
  });
  // the 2nd PublishBatch overall is the 2nd call of the first batch: held past the timeout
  proxy.delayNext(1, HOLD_MS, publishBatch, 1);

  await normalize.stop();
  const input = paddedBodies(30, 101, 70_000);
  await relay.send(input);
  normalize.start();
  const drainedFirst = await relay.drain(30_000);
  // SQS may be empty while an abandoned invocation still waits on its held call: let it finish,
  // then let the destinations take what it published
  const heldAt = calls[1]?.at ?? Date.now();
  await sleep(Math.max(0, heldAt + HOLD_MS + 500 - Date.now()));
  const drained = drainedFirst && (await relay.drain(30_000));
  const timedOut = relayLog.filter((l) => /AbortError|Task timed out/.test(l));
  const received = new Map(relay.destinations.map((d) => [d.name, [...(d.received() ?? [])]]));
  const ledger = await closeScenario(
    task,
    relay,
    title,
    input,
    {
      drained,
      functionTimeoutMs: FAST.timeoutMs,
      contextTimeoutMs: contextTimeoutMs ?? FAST.timeoutMs,
      heldMs: HOLD_MS,
      normalizeStats: { ...normalize.stats },
      proxy: { ...proxy.stats },
      publishBatchCalls: calls.map((c) => ({ atMs: c.at - t0, entries: c.entries })),
      timeoutLog: timedOut,
    },
    t0,
  );
  return { drained, ledger, normalize, proxy, timedOut, received };
}

describe('fault: a dependency stalls past the function timeout', () => {
  it('(a) the stalled call is cut at the function deadline: records retried, no timeout, none lost', async ({
    task,
  }) => {
    const r = await runScenario(
      task,
      'stall past the timeout, bounded by the deadline (SNS held 4 s, timeout 3 s)',
      undefined,
    );
    expect(r.drained).toBe(true);
    expect(r.timedOut).toEqual([]);
    expect(r.normalize.stats.timeouts + r.normalize.stats.handlerErrors).toBe(0);
    expect(r.proxy.stats.delayed).toBe(1);
    // the held call's records (and any not attempted after the deadline) went back to SQS
    expect(r.normalize.stats.itemFailures).toBeGreaterThan(0);
    for (const d of r.ledger.destinations) {
      expect(d).toMatchObject({ expected: 30, delivered: 30, inDlq: 0, missing: 0 });
      // the proxy may still deliver the aborted call after the hold: at most those 3 entries twice
      expect(d.duplicates).toBeLessThanOrEqual(3);
    }
  });

  it('(b) the function is killed mid-batch: the batch is redelivered, duplicates bounded, none lost', async ({
    task,
  }) => {
    const r = await runScenario(task, 'function killed mid-batch (SNS held 4 s, platform timeout 3 s)', 60_000);
    expect(r.drained).toBe(true);
    // killed once by the platform timer (the function believed it had 60 s), batch received again
    expect(r.timedOut).toHaveLength(1);
    expect(r.normalize.stats.timeouts).toBe(1);
    expect(r.proxy.stats.delayed).toBe(1);
    for (const d of r.ledger.destinations) {
      expect(d).toMatchObject({ expected: 30, delivered: 30, inDlq: 0, missing: 0 });
      expect(d.duplicates).toBeGreaterThan(0);
      expect(d.duplicates).toBeLessThanOrEqual(10 * r.timedOut.length);
      // the duplicates are copies of the same stable id (what a SIEM deduplicates on): 30 ids
      const ids = (r.received.get(d.name) ?? []).map(uidOf);
      expect(ids.every((id) => id !== null)).toBe(true);
      expect(new Set(ids).size).toBe(30);
      expect(ids.length - 30).toBe(d.duplicates);
    }
  });
});
