/**
 * Fault: a slow collector. The receiver stops reading for 3 s while ~12 MB of events (1,500 frames
 * of ~8 KiB, the TCP/TLS size budget) are sent, more than the kernel buffers of a loopback
 * connection hold, so the sender really meets backpressure: `write()` returns false, the batch
 * waits for 'drain', and a batch that cannot finish by its deadline is reported unconfirmed (SQS
 * retries it) and its connection replaced. When the collector reads again, everything arrives.
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

const PAUSE_MS = 3_000;

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
    const big = paddedBodies(1_500, 52, 9_000);
    await relay.send(big);
    const sentWhilePausedMs = Date.now() - pausedAt;
    // the sender must have hit backpressure and given up on at least one batch before we resume
    const stalled = await waitUntil(
      () => sink.stats().transport.drainWaits > 0 && poller.stats.itemFailures > 0,
      20_000,
    );
    await sleep(Math.max(0, pausedAt + PAUSE_MS - Date.now()));
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
      `slow collector: receiver paused ${(pausedMs / 1000).toFixed(1)} s under 1,500 × 8 KiB frames`,
      input,
      {
        drained,
        pausedMs,
        sendToIngestMs: sentWhilePausedMs,
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
    expect(ledger.destinations[0]).toMatchObject({ expected: 1_510, delivered: 1_510, inDlq: 0 });
    // the receiver was really paused: it read nothing while the events were sent
    expect(receivedWhilePaused).toBe(0);
    expect(atResume.drainWaits).toBeGreaterThan(0);
    // at-least-once bound: a duplicate can only be a frame the sink reported unconfirmed (its
    // batch stalled) that the collector read later from the abandoned connection
    expect(ledger.destinations[0]?.duplicates).toBeLessThanOrEqual(unconfirmed);
  });
});
