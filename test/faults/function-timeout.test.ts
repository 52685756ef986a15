/**
 * Fault: the function times out mid-batch. Normalize publishes a batch of ten ~70 KB events in four
 * `PublishBatch` calls (3 + 3 + 3 + 1, the 256 KiB limit); the SNS fault proxy holds the second call
 * of the first batch for 4 s, past the 3 s function timeout. Nothing of that batch is deleted, so it
 * comes back after the visibility timeout and the next invocation publishes it again: duplicates,
 * never a loss.
 *
 * How the timeout surfaces: middy ends the invocation 5 ms before the deadline
 * (`timeoutEarlyInMillis`) with `[AbortError]`, so the poller (like Lambda) sees a function error,
 * not a timeout; SQS treats both the same. normalize ignores middy's abort signal, so the handler
 * keeps running after the invocation ended.
 *
 * In-process vs Lambda: locally the abandoned handler runs on in the background, so when the proxy
 * releases the held call, it publishes the rest of its batch (calls 3 and 4). In Lambda the
 * environment is frozen between invocations and resumed by the next one, so the same continuation
 * happens later (or never, if the environment is retired); a hard timeout (no middy) would instead
 * stop it for good after the call in flight. Either way the duplicates of one timed-out batch are
 * bounded by that batch: 10 per destination and timeout, which the test asserts; the drain waits
 * for the held call so the local run ends with everything the abandoned handler did.
 */
import { describe, expect, it } from 'vitest';
import { publishBatchEntryIds, snsAction } from '../../local/fault-proxy.js';
import { closeScenario, FAST, paddedBodies, relayHarness, sleep } from '../helpers/pipeline.js';

const h = relayHarness();
const publishBatch = snsAction('PublishBatch');
const HOLD_MS = 4_000;

describe('fault: the function times out mid-batch', () => {
  it('normalize times out with half its batch published: the batch is redelivered, duplicates bounded, none lost', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relayLog: string[] = [];
    const relay = await h.start({
      ...FAST,
      snsProxy: true,
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
    // SQS is empty now, but the abandoned invocation is still waiting on its held call: let it
    // finish (it publishes the rest of its batch), then let the destinations take that too
    const heldAt = calls[1]?.at ?? Date.now();
    await sleep(Math.max(0, heldAt + HOLD_MS + 500 - Date.now()));
    const drained = drainedFirst && (await relay.drain(30_000));

    const afterRelease = calls.filter((c) => c.at >= heldAt + HOLD_MS - 50);
    const timedOut = relayLog.filter((l) => /AbortError|Task timed out/.test(l));
    const ledger = await closeScenario(
      task,
      relay,
      'function timeout mid-batch (normalize, SNS call held 4 s > 3 s timeout)',
      input,
      {
        drained,
        functionTimeoutMs: FAST.timeoutMs,
        heldMs: HOLD_MS,
        normalizeStats: { ...normalize.stats },
        proxy: { ...proxy.stats },
        publishBatchCalls: calls.map((c) => ({ atMs: c.at - t0, entries: c.entries })),
        // the held call itself (released after the timeout) plus the calls the handler made after it
        entriesPublishedByTheAbandonedInvocationAfterItsTimeout:
          (calls[1]?.entries ?? 0) + afterRelease.reduce((n, c) => n + c.entries, 0),
        timeoutLog: timedOut,
      },
      t0,
    );
    expect(drained).toBe(true);
    // the timeout happened, once (middy ends the invocation 5 ms before the deadline with an
    // AbortError, which the poller counts as a handler error; without middy the poller's own timer
    // would count a timeout), and the batch was received again
    expect(timedOut).toHaveLength(1);
    expect(normalize.stats.timeouts + normalize.stats.handlerErrors).toBe(1);
    expect(proxy.stats.delayed).toBe(1);
    expect(normalize.stats).toMatchObject({ invocations: 4, received: 40, deleted: 30, itemFailures: 0 });
    expect(afterRelease.length).toBeGreaterThan(0);
    for (const d of ledger.destinations) {
      expect(d).toMatchObject({ expected: 30, delivered: 30, inDlq: 0 });
      // the redelivered batch was published again, and the abandoned invocation finished its own
      // publishing later: duplicates, at most the timed-out batch (10 events) per timeout
      expect(d.duplicates).toBeGreaterThan(0);
      expect(d.duplicates).toBeLessThanOrEqual(10 * timedOut.length);
    }
  });
});
