/**
 * Fault: SNS `PublishBatch` fails for normalize (an HTTP fault proxy sits between normalize's SNS
 * client and fauxqs, via `AWS_ENDPOINT_URL_SNS`; SQS and the other functions are untouched):
 * - whole calls fail: 8 × HTTP 500 `InternalError`, then HTTP 503 on every call for 2 s (the SDK
 *   retries each call up to 3 attempts; what still fails goes back to the ingest queue);
 * - a 200 answer whose entries all failed (`Failed` with `SenderFault: false`);
 * - answers lost after SNS published (the request took effect, the client saw a 500 and retried):
 *   the one case that must duplicate, bounded by the entries of the calls whose answer was lost.
 */
import { describe, expect, it } from 'vitest';
import { publishBatchAllFailed, publishBatchEntryIds, snsAction } from '../../local/fault-proxy.js';
import { bodies, closeScenario, FAST, logsMatching, relayHarness, sleep } from '../helpers/pipeline.js';

const h = relayHarness();
const publishBatch = snsAction('PublishBatch');

describe('fault: SNS publish failures', () => {
  it('PublishBatch errors (8 × 500, then 503 for 2 s): events wait in the ingest queue, all delivered once', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({ ...FAST, snsProxy: true, syslog: { sink: { connectTimeoutMs: 500 } } });
    const proxy = relay.snsProxy;
    if (!proxy) throw new Error('no SNS proxy');

    proxy.failNext(8, { match: publishBatch, status: 500, code: 'InternalError' });
    const first = bodies(100, 81);
    await relay.send(first);
    const drained1 = await relay.drain(20_000);
    const failedAfterPhase1 = proxy.stats.failed;

    proxy.failFor(2_000, { match: publishBatch, status: 503, code: 'ServiceUnavailable' });
    const failStart = Date.now();
    const second = bodies(100, 82);
    await relay.send(second);
    await sleep(Math.max(0, failStart + 1_000 - Date.now()));
    const pendingWhileFailing = await relay.pending();
    const drained2 = await relay.drain(20_000);

    const normalize = relay.pollerFor('normalize')?.stats;
    const publishFailed = logsMatching(h.cap, 'publish failed; SQS will retry');
    const ledger = await closeScenario(
      task,
      relay,
      'SNS PublishBatch 8 × HTTP 500, then HTTP 503 for 2 s',
      [...first, ...second],
      {
        drained: drained1 && drained2,
        proxy: { ...proxy.stats, byOperation: { ...proxy.stats.byOperation } },
        injectedInPhase1: failedAfterPhase1,
        pendingWhileFailing,
        publishFailedLogs: publishFailed.length,
        normalizeStats: { ...normalize },
      },
      t0,
    );
    expect(drained1 && drained2).toBe(true);
    for (const d of ledger.destinations) expect(d).toMatchObject({ expected: 200, delivered: 200, inDlq: 0 });
    // the proxy really failed the 8 calls (SDK retries included), then every call for 2 s
    expect(failedAfterPhase1).toBe(8);
    expect(proxy.stats.failed).toBeGreaterThan(8);
    expect(proxy.stats.byOperation.PublishBatch).toBe(proxy.stats.failed);
    // what failed went back to the ingest queue (batch item failures), not to a DLQ
    expect(normalize?.itemFailures).toBeGreaterThanOrEqual(10);
    expect(publishFailed.length).toBe(normalize?.itemFailures);
    expect(pendingWhileFailing).toBeGreaterThan(0);
    // a refused call published nothing: a retry cannot duplicate
    for (const d of ledger.destinations) expect(d.duplicates).toBe(0);
  });

  it('a 200 answer with every entry failed: those events are retried, none lost, none doubled', async ({ task }) => {
    const t0 = Date.now();
    const relay = await h.start({ ...FAST, snsProxy: true, syslog: { sink: { connectTimeoutMs: 500 } } });
    const proxy = relay.snsProxy;
    if (!proxy) throw new Error('no SNS proxy');
    let entriesFailed = 0;
    proxy.respondNext(5, publishBatch, (req) => {
      entriesFailed += publishBatchEntryIds(req.body).length;
      return publishBatchAllFailed(req, 'InternalError');
    });
    const input = bodies(100, 83);
    await relay.send(input);
    const drained = await relay.drain(20_000);

    const normalize = relay.pollerFor('normalize')?.stats;
    const ledger = await closeScenario(
      task,
      relay,
      'SNS PublishBatch answered 200 with all entries failed (5 calls)',
      input,
      { drained, proxy: { ...proxy.stats }, entriesFailed, normalizeStats: { ...normalize } },
      t0,
    );
    expect(drained).toBe(true);
    for (const d of ledger.destinations) {
      expect(d).toMatchObject({ expected: 100, delivered: 100, inDlq: 0, duplicates: 0 });
    }
    expect(proxy.stats.failed).toBe(5);
    expect(entriesFailed).toBe(50);
    expect(normalize?.itemFailures).toBe(50);
  });

  it('answers lost after SNS published (3 calls): duplicates appear, bounded by those calls’ entries', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({ ...FAST, snsProxy: true, syslog: { sink: { connectTimeoutMs: 500 } } });
    const proxy = relay.snsProxy;
    if (!proxy) throw new Error('no SNS proxy');
    let entriesInLostCalls = 0;
    proxy.loseAnswerNext(3, {
      match: (req) => {
        const hit = publishBatch(req);
        if (hit) entriesInLostCalls += publishBatchEntryIds(req.body).length;
        return hit;
      },
      status: 500,
      code: 'InternalError',
    });
    const input = bodies(100, 84);
    await relay.send(input);
    const drained = await relay.drain(20_000);

    const ledger = await closeScenario(
      task,
      relay,
      'SNS PublishBatch answers lost after publishing (3 calls)',
      input,
      {
        drained,
        proxy: { ...proxy.stats },
        entriesInLostCalls,
        normalizeStats: { ...relay.pollerFor('normalize')?.stats },
      },
      t0,
    );
    expect(drained).toBe(true);
    expect(proxy.stats.answersLost).toBe(3);
    expect(entriesInLostCalls).toBe(30);
    // at-least-once: each lost answer means the same entries are published again (SDK retry or
    // SQS redelivery), so each destination sees those events twice, never more, never fewer than once
    for (const d of ledger.destinations) {
      expect(d).toMatchObject({ expected: 100, delivered: 100, inDlq: 0 });
      expect(d.duplicates).toBeGreaterThan(0);
      expect(d.duplicates).toBeLessThanOrEqual(entriesInLostCalls);
    }
  });
});
