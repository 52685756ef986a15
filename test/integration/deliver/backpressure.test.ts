import { afterEach, describe, expect, it } from 'vitest';
import { startSyslogReceiver } from '../../../local/syslog-receiver.js';
import { deadlineFrom } from '../../../shared/deliver/deadline.js';
import type { DeliveryResult } from '../../../shared/deliver/sink.js';
import { createSyslogSink, type SyslogSinkConfig } from '../../../shared/deliver/syslog/index.js';
import {
  certs,
  countDuplicates,
  deadlineIn,
  makeItems,
  recordingLogger,
  sleep,
  startTlsReceiver,
  waitForAll,
} from './loopback.js';

// ~10 MiB in 2,500 frames of ~4 KiB: more than a paused peer's receive window plus our send buffer
// (tcp_wmem max 4 MiB), so `write()` must return false and the batch must wait for 'drain'.
const FRAMES = 2_500;
const PADDING = 4_000;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Keep the CPU (and so this process's event loop) busy for `ms`: a model of a loaded machine. */
function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

/** Track whether a promise has settled, without awaiting it. */
function observe<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  return { settled: () => done, promise: tracked };
}

describe('backpressure from a slow collector', () => {
  it.each(['tls', 'tcp'] as const)(
    '%s: a paused receiver holds the batch (nothing reported before the write callbacks); after resume everything arrives',
    async (transport) => {
      // Prepare
      const receiver = transport === 'tls' ? await startTlsReceiver() : await startSyslogReceiver({ transport: 'tcp' });
      cleanup.push(() => receiver.stop());
      const config: SyslogSinkConfig = {
        name: 'siem',
        transport,
        host: '127.0.0.1',
        port: receiver.port,
        writeTimeoutMs: 5_000,
        logger: recordingLogger().logger,
        ...(transport === 'tls' ? { ca: certs.ca } : {}),
      };
      const sink = createSyslogSink(config);
      cleanup.push(() => sink.close());
      // Connect first, so the pause applies to the live connection.
      await sink.send(makeItems(1, 'warm'), deadlineIn(3_000));
      await receiver.waitFor(1, 2_000);
      receiver.pause();
      const items = makeItems(FRAMES, 'bp', PADDING);

      // Act: the collector stops reading for 400 ms
      const sending = observe(sink.send(items, deadlineIn(8_000)));
      await sleep(400);
      const settledWhilePaused = sending.settled();
      const drainWaitsWhilePaused = sink.stats().transport.drainWaits;
      const framesConfirmedWhilePaused = sink.stats().transport.framesWritten - 1;
      receiver.resume();
      const result: DeliveryResult = await sending.promise;
      await receiver.waitFor(FRAMES + 1, 5_000);

      // Assess: while paused, send had not returned and had waited for 'drain'; write callbacks had
      // fired only for what the kernel took (well short of the batch)
      expect(settledWhilePaused).toBe(false);
      expect(drainWaitsWhilePaused).toBeGreaterThan(0);
      expect(framesConfirmedWhilePaused).toBeLessThan(FRAMES);
      expect(result.failed).toEqual([]);
      expect(result.delivered).toEqual(items.map((i) => i.id));
      expect(receiver.messages.slice(1)).toEqual(items.map((i) => i.payload));
      console.info(
        `[backpressure/${transport}] frames confirmed while paused: ${framesConfirmedWhilePaused}/${FRAMES}, drain waits: ${sink.stats().transport.drainWaits}`,
      );
    },
  );

  it('a receiver that stays stalled past writeTimeoutMs: no item is reported delivered, and a retry after recovery delivers all', async () => {
    // Prepare
    const receiver = await startSyslogReceiver({ transport: 'tcp' });
    cleanup.push(() => receiver.stop());
    const { logger } = recordingLogger();
    const sink = createSyslogSink({
      name: 'siem',
      transport: 'tcp',
      host: '127.0.0.1',
      port: receiver.port,
      writeTimeoutMs: 300,
      logger,
    });
    cleanup.push(() => sink.close());
    await sink.send(makeItems(1, 'warm'), deadlineIn(3_000));
    await receiver.waitFor(1, 2_000);
    receiver.pause();
    const items = makeItems(FRAMES, 'st', PADDING);

    // Act 1
    const stalled = await sink.send(items, deadlineIn(8_000));

    // Assess 1: the kernel accepted part of the batch, but a stalled peer means those bytes are at
    // risk too, so nothing is confirmed and the connection is replaced
    expect(stalled.delivered).toEqual([]);
    expect(stalled.failed).toHaveLength(FRAMES);
    expect(stalled.failed[0]).toMatchObject({ retryable: true, error: expect.stringContaining('write timeout') });
    expect(sink.stats().transport.framesWritten - 1).toBeGreaterThan(0);

    // Act 2: the collector recovers (it will also read what was already buffered), SQS redelivers
    receiver.resume();
    const retried = await sink.send(items, deadlineIn(8_000));
    await waitForAll(receiver, items, 5_000);

    // Assess 2: at-least-once: every payload is there; what the kernel had buffered before the stall
    // may arrive twice, and the frame cut by the abandoned connection is reported by the receiver
    expect(retried.delivered).toHaveLength(FRAMES);
    console.info(
      `[stall] duplicates: ${countDuplicates(receiver.messages)}, receiver errors: ${JSON.stringify(receiver.errors)}`,
    );
  });
  it('the deadline bounds a stalled batch, on a busy machine too: send returns before the reserve runs out, every unconfirmed item failed "deadline"', async () => {
    // Prepare: writeTimeoutMs is long, so only the deadline can end the wait
    const receiver = await startSyslogReceiver({ transport: 'tcp' });
    cleanup.push(() => receiver.stop());
    const sink = createSyslogSink({
      name: 'siem',
      transport: 'tcp',
      host: '127.0.0.1',
      port: receiver.port,
      writeTimeoutMs: 10_000,
      logger: recordingLogger().logger,
    });
    cleanup.push(() => sink.close());
    await sink.send(makeItems(1, 'warm'), deadlineIn(3_000));
    await receiver.waitFor(1, 2_000);
    receiver.pause();
    const items = makeItems(FRAMES, 'dl', PADDING);
    // What a function keeps back after its deadline to park failures and answer SQS
    // (shared/deliver/deadline.ts: 10 % of the invocation, at least 2 s).
    const now = Date.now();
    const reserveMs = now + 3_000 - deadlineFrom(3_000);

    // Act: a busy machine (another test suite on the same cores) holds the event loop for 400 ms
    // just before the deadline, so the sink's deadline timer fires late
    const { deadlineMs } = deadlineIn(300);
    const busy = setTimeout(() => busyFor(400), 250);
    const result = await sink.send(items, { deadlineMs });
    const returnedAt = Date.now();
    clearTimeout(busy);

    // Assess: the guarantee is "before the reserve runs out", not "within N ms of the deadline"
    expect(reserveMs).toBeGreaterThanOrEqual(1_999);
    expect(returnedAt).toBeLessThan(deadlineMs + reserveMs);
    expect(result.delivered).toEqual([]);
    expect(result.failed).toHaveLength(FRAMES);
    for (const f of result.failed) {
      expect(f.retryable).toBe(true);
      expect(f.error).toContain('deadline');
    }
    // The deadline is ours: the breaker does not count it against the collector
    expect(sink.stats().breaker.consecutiveFailures).toBe(0);
  });
});
