import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyslogSink } from '../../../shared/deliver/syslog/index.js';
import { deadlineIn, makeItems, recordingLogger, startTlsReceiver, tlsSinkTo } from './loopback.js';

/** A "broken collector": accepts TCP and immediately hangs up, counting every connection that reached it. */
async function startHangUpServer(
  port = 0,
): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no address');
  return {
    port: address.port,
    accepted: () => accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function manualClock(start = Date.UTC(2026, 0, 1, 12)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number): void => {
      now += ms;
    },
  };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('circuit breaker against a failing collector', () => {
  it('opens after 3 failed sends, then fails fast without any connection attempt; after the cool-down one probe succeeds and closes it', async () => {
    // Prepare
    const broken = await startHangUpServer();
    const clock = manualClock();
    const { logger, entries } = recordingLogger();
    const sink = tlsSinkTo(broken.port, {
      breaker: { failureThreshold: 3, coolDownMs: 30_000, now: clock.now },
      logger,
    });
    cleanup.push(() => sink.close());
    const firstFailureAt = clock.now();

    // Act 1: three sends reach the broken collector and fail
    for (let i = 0; i < 3; i++) {
      const r = await sink.send(makeItems(2, `f${i}`), deadlineIn(3_000));
      expect(r.failed.every((f) => f.retryable && f.error.includes('connect to 127.0.0.1'))).toBe(true);
      clock.advance(1_000);
    }

    // Assess 1
    expect(broken.accepted()).toBe(3);
    expect(sink.stats().breaker.state).toBe('open');
    expect(entries.some((e) => e.level === 'error' && e.message.includes('circuit opened'))).toBe(true);

    // Act 2: the 4th send fails fast
    const fast = await sink.send(makeItems(3, 'fast'), deadlineIn(3_000));

    // Assess 2: "fast" is what the breaker guarantees: no connection attempt reached the listener and
    // none was started locally, so nothing waited for a connect or write timeout (no wall-clock bound:
    // the suite must pass on a busy machine)
    expect(broken.accepted()).toBe(3);
    expect(sink.stats().transport.connectAttempts).toBe(3);
    expect(fast.delivered).toEqual([]);
    expect(fast.failed).toHaveLength(3);
    for (const f of fast.failed) {
      expect(f.retryable).toBe(true);
      expect(f.error).toContain(`circuit open: collector unavailable since ${new Date(firstFailureAt).toISOString()}`);
    }

    // Act 3: the collector is repaired on the same port; the cool-down elapses on the injected clock
    await broken.close();
    const receiver = await startTlsReceiver({ port: broken.port });
    cleanup.push(() => receiver.stop());
    clock.advance(30_000);
    const probe = await sink.send(makeItems(4, 'probe'), deadlineIn(3_000));

    // Assess 3: the probe went through and closed the breaker; normal traffic resumes
    expect(probe.delivered).toHaveLength(4);
    expect(sink.stats().breaker).toEqual({ state: 'closed', consecutiveFailures: 0, failingSince: undefined });
    const after = await sink.send(makeItems(2, 'after'), deadlineIn(3_000));
    expect(after.delivered).toHaveLength(2);
    await receiver.waitFor(6, 2_000);
    expect(receiver.connections).toBe(1);
  });

  it('nothing listening (ECONNREFUSED): counts as a failure per send, open breaker stops connect attempts', async () => {
    // Prepare: grab a free port, then free it so nothing listens there
    const probePort = await startHangUpServer();
    const port = probePort.port;
    await probePort.close();
    const clock = manualClock();
    const sink = createSyslogSink({
      name: 'siem',
      transport: 'tcp',
      host: '127.0.0.1',
      port,
      breaker: { failureThreshold: 2, coolDownMs: 10_000, now: clock.now },
      logger: recordingLogger().logger,
    });
    cleanup.push(() => sink.close());

    // Act
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await sink.send(makeItems(1, `d${i}`), deadlineIn(3_000)));

    // Assess: two real attempts (ECONNREFUSED), then two fast failures with no attempt
    expect(results[0]?.failed[0]?.error).toContain('ECONNREFUSED');
    expect(results[1]?.failed[0]?.error).toContain('ECONNREFUSED');
    expect(results[2]?.failed[0]?.error).toContain('circuit open');
    expect(results[3]?.failed[0]?.error).toContain('circuit open');
    expect(sink.stats().transport.connectAttempts).toBe(2);

    // A failed probe re-opens it for another cool-down
    clock.advance(10_000);
    const probe = await sink.send(makeItems(1, 'p'), deadlineIn(3_000));
    expect(probe.failed[0]?.error).toContain('ECONNREFUSED');
    expect(sink.stats().transport.connectAttempts).toBe(3);
    const again = await sink.send(makeItems(1, 'q'), deadlineIn(3_000));
    expect(again.failed[0]?.error).toContain('circuit open');
    expect(sink.stats().transport.connectAttempts).toBe(3);
  });
  it('a collector that accepts TCP but never completes the TLS handshake hits connectTimeoutMs (and counts as a failure)', async () => {
    // Prepare: a listener that accepts and then says nothing
    const silent: Socket[] = [];
    const server = createServer((socket) => {
      silent.push(socket);
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of silent) s.destroy();
          server.close(() => resolve());
        }),
    );
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('no address');
    const sink = tlsSinkTo(address.port, { connectTimeoutMs: 150, logger: recordingLogger().logger });
    cleanup.push(() => sink.close());

    // Act
    const started = performance.now();
    const result = await sink.send(makeItems(2), deadlineIn(5_000));
    const elapsed = performance.now() - started;

    // Assess
    expect(result.failed.map((f) => f.error)).toEqual([
      expect.stringContaining('connect timeout after 150 ms'),
      expect.stringContaining('connect timeout after 150 ms'),
    ]);
    // the connect timeout, not the 5 s deadline, ended the attempt (the errors say so); a lower bound
    // only, since a busy machine can make any wait longer
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(result.failed.some((f) => f.error.includes('deadline'))).toBe(false);
    expect(sink.stats().breaker.consecutiveFailures).toBe(1);

    // A deadline shorter than the connect timeout wins, and is not held against the collector
    const short = await sink.send(makeItems(1, 's'), deadlineIn(50));
    expect(short.failed[0]?.error).toContain('deadline');
    expect(sink.stats().breaker.consecutiveFailures).toBe(1);
  });
});
