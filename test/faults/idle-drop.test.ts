/**
 * Fault: the connection the deliver-syslog execution environment keeps between invocations is
 * dropped by the peer while idle: a FIN (collector restart), an RST (NLB idle timeout, 350 s in
 * AWS), and a drop the function never saw (a frozen Lambda does not process the RST; `maxIdleMs`
 * retires a connection idle for too long before it is used).
 */
import { describe, expect, it } from 'vitest';
import { bodies, closeScenario, FAST, logsMatching, relayHarness, sleep } from '../helpers/pipeline.js';

const h = relayHarness();

const MAX_IDLE_MS = 1_500;

describe('fault: idle connection dropped by the peer between invocations', () => {
  it('FIN, RST and an over-age idle connection: replaced before the next batch, no batch fails, no duplicates', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({
      ...FAST,
      firehose: false,
      syslog: { sink: { connectTimeoutMs: 500, writeTimeoutMs: 1_000, maxIdleMs: MAX_IDLE_MS } },
    });
    const rx = relay.syslogReceiver;
    const sink = relay.syslogHandler?.sink;
    if (!rx || !sink) throw new Error('no local collector');
    const input: string[] = [];
    let expectedSoFar = 0;
    const phase = async (n: number, seed: number): Promise<void> => {
      const b = bodies(n, seed);
      input.push(...b);
      expectedSoFar += n;
      await relay.send(b);
      await rx.waitFor(expectedSoFar, 15_000);
      // let the last batch's delete finish: the connection is idle from here on
      await sleep(200);
    };

    await phase(50, 41);
    rx.dropConnections('end');
    await sleep(300);
    await phase(50, 42);
    rx.dropConnections('reset');
    await sleep(300);
    await phase(50, 43);
    // no drop at all, but idle longer than maxIdleMs: retired before use
    await sleep(MAX_IDLE_MS + 300);
    await phase(50, 44);
    const drained = await relay.drain(15_000);

    const replaced = logsMatching(h.cap, 'syslog connection replaced before batch');
    const reasons = replaced.map((j) => String(j.reason));
    const midBatch = logsMatching(h.cap, /mid-batch/);
    const poller = relay.pollerFor('deliver-syslog')?.stats;
    const stats = sink.stats().transport;
    const ledger = await closeScenario(
      task,
      relay,
      'idle connection dropped between invocations (FIN, RST, over-age)',
      input,
      {
        drained,
        replacedBeforeBatch: reasons,
        midBatchFailures: midBatch.length,
        receiverConnections: rx.connections,
        connects: stats.connects,
        reconnects: stats.reconnects,
        itemFailures: poller?.itemFailures,
        maxIdleMs: MAX_IDLE_MS,
      },
      t0,
    );
    expect(drained).toBe(true);
    expect(ledger.destinations[0]).toMatchObject({ expected: 200, delivered: 200, inDlq: 0, duplicates: 0 });
    // each drop was noticed before the next batch used the socket: a fresh connection each time,
    // not one batch item failed, nothing resent
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/closed|socket error/);
    expect(reasons[1]).toMatch(/closed|socket error/);
    expect(reasons[2]).toMatch(/^idle \d+ ms > maxIdleMs 1500 ms$/);
    expect(midBatch).toHaveLength(0);
    expect(poller?.itemFailures).toBe(0);
    expect(stats.connects).toBe(4);
    expect(rx.connections).toBe(4);
  });
});
