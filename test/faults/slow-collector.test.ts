/**
 * Fault: a slow collector. The receiver stops reading while events of ~8 KiB (the TCP/TLS size
 * budget) keep coming, 2 MB at a time, until the kernel buffers of the loopback connection are full
 * (about 8 MB on the machine this was written on; the loop goes up to 32 MB) and the sender really
 * meets backpressure: `write()` returns false, the batch waits for 'drain', and a batch that cannot
 * finish by its deadline is reported unconfirmed (SQS retries it) and its connection replaced. The
 * receiver stays paused 1 s more, then reads again, and everything arrives.
 */
import { describe, expect, it } from 'vitest';
import {
  bodies,
  closeScenario,
  FAST,
  logsMatching,
  paddedBodies,
  relayHarness,
  sleep,
  waitUntil,
} from '../helpers/pipeline.js';

const h = relayHarness();

/** events of ~8 KiB per chunk (2 MB), and at most this many chunks (32 MB) */
const CHUNK = 250;
const MAX_CHUNKS = 16;

describe('fault: slow collector (backpressure)', () => {
  it('a collector that stops reading holds batches back; nothing is confirmed that it cannot read, all arrive after', async ({
    task,
  }) => {
    const t0 = Date.now();
    const relay = await h.start({
      ...FAST,
      firehose: false,
      syslog: { sink: { connectTimeoutMs: 500, writeTimeoutMs: 1_000 } },
    });
    const rx = relay.syslogReceiver;
    const sink = relay.syslogHandler?.sink;
    const poller = relay.pollerFor('deliver-syslog');
    if (!rx || !sink || !poller) throw new Error('no local collector');

    const warm = bodies(10, 51);
    await relay.send(warm);
    await rx.waitFor(10, 10_000);
    await sleep(200);

    rx.pause();
    const pausedAt = Date.now();
    const receivedAtPause = rx.messages.length;
    const big: string[] = [];
    // keep sending until the sender has given up on at least one batch (its buffers are full)
    let stalled = false;
    for (let chunk = 0; chunk < MAX_CHUNKS && !stalled; chunk++) {
      const b = paddedBodies(CHUNK, 520 + chunk, 9_000);
      big.push(...b);
      await relay.send(b);
      stalled = await waitUntil(() => poller.stats.itemFailures > 0, 1_500);
    }
    const sentWhilePausedMs = Date.now() - pausedAt;
    await sleep(1_000);
    const receivedWhilePaused = rx.messages.length - receivedAtPause;
    const atResume = { ...sink.stats().transport };
    const pausedMs = Date.now() - pausedAt;
    rx.resume();
    const drained = await relay.drain(60_000);

    const partial = logsMatching(h.cap, 'syslog batch partially failed; unconfirmed items will be retried by SQS');
    const unconfirmed = partial.reduce((n, j) => n + (typeof j.failed === 'number' ? j.failed : 0), 0);
    const kinds = [...new Set(partial.map((j) => String(j.kind)))];
    const input = [...warm, ...big];
    const ledger = await closeScenario(
      task,
      relay,
      `slow collector: receiver paused ${(pausedMs / 1000).toFixed(1)} s under ${big.length} × 8 KiB events`,
      input,
      {
        drained,
        pausedMs,
        sendingWhilePausedMs: sentWhilePausedMs,
        receivedWhilePaused,
        drainWaitsWhilePaused: atResume.drainWaits,
        framesWrittenWhilePaused: atResume.framesWritten - 10,
        bytesWrittenWhilePaused: atResume.bytesWritten,
        stalledBatches: partial.length,
        stallKinds: kinds,
        framesReportedUnconfirmed: unconfirmed,
        connects: sink.stats().transport.connects,
        receiverErrors: [...new Set(rx.errors)],
        pollerStats: { ...poller.stats },
      },
      t0,
    );
    expect(drained).toBe(true);
    expect(stalled).toBe(true);
    expect(ledger.destinations[0]).toMatchObject({ expected: 10 + big.length, delivered: 10 + big.length, inDlq: 0 });
    // the receiver was really paused: it read nothing while the events were sent
    expect(receivedWhilePaused).toBe(0);
    expect(atResume.drainWaits).toBeGreaterThan(0);
    // at-least-once bound: a duplicate can only be a frame the sink reported unconfirmed (its
    // batch stalled) that the collector read later from the abandoned connection
    expect(ledger.destinations[0]?.duplicates).toBeLessThanOrEqual(unconfirmed);
  });
});
