import { afterEach, describe, expect, it } from 'vitest';
import type { SyslogReceiver } from '../../../local/syslog-receiver.js';
import { countDuplicates, deadlineIn, makeItems, recordingLogger, startTlsReceiver, tlsSinkTo } from './loopback.js';

// 4,000 frames of ~4 KiB = ~16 MiB: more than loopback kernel buffers can hold on both sides
// (tcp_wmem max 4 MiB + the receiver's window), so the crash is guaranteed to hit frames whose
// write callbacks have not fired yet, i.e. while `send` is still running.
const FRAMES = 4_000;
const FRAME_PADDING = 4_000;
const CRASH_AFTER = 50;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('collector crashes mid-batch', () => {
  it('killed after K frames and restarted: unconfirmed items fail retryable, a later send delivers them, the union is complete', async () => {
    // Prepare: the receiver "crashes" (destroys its sockets, stops listening) when frame K arrives
    let receiver: SyslogReceiver | undefined;
    let crashed = false;
    receiver = await startTlsReceiver({
      onMessage: () => {
        if (!crashed && receiver !== undefined && receiver.messages.length >= CRASH_AFTER) {
          crashed = true;
          void receiver.kill();
        }
      },
    });
    const rx = receiver;
    cleanup.push(() => rx.stop());
    const { logger, entries } = recordingLogger();
    const sink = tlsSinkTo(rx.port, { logger });
    cleanup.push(() => sink.close());
    const items = makeItems(FRAMES, 'k', FRAME_PADDING);

    // Act 1: the crash happens during this send; the one reconnect finds nothing listening
    const first = await sink.send(items, deadlineIn(8_000));

    // Assess 1: nothing is reported delivered that the connection did not carry to a clean end
    expect(crashed).toBe(true);
    expect(first.delivered.length + first.failed.length).toBe(FRAMES);
    expect(first.failed.length).toBeGreaterThan(0);
    for (const f of first.failed) {
      expect(f.retryable).toBe(true);
      expect(f.error).toMatch(/connection lost mid-batch|closed by peer/);
      expect(f.error).toContain('reconnect failed');
    }
    expect(entries.some((e) => e.message.includes('reconnecting once'))).toBe(true);

    // Act 2: the collector comes back; SQS would redeliver exactly the failed ids
    await rx.restart();
    const failedIds = new Set(first.failed.map((f) => f.id));
    const retry = items.filter((i) => failedIds.has(i.id));
    const beforeRetry = rx.messages.length;
    const second = await sink.send(retry, deadlineIn(8_000));
    await rx.waitFor(beforeRetry + retry.length, 5_000);

    // Assess 2: at-least-once: every payload arrived, duplicates are possible and reported
    expect(second.failed).toEqual([]);
    expect(second.delivered).toEqual(retry.map((i) => i.id));
    const received = new Set(rx.messages);
    const missing = items.filter((i) => !received.has(i.payload)).map((i) => i.id);
    expect(missing).toEqual([]);
    const duplicates = countDuplicates(rx.messages);
    console.info(
      `[peer-crash] first send: ${first.delivered.length} delivered / ${first.failed.length} failed; ` +
        `receiver saw ${CRASH_AFTER} before the crash; duplicates after retry: ${duplicates}`,
    );
    expect(duplicates).toBeLessThanOrEqual(CRASH_AFTER + first.delivered.length);
    expect(rx.errors.filter((e) => e.startsWith('octet-counting'))).toEqual([]);
  });

  it('connection reset mid-batch while the collector stays up: the same send reconnects once and delivers everything', async () => {
    // Prepare: the collector resets the connection (RST) once, at frame K, and keeps listening
    let receiver: SyslogReceiver | undefined;
    let reset = false;
    receiver = await startTlsReceiver({
      onMessage: () => {
        if (!reset && receiver !== undefined && receiver.messages.length >= CRASH_AFTER) {
          reset = true;
          receiver.dropConnections('reset');
        }
      },
    });
    const rx = receiver;
    cleanup.push(() => rx.stop());
    const sink = tlsSinkTo(rx.port);
    cleanup.push(() => sink.close());
    const items = makeItems(FRAMES, 'r', FRAME_PADDING);

    // Act
    const result = await sink.send(items, deadlineIn(8_000));
    await rx.waitFor(FRAMES, 5_000);

    // Assess
    expect(reset).toBe(true);
    expect(result.failed).toEqual([]);
    expect(result.delivered).toHaveLength(FRAMES);
    expect(rx.connections).toBe(2);
    expect(sink.stats().transport.connects).toBe(2);
    const received = new Set(rx.messages);
    expect(items.every((i) => received.has(i.payload))).toBe(true);
    console.info(`[peer-reset] duplicates after in-send retry: ${countDuplicates(rx.messages)}`);
  });
});
